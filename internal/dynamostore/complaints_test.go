package dynamostore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/attestation"
	"attestation/internal/calendar"
	"attestation/internal/complaints"
	"attestation/internal/dynamostore"
	"attestation/internal/identity"
)

func complaintsStore() *dynamostore.Complaints {
	return dynamostore.NewComplaints(stack.Clients.DynamoDB, stack.Template.Tables[0].Name)
}

// complaintsService is the complaints service on the DynamoDB store; the organisation bin owns
// the cases of owned.
func complaintsService(t *testing.T, bin string, owned ...string) *complaints.Service {
	t.Helper()
	cal, err := calendar.Kazakhstan()
	if err != nil {
		t.Fatal(err)
	}
	cases := complaints.CasesFunc(func(ctx context.Context, b, id string) (bool, error) {
		for _, o := range owned {
			if o == id {
				return b == bin, nil
			}
		}
		return false, nil
	})
	noCertificates := complaints.CertificatesFunc(func(context.Context, string, string) (bool, error) { return false, nil })
	s, err := complaints.NewService(complaints.Deps{Store: complaintsStore(), Cases: cases, Certificates: noCertificates, Calendar: cal,
		Edition: "rules-2016-amended-2018"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// rawItem reads an item by its keys, as it is in the table.
func rawItem(t *testing.T, pk, sk string) map[string]ddbtypes.AttributeValue {
	t.Helper()
	out, err := stack.Clients.DynamoDB.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: &stack.Template.Tables[0].Name,
		Key: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: pk}, "sk": &ddbtypes.AttributeValueMemberS{Value: sk}}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Item
}

func str(av ddbtypes.AttributeValue) string {
	if s, ok := av.(*ddbtypes.AttributeValueMemberS); ok {
		return s.Value
	}
	return fmt.Sprintf("%T", av)
}

// newComplaint is a registered complaint of bin, numbered seq in year (a year no other run uses,
// when the test takes numbers itself).
func newComplaint(t *testing.T, bin string, year, seq int, due time.Time) complaints.Complaint {
	return complaints.Complaint{ID: "C-" + uniqueHex(t, 24), Number: fmt.Sprintf("C-%d/%05d", year, seq), Year: year, Seq: seq,
		OrganizationBIN: bin, ApplicantName: "Aigerim", FiledBy: "u-1", Addressee: complaints.ServiceProvider, Subject: "Late",
		FiledAt: due.Add(-72 * time.Hour), RegisteredAt: due.Add(-72 * time.Hour), DueAt: due, Paragraph: "standard §11",
		Edition: "rules-2016-amended-2018", Status: complaints.StatusRegistered, Version: 1, Events: 1}
}

func complaintEvent(seq int, what string) complaints.Event {
	return complaints.Event{Seq: seq, At: time.Date(2026, 10, 15, 5, 0, 0, 0, time.UTC), Actor: "u-1", Role: identity.Applicant, What: what}
}

func TestComplaintCreateTakesTheYearsNumberInTheSameTransaction(t *testing.T) {
	ctx := context.Background()
	s := complaintsStore()
	year := 3000 + rand.IntN(5000) // a counter no other run uses
	bin := uniqueBIN(t)
	due := time.Date(2026, 10, 22, 18, 59, 59, 0, time.UTC)
	first := newComplaint(t, bin, year, 1, due)
	if err := s.Create(ctx, first, complaintEvent(1, "registered")); err != nil {
		t.Fatal(err)
	}
	if last, err := s.LastSeq(ctx, year); err != nil || last != 1 {
		t.Fatalf("counter %d %v, want 1", last, err)
	}
	for _, tc := range []struct {
		name string
		c    complaints.Complaint
	}{
		{"the number taken again", newComplaint(t, bin, year, 1, due)},
		{"a number after a gap", newComplaint(t, bin, year, 3, due)},
		{"the ID taken again", func() complaints.Complaint { c := newComplaint(t, bin, year, 2, due); c.ID = first.ID; return c }()},
	} {
		if err := s.Create(ctx, tc.c, complaintEvent(1, "registered")); !errors.Is(err, attestation.ErrConflict) {
			t.Fatalf("%s: %v, want ErrConflict", tc.name, err)
		}
	}
	// Nothing of the refused transactions was written: the counter stands, the second number is free.
	if last, _ := s.LastSeq(ctx, year); last != 1 {
		t.Fatalf("counter %d after refused creates, want 1", last)
	}
	got, err := s.Get(ctx, first.ID)
	if err != nil || got.Number != first.Number || got.Version != 1 || got.History != nil {
		t.Fatalf("read back %+v %v", got, err)
	}
	if h, err := s.History(ctx, first.ID); err != nil || len(h) != 1 || h[0].What != "registered" {
		t.Fatalf("history %+v %v", h, err)
	}
	if _, err := s.Get(ctx, "C-"+uniqueHex(t, 24)); !errors.Is(err, attestation.ErrNotFound) {
		t.Fatalf("a missing complaint: %v, want ErrNotFound", err)
	}
	// The item's keys are the documented ones (docs/data-model.md).
	item := rawItem(t, "COMPLAINT#"+first.ID, "COMPLAINT")
	want := map[string]string{"gsi1pk": "ORG#" + bin, "gsi1sk": "COMPLAINT#2026-10-19T18:59:59Z#" + first.ID,
		"gsi2pk": "COMPLAINT-DUE", "gsi2sk": "2026-10-22T18:59:59Z#" + first.ID,
		"gsi3pk": "COMPLAINTS#service_provider", "gsi3sk": "2026-10-22T18:59:59Z#" + first.ID, "type": "complaint"}
	for k, v := range want {
		if got := str(item[k]); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if v, _ := item["version"].(*ddbtypes.AttributeValueMemberN); v == nil || v.Value != "1" {
		t.Errorf("version attribute %v", item["version"])
	}
	if rawItem(t, "COMPLAINT#"+first.ID, "EVENT#000001") == nil || rawItem(t, fmt.Sprintf("COUNTER#COMPLAINT#%d", year), "COUNTER") == nil {
		t.Fatalf("no event or counter item")
	}
}

func TestComplaintUpdateIsConditionalAndLeavesTheDueWatch(t *testing.T) {
	ctx := context.Background()
	s := complaintsStore()
	c := newComplaint(t, uniqueBIN(t), 3000+rand.IntN(5000), 1, time.Date(2026, 10, 22, 18, 59, 59, 0, time.UTC))
	if err := s.Create(ctx, c, complaintEvent(1, "registered")); err != nil {
		t.Fatal(err)
	}
	stale := c
	c.Version, c.Events, c.Status = 2, 2, complaints.StatusConsidered
	c.Decision = &complaints.Decision{Outcome: complaints.Rejected, Answer: "No breach.", Actor: "u-a", Role: identity.Authority, At: time.Date(2026, 10, 16, 5, 0, 0, 0, time.UTC)}
	if err := s.Update(ctx, c, complaintEvent(2, "considered: rejected")); err != nil {
		t.Fatal(err)
	}
	stale.Version, stale.Overdue = 2, true
	if err := s.Update(ctx, stale, complaintEvent(2, "overdue")); !errors.Is(err, attestation.ErrConflict) {
		t.Fatalf("an update from a stale version: %v, want ErrConflict", err)
	}
	got, _ := s.Get(ctx, c.ID)
	if got.Status != complaints.StatusConsidered || got.Overdue || got.Decision == nil || got.Decision.Outcome != complaints.Rejected {
		t.Fatalf("stored %+v", got)
	}
	if h, _ := s.History(ctx, c.ID); len(h) != 2 || h[1].What != "considered: rejected" {
		t.Fatalf("history %+v", h)
	}
	item := rawItem(t, "COMPLAINT#"+c.ID, "COMPLAINT")
	if _, watched := item["gsi2pk"]; watched {
		t.Fatalf("a considered complaint is still in the due watch: %v", item["gsi2pk"])
	}
	if str(item["gsi3pk"]) != "COMPLAINTS#service_provider" {
		t.Fatalf("a considered complaint left its addressee's list")
	}
}

// TestConcurrentFilingsTakeDistinctConsecutiveNumbers files complaints side by side through the
// service: each takes its own number and together they fill the year's sequence without a gap.
func TestConcurrentFilingsTakeDistinctConsecutiveNumbers(t *testing.T) {
	ctx := context.Background()
	bin := uniqueBIN(t)
	s := complaintsService(t, bin)
	filed := time.Date(2026, 10, 15, 10, 0, 0, 0, time.FixedZone("Almaty", 5*3600))
	last, err := complaintsStore().LastSeq(ctx, 2026)
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	numbers := make([]string, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			c, err := s.File(ctx, identity.Actor{Subject: "u-1", Role: identity.Applicant, BIN: bin},
				complaints.Filing{Addressee: complaints.ServiceProvider, Subject: fmt.Sprintf("complaint %d", i)}, filed)
			numbers[i], errs[i] = c.Number, err
		}(i)
	}
	close(start)
	wg.Wait()
	for i := range errs {
		if errs[i] != nil {
			t.Fatalf("filing %d: %v", i, errs[i])
		}
	}
	sort.Strings(numbers)
	var want []string
	for k := last + 1; k <= last+n; k++ {
		want = append(want, fmt.Sprintf("C-2026/%05d", k))
	}
	if strings.Join(numbers, " ") != strings.Join(want, " ") {
		t.Fatalf("numbers %v, want %v", numbers, want)
	}
	list, _, err := complaintsStore().ByOrganization(ctx, bin, 100, "")
	if err != nil || len(list) != n {
		t.Fatalf("%d complaints listed for the organisation, want %d: %v", len(list), n, err)
	}
}

// TestConcurrentDecisionsExactlyOneWins: different decisions of one complaint sent side by side:
// one is written with its event, the others are conflicts.
func TestConcurrentDecisionsExactlyOneWins(t *testing.T) {
	ctx := context.Background()
	bin := uniqueBIN(t)
	s := complaintsService(t, bin)
	filed := time.Date(2026, 10, 15, 10, 0, 0, 0, time.FixedZone("Almaty", 5*3600))
	c, err := s.File(ctx, identity.Actor{Subject: "u-1", Role: identity.Applicant, BIN: bin},
		complaints.Filing{Addressee: complaints.QualityAuthority, Subject: "The result is wrong"}, filed)
	if err != nil {
		t.Fatal(err)
	}
	outcomes := []complaints.Outcome{complaints.Upheld, complaints.Rejected, complaints.PartiallyUpheld, complaints.Rejected, complaints.Upheld, complaints.PartiallyUpheld}
	errs := make([]error, len(outcomes))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, o := range outcomes {
		wg.Add(1)
		go func(i int, o complaints.Outcome) {
			defer wg.Done()
			<-start
			_, errs[i] = s.Decide(ctx, identity.Actor{Subject: fmt.Sprintf("u-q%d", i), Role: identity.QualityAuthority}, c.ID,
				complaints.DecisionInput{Outcome: o, Answer: "Considered."}, filed.Add(time.Hour))
		}(i, o)
	}
	close(start)
	wg.Wait()
	got, err := s.Get(ctx, identity.Actor{Subject: "u-q", Role: identity.QualityAuthority}, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			if outcomes[i] != got.Decision.Outcome {
				t.Fatalf("decision %d (%s) answered success, %s is stored", i, outcomes[i], got.Decision.Outcome)
			}
			if got.Decision.Actor == fmt.Sprintf("u-q%d", i) {
				won++
			}
		case !errors.Is(err, attestation.ErrConflict) || outcomes[i] == got.Decision.Outcome:
			t.Fatalf("decision %d (%s): %v", i, outcomes[i], err)
		}
	}
	if won != 1 || got.Version != 2 || len(got.History) != 2 {
		t.Fatalf("%d writers won, version %d, history %+v: want exactly one decision written", won, got.Version, got.History)
	}
}

// TestComplaintListsPageAndRefuseForeignCursors: an organisation's complaints, newest first, and an
// addressee's, page by page; a cursor of another query is refused.
func TestComplaintListsPageAndRefuseForeignCursors(t *testing.T) {
	ctx := context.Background()
	s := complaintsStore()
	bin := uniqueBIN(t)
	year := 3000 + rand.IntN(5000)
	var ids []string // newest first
	for i := 1; i <= 5; i++ {
		c := newComplaint(t, bin, year, i, time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i)*time.Hour))
		if err := s.Create(ctx, c, complaintEvent(1, "registered")); err != nil {
			t.Fatal(err)
		}
		ids = append([]string{c.ID}, ids...)
	}
	var got []string
	cursor := ""
	for pages := 0; pages < 10; pages++ {
		list, next, err := s.ByOrganization(ctx, bin, 2, cursor)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range list {
			got = append(got, c.ID)
		}
		if next == "" {
			break
		}
		if _, _, err := s.ByOrganization(ctx, uniqueBIN(t), 2, next); !errors.Is(err, attestation.ErrBadCursor) {
			t.Fatalf("another organisation's cursor: %v, want ErrBadCursor", err)
		}
		if _, _, err := s.ByAddressee(ctx, complaints.ServiceProvider, 2, next); !errors.Is(err, attestation.ErrBadCursor) {
			t.Fatalf("a cursor of the organisation's list on the addressee's: %v, want ErrBadCursor", err)
		}
		cursor = next
	}
	if strings.Join(got, ",") != strings.Join(ids, ",") {
		t.Fatalf("listed %v, want %v", got, ids)
	}
	// Due in 2099, they are near the top of the addressee's list, latest due first.
	mine := map[string]bool{}
	for _, id := range ids {
		mine[id] = true
	}
	got, cursor = nil, ""
	for pages := 0; pages < 50 && len(got) < len(ids); pages++ {
		list, next, err := s.ByAddressee(ctx, complaints.ServiceProvider, 2, cursor)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range list {
			if mine[c.ID] {
				got = append(got, c.ID)
			}
		}
		if next == "" {
			break
		}
		if _, _, err := s.ByAddressee(ctx, complaints.QualityAuthority, 2, next); !errors.Is(err, attestation.ErrBadCursor) {
			t.Fatalf("another addressee's cursor: %v, want ErrBadCursor", err)
		}
		cursor = next
	}
	if strings.Join(got, ",") != strings.Join(ids, ",") {
		t.Fatalf("the addressee's list holds %v, want %v in that order", got, ids)
	}
	if _, _, err := s.ByOrganization(ctx, bin, 2, "Zm9yZ2Vk"); !errors.Is(err, attestation.ErrBadCursor) {
		t.Fatalf("a forged cursor: %v", err)
	}
}

// TestComplaintDueWatchIsApartFromTheCasesSteps: the deadline check finds a complaint due on its
// own partition of the due index, flags it once, and the cases' due steps never see it.
func TestComplaintDueWatchIsApartFromTheCasesSteps(t *testing.T) {
	ctx := context.Background()
	bin := uniqueBIN(t)
	svc := complaintsService(t, bin)
	almaty := time.FixedZone("Almaty", 5*3600)
	c, err := svc.File(ctx, identity.Actor{Subject: "u-1", Role: identity.Applicant, BIN: bin},
		complaints.Filing{Addressee: complaints.ServiceProvider, Subject: "No answer"}, time.Date(2026, 10, 15, 10, 0, 0, 0, almaty))
	if err != nil {
		t.Fatal(err)
	}
	steps, err := store.DueSteps(ctx, time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), 10000)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		if s.ID == "" || strings.HasPrefix(s.ID, "C-") {
			t.Fatalf("the cases' due steps hold a complaint: %+v", s)
		}
	}
	out, err := svc.Check(ctx, time.Date(2026, 10, 22, 23, 59, 59, 0, almaty))
	if err != nil || contains(out.(complaints.CheckReport).Flagged, c.Number) {
		t.Fatalf("at its due moment: %+v %v", out, err)
	}
	out, err = svc.Check(ctx, time.Date(2026, 10, 23, 0, 5, 0, 0, almaty))
	if err != nil || !contains(out.(complaints.CheckReport).Flagged, c.Number) {
		t.Fatalf("after it: %+v %v, want %s flagged", out, err, c.Number)
	}
	if _, watched := rawItem(t, "COMPLAINT#"+c.ID, "COMPLAINT")["gsi2pk"]; watched {
		t.Fatalf("a complaint flagged overdue is still in the due watch")
	}
	out, err = svc.Check(ctx, time.Date(2026, 10, 23, 0, 5, 0, 0, almaty))
	if err != nil || contains(out.(complaints.CheckReport).Flagged, c.Number) {
		t.Fatalf("a second run: %+v %v", out, err)
	}
	got, err := svc.Get(ctx, identity.Actor{Subject: "u-a", Role: identity.Authority}, c.ID)
	if err != nil || !got.Overdue || len(got.History) != 2 || got.History[1].Role != identity.Scheduler {
		t.Fatalf("%+v %v", got, err)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
