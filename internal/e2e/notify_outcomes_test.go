package e2e

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"attestation/internal/localstack"
	"attestation/internal/notice"
)

// TestNotificationsBouncedAndFailedOutcomes: a delivery's outcome is recorded on the notification
// as it happened (issue 13). The local SES refuses mail as SES can (launcher patch 13): an address
// SES will not send to (MessageRejected, here any address @refused.invalid) is recorded as
// bounced, naming the address, while the organisation's other address gets its mail once; a
// refusal that lasts (the account's sending paused, @unavailable.invalid) is retried by the
// stream and, after NOTIFY_MAX_ATTEMPTS deliveries, recorded as failed (NotificationsFailedAlarm),
// the event on the bus published once all the same.
func TestNotificationsBouncedAndFailedOutcomes(t *testing.T) {
	ctx := context.Background()
	events := notificationEvents(t)
	applicant := as(t, localstack.DemoApplicant)
	contacts := func(addresses ...string) {
		t.Helper()
		if status, body := applicant.do("PUT", "/contacts", map[string]any{"addresses": addresses, "language": "en"}); status != http.StatusOK {
			t.Fatalf("contacts %v: %d %v", addresses, status, body)
		}
	}
	t.Cleanup(func() { mailTo(t, applicant) }) // the next test's organisation mail goes to a plain address again
	stamp := time.Now().UnixNano()
	good := fmt.Sprintf("office-%d@example.kz", stamp)
	refused := fmt.Sprintf("clerk-%d@refused.invalid", stamp)
	stack.Clock.Freeze(day(10, 15, 9))
	contacts(good, refused)

	p := file(t, day(10, 15, 10), application(t, "Bounced registry", false))
	received := one(t, caseNotices(p, p.applicant), notice.FilingReceived)
	d := received.Delivery
	if d == nil || d.Outcome != notice.DeliveryBounced || !strings.Contains(d.Detail, refused) || !slices.Equal(d.To, []string{good}) || len(d.Mail) != 1 {
		t.Fatalf("a filing mailed to %s and %s: delivery %+v, want bounced naming %s, mailed to %s only", good, refused, d, refused, good)
	}

	unavailable := fmt.Sprintf("office-%d@unavailable.invalid", stamp)
	contacts(unavailable)
	stack.Clock.Freeze(day(10, 16, 9))
	if status, body := p.applicant.do("POST", "/cases/"+p.id+"/withdraw", nil); status != http.StatusOK {
		t.Fatalf("withdraw: %d %v", status, body)
	}
	p.end("withdrawn")
	withdrawn := one(t, caseNotices(p, p.applicant), notice.Withdrawn)
	d = withdrawn.Delivery
	if d == nil || d.Outcome != notice.DeliveryFailed || len(d.Mail) != 0 || d.EventID == "" {
		t.Fatalf("a withdrawal mailed to %s while sending is paused: delivery %+v, want failed after its attempts, its event published", unavailable, d)
	}
	if !strings.Contains(d.Detail, "5 attempts") {
		t.Fatalf("the failed delivery's detail %q does not say it gave up after NOTIFY_MAX_ATTEMPTS (5) attempts", d.Detail)
	}

	byID := events.drain(t)
	for _, n := range []notice.Notification{received, withdrawn} {
		if byID[n.ID] != 1 {
			t.Fatalf("%s (%s): %d events on the bus, want 1", n.ID, n.Kind, byID[n.ID])
		}
	}
	mail, err := stack.SentMail(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mail {
		for _, to := range m.To {
			if to == refused || to == unavailable {
				t.Fatalf("the local SES recorded mail to %s, which it refuses: %+v", to, m)
			}
		}
	}
}
