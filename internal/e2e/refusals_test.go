package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// lockedBucket is the Object Lock bucket of the template (acts, certificates, responses).
func lockedBucket() string {
	for _, b := range stack.Template.Buckets {
		if b.ObjectLock {
			return b.Name
		}
	}
	return ""
}

// responseOf is the reasoned response document of the given kind the view lists, or nil.
func responseOf(v map[string]any, kind string) map[string]any {
	ds, _ := v["documents"].([]any)
	for _, d := range ds {
		if m := d.(map[string]any); m["kind"] == kind {
			return m
		}
	}
	return nil
}

// mustBeLockedPDF reads the document from the Object Lock bucket, checks it is a PDF (or the
// JSON data), and that its version cannot be deleted.
func mustBeLocked(t *testing.T, doc map[string]any, prefix string) []byte {
	t.Helper()
	ctx := context.Background()
	bucket := lockedBucket()
	key, version := fmt.Sprint(doc["key"]), fmt.Sprint(doc["versionId"])
	obj, err := stack.Clients.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key, VersionId: &version})
	if err != nil {
		t.Fatalf("%s in the Object Lock bucket: %v", key, err)
	}
	body, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	if !bytes.HasPrefix(body, []byte(prefix)) {
		t.Fatalf("%s starts %q, want %q", key, body[:min(len(body), 16)], prefix)
	}
	if _, err := stack.Clients.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: &key, VersionId: aws.String(version)}); err == nil {
		t.Fatalf("a locked version of %s was deleted", key)
	}
	return body
}

// Standard §6, §10; §15: a return names its grounds, which must refuse the acceptance, and the
// applicant receives a reasoned response (PDF in kk/ru/en, and its data) under Object Lock.
func TestStd6Std10Par15ReturnNamesItsGroundsWithAReasonedResponse(t *testing.T) {
	p := file(t, day(10, 15, 10), application(t, "Returned with grounds", false))
	stack.Clock.Freeze(day(10, 16, 10))
	step := func(grounds any) (int, map[string]any) {
		body := map[string]any{"step": "completeness_check", "outcome": "return", "reasons": []string{"The terms of reference are missing"}}
		if grounds != nil {
			body["grounds"] = grounds
		}
		return p.authority.do("POST", "/cases/"+p.id+"/step", body)
	}
	status, out := step(nil)
	mustStatus(t, "no grounds", status, http.StatusUnprocessableEntity, out, "grounds", "standard §10")
	status, out = step([]string{"noncompliance_with_rules"})
	mustStatus(t, "a ground refusing the service", status, http.StatusUnprocessableEntity, out, "noncompliance_with_rules", "incomplete_package")
	status, out = step([]string{"because"})
	mustStatus(t, "an unknown ground", status, http.StatusUnprocessableEntity, out, "not a refusal ground")
	status, out = step([]string{"incomplete_package", "expired_documents"})
	mustStatus(t, "return", status, http.StatusOK, out)
	if g, _ := out["grounds"].([]any); len(g) != 2 {
		t.Fatalf("the decision's grounds %v", out["grounds"])
	}
	v := p.end("returned")
	pdf, data := responseOf(v, "reasoned_response"), responseOf(v, "reasoned_response_data")
	if pdf == nil || data == nil || pdf["sentAt"] == nil {
		t.Fatalf("the applicant has no reasoned response: %v", v["documents"])
	}
	mustBeLocked(t, pdf, "%PDF-")
	body := mustBeLocked(t, data, "{")
	for _, want := range []string{`"incomplete_package"`, `"expired_documents"`, "refuse_acceptance", "The terms of reference are missing"} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("the response's data lacks %s: %s", want, body)
		}
	}
}

// §27(2), §30: a refusal names grounds that refuse the service; its reasoned response reaches the
// applicant with the act, not before.
func TestStd10Par27Par30RefusalNamesItsGroundsAndIsSentWithTheAct(t *testing.T) {
	p := toDecision(t)
	p.open("decision")
	stack.Clock.Freeze(day(11, 17, 10))
	status, out := p.authority.do("POST", "/cases/"+p.id+"/step", map[string]any{"step": "decision", "outcome": "refuse",
		"reasons": []string{"Open administrative interfaces"}, "grounds": []string{"incomplete_package"}})
	mustStatus(t, "a ground refusing the acceptance", status, http.StatusUnprocessableEntity, out, "incomplete_package", "noncompliance_with_rules")
	p.act(p.authority, day(11, 17, 11), "decision", "refuse", map[string]any{"reasons": []string{"Open administrative interfaces"},
		"grounds": []string{"noncompliance_with_rules", "inaccurate_documents"}})
	p.open("send_documents")
	if d := responseOf(p.view(p.applicant), "reasoned_response"); d != nil {
		t.Fatalf("§30: the applicant has the reasoned refusal before it was sent: %v", d)
	}
	staff := responseOf(p.view(p.authority), "reasoned_response")
	if staff == nil {
		t.Fatal("the authority does not see the reasoned refusal")
	}
	p.act(p.authority, day(11, 18, 10), "send_documents", "sent", nil)
	v := p.end("refused")
	d := responseOf(v, "reasoned_response")
	if d == nil || d["sentAt"] != "2026-11-18T05:00:00Z" {
		t.Fatalf("the sent reasoned refusal: %v", d)
	}
	mustBeLocked(t, d, "%PDF-")
	// §28, §30: the act a refusal rests on is kept under Object Lock, as an issued certificate's is.
	var data struct {
		Acts []map[string]any `json:"acts"`
	}
	if err := json.Unmarshal(mustBeLocked(t, responseOf(v, "reasoned_response_data"), "{"), &data); err != nil || len(data.Acts) != 1 || data.Acts[0]["kind"] != "survey_act" {
		t.Fatalf("the refusal's kept acts: %v %v", data.Acts, err)
	}
	mustBeLocked(t, data.Acts[0], "%PDF-")
}
