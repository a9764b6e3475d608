// Package portal drives the web portal (web/, built into build/web) in headless Chromium against
// its own local stack: an applicant registers an object, drafts the package, uploads its
// documents and files it; the authority forwards the case; the STS sends the contract; the
// applicant signs it; the STS records the act; the authority issues the certificate and sends it;
// the applicant downloads the certificate. The test finds every field, button and link by its
// visible label in the portal's dictionaries (web/src/i18n/*.json), never by an id or a class,
// and calls no API route itself. axe-core checks each main page for serious and critical
// violations; the bundle's size and the time to interactive are reported.
package portal

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	chromiumbrowser "attestation/internal/e2e/browser"
	"attestation/internal/localstack"
)

var (
	stack *localstack.Stack
	root  string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	var err error
	if root, err = localstack.FindRoot("."); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// A moment inside the application window (§12), whatever today is: Thursday 2026-10-15, 10:00
	// in Almaty. The clock stays there: every step of the case is taken the same morning.
	clock, err := localstack.ParseClock("2026-10-15T10:00:00+05:00")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if stack, err = localstack.Start(ctx, localstack.Options{Root: root, Clock: clock, RetryScale: 0.01}); err != nil {
		fmt.Fprintln(os.Stderr, "local stack:", err)
		return 1
	}
	defer stack.Close()
	return stack.SuiteResult(m.Run())
}

// built fails (in CI) or skips the test when the portal is not built: make test builds it first
// (make web).
func built(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(localstack.PortalDir(root), "index.html")); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("the web portal is not built: make web")
		}
		t.Skip("the web portal is not built: make web")
	}
}

// labels are the portal's dictionary of one language, as the page shows them.
type labels map[string]string

func dictionary(t *testing.T, lang string) labels {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(root, "web", "src", "i18n", lang+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var l labels
	if err := json.Unmarshal(raw, &l); err != nil {
		t.Fatal(err)
	}
	return l
}

// L is the label of key with its {var} filled in from pairs (name, value, ...).
func (l labels) L(key string, pairs ...any) string {
	s, ok := l[key]
	if !ok {
		panic("no label " + key)
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		s = strings.ReplaceAll(s, "{"+fmt.Sprint(pairs[i])+"}", fmt.Sprint(pairs[i+1]))
	}
	return s
}

// doc is the label of a document of the package (doc.<id>, or doc.annex3 with its item).
func (l labels) doc(id string) string {
	if n, ok := strings.CutPrefix(id, "annex3_"); ok {
		return l.L("doc.annex3", "n", strings.TrimLeft(n, "0"))
	}
	return l.L("doc." + id)
}

// browser starts headless Chromium the size of a phone for at most 6 minutes (internal/e2e/browser); where none is
// installed it skips, except in CI (CI set), where it fails.
func browser(t *testing.T) context.Context {
	t.Helper()
	return chromiumbrowser.Start(t, 6*time.Minute, os.Getenv("CI") != "")
}
