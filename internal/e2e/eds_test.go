package e2e

import (
	"encoding/base64"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"attestation/internal/localstack"
)

// Electronic digital signatures through the local stack (issue 17): the stack's test CA issues
// NCA-shaped certificates (localstack/eds.go), the documents are signed with them, and the api
// function verifies each signature over the uploaded bytes at confirm, asking the stack's OCSP
// responder once per certificate (the answer is reused for five minutes of the emulated clock).

// signedUpload declares content at route with signer's signature over signed (the content itself
// unless tampering), PUTs content and confirms it. It returns the status and body of the step that
// answered last: the declaration's when it was refused, else the confirm's.
func (c client) signedUpload(route, document string, content, signed []byte, signer string) (int, map[string]any) {
	c.t.Helper()
	if signed == nil {
		signed = content
	}
	sig, err := stack.Sign(signer, signed, false)
	if err != nil {
		c.t.Fatal(err)
	}
	status, out := c.do("POST", route, map[string]any{"document": document, "contentType": "application/pdf", "size": len(content),
		"sha256": sha(content), "signature": base64.StdEncoding.EncodeToString(sig)})
	if status != http.StatusCreated {
		return status, out
	}
	if s := put(c.t, out["put"].(map[string]any), content); s != http.StatusOK {
		c.t.Fatalf("PUT %s: %d", document, s)
	}
	id := out["upload"].(map[string]any)["id"].(string)
	return c.do("POST", "/uploads/"+id+"/confirm", nil)
}

// A filing whose every document carries the applicant's employee's signature goes through; the
// case shows who signed what (the IIN masked), with one OCSP round trip for the signer's certificate.
func TestEDSSignedFilingGoesThroughPar13(t *testing.T) {
	stack.Clock.Freeze(time.Date(2026, 10, 15, 10, 0, 0, 0, almaty))
	app := as(t, localstack.DemoApplicant)
	pkg := application(t, "EDS signed registry", false)
	docs := slices.Sorted(maps.Keys(pkg["documents"].(map[string]any)))
	body := maps.Clone(pkg)
	delete(body, "documents")
	status, d := app.do("POST", "/drafts", body)
	if status != http.StatusCreated {
		t.Fatalf("create draft: %d %v", status, d)
	}
	id := d["id"].(string)
	before := stack.OCSPRequests()
	for _, doc := range docs {
		status, out := app.signedUpload("/drafts/"+id+"/uploads", doc, pdf("eds/"+id+"/"+doc), nil, localstack.SignerApplicant)
		if status != http.StatusOK {
			t.Fatalf("%s: %d %v", doc, status, out)
		}
		signed, _ := out["upload"].(map[string]any)["signed"].(map[string]any)
		if signed["signer"] != "APPLICANT AIGERIM" || signed["bin"] != localstack.DemoApplicant.BIN || signed["ocspStatus"] != "good" {
			t.Fatalf("%s: signed = %v", doc, signed)
		}
	}
	// One certificate signed every document: its OCSP answer is asked once and reused (none at
	// all when an earlier test of this run asked about it within the cache's five minutes).
	rounds := stack.OCSPRequests() - before
	t.Logf("OCSP round trips for a filing of %d documents signed with one certificate: %d", len(docs), rounds)
	if rounds > 1 {
		t.Errorf("OCSP round trips = %d, want at most one for one signer's certificate", rounds)
	}
	status, c := app.do("POST", "/drafts/"+id+"/submit", nil)
	if status != http.StatusCreated {
		t.Fatalf("submit: %d %v", status, c)
	}
	p := &path{t: t, id: c["id"].(string), applicant: app}
	v := p.view(app)
	var n int
	for _, x := range v["documents"].([]any) {
		doc := x.(map[string]any)
		sig, ok := doc["signature"].(map[string]any)
		if !ok {
			t.Errorf("document %v has no signature", doc["kind"])
			continue
		}
		n++
		if sig["role"] != "applicant" || sig["iin"] != "********0123" || sig["certificateSerial"] == "" || sig["signingTime"] == "" {
			t.Errorf("%v: signature %v", doc["kind"], sig)
		}
	}
	if n != len(docs) {
		t.Errorf("%d signed documents on the case, want %d", n, len(docs))
	}
	// §17: the STS's employee signs the contract for the STS (its configured BIN), once the case
	// is forwarded to it (§16).
	p.authority = as(t, localstack.DemoAuthority)
	p.act(p.authority, time.Date(2026, 10, 15, 11, 0, 0, 0, almaty), "completeness_check", "forward", nil)
	p.open("send_contract")
	sts := as(t, localstack.DemoSTS)
	status, out := sts.signedUpload("/cases/"+p.id+"/uploads", "contract", pdf("eds/"+p.id+"/contract"), nil, localstack.SignerSTS)
	if status != http.StatusOK {
		t.Fatalf("contract: %d %v", status, out)
	}
	if s := out["upload"].(map[string]any)["signed"].(map[string]any); s["role"] != "sts" || s["bin"] != localstack.LocalSTSBIN || s["algorithm"] != "RSA-SHA256" {
		t.Fatalf("contract signed = %v", s)
	}
}

// Each kind of bad signature is refused with a 422 naming the document and the reason, and
// nothing is written: the draft holds no document.
func TestEDSBadSignaturesAreRefused(t *testing.T) {
	stack.Clock.Freeze(time.Date(2026, 10, 15, 10, 0, 0, 0, almaty))
	app := as(t, localstack.DemoApplicant)
	body := maps.Clone(application(t, "EDS refused registry", false))
	delete(body, "documents")
	status, d := app.do("POST", "/drafts", body)
	if status != http.StatusCreated {
		t.Fatalf("create draft: %d %v", status, d)
	}
	id := d["id"].(string)
	content := pdf("eds-refused/" + id)
	for _, tc := range []struct {
		name, signer, reason string
		signed               []byte
	}{
		{"another organisation's employee", localstack.SignerOther, "wrong-signer", nil},
		{"an individual's certificate on a legal entity's document", localstack.SignerIndividual, "wrong-signer", nil},
		{"revoked", localstack.SignerRevoked, "revoked", nil},
		{"expired", localstack.SignerExpired, "expired", nil},
		{"tampered bytes", localstack.SignerApplicant, "tampered", pdf("eds-refused/other bytes")},
		{"unsupported algorithm (GOST)", localstack.SignerGOST, "unsupported-algorithm", nil},
		{"OCSP unreachable, the policy refuses", localstack.SignerUnreachable, "ocsp-unavailable", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, out := app.signedUpload("/drafts/"+id+"/uploads", "application", content, tc.signed, tc.signer)
			if status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422: %v", status, out)
			}
			ps, _ := out["problems"].([]any)
			if len(ps) != 1 {
				t.Fatalf("problems = %v", out)
			}
			p := ps[0].(map[string]any)
			msg := fmt.Sprint(p["message"])
			if p["field"] != "signature" || !strings.Contains(msg, "application") || !strings.Contains(msg, "("+tc.reason+")") {
				t.Errorf("problem = %v, want field signature naming the document and %s", p, tc.reason)
			}
			if tc.reason == "unsupported-algorithm" && !strings.Contains(msg, "(OID 1.2.398.3.10.") {
				t.Errorf("the refusal does not name the algorithm's OID: %s", msg)
			}
		})
	}
	status, got := app.do("GET", "/drafts/"+id, nil)
	if status != http.StatusOK {
		t.Fatalf("get draft: %d %v", status, got)
	}
	if docs := got["package"].(map[string]any)["documents"].(map[string]any); len(docs) != 0 {
		t.Fatalf("a refused signature wrote documents: %v", docs)
	}
}

// §24, §29, Annex 7: the STS signs the act; the register entry cites the signed act (the signer,
// the BIN, the certificate, never the IIN) in its signed payload, which still verifies, and the
// certificate PDF cites it.
func TestEDSRegisterCitesTheSignedActPar29(t *testing.T) {
	p := toSurvey(t, application(t, "EDS signed act registry", false))
	stack.Clock.Freeze(day(11, 16, 9))
	status, out := p.sts.signedUpload("/cases/"+p.id+"/uploads", "survey_act", pdf("eds/"+p.id+"/survey_act"), nil, localstack.SignerSTS)
	if status != http.StatusOK {
		t.Fatalf("the act: %d %v", status, out)
	}
	key := out["upload"].(map[string]any)["key"]
	p.act(p.sts, day(11, 16, 10), "survey", "act", map[string]any{"documents": []map[string]any{{"kind": "survey_act", "key": key}}})
	p.act(p.authority, day(11, 17, 10), "decision", "issue", nil)
	p.act(p.authority, day(11, 18, 10), "send_documents", "sent", nil)
	v := p.end("issued")
	n, _ := v["certificate"].(string)
	status, pub := as(t, localstack.DemoApplicant).do("GET", "/certificates/"+n, nil)
	if status != http.StatusOK || pub["signatureValid"] != true {
		t.Fatalf("the public entry: %d %v", status, pub)
	}
	payload, err := base64.StdEncoding.DecodeString(pub["payload"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(payload), `"signed":{"signer":"STS SAULE","bin":"`+localstack.LocalSTSBIN+`"`) {
		t.Fatalf("the signed payload does not cite the signed act: %s", payload)
	}
	if strings.Contains(string(payload), "800505400231") {
		t.Fatalf("the public payload holds the signer's IIN: %s", payload)
	}
}
