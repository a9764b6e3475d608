package localstack

import (
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// PortalPath is where the local stack serves the web portal on the API port.
const PortalPath = "/app/"

// PortalDir is where make builds the web portal (web/ into build/web) under the repository root.
func PortalDir(root string) string { return filepath.Join(root, "build", "web") }

// portal serves the web portal's build under /app/ as CloudFront serves it from its bucket in
// AWS: the files as they are, index.html for any other path of the single-page application, and
// the security headers of the template's PortalHeadersPolicy, with connect-src naming the local
// stack's own S3 (moto) instead of the documents bucket. config.json tells the app it runs on the
// local stack: sign-in picks a demo identity from the local token route.
type portal struct {
	dir     string
	motoURL string
}

// portalCSP is the template's CSP (PortalHeadersPolicy) with the local stack's hosts.
func portalCSP(motoURL string) string {
	return strings.Join([]string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
		"font-src 'self'", "connect-src 'self' " + motoURL, "base-uri 'none'", "form-action 'self'",
		"frame-ancestors 'none'", "object-src 'none'"}, "; ")
}

func (p portal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeMessage(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	if r.URL.Path == strings.TrimSuffix(PortalPath, "/") {
		http.Redirect(w, r, PortalPath, http.StatusMovedPermanently)
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", portalCSP(p.motoURL))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-cache")
	name := path.Clean("/" + strings.TrimPrefix(r.URL.Path, PortalPath))
	if name == "/config.json" {
		writeJSON(w, http.StatusOK, map[string]string{"auth": "local"})
		return
	}
	file := filepath.Join(p.dir, filepath.FromSlash(name))
	if st, err := os.Stat(file); err != nil || st.IsDir() {
		file = filepath.Join(p.dir, "index.html")
	}
	if _, err := os.Stat(file); err != nil {
		writeMessage(w, http.StatusNotFound, "The web portal is not built: run make web (npm ci and the build into build/web)")
		return
	}
	http.ServeFile(w, r, file)
}
