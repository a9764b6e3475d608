package attestation

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// TestDraftUploadsAreDeclaredAndConfirmedInOneCallEach: a package's documents declared in one
// call (one write of the uploads) and confirmed in one (one write that attaches them all), each
// checked as one upload is; a refusal of one upload leaves the others confirmed.
func TestDraftUploadsAreDeclaredAndConfirmedInOneCallEach(t *testing.T) {
	h := newUploadHarness(t)
	d, err := h.svc.CreateDraft(h.ctx, applicant, draftPackage(), h.tick())
	if err != nil {
		t.Fatal(err)
	}
	kinds := []string{"application", "terms_of_reference", "annex3_01"}
	bodies := map[string][]byte{}
	var ins []UploadRequest
	for _, k := range kinds {
		bodies[k] = pdf("the " + k)
		ins = append(ins, declaration(k, "application/pdf", bodies[k]))
	}
	declared, err := h.svc.RequestDraftUploads(h.ctx, applicant, d.ID, ins, h.tick())
	if err != nil {
		t.Fatal(err)
	}
	if len(declared) != len(kinds) || h.ups.uploadCount() != len(kinds) {
		t.Fatalf("declared %d, stored %d", len(declared), h.ups.uploadCount())
	}
	var ids []string
	for i, du := range declared {
		if du.Upload.Document != kinds[i] || du.Upload.State != UploadPending || !strings.Contains(du.Put.URL, du.Upload.DocumentKey()) {
			t.Fatalf("declared %d: %+v", i, du)
		}
		ids = append(ids, du.Upload.ID)
	}
	// The first two as declared; the third not a PDF at all.
	h.files.put(declared[0].Upload.DocumentKey(), "application/pdf", bodies[kinds[0]])
	h.files.put(declared[1].Upload.DocumentKey(), "application/pdf", bodies[kinds[1]])
	h.files.put(declared[2].Upload.DocumentKey(), "application/pdf", append([]byte("GIF89a"), bodies[kinds[2]][6:]...))
	results, err := h.svc.ConfirmDraftUploads(h.ctx, applicant, d.ID, ids, h.tick())
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range results[:2] {
		if r.Err != nil || r.Upload == nil || r.Upload.State != UploadConfirmed || r.ID != ids[i] {
			t.Fatalf("result %d: %+v", i, r)
		}
		if o, ok := h.files.version(r.Upload.VersionID); !ok || !bytes.Equal(o.body, bodies[kinds[i]]) {
			t.Fatalf("result %d pins %s", i, r.Upload.VersionID)
		}
	}
	if r := results[2]; r.Upload != nil || r.Err == nil {
		t.Fatalf("the upload that is not a PDF: %+v", r)
	} else if ps := refusal(t, r.Err); len(ps) != 1 || ps[0].Field != "sha256" && ps[0].Field != "contentType" {
		t.Fatalf("the upload that is not a PDF: %v", ps)
	}
	if stats, heads := h.files.requests(); stats != 3 || heads != 2 {
		t.Fatalf("%d stats and %d heads, want 3 and 2", stats, heads)
	}
	got, _, err := h.svc.GetDraft(h.ctx, applicant, d.ID, h.tick())
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Package.Documents) != 2 || got.Version != d.Version+1 ||
		got.Package.Documents[kinds[0]].VersionID != results[0].Upload.VersionID || got.Package.Documents[kinds[1]].Key != declared[1].Upload.DocumentKey() {
		t.Fatalf("draft version %d documents %+v", got.Version, got.Package.Documents)
	}
	if s := h.storedUpload(ids[2]); s.State != UploadPending {
		t.Fatalf("the refused upload is %+v", s)
	}
	// Confirming them again answers the confirmed ones again, without asking S3.
	again, err := h.svc.ConfirmDraftUploads(h.ctx, applicant, d.ID, ids[:2], h.tick())
	if err != nil || again[0].Upload == nil || again[0].Upload.VersionID != results[0].Upload.VersionID {
		t.Fatalf("again: %+v %v", again, err)
	}
	if stats, _ := h.files.requests(); stats != 3 {
		t.Fatalf("a confirmed upload was checked again: %d stats", stats)
	}

	t.Run("a declaration refused refuses the call, naming its item, and writes nothing", func(t *testing.T) {
		before := h.ups.uploadCount()
		bad := declaration("annex3_02", "text/html", pdf("x"))
		_, err := h.svc.RequestDraftUploads(h.ctx, applicant, d.ID, []UploadRequest{declaration("annex3_02", "application/pdf", pdf("x")), bad,
			declaration("no_such_document", "application/pdf", pdf("y"))}, h.tick())
		ps := refusal(t, err)
		if got := problemFields(ps); len(got) != 2 || got[0] != "uploads[1].contentType" || got[1] != "uploads[2].document" {
			t.Fatalf("fields %v (%v)", got, ps)
		}
		if h.ups.uploadCount() != before {
			t.Fatal("a refused batch stored uploads")
		}
	})
	t.Run("the size of a batch is limited", func(t *testing.T) {
		for _, n := range []int{0, MaxBatchUploads + 1} {
			_, err := h.svc.RequestDraftUploads(h.ctx, applicant, d.ID, make([]UploadRequest, n), h.tick())
			if ps := refusal(t, err); ps[0].Field != "uploads" {
				t.Fatalf("%d: %v", n, ps)
			}
			_, err = h.svc.ConfirmDraftUploads(h.ctx, applicant, d.ID, make([]string, n), h.tick())
			if ps := refusal(t, err); ps[0].Field != "uploads" {
				t.Fatalf("%d: %v", n, ps)
			}
		}
	})
	t.Run("an upload named twice, or two of one document, refuses the call", func(t *testing.T) {
		_, err := h.svc.ConfirmDraftUploads(h.ctx, applicant, d.ID, []string{ids[2], ids[2]}, h.tick())
		if ps := refusal(t, err); ps[0].Field != "uploads[1]" {
			t.Fatalf("%v", ps)
		}
		second, err := h.svc.RequestDraftUploads(h.ctx, applicant, d.ID, []UploadRequest{declaration(kinds[2], "application/pdf", bodies[kinds[2]])}, h.tick())
		if err != nil {
			t.Fatal(err)
		}
		_, err = h.svc.ConfirmDraftUploads(h.ctx, applicant, d.ID, []string{ids[2], second[0].Upload.ID}, h.tick())
		if ps := refusal(t, err); ps[0].Field != "uploads[1]" || !strings.Contains(ps[0].Message, kinds[2]) {
			t.Fatalf("%v", ps)
		}
	})
	t.Run("another organisation's draft and uploads are not found", func(t *testing.T) {
		_, err := h.svc.ConfirmDraftUploads(h.ctx, otherApplicant, d.ID, ids, h.tick())
		mustErr(t, err, ErrNotFound)
		_, err = h.svc.RequestDraftUploads(h.ctx, otherApplicant, d.ID, ins, h.tick())
		mustErr(t, err, ErrNotFound)
		other, err := h.svc.CreateDraft(h.ctx, applicant, draftPackage(), h.tick())
		if err != nil {
			t.Fatal(err)
		}
		// The uploads of one draft named under another.
		results, err := h.svc.ConfirmDraftUploads(h.ctx, applicant, other.ID, []string{ids[2], "U-" + strings.Repeat("0", 32)}, h.tick())
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range results {
			if r.Upload != nil || !errors.Is(r.Err, ErrNotFound) {
				t.Fatalf("%+v", r)
			}
		}
	})
	t.Run("a string that is no upload ID is bad input, refused whole", func(t *testing.T) {
		_, err := h.svc.ConfirmDraftUploads(h.ctx, applicant, d.ID, []string{ids[0], "U-nonsense"}, h.tick())
		var refused *UploadRefused
		if !errors.As(err, &refused) || len(refused.Problems) != 1 || refused.Problems[0].Field != "uploads[1]" {
			t.Fatalf("%v", err)
		}
	})
}
