package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"attestation/internal/localstack"
	"attestation/internal/notice"
)

// Each event of issue 13's outbox end to end, one test per paragraph: the notification is in its
// audience's cabinet exactly once, published once on the project's bus and mailed once to each
// registered address, while the stream hands every batch to notify twice and notify fails once
// midway through a batch (deliveryTrial). Each test sets its own clock and its own addresses.

// deliveryTrial makes, for the rest of the test, the stream deliver every batch twice and notify
// fail once midway through a batch of two or more records; the bus's events are counted from now on.
// The background poll waits meanwhile, so the test's own reads of the stream deliver what its
// steps wrote together, in batches of several records.
func deliveryTrial(t *testing.T) {
	t.Helper()
	notificationEvents(t)
	trialCuts = len(stack.MidBatchCuts())
	stack.PauseBackgroundPolls(true) // the test's own PollStreams deliver, in batches of several records
	stack.DeliverBatchesTwice(true)
	if err := stack.InjectFault("notify@mid", 1); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stack.PauseBackgroundPolls(false)
		stack.DeliverBatchesTwice(false)
		_ = stack.InjectFault("notify@mid", 0)
	})
}

// trialCuts is how many batches mid-batch faults had cut when the running test's trial began.
var trialCuts int

// midBatchCutTaken checks that the fault injected since before (the count of cuts then) was taken
// on a batch of two or more records: notify took the first half, then failed, and the stream
// delivered the batch again from its first record, so each notification's once-only delivery is
// checked across a real cut.
func midBatchCutTaken(t *testing.T, before int) {
	t.Helper()
	if left := stack.FaultsLeft("notify@mid"); left != 0 {
		t.Fatalf("the mid-batch fault was not taken (%d left): no batch of two or more records reached notify", left)
	}
	cuts := stack.MidBatchCuts()
	if len(cuts) <= before {
		t.Fatalf("the mid-batch fault was taken but no batch was cut (%d cuts before, %d now)", before, len(cuts))
	}
	for _, c := range cuts[before:] {
		if c.Records < 2 || c.Delivered < 1 || c.Delivered >= c.Records {
			t.Fatalf("a cut batch %+v: want a batch of two or more records cut after some but not all", c)
		}
	}
}

// mailTo registers a fresh address of c's organisation (in English) and returns it.
func mailTo(t *testing.T, c client) string {
	t.Helper()
	address := fmt.Sprintf("office-%d@example.kz", time.Now().UnixNano())
	if status, body := c.do("PUT", "/contacts", map[string]any{"addresses": []string{address}, "language": "en"}); status != http.StatusOK {
		t.Fatalf("contacts: %d %v", status, body)
	}
	return address
}

// decodeNotices turns the notifications of an API answer into the domain's type.
func decodeNotices(t testing.TB, list any) []notice.Notification {
	t.Helper()
	var out []notice.Notification
	if err := json.Unmarshal(mustJSON(t, list), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// caseNotices are the case's notifications in c's cabinet (the case view), once the stream is read.
func caseNotices(p *path, c client) []notice.Notification {
	p.t.Helper()
	if err := stack.PollStreams(context.Background()); err != nil {
		p.t.Fatal(err)
	}
	return decodeNotices(p.t, p.view(c)["notifications"])
}

// cabinet pages through c's cabinet (GET /notifications), once the stream is read, and keeps
// what keep keeps.
func cabinet(t testing.TB, c client, keep func(notice.Notification) bool) []notice.Notification {
	t.Helper()
	if err := stack.PollStreams(context.Background()); err != nil {
		t.Fatal(err)
	}
	var out []notice.Notification
	q := "/notifications?limit=100"
	for range 100 {
		status, page := c.do("GET", q, nil)
		if status != http.StatusOK {
			t.Fatalf("GET %s: %d %v", q, status, page)
		}
		for _, n := range decodeNotices(t, page["notifications"]) {
			if keep(n) {
				out = append(out, n)
			}
		}
		cursor, _ := page["cursor"].(string)
		if cursor == "" {
			return out
		}
		q = "/notifications?limit=100&cursor=" + cursor
	}
	t.Fatal("the cabinet did not end in 100 pages")
	return nil
}

// one is the only notification of kind in ns (for a reminder, of what it reminds, daysLeft).
func one(t testing.TB, ns []notice.Notification, kind notice.Kind, daysLeft ...int) notice.Notification {
	t.Helper()
	var found []notice.Notification
	for _, n := range ns {
		if n.Kind == kind && (len(daysLeft) == 0 || n.DaysLeft == daysLeft[0]) {
			found = append(found, n)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d notifications %s %v, want one, in:\n%s", len(found), kind, daysLeft, listed(ns))
	}
	return found[0]
}

// ofStep keeps the notifications of step.
func ofStep(ns []notice.Notification, step string) []notice.Notification {
	var out []notice.Notification
	for _, n := range ns {
		if n.Step == step {
			out = append(out, n)
		}
	}
	return out
}

func listed(ns []notice.Notification) string {
	var b strings.Builder
	for _, n := range ns {
		fmt.Fprintf(&b, "  %s %s to %s step %s days %d\n", n.ID, n.Kind, n.To.Key(), n.Step, n.DaysLeft)
	}
	return b.String()
}

// deliveredOnce checks each notification went out exactly once: published once on the bus (the
// event's ID recorded), mailed once to each of the addresses (and to no other), the mail naming
// the due moment in Almaty time; and that the trial's mid-batch fault was taken.
func deliveredOnce(t *testing.T, ns []notice.Notification, addresses ...string) {
	t.Helper()
	if len(ns) == 0 {
		t.Fatal("no notifications to check")
	}
	midBatchCutTaken(t, trialCuts)
	byID := notificationEvents(t).drain(t)
	mail, err := stack.SentMail(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	byMsg := map[string]localstack.SentMessage{}
	same := map[string]int{} // by recipient, subject and body
	sig := func(m localstack.SentMessage) string {
		return strings.Join(m.To, ",") + "\x00" + m.Subject + "\x00" + m.Body
	}
	for _, m := range mail {
		byMsg[m.ID] = m
		same[sig(m)]++
	}
	for _, n := range ns {
		d := n.Delivery
		if d == nil || d.Outcome != notice.DeliverySent || d.EventID == "" {
			t.Fatalf("%s (%s): delivery %+v", n.ID, n.Kind, d)
		}
		if byID[n.ID] != 1 {
			t.Fatalf("%s (%s): %d events on the bus, want 1", n.ID, n.Kind, byID[n.ID])
		}
		want := addresses
		if n.To.BIN == "" {
			want = []string{localstack.LocalStaffMail[string(n.To.Role)]}
		}
		if !slices.Equal(d.To, want) || len(d.Mail) != len(want) {
			t.Fatalf("%s (%s): mailed %v (%v), want %v", n.ID, n.Kind, d.To, d.Mail, want)
		}
		for i, id := range d.Mail {
			m, ok := byMsg[id]
			if !ok || !slices.Equal(m.To, []string{want[i]}) {
				t.Fatalf("%s (%s): mail %s not sent to %s: %+v", n.ID, n.Kind, id, want[i], m)
			}
			if k := same[sig(m)]; k != 1 {
				t.Fatalf("%s (%s): %d copies of its mail to %s", n.ID, n.Kind, k, want[i])
			}
			if n.DueAt != nil && !strings.Contains(m.Body, n.DueAt.In(almaty).Format(time.DateTime)) {
				t.Fatalf("%s (%s): the mail does not name the due moment %s in Almaty time:\n%s", n.ID, n.Kind, n.DueAt.In(almaty), m.Body)
			}
		}
	}
}

// runCheck runs the deadline check at moment at.
func runCheck(t testing.TB, at time.Time) {
	t.Helper()
	stack.Clock.Freeze(at)
	if _, err := stack.RunScheduled(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestNotificationsPar15Returned: the filing received (§14) and the return with its reasons (§15,
// standard §10) to the applicant, the completeness check opened to the authority.
func TestNotificationsPar15Returned(t *testing.T) {
	deliveryTrial(t)
	stack.Clock.Freeze(day(10, 15, 9))
	address := mailTo(t, as(t, localstack.DemoApplicant))
	p := file(t, day(10, 15, 10), application(t, "Returned registry", false))
	p.act(p.authority, day(10, 16, 10), "completeness_check", "return", reasons("The hardware list (Annex 5) has no IP addresses"))
	p.end("returned")
	org := caseNotices(p, p.applicant)
	one(t, org, notice.FilingReceived)
	if r := one(t, org, notice.Returned); r.Paragraph != "§15, standard §10" || !slices.Equal(r.Reasons, []string{"The hardware list (Annex 5) has no IP addresses"}) {
		t.Fatalf("§15: %+v", r)
	}
	staff := caseNotices(p, p.authority)
	one(t, ofStep(staff, "completeness_check"), notice.StepOpened)
	deliveredOnce(t, org, address)
	deliveredOnce(t, staff)
}

// TestNotificationsPar17ContractLapsedAfterTwoReminders: the contract sent on Friday 10-16 is due
// at the end of Friday 10-23 (§17); the deadline check reminds the applicant on Wednesday 10-21 (2
// working days left) and Thursday 10-22 (1), each once, and after the due moment tells it the
// application is cancelled.
func TestNotificationsPar17ContractLapsedAfterTwoReminders(t *testing.T) {
	deliveryTrial(t)
	stack.Clock.Freeze(day(10, 15, 9))
	address := mailTo(t, as(t, localstack.DemoApplicant))
	p := file(t, day(10, 15, 10), application(t, "Lapsed contract registry", false))
	p.act(p.authority, day(10, 16, 10), "completeness_check", "forward", nil)
	p.act(p.sts, day(10, 16, 11), "send_contract", "contract_sent", p.docs("contract"))
	p.open("sign_contract")
	for _, at := range []time.Time{day(10, 21, 18), day(10, 21, 19), day(10, 22, 18), day(10, 22, 19)} {
		runCheck(t, at)
	}
	runCheck(t, time.Date(2026, 10, 24, 0, 5, 0, 0, almaty))
	p.end("cancelled")
	org := caseNotices(p, p.applicant)
	for _, left := range []int{2, 1} {
		r := one(t, org, notice.Reminder, left)
		if r.Reminds != notice.ContractSent || r.Paragraph != "§17" || r.DueAt == nil || !r.DueAt.Equal(endOfDay(10, 23)) {
			t.Fatalf("§17 reminder: %+v", r)
		}
	}
	one(t, org, notice.ContractSent)
	if n := one(t, org, notice.ContractLapsed); n.Paragraph != "§17" {
		t.Fatalf("%+v", n)
	}
	deliveredOnce(t, org, address)
}

// TestNotificationsPar28Par29Par42Par48IssuedThenDuplicated: the act and the decision to issue
// sent (§28), the certificate issued and registered (§28, §29) with the monitoring connection due
// (§42); a duplicate issued (§48).
func TestNotificationsPar28Par29Par42Par48IssuedThenDuplicated(t *testing.T) {
	deliveryTrial(t)
	stack.Clock.Freeze(day(10, 15, 9))
	address := mailTo(t, as(t, localstack.DemoApplicant))
	p, number := issued(t, "Notified registry")
	clockAt(t, time.Date(2026, 11, 23, 10, 0, 0, 0, almaty))
	status, out := p.applicant.do("POST", certPath(number, "/duplicates"), map[string]any{"reason": "lost"})
	mustStatus(t, "request", status, http.StatusCreated, out)
	clockAt(t, time.Date(2026, 11, 24, 10, 0, 0, 0, almaty))
	status, out = p.authority.do("POST", certPath(number, "/duplicates/d1/issue"), nil)
	mustStatus(t, "issue", status, http.StatusOK, out)
	org := caseNotices(p, p.applicant)
	if n := one(t, org, notice.DocumentsSent); n.Paragraph != "§28" || n.Outcome != "issue" {
		t.Fatalf("§28: %+v", n)
	}
	for _, k := range []notice.Kind{notice.CertificateIssued, notice.MonitoringDue, notice.DuplicateIssued} {
		if n := one(t, org, k); n.Certificate != number {
			t.Fatalf("%s: %+v", k, n)
		}
	}
	if n := one(t, org, notice.MonitoringDue); n.Paragraph != "§42" || n.DueAt == nil {
		t.Fatalf("§42: %+v", n)
	}
	deliveredOnce(t, org, address)
}

// TestNotificationsPar30RefusedAtFirstDecision: the act and the decision to refuse sent (§30).
func TestNotificationsPar30RefusedAtFirstDecision(t *testing.T) {
	deliveryTrial(t)
	stack.Clock.Freeze(day(10, 15, 9))
	address := mailTo(t, as(t, localstack.DemoApplicant))
	p := toDecision(t)
	p.act(p.authority, day(11, 17, 10), "decision", "refuse", reasons("Open administrative interfaces"))
	p.act(p.authority, day(11, 18, 10), "send_documents", "sent", nil)
	p.end("refused")
	org := caseNotices(p, p.applicant)
	if n := one(t, org, notice.DocumentsSent); n.Paragraph != "§30" || n.Outcome != "refuse" {
		t.Fatalf("§30: %+v", n)
	}
	deliveredOnce(t, org, address)
}

// TestNotificationsPar31Par38RectifiedAndRefused: the act and the decision to rectify sent (§31)
// with the rectification's due moment (Thursday 12-17); after the additional survey its act and
// the decision sent (§38).
func TestNotificationsPar31Par38RectifiedAndRefused(t *testing.T) {
	deliveryTrial(t)
	stack.Clock.Freeze(day(10, 15, 9))
	address := mailTo(t, as(t, localstack.DemoApplicant))
	p := toRectification(t)
	p.act(p.applicant, day(12, 1, 10), "rectification_notice", "notified", p.docs("rectification_documents"))
	p.act(p.authority, day(12, 2, 10), "inform_sts", "informed", nil)
	p.act(p.sts, day(12, 10, 10), "additional_survey", "act", p.docs("additional_survey_act"))
	p.act(p.authority, day(12, 11, 10), "second_decision", "refuse", reasons("The deficiencies remain"))
	p.act(p.authority, day(12, 14, 10), "second_send_documents", "sent", nil)
	p.end("refused")
	org := caseNotices(p, p.applicant)
	if n := one(t, org, notice.DocumentsSent); n.Paragraph != "§31" || n.Outcome != "rectify" {
		t.Fatalf("§31: %+v", n)
	}
	if n := one(t, org, notice.RectificationDue); n.Paragraph != "§31, §32" || n.DueAt == nil || !n.DueAt.Equal(endOfDay(12, 17)) {
		t.Fatalf("§31: %+v", n)
	}
	if n := one(t, org, notice.AdditionalSurveyResult); n.Paragraph != "§38" || n.Outcome != "refuse" {
		t.Fatalf("§38: %+v", n)
	}
	deliveredOnce(t, org, address)
}

// TestNotificationsPar32RectificationLapsed: the rectification due Thursday 12-17 is reminded on
// Monday 12-14 (2 working days left: Tuesday 12-15 and Thursday 12-17, Independence Day on
// Wednesday) and Tuesday 12-15 (1), and its lapse is told (§32); the authority's lapse decision
// opens in its queue.
func TestNotificationsPar32RectificationLapsed(t *testing.T) {
	deliveryTrial(t)
	stack.Clock.Freeze(day(10, 15, 9))
	address := mailTo(t, as(t, localstack.DemoApplicant))
	p := toRectification(t)
	runCheck(t, day(12, 14, 18))
	runCheck(t, day(12, 15, 18))
	runCheck(t, time.Date(2026, 12, 18, 0, 5, 0, 0, almaty))
	p.open("lapse_decision")
	org := caseNotices(p, p.applicant)
	for _, left := range []int{2, 1} {
		if r := one(t, org, notice.Reminder, left); r.Reminds != notice.RectificationDue || r.Paragraph != "§31, §32" {
			t.Fatalf("§31 reminder: %+v", r)
		}
	}
	if n := one(t, org, notice.RectificationLapsed); n.Paragraph != "§32" {
		t.Fatalf("§32: %+v", n)
	}
	staff := caseNotices(p, p.authority)
	one(t, ofStep(staff, "lapse_decision"), notice.StepOpened)
	deliveredOnce(t, org, address)
	deliveredOnce(t, staff)
}

// TestNotificationsWithdrawn: the applicant withdraws at the completeness check and is told.
func TestNotificationsWithdrawn(t *testing.T) {
	deliveryTrial(t)
	stack.Clock.Freeze(day(10, 15, 9))
	address := mailTo(t, as(t, localstack.DemoApplicant))
	p := file(t, day(10, 15, 10), application(t, "Withdrawn registry", false))
	stack.Clock.Freeze(day(10, 16, 9))
	if status, body := p.applicant.do("POST", "/cases/"+p.id+"/withdraw", nil); status != http.StatusOK {
		t.Fatalf("withdraw: %d %v", status, body)
	}
	p.end("withdrawn")
	org := caseNotices(p, p.applicant)
	one(t, org, notice.Withdrawn)
	deliveredOnce(t, org, address)
}

// TestNotificationsStaffStepOverdue: the completeness check due at the end of Tuesday 10-20 is
// overdue on Wednesday; the deadline check tells the authority, once.
func TestNotificationsStaffStepOverdue(t *testing.T) {
	deliveryTrial(t)
	p := file(t, day(10, 15, 10), application(t, "Overdue registry", false))
	runCheck(t, day(10, 21, 9))
	runCheck(t, day(10, 21, 10))
	staff := caseNotices(p, p.authority)
	if n := one(t, staff, notice.StepOverdue); n.Step != "completeness_check" || n.DueAt == nil || !n.DueAt.Equal(endOfDay(10, 20)) {
		t.Fatalf("overdue: %+v", n)
	}
	deliveredOnce(t, staff)
}

// TestNotificationsPar42Par46RecallReminderAndReturn: a certificate entered with its monitoring
// due (§42) is recalled on Monday 11-02, to be returned by the end of Thursday 11-05 (§46); the
// owner is reminded on Tuesday (2 working days left) and Wednesday (1), each once, and told of the
// return recorded.
func TestNotificationsPar42Par46RecallReminderAndReturn(t *testing.T) {
	deliveryTrial(t)
	owner := newOrganisation(t)
	clockAt(t, time.Date(2026, 3, 2, 9, 0, 0, 0, almaty))
	address := mailTo(t, as(t, owner))
	number := lifeEntry(t, "state_is", owner.BIN, time.Date(2026, 3, 2, 10, 0, 0, 0, almaty))
	authority := as(t, localstack.DemoAuthority)
	clockAt(t, time.Date(2026, 11, 2, 10, 0, 0, 0, almaty))
	status, out := authority.do("POST", certPath(number, "/recall"), recallBody("owner_application"))
	mustStatus(t, "recall", status, http.StatusOK, out)
	for _, at := range []time.Time{day(11, 3, 9), day(11, 3, 10), day(11, 4, 9), day(11, 4, 10)} {
		runCheck(t, at)
	}
	clockAt(t, time.Date(2026, 11, 5, 11, 0, 0, 0, almaty))
	status, out = authority.do("POST", certPath(number, "/return"), map[string]any{})
	mustStatus(t, "return", status, http.StatusOK, out)
	ns := cabinet(t, as(t, owner), func(n notice.Notification) bool { return n.Certificate == number })
	if n := one(t, ns, notice.MonitoringDue); n.Paragraph != "§42" || n.DueAt == nil {
		t.Fatalf("§42: %+v", n)
	}
	if n := one(t, ns, notice.RecallDecided); n.Paragraph != "§46" || n.DueAt == nil || !n.DueAt.Equal(endOfDay(11, 5)) {
		t.Fatalf("§46: %+v", n)
	}
	for _, left := range []int{2, 1} {
		if r := one(t, ns, notice.Reminder, left); r.Reminds != notice.RecallDecided || r.Paragraph != "§46" {
			t.Fatalf("§46 reminder: %+v", r)
		}
	}
	one(t, ns, notice.ReturnRecorded)
	deliveredOnce(t, ns, address)
}

// TestNotificationsPar44ChangeDecided: the owner's notice of changes decided (§44) is told.
func TestNotificationsPar44ChangeDecided(t *testing.T) {
	deliveryTrial(t)
	owner := newOrganisation(t)
	clockAt(t, time.Date(2026, 3, 2, 9, 0, 0, 0, almaty))
	address := mailTo(t, as(t, owner))
	number := lifeEntry(t, "state_is", owner.BIN, time.Date(2026, 3, 2, 10, 0, 0, 0, almaty))
	clockAt(t, time.Date(2026, 11, 2, 10, 0, 0, 0, almaty))
	status, out := as(t, owner).do("POST", certPath(number, "/changes"), map[string]any{"description": "A new VPN gateway."})
	mustStatus(t, "notice", status, http.StatusCreated, out)
	clockAt(t, time.Date(2026, 11, 3, 10, 0, 0, 0, almaty))
	status, out = as(t, localstack.DemoAuthority).do("POST", certPath(number, "/changes/c1/decision"),
		map[string]any{"decision": "not_required", "reasons": []string{"the perimeter is unchanged"}})
	mustStatus(t, "decision", status, http.StatusOK, out)
	ns := cabinet(t, as(t, owner), func(n notice.Notification) bool { return n.Certificate == number })
	if n := one(t, ns, notice.ChangeDecided); n.Paragraph != "§44" || n.Outcome != "not_required" {
		t.Fatalf("§44: %+v", n)
	}
	deliveredOnce(t, ns, address)
}

// TestNotificationsStd11ComplaintRegisteredAndDecided: a complaint registered is told to the
// organisation (with its due moment) and to the authority it is addressed to; its decision to the
// organisation (standard §11).
func TestNotificationsStd11ComplaintRegisteredAndDecided(t *testing.T) {
	deliveryTrial(t)
	stack.Clock.Freeze(day(10, 15, 10))
	owner := newOrganisation(t)
	address := mailTo(t, as(t, owner))
	c := fileComplaint(t, as(t, owner), complaintBody("service_provider", "The completeness check was late"))
	stack.Clock.Freeze(day(10, 19, 11))
	if status, out := decide(as(t, localstack.DemoAuthority), c["id"].(string), "upheld", "It was late."); status != http.StatusOK {
		t.Fatalf("decide: %d %v", status, out)
	}
	mine := func(n notice.Notification) bool { return n.Complaint == c["number"] }
	org := cabinet(t, as(t, owner), mine)
	if n := one(t, org, notice.ComplaintRegistered); n.Paragraph != "standard §11" || n.DueAt == nil || !n.DueAt.Equal(endOfDay(10, 22)) {
		t.Fatalf("standard §11: %+v", n)
	}
	if n := one(t, org, notice.ComplaintDecided); n.Outcome != "upheld" {
		t.Fatalf("standard §11: %+v", n)
	}
	staff := cabinet(t, as(t, localstack.DemoAuthority), mine)
	one(t, staff, notice.ComplaintRegistered)
	deliveredOnce(t, org, address)
	deliveredOnce(t, staff)
}

// TestNotificationsPar11AnnualPlanReminder: the list of 2027 is due at the end of Monday March 1;
// the owner of a mandatory object that has sent none is reminded 10 working days before (Monday
// February 15), once, and not the Friday before.
func TestNotificationsPar11AnnualPlanReminder(t *testing.T) {
	deliveryTrial(t)
	owner := newOrganisation(t)
	stack.Clock.Freeze(time.Date(2027, 1, 11, 10, 0, 0, 0, almaty))
	address := mailTo(t, as(t, owner))
	registerObject(t, as(t, owner), "Planned registry")
	mine := func(n notice.Notification) bool { return n.Reminds == notice.AnnualPlanDue }
	runCheck(t, time.Date(2027, 2, 12, 18, 0, 0, 0, almaty))
	if ns := cabinet(t, as(t, owner), mine); len(ns) != 0 {
		t.Fatalf("reminded 11 working days before:\n%s", listed(ns))
	}
	runCheck(t, time.Date(2027, 2, 15, 9, 0, 0, 0, almaty))
	runCheck(t, time.Date(2027, 2, 16, 9, 0, 0, 0, almaty))
	ns := cabinet(t, as(t, owner), mine)
	n := one(t, ns, notice.Reminder)
	if n.Paragraph != "§11, Annex 1" || n.DaysLeft != 10 || n.DueAt == nil || !n.DueAt.Equal(time.Date(2027, 3, 1, 23, 59, 59, 0, almaty)) {
		t.Fatalf("§11: %+v", n)
	}
	deliveredOnce(t, ns, address)
}

// TestNotificationsStd11QualityAuthorityCabinet: a complaint to the authority for the quality of
// state services is registered in its own cabinet (standard §11), and it marks it read there.
func TestNotificationsStd11QualityAuthorityCabinet(t *testing.T) {
	deliveryTrial(t)
	stack.Clock.Freeze(day(10, 15, 10))
	owner := newOrganisation(t)
	mailTo(t, as(t, owner))
	c := fileComplaint(t, as(t, owner), complaintBody("quality_authority", "The service provider did not answer"))
	quality := as(t, localstack.DemoQualityAuthority)
	mine := func(n notice.Notification) bool { return n.Complaint == c["number"] }
	ns := cabinet(t, quality, mine)
	n := one(t, ns, notice.ComplaintRegistered)
	if n.To.Role != "quality_authority" || n.DueAt == nil {
		t.Fatalf("standard §11: %+v", n)
	}
	deliveredOnce(t, ns)
	if status, out := quality.do("POST", "/notifications/"+n.ID+"/read", nil); status != http.StatusOK || out["unread"] != false {
		t.Fatalf("read: %d %v", status, out)
	}
	if status, out := as(t, localstack.DemoAuthority).do("POST", "/notifications/"+n.ID+"/read", nil); status != http.StatusNotFound {
		t.Fatalf("the authority marks the quality authority's notification: %d %v", status, out)
	}
}
