package localstack

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPortalServesTheBuildWithItsHeaders: the portal's files as built, index.html for every other
// path of the single-page application, config.json saying it runs on the local stack, and the
// template's security headers on each answer.
func TestPortalServesTheBuildWithItsHeaders(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"index.html": "<!doctype html>index", "app.js": "console.log(1)"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := portal{dir: dir, motoURL: "http://127.0.0.1:3002"}
	for _, tc := range []struct{ path, want, ctype string }{
		{"/app/", "index", "text/html"},
		{"/app/app.js", "console.log(1)", "javascript"},
		{"/app/cases/A-1", "index", "text/html"},
		{"/app/config.json", `"auth":"local"`, "application/json"},
	} {
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), tc.want) || !strings.Contains(rec.Header().Get("Content-Type"), tc.ctype) {
			t.Errorf("GET %s: %d %q %q, want 200 with %q as %s", tc.path, rec.Code, rec.Header().Get("Content-Type"), rec.Body.String(), tc.want, tc.ctype)
		}
		csp := rec.Header().Get("Content-Security-Policy")
		for _, d := range []string{"default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "connect-src 'self' http://127.0.0.1:3002"} {
			if !strings.Contains(csp, d) {
				t.Errorf("GET %s: CSP %q lacks %q", tc.path, csp, d)
			}
		}
		if strings.Contains(csp, "unsafe") || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: headers %v", tc.path, rec.Header())
		}
	}
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/app/../../etc/passwd", nil))
	if strings.Contains(rec.Body.String(), "root:") {
		t.Error("GET /app/../../etc/passwd answered a file outside the build")
	}
	rec = httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/app", nil))
	if rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != "/app/" {
		t.Errorf("GET /app: %d to %q, want a redirect to /app/", rec.Code, rec.Header().Get("Location"))
	}
	rec = httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/app/", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /app/: %d, want 405", rec.Code)
	}
	rec = httptest.NewRecorder()
	portal{dir: filepath.Join(dir, "missing")}.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/app/", nil))
	var msg struct{ Message string }
	if rec.Code != http.StatusNotFound || json.Unmarshal(rec.Body.Bytes(), &msg) != nil || !strings.Contains(msg.Message, "make web") {
		t.Errorf("an unbuilt portal: %d %s, want 404 naming make web", rec.Code, rec.Body)
	}
}
