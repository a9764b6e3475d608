package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/chromedp/chromedp"

	"attestation/internal/dynamostore"
	chromiumbrowser "attestation/internal/e2e/browser"
	"attestation/internal/localstack"
	"attestation/internal/register"
	"attestation/internal/signing"
	"attestation/internal/wiring"
	"attestation/internal/wiring/kmskey"
)

// The public register through the local stack (§29): the verification page a phone opens from
// the certificate's QR code, checked in headless Chromium; the JSON answers, the history, the
// search, the public key and the certificate's PDF; a tampered entry; the daily open-data export.

// registerStore is the register on the stack's table.
func registerStore() *dynamostore.Store {
	return dynamostore.New(stack.Clients.DynamoDB, stack.Template.Tables[0].Name)
}

// registerSigner is the stack's register key (KMS in moto), as the functions build it.
func registerSigner(tb testing.TB) register.Signer {
	tb.Helper()
	fn, _ := stack.Template.Function("ApiFunction")
	cfg, err := wiring.LoadConfig(func(k string) (string, bool) { v, ok := fn.Env[k]; return v, ok })
	if err != nil {
		tb.Fatal(err)
	}
	s, err := kmskey.Signer(localstack.AWSConfig(stack.MotoURL), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// seeded counts the entries enterCertificate made: their numbers are of 2030, a year no case reaches.
var seeded atomic.Int64

// enterCertificate enters a certificate in the register as the issue path does (revision 1, signed with
// the stack's key) and returns its number.
func enterCertificate(tb testing.TB, object, ownerBIN string) string {
	tb.Helper()
	ctx := context.Background()
	seq := int(seeded.Add(1))
	at := time.Date(2026, 10, 1, 6, 0, 0, 0, time.UTC)
	e := register.Entry{Number: fmt.Sprintf("2030/%05d", seq), Year: 2030, Seq: seq, CaseID: "A-seeded", Edition: "rules-2016-amended-2018",
		ObjectName: object, ObjectKind: "state_is", Mandatory: true, OwnerName: "Digital Services LLP", OwnerBIN: ownerBIN, Developer: "National IT operator",
		Act:      register.Act{Number: fmt.Sprintf("AKT-SEED-%d", seq), Date: at.Add(-48 * time.Hour), Document: register.Document{Key: "acts/seeded.pdf", VersionID: "v", SHA256: strings.Repeat("a", 64)}},
		IssuedAt: at, Status: register.Valid,
		Certificate: register.Document{Key: fmt.Sprintf("certificates/2030-%05d.pdf", seq), VersionID: "v-seeded", SHA256: strings.Repeat("c", 64)}}
	e, err := register.Next(ctx, registerSigner(tb), register.Entry{}, e, at)
	if err != nil {
		tb.Fatal(err)
	}
	if err := registerStore().PutEntry(ctx, e, register.Revision{Number: 1, At: at, Actor: "e2e", Role: "authority", What: "issued", Paragraph: "§28", Seal: e.Seal}); err != nil {
		tb.Fatal(err)
	}
	return e.Number
}

// certificatePath is a certificate's public address: /certificates/{year}/{seq}.
func certificatePath(number string) string { return "/certificates/" + number }

// getRaw sends a GET without a token and returns the answer; the answer is checked against
// openapi.yaml.
func getRaw(t testing.TB, path string, headers map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", stack.APIURL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	checkResponse(t, req, resp, raw)
	return resp, raw
}

// browser starts headless Chromium the size of a phone for at most 3 minutes (internal/e2e/browser); where none is
// installed it skips, except in CI (CI set), where it fails.
func browser(t *testing.T) context.Context {
	t.Helper()
	return chromiumbrowser.Start(t, 3*time.Minute, os.Getenv("CI") != "")
}

// pageState is what the verification page shows of a certificate.
type pageState struct {
	status, statusText, object, signature, returned string
	screenshot                                      []byte
	load                                            time.Duration
}

func openPage(t *testing.T, ctx context.Context, url string) pageState {
	t.Helper()
	var s pageState
	start := time.Now()
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("#status"))); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	s.load = time.Since(start)
	status, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("#status"), "data-status"))
	if err != nil {
		t.Fatal(err)
	}
	s.status = status.Value
	if s.statusText, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#status"))); err != nil {
		t.Fatal(err)
	}
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](`({
		object: document.querySelector("#object")?.innerText ?? "",
		signature: document.querySelector("#signature")?.dataset.valid ?? "",
		returned: document.querySelector("#returned")?.dataset.returned ?? "",
	})`))
	if err != nil {
		t.Fatal(err)
	}
	s.object, s.signature, s.returned = shown["object"], shown["signature"], shown["returned"]
	if s.screenshot, err = chromedp.Run(ctx, chromedp.FullScreenshot(100)); err != nil {
		t.Fatal(err)
	}
	return s
}

// saveScreenshot writes a page's screenshot under build/screenshots of the repository.
func saveScreenshot(t *testing.T, name string, png []byte) {
	t.Helper()
	root, err := localstack.FindRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "build", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestVerificationPageInHeadlessChromiumPar29Par46: a person who scanned a certificate's QR code
// sees it valid with its object; once recalled (§45-§46), the same address shows it recalled
// and not yet returned.
func TestVerificationPageInHeadlessChromiumPar29Par46(t *testing.T) {
	_, number := issued(t, "Ақпараттық жүйе «Әлем» — Информационная система")
	ctx := browser(t) // after the case: the browser's time limit is for the pages
	url := stack.APIURL + certificatePath(number)

	valid := openPage(t, ctx, url)
	t.Logf("verification page of %s: loaded and rendered in %s; screenshot %d bytes", number, valid.load, len(valid.screenshot))
	if valid.status != "valid" || !strings.Contains(strings.ToLower(valid.statusText), "valid") || !strings.Contains(valid.statusText, "Жарамды") {
		t.Fatalf("§29 the page shows %q (%q), want valid", valid.status, valid.statusText)
	}
	if valid.object != "Ақпараттық жүйе «Әлем» — Информационная система" {
		t.Fatalf("the page shows the object %q", valid.object)
	}
	if valid.signature != "true" {
		t.Fatalf("the page says the signature checks: %q", valid.signature)
	}
	if !bytes.HasPrefix(valid.screenshot, []byte("\x89PNG")) {
		t.Fatal("the screenshot is not a PNG")
	}
	saveScreenshot(t, "verification-valid.png", valid.screenshot)

	// The authority recalls it on the owner's written application (§45(2)).
	if status, out := as(t, localstack.DemoAuthority).do("POST", certificatePath(number)+"/recall",
		map[string]any{"ground": "owner_application", "reasons": []string{"The owner's written application"}}); status != http.StatusOK {
		t.Fatalf("recall: %d %v", status, out)
	}
	recalled := openPage(t, ctx, url)
	if recalled.status != "recalled" || !strings.Contains(strings.ToLower(recalled.statusText), "recalled") || recalled.returned != "false" {
		t.Fatalf("§46 after the recall the page shows %q (%q), returned %q", recalled.status, recalled.statusText, recalled.returned)
	}
	if recalled.signature != "true" {
		t.Fatalf("the recall's revision is signed: %q", recalled.signature)
	}
	saveScreenshot(t, "verification-recalled.png", recalled.screenshot)

	missing := openPage(t, ctx, stack.APIURL+"/certificates/2026/99999")
	if missing.status != "not-found" {
		t.Fatalf("an unknown number shows %q", missing.status)
	}
}

// TestPublicRegisterRoutesAnswerWithoutATokenAndAreRecorded: every public route of the document
// answers without a token, and each such call leaves its call record (seed 003 §8).
func TestPublicRegisterRoutesAnswerWithoutATokenAndAreRecorded(t *testing.T) {
	stack.Clock.Freeze(day(10, 15, 11))
	number := enterCertificate(t, "Public route system", localstack.DemoApplicant.BIN)
	paths := map[string]string{
		"GET /health":                            "/health",
		"GET /certificates/{year}/{seq}":         certificatePath(number),
		"GET /certificates/{year}/{seq}/history": certificatePath(number) + "/history",
		"GET /register":                          "/register?objectName=public+route",
		"GET /register/public-key":               "/register/public-key",
		// Standard §13: a case's stage by its receipt number, without signing in.
		"GET /status/{caseId}": "/status/" + file(t, day(10, 15, 11), application(t, "Public status system", false)).id,
	}
	ids := map[string]string{}
	public := 0
	for _, op := range apiOperations(t) {
		if len(op.roles) > 0 {
			continue
		}
		public++
		path, ok := paths[op.key()]
		if !ok {
			t.Fatalf("public route %s: this test has no request for it; add one", op.key())
		}
		resp, raw := getRaw(t, path, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s without a token: %d %s", op.key(), resp.StatusCode, raw)
		}
		ids[resp.Header.Get("Apigw-Requestid")] = op.key()
	}
	if public < 5 {
		t.Fatalf("%d public routes", public)
	}
	recs := records(t, localstack.DemoAuthority, "/audit/days/2026-10-15")
	for id, route := range ids {
		got := recs[id]
		if len(got) != 1 || got[0]["status"] != float64(200) || got[0]["origin"] != "api" || got[0]["routeKey"] != route {
			t.Fatalf("%s: call records %v, want one of the function, 200", route, got)
		}
	}
}

// TestATamperedEntryAnswersSignatureValidFalseThroughTheRoutePar29: somebody with write access
// to the table changes an entry's status behind the register's back; the verification route
// answers signatureValid false, and the page says not to rely on it.
func TestATamperedEntryAnswersSignatureValidFalseThroughTheRoutePar29(t *testing.T) {
	stack.Clock.Freeze(day(10, 15, 11))
	number := enterCertificate(t, "Tampered system", localstack.DemoApplicant.BIN)
	check := func() map[string]any {
		resp, raw := getRaw(t, certificatePath(number), map[string]string{"Accept": "application/json"})
		var v map[string]any
		if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &v) != nil {
			t.Fatalf("%d %s", resp.StatusCode, raw)
		}
		return v
	}
	if v := check(); v["signatureValid"] != true || v["status"] != "valid" {
		t.Fatalf("before: %v", v)
	}
	table := stack.Template.Tables[0].Name
	if _, err := stack.Clients.DynamoDB.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{TableName: &table,
		Key: map[string]ddbtypes.AttributeValue{
			"pk": &ddbtypes.AttributeValueMemberS{Value: "CERT#" + number}, "sk": &ddbtypes.AttributeValueMemberS{Value: "ENTRY"}},
		UpdateExpression:         aws.String("SET #e.#s = :s, #s2 = :s"),
		ExpressionAttributeNames: map[string]string{"#e": "entry", "#s": "Status", "#s2": "status"},
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{
			":s": &ddbtypes.AttributeValueMemberS{Value: string(register.Recalled)}}}); err != nil {
		t.Fatal(err)
	}
	v := check()
	if v["signatureValid"] != false || v["status"] != "recalled" {
		t.Fatalf("§29 a tampered entry: %v, want signatureValid false", v)
	}
	// What was signed still says valid, and verifies; the stored entry is not it.
	entry, _ := v["entry"].(map[string]any)
	if entry["status"] != "valid" {
		t.Fatalf("the signed entry: %v", entry)
	}
	_, page := getRaw(t, certificatePath(number), map[string]string{"Accept": "text/html"})
	if !bytes.Contains(page, []byte(`data-valid="false"`)) || !bytes.Contains(page, []byte("do not rely on this entry")) {
		t.Fatalf("the page does not warn: %s", page)
	}
}

// TestPublicRegisterThroughTheStackPar29: the verification answer verifies offline with the
// published key; the history lists the signed revisions; the search finds by number, object,
// owner BIN and status; the owner's applicant downloads the pinned PDF, another organisation's
// cannot tell it exists.
func TestPublicRegisterThroughTheStackPar29(t *testing.T) {
	p, number := issued(t, "Register route system")
	_ = p
	pemResp, pem := getRaw(t, "/register/public-key", nil)
	if pemResp.Header.Get("Content-Type") != "application/x-pem-file" {
		t.Fatalf("public key: %v", pemResp.Header)
	}
	_, keyJSON := getRaw(t, "/register/public-key", map[string]string{"Accept": "application/json"})
	var key register.PublicKey
	if err := json.Unmarshal(keyJSON, &key); err != nil || key.PEM != string(pem) {
		t.Fatalf("%s %v", keyJSON, err)
	}

	t.Run("§29 the answer verifies offline with the published key, under the key's ID", func(t *testing.T) {
		_, raw := getRaw(t, certificatePath(number), nil)
		var v register.Verification
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		if v.Status != register.Valid || !v.SignatureValid || v.Owner.BIN != localstack.DemoApplicant.BIN || v.CertificateSHA256 == "" {
			t.Fatalf("%+v", v)
		}
		if err := signing.Verify(pem, v.Payload, v.Signature); err != nil {
			t.Fatalf("offline: %v", err)
		}
		if v.Signature.KeyID != key.KeyID {
			t.Fatalf("signed by %q, the published key is %q", v.Signature.KeyID, key.KeyID)
		}
		if !strings.HasSuffix(v.PublicKeyURL, "/register/public-key") {
			t.Fatalf("publicKeyUrl %q", v.PublicKeyURL)
		}
	})
	t.Run("§29 the history: every revision signed and chained", func(t *testing.T) {
		if status, out := as(t, localstack.DemoAuthority).do("POST", certificatePath(number)+"/recall",
			map[string]any{"ground": "owner_application", "reasons": []string{"The owner's written application"}}); status != http.StatusOK {
			t.Fatalf("recall: %d %v", status, out)
		}
		_, raw := getRaw(t, certificatePath(number)+"/history", nil)
		var h struct {
			Revisions []register.PublicRevision `json:"revisions"`
		}
		// Issued, received by the owner (§28, §42), recalled.
		if err := json.Unmarshal(raw, &h); err != nil || len(h.Revisions) != 3 {
			t.Fatalf("%s %v", raw, err)
		}
		for _, r := range h.Revisions {
			if !r.SignatureValid || !r.ChainValid || signing.Verify(pem, r.Payload, r.Signature) != nil {
				t.Fatalf("revision %d: %+v", r.Revision, r)
			}
		}
		for i := 1; i < len(h.Revisions); i++ {
			if h.Revisions[i].Entry.PreviousSHA256 != h.Revisions[i-1].PayloadSHA256 {
				t.Fatalf("revision %d does not link the one before: %+v", h.Revisions[i].Revision, h.Revisions[i])
			}
		}
		if h.Revisions[2].Entry.Status != register.Recalled {
			t.Fatalf("%+v", h.Revisions[2])
		}
	})
	t.Run("§29 the search", func(t *testing.T) {
		search := func(q url.Values) []string {
			_, raw := getRaw(t, "/register?"+q.Encode(), nil)
			var page register.SearchPage
			if err := json.Unmarshal(raw, &page); err != nil {
				t.Fatalf("%s", raw)
			}
			var out []string
			for _, l := range page.Entries {
				if signing.Verify(pem, l.Payload, l.Signature) != nil {
					t.Fatalf("%s does not verify", l.Number)
				}
				out = append(out, l.Number)
			}
			return out
		}
		for name, q := range map[string]url.Values{
			"number":                  {"number": {number}},
			"object name, any case":   {"objectName": {"REGISTER ROUTE"}},
			"owner BIN and status":    {"ownerBin": {localstack.DemoApplicant.BIN}, "status": {"recalled"}, "objectName": {"register route"}},
			"number, status recalled": {"number": {number}, "status": {"recalled"}},
		} {
			if got := search(q); len(got) != 1 || got[0] != number {
				t.Errorf("%s: %v, want %s", name, got, number)
			}
		}
		if got := search(url.Values{"number": {number}, "status": {"valid"}}); len(got) != 0 {
			t.Errorf("a recalled certificate found as valid: %v", got)
		}
	})
	t.Run("the owner's applicant downloads the pinned PDF; another organisation's sees a 404", func(t *testing.T) {
		e, err := registerStore().Entry(context.Background(), number)
		if err != nil {
			t.Fatal(err)
		}
		status, out := as(t, localstack.DemoApplicant).do("GET", certificatePath(number)+"/document", nil)
		if status != http.StatusOK {
			t.Fatalf("%d %v", status, out)
		}
		doc := out["document"].(map[string]any)
		if doc["versionId"] != e.Certificate.VersionID || doc["sha256"] != e.Certificate.SHA256 {
			t.Fatalf("%v, want %+v", doc, e.Certificate)
		}
		get := out["get"].(map[string]any)
		req, _ := http.NewRequest("GET", get["url"].(string), nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		sum := sha256.Sum256(body)
		if resp.StatusCode != http.StatusOK || hex.EncodeToString(sum[:]) != e.Certificate.SHA256 || !bytes.HasPrefix(body, []byte("%PDF")) {
			t.Fatalf("download: %d, %d bytes", resp.StatusCode, len(body))
		}
		if status, _ := as(t, localstack.DemoAuthority).do("GET", certificatePath(number)+"/document", nil); status != http.StatusOK {
			t.Fatalf("staff: %d", status)
		}
		other := newOrganisation(t)
		foreign := send(t, "GET", certificatePath(number)+"/document", token(t, other), nil, nil)
		absent := send(t, "GET", "/certificates/2026/99998/document", token(t, other), nil, nil)
		if foreign.status != http.StatusNotFound || !bytes.Equal(foreign.raw, absent.raw) {
			t.Fatalf("another organisation's: %d %s; missing: %d %s", foreign.status, foreign.raw, absent.status, absent.raw)
		}
	})
}

// TestOpenDataExportThroughTheDeadlineCheckPar29: the scheduled run writes the day's register as
// JSON and CSV to the records bucket; a second run the same day writes nothing new; a register
// changed since leaves the day's export standing, and the run's report says so.
func TestOpenDataExportThroughTheDeadlineCheckPar29(t *testing.T) {
	ctx := context.Background()
	number := enterCertificate(t, "Ашық деректер жүйесі", localstack.DemoApplicant.BIN)
	// A day no other test runs the check on (register_life_test.go runs it on 2026-10-14).
	runAt := time.Date(2026, 9, 7, 0, 5, 0, 0, almaty)
	stack.Clock.Freeze(runAt)
	defer stack.Clock.Freeze(day(10, 15, 10))
	run := func() register.OpenDataReport {
		out, err := stack.RunScheduled(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for name, raw := range out {
			if !strings.HasPrefix(name, "DeadlineCheckFunction") {
				continue
			}
			var rep struct {
				Checks map[string]register.OpenDataReport `json:"checks"`
			}
			if err := json.Unmarshal(raw, &rep); err != nil {
				t.Fatalf("%s: %v", raw, err)
			}
			if r, ok := rep.Checks["open-data"]; ok {
				return r
			}
			t.Fatalf("the run reports no open-data check: %s", raw)
		}
		t.Fatalf("no deadline check ran: %v", out)
		return register.OpenDataReport{}
	}
	first := run()
	if first.Day != "2026-09-07" || len(first.Files) != 2 || first.Files[0].Key != "open-data/2026-09-07/register.json" ||
		first.Files[1].Key != "open-data/2026-09-07/register.csv" || first.Files[0].Stands || first.Files[1].Stands {
		t.Fatalf("%+v", first)
	}
	bucket := recordsBucket(t)
	read := func(f register.OpenDataFile) []byte {
		o, err := stack.Clients.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &f.Key, VersionId: &f.VersionID})
		if err != nil {
			t.Fatal(err)
		}
		defer o.Body.Close()
		b, _ := io.ReadAll(o.Body)
		return b
	}
	all, err := registerStore().AllEntries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := read(first.Files[0]); !bytes.Equal(got, register.ExportJSON(all, runAt)) || !bytes.Contains(got, []byte(number)) {
		t.Fatalf("register.json read back is not the register's export")
	}
	rawCSV := read(first.Files[1])
	if !bytes.Equal(rawCSV, register.ExportCSV(all, runAt)) {
		t.Fatal("register.csv read back is not the register's export")
	}
	rows, err := csv.NewReader(bytes.NewReader(rawCSV)).ReadAll()
	if err != nil || len(rows) != len(all)+1 || !bytes.Contains(rawCSV, []byte("Ашық деректер жүйесі")) {
		t.Fatalf("%d rows for %d entries: %v", len(rows), len(all), err)
	}

	again := run()
	if again.Files[0].VersionID != first.Files[0].VersionID || again.Files[1].VersionID != first.Files[1].VersionID || again.Files[0].Stands {
		t.Fatalf("§29 a second run the same day: %+v, first %+v", again, first)
	}
	enterCertificate(t, "Entered after the day's export", localstack.DemoApplicant.BIN)
	changed := run()
	if !changed.Files[0].Stands || !changed.Files[1].Stands {
		t.Fatalf("§29 the register changed the same day: %+v", changed)
	}
	if got := read(first.Files[0]); !bytes.Equal(got, register.ExportJSON(all, runAt)) {
		t.Fatal("the day's export was replaced")
	}
}
