package attestation

import (
	"slices"
	"strings"
	"testing"
)

// The documents attached to a step's completion are confirmed uploads of the case.

func TestStepDocumentsAreConfirmedUploadsOfTheCase(t *testing.T) {
	hh := newHarness(t)
	c := hh.caseAt(StageSendContract, caseSpec{}, route{})
	other := hh.caseAt(StageSendContract, caseSpec{}, route{})
	h := withFiles(hh) // from here on, documents attached to steps must be uploads
	contract := pdf("contract of " + c.ID)
	u := h.putAndConfirm(sts, h.caseUpload(sts, c.ID, DocContract, contract), contract)

	refused := func(t *testing.T, doc Document, field, says string) {
		t.Helper()
		in := Completion{Step: string(StageSendContract), Outcome: OutcomeContractSent, Documents: []Document{doc}}
		_, err := h.svc.CompleteStep(h.ctx, sts, c.ID, in, h.tick())
		ps := refusal(t, err)
		if len(ps) != 1 || ps[0].Field != field || !strings.Contains(ps[0].Message, says) {
			t.Fatalf("problems %v, want %s: %q", ps, field, says)
		}
		h.unchanged(c)
		if n := h.wf.sends(c.OpenStep.Token); n != 0 {
			t.Fatalf("the engine was told %d times", n)
		}
	}
	t.Run("a key that is not a confirmed upload of this case is refused", func(t *testing.T) {
		refused(t, stepDoc(c.ID, DocContract), "documents[0].key", "not a document uploaded to this case")
		refused(t, Document{Kind: DocContract, Key: DocumentPrefix + "U-" + strings.Repeat("0", 32)}, "documents[0].key", "not a document uploaded")
		refused(t, Document{Kind: DocContract, Key: "quarantine/" + u.ID}, "documents[0].key", "not a document uploaded")
	})
	t.Run("an upload of another case is refused", func(t *testing.T) {
		body := pdf("contract of " + other.ID)
		ou := h.putAndConfirm(sts, h.caseUpload(sts, other.ID, DocContract, body), body)
		refused(t, Document{Kind: DocContract, Key: ou.Key}, "documents[0].key", "not a document uploaded to this case")
	})
	t.Run("an upload not confirmed yet is refused", func(t *testing.T) {
		pending := h.caseUpload(sts, c.ID, DocContract, pdf("pending"))
		refused(t, Document{Kind: DocContract, Key: pending.DocumentKey()}, "documents[0].key", "not confirmed")
	})
	t.Run("an upload of another kind is refused", func(t *testing.T) {
		body := pdf("an act")
		act := h.putAndConfirm(sts, h.caseUpload(sts, c.ID, DocSurveyAct, body), body)
		refused(t, Document{Kind: DocContract, Key: act.Key}, "documents[0].kind", DocSurveyAct)
	})
	t.Run("a stated SHA-256 other than the upload's is refused", func(t *testing.T) {
		refused(t, Document{Kind: DocContract, Key: u.Key, SHA256: stepDoc("x", "y").SHA256}, "documents[0].sha256", u.SHA256)
	})
	t.Run("a confirmed upload is pinned with its SHA-256 and version", func(t *testing.T) {
		in := Completion{Step: string(StageSendContract), Outcome: OutcomeContractSent,
			Documents: []Document{{Kind: DocContract, Key: u.Key, SHA256: strings.ToUpper(u.SHA256), VersionID: "a version the STS made up"}}}
		dec, err := h.svc.CompleteStep(h.ctx, sts, c.ID, in, h.tick())
		if err != nil {
			t.Fatal(err)
		}
		want := Document{Kind: DocContract, Key: u.Key, VersionID: u.VersionID, SHA256: u.SHA256, Step: string(StageSendContract)}
		if len(dec.Documents) != 1 || !equalDocument(dec.Documents[0], want) {
			t.Fatalf("decision documents %+v, want %+v", dec.Documents, want)
		}
		got := h.get(c.ID)
		i := slices.IndexFunc(got.Documents, func(d Document) bool { return d.Kind == DocContract })
		if i < 0 || !equalDocument(got.Documents[i], want) {
			t.Fatalf("case documents %+v", got.Documents)
		}
		// The applicant gets a link to that version; another organisation does not.
		doc, p, err := h.svc.DocumentLink(h.ctx, applicant, c.ID, u.Key)
		if err != nil || doc.VersionID != u.VersionID || p.Method != "GET" || !strings.Contains(p.URL, u.VersionID) {
			t.Fatalf("link %+v %+v %v", doc, p, err)
		}
		_, _, err = h.svc.DocumentLink(h.ctx, otherApplicant, c.ID, u.Key)
		mustErr(t, err, ErrNotFound)
		_, _, err = h.svc.DocumentLink(h.ctx, applicant, c.ID, DocumentPrefix+"U-"+strings.Repeat("1", 32))
		mustErr(t, err, ErrNotFound)
	})
}

func equalDocument(a, b Document) bool {
	return a.Kind == b.Kind && a.Key == b.Key && a.VersionID == b.VersionID && a.SHA256 == b.SHA256 && a.Step == b.Step &&
		(a.SentAt == nil) == (b.SentAt == nil)
}
