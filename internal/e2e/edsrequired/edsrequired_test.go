// Package edsrequired files packages through a local stack of its own with electronic digital
// signatures required (localstack.Options.RequireSignatures, the api function's EDS_REQUIRED; the
// e2e package's shared stack runs with it off): a package whose every document carries the
// applicant's employee's signature is filed; an unsigned one is refused with a 422 naming each
// missing signature with its paragraph, and nothing is filed; a paper filing at the Committee's
// office is asked for no signature (issue 17, standard §9).
package edsrequired

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"attestation/internal/localstack"
	"attestation/internal/policy"
)

var stack *localstack.Stack

var almaty = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Almaty")
	if err != nil {
		panic(err)
	}
	return loc
}()

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	root, err := localstack.FindRoot(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// Thursday 2026-10-15, 10:00 in Almaty: inside the application window (§12) and the office's
	// acceptance hours (standard §8).
	clock, err := localstack.ParseClock("2026-10-15T10:00:00+05:00")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	stack, err = localstack.Start(ctx, localstack.Options{Root: root, Clock: clock, RequireSignatures: true, RetryScale: 0.01})
	if err != nil {
		fmt.Fprintln(os.Stderr, "local stack:", err)
		return 1
	}
	defer stack.Close()
	return stack.SuiteResult(m.Run())
}

// client calls the API as one user.
type client struct {
	t    testing.TB
	user localstack.User
}

func (c client) do(method, path string, body any) (int, map[string]any) {
	c.t.Helper()
	status, out, err := stack.Call(c.user, method, path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	return status, out
}

// upload declares content at route (with signer's detached signature unless signer is ""), PUTs
// it and confirms it.
func (c client) upload(route, document string, content []byte, signer string) {
	c.t.Helper()
	decl := map[string]any{"document": document, "contentType": "application/pdf", "size": len(content), "sha256": hexSHA(content)}
	if signer != "" {
		sig, err := stack.Sign(signer, content, false)
		if err != nil {
			c.t.Fatal(err)
		}
		decl["signature"] = base64.StdEncoding.EncodeToString(sig)
	}
	status, out := c.do("POST", route, decl)
	if status != http.StatusCreated {
		c.t.Fatalf("declare %s: %d %v", document, status, out)
	}
	pre := out["put"].(map[string]any)
	req, err := http.NewRequest(pre["method"].(string), pre["url"].(string), bytes.NewReader(content))
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range pre["headers"].(map[string]any) {
		req.Header.Set(k, v.(string))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("PUT %s: %d", document, resp.StatusCode)
	}
	id := out["upload"].(map[string]any)["id"].(string)
	if status, out := c.do("POST", "/uploads/"+id+"/confirm", nil); status != http.StatusOK {
		c.t.Fatalf("confirm %s: %d %v", document, status, out)
	}
}

func hexSHA(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func pdf(label string) []byte {
	return []byte("%PDF-1.4\n% " + label + "\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
}

// application is the complete package of internal/attestation/testdata/packages/valid.json for an
// object of the given name, and the documents it lists; the documents go by upload.
func application(t testing.TB, name string) (map[string]any, []string) {
	t.Helper()
	b, err := os.ReadFile("../../attestation/testdata/packages/valid.json")
	if err != nil {
		t.Fatal(err)
	}
	var pkg map[string]any
	if err := json.Unmarshal(b, &pkg); err != nil {
		t.Fatal(err)
	}
	pkg["object"].(map[string]any)["name"] = name
	docs := slices.Sorted(maps.Keys(pkg["documents"].(map[string]any)))
	delete(pkg, "documents")
	return pkg, docs
}

// draft creates a draft of the package as the demo applicant and uploads its documents, signed by
// signer ("" for none).
func draft(t *testing.T, name, signer string) (client, string, []string) {
	stack.Clock.Freeze(time.Date(2026, 10, 15, 10, 0, 0, 0, almaty))
	app := client{t: t, user: localstack.DemoApplicant}
	pkg, docs := application(t, name)
	status, d := app.do("POST", "/drafts", pkg)
	if status != http.StatusCreated {
		t.Fatalf("create draft: %d %v", status, d)
	}
	id := d["id"].(string)
	for _, doc := range docs {
		app.upload("/drafts/"+id+"/uploads", doc, pdf(name+"/"+doc), signer)
	}
	return app, id, docs
}

// A package whose every document carries the applicant's employee's signature is filed.
func TestEDSRequiredSignedPackageIsFiledPar13(t *testing.T) {
	app, id, _ := draft(t, "Signed with EDS required", localstack.SignerApplicant)
	if status, c := app.do("POST", "/drafts/"+id+"/submit", nil); status != http.StatusCreated {
		t.Fatalf("submit: %d %v", status, c)
	}
}

// An unsigned package is refused with a 422 naming each document's missing signature with its
// paragraph; no case is filed, and the draft stays open.
func TestEDSRequiredUnsignedPackageIsRefusedPar13(t *testing.T) {
	app, id, docs := draft(t, "Unsigned with EDS required", "")
	status, out := app.do("POST", "/drafts/"+id+"/submit", nil)
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("submit: %d %v, want 422", status, out)
	}
	missing := map[string]string{}
	for _, p := range out["problems"].([]any) {
		p := p.(map[string]any)
		field, _ := p["field"].(string)
		if strings.HasSuffix(field, ".signature") && strings.HasPrefix(fmt.Sprint(p["message"]), "missing:") {
			missing[field], _ = p["rule"].(string)
		}
	}
	// Each document the edition asks the applicant to sign, named with the paragraph of its rule.
	ed, err := policy.Load(policy.Default())
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, doc := range docs {
		r, ok := ed.SignatureRule(doc)
		if !ok {
			continue
		}
		want++
		if got, named := missing["documents."+doc+".signature"]; !named || got != r.Paragraph {
			t.Errorf("%s: missing signature named %t with rule %q, want %q", doc, named, got, r.Paragraph)
		}
	}
	if want == 0 || len(missing) != want {
		t.Errorf("%d missing signatures named, want %d (the documents the edition asks to be signed): %v", len(missing), want, out["problems"])
	}
	if status, d := app.do("GET", "/drafts/"+id, nil); status != http.StatusOK || d["state"] != "open" {
		t.Fatalf("the refused draft: %d %v, want it open", status, d["state"])
	}
}

// Standard §9: a paper filing at the Committee's office carries the signature and seal on paper;
// its scans are asked for no electronic signature, and an electronic one is not taken.
func TestEDSRequiredPaperFilingAtTheOfficeAsksNoSignatureStd9(t *testing.T) {
	at := time.Date(2026, 10, 15, 11, 0, 0, 0, almaty)
	stack.Clock.Freeze(at)
	office := client{t: t, user: localstack.DemoOffice}
	pkg, docs := application(t, "Paper with EDS required")
	status, d := office.do("POST", "/office/filings", map[string]any{"organization": localstack.DemoApplicant.BIN,
		"arrivedAt": at.Add(-5 * time.Minute).Format(time.RFC3339), "package": pkg})
	if status != http.StatusCreated {
		t.Fatalf("start the paper filing: %d %v", status, d)
	}
	id := d["id"].(string)
	content := pdf("paper/" + docs[0])
	sig, err := stack.Sign(localstack.SignerApplicant, content, false)
	if err != nil {
		t.Fatal(err)
	}
	status, out := office.do("POST", "/drafts/"+id+"/uploads", map[string]any{"document": docs[0], "contentType": "application/pdf",
		"size": len(content), "sha256": hexSHA(content), "signature": base64.StdEncoding.EncodeToString(sig)})
	if status != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(out["problems"]), "standard §9") {
		t.Fatalf("an office scan with an electronic signature: %d %v, want 422 (standard §9)", status, out)
	}
	for _, doc := range docs {
		office.upload("/drafts/"+id+"/uploads", doc, pdf("paper/"+doc), "")
	}
	stack.Clock.Freeze(at.Add(8 * time.Minute))
	status, c := office.do("POST", "/office/filings/"+id+"/receipt", nil)
	if status != http.StatusCreated {
		t.Fatalf("receipt: %d %v", status, c)
	}
	if r := c["paper"].(map[string]any)["receipt"].(map[string]any); r["officer"] != localstack.DemoOffice.Name {
		t.Fatalf("the receipt mark: %v", r)
	}
}
