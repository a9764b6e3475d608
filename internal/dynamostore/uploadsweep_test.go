package dynamostore_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"attestation/internal/attestation"
	"attestation/internal/dynamostore"
)

// TestTheSweepsStoreOfExpiredUploads: a pending upload is listed by the due index once its
// declaration has expired, and not before; a confirmed one never. Marking one expired is
// conditional on it being pending (or marked already), and keeps it listed; a confirm of an upload
// marked expired fails its condition; dropping one is conditional on it being marked, and
// dropping one that is gone does nothing.
func TestTheSweepsStoreOfExpiredUploads(t *testing.T) {
	ctx := context.Background()
	s := uploadsStore()
	w := dynamostore.NewExpiredUploads(stack.Clients.DynamoDB, stack.Template.Tables[0].Name)
	scope := "C-" + randomHex(t, 8)
	abandoned := pendingUpload(t, attestation.ScopeCase, scope, "act")
	kept := pendingUpload(t, attestation.ScopeCase, scope, "signed_contract")
	later := pendingUpload(t, attestation.ScopeCase, scope, "rectification")
	later.CreatedAt = uploadsAt.Add(2 * time.Hour)
	for _, u := range []attestation.Upload{abandoned, kept, later} {
		createUpload(t, s, u)
	}
	if err := s.ConfirmUpload(ctx, confirmed(kept, "v-1")); err != nil {
		t.Fatal(err)
	}
	listed := func(at time.Time) []string {
		t.Helper()
		ids, err := w.ExpiredUploads(ctx, at, 100000)
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	before := listed(abandoned.ExpiresAt().Add(-time.Second))
	if slices.Contains(before, abandoned.ID) {
		t.Fatal("listed before its declaration expired")
	}
	at := abandoned.ExpiresAt()
	ids := listed(at)
	if !slices.Contains(ids, abandoned.ID) || slices.Contains(ids, kept.ID) || slices.Contains(ids, later.ID) {
		t.Fatalf("expired at %s: %v; want %s, not %s nor %s", at, ids, abandoned.ID, kept.ID, later.ID)
	}
	if got, err := w.ExpiredUploads(ctx, at, 1); err != nil || len(got) != 1 {
		t.Fatalf("limit 1: %v %v", got, err)
	}

	if err := w.ExpireUpload(ctx, kept.ID); !errors.Is(err, attestation.ErrConflict) {
		t.Fatalf("expire a confirmed upload: %v, want a conflict", err)
	}
	if err := w.ExpireUpload(ctx, newUploadID(t)); !errors.Is(err, attestation.ErrNotFound) {
		t.Fatalf("expire an upload that is not there: %v, want not found", err)
	}
	if err := w.DropUpload(ctx, later.ID); !errors.Is(err, attestation.ErrConflict) {
		t.Fatalf("drop a pending upload: %v, want a conflict", err)
	}
	for range 2 {
		if err := w.ExpireUpload(ctx, abandoned.ID); err != nil {
			t.Fatalf("expire: %v", err)
		}
	}
	if u, err := s.GetUpload(ctx, abandoned.ID); err != nil || u.State != attestation.UploadExpired {
		t.Fatalf("marked: %+v %v", u, err)
	}
	if err := s.ConfirmUpload(ctx, confirmed(abandoned, "v-2")); !errors.Is(err, attestation.ErrConflict) {
		t.Fatalf("confirm an upload marked expired: %v, want a conflict", err)
	}
	if !slices.Contains(listed(at), abandoned.ID) {
		t.Fatal("an upload marked expired left the index before it was dropped")
	}
	for range 2 {
		if err := w.DropUpload(ctx, abandoned.ID); err != nil {
			t.Fatalf("drop: %v", err)
		}
	}
	if _, err := s.GetUpload(ctx, abandoned.ID); !errors.Is(err, attestation.ErrNotFound) {
		t.Fatalf("dropped upload read back: %v", err)
	}
	if slices.Contains(listed(at), abandoned.ID) {
		t.Fatal("a dropped upload is still listed")
	}
	if u, err := s.GetUpload(ctx, kept.ID); err != nil || u.State != attestation.UploadConfirmed {
		t.Fatalf("the confirmed upload: %+v %v", u, err)
	}
}
