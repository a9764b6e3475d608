package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"attestation/internal/delivery"
	"attestation/internal/localstack"
)

// busEvents counts the events published on the notifications' bus, by notification ID: a rule
// on the bus (source attestation.notifications) delivers each to an SQS queue the test reads.
type busEvents struct {
	mu    sync.Mutex
	sqs   *sqs.Client
	queue string
	byID  map[string]int
}

var (
	busOnce sync.Once
	bus     *busEvents
	busErr  error
)

func notificationEvents(t *testing.T) *busEvents {
	t.Helper()
	busOnce.Do(func() {
		ctx := context.Background()
		cfg := localstack.AWSConfig(stack.MotoURL)
		q := sqs.NewFromConfig(cfg)
		out, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("e2e-notification-events")})
		if err != nil {
			busErr = err
			return
		}
		attrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: out.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
		if err != nil {
			busErr = err
			return
		}
		name := stack.Template.EventBuses[0].Name
		if _, err = stack.Clients.Events.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("e2e-notifications"), EventBusName: &name,
			EventPattern: aws.String(`{"source":["` + delivery.Source + `"]}`)}); err != nil {
			busErr = err
			return
		}
		if _, err = stack.Clients.Events.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("e2e-notifications"), EventBusName: &name,
			Targets: []ebtypes.Target{{Id: aws.String("queue"), Arn: aws.String(attrs.Attributes["QueueArn"])}}}); err != nil {
			busErr = err
			return
		}
		bus = &busEvents{sqs: q, queue: *out.QueueUrl, byID: map[string]int{}}
	})
	if busErr != nil {
		t.Fatalf("a rule on the notifications' bus: %v", busErr)
	}
	return bus
}

// drain reads every event queued so far.
func (b *busEvents) drain(t *testing.T) map[string]int {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for {
		out, err := b.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &b.queue, MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			break
		}
		for _, m := range out.Messages {
			var ev struct {
				Detail struct {
					ID string `json:"id"`
				} `json:"detail"`
			}
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &ev); err != nil {
				t.Fatal(err)
			}
			b.byID[ev.Detail.ID]++
			if _, err := b.sqs.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: &b.queue, ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
	out := map[string]int{}
	for k, v := range b.byID {
		out[k] = v
	}
	return out
}

// notices are the case's notifications as a client sees them in the case view.
func (p *path) notices(c client) []map[string]any {
	p.t.Helper()
	var out []map[string]any
	for _, n := range p.view(c)["notifications"].([]any) {
		out = append(out, n.(map[string]any))
	}
	return out
}

// TestNotificationsPar17OncePerRecipient: a case filed, forwarded (§16) and sent its contract
// (§17) leaves, for each change, exactly one notification in the cabinet (the contract's with
// its signing due moment), one event on the project's bus and one mail per recipient (the
// organisation's registered address, the staff role's), even though the stream hands every batch
// to notify twice and notify fails once midway through a batch.
func TestNotificationsPar17OncePerRecipient(t *testing.T) {
	events := notificationEvents(t)
	applicant := as(t, localstack.DemoApplicant)
	address := fmt.Sprintf("office-%d@example.kz", time.Now().UnixNano())
	if status, body := applicant.do("PUT", "/contacts", map[string]any{"addresses": []string{address}, "language": "en"}); status != http.StatusOK {
		t.Fatalf("contacts: %d %v", status, body)
	}
	stack.DeliverBatchesTwice(true)
	defer stack.DeliverBatchesTwice(false)
	stack.PauseBackgroundPolls(true)
	defer stack.PauseBackgroundPolls(false)
	cutsBefore := len(stack.MidBatchCuts())
	if err := stack.InjectFault("notify@mid", 1); err != nil {
		t.Fatal(err)
	}
	p := file(t, day(10, 15, 10), application(t, "Cabinet registry", false))
	p.act(p.authority, day(10, 16, 10), "completeness_check", "forward", nil)
	p.act(p.sts, day(10, 16, 11), "send_contract", "contract_sent", p.docs("contract"))
	p.open("sign_contract")
	if err := stack.PollStreams(context.Background()); err != nil {
		t.Fatal(err)
	}
	midBatchCutTaken(t, cutsBefore)
	// The applicant's cabinet: the filing received (§14), forwarded (§16), the contract (§17).
	kinds := map[string]map[string]any{}
	for _, n := range p.notices(p.applicant) {
		k := n["kind"].(string)
		if kinds[k] != nil {
			t.Fatalf("two %s notifications: %v", k, n)
		}
		kinds[k] = n
	}
	for _, k := range []string{"filing_received", "forwarded", "contract_sent"} {
		n := kinds[k]
		if n == nil {
			t.Fatalf("no %s notification in %v", k, kinds)
		}
		d, _ := n["delivery"].(map[string]any)
		if d == nil || d["outcome"] != "sent" || d["eventId"] == "" {
			t.Fatalf("%s: delivery %v", k, n["delivery"])
		}
	}
	due, _ := time.Parse(time.RFC3339, kinds["contract_sent"]["dueAt"].(string))
	wantDue(t, "§17 contract in the cabinet", due, endOfDay(10, 23))
	// The authority sees the completeness check opened in its queue (and not the applicant's).
	staff := p.notices(p.authority)
	if len(staff) != 1 || staff[0]["kind"] != "step_opened" || staff[0]["step"] != "completeness_check" {
		t.Fatalf("the authority's notifications of the case: %v", staff)
	}
	// One event per notification.
	byID := events.drain(t)
	ids := []string{staff[0]["id"].(string)}
	for _, n := range kinds {
		ids = append(ids, n["id"].(string))
	}
	for _, id := range ids {
		if byID[id] != 1 {
			t.Fatalf("notification %s: %d events on the bus", id, byID[id])
		}
	}
	// One mail per recipient and notification.
	mail, err := stack.SentMail(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, m := range mail {
		if strings.Contains(m.Subject, p.id) {
			for _, to := range m.To {
				count[to]++
			}
			if to := m.To[0]; to == address && strings.Contains(m.Subject, "contract") && !strings.Contains(m.Body, "2026-10-23 23:59:59") {
				t.Fatalf("§17: the mail does not name the due moment in Almaty time:\n%s", m.Body)
			}
		}
	}
	if count[address] != 3 {
		t.Fatalf("%d mails to the organisation's address, want 3 (filing, forwarded, contract): %v", count[address], count)
	}
	if count["authority@attestation.local"] != 1 || count["sts@attestation.local"] != 1 {
		t.Fatalf("staff mail %v, want one each (the authority's completeness check, the STS's contract step)", count)
	}
}

// TestStd4CaseDrivenPastTheServiceTerm: a case filed on Thursday 2026-10-15 has its service term
// (standard §4: the policy's 51 working days, Republic Day on Monday 10-26 and Independence Day
// on Wednesday 12-16 skipped) at the end of Tuesday 2026-12-29; the deadline check after it flags
// the case overdue, once, and the authority finds the notification in its cabinet.
func TestStd4CaseDrivenPastTheServiceTerm(t *testing.T) {
	p := file(t, day(10, 15, 10), application(t, "Term registry", false))
	term := p.view(p.applicant)["serviceTerm"].(map[string]any)
	due, _ := time.Parse(time.RFC3339, term["dueAt"].(string))
	wantDue(t, "the service term", due, endOfDay(12, 29))
	stack.Clock.Freeze(day(12, 30, 0).Add(5 * time.Minute))
	for range 2 {
		if _, err := stack.RunScheduled(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	v := p.view(p.authority)
	term = v["serviceTerm"].(map[string]any)
	if term["overdue"] != true || !strings.Contains(term["breach"].(string), "standard §4") {
		t.Fatalf("the case view's term: %v", term)
	}
	flags := 0
	for _, h := range history(v) {
		if strings.HasPrefix(h, "service term overdue") {
			flags++
		}
	}
	if flags != 1 {
		t.Fatalf("%d service-term flags in the history:\n  %s", flags, strings.Join(history(v), "\n  "))
	}
	found := 0
	for _, n := range p.notices(p.authority) {
		if n["kind"] == "service_term_overdue" {
			found++
		}
	}
	if found != 1 {
		t.Fatalf("%d service-term notifications to the authority: %v", found, p.notices(p.authority))
	}
}
