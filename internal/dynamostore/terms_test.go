package dynamostore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"attestation/internal/attestation"
	"attestation/internal/identity"
)

// TestStd4TermWatch: the receipt's write puts the service term's watch in its transaction; the
// deadline check's query finds it once due; the overdue flag's write drops it.
func TestStd4TermWatch(t *testing.T) {
	ctx := context.Background()
	due := time.Date(2099, 1, 5, 18, 59, 59, 0, time.UTC)
	c := newCase(uniqueID(t, "S-term"), due)
	if err := store.Create(ctx, c, event(1, "submitted")); err != nil {
		t.Fatal(err)
	}
	c.Version++
	c.Term = &attestation.ServiceTerm{DueAt: due, Paragraph: "standard §4"}
	if err := store.Update(ctx, c, attestation.Event{Seq: 2, At: due.Add(-time.Hour), Actor: "system", Role: identity.Scheduler, What: "receipt recorded"}); err != nil {
		t.Fatal(err)
	}
	if ids, err := store.TermsDue(ctx, due.Add(-time.Second), 1000); err != nil || slices.Contains(ids, c.ID) {
		t.Fatalf("before its due moment: %v %v", ids, err)
	}
	ids, err := store.TermsDue(ctx, due, 1000)
	if err != nil || !slices.Contains(ids, c.ID) {
		t.Fatalf("at its due moment: %v %v", ids, err)
	}
	c.Version++
	c.Term.Overdue = true
	if err := store.Update(ctx, c, attestation.Event{Seq: 3, At: due, Actor: "deadline-check", Role: identity.Scheduler, What: "service term overdue: x"}); err != nil {
		t.Fatal(err)
	}
	if ids, err := store.TermsDue(ctx, due, 1000); err != nil || slices.Contains(ids, c.ID) {
		t.Fatalf("after the flag: %v %v", ids, err)
	}
	got, err := store.Get(ctx, c.ID)
	if err != nil || got.Term == nil || !got.Term.Overdue || !got.Term.DueAt.Equal(due) {
		t.Fatalf("%+v %v", got.Term, err)
	}
	if err := store.DropTermWatch(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
}
