package localstack

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"attestation/internal/audit"
	"attestation/internal/samtemplate"
)

// TestVerifyRefusesIatInTheFutureAndUnknownCrit: API Gateway's JWT authorizer refuses a token
// issued after the current time (iat) and one with a critical header parameter (crit) it does
// not understand; the local authorizer understands none.
func TestVerifyRefusesIatInTheFutureAndUnknownCrit(t *testing.T) {
	clock, _ := ParseClock("2026-10-15T10:00:00+05:00")
	iss, err := NewIssuer("http://local/issuer", []string{"aud-1"}, clock)
	if err != nil {
		t.Fatal(err)
	}
	now := clock.Now()
	sign := func(edit func(jwt.MapClaims), header map[string]any) string {
		c := jwt.MapClaims{"iss": "http://local/issuer", "aud": "aud-1", "sub": "x", "cognito:groups": []string{"sts"},
			"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
		if edit != nil {
			edit(c)
		}
		tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
		tok.Header["kid"] = "local-1"
		for k, v := range header {
			tok.Header[k] = v
		}
		s, err := tok.SignedString(iss.key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, tc := range []struct {
		name   string
		token  string
		accept bool
	}{
		{"iat now", sign(nil, nil), true},
		{"iat a minute ago", sign(func(c jwt.MapClaims) { c["iat"] = now.Add(-time.Minute).Unix() }, nil), true},
		{"no iat", sign(func(c jwt.MapClaims) { delete(c, "iat") }, nil), true},
		{"iat a second in the future", sign(func(c jwt.MapClaims) { c["iat"] = now.Add(time.Second).Unix() }, nil), false},
		{"iat a day in the future", sign(func(c jwt.MapClaims) { c["iat"] = now.Add(24 * time.Hour).Unix() }, nil), false},
		{"crit naming an extension", sign(nil, map[string]any{"crit": []string{"exp"}, "exp": 1}), false},
		{"crit naming b64", sign(nil, map[string]any{"crit": []string{"b64"}, "b64": false}), false},
		{"crit empty", sign(nil, map[string]any{"crit": []string{}}), false},
		{"crit not a list", sign(nil, map[string]any{"crit": "x"}), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := iss.Verify("Bearer " + tc.token)
			if tc.accept && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !tc.accept && err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

// TestClaimsAreRenderedAsAPIGatewayRendersThem: every claim value a string in a payload-v2
// event; arrays as "[a b]", numbers and booleans as their JSON text, objects as JSON, nulls
// left out.
func TestClaimsAreRenderedAsAPIGatewayRendersThem(t *testing.T) {
	var claims map[string]any
	dec := json.NewDecoder(strings.NewReader(`{
		"sub": "u-1",
		"cognito:groups": ["authority", "staff"],
		"one": ["sts"],
		"none": [],
		"mixed": ["a", 1, true, {"k": "v"}],
		"exp": 1792040400,
		"ratio": 1.5,
		"verified": true,
		"address": {"city": "Astana"},
		"gone": null,
		"comma": "authority,x"
	}`))
	dec.UseNumber()
	if err := dec.Decode(&claims); err != nil {
		t.Fatal(err)
	}
	got := renderClaims(claims)
	for k, want := range map[string]string{
		"sub": "u-1", "cognito:groups": "[authority staff]", "one": "[sts]", "none": "[]",
		"mixed": `[a 1 true {"k":"v"}]`, "exp": "1792040400", "ratio": "1.5", "verified": "true",
		"address": `{"city":"Astana"}`, "comma": "authority,x",
	} {
		if got[k] != want {
			t.Errorf("%s: %q, want %q", k, got[k], want)
		}
	}
	if _, ok := got["gone"]; ok {
		t.Errorf("a null claim is rendered: %q", got["gone"])
	}
}

// recorded keeps the call records a gateway writes.
type recorded struct {
	mu   sync.Mutex
	recs []audit.Record
}

func (r *recorded) Record(_ context.Context, rec audit.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recs = append(r.recs, rec)
	return nil
}

// TestRequestLineAndHeadersAreLimited: API Gateway answers 431 to a request whose request line
// and headers together exceed 10,240 bytes, before its authorizer or routes; the call is recorded
// with the reason.
func TestRequestLineAndHeadersAreLimited(t *testing.T) {
	clock, _ := ParseClock("2026-10-15T10:00:00+05:00")
	calls := &recorded{}
	g := &apiGateway{clock: clock, accessLog: slog.New(slog.NewTextHandler(io.Discard, nil)), calls: calls}
	request := func(path string, header int) *http.Request {
		r := httptest.NewRequest("GET", path, nil)
		r.Header.Set("X-Pad", strings.Repeat("p", header))
		return r
	}
	base := headerBytes(request("/cases/A-1", 0))
	for _, tc := range []struct {
		name   string
		r      *http.Request
		status int
	}{
		{"at the limit", request("/cases/A-1", maxHeaderBytes-base), http.StatusNotFound},
		{"one byte over in a header", request("/cases/A-1", maxHeaderBytes-base+1), http.StatusRequestHeaderFieldsTooLarge},
		{"over in the request line", request("/cases/"+strings.Repeat("a", maxHeaderBytes), 0), http.StatusRequestHeaderFieldsTooLarge},
		{"a long path within the limit", request("/cases/"+strings.Repeat("a", 2048), 0), http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls.recs = nil
			w := httptest.NewRecorder()
			g.ServeHTTP(w, tc.r)
			if w.Code != tc.status {
				t.Fatalf("%d, want %d: %s", w.Code, tc.status, w.Body)
			}
			if len(calls.recs) != 1 || calls.recs[0].Status != tc.status || calls.recs[0].Origin != audit.OriginGateway {
				t.Fatalf("call records %+v, want one with status %d", calls.recs, tc.status)
			}
			if tc.status == http.StatusRequestHeaderFieldsTooLarge {
				if w.Body.String() != "{\"message\":\"Request Header Fields Too Large\"}\n" {
					t.Fatalf("body %s", w.Body)
				}
				if !strings.Contains(calls.recs[0].Reason, "10240 bytes") {
					t.Fatalf("reason %q", calls.recs[0].Reason)
				}
			}
		})
	}
}

// TestRefusedTokenSaysWhy: a token the authorizer refuses is answered as API Gateway answers it,
// 401 {"message":"Unauthorized"}, with the reason in the www-authenticate header's
// error_description and in the access log's authorizerError; expiry is exact (valid the second
// before exp, refused at exp), and a token fetched after moving the clock is accepted again.
func TestRefusedTokenSaysWhy(t *testing.T) {
	clock, _ := ParseClock("2026-10-15T10:00:00+05:00")
	iss, err := NewIssuer("http://local/issuer", []string{"aud-1"}, clock)
	if err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	calls := &recorded{}
	g := &apiGateway{clock: clock, issuer: iss, accessLog: slog.New(slog.NewJSONHandler(&log, nil)), calls: calls,
		routes: []apiRoute{{route: samtemplate.Route{Method: "GET", Path: "/cases"}, function: "api", segments: []string{"cases"}}}}
	serve := func(token string) *httptest.ResponseRecorder {
		log.Reset()
		calls.recs = nil
		r := httptest.NewRequest("GET", "/cases", nil)
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		w := httptest.NewRecorder()
		g.ServeHTTP(w, r)
		return w
	}
	tok, err := iss.Token(DemoApplicant, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	otherAudience, _ := (&Issuer{key: iss.key, kid: iss.kid, issuer: iss.issuer, audience: []string{"aud-2"}, clock: clock}).Token(DemoApplicant, 48*time.Hour)

	t.Run("valid the second before exp", func(t *testing.T) {
		clock.Advance(24*time.Hour - time.Second)
		if _, err := iss.Verify(tok); err != nil {
			t.Fatalf("refused a second before exp: %v", err)
		}
	})
	for _, tc := range []struct {
		name, token, description, logged string
	}{
		{"expired at exp", tok, "the token has expired", "exp 2026-10-16T05:00:00Z, the local clock reads 2026-10-16T05:00:00Z: fetch a fresh token from GET /_local/token"},
		{"another audience", otherAudience, "the token does not have a valid audience", ""},
		{"not a JWT", "not-a-jwt", "the token is malformed", ""},
		{"no token", "", "no token", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "expired at exp" {
				clock.Advance(time.Second)
			}
			w := serve(tc.token)
			if w.Code != http.StatusUnauthorized || w.Body.String() != "{\"message\":\"Unauthorized\"}\n" {
				t.Fatalf("%d %q, want 401 {\"message\":\"Unauthorized\"}", w.Code, w.Body)
			}
			want := `Bearer scope="" error="invalid_token" error_description="` + tc.description + `"`
			if got := w.Header().Get("Www-Authenticate"); got != want {
				t.Fatalf("www-authenticate %q, want %q", got, want)
			}
			var line struct {
				Record accessRecord `json:"record"`
			}
			if err := json.Unmarshal([]byte(log.String()), &line); err != nil {
				t.Fatalf("access log %q: %v", log.String(), err)
			}
			if !strings.HasPrefix(line.Record.AuthorizerError, tc.description) || !strings.Contains(line.Record.AuthorizerError, tc.logged) {
				t.Fatalf("access log authorizerError %q, want %q with %q", line.Record.AuthorizerError, tc.description, tc.logged)
			}
			if len(calls.recs) != 1 || !strings.HasPrefix(calls.recs[0].Reason, "authorizer: "+tc.description) {
				t.Fatalf("call records %+v", calls.recs)
			}
		})
	}
	t.Run("a fresh token after the clock moved", func(t *testing.T) {
		clock.Advance(240 * time.Hour)
		fresh, err := iss.Token(DemoApplicant, 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := iss.Verify(fresh); err != nil {
			t.Fatalf("a token fetched after the move is refused: %v", err)
		}
	})
}

// TestTokenRouteGivesTheTokenAloneAsText: GET /_local/token?format=text answers the token and a
// newline, so `export APPLICANT_TOKEN=$(curl -s ...)` fetches a fresh one after a clock move.
func TestTokenRouteGivesTheTokenAloneAsText(t *testing.T) {
	clock, _ := ParseClock("2026-10-15T10:00:00+05:00")
	iss, err := NewIssuer("http://local/issuer", []string{"aud-1"}, clock)
	if err != nil {
		t.Fatal(err)
	}
	routes := (&Stack{Issuer: iss, Clock: clock}).controlRoutes()
	clock.Advance(240 * time.Hour)
	for _, format := range []string{"text", ""} {
		w := httptest.NewRecorder()
		routes.ServeHTTP(w, httptest.NewRequest("GET", "/_local/token?role=applicant&format="+format, nil))
		body := w.Body.String()
		if w.Code != http.StatusOK || !strings.HasSuffix(body, "\n") {
			t.Fatalf("format %q: %d %q", format, w.Code, body)
		}
		tok := strings.TrimSpace(body)
		if format == "" {
			var v struct{ Token string }
			if err := json.Unmarshal([]byte(body), &v); err != nil {
				t.Fatal(err)
			}
			tok = v.Token
		}
		if _, err := iss.Verify(tok); err != nil {
			t.Fatalf("format %q: the fresh token is refused after the clock moved: %v", format, err)
		}
	}
}

// TestTokensAreSignedOncePerMoment: the issuer keeps the token it signed for a user at a moment
// (an RS256 signature of the same claims is the same), and signs anew when the clock or the user
// differs; every token it hands out verifies.
func TestTokensAreSignedOncePerMoment(t *testing.T) {
	clock, _ := ParseClock("2026-10-15T10:00:00+05:00")
	iss, err := NewIssuer("http://local/issuer", []string{"aud-1"}, clock)
	if err != nil {
		t.Fatal(err)
	}
	mint := func(u User) string {
		t.Helper()
		tok, err := iss.Token(u, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := iss.Verify(tok); err != nil {
			t.Fatalf("a minted token does not verify: %v", err)
		}
		return tok
	}
	first := mint(DemoApplicant)
	if again := mint(DemoApplicant); again != first {
		t.Fatalf("the same user at the same moment got another token")
	}
	fresh, err := iss.sign(DemoApplicant, clock.Now(), time.Hour)
	if err != nil || fresh != first {
		t.Fatalf("the kept token differs from a fresh signature of the same claims (%v)", err)
	}
	if mint(DemoAuthority) == first {
		t.Fatalf("another user got the applicant's token")
	}
	clock.Advance(time.Minute)
	later := mint(DemoApplicant)
	if later == first {
		t.Fatalf("a minute later the same token")
	}
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(later, claims); err != nil || claims["iat"] != float64(clock.Now().Unix()) {
		t.Fatalf("the later token's iat %v, want %d (%v)", claims["iat"], clock.Now().Unix(), err)
	}
}
