package attestation

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// declareOnly declares body as document doc of a draft and, if put, PUTs it (times over), never
// confirming it.
func (h *uploadHarness) declareOnly(draftID, doc string, body []byte, puts int) Upload {
	h.t.Helper()
	u, _, err := h.svc.RequestDraftUpload(h.ctx, applicant, draftID, declaration(doc, "application/pdf", body), h.tick())
	if err != nil {
		h.t.Fatalf("request upload of %s to %s: %v", doc, draftID, err)
	}
	for range puts {
		h.files.put(u.DocumentKey(), u.ContentType, body)
	}
	return u
}

func (h *uploadHarness) sweep(w *UploadSweep, at time.Time) UploadSweepReport {
	h.t.Helper()
	out, err := w.Check(h.ctx, at)
	if err != nil {
		h.t.Fatalf("sweep at %s: %v", at, err)
	}
	return out.(UploadSweepReport)
}

// TestExpiredUploadsAreSwept: a declaration not confirmed within PendingUploadTTL has expired:
// confirm refuses it, and the deadline check's sweep deletes every version PUT for it and then the
// declaration, once; a confirmed upload, and one whose declaration has not expired, are left as
// they are.
func TestExpiredUploadsAreSwept(t *testing.T) {
	h := newUploadHarness(t)
	d := h.newDraft()
	abandoned := h.declareOnly(d.ID, "application", pdf("abandoned"), 2)
	neverPut := h.declareOnly(d.ID, "terms_of_reference", pdf("never put"), 0)
	kept := h.draftUpload(d.ID, "application")
	expiry := abandoned.ExpiresAt()
	if !expiry.Equal(abandoned.CreatedAt.Add(24 * time.Hour)) {
		t.Fatalf("expires at %s, declared at %s", expiry, abandoned.CreatedAt)
	}
	h.now = expiry.Add(time.Hour)
	fresh := h.declareOnly(d.ID, "terms_of_reference", pdf("fresh"), 1)
	w, err := NewUploadSweep(h.ups, h.files, nil)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("a confirm after the declaration expired is refused", func(t *testing.T) {
		_, err := h.svc.ConfirmUpload(h.ctx, applicant, abandoned.ID, h.now)
		ps := refusal(t, err)
		if len(ps) != 1 || !strings.Contains(ps[0].Message, "declare the file again") {
			t.Fatalf("problems %v", ps)
		}
		res, err := h.svc.ConfirmDraftUploads(h.ctx, applicant, d.ID, []string{abandoned.ID}, h.now)
		if err != nil || len(res) != 1 || res[0].Err == nil || res[0].Upload != nil {
			t.Fatalf("batch confirm: %+v %v", res, err)
		}
		refusal(t, res[0].Err)
		if u := h.storedUpload(abandoned.ID); u.State != UploadPending {
			t.Fatalf("a refused confirm changed the upload: %s", u.State)
		}
	})

	t.Run("the sweep deletes the bytes and the declaration of each expired upload", func(t *testing.T) {
		rep := h.sweep(w, h.now)
		if rep != (UploadSweepReport{Expired: 2, Versions: 2}) {
			t.Fatalf("report %+v", rep)
		}
		for _, u := range []Upload{abandoned, neverPut} {
			if _, err := h.ups.GetUpload(h.ctx, u.ID); !errors.Is(err, ErrNotFound) {
				t.Errorf("the declaration of %s is still there: %v", u.ID, err)
			}
			if n := h.files.versionsOf(u.DocumentKey()); n != 0 {
				t.Errorf("%d versions of %s left", n, u.DocumentKey())
			}
		}
		if u := h.storedUpload(kept.ID); u.State != UploadConfirmed || h.files.versionsOf(kept.DocumentKey()) != 1 {
			t.Errorf("the confirmed upload was touched: %s, %d versions", u.State, h.files.versionsOf(kept.DocumentKey()))
		}
		if dr, _ := h.check(d.ID); dr.Package.Documents["application"].VersionID != kept.VersionID {
			t.Errorf("the draft's document changed: %+v", dr.Package.Documents["application"])
		}
		if u := h.storedUpload(fresh.ID); u.State != UploadPending || h.files.versionsOf(fresh.DocumentKey()) != 1 {
			t.Errorf("an upload not expired yet was touched: %s", u.State)
		}
	})

	t.Run("a second run finds nothing more", func(t *testing.T) {
		if rep := h.sweep(w, h.now); rep != (UploadSweepReport{}) {
			t.Fatalf("report %+v", rep)
		}
	})

	t.Run("an upload confirmed after the index listed it is left alone", func(t *testing.T) {
		h.ups.lagging = []string{kept.ID}
		defer func() { h.ups.lagging = nil }()
		if rep := h.sweep(w, h.now); rep != (UploadSweepReport{Confirmed: 1}) {
			t.Fatalf("report %+v", rep)
		}
		if u := h.storedUpload(kept.ID); u.State != UploadConfirmed || h.files.versionsOf(kept.DocumentKey()) != 1 {
			t.Fatalf("the confirmed upload was touched: %s", u.State)
		}
	})
}

// TestTheSweepIsBoundedAndResumes: a run ends at most its limit of declarations and says more are
// left; an upload whose bytes could not be deleted stays marked expired (no confirm takes it) and
// the next run ends it.
func TestTheSweepIsBoundedAndResumes(t *testing.T) {
	h := newUploadHarness(t)
	d := h.newDraft()
	var us []Upload
	for _, doc := range []string{"application", "terms_of_reference", "network_diagram"} {
		us = append(us, h.declareOnly(d.ID, doc, pdf(doc), 1))
	}
	h.now = h.now.Add(PendingUploadTTL)
	base, err := NewUploadSweep(h.ups, h.files, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := base.WithLimit(2)
	h.files.failDelete = errors.New("S3 is throttling")
	out, err := w.Check(h.ctx, h.now)
	if err == nil || !strings.Contains(err.Error(), "S3 is throttling") {
		t.Fatalf("a failed delete does not fail the run: %v", err)
	}
	if rep := out.(UploadSweepReport); rep != (UploadSweepReport{Expired: 1, Versions: 1, More: true}) {
		t.Fatalf("first run %+v", rep)
	}
	expired := 0
	for _, u := range us {
		if got, err := h.ups.GetUpload(h.ctx, u.ID); err == nil && got.State == UploadExpired {
			expired++
			if _, err := h.svc.ConfirmUpload(h.ctx, applicant, u.ID, h.now); err == nil {
				t.Fatalf("an upload marked expired was confirmed")
			}
		}
	}
	if expired != 1 {
		t.Fatalf("%d uploads marked expired after the failed delete, want 1", expired)
	}
	if rep := h.sweep(w, h.now); rep != (UploadSweepReport{Expired: 2, Versions: 2}) {
		t.Fatalf("second run %+v", rep)
	}
	if n := h.ups.uploadCount(); n != 0 {
		t.Fatalf("%d declarations left", n)
	}
}
