package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestJSONContentType is the table of the content types a JSON body may come with.
func TestJSONContentType(t *testing.T) {
	for ct, ok := range map[string]bool{
		"application/json":                        true,
		"application/json; charset=utf-8":         true,
		"Application/JSON;charset=UTF-8":          true,
		"application/merge-patch+json":            true,
		"application/problem+json; charset=utf-8": true,
		"":                                     false,
		"   ":                                  false,
		"text/plain":                           false,
		"text/plain; charset=utf-8":            false,
		"application/x-www-form-urlencoded":    false,
		"multipart/form-data; boundary=x":      false,
		"application/json; charset=iso-8859-1": false,
		"application/json; charset=utf-16":     false,
		"application/jsonp":                    false,
		"text/json":                            false,
		"text/x+json":                          false,
		"application/json;;":                   false,
		"json":                                 false,
	} {
		err := jsonContentType(ct)
		if (err == nil) != ok {
			t.Errorf("%q: %v, want accepted %t", ct, err, ok)
		}
	}
}

// bodyRoutes are the operations of openapi.yaml that take a JSON body, with the first role their
// x-roles let through.
func bodyRoutes(t *testing.T) map[string][]string {
	t.Helper()
	doc, err := apiSpec()
	if err != nil {
		t.Fatal(err)
	}
	ops := operations(t)
	out := map[string][]string{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody != nil {
				out[method+" "+path] = ops[method+" "+path].roles
			}
		}
	}
	return out
}

var bodyPathParam = regexp.MustCompile(`\{([A-Za-z]+)\}`)

// wellFormedParams are path parameters of the shapes the routes take.
var wellFormedParams = map[string]string{
	"caseId": "A-20261015-0123456789abcdef", "draftId": "D-0123456789abcdef01234567", "uploadId": "U-0123456789abcdef0123456789abcdef",
	"objectId": "O-0123456789abcdef", "complaintId": "C-000000000000000000000001", "year": "2026", "seq": "00001", "day": "2026-10-15",
	"changeId": "c1", "requestId": "d1", "notificationId": "A-20261015-9f1c2a7b3d4e5f60.6.1", "version": "2026.1",
}

// TestWellFormedParamsAreOfTheirShapes keeps the tests' path parameters within pathShapes.
func TestWellFormedParamsAreOfTheirShapes(t *testing.T) {
	for name := range pathShapes {
		if _, ok := wellFormedParams[name]; !ok {
			t.Errorf("no well-formed value for {%s}", name)
		}
	}
	if err := checkPathParams(wellFormedParams); err != nil {
		t.Errorf("a well-formed value is refused: %v", err)
	}
}

var claimsOf = map[string]map[string]string{"applicant": applicantClaims, "authority": authorityClaims, "sts": stsClaims, "quality_authority": qualityClaims}

// bodyRequest is a request with body to the route key, as its first role.
func bodyRequest(t *testing.T, key string, roles []string, body string, contentType string) req {
	t.Helper()
	_, path, _ := strings.Cut(key, " ")
	params := map[string]string{}
	for _, m := range bodyPathParam.FindAllStringSubmatch(path, -1) {
		v, ok := wellFormedParams[m[1]]
		if !ok {
			t.Fatalf("%s: no value for {%s}", key, m[1])
		}
		params[m[1]] = v
		path = strings.ReplaceAll(path, m[0], v)
	}
	if len(roles) == 0 {
		t.Fatalf("%s: a route that takes a body is public", key)
	}
	return req{routeKey: key, path: path, params: params, claims: claimsOf[roles[0]], body: body,
		headers: map[string]string{"content-type": contentType}}
}

// TestEveryJSONBodyRouteRefusesAnotherContentType: every operation that takes a JSON body answers
// 415 (declared in openapi.yaml: checkResponse) to a body sent without a JSON content type, before
// any service is called (the unused services panic), and records the call.
func TestEveryJSONBodyRouteRefusesAnotherContentType(t *testing.T) {
	routes := bodyRoutes(t)
	if len(routes) < 15 {
		t.Fatalf("only %d routes take a body", len(routes))
	}
	keys := make([]string, 0, len(routes))
	for k := range routes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		t.Run(key, func(t *testing.T) {
			for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded", "application/json; charset=windows-1251", "multipart/form-data; boundary=b"} {
				e := newEnv()
				e.rebuild(func(d *Deps) { d.Register = numbersOnly{} })
				resp, _ := e.do(t, bodyRequest(t, key, routes[key], `{}`, ct))
				if resp.StatusCode != http.StatusUnsupportedMediaType || resp.Headers["Content-Type"] != "application/problem+json" ||
					!strings.Contains(resp.Body, "Content-Type") {
					t.Fatalf("%q: %d %s", ct, resp.StatusCode, resp.Body)
				}
				if n := len(e.calls.all()); n != 1 {
					t.Fatalf("%q: %d call records, want 1", ct, n)
				}
			}
		})
	}
}

// TestABodyThatIsNotCleanUTF8IsRefused: text a JSON decoder would replace by U+FFFD is refused with
// 400 naming the byte and the member, never decoded changed; what is clean UTF-8 passes.
func TestABodyThatIsNotCleanUTF8IsRefused(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       string // in the detail; "" when the text is clean
	}{
		{"a byte that is not UTF-8 in a value", `{"reasons":["ok","bad` + "\xff" + `"]}`, `byte 21, in "reasons": not valid UTF-8`},
		{"a truncated sequence in a value", `{"step":"x` + "\xd0" + `"}`, `in "step": not valid UTF-8`},
		{"an encoded surrogate", `{"step":"` + "\xed\xa0\x80" + `"}`, `in "step": not valid UTF-8`},
		{"a byte that is not UTF-8 in a name", `{"st` + "\xfe" + `ep":"x"}`, `in a member's name: not valid UTF-8`},
		{"a byte that is not UTF-8 outside strings", `{"step":"x"}` + "\xff", "not valid UTF-8"},
		{"U+FFFD as UTF-8", `{"outcome":"` + "\uFFFD" + `"}`, `in "outcome": holds U+FFFD`},
		{"U+FFFD escaped", `{"outcome":"\ufffd"}`, `in "outcome": holds U+FFFD`},
		{"a first half without its second", `{"act":{"number":"\uD800"}}`, `in "number": \uD800 is the first half`},
		{"a first half with a letter after it", `{"act":{"number":"\uD83D\u0041"}}`, `\uD83D is the first half`},
		{"a second half alone", `{"reasons":["\udc00"]}`, `in "reasons": \uDC00 is the second half`},
		{"a pair", `{"reasons":["\ud83d\ude00 ok"]}`, ""},
		{"an escaped backslash before u", `{"reasons":["\\ud800"]}`, ""},
		{"an escaped quote", `{"reasons":["say \"\ud800\""]}`, `\uD800 is the first half`},
		{"Kazakh and Russian", `{"reasons":["Ақпарат жүйесі", "Информационная система"]}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := bodyText([]byte(tc.body))
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("%v, want %q", err, tc.want)
			}
			if tc.want == "" {
				return
			}
			// Through the handler, as text and as base64, on a route with a body: 400, no call of
			// the service, one record.
			for _, b64 := range []bool{false, true} {
				e := newEnv()
				r := req{routeKey: "POST /cases/{caseId}/step", path: "/cases/A-1/step", params: caseParams("A-1"), claims: authorityClaims, body: tc.body}
				ev := r.event()
				if b64 {
					ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString([]byte(tc.body)), true
				}
				resp, err := e.h.Handle(t.Context(), ev)
				if err != nil {
					t.Fatal(err)
				}
				checkResponse(t, ev, resp)
				var p Problem
				_ = json.Unmarshal([]byte(resp.Body), &p)
				if resp.StatusCode != http.StatusBadRequest || !strings.Contains(p.Detail, "body: byte ") {
					t.Fatalf("base64 %t: %d %s", b64, resp.StatusCode, resp.Body)
				}
				if e.svc.steps != 0 || len(e.calls.all()) != 1 {
					t.Fatalf("base64 %t: the service completed %d steps; %d records", b64, e.svc.steps, len(e.calls.all()))
				}
			}
		})
	}
}

// numbersOnly is a register service that reads certificate numbers and does nothing else.
type numbersOnly struct{ RegisterService }

func (numbersOnly) Number(year, seq string) (string, error) { return year + "/" + seq, nil }
