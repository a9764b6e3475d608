package dynamostore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"attestation/internal/attestation"
	"attestation/internal/dynamostore"
	"attestation/internal/identity"
	"attestation/internal/localstack"
)

// The store is tested against DynamoDB in the local stack (moto), with the table created from
// template.yaml: the conditions, transactions and indexes are the real ones.
var (
	stack *localstack.Stack
	store *dynamostore.Store
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	root, err := localstack.FindRoot(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	stack, err = localstack.Start(ctx, localstack.Options{Root: root})
	if err != nil {
		fmt.Fprintln(os.Stderr, "local stack:", err)
		return 1
	}
	defer stack.Close()
	store = dynamostore.New(stack.Clients.DynamoDB, stack.Template.Tables[0].Name)
	return m.Run()
}

func newCase(id string, due time.Time) attestation.Case {
	return attestation.Case{ID: id, OrganizationBIN: "120540001238", ObjectName: "Registry", Edition: "rules-2016-amended-2018",
		Stage: attestation.StageCompletenessCheck, Version: 1, SubmittedAt: due.Add(-72 * time.Hour), Events: 1,
		OpenStep: &attestation.Step{Name: "completeness_check", Role: identity.Authority, Token: "tok-" + id, DueAt: due}}
}

// uniqueID is prefix followed by random hexadecimal digits: the local stack lives as long as the
// test process, so every run (-count=2) must create new cases.
func uniqueID(t *testing.T, prefix string) string {
	t.Helper()
	return prefix + "-" + uniqueHex(t, 12)
}

// yearsTaken counts the register years handed out by unusedYear.
var yearsTaken atomic.Int64

// unusedYear is a certificate year no other test or run of this process uses, so that its numbers
// and its sequence counter start empty. It is far above the random years of lifeNumber (3000–3899).
func unusedYear() int {
	return 9000 + int(yearsTaken.Add(1))
}

func event(seq int, what string) attestation.Event {
	return attestation.Event{Seq: seq, At: time.Date(2026, 10, 15, 5, 0, 0, 0, time.UTC), Actor: "t", Role: identity.Applicant, What: what}
}

func TestCreateIsConditionalOnANewID(t *testing.T) {
	ctx := context.Background()
	c := newCase(uniqueID(t, "S-create"), time.Date(2026, 10, 20, 18, 59, 59, 0, time.UTC))
	if err := store.Create(ctx, c, event(1, "submitted")); err != nil {
		t.Fatal(err)
	}
	if err := store.Create(ctx, c, event(1, "submitted")); !errors.Is(err, attestation.ErrConflict) {
		t.Fatalf("a second create of the same ID: %v, want ErrConflict", err)
	}
	got, err := store.Get(ctx, c.ID)
	if err != nil || got.ObjectName != "Registry" || got.OpenStep == nil || got.OpenStep.Token != "tok-"+c.ID {
		t.Fatalf("get: %+v %v", got, err)
	}
	if _, err := store.Get(ctx, "S-none"); !errors.Is(err, attestation.ErrNotFound) {
		t.Fatalf("get of a missing case: %v, want ErrNotFound", err)
	}
}

func TestUpdateIsConditionalOnTheVersionAndWritesEventsWithIt(t *testing.T) {
	ctx := context.Background()
	c := newCase(uniqueID(t, "S-update"), time.Date(2026, 10, 20, 18, 59, 59, 0, time.UTC))
	if err := store.Create(ctx, c, event(1, "submitted")); err != nil {
		t.Fatal(err)
	}
	c.Version, c.Events, c.Stage = 2, 2, attestation.StageSendContract
	if err := store.Update(ctx, c, event(2, "forwarded")); err != nil {
		t.Fatal(err)
	}
	// A stale writer (still at version 1) is refused, and its event is not written either.
	stale := c
	stale.Version, stale.Stage = 2, attestation.StageReturned
	if err := store.Update(ctx, stale, event(3, "returned")); !errors.Is(err, attestation.ErrConflict) {
		t.Fatalf("a stale update: %v, want ErrConflict", err)
	}
	// An event that already exists makes the whole transaction fail: the case does not move.
	c.Version, c.Events = 3, 3
	if err := store.Update(ctx, c, event(2, "duplicate")); !errors.Is(err, attestation.ErrConflict) {
		t.Fatalf("a duplicate event: %v, want ErrConflict", err)
	}
	got, _ := store.Get(ctx, c.ID)
	if got.Version != 2 || got.Stage != attestation.StageSendContract {
		t.Fatalf("case after refused writes: version %d stage %s", got.Version, got.Stage)
	}
	h, err := store.History(ctx, c.ID)
	if err != nil || len(h) != 2 || h[0].What != "submitted" || h[1].What != "forwarded" {
		t.Fatalf("history: %+v %v", h, err)
	}
}

func TestMarkCallbackIsConditionalOnTheToken(t *testing.T) {
	ctx := context.Background()
	c := newCase(uniqueID(t, "S-callback"), time.Date(2026, 10, 20, 18, 59, 59, 0, time.UTC))
	c.LastDecision = &attestation.Decision{Step: "completeness_check", Token: "tok-1", Outcome: attestation.OutcomeForward, Callback: attestation.CallbackPending}
	if err := store.Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := store.MarkCallback(ctx, c.ID, "tok-other", attestation.CallbackSent); !errors.Is(err, attestation.ErrConflict) {
		t.Fatalf("mark with another token: %v, want ErrConflict", err)
	}
	if err := store.MarkCallback(ctx, c.ID, "tok-1", attestation.CallbackSent); err != nil {
		t.Fatal(err)
	}
	got, _ := store.Get(ctx, c.ID)
	if got.LastDecision.Callback != attestation.CallbackSent || got.Version != 1 {
		t.Fatalf("callback %q version %d", got.LastDecision.Callback, got.Version)
	}
}

// TestMarkHandbackIsConditionalOnTheToken: the hand-back's callback state is recorded only
// while the case's attention holds that token and a hand-back, and changes no version.
func TestMarkHandbackIsConditionalOnTheToken(t *testing.T) {
	ctx := context.Background()
	c := newCase(uniqueID(t, "S-handback"), time.Date(2026, 10, 20, 18, 59, 59, 0, time.UTC))
	c.Stage, c.OpenStep = attestation.StageSubmitted, nil
	c.Attention = &attestation.Attention{Error: "TransientError", At: c.SubmittedAt, Stage: c.Stage, Source: attestation.AttentionFromWorkflow,
		Task: "RecordApplicationReceipt", Token: "tok-a"}
	if err := store.Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := store.MarkHandback(ctx, c.ID, "tok-a", attestation.CallbackSent); !errors.Is(err, attestation.ErrConflict) {
		t.Fatalf("mark before a hand-back: %v, want ErrConflict", err)
	}
	a := *c.Attention
	a.Handback = &attestation.Handback{Outcome: attestation.HandbackResume, Actor: "u", Role: identity.Authority, At: c.SubmittedAt, Callback: attestation.CallbackPending}
	c.Attention, c.Version = &a, c.Version+1
	if err := store.Update(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := store.MarkHandback(ctx, c.ID, "tok-other", attestation.CallbackSent); !errors.Is(err, attestation.ErrConflict) {
		t.Fatalf("mark with another token: %v, want ErrConflict", err)
	}
	if err := store.MarkHandback(ctx, c.ID, "tok-a", attestation.CallbackSent); err != nil {
		t.Fatal(err)
	}
	got, _ := store.Get(ctx, c.ID)
	if got.Attention.Handback.Callback != attestation.CallbackSent || got.Version != c.Version {
		t.Fatalf("callback %q version %d", got.Attention.Handback.Callback, got.Version)
	}
}

func TestDueStepsQueriesEveryShardOfTheIndex(t *testing.T) {
	ctx := context.Background()
	base := time.Date(2030, 1, 10, 18, 59, 59, 0, time.UTC) // far from the other tests' due moments
	// New IDs every run; a prefix whose first eight IDs (the due ones) fall in one shard only is
	// drawn again, as the query over shards would not be exercised.
	id := func(prefix string, i int) string { return fmt.Sprintf("%s-%02d", prefix, i) }
	prefix := uniqueID(t, "S-due")
	for spread := false; !spread; {
		first := dynamostore.DueShardOf(id(prefix, 0))
		for i := 1; i < 8; i++ {
			spread = spread || dynamostore.DueShardOf(id(prefix, i)) != first
		}
		if !spread {
			prefix = uniqueID(t, "S-due")
		}
	}
	var want []string
	for i := 0; i < 12; i++ {
		c := newCase(id(prefix, i), base.Add(time.Duration(i)*24*time.Hour))
		if i == 11 {
			c.OpenStep.Overdue = true // marked already: out of the due index
		}
		if err := store.Create(ctx, c); err != nil {
			t.Fatal(err)
		}
		if i < 8 {
			want = append(want, c.ID)
		}
	}
	due, err := store.DueSteps(ctx, base.Add(7*24*time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, c := range due {
		if c.OpenStep.DueAt.After(base.Add(7 * 24 * time.Hour)) {
			t.Errorf("%s is due %s, after the moment asked", c.ID, c.OpenStep.DueAt)
		}
		got[c.ID] = true
	}
	for _, id := range want {
		if !got[id] {
			t.Errorf("%s is due but was not found", id)
		}
	}
	shards := map[string]bool{}
	for _, id := range want {
		shards[dynamostore.DueShardOf(id)] = true
	}
	if len(shards) < 2 {
		t.Errorf("the test's cases fell in %d shard(s); the query over shards is not exercised", len(shards))
	}
}

// TestIssueCertificateNumbersWithoutGaps: ten cases issued at once get ten consecutive numbers.
func TestIssueCertificateNumbersWithoutGaps(t *testing.T) {
	ctx := context.Background()
	const n = 10
	year := unusedYear()
	first, err := store.CertificateSeq(ctx, year)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, n)
	for i := 0; i < n; i++ {
		ids[i] = uniqueID(t, fmt.Sprintf("S-cert-%d", i))
		if err := store.Create(ctx, newCase(ids[i], time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC))); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	numbers := make([]int, n)
	errs := make([]error, n)
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			for attempt := 0; attempt < 50; attempt++ {
				c, err := store.Get(ctx, ids[i])
				if err != nil {
					errs[i] = err
					return
				}
				last, err := store.CertificateSeq(ctx, year)
				if err != nil {
					errs[i] = err
					return
				}
				cert := attestation.Certificate{Number: fmt.Sprintf("%d/%05d", year, last+1), Year: year, Seq: last + 1, CaseID: c.ID, OrganizationBIN: c.OrganizationBIN}
				c.Version++
				c.Certificate = cert.Number
				err = store.IssueCertificate(ctx, c, cert)
				if errors.Is(err, attestation.ErrConflict) {
					continue
				}
				numbers[i], errs[i] = last+1, err
				return
			}
			errs[i] = errors.New("no number after 50 attempts")
		}(i)
	}
	close(start)
	wg.Wait()
	seen := map[int]bool{}
	for i := 0; i < n; i++ {
		if errs[i] != nil {
			t.Fatalf("case %d: %v", i, errs[i])
		}
		seen[numbers[i]] = true
	}
	for k := first + 1; k <= first+n; k++ {
		if !seen[k] {
			t.Fatalf("numbers %v: %d is missing", numbers, k)
		}
	}
	if last, _ := store.CertificateSeq(ctx, year); last != first+n {
		t.Fatalf("counter at %d, want %d", last, first+n)
	}
}
