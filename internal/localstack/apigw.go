package localstack

import (
	"encoding/base64"
	"encoding/json"
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

	"attestation/internal/samtemplate"
)

// maxPayload is API Gateway's limit on an HTTP API request body.
const maxPayload = 10 << 20

// apiRoute is a route of the template bound to its function.
type apiRoute struct {
	route    samtemplate.Route
	function string
	segments []string
}

// apiGateway serves the HTTP routes of template.yaml (the contract of `sam local start-api`):
// each request becomes the payload-v2 event API Gateway sends, after the JWT check the
// authorizer makes, and the function's response becomes the HTTP response.
type apiGateway struct {
	routes    []apiRoute
	invoker   *invoker
	issuer    *Issuer
	clock     *Clock
	accessLog *slog.Logger
	control   http.Handler
	seq       atomic.Int64
}

func newAPIGateway(t *samtemplate.Template, inv *invoker, issuer *Issuer, clock *Clock, accessLog *slog.Logger, control http.Handler) *apiGateway {
	g := &apiGateway{invoker: inv, issuer: issuer, clock: clock, accessLog: accessLog, control: control}
	for _, f := range t.Functions {
		for _, r := range f.Routes {
			g.routes = append(g.routes, apiRoute{route: r, function: f.Name, segments: strings.Split(strings.Trim(r.Path, "/"), "/")})
		}
	}
	// Most specific first: more literal segments win over parameters, as API Gateway matches.
	sort.SliceStable(g.routes, func(i, j int) bool { return literalCount(g.routes[i].segments) > literalCount(g.routes[j].segments) })
	return g
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
	if strings.HasPrefix(r.URL.Path, "/_local/") || r.URL.Path == "/.well-known/jwks.json" {
		g.control.ServeHTTP(w, r)
		return
	}
	now := g.clock.Now()
	reqID := fmt.Sprintf("local-%d-%d", now.UnixMilli(), g.seq.Add(1))
	rec := accessRecord{RequestID: reqID, Time: now.UTC().Format("02/Jan/2006:15:04:05 -0700"), IP: clientIP(r),
		UserAgent: r.UserAgent(), Path: r.URL.Path, RouteKey: "-"}
	defer func() { g.accessLog.Info("access", "record", rec) }()
	w.Header().Set("Apigw-Requestid", reqID)

	route, params, ok := g.match(r.Method, r.URL.EscapedPath())
	if !ok {
		rec.Status = http.StatusNotFound
		writeMessage(w, http.StatusNotFound, "Not Found")
		return
	}
	rec.RouteKey = route.route.Key()
	var claims map[string]string
	if !route.route.Public {
		c, err := g.issuer.Verify(r.Header.Get("Authorization"))
		if err != nil {
			rec.Status, rec.AuthorizerError = http.StatusUnauthorized, err.Error()
			w.Header().Set("Www-Authenticate", `Bearer error="invalid_token"`)
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
	out, fnErr, err := g.invoker.invoke(r.Context(), route.function, payload)
	if err != nil || fnErr != nil {
		rec.Status = http.StatusInternalServerError
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
	w.WriteHeader(resp.StatusCode)
	w.Write(respBody)
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
	fmt.Fprintf(w, `{"message":%q}`, msg)
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
