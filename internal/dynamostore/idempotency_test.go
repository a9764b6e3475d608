package dynamostore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/attestation"
	"attestation/internal/dynamostore"
	"attestation/internal/idempotency"
)

func claimStore() *dynamostore.Idempotency {
	return dynamostore.NewIdempotency(stack.Clients.DynamoDB, stack.Template.Tables[0].Name)
}

var claimTime = time.Date(2026, 10, 15, 5, 0, 0, 0, time.UTC)

func newClaim(sub, key, fp, token string, at time.Time) idempotency.Claim {
	return idempotency.Claim{Subject: sub, Key: key, Fingerprint: fp, Token: token, ClaimedAt: at,
		LockedUntil: at.Add(idempotency.Lease), ExpiresAt: at.Add(idempotency.TTL)}
}

func TestAClaimIsHeldThenKeepsItsResponse(t *testing.T) {
	ctx := context.Background()
	s := claimStore()
	// New subjects and key every run: the table lives as long as the test process.
	sub, other, key := uniqueID(t, "u-1"), uniqueID(t, "u-2"), uniqueID(t, "k-1")
	c := newClaim(sub, key, "fp-a", "req-1", claimTime)
	if got, ok, err := s.Claim(ctx, c, claimTime); err != nil || !ok || got.Token != "req-1" {
		t.Fatalf("first claim: %+v %v %v", got, ok, err)
	}
	// While it runs: the holder comes back, without a response.
	held, ok, err := s.Claim(ctx, newClaim(sub, key, "fp-a", "req-2", claimTime.Add(time.Second)), claimTime.Add(time.Second))
	if err != nil || ok || held.Token != "req-1" || held.Response != nil || held.Fingerprint != "fp-a" {
		t.Fatalf("second claim while the first runs: %+v %v %v", held, ok, err)
	}
	if err := s.Complete(ctx, sub, key, "req-2", idempotency.SavedResponse{Status: 201}); !errors.Is(err, attestation.ErrConflict) {
		t.Fatalf("complete by a request that does not hold the claim: %v", err)
	}
	resp := idempotency.SavedResponse{Status: 201, ContentType: "application/json", Body: `{"id":"A-1"}`}
	if err := s.Complete(ctx, sub, key, "req-1", resp); err != nil {
		t.Fatal(err)
	}
	held, ok, err = s.Claim(ctx, newClaim(sub, key, "fp-a", "req-3", claimTime.Add(2*time.Hour)), claimTime.Add(2*time.Hour))
	if err != nil || ok || held.Response == nil || *held.Response != resp {
		t.Fatalf("claim after the response: %+v %v %v", held, ok, err)
	}
	if !held.ExpiresAt.Equal(claimTime.Add(24*time.Hour)) || !held.ClaimedAt.Equal(claimTime) {
		t.Fatalf("held claim times: %+v", held)
	}
	// Another caller's same key is another claim.
	if _, ok, err := s.Claim(ctx, newClaim(other, key, "fp-a", "req-4", claimTime), claimTime); err != nil || !ok {
		t.Fatalf("another caller: %v %v", ok, err)
	}
	// A day after the first request the key is free, even before the TTL has removed the item.
	if _, ok, err := s.Claim(ctx, newClaim(sub, key, "fp-b", "req-5", claimTime.Add(24*time.Hour)), claimTime.Add(24*time.Hour)); err != nil || !ok {
		t.Fatalf("claim after expiry: %v %v", ok, err)
	}
	// The item as docs/data-model.md describes it: expiresAt is the table's TTL attribute, in seconds.
	out, err := stack.Clients.DynamoDB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &stack.Template.Tables[0].Name,
		Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "IDEMP#" + sub + "#" + key}, "sk": &types.AttributeValueMemberS{Value: "IDEMP"}}})
	if err != nil || out.Item == nil {
		t.Fatalf("item: %v %v", out, err)
	}
	exp, _ := out.Item["expiresAt"].(*types.AttributeValueMemberN)
	if want := fmt.Sprint(claimTime.Add(48 * time.Hour).Unix()); exp == nil || exp.Value != want {
		t.Fatalf("expiresAt %v, want %s", out.Item["expiresAt"], want)
	}
}

func TestAReleasedClaimFreesTheKey(t *testing.T) {
	ctx := context.Background()
	s := claimStore()
	sub, key := uniqueID(t, "u-1"), uniqueID(t, "k-rel")
	if _, ok, err := s.Claim(ctx, newClaim(sub, key, "fp-a", "req-1", claimTime), claimTime); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if err := s.Release(ctx, sub, key, "req-other"); !errors.Is(err, attestation.ErrConflict) {
		t.Fatalf("release by another request: %v", err)
	}
	if err := s.Release(ctx, sub, key, "req-1"); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.Claim(ctx, newClaim(sub, key, "fp-b", "req-2", claimTime), claimTime); err != nil || !ok {
		t.Fatalf("claim after release: %v %v", ok, err)
	}
	if err := s.Complete(ctx, sub, key, "req-2", idempotency.SavedResponse{Status: 200}); err != nil {
		t.Fatal(err)
	}
	if err := s.Release(ctx, sub, key, "req-2"); !errors.Is(err, attestation.ErrConflict) {
		t.Fatalf("release of a completed claim: %v", err)
	}
}

// TestADeadClaimIsTakenOverAfterItsLeaseByTheSameRequestOnly: a claim without a response whose
// lease passed goes to an identical request; a different request still gets the holder.
func TestADeadClaimIsTakenOverAfterItsLeaseByTheSameRequestOnly(t *testing.T) {
	ctx := context.Background()
	s := claimStore()
	sub, key := uniqueID(t, "u-1"), uniqueID(t, "k-dead")
	if _, ok, err := s.Claim(ctx, newClaim(sub, key, "fp-a", "req-1", claimTime), claimTime); err != nil || !ok {
		t.Fatal(ok, err)
	}
	later := claimTime.Add(idempotency.Lease)
	if held, ok, err := s.Claim(ctx, newClaim(sub, key, "fp-b", "req-2", later), later); err != nil || ok || held.Fingerprint != "fp-a" {
		t.Fatalf("another request after the lease: %+v %v %v", held, ok, err)
	}
	if _, ok, err := s.Claim(ctx, newClaim(sub, key, "fp-a", "req-3", later), later); err != nil || !ok {
		t.Fatalf("the same request after the lease: %v %v", ok, err)
	}
	if err := s.Complete(ctx, sub, key, "req-1", idempotency.SavedResponse{Status: 201}); !errors.Is(err, attestation.ErrConflict) {
		t.Fatalf("the dead holder completing: %v", err)
	}
}

// TestConcurrentClaimsHaveOneWinner: ten identical requests at once; one claims the key.
func TestConcurrentClaimsHaveOneWinner(t *testing.T) {
	ctx := context.Background()
	s := claimStore()
	sub, key := uniqueID(t, "u-1"), uniqueID(t, "k-race")
	const n = 10
	var wg sync.WaitGroup
	won := make([]bool, n)
	errs := make([]error, n)
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			_, won[i], errs[i] = s.Claim(ctx, newClaim(sub, key, "fp-a", fmt.Sprintf("req-%d", i), claimTime), claimTime)
		}(i)
	}
	close(start)
	wg.Wait()
	winners := 0
	for i := 0; i < n; i++ {
		if errs[i] != nil {
			t.Fatalf("claim %d: %v", i, errs[i])
		}
		if won[i] {
			winners++
		}
	}
	if winners != 1 {
		t.Fatalf("%d requests claimed the key, want 1", winners)
	}
}
