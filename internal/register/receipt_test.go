package register

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
)

type noLinks struct{}

// publicStore is the fixture's store with the public search (memSearcher).
type publicStore struct {
	*memStore
	memSearcher
}

func (noLinks) PresignGet(context.Context, string, string, time.Duration) (attestation.Presigned, error) {
	return attestation.Presigned{URL: "https://example/x"}, nil
}

// §25, §28: a certificate entered but not yet sent to its owner is the authority's alone: neither
// its owner nor the public reads its number, entry or PDF until the owner receives it.
func TestPar28EntryAwaitingReceiptIsTheAuthoritysAlone(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	e := f.issue(t, "nonstate_is", issuedAt)
	e.AwaitingReceipt = true
	next, err := Next(ctx, f.signer, e, e, issuedAt.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.PutEntry(ctx, next, Revision{Number: next.Revision, At: next.UpdatedAt, Seal: next.Seal}); err != nil {
		t.Fatal(err)
	}
	now := issuedAt.Add(time.Hour)
	notFound := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, apperr.NotFound) {
			t.Errorf("%s: %v, want not found", what, err)
		}
	}
	_, err = f.svc.Get(ctx, owner, e.Number, now)
	notFound("the owner's read", err)
	if list, _, err := f.svc.List(ctx, owner, CertificateQuery{}, 10, "", now); err != nil || len(list) != 0 {
		t.Errorf("the owner's list: %v %v", list, err)
	}
	_, err = f.svc.NotifyMonitoring(ctx, owner, e.Number, now)
	notFound("the owner's notice", err)
	if _, err := f.svc.Get(ctx, authority, e.Number, now); err != nil {
		t.Errorf("the authority's read: %v", err)
	}
	pub := NewPublicService(publicStore{f.store, memSearcher{f.store}}, f.signer, "local-test", "", noLinks{}, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	_, err = pub.Verify(ctx, e.Number, now)
	notFound("the public verification", err)
	_, err = pub.History(ctx, e.Number)
	notFound("the public history", err)
	_, _, err = pub.CertificateDocument(ctx, owner, e.Number, CopyCurrent)
	notFound("the owner's PDF", err)
	if _, _, err := pub.CertificateDocument(ctx, authority, e.Number, CopyCurrent); err != nil {
		t.Errorf("the authority's PDF: %v", err)
	}
	if page, err := Search(ctx, memSearcher{f.store}, Query{Limit: 10}, now); err != nil || len(page.Entries) != 0 {
		t.Errorf("the public search: %v %v", page.Entries, err)
	}
}

// §46: the 3 working days of the return run from the owner's receipt of the copy of the decision
// (attestation.ReceivedAt), which the API delivers with the decision.
func TestPar46ReturnRunsFromTheReceiptOfTheCopy(t *testing.T) {
	f := newFixture(t)
	e := f.issue(t, "state_is", issuedAt)
	decided := at(2026, 11, 2, 11, 0)
	got, err := f.svc.Recall(context.Background(), authority, e.Number, recall("owner_application"), decided)
	if err != nil {
		t.Fatal(err)
	}
	received, ok := attestation.ReceivedAt(attestation.SentOnline(decided))
	due, derr := f.ed.Due(f.cal, "certificate_return", received)
	if !ok || derr != nil || !got.Recall.ReturnDueAt.Equal(due.At) || !got.Recall.ReturnDueAt.Equal(endOf(2026, 11, 5)) {
		t.Fatalf("return due %s, want 3 working days from the receipt %s (%v)", got.Recall.ReturnDueAt, received, derr)
	}
}
