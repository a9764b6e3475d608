// Package browser starts headless Chromium for the tests that open pages in it: the verification
// page (internal/e2e) and the web portal (internal/e2e/portal).
//
// It prefers chromium-headless-shell, Chromium's headless build without the browser's windows and
// profile machinery, and falls back to chromium. The shell ran the portal's browser tests on about
// 70% of chromium's CPU (its renderers 29 CPU-s against 42), with the same pages and checks.
package browser

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// names are the programs looked up on PATH, in order of preference.
var names = []string{"chromium-headless-shell", "chromium", "chromium-browser"}

// Path is the first of names on PATH.
func Path() (string, error) {
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("neither chromium-headless-shell nor chromium is installed (CI installs Debian's chromium-headless-shell and chromium packages)")
}

// Start starts headless Chromium the size of a phone, with a fresh profile and nothing that
// reaches the network on its own (a machine without a network would hang on its lookups), for at
// most limit. Where no Chromium is installed the test fails if required (the tests require it in
// CI), else it is skipped. Chromium is stopped and its files removed when the test ends.
func Start(t testing.TB, limit time.Duration, required bool) context.Context {
	t.Helper()
	path, err := Path()
	if err != nil {
		if required {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		// Its own temporary files (with /dev/shm off, its shared memory among them) in a directory
		// the test removes: in /tmp, each run left chromium's org.chromium.Chromium.* behind.
		chromedp.Env("TMPDIR="+tempDir(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("no-proxy-server", true),
		chromedp.WindowSize(412, 915),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, limit)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start %s: %v", path, err)
	}
	return ctx
}

// tempDir is a directory for chromium's temporary files, removed after the test (and after
// chromium, whose cleanup runs first). Its path is short: chromium puts a Unix socket in it, whose
// path may not be longer than 107 bytes, and t.TempDir's carries the test's name.
func tempDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "chromium")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}
