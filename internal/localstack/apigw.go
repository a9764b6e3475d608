package localstack

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"attestation/internal/audit"
	"attestation/internal/dynamostore"
	"attestation/internal/identity"
	"attestation/internal/samtemplate"
)

// maxPayload is API Gateway's limit on an HTTP API request body.
const maxPayload = 10 << 20

// maxHeaderBytes is API Gateway's limit on the combined size of an HTTP API request's request line
// and headers; a larger request is answered 431 before the authorizer or the route is consulted.
const maxHeaderBytes = 10240

// headerBytes is the size of r's request line and header lines ("Name: value"), Host included.
func headerBytes(r *http.Request) int {
	n := len(r.Method) + 1 + len(r.RequestURI) + 1 + len(r.Proto)
	n += len("Host: ") + len(r.Host)
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(": ") + len(v)
		}
	}
	return n
}

// apiRoute is a route of the template bound to its function.
type apiRoute struct {
	route    samtemplate.Route
	function string
	segments []string
}

// apiGateway serves the HTTP routes of template.yaml (the contract of `sam local start-api`):
// each request becomes the payload-v2 event API Gateway sends, after the JWT check the
// authorizer makes, and the function's response becomes the HTTP response.
//
// A call the gateway answers itself never reaches the function: a token the authorizer refuses,
// a path no route matches, a body over the limit, a failed integration (a function that outlives
// the integration timeout records its call itself). In AWS such a call is
// in the API's access log only; here it is also written, as a call record with the gateway's
// reason (the authorizer's error), into the audit store the function records its calls in.
type apiGateway struct {
	routes    []apiRoute
	invoker   *invoker
	issuer    *Issuer
	clock     *Clock
	accessLog *slog.Logger
	control   http.Handler
	calls     audit.Recorder // nil: the gateway keeps no call records
	seq       atomic.Int64
	// integrationTimeout: how long the gateway waits for the function (IntegrationTimeout if 0).
	integrationTimeout time.Duration
}

func newAPIGateway(t *samtemplate.Template, inv *invoker, issuer *Issuer, clock *Clock, accessLog *slog.Logger, control http.Handler, calls audit.Recorder) *apiGateway {
	g := &apiGateway{invoker: inv, issuer: issuer, clock: clock, accessLog: accessLog, control: control, calls: calls}
	for _, f := range t.Functions {
		for _, r := range f.Routes {
			g.routes = append(g.routes, apiRoute{route: r, function: f.Name, segments: strings.Split(strings.Trim(r.Path, "/"), "/")})
		}
	}
	// Most specific first: more literal segments win over parameters, as API Gateway matches.
	sort.SliceStable(g.routes, func(i, j int) bool { return literalCount(g.routes[i].segments) > literalCount(g.routes[j].segments) })
	return g
}

// gatewayCalls is the audit store of the table the API's functions record their calls in (their
// TABLE_NAME), for the calls the gateway answers itself; nil if no routed function names one.
func gatewayCalls(t *samtemplate.Template, db dynamostore.API) audit.Recorder {
	for _, f := range t.Functions {
		if len(f.Routes) > 0 && f.Env["TABLE_NAME"] != "" {
			return dynamostore.NewAudit(db, f.Env["TABLE_NAME"])
		}
	}
	return nil
}

func literalCount(segs []string) int {
	n := 0
	for _, s := range segs {
		if !strings.HasPrefix(s, "{") {
			n++
		}
	}
	return n
}

// match finds the route for method and path and its path parameters.
func (g *apiGateway) match(method, path string) (apiRoute, map[string]string, bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for _, r := range g.routes {
		if r.route.Method != method && r.route.Method != "ANY" {
			continue
		}
		params, ok := matchSegments(r.segments, segs)
		if ok {
			return r, params, true
		}
	}
	return apiRoute{}, nil, false
}

func matchSegments(tmpl, segs []string) (map[string]string, bool) {
	params := map[string]string{}
	for i, t := range tmpl {
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "+}") {
			if i >= len(segs) {
				return nil, false
			}
			params[strings.Trim(t, "{+}")] = strings.Join(segs[i:], "/")
			return params, true
		}
		if i >= len(segs) {
			return nil, false
		}
		if strings.HasPrefix(t, "{") {
			if segs[i] == "" {
				return nil, false
			}
			params[strings.Trim(t, "{}")] = segs[i]
			continue
		}
		if t != segs[i] {
			return nil, false
		}
	}
	if len(segs) != len(tmpl) {
		return nil, false
	}
	if len(params) == 0 {
		params = nil
	}
	return params, true
}

func (g *apiGateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_local/") || r.URL.Path == "/.well-known/jwks.json" || strings.HasPrefix(r.URL.Path+"/", PortalPath) {
		g.control.ServeHTTP(w, r)
		return
	}
	now := time.UnixMilli(g.clock.Now().UnixMilli()) // what timeEpoch carries: milliseconds
	reqID := fmt.Sprintf("local-%d-%d", now.UnixMilli(), g.seq.Add(1))
	rec := accessRecord{RequestID: reqID, Time: now.UTC().Format("02/Jan/2006:15:04:05 -0700"), IP: clientIP(r),
		UserAgent: r.UserAgent(), Path: r.URL.Path, RouteKey: "-"}
	var route apiRoute
	var params, claims map[string]string
	answered := true // by the gateway itself, until the function's response is relayed
	defer func() {
		if answered {
			g.record(r, rec, route, params, claims, now)
		}
		g.accessLog.Info("access", "record", rec)
	}()
	w.Header().Set("Apigw-Requestid", reqID)

	if headerBytes(r) > maxHeaderBytes {
		rec.Status = http.StatusRequestHeaderFieldsTooLarge
		writeMessage(w, http.StatusRequestHeaderFieldsTooLarge, "Request Header Fields Too Large")
		return
	}
	route, params, ok := g.match(r.Method, r.URL.EscapedPath())
	if !ok {
		rec.Status = http.StatusNotFound
		writeMessage(w, http.StatusNotFound, "Not Found")
		return
	}
	rec.RouteKey = route.route.Key()
	if !route.route.Public {
		c, err := g.issuer.Verify(r.Header.Get("Authorization"))
		if err != nil {
			rec.Status, rec.AuthorizerError = http.StatusUnauthorized, err.Error()
			challenge := `Bearer scope="" error="invalid_token"`
			if tr, ok := errors.AsType[*TokenRefusal](err); ok {
				challenge = tr.Challenge()
			}
			w.Header().Set("Www-Authenticate", challenge)
			writeMessage(w, http.StatusUnauthorized, "Unauthorized")
			return
		}
		claims = c
		rec.Sub = c["sub"]
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPayload+1))
	if err != nil || len(body) > maxPayload {
		rec.Status = http.StatusRequestEntityTooLarge
		writeMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return
	}
	ev := g.event(r, route, params, claims, body, reqID, now)
	payload, err := json.Marshal(ev)
	if err != nil {
		rec.Status = http.StatusInternalServerError
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	out, fnErr, err := g.invokeWithin(r.Context(), route.function, payload)
	if errors.Is(err, errIntegrationTimeout) {
		// As API Gateway: 503 at the integration timeout. The function runs on and records the call.
		rec.Status, rec.IntegrationError = http.StatusServiceUnavailable, errIntegrationTimeout.Error()
		answered = false
		writeMessage(w, http.StatusServiceUnavailable, "Service Unavailable")
		return
	}
	if err != nil || fnErr != nil {
		rec.Status, rec.IntegrationError = http.StatusInternalServerError, "invocation failed"
		if fnErr != nil {
			rec.IntegrationError = fnErr.Type
		}
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out, &resp); err != nil || resp.StatusCode == 0 {
		rec.Status, rec.IntegrationError = http.StatusInternalServerError, "malformed Lambda proxy response"
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	respBody := []byte(resp.Body)
	if resp.IsBase64Encoded {
		if respBody, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			rec.Status, rec.IntegrationError = http.StatusInternalServerError, "response body is not base64"
			writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
			return
		}
	}
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	for _, c := range resp.Cookies {
		w.Header().Add("Set-Cookie", c)
	}
	rec.Status = resp.StatusCode
	answered = false // the function recorded the call
	w.WriteHeader(resp.StatusCode)
	w.Write(respBody)
}

// record writes the call record of a call the gateway answered itself. A record it cannot write
// leaves the answer as it is (in AWS such a call is in the access log only) and is logged.
func (g *apiGateway) record(r *http.Request, ac accessRecord, route apiRoute, params, claims map[string]string, now time.Time) {
	if g.calls == nil {
		return
	}
	op := r.Method + " " + r.URL.Path
	if ac.RouteKey != "-" {
		op = ac.RouteKey
	}
	rec := audit.Record{Time: now.UTC(), RequestID: ac.RequestID, SourceIP: ac.IP, UserAgent: ac.UserAgent,
		RouteKey: ac.RouteKey, Path: ac.Path, CaseID: params["caseId"], Operation: op, Status: ac.Status,
		Origin: audit.OriginGateway}
	if claims != nil {
		rec.User, rec.System = claims[identity.ClaimSubject], claims["client_id"]
		if rec.System == "" {
			rec.System = claims["aud"]
		}
		rec.Role = strings.Join(identity.Groups(claims[identity.ClaimGroups]), " ")
		rec.Organization = claims[identity.ClaimBIN]
	}
	switch {
	case ac.AuthorizerError != "":
		rec.Reason = audit.ShortReason("authorizer: " + ac.AuthorizerError)
	case ac.IntegrationError != "":
		rec.Reason = audit.ShortReason("integration: " + ac.IntegrationError)
	case ac.Status == http.StatusNotFound:
		rec.Reason = "no route matches"
	case ac.Status == http.StatusRequestEntityTooLarge:
		rec.Reason = fmt.Sprintf("body larger than %d bytes", maxPayload)
	case ac.Status == http.StatusRequestHeaderFieldsTooLarge:
		rec.Reason = fmt.Sprintf("request line and headers larger than %d bytes", maxHeaderBytes)
	default:
		rec.Reason = http.StatusText(ac.Status)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 10*time.Second)
	defer cancel()
	if err := g.calls.Record(ctx, rec); err != nil {
		g.accessLog.Error("call record not written", "record", rec, "error", err)
	}
}

// event builds the payload-v2 event API Gateway sends for r.
func (g *apiGateway) event(r *http.Request, route apiRoute, params, claims map[string]string, body []byte, reqID string, now time.Time) events.APIGatewayV2HTTPRequest {
	headers := map[string]string{}
	var cookies []string
	for k, vs := range r.Header {
		lk := strings.ToLower(k)
		if lk == "cookie" {
			for _, v := range vs {
				for _, c := range strings.Split(v, ";") {
					cookies = append(cookies, strings.TrimSpace(c))
				}
			}
			continue
		}
		headers[lk] = strings.Join(vs, ",")
	}
	headers["host"] = r.Host
	var query map[string]string
	if q := r.URL.Query(); len(q) > 0 {
		query = map[string]string{}
		for k, vs := range q {
			query[k] = strings.Join(vs, ",")
		}
	}
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: route.route.Key(), RawPath: r.URL.EscapedPath(), RawQueryString: r.URL.RawQuery,
		Cookies: cookies, Headers: headers, QueryStringParameters: query, PathParameters: params,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey: route.route.Key(), AccountID: AccountID, Stage: "$default", RequestID: reqID, APIID: "local",
			DomainName: r.Host, DomainPrefix: strings.Split(r.Host, ".")[0],
			Time: now.UTC().Format("02/Jan/2006:15:04:05 -0700"), TimeEpoch: now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: r.Method, Path: r.URL.Path,
				Protocol: r.Proto, SourceIP: clientIP(r), UserAgent: r.UserAgent()},
		},
	}
	if claims != nil {
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims}}
	}
	if len(body) > 0 {
		if textual(r.Header.Get("Content-Type")) {
			ev.Body = string(body)
		} else {
			ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
		}
	}
	return ev
}

// textual reports whether API Gateway passes a body of this content type as text.
func textual(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return contentType == ""
	}
	return strings.HasPrefix(mt, "text/") || mt == "application/json" || strings.HasSuffix(mt, "+json") ||
		mt == "application/xml" || mt == "application/x-www-form-urlencoded"
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func writeMessage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, "{\"message\":%q}\n", msg)
}

// accessRecord is one line of the access log, in the fields of template.yaml's AccessLogSettings.
type accessRecord struct {
	RequestID        string `json:"requestId"`
	Time             string `json:"time"`
	IP               string `json:"ip"`
	UserAgent        string `json:"userAgent"`
	RouteKey         string `json:"routeKey"`
	Path             string `json:"path"`
	Status           int    `json:"status"`
	Sub              string `json:"sub"`
	AuthorizerError  string `json:"authorizerError"`
	IntegrationError string `json:"integrationError"`
}
