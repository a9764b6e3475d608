package notice

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/identity"
)

type memLedger struct {
	n        map[string]Notification
	mailed   map[string]map[string]string
	records  int
	attempts map[string]int
	gets     int // reads of a notification
}

func (m *memLedger) MarkAttemptFailed(ctx context.Context, id string) (int, error) {
	if n, ok := m.n[id]; !ok || n.Delivery != nil {
		return 0, nil
	}
	if m.attempts == nil {
		m.attempts = map[string]int{}
	}
	m.attempts[id]++
	return m.attempts[id], nil
}

func (m *memLedger) Get(ctx context.Context, id string) (Notification, error) {
	m.gets++
	n, ok := m.n[id]
	if !ok {
		return Notification{}, apperr.Hidden(apperr.NotFound, "", "none")
	}
	n.Mailed = map[string]string{}
	for k, v := range m.mailed[id] {
		n.Mailed[k] = v
	}
	return n, nil
}

func (m *memLedger) MarkPublished(ctx context.Context, id, eventID string) (bool, error) {
	n := m.n[id]
	if n.EventID != "" {
		return false, nil
	}
	n.EventID = eventID
	m.n[id] = n
	return true, nil
}

func (m *memLedger) MarkMailed(ctx context.Context, id, address, msg string) error {
	if m.mailed[id] == nil {
		m.mailed[id] = map[string]string{}
	}
	m.mailed[id][address] = msg
	return nil
}

func (m *memLedger) RecordDelivery(ctx context.Context, id string, d Delivery) error {
	n := m.n[id]
	if n.Delivery != nil && n.Delivery.Outcome != "" {
		return nil
	}
	n.Delivery = &d
	m.n[id] = n
	m.records++
	return nil
}

type countingBus struct{ events int }

func (b *countingBus) Publish(ctx context.Context, n Notification) (string, error) {
	b.events++
	return "e-" + n.ID, nil
}

type flakyMail struct {
	sent     []string
	failNext int
}

func (m *flakyMail) Send(ctx context.Context, to string, mail Mail) (string, error) {
	if m.failNext > 0 {
		m.failNext--
		return "", errors.New("throttled")
	}
	m.sent = append(m.sent, to+"|"+mail.Subject)
	return "m-" + to, nil
}

type oneContact struct{}

func (oneContact) Contacts(ctx context.Context, bin string) (Contacts, error) {
	return Contacts{BIN: bin, Addresses: []string{"a@example.kz", "b@example.kz"}, Language: Kazakh}, nil
}
func (oneContact) PutContacts(ctx context.Context, c Contacts) error { return nil }

// TestDeliveryOnceEachEvenWhenDeliveredAgain: a notification delivered twice, and one whose mail
// failed after its first address, yields one event and one mail per address (issue 13).
func TestDeliveryOnceEachEvenWhenDeliveredAgain(t *testing.T) {
	ctx := context.Background()
	due := time.Date(2026, 10, 22, 18, 59, 59, 0, time.UTC)
	led := &memLedger{n: map[string]Notification{
		"A-1.6.1": {ID: "A-1.6.1", Kind: ContractSent, To: Audience{BIN: "120540001238"}, CaseID: "A-1", Step: "sign_contract", Paragraph: "§17", DueAt: &due},
		"A-1.4.1": {ID: "A-1.4.1", Kind: StepOpened, To: Audience{Role: identity.STS}, CaseID: "A-1", Step: "send_contract"},
	}, mailed: map[string]map[string]string{}}
	bus, mail := &countingBus{}, &flakyMail{}
	d, err := NewDeliverer(DelivererDeps{Ledger: led, Bus: bus, Mail: mail, Contacts: oneContact{},
		Staff: map[identity.Role][]string{identity.STS: {"sts@example.kz"}}})
	if err != nil {
		t.Fatal(err)
	}
	now := due.Add(-time.Hour)
	if _, err := d.Deliver(ctx, "A-1.6.1", now); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Deliver(ctx, "A-1.6.1", now); err != nil { // the stream delivers it again
		t.Fatal(err)
	}
	mail2 := &flakyMail{}
	d3, _ := NewDeliverer(DelivererDeps{Ledger: led, Bus: bus, Mail: mail2, Contacts: oneContact{},
		Staff: map[identity.Role][]string{identity.STS: {"sts@example.kz", "sts2@example.kz"}}})
	// Fail after the first staff address: the retry mails only the second.
	failing := &failAfter{n: 1, next: mail2}
	d4, _ := NewDeliverer(DelivererDeps{Ledger: led, Bus: bus, Mail: failing, Contacts: oneContact{},
		Staff: map[identity.Role][]string{identity.STS: {"sts@example.kz", "sts2@example.kz"}}})
	if _, err := d4.Deliver(ctx, "A-1.4.1", now); err == nil {
		t.Fatal("the failure mid-delivery is not reported")
	}
	out, err := d3.Deliver(ctx, "A-1.4.1", now)
	if err != nil || out.Outcome != DeliverySent || len(out.Mail) != 2 {
		t.Fatalf("%+v %v", out, err)
	}
	if bus.events != 2 {
		t.Fatalf("%d events for 2 notifications", bus.events)
	}
	// One read per delivery: the notification comes with the addresses mailed (no second read).
	if led.gets != 4 {
		t.Fatalf("%d reads for 4 deliveries", led.gets)
	}
	if len(mail.sent) != 2 || len(mail2.sent) != 2 || led.records != 2 {
		t.Fatalf("mail %v / %v, %d outcomes", mail.sent, mail2.sent, led.records)
	}
	if !strings.Contains(mail.sent[0], "A-1") {
		t.Fatalf("the subject names no case: %s", mail.sent[0])
	}
}

// failAfter sends n mails through next, then fails once.
type failAfter struct {
	n    int
	next Mailer
}

func (f *failAfter) Send(ctx context.Context, to string, m Mail) (string, error) {
	if f.n == 0 {
		f.n = -1
		return "", errors.New("connection reset")
	}
	f.n--
	return f.next.Send(ctx, to, m)
}

// TestTextsNameTheCaseStepParagraphAndDueInAlmatyTime: every kind has its words in kk, ru and en;
// the mail names the case, the step, the paragraph and the due moment in Asia/Almaty time.
func TestTextsNameTheCaseStepParagraphAndDueInAlmatyTime(t *testing.T) {
	due := time.Date(2026, 10, 22, 18, 59, 59, 0, time.UTC)
	tx, err := loadTexts()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []Kind{FilingReceived, Returned, Forwarded, ContractSent, ContractLapsed, DocumentsSent, RectificationDue,
		RectificationLapsed, AdditionalSurveyResult, Withdrawn, CertificateIssued, RecallDecided, ReturnRecorded, DuplicateIssued,
		ChangeDecided, MonitoringDue, ComplaintRegistered, ComplaintDecided, StepOpened, StepOverdue, ServiceTermOverdue, Reminder, AnnualPlanDue} {
		for _, l := range []Language{Kazakh, Russian, English} {
			if tx.Kinds[k][l] == "" {
				t.Errorf("%s has no %s text", k, l)
			}
		}
	}
	n := Notification{ID: "A-1.6.1", Kind: ContractSent, CaseID: "A-1", Object: "Registry", Step: "sign_contract", Paragraph: "§17", DueAt: &due}
	// A reminder says what it reminds of (§11: the annual list).
	plan := Notification{ID: "P-1", Kind: Reminder, Reminds: AnnualPlanDue, Step: "annual_plan", Paragraph: "§11, Annex 1", DueAt: &due, DaysLeft: 10}
	if m, err := Render(plan, English); err != nil || !strings.Contains(m.Body, "10 working day(s) left.\nSend the list of objects planned for attestation") {
		t.Errorf("§11 reminder: %v %q", err, m.Body)
	}
	for _, l := range []Language{Kazakh, Russian, English} {
		m, err := Render(n, l)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"A-1", "sign_contract", "§17", "2026-10-22 23:59:59", "Registry"} {
			if !strings.Contains(m.Subject+m.Body, want) {
				t.Errorf("%s: %q lacks %q", l, m.Subject+"\n"+m.Body, want)
			}
		}
	}
}

// TestPar17Par46TextsOfAPeriodFromTheHandOverAtTheOffice: a paper case's message says that the
// period starts at the hand-over (no due moment yet), and the message of the hand-over names it
// and the due moment, in Almaty time, in every language.
func TestPar17Par46TextsOfAPeriodFromTheHandOverAtTheOffice(t *testing.T) {
	due := time.Date(2026, 11, 25, 18, 59, 59, 0, time.UTC)
	handed := time.Date(2026, 11, 18, 5, 0, 0, 0, time.UTC)
	tx, err := loadTexts()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []Language{Kazakh, Russian, English} {
		if tx.StartsAtHandOver[l] == "" || !strings.Contains(tx.HandedOver[l], "{handedOver}") {
			t.Errorf("%s: the hand-over's texts are missing", l)
		}
		waiting, err := Render(Notification{Kind: ContractSent, CaseID: "A-1", Step: "sign_contract", Paragraph: "§17", StartsAtHandOver: true}, l)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(waiting.Body, tx.StartsAtHandOver[l]) || strings.Contains(waiting.Body, strings.Split(tx.Due[l], "{")[0]) {
			t.Errorf("%s: the waiting message %q", l, waiting.Body)
		}
		started, err := Render(Notification{Kind: RecallDecided, Certificate: "2026/00007", Paragraph: "§46", DueAt: &due, HandedOverAt: &handed}, l)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"2026-11-18 10:00:00", "2026-11-25 23:59:59", "§46"} {
			if !strings.Contains(started.Body, want) {
				t.Errorf("%s: the hand-over's message %q lacks %q", l, started.Body, want)
			}
		}
		if strings.Contains(started.Body, tx.StartsAtHandOver[l]) {
			t.Errorf("%s: the hand-over's message still waits for it", l)
		}
	}
}

// downBus fails every publication.
type downBus struct{ calls int }

func (b *downBus) Publish(ctx context.Context, n Notification) (string, error) {
	b.calls++
	return "", errors.New("bus unavailable")
}

// refusing refuses one address as the mail service does a bad one.
type refusing struct {
	bad  string
	sent []string
}

func (m *refusing) Send(ctx context.Context, to string, mail Mail) (string, error) {
	if to == m.bad {
		return "", ErrBounced
	}
	m.sent = append(m.sent, to)
	return "m-" + to, nil
}

// TestDeliveryFailedAfterItsAttempts: a notification whose delivery fails MaxAttempts times is
// recorded failed on the last, which answers no error (the stream moves on); the attempts before
// it answer the error (the stream delivers it again); once failed, a late redelivery sends nothing.
func TestDeliveryFailedAfterItsAttempts(t *testing.T) {
	ctx := context.Background()
	led := &memLedger{n: map[string]Notification{"A-1.4.1": {ID: "A-1.4.1", Kind: StepOpened, To: Audience{Role: identity.STS}}},
		mailed: map[string]map[string]string{}}
	bus := &downBus{}
	d, err := NewDeliverer(DelivererDeps{Ledger: led, Bus: bus, Contacts: oneContact{}, MaxAttempts: 3})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 10, 22, 10, 0, 0, 0, time.UTC)
	for i := 1; i <= 2; i++ {
		if out, err := d.Deliver(ctx, "A-1.4.1", now); err == nil || out.Outcome != "" {
			t.Fatalf("attempt %d: %+v %v, want the error", i, out, err)
		}
	}
	out, err := d.Deliver(ctx, "A-1.4.1", now)
	if err != nil || out.Outcome != DeliveryFailed || !strings.Contains(out.Detail, "3 attempts") {
		t.Fatalf("attempt 3: %+v %v, want failed", out, err)
	}
	if got := led.n["A-1.4.1"].Delivery; got == nil || got.Outcome != DeliveryFailed {
		t.Fatalf("recorded %+v", got)
	}
	if out, err := d.Deliver(ctx, "A-1.4.1", now); err != nil || out.Outcome != DeliveryFailed || bus.calls != 3 {
		t.Fatalf("a late redelivery: %+v %v, %d publications", out, err, bus.calls)
	}
	if _, err := NewDeliverer(DelivererDeps{Ledger: led, Bus: bus, Contacts: oneContact{}, MaxAttempts: -1}); err == nil {
		t.Fatal("negative MaxAttempts accepted")
	}
	// Without MaxAttempts the deliverer never gives up: the stream's retries end it.
	led.n["A-2.1.1"] = Notification{ID: "A-2.1.1", Kind: StepOpened, To: Audience{Role: identity.STS}}
	forever, _ := NewDeliverer(DelivererDeps{Ledger: led, Bus: bus, Contacts: oneContact{}})
	for range 5 {
		if _, err := forever.Deliver(ctx, "A-2.1.1", now); err == nil {
			t.Fatal("gave up without MaxAttempts")
		}
	}
	if led.attempts["A-2.1.1"] != 0 {
		t.Fatalf("counted %d attempts without MaxAttempts", led.attempts["A-2.1.1"])
	}
}

// TestDeliveryBouncedIsRecordedAndNotRetried: an address the mail service refuses is recorded as
// bounced, naming it; the other address is mailed; the delivery answers no error (no retry mends
// a refused address).
func TestDeliveryBouncedIsRecordedAndNotRetried(t *testing.T) {
	ctx := context.Background()
	led := &memLedger{n: map[string]Notification{"A-1.6.1": {ID: "A-1.6.1", Kind: ContractSent, To: Audience{BIN: "120540001238"}, CaseID: "A-1"}},
		mailed: map[string]map[string]string{}}
	mail := &refusing{bad: "a@example.kz"}
	d, err := NewDeliverer(DelivererDeps{Ledger: led, Bus: &countingBus{}, Mail: mail, Contacts: oneContact{}, MaxAttempts: 3})
	if err != nil {
		t.Fatal(err)
	}
	out, err := d.Deliver(ctx, "A-1.6.1", time.Now())
	if err != nil || out.Outcome != DeliveryBounced || out.Detail != "refused: a@example.kz" || len(mail.sent) != 1 || mail.sent[0] != "b@example.kz" {
		t.Fatalf("%+v %v, sent %v", out, err, mail.sent)
	}
	if got := led.n["A-1.6.1"].Delivery; got == nil || got.Outcome != DeliveryBounced || led.attempts["A-1.6.1"] != 0 {
		t.Fatalf("recorded %+v, %d attempts", got, led.attempts["A-1.6.1"])
	}
}
