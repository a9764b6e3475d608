package localstack

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"attestation/internal/identity"
)

func TestParseClock(t *testing.T) {
	frozen, err := ParseClock("2026-10-15T10:00:00+05:00")
	if err != nil {
		t.Fatal(err)
	}
	if got := frozen.Now(); !got.Equal(time.Date(2026, 10, 15, 5, 0, 0, 0, time.UTC)) {
		t.Fatalf("frozen clock now %v", got)
	}
	frozen.Advance(72 * time.Hour)
	if got := frozen.Now(); !got.Equal(time.Date(2026, 10, 18, 5, 0, 0, 0, time.UTC)) {
		t.Fatalf("advanced clock now %v", got)
	}
	offset, err := ParseClock("-720h")
	if err != nil {
		t.Fatal(err)
	}
	offset.wall = func() time.Time { return time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC) }
	if got := offset.Now(); !got.Equal(time.Date(2026, 10, 24, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("offset clock now %v", got)
	}
	if _, err := ParseClock("yesterday"); err == nil || !strings.Contains(err.Error(), "RFC 3339") {
		t.Fatalf("a bad clock setting must say what is expected: %v", err)
	}
}

func TestRouteMatching(t *testing.T) {
	for _, tc := range []struct {
		tmpl, path string
		params     map[string]string
		ok         bool
	}{
		{"/cases/{caseId}", "/cases/A-1", map[string]string{"caseId": "A-1"}, true},
		{"/cases/{caseId}", "/cases/", nil, false},
		{"/cases/{caseId}", "/cases/A-1/step", nil, false},
		{"/cases/{caseId}/step", "/cases/A-1/step", map[string]string{"caseId": "A-1"}, true},
		{"/health", "/health", nil, true},
		{"/docs/{proxy+}", "/docs/a/b", map[string]string{"proxy": "a/b"}, true},
	} {
		params, ok := matchSegments(strings.Split(strings.Trim(tc.tmpl, "/"), "/"), strings.Split(strings.Trim(tc.path, "/"), "/"))
		if ok != tc.ok || (ok && len(params) != len(tc.params)) || (ok && params != nil && params["caseId"] != tc.params["caseId"]) {
			t.Errorf("%s on %s: %v %v, want %v %v", tc.tmpl, tc.path, params, ok, tc.params, tc.ok)
		}
	}
}

// TestVerifyRefusesWhatTheAuthorizerRefuses: the local check is the JWT authorizer's check.
func TestVerifyRefusesWhatTheAuthorizerRefuses(t *testing.T) {
	clock, _ := ParseClock("2026-10-15T10:00:00+05:00")
	iss, err := NewIssuer("http://local/issuer", []string{"aud-1"}, clock)
	if err != nil {
		t.Fatal(err)
	}
	good, _ := iss.Token(DemoApplicant, time.Hour)
	claims, err := iss.Verify("Bearer " + good)
	if err != nil {
		t.Fatalf("a good token: %v", err)
	}
	if claims["cognito:groups"] != "[applicant]" || claims["custom:bin"] != DemoApplicant.BIN {
		t.Fatalf("claims as API Gateway renders them: %v", claims)
	}
	if a, err := identity.FromClaims(claims); err != nil || a.Role != identity.Applicant {
		t.Fatalf("claims do not make an applicant: %v %v", a, err)
	}

	sign := func(method jwt.SigningMethod, key any, claims jwt.MapClaims, kid string) string {
		tok := jwt.NewWithClaims(method, claims)
		tok.Header["kid"] = kid
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	base := func() jwt.MapClaims {
		now := clock.Now()
		return jwt.MapClaims{"iss": "http://local/issuer", "aud": "aud-1", "sub": "x", "cognito:groups": []string{"sts"},
			"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	}
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	expired := base()
	expired["exp"] = clock.Now().Add(-time.Minute).Unix()
	wrongAud := base()
	wrongAud["aud"] = "aud-2"
	wrongIss := base()
	wrongIss["iss"] = "http://elsewhere"
	noExp := base()
	delete(noExp, "exp")
	none := sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, base(), "local-1")
	for name, tok := range map[string]string{
		"missing":                             "",
		"expired":                             sign(jwt.SigningMethodRS256, iss.key, expired, "local-1"),
		"wrong audience":                      sign(jwt.SigningMethodRS256, iss.key, wrongAud, "local-1"),
		"wrong issuer":                        sign(jwt.SigningMethodRS256, iss.key, wrongIss, "local-1"),
		"no expiry":                           sign(jwt.SigningMethodRS256, iss.key, noExp, "local-1"),
		"bad signature":                       sign(jwt.SigningMethodRS256, other, base(), "local-1"),
		"alg none":                            none,
		"HS256 with the public key as secret": sign(jwt.SigningMethodHS256, []byte("secret"), base(), "local-1"),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := iss.Verify(tok); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

// TestStartFailsCleanly: a template moto refuses stops the stack with a clear error and leaves
// nothing running.
func TestStartFailsCleanly(t *testing.T) {
	root, err := FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, rel := range []string{"template.yaml", "go.mod", "statemachine/attestation.asl.json", "infra/local/moto_launcher.py"} {
		b, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			t.Fatal(err)
		}
		if rel == "template.yaml" {
			b = []byte(strings.Replace(string(b), "BillingMode: PAY_PER_REQUEST", "BillingMode: PAY_PER_REQUST", 1))
		}
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, rel), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	motoPort, err := freePort("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Start(ctx, Options{Root: dir, MotoPort: motoPort})
	if err == nil {
		s.Close()
		t.Fatal("a template with a bad billing mode started")
	}
	if !strings.Contains(err.Error(), "AttestationTable") {
		t.Fatalf("the error does not name the resource: %v", err)
	}
	if c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(motoPort), time.Second); err == nil {
		c.Close()
		t.Fatal("moto is still running after a failed start")
	}
}
