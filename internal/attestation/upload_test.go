package attestation

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The upload flow (declare, PUT to the document's key, confirm), drafts (§13) and the documents
// of a step, on in-memory fakes of the uploads store and the documents bucket.

// TestConfirmUploadPinsTheRightBytes: the PUT goes to the document's own key; confirm asks S3 for
// the object's facts and its first bytes (two requests, no read-through, no copy, no delete) and
// pins the version it checked.
func TestConfirmUploadPinsTheRightBytes(t *testing.T) {
	h := newUploadHarness(t)
	id := h.newCase(caseSpec{})
	body := pdf("the signed contract")
	req := declaration(DocSignedContract, "application/pdf", body)
	req.SHA256 = strings.ToUpper(req.SHA256) // a declaration in upper case is taken
	u, p, err := h.svc.RequestCaseUpload(h.ctx, applicant, id, req, h.tick())
	if err != nil {
		t.Fatal(err)
	}
	if !validUploadID(u.ID) || u.State != UploadPending || u.Scope != ScopeCase || u.ScopeID != id || u.Organization != applicantBIN ||
		u.SHA256 != strings.ToLower(req.SHA256) || u.Key != "" || u.VersionID != "" || u.ConfirmedAt != nil {
		t.Fatalf("declared upload %+v", u)
	}
	if p.Method != "PUT" || !strings.Contains(p.URL, u.DocumentKey()) || p.Headers["Content-Type"] != "application/pdf" ||
		p.ExpiresAt.IsZero() || !p.ExpiresAt.Equal(h.now.Add(UploadURLExpiry).UTC()) {
		t.Fatalf("presigned %+v", p)
	}
	if got := h.storedUpload(u.ID); got.State != UploadPending {
		t.Fatalf("stored %+v", got)
	}

	got := h.putAndConfirm(applicant, u, body)
	if got.State != UploadConfirmed || got.Key != DocumentPrefix+u.ID || got.Key != u.DocumentKey() || got.VersionID == "" ||
		got.ConfirmedAt == nil || !got.ConfirmedAt.Equal(h.now) || UploadIDOfKey(got.Key) != u.ID {
		t.Fatalf("confirmed %+v", got)
	}
	if stats, heads := h.files.requests(); stats != 1 || heads != 1 {
		t.Fatalf("confirm asked S3 %d times for the facts and %d times for the first bytes, want once each", stats, heads)
	}
	o, ok := h.files.object(u.DocumentKey())
	if !ok || !bytes.Equal(o.body, body) || o.version != got.VersionID || o.contentType != "application/pdf" {
		t.Fatalf("document %+v %v", o, ok)
	}
	if s := h.storedUpload(u.ID); s.State != UploadConfirmed || s.Key != got.Key || s.VersionID != got.VersionID {
		t.Fatalf("stored %+v", s)
	}
}

func TestConfirmUploadRefusesBytesThatAreNotWhatWasDeclared(t *testing.T) {
	good := pdf("the signed contract")
	for _, tc := range []struct {
		name, field, says string
		ct                string
		body              []byte
	}{
		{"a wrong SHA-256", "sha256", "SHA-256", "application/pdf", pdf("the signed CONTRACT")},
		{"a wrong size", "size", "bytes", "application/pdf", append(slices.Clone(good), '\n')},
		{"a wrong content type", "contentType", "image/png", "image/png", good},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.field == "sha256" && len(tc.body) != len(good) {
				t.Fatal("the bytes of another SHA-256 must have the declared size")
			}
			h := newUploadHarness(t)
			id := h.newCase(caseSpec{})
			u := h.caseUpload(applicant, id, DocSignedContract, good)
			h.files.put(u.DocumentKey(), tc.ct, tc.body)
			refused, _ := h.files.object(u.DocumentKey())
			_, err := h.svc.ConfirmUpload(h.ctx, applicant, u.ID, h.tick())
			ps := refusal(t, err)
			if len(ps) != 1 || ps[0].Field != tc.field || ps[0].Rule != ruleUpload || !strings.Contains(ps[0].Message, tc.says) {
				t.Fatalf("problems %v, want one of %s", ps, tc.field)
			}
			if s := h.storedUpload(u.ID); s.State != UploadPending || s.Key != "" || s.ConfirmedAt != nil || s.VersionID != "" {
				t.Fatalf("after a refusal the upload is %+v", s)
			}
			// The right file PUT to the same URL is then confirmed.
			got := h.putAndConfirm(applicant, u, good)
			if got.State != UploadConfirmed || got.VersionID == "" {
				t.Fatalf("confirmed %+v", got)
			}
			if o, ok := h.files.version(got.VersionID); !ok || !bytes.Equal(o.body, good) || got.VersionID == refused.version {
				t.Fatal("the right bytes are not the document")
			}
		})
	}
	t.Run("bytes that are not a PDF though declared and summed as one", func(t *testing.T) {
		h := newUploadHarness(t)
		id := h.newCase(caseSpec{})
		html := []byte("<html><body>not a contract</body></html>")
		u := h.caseUpload(applicant, id, DocSignedContract, html) // the declaration matches the bytes
		h.files.put(u.DocumentKey(), "application/pdf", html)
		_, err := h.svc.ConfirmUpload(h.ctx, applicant, u.ID, h.tick())
		ps := refusal(t, err)
		if len(ps) != 1 || ps[0].Field != "contentType" || !strings.Contains(ps[0].Message, "not application/pdf") {
			t.Fatalf("problems %v", ps)
		}
		if s := h.storedUpload(u.ID); s.State != UploadPending {
			t.Fatalf("after a refusal the upload is %+v", s)
		}
		// Such a declaration can never be confirmed; the PDF is declared again and confirmed.
		u2 := h.caseUpload(applicant, id, DocSignedContract, good)
		if got := h.putAndConfirm(applicant, u2, good); got.State != UploadConfirmed {
			t.Fatalf("confirmed %+v", got)
		}
	})
	t.Run("each media type is checked by its first bytes", func(t *testing.T) {
		for ct, head := range map[string][]byte{
			"application/pdf": []byte("%PDF-1.4"), "image/png": []byte("\x89PNG\r\n\x1a\n...."), "image/jpeg": []byte("\xff\xd8\xff\xe0"),
			"image/tiff": []byte("II*\x00...."),
			"application/vnd.openxmlformats-officedocument.wordprocessingml.document": []byte("PK\x03\x04...."),
		} {
			if !sniff(ct, head) {
				t.Errorf("%s: %q not taken", ct, head)
			}
			if sniff(ct, []byte("GIF89a")) {
				t.Errorf("%s: a GIF taken", ct)
			}
		}
		if !sniff("image/tiff", []byte("MM\x00*....")) || sniff("text/html", []byte("<html>")) {
			t.Error("tiff big-endian not taken, or an unknown type taken")
		}
	})
}

func TestConfirmUploadTwiceReturnsTheSameUpload(t *testing.T) {
	h := newUploadHarness(t)
	id := h.newCase(caseSpec{})
	body := pdf("contract")
	u := h.caseUpload(applicant, id, DocSignedContract, body)
	first := h.putAndConfirm(applicant, u, body)
	again, err := h.svc.ConfirmUpload(h.ctx, applicant, u.ID, h.tick())
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != first.ID || again.State != UploadConfirmed || again.Key != first.Key || again.VersionID != first.VersionID ||
		again.ConfirmedAt == nil || !again.ConfirmedAt.Equal(*first.ConfirmedAt) {
		t.Fatalf("second confirm %+v, first %+v", again, first)
	}
	if stats, _ := h.files.requests(); stats != 1 || h.ups.confirms != 1 {
		t.Fatalf("%d checks with S3, %d confirms stored; want 1 and 1", stats, h.ups.confirms)
	}
}

func TestConfirmUploadSideBySideReturnsTheSameUpload(t *testing.T) {
	h := newUploadHarness(t)
	id := h.newCase(caseSpec{})
	body := pdf("contract")
	u := h.caseUpload(applicant, id, DocSignedContract, body)
	h.files.put(u.DocumentKey(), u.ContentType, body)
	h.files.statDelay = 20 * time.Millisecond // every confirm checks the object before any writes
	at := h.tick()
	const n = 4
	got := make([]Upload, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = h.svc.ConfirmUpload(h.ctx, applicant, u.ID, at)
		}()
	}
	wg.Wait()
	stored := h.storedUpload(u.ID)
	if stored.State != UploadConfirmed || stored.VersionID == "" {
		t.Fatalf("stored %+v", stored)
	}
	for i := range n {
		if errors.Is(errs[i], ErrConflict) {
			continue // "another request is confirming it; retry": a 409 the caller retries
		}
		if errs[i] != nil {
			t.Fatalf("bug: confirm %d of %d side by side: %v (a repeated delivery of a confirm fails instead of answering the confirmed upload)", i+1, n, errs[i])
		}
		if got[i].State != UploadConfirmed || got[i].VersionID != stored.VersionID {
			t.Fatalf("confirm %d: %+v, stored %+v", i+1, got[i], stored)
		}
	}
}

func TestConfirmUploadAfterAnInterruptedConfirmKeepsTheVersion(t *testing.T) {
	h := newUploadHarness(t)
	id := h.newCase(caseSpec{})
	body := pdf("contract")
	u := h.caseUpload(applicant, id, DocSignedContract, body)
	h.files.put(u.DocumentKey(), u.ContentType, body)
	h.ups.failConfirm = errors.New("throttled")
	if _, err := h.svc.ConfirmUpload(h.ctx, applicant, u.ID, h.tick()); err == nil {
		t.Fatal("a confirm whose write failed succeeded")
	}
	// A confirm again checks the same version and stores the upload confirmed, pinned to it.
	got, err := h.svc.ConfirmUpload(h.ctx, applicant, u.ID, h.tick())
	if err != nil {
		t.Fatal(err)
	}
	o, ok := h.files.object(u.DocumentKey())
	if !ok || got.State != UploadConfirmed {
		t.Fatalf("confirmed %+v, document there %v", got, ok)
	}
	if got.VersionID != o.version || h.storedUpload(u.ID).VersionID != o.version {
		t.Fatalf("a confirm after an interrupted one stores the upload with version %q, answers %q; "+
			"the document's version is %q", h.storedUpload(u.ID).VersionID, got.VersionID, o.version)
	}
}

func TestConfirmUploadOfNothingSaysToPUTFirst(t *testing.T) {
	h := newUploadHarness(t)
	id := h.newCase(caseSpec{})
	u := h.caseUpload(applicant, id, DocSignedContract, pdf("contract"))
	_, err := h.svc.ConfirmUpload(h.ctx, applicant, u.ID, h.tick())
	ps := refusal(t, err)
	if len(ps) != 1 || !strings.Contains(ps[0].Message, "PUT the file") || !strings.Contains(ps[0].Message, "then confirm") {
		t.Fatalf("problems %v", ps)
	}
	if s := h.storedUpload(u.ID); s.State != UploadPending {
		t.Fatalf("stored %+v", s)
	}
}

func TestUploadsOfAnotherOrganisationAreNotFound(t *testing.T) {
	h := newUploadHarness(t)
	id := h.newCase(caseSpec{})
	body := pdf("contract")
	u := h.caseUpload(applicant, id, DocSignedContract, body)
	h.files.put(u.DocumentKey(), u.ContentType, body)
	_, err := h.svc.ConfirmUpload(h.ctx, otherApplicant, u.ID, h.tick())
	mustErr(t, err, ErrNotFound)
	if s := h.storedUpload(u.ID); s.State != UploadPending {
		t.Fatalf("another organisation's confirm changed the upload: %+v", s)
	}
	if stats, heads := h.files.requests(); stats != 0 || heads != 0 {
		t.Fatal("another organisation's confirm reached the bytes")
	}
	_, _, err = h.svc.RequestCaseUpload(h.ctx, otherApplicant, id, declaration(DocSignedContract, "application/pdf", body), h.tick())
	mustErr(t, err, ErrNotFound)
	for _, bad := range []string{"", "U-", "U-" + strings.Repeat("A", 32), "U-" + strings.Repeat("0", 31), "X-" + strings.Repeat("0", 32), "U-" + strings.Repeat("0", 32)} {
		_, err := h.svc.ConfirmUpload(h.ctx, applicant, bad, h.tick())
		mustErr(t, err, ErrNotFound)
	}
	_, _, err = h.svc.RequestCaseUpload(h.ctx, applicant, "A-20261005-0000000000000000", declaration(DocSignedContract, "application/pdf", body), h.tick())
	mustErr(t, err, ErrNotFound)
	// Staff confirm what the applicant uploaded to a case (the STS and the authority act on it).
	if got, err := h.svc.ConfirmUpload(h.ctx, sts, u.ID, h.tick()); err != nil || got.State != UploadConfirmed {
		t.Fatalf("staff confirm: %+v %v", got, err)
	}
}

func TestUploadDeclarationIsChecked(t *testing.T) {
	h := newUploadHarness(t)
	id := h.newCase(caseSpec{})
	for _, tc := range []struct {
		name   string
		req    UploadRequest
		fields []string
	}{
		{"every field wrong", UploadRequest{Document: "", ContentType: "text/html", Size: 0, SHA256: "abc", Sheets: -1},
			[]string{"contentType", "document", "sha256", "sheets", "size"}},
		{"a size over the limit and a SHA-256 that is not hex", UploadRequest{Document: DocSignedContract, ContentType: "application/pdf",
			Size: MaxUploadBytes + 1, SHA256: strings.Repeat("g", 64)}, []string{"sha256", "size"}},
		{"a negative size and no content type", UploadRequest{Document: DocSignedContract, Size: -5, SHA256: strings.Repeat("a", 64)},
			[]string{"contentType", "size"}},
		{"a document id too long", UploadRequest{Document: strings.Repeat("d", MaxDocumentIDLength+1), ContentType: "image/png", Size: 1,
			SHA256: strings.Repeat("a", 64), Sheets: MaxSheets + 1}, []string{"document", "sheets"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := h.svc.RequestCaseUpload(h.ctx, applicant, id, tc.req, h.tick())
			ps := refusal(t, err)
			if got := problemFields(ps); !slices.Equal(got, tc.fields) {
				t.Fatalf("fields %v, want %v (%v)", got, tc.fields, ps)
			}
			for _, p := range ps {
				if p.Rule != ruleUpload || p.Message == "" {
					t.Fatalf("problem %+v", p)
				}
			}
		})
	}
	if n := h.ups.uploadCount(); n != 0 || len(h.files.presigns) != 0 {
		t.Fatalf("a refused declaration stored %d uploads and presigned %d PUTs", n, len(h.files.presigns))
	}
	ps := refusal(t, func() error {
		_, _, err := h.svc.RequestCaseUpload(h.ctx, applicant, id, UploadRequest{Document: "x", ContentType: "text/plain", Size: 1, SHA256: strings.Repeat("a", 64)}, h.tick())
		return err
	}())
	if !strings.Contains(ps[0].Message, "application/pdf") {
		t.Fatalf("the refusal of a content type does not list the accepted ones: %v", ps)
	}
}

func TestUploadIDOfKey(t *testing.T) {
	id := "U-" + strings.Repeat("ab", 16)
	for key, want := range map[string]string{
		DocumentPrefix + id:                  id,
		"quarantine/" + id:                   "",
		id:                                   "",
		DocumentPrefix + strings.ToUpper(id): "",
		DocumentPrefix + id + "0":            "",
		DocumentPrefix + "U-" + strings.Repeat("g", 32): "",
		"cases/A-1/contract.pdf":                        "",
	} {
		if got := UploadIDOfKey(key); got != want {
			t.Errorf("UploadIDOfKey(%q) = %q, want %q", key, got, want)
		}
	}
}
