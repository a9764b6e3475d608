package e2e

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"attestation/internal/localstack"
)

// The Committee's office (issue 17, standard §3, §4(2)-(3), §8, §9): a paper filing registered
// at the office runs to a certificate, with the receiving officer on the receipt and the
// hand-over of the result recorded.

// representative is the local state registry's person, acting by a letter of attorney.
func representative() map[string]any {
	return map[string]any{"iin": localstack.LocalRepresentativeIIN,
		"letterOfAttorney": map[string]any{"number": "LA-2026/17", "issuedOn": "2026-10-01", "validUntil": "2026-12-31"}}
}

// problemFields are the fields a 422 problem names.
func problemFields(out map[string]any) []string {
	var fs []string
	ps, _ := out["problems"].([]any)
	for _, p := range ps {
		fs = append(fs, p.(map[string]any)["field"].(string))
	}
	return fs
}

func TestStd9PaperFilingAtTheOfficeRunsToACertificate(t *testing.T) {
	office := as(t, localstack.DemoOffice)
	app := as(t, localstack.DemoApplicant)
	// Standard §8: Thursday 2026-10-15, 10:00 in Almaty, the office accepts filings.
	stack.Clock.Freeze(day(10, 15, 10))
	pkg := application(t, "Paper registry", false)
	docs := slices.Sorted(maps.Keys(pkg["documents"].(map[string]any)))
	delete(pkg, "documents")
	body := map[string]any{"organization": localstack.DemoApplicant.BIN, "representative": representative(),
		"arrivedAt": day(10, 15, 10).Add(-20 * time.Minute).Format(time.RFC3339), "package": pkg}

	// Only the office reaches its routes.
	if status, out := app.do("POST", "/office/filings", body); status != http.StatusForbidden {
		t.Fatalf("an applicant on the office's route: %d %v, want 403", status, out)
	}
	// Standard §9: the organisation comes from the state registers; §4(2): the arrival is required.
	bad := maps.Clone(body)
	bad["organization"] = localstack.LocalSTSBIN
	delete(bad, "arrivedAt")
	status, out := office.do("POST", "/office/filings", bad)
	if fs := problemFields(out); status != http.StatusUnprocessableEntity || !slices.Contains(fs, "organization") || !slices.Contains(fs, "arrivedAt") {
		t.Fatalf("an unregistered organisation without arrival: %d %v", status, out)
	}

	status, d := office.do("POST", "/office/filings", body)
	if status != http.StatusCreated {
		t.Fatalf("start the paper filing: %d %v", status, d)
	}
	draft := d["id"].(string)
	paper := d["paper"].(map[string]any)
	if paper["organizationName"] != "Demo applicant LLP" || paper["representative"].(map[string]any)["name"] != "SERIKOV ARMAN BOLATULY" {
		t.Fatalf("standard §9: the registry's names: %v", paper)
	}
	// The organisation's own people do not see the office's paper filing.
	if status, out := app.do("GET", "/drafts/"+draft, nil); status != http.StatusNotFound {
		t.Fatalf("the applicant reads the office's paper filing: %d %v", status, out)
	}
	// The scans: the same uploads as online, with no electronic signature asked.
	office.uploadAll(draft, "paper", docs)
	status, d = office.do("GET", "/drafts/"+draft, nil)
	if status != http.StatusOK || d["check"].(map[string]any)["complete"] != true {
		t.Fatalf("the paper filing's check: %d %v", status, d["check"])
	}

	// Standard §9 last paragraph: the receipt mark, ten minutes into the service (§4(3)).
	stack.Clock.Freeze(day(10, 15, 10).Add(10 * time.Minute))
	status, c := office.do("POST", "/office/filings/"+draft+"/receipt", nil)
	if status != http.StatusCreated {
		t.Fatalf("receipt: %d %v", status, c)
	}
	cp := c["paper"].(map[string]any)
	if r := cp["receipt"].(map[string]any); r["officer"] != localstack.DemoOffice.Name || r["at"] != "2026-10-15T05:10:00Z" {
		t.Fatalf("the receipt mark: %v", r)
	}
	limits := cp["limits"].([]any)
	if wait := limits[0].(map[string]any); wait["paragraph"] != "standard §4(2)" || wait["took"] != 20.0 || wait["exceeded"] != true {
		t.Errorf("§4(2): 20 minutes in the queue: %v", wait)
	}
	if service := limits[1].(map[string]any); service["paragraph"] != "standard §4(3)" || service["took"] != 10.0 || service["exceeded"] != false {
		t.Errorf("§4(3): 10 minutes of service: %v", service)
	}
	p := &path{t: t, id: c["id"].(string), applicant: office, authority: as(t, localstack.DemoAuthority), sts: as(t, localstack.DemoSTS)}
	p.open("completeness_check")
	// The receipt kept under Object Lock names the receiving officer.
	if receipt := recordJSON(t, "cases/"+p.id+"/receipt.json"); receipt["receivedBy"] != localstack.DemoOffice.Name || receipt["channel"] != "office" {
		t.Fatalf("the receipt: %v", receipt)
	}
	// The office decides nothing: the authority's step is not its own.
	if status, out := office.do("POST", "/cases/"+p.id+"/step", map[string]any{"step": "completeness_check", "outcome": "forward"}); status != http.StatusForbidden {
		t.Fatalf("the office at the authority's step: %d %v, want 403", status, out)
	}
	// Nor does it reach a case filed online.
	online := file(t, day(10, 15, 11), application(t, "Online registry", false))
	if status, _ := office.do("GET", "/cases/"+online.id, nil); status != http.StatusNotFound {
		t.Fatalf("the office reads an online case: %d, want 404", status)
	}

	// From then on the same procedure; the office brings the applicant's signed contract.
	p.act(p.authority, day(10, 16, 10), "completeness_check", "forward", nil)
	p.act(p.sts, day(10, 16, 11), "send_contract", "contract_sent", p.docs("contract"))
	p.act(p.applicant, day(10, 19, 10), "sign_contract", "signed", p.docs("signed_contract"))
	p.act(p.sts, day(11, 16, 10), "survey", "act", p.docs("survey_act"))
	p.act(p.authority, day(11, 17, 10), "decision", "issue", nil)
	p.act(p.authority, day(11, 18, 10), "send_documents", "sent", nil)
	v := p.end("issued")
	number, _ := v["certificate"].(string)
	if !strings.HasPrefix(number, "2026/") {
		t.Fatalf("§28: no certificate: %v", v["certificate"])
	}

	// The certificate handed over on paper to the representative: its moment is the receipt.
	stack.Clock.Freeze(day(11, 19, 15))
	status, ho := office.do("POST", "/office/cases/"+p.id+"/handovers", map[string]any{"document": "certificate", "representative": representative()})
	if status != http.StatusCreated || ho["receivedBy"] != "SERIKOV ARMAN BOLATULY" || ho["officer"] != localstack.DemoOffice.Name || ho["at"] != "2026-11-19T10:00:00Z" {
		t.Fatalf("hand-over: %d %v", status, ho)
	}
	if doc := ho["document"].(map[string]any); doc["key"] != "certificates/"+number+"/certificate.pdf" {
		t.Fatalf("hand-over of %v", doc)
	}
	if status, out := app.do("POST", "/office/cases/"+p.id+"/handovers", map[string]any{"document": "certificate", "receivedBy": "X"}); status != http.StatusForbidden {
		t.Fatalf("an applicant records a hand-over: %d %v", status, out)
	}
	v = p.view(office)
	if hs, _ := v["handOvers"].([]any); len(hs) != 1 {
		t.Fatalf("hand-overs on the case: %v", v["handOvers"])
	}
	hasEvent(t, v, "handed over at the office: certificate to SERIKOV ARMAN BOLATULY")
	hasEvent(t, v, "application received at the office on paper, receipt marked by "+localstack.DemoOffice.Name)
}

// recordJSON reads a JSON object kept in the Object Lock bucket.
func recordJSON(t testing.TB, key string) map[string]any {
	t.Helper()
	var bucket string
	for _, b := range stack.Template.Buckets {
		if b.ObjectLock {
			bucket = b.Name
		}
	}
	obj, err := stack.Clients.S3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: &bucket, Key: aws.String(key)})
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	defer obj.Body.Close()
	b, err := io.ReadAll(obj.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return out
}

// officeFilingBody is a paper filing the office starts for the demo applicant (standard §9), its
// person arrived 20 minutes before the clock's moment.
func officeFilingBody(t testing.TB, name string) map[string]any {
	t.Helper()
	pkg := application(t, name, false)
	delete(pkg, "documents")
	return map[string]any{"organization": localstack.DemoApplicant.BIN, "representative": representative(),
		"arrivedAt": stack.Clock.Now().Add(-20 * time.Minute).Format(time.RFC3339), "package": pkg}
}
