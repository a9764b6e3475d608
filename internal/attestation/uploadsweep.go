package attestation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// The sweep of expired uploads. A declared upload gets a presigned PUT that works for
// UploadURLExpiry; S3 keeps what was PUT under documents/<uploadId> whether or not anyone
// confirms it (the draft abandoned, the declaration left to expire). A declaration unconfirmed
// PendingUploadTTL after it was made has expired (confirm refuses it), and the daily deadline
// check ends it in three idempotent steps:
//
//  1. mark the declaration expired, on the condition that it is still pending (or already
//     marked): a confirm racing the sweep fails its own condition (pending), so the sweep never
//     touches a confirmed upload, nor anything a draft or a case attached (only confirmed uploads
//     are attached);
//  2. delete every version of its key (and every delete marker): the PUT URL expired long
//     before, so no new version can land;
//  3. delete the declaration.
//
// A run that stops between steps leaves the declaration marked and in the index, and the next run
// takes it up again. The count of uploads declared to a draft or a case is left as it is (an
// expired declaration still counts, MaxDraftUploads).

// MaxSweptUploads is how many expired declarations one run of the sweep ends; the rest wait for
// the next run (the report says more are left).
const MaxSweptUploads = 500

// ExpiredUploadStore is the declarations of uploads as the sweep sees them (DynamoDB in AWS).
type ExpiredUploadStore interface {
	// ExpiredUploads returns the IDs of uploads whose declaration expired at or before t and that
	// are pending or marked expired, at most limit, the longest expired first within each part of
	// the index. The index it reads may lag: an ID may be of an upload confirmed meanwhile.
	ExpiredUploads(ctx context.Context, t time.Time, limit int) ([]string, error)
	// ExpireUpload marks a pending upload expired (an expired one stays so): ErrConflict if it is
	// neither (confirmed), ErrNotFound if there is none.
	ExpireUpload(ctx context.Context, id string) error
	// DropUpload deletes the declaration of an upload marked expired; nothing if it is gone.
	// ErrConflict if it is not marked expired.
	DropUpload(ctx context.Context, id string) error
}

// DocumentVersions deletes what the documents bucket holds under a key (S3 in AWS).
type DocumentVersions interface {
	// DeleteVersions deletes every version of key, delete markers too, and returns how many it
	// deleted (none if there are none).
	DeleteVersions(ctx context.Context, key string) (int, error)
}

// UploadSweepReport is what one run of the sweep did.
type UploadSweepReport struct {
	Expired   int  `json:"expired"`             // declarations ended (their bytes and the declaration deleted)
	Versions  int  `json:"versions"`            // object versions and delete markers deleted
	Confirmed int  `json:"confirmed,omitempty"` // listed by the index but confirmed meanwhile: left alone
	More      bool `json:"more,omitempty"`      // the run stopped at MaxSweptUploads; the next run goes on
}

// UploadSweep is the deadline check's sweep of expired uploads.
type UploadSweep struct {
	store ExpiredUploadStore
	files DocumentVersions
	limit int
	log   *slog.Logger
}

// NewUploadSweep returns the sweep on the declarations in store and the bytes in files, ending at
// most MaxSweptUploads declarations a run; log may be nil.
func NewUploadSweep(store ExpiredUploadStore, files DocumentVersions, log *slog.Logger) (*UploadSweep, error) {
	if store == nil || files == nil {
		return nil, errors.New("upload sweep: a store and the documents are required")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &UploadSweep{store: store, files: files, limit: MaxSweptUploads, log: log}, nil
}

// WithLimit returns the sweep ending at most n declarations a run (n > 0).
func (w *UploadSweep) WithLimit(n int) *UploadSweep {
	c := *w
	if n > 0 {
		c.limit = n
	}
	return &c
}

// Check ends every upload whose declaration expired at or before now, at most the sweep's limit.
// An upload that fails is left for the next run; the others go on, and the run reports the
// failures together.
func (w *UploadSweep) Check(ctx context.Context, now time.Time) (any, error) {
	var rep UploadSweepReport
	ids, err := w.store.ExpiredUploads(ctx, now, w.limit+1)
	if err != nil {
		return rep, fmt.Errorf("expired uploads at %s: %w", now.UTC().Format(time.RFC3339), err)
	}
	if len(ids) > w.limit {
		ids, rep.More = ids[:w.limit], true
	}
	var failed []error
	for _, id := range ids {
		n, err := w.sweep(ctx, id)
		switch {
		case errors.Is(err, ErrConflict):
			rep.Confirmed++
		case errors.Is(err, ErrNotFound):
		case err != nil:
			failed = append(failed, err)
		default:
			rep.Expired++
			rep.Versions += n
		}
	}
	if rep.Expired > 0 || len(failed) > 0 {
		w.log.InfoContext(ctx, "expired uploads swept", "expired", rep.Expired, "versions", rep.Versions, "failed", len(failed), "more", rep.More)
	}
	return rep, errors.Join(failed...)
}

// sweep ends one expired upload: marked, its bytes deleted, its declaration deleted. ErrConflict:
// it was confirmed meanwhile, and nothing of it was touched.
func (w *UploadSweep) sweep(ctx context.Context, id string) (int, error) {
	if err := w.store.ExpireUpload(ctx, id); err != nil {
		return 0, fmt.Errorf("sweep upload %s: %w", id, err)
	}
	n, err := w.files.DeleteVersions(ctx, Upload{ID: id}.DocumentKey())
	if err != nil {
		return n, fmt.Errorf("sweep upload %s: %w", id, err)
	}
	if err := w.store.DropUpload(ctx, id); err != nil {
		return n, fmt.Errorf("sweep upload %s: %w", id, err)
	}
	return n, nil
}
