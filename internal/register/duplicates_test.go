package register

import (
	"context"
	"slices"
	"testing"
	"time"

	"attestation/internal/attestation"
)

// §48: the duplicate of a lost or damaged certificate.

func TestDuplicatePar48(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	e := f.issue(t, "state_is", issuedAt)
	// Filed Monday 2026-11-02 at 13:30, in the lunch break: received at 14:30; 5 working days:
	// Tue 3 - Mon 9 November.
	filed := at(2026, 11, 2, 13, 30)
	var req DuplicateRequest
	t.Run("§48 the owner notifies loss; the duplicate is due in 5 working days of receipt", func(t *testing.T) {
		_, _, err := f.svc.RequestDuplicate(ctx, owner, e.Number, DuplicateInput{Reason: "stolen"}, filed)
		mustRefuse(t, err, "reason")
		var got Entry
		got, req, err = f.svc.RequestDuplicate(ctx, owner, e.Number, DuplicateInput{Reason: DuplicateLost}, filed)
		if err != nil || req.ID != "d1" || !req.ReceivedAt.Equal(at(2026, 11, 2, 14, 30)) || !req.DueAt.Equal(endOf(2026, 11, 9)) || len(got.Duplicates) != 1 {
			t.Fatalf("%+v %v", req, err)
		}
		again, r2, err := f.svc.RequestDuplicate(ctx, owner, e.Number, DuplicateInput{Reason: DuplicateLost}, filed.Add(time.Hour))
		if err != nil || r2.ID != "d1" || again.Revision != got.Revision {
			t.Fatalf("repeat: %+v %v", r2, err)
		}
		_, _, err = f.svc.RequestDuplicate(ctx, owner, e.Number, DuplicateInput{Reason: DuplicateDamaged}, filed.Add(time.Hour))
		mustErr(t, err, attestation.ErrConflict)
	})
	t.Run("§48 a duplicate not issued in time is flagged overdue once", func(t *testing.T) {
		if got := f.check(t, endOf(2026, 11, 9)); len(got) != 0 {
			t.Fatalf("on the last day: %v", got)
		}
		if got := f.check(t, at(2026, 11, 10, 9, 0)); !slices.Equal(got, []string{"duplicate/" + e.Number + "/d1"}) {
			t.Fatalf("flags %v", got)
		}
		if got := f.check(t, at(2026, 11, 10, 9, 0)); len(got) != 0 {
			t.Fatalf("again: %v", got)
		}
	})
	t.Run("§48 the authority issues the duplicate; a repeat answers it", func(t *testing.T) {
		_, _, err := f.svc.IssueDuplicate(ctx, authority, e.Number, "d7", at(2026, 11, 10, 10, 0))
		mustErr(t, err, ErrDuplicateNotFound)
		_, _, err = f.svc.IssueDuplicate(ctx, owner, e.Number, req.ID, at(2026, 11, 10, 10, 0))
		mustErr(t, err, attestation.ErrForbidden)
		got, d, err := f.svc.IssueDuplicate(ctx, authority, e.Number, req.ID, at(2026, 11, 10, 10, 0))
		if err != nil || d.IssuedAt == nil || d.Document == nil || f.dup.calls != 1 {
			t.Fatalf("%+v %v", d, err)
		}
		if p := got.PublicView().Duplicates; len(p) != 1 || p[0].SHA256 != d.Document.SHA256 {
			t.Fatalf("public view %+v", p)
		}
		again, d2, err := f.svc.IssueDuplicate(ctx, authority, e.Number, req.ID, at(2026, 11, 10, 11, 0))
		if err != nil || again.Revision != got.Revision || !d2.IssuedAt.Equal(*d.IssuedAt) || f.dup.calls != 1 {
			t.Fatalf("repeat: %+v %v, %d duplicates made", d2, err, f.dup.calls)
		}
		// A new request may follow once the first is issued.
		_, r2, err := f.svc.RequestDuplicate(ctx, owner, e.Number, DuplicateInput{Reason: DuplicateDamaged}, at(2026, 12, 1, 10, 0))
		if err != nil || r2.ID != "d2" {
			t.Fatalf("%+v %v", r2, err)
		}
	})
	f.verifyChain(t)
}
