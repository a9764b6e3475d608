package dynamostore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"attestation/internal/attestation"
)

// TestDraftUploadsAreCreatedAndConfirmedInOneWriteEach: many uploads of a draft are created in
// one transaction that counts them all against the draft's limit (all or none), and confirmed in
// one transaction that attaches each to the draft by one update; a confirm of which one upload is
// no longer pending writes nothing.
func TestDraftUploadsAreCreatedAndConfirmedInOneWriteEach(t *testing.T) {
	ctx := context.Background()
	s := uploadsStore()
	d := openDraft(t)
	createDraft(t, s, d)
	var us []attestation.Upload
	for i := range 3 {
		us = append(us, pendingUpload(t, attestation.ScopeDraft, d.ID, fmt.Sprintf("annex3_%02d", i+1)))
	}
	if err := s.CreateUploads(ctx, us, 4); err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		if got := getUpload(t, s, u.ID); got.State != attestation.UploadPending {
			t.Fatalf("stored %+v", got)
		}
	}
	// Two more would pass the limit of 4: neither is stored.
	more := []attestation.Upload{pendingUpload(t, attestation.ScopeDraft, d.ID, "a"), pendingUpload(t, attestation.ScopeDraft, d.ID, "b")}
	if err := s.CreateUploads(ctx, more, 4); !errors.Is(err, attestation.ErrTooManyUploads) {
		t.Fatalf("past the limit: %v", err)
	}
	if _, err := s.GetUpload(ctx, more[0].ID); !errors.Is(err, attestation.ErrNotFound) {
		t.Fatalf("an upload of a refused batch was stored: %v", err)
	}
	if err := s.CreateUploads(ctx, more[:1], 4); err != nil {
		t.Fatalf("one more, to the limit: %v", err)
	}

	// One of them confirmed alone first: the batch that names it writes nothing.
	if err := s.ConfirmUpload(ctx, confirmed(us[0], "v0")); err != nil {
		t.Fatal(err)
	}
	batch := []attestation.Upload{confirmed(us[0], "v0"), confirmed(us[1], "v1"), confirmed(us[2], "v2")}
	if err := s.ConfirmUploads(ctx, batch); !errors.Is(err, attestation.ErrConflict) {
		t.Fatalf("a batch naming a confirmed upload: %v", err)
	}
	if got := getUpload(t, s, us[1].ID); got.State != attestation.UploadPending {
		t.Fatalf("a failed batch confirmed %s", us[1].ID)
	}
	before := getDraft(t, s, d.ID)
	if err := s.ConfirmUploads(ctx, batch[1:]); err != nil {
		t.Fatal(err)
	}
	after := getDraft(t, s, d.ID)
	if after.Version != before.Version+1 || len(after.Package.Documents) != 3 {
		t.Fatalf("draft version %d → %d, documents %v", before.Version, after.Version, after.Package.Documents)
	}
	for _, u := range batch {
		if ref := after.Package.Documents[u.Document]; ref.Key != u.DocumentKey() || ref.VersionID != u.VersionID || ref.SHA256 != u.SHA256 {
			t.Fatalf("%s attached as %+v", u.Document, ref)
		}
		if got := getUpload(t, s, u.ID); got.State != attestation.UploadConfirmed || got.VersionID != u.VersionID {
			t.Fatalf("stored %+v", got)
		}
	}
}
