package dynamostore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"attestation/internal/attestation"
	"attestation/internal/dynamostore"
	"attestation/internal/identity"
	"attestation/internal/notice"
)

// TestOutboxWrittenInTheChangesTransaction: opening the applicant's §17 step writes the case and
// its notification in one transaction (one request); the same change written again (a repeated
// delivery) is refused whole, so the cabinet holds one notification; the case view's list and the
// cabinet read it; only its audience marks it read (issue 13).
func TestOutboxWrittenInTheChangesTransaction(t *testing.T) {
	ctx := context.Background()
	notes := dynamostore.NewNotices(stack.Clients.DynamoDB, stack.Template.Tables[0].Name)
	due := time.Date(2026, 10, 22, 18, 59, 59, 0, time.UTC)
	c := newCase(uniqueID(t, "S-note"), due)
	c.OrganizationBIN = "1205400" + uniqueHex(t, 5)[:5]
	c.OpenStep = nil
	c.Stage = attestation.StageSignContract
	if err := store.Create(ctx, c, event(1, "submitted")); err != nil {
		t.Fatal(err)
	}
	opened := c
	opened.Version++
	opened.OpenStep = &attestation.Step{Name: "sign_contract", Role: identity.Applicant, Token: "tok", OpenedAt: due.Add(-96 * time.Hour),
		DueAt: due, Paragraph: "§17"}
	if err := store.Update(ctx, opened); err != nil {
		t.Fatal(err)
	}
	if err := store.Update(ctx, opened); !errors.Is(err, attestation.ErrConflict) {
		t.Fatalf("the same change again: %v", err)
	}
	org := notice.Audience{BIN: c.OrganizationBIN}
	got, next, err := notes.ByAudience(ctx, org, 10, "")
	if err != nil || next != "" || len(got) != 1 {
		t.Fatalf("cabinet %+v %q %v", got, next, err)
	}
	n := got[0]
	if n.Kind != notice.ContractSent || n.Paragraph != "§17" || n.DueAt == nil || !n.DueAt.Equal(due) || n.CaseID != c.ID || !n.Unread() {
		t.Fatalf("§17 notification %+v", n)
	}
	byCase, err := notes.ByCase(ctx, c.ID, 10)
	if err != nil || len(byCase) != 1 || byCase[0].ID != n.ID {
		t.Fatalf("case list %+v %v", byCase, err)
	}
	if _, err := notes.MarkRead(ctx, notice.Audience{Role: identity.Authority}, n.ID, due); !errors.Is(err, attestation.ErrNotFound) {
		t.Fatalf("another audience marks it: %v", err)
	}
	read, err := notes.MarkRead(ctx, org, n.ID, due)
	if err != nil || read.Unread() || !read.ReadAt.Equal(due) {
		t.Fatalf("read %+v %v", read, err)
	}
	again, err := notes.MarkRead(ctx, org, n.ID, due.Add(time.Hour))
	if err != nil || !again.ReadAt.Equal(due) {
		t.Fatalf("read again moves readAt: %+v %v", again, err)
	}
	// Delivery: the event is marked published once; the outcome recorded once.
	if first, err := notes.MarkPublished(ctx, n.ID, "e-1"); err != nil || !first {
		t.Fatalf("publish %v %v", first, err)
	}
	if first, err := notes.MarkPublished(ctx, n.ID, "e-2"); err != nil || first {
		t.Fatalf("publish again %v %v", first, err)
	}
	if err := notes.RecordDelivery(ctx, n.ID, notice.Delivery{Outcome: notice.DeliverySent, EventID: "e-1", At: due}); err != nil {
		t.Fatal(err)
	}
	if err := notes.RecordDelivery(ctx, n.ID, notice.Delivery{Outcome: notice.DeliveryFailed, At: due}); err != nil {
		t.Fatal(err)
	}
	d, err := notes.Get(ctx, n.ID)
	if err != nil || d.Delivery == nil || d.Delivery.Outcome != notice.DeliverySent || d.Delivery.EventID != "e-1" {
		t.Fatalf("delivery %+v %v", d.Delivery, err)
	}
}

// TestFailedDeliveriesCountedUntilTheOutcome: each failed delivery of a notification not yet
// delivered adds one to its attempts, atomically, concurrent ones too; once an outcome is
// recorded none is counted (issue 13: failed after retries).
func TestFailedDeliveriesCountedUntilTheOutcome(t *testing.T) {
	ctx := context.Background()
	notes := dynamostore.NewNotices(stack.Clients.DynamoDB, stack.Template.Tables[0].Name)
	n := notice.Notification{ID: uniqueID(t, "R-attempts") + ".1", Kind: notice.Reminder, To: notice.Audience{BIN: "120540001238"},
		At: time.Date(2026, 10, 22, 5, 0, 0, 0, time.UTC)}
	if ok, err := notes.Put(ctx, n); err != nil || !ok {
		t.Fatalf("put %v %v", ok, err)
	}
	// The notification is read with the addresses mailed so far: the delivery needs no second read.
	if err := notes.MarkMailed(ctx, n.ID, "Office@Example.kz", "msg-1"); err != nil {
		t.Fatal(err)
	}
	if got, err := notes.Get(ctx, n.ID); err != nil || len(got.Mailed) != 1 || got.Mailed["Office@Example.kz"] != "msg-1" {
		t.Fatalf("mailed %v %v", got.Mailed, err)
	}
	done := make(chan int, 3)
	for range 3 {
		go func() {
			k, err := notes.MarkAttemptFailed(ctx, n.ID)
			if err != nil {
				t.Error(err)
			}
			done <- k
		}()
	}
	seen := map[int]bool{}
	for range 3 {
		seen[<-done] = true
	}
	if !seen[1] || !seen[2] || !seen[3] {
		t.Fatalf("counts %v, want 1, 2 and 3", seen)
	}
	if err := notes.RecordDelivery(ctx, n.ID, notice.Delivery{Outcome: notice.DeliveryFailed, At: n.At, Detail: "not delivered after 3 attempts"}); err != nil {
		t.Fatal(err)
	}
	if k, err := notes.MarkAttemptFailed(ctx, n.ID); err != nil || k != 0 {
		t.Fatalf("counted after the outcome: %d %v", k, err)
	}
	if k, err := notes.MarkAttemptFailed(ctx, "no-such-notification"); err != nil || k != 0 {
		t.Fatalf("a missing notification: %d %v", k, err)
	}
	got, err := notes.Get(ctx, n.ID)
	if err != nil || got.Delivery == nil || got.Delivery.Outcome != notice.DeliveryFailed {
		t.Fatalf("%+v %v", got.Delivery, err)
	}
}
