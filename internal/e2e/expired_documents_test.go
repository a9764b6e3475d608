package e2e

import (
	"context"
	"encoding/json"
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

// ictApplication is application(name) for an object that uses ICT services (§13(7)): the ICT
// services contract, a document with a term in the policy, instead of the lists of Annexes 5-6.
func ictApplication(t testing.TB, name string) map[string]any {
	t.Helper()
	pkg := application(t, name, false)
	pkg["flags"].(map[string]any)["usesIctServices"] = true
	pkg["hardware"], pkg["software"] = []any{}, []any{}
	docs := pkg["documents"].(map[string]any)
	delete(docs, "hardware_list")
	delete(docs, "software_list")
	docs["ict_contract"] = map[string]any{}
	return pkg
}

// uploadTerm declares content as document of the draft with the last day of its term, PUTs it and
// confirms it; it returns the confirmed upload.
func (c client) uploadTerm(draftID, document, expiresOn string, content []byte) map[string]any {
	c.t.Helper()
	status, out := c.do("POST", "/drafts/"+draftID+"/uploads", map[string]any{"document": document, "contentType": "application/pdf",
		"size": len(content), "sha256": sha(content), "expiresOn": expiresOn})
	if status != http.StatusCreated {
		c.t.Fatalf("declare %s with its term %s: %d %v", document, expiresOn, status, out)
	}
	if s := put(c.t, out["put"].(map[string]any), content); s != http.StatusOK {
		c.t.Fatalf("PUT %s: %d", document, s)
	}
	status, conf := c.do("POST", "/uploads/"+out["upload"].(map[string]any)["id"].(string)+"/confirm", nil)
	if status != http.StatusOK {
		c.t.Fatalf("confirm %s: %d %v", document, status, conf)
	}
	u := conf["upload"].(map[string]any)
	if u["expiresOn"] != expiresOn {
		c.t.Fatalf("the confirmed %s states the term %v, want %s", document, u["expiresOn"], expiresOn)
	}
	return u
}

// mustExpiredRefusal checks a 422 that refuses the acceptance for the ICT services contract whose
// term ended on ended, before the filing on filed (standard §10): the problem names the field,
// the paragraph, the ground and both days.
func mustExpiredRefusal(t testing.TB, what string, status int, out map[string]any, ended, filed string) {
	t.Helper()
	if status != http.StatusUnprocessableEntity || out["title"] != "submission refused" {
		t.Fatalf("%s: %d %v, want 422 submission refused", what, status, out)
	}
	ps, _ := out["problems"].([]any)
	if len(ps) != 1 {
		t.Fatalf("%s: problems %v, want the expired contract alone", what, ps)
	}
	p := ps[0].(map[string]any)
	msg, _ := p["message"].(string)
	if p["field"] != "documents.ict_contract.expiresOn" || p["rule"] != "standard §10" || !strings.HasPrefix(msg, "expired_documents: ") ||
		!strings.Contains(msg, "ended on "+ended+", before the filing on "+filed) || !strings.Contains(msg, "not accepted") {
		t.Fatalf("%s: the problem %v does not give the ground expired_documents with its days %s, %s", what, p, ended, filed)
	}
}

// Standard §10: a document with an expired term refuses the acceptance of the application. The
// draft's upload of the ICT services contract (a document with a term in the policy) states its
// last day; the draft's check shows the refusal before filing; filing it is refused with the
// ground expired_documents, the document and both days, and nothing is filed; the same draft with
// a contract in force on the day of filing is accepted and its filed package keeps the term. A
// term stated for a document without one is refused at its declaration. The office's paper filing
// takes the same uploads and is refused at its receipt alike.
func TestExpiredDocumentsStd10(t *testing.T) {
	app := as(t, localstack.DemoApplicant)
	filed := day(10, 15, 10) // Thursday, the office accepts filings (standard §8)

	t.Run("§10 a contract whose term ended the day before the filing is not accepted; one in force is", func(t *testing.T) {
		stack.Clock.Freeze(filed)
		pkg := ictApplication(t, "Expired contract")
		docs := slices.Sorted(maps.Keys(pkg["documents"].(map[string]any)))
		delete(pkg, "documents")
		status, d := app.do("POST", "/drafts", pkg)
		if status != http.StatusCreated {
			t.Fatalf("create draft: %d %v", status, d)
		}
		draft := d["id"].(string)
		app.uploadAll(draft, "expired", slices.DeleteFunc(docs, func(id string) bool { return id == "ict_contract" }))
		app.uploadTerm(draft, "ict_contract", "2026-10-14", pdf(draft+"/contract/old"))

		// The draft's check shows it before filing.
		status, d = app.do("GET", "/drafts/"+draft, nil)
		check, _ := d["check"].(map[string]any)
		if status != http.StatusOK || check["complete"] != false {
			t.Fatalf("the draft's check: %d %v", status, d["check"])
		}
		mustExpiredRefusal(t, "the draft's check", http.StatusUnprocessableEntity, map[string]any{"title": "submission refused", "problems": check["problems"]},
			"2026-10-14", "2026-10-15")

		// Filing it is refused: no case starts, the draft stays open.
		status, out := app.do("POST", "/drafts/"+draft+"/submit", nil)
		mustExpiredRefusal(t, "submit", status, out, "2026-10-14", "2026-10-15")
		if status, d = app.do("GET", "/drafts/"+draft, nil); status != http.StatusOK || d["state"] != "open" || d["caseId"] != nil {
			t.Fatalf("the draft after the refusal: %d state %v case %v", status, d["state"], d["caseId"])
		}

		// A contract in force to the day of filing replaces it, and the filing is accepted.
		app.uploadTerm(draft, "ict_contract", "2026-10-15", pdf(draft+"/contract/new"))
		status, c := app.do("POST", "/drafts/"+draft+"/submit", nil)
		if status != http.StatusCreated {
			t.Fatalf("submit with a contract in force: %d %v", status, c)
		}
		p := &path{t: t, id: c["id"].(string), applicant: app, authority: as(t, localstack.DemoAuthority), sts: as(t, localstack.DemoSTS)}
		p.open("completeness_check")
		status, d = app.do("GET", "/drafts/"+draft, nil)
		ref, _ := d["package"].(map[string]any)["documents"].(map[string]any)["ict_contract"].(map[string]any)
		if status != http.StatusOK || d["state"] != "submitted" || ref["expiresOn"] != "2026-10-15" {
			t.Fatalf("the filed draft's contract: %d %v %v", status, d["state"], ref)
		}
		key := "cases/" + p.id + "/package.json"
		obj, err := stack.Clients.S3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(documentsBucket(t)), Key: &key})
		if err != nil {
			t.Fatalf("the filed package: %v", err)
		}
		var filedPkg struct {
			Documents map[string]struct {
				ExpiresOn string `json:"expiresOn"`
			} `json:"documents"`
		}
		err = json.NewDecoder(obj.Body).Decode(&filedPkg)
		obj.Body.Close()
		if err != nil || filedPkg.Documents["ict_contract"].ExpiresOn != "2026-10-15" {
			t.Fatalf("the filed package's contract states the term %+v (%v)", filedPkg.Documents["ict_contract"], err)
		}
	})

	t.Run("§10 a term stated for a document without one, or not a date, is refused at its declaration", func(t *testing.T) {
		stack.Clock.Freeze(filed)
		pkg := ictApplication(t, "Terms declared")
		delete(pkg, "documents")
		status, d := app.do("POST", "/drafts", pkg)
		if status != http.StatusCreated {
			t.Fatalf("create draft: %d %v", status, d)
		}
		draft := d["id"].(string)
		body := pdf(draft + "/tor")
		for _, tc := range []struct{ doc, expires, field, want string }{
			{"terms_of_reference", "2027-01-01", "expiresOn", "has no term"},
			{"ict_contract", "15.10.2026", "expiresOn", "YYYY-MM-DD"},
			{"ict_contract", "2026-10-15T00:00:00Z", "expiresOn", "at most 10 characters"},
		} {
			status, out := app.do("POST", "/drafts/"+draft+"/uploads", map[string]any{"document": tc.doc, "contentType": "application/pdf",
				"size": len(body), "sha256": sha(body), "expiresOn": tc.expires})
			if status != http.StatusUnprocessableEntity || !slices.Contains(problemFields(out), tc.field) || !strings.Contains(problemText(out), tc.want) {
				t.Errorf("%s with the term %q: %d %v, want 422 on %s: %s", tc.doc, tc.expires, status, out, tc.field, tc.want)
			}
		}
	})

	t.Run("§10 the office's paper filing with an expired contract is not accepted at its receipt", func(t *testing.T) {
		office := as(t, localstack.DemoOffice)
		stack.Clock.Freeze(filed)
		body := officeFilingBody(t, "Paper expired contract")
		pkg := ictApplication(t, "Paper expired contract")
		docs := slices.Sorted(maps.Keys(pkg["documents"].(map[string]any)))
		delete(pkg, "documents")
		body["package"] = pkg
		status, d := office.do("POST", "/office/filings", body)
		if status != http.StatusCreated {
			t.Fatalf("start the paper filing: %d %v", status, d)
		}
		draft := d["id"].(string)
		office.uploadAll(draft, "paper", slices.DeleteFunc(docs, func(id string) bool { return id == "ict_contract" }))
		office.uploadTerm(draft, "ict_contract", "2026-09-30", pdf(draft+"/contract"))
		stack.Clock.Freeze(filed.Add(10 * time.Minute))
		status, out := office.do("POST", "/office/filings/"+draft+"/receipt", nil)
		mustExpiredRefusal(t, "receipt", status, out, "2026-09-30", "2026-10-15")
	})
}

// problemText is every problem's message of a problem body, joined.
func problemText(out map[string]any) string {
	var b strings.Builder
	ps, _ := out["problems"].([]any)
	for _, p := range ps {
		m, _ := p.(map[string]any)
		b.WriteString(m["message"].(string))
		b.WriteString("\n")
	}
	return b.String()
}
