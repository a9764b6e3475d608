package e2e

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"attestation/internal/localstack"
	"attestation/internal/notice"
)

// TestNotificationsRedeliveredAfterTheStreamGaveUp: when notify keeps failing past the stream's
// retries (the table or the bus down for longer than the retries last), the poller gives the
// batch's place in the stream to the on-failure queue (NotifyFailureQueueAlarm) and the
// notifications stay in the cabinet without an outcome: nobody was told by event or mail. Once
// the cause is gone, the deadline check's next daily run flags each one still without an outcome
// an hour after it was recorded (notice.Redelivery), the flag's stream record brings it back to
// notify, and each is delivered once: one event on the bus, one mail per address, its outcome
// recorded. A run within the hour, and a run after the delivery, bring nothing back.
func TestNotificationsRedeliveredAfterTheStreamGaveUp(t *testing.T) {
	ctx := context.Background()
	events := notificationEvents(t)
	stack.PauseBackgroundPolls(true) // the test's own PollStreams deliver, so the fault meets this test's batch
	t.Cleanup(func() { stack.PauseBackgroundPolls(false) })
	stack.Clock.Freeze(day(10, 15, 9))
	address := mailTo(t, as(t, localstack.DemoApplicant))
	if err := stack.PollStreams(ctx); err != nil { // what earlier tests wrote goes out before the fault
		t.Fatal(err)
	}
	gaveUp := len(stack.StreamFailures())

	if err := stack.InjectFault("notify", 1000); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stack.InjectFault("notify", 0) })
	p := file(t, day(10, 15, 10), application(t, "Redelivered registry", false))
	if err := stack.PollStreams(ctx); err != nil {
		t.Fatal(err)
	}
	if failures := stack.StreamFailures(); len(failures) <= gaveUp {
		t.Fatal("notify failed every invocation, and the poller sent no batch to the on-failure destination")
	} else if f := failures[len(failures)-1]; f.Destination == "" || f.Records < 1 {
		t.Fatalf("the on-failure record: %+v", f)
	}
	if err := stack.InjectFault("notify", 0); err != nil { // the cause is fixed
		t.Fatal(err)
	}
	org := caseNotices(p, p.applicant)
	received := one(t, org, notice.FilingReceived)
	staff := one(t, ofStep(caseNotices(p, p.authority), "completeness_check"), notice.StepOpened)
	for _, n := range []notice.Notification{received, staff} {
		if n.Delivery != nil {
			t.Fatalf("%s (%s) has a delivery though notify never took it: %+v", n.ID, n.Kind, n.Delivery)
		}
	}

	// Within the hour the check leaves them alone: the stream may still be delivering them.
	if got := redelivered(t, day(10, 15, 10).Add(50*time.Minute)); len(got) != 0 {
		t.Fatalf("a run within the hour brought back %v", got)
	}
	// The next daily run (00:05 in Almaty) brings both back.
	next := day(10, 16, 0).Add(5 * time.Minute)
	if got := redelivered(t, next); !slices.Contains(got, received.ID) || !slices.Contains(got, staff.ID) {
		t.Fatalf("the daily run brought back %v, want %s and %s", got, received.ID, staff.ID)
	}
	org = caseNotices(p, p.applicant)
	received = one(t, org, notice.FilingReceived)
	staff = one(t, ofStep(caseNotices(p, p.authority), "completeness_check"), notice.StepOpened)
	byID := events.drain(t)
	mail, err := stack.SentMail(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []notice.Notification{received, staff} {
		if n.Delivery == nil || n.Delivery.Outcome != notice.DeliverySent || n.Delivery.EventID == "" {
			t.Fatalf("%s (%s) after the redelivery: %+v", n.ID, n.Kind, n.Delivery)
		}
		if byID[n.ID] != 1 {
			t.Fatalf("%s (%s): %d events on the bus, want 1", n.ID, n.Kind, byID[n.ID])
		}
	}
	toAddress := 0
	for _, m := range mail {
		if slices.Equal(m.To, []string{address}) {
			toAddress++
		}
	}
	if toAddress != len(org) {
		t.Fatalf("%d mails to %s for %d notifications of the case", toAddress, address, len(org))
	}
	// Delivered now: a later run brings nothing back.
	if got := redelivered(t, next.Add(24*time.Hour)); slices.Contains(got, received.ID) || slices.Contains(got, staff.ID) {
		t.Fatalf("a run after the delivery brought back %v", got)
	}
}

// redelivered runs the deadline check at at and answers the notifications its redelivery flagged.
func redelivered(t *testing.T, at time.Time) []string {
	t.Helper()
	stack.Clock.Freeze(at)
	out, err := stack.RunScheduled(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for name, raw := range out {
		var rep struct {
			Checks struct {
				Notifications *notice.RedeliveryReport `json:"notifications"`
			} `json:"checks"`
		}
		if err := json.Unmarshal(raw, &rep); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if rep.Checks.Notifications != nil {
			ids = append(ids, rep.Checks.Notifications.Redelivered...)
		}
	}
	if err := stack.PollStreams(context.Background()); err != nil {
		t.Fatal(err)
	}
	return ids
}
