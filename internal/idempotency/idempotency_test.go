package idempotency

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// errHeld is the fake's answer to a Complete or Release by a request that no longer holds the
// claim (the adapter's ErrConflict).
var errHeld = errors.New("the claim is no longer this request's")

// memStore is an in-memory Store with the DynamoDB adapter's conditions.
type memStore struct {
	mu                  sync.Mutex
	claims              map[string]Claim
	calls               int   // calls of any method
	claimErr, finishErr error // returned instead of acting, when set
}

func newMemStore() *memStore { return &memStore{claims: map[string]Claim{}} }

func (m *memStore) Claim(ctx context.Context, c Claim, now time.Time) (Claim, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if m.claimErr != nil {
		return Claim{}, false, m.claimErr
	}
	k := c.Subject + "#" + c.Key
	old, ok := m.claims[k]
	if !ok || !old.ExpiresAt.After(now) || (old.Response == nil && !old.LockedUntil.After(now) && old.Fingerprint == c.Fingerprint) {
		m.claims[k] = c
		return c, true, nil
	}
	return old, false, nil
}

func (m *memStore) Complete(ctx context.Context, subject, key, token string, resp SavedResponse) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if m.finishErr != nil {
		return m.finishErr
	}
	k := subject + "#" + key
	c, ok := m.claims[k]
	if !ok || c.Token != token || c.Response != nil {
		return errHeld
	}
	c.Response = &resp
	m.claims[k] = c
	return nil
}

func (m *memStore) Release(ctx context.Context, subject, key, token string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if m.finishErr != nil {
		return m.finishErr
	}
	k := subject + "#" + key
	c, ok := m.claims[k]
	if !ok || c.Token != token || c.Response != nil {
		return errHeld
	}
	delete(m.claims, k)
	return nil
}

var firstTime = time.Date(2026, 10, 15, 5, 0, 0, 0, time.UTC)

// filing is a request with key k-1 at at, with the given request ID and body.
func filing(token, body string, at time.Time) Request {
	return Request{Subject: "u-applicant", Key: "k-1", Route: "POST /drafts", Path: "/drafts", Body: []byte(body),
		Token: token, Now: at}
}

func TestValidKey(t *testing.T) {
	for _, tc := range []struct {
		name, key string
		want      bool
	}{
		{"empty", "", false},
		{"too long", strings.Repeat("k", MaxKey+1), false},
		{"space", "a key", false},
		{"tab", "a\tkey", false},
		{"non-ASCII", "ключ", false},
		{"control", "k\x01", false},
		{"delete", "k\x7f", false},
		{"one character", "k", true},
		{"longest", strings.Repeat("k", MaxKey), true},
		{"visible punctuation", `"8e03978e-40d5-43e8-bc93-6894a57f9324"`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ValidKey(tc.key); got != tc.want {
				t.Fatalf("ValidKey(%q) = %t, want %t", tc.key, got, tc.want)
			}
		})
	}
}

// TestFingerprintIsStable: stored claims keep their fingerprint for a day, so its value must not
// change between versions; the separators keep the route, the path and the body apart.
func TestFingerprintIsStable(t *testing.T) {
	// sha256 of "POST /drafts\x00/drafts\x00{}"
	base := Fingerprint("POST /drafts", "/drafts", []byte(`{}`))
	if want := "4bae1dc01bd37937cd2ff71f41b83b8ca3b4b5174eb25db6627b1ed3d3a55481"; base != want {
		t.Fatalf("fingerprint %s, want %s", base, want)
	}
	for name, fp := range map[string]string{
		"another route":        Fingerprint("PUT /drafts", "/drafts", []byte(`{}`)),
		"another path":         Fingerprint("POST /drafts", "/drafts/", []byte(`{}`)),
		"another body":         Fingerprint("POST /drafts", "/drafts", []byte(`{ }`)),
		"path moved into body": Fingerprint("POST /drafts", "", []byte("/drafts\x00{}")),
	} {
		if fp == base {
			t.Errorf("%s has the same fingerprint", name)
		}
	}
}

func TestDecide(t *testing.T) {
	mine := Claim{Fingerprint: "fp-a", Token: "req-2"}
	done := &SavedResponse{Status: 201}
	for _, tc := range []struct {
		name    string
		held    Claim
		claimed bool
		want    State
	}{
		{"stored", mine, true, Claimed},
		{"held by the same request, running", Claim{Fingerprint: "fp-a", Token: "req-1"}, false, InProgress},
		{"held by the same request, answered", Claim{Fingerprint: "fp-a", Token: "req-1", Response: done}, false, Completed},
		{"held by another request, running", Claim{Fingerprint: "fp-b", Token: "req-1"}, false, Reused},
		{"held by another request, answered", Claim{Fingerprint: "fp-b", Token: "req-1", Response: done}, false, Reused},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := decide(mine, tc.held, tc.claimed); got != tc.want {
				t.Fatalf("%s, want %s", got, tc.want)
			}
		})
	}
}

// TestARepeatGetsTheFirstResponse walks one key through its life: claimed, in progress for an
// identical request, reused for another, completed once answered, and free a day later.
func TestARepeatGetsTheFirstResponse(t *testing.T) {
	ctx := context.Background()
	s := newMemStore()
	p := New(s)
	first, err := p.Begin(ctx, filing("req-1", `{"a":1}`, firstTime))
	if err != nil || first.State != Claimed {
		t.Fatalf("first: %+v %v", first, err)
	}
	c := first.Claim
	if c.Token != "req-1" || c.Subject != "u-applicant" || c.Key != "k-1" || !c.ClaimedAt.Equal(firstTime) ||
		!c.LockedUntil.Equal(firstTime.Add(Lease)) || !c.ExpiresAt.Equal(firstTime.Add(24*time.Hour)) ||
		c.Fingerprint != Fingerprint("POST /drafts", "/drafts", []byte(`{"a":1}`)) || c.Response != nil {
		t.Fatalf("first claim: %+v", c)
	}
	if a, err := p.Begin(ctx, filing("req-2", `{"a":1}`, firstTime.Add(time.Second))); err != nil || a.State != InProgress || a.Claim.Token != "req-1" {
		t.Fatalf("identical request while the first runs: %+v %v", a, err)
	}
	if a, err := p.Begin(ctx, filing("req-3", `{"a":2}`, firstTime.Add(time.Second))); err != nil || a.State != Reused {
		t.Fatalf("another request while the first runs: %+v %v", a, err)
	}
	resp := SavedResponse{Status: 201, ContentType: "application/json", Body: `{"id":"A-1"}`}
	if kept, err := p.Finish(ctx, first, resp); err != nil || !kept {
		t.Fatalf("finish: %t %v", kept, err)
	}
	again, err := p.Begin(ctx, filing("req-4", `{"a":1}`, firstTime.Add(time.Hour)))
	if err != nil || again.State != Completed || again.Claim.Token != "req-1" || again.Claim.Response == nil || *again.Claim.Response != resp {
		t.Fatalf("repeat after the answer: %+v %v", again, err)
	}
	if a, err := p.Begin(ctx, filing("req-5", `{"a":2}`, firstTime.Add(time.Hour))); err != nil || a.State != Reused {
		t.Fatalf("another request after the answer: %+v %v", a, err)
	}
	other := filing("req-6", `{"a":1}`, firstTime.Add(time.Hour))
	other.Subject = "u-other"
	if a, err := p.Begin(ctx, other); err != nil || a.State != Claimed {
		t.Fatalf("another caller's same key: %+v %v", a, err)
	}
	if a, err := p.Begin(ctx, filing("req-7", `{"a":2}`, firstTime.Add(TTL))); err != nil || a.State != Claimed {
		t.Fatalf("a day later: %+v %v", a, err)
	}
}

// TestARefusalOrFailureReleasesTheKey: only a success is kept; after a 4xx or a 5xx the same
// request runs again.
func TestARefusalOrFailureReleasesTheKey(t *testing.T) {
	for _, status := range []int{199, 300, 400, 409, 422, 500, 503} {
		ctx := context.Background()
		p := New(newMemStore())
		a, err := p.Begin(ctx, filing("req-1", `{}`, firstTime))
		if err != nil || a.State != Claimed {
			t.Fatalf("%d: %+v %v", status, a, err)
		}
		if kept, err := p.Finish(ctx, a, SavedResponse{Status: status}); err != nil || kept {
			t.Fatalf("%d: finish %t %v", status, kept, err)
		}
		if a, err := p.Begin(ctx, filing("req-2", `{}`, firstTime.Add(time.Second))); err != nil || a.State != Claimed {
			t.Fatalf("%d: retry %+v %v", status, a, err)
		}
	}
	for _, status := range []int{200, 201, 202, 204, 299} {
		if !Keeps(status) {
			t.Errorf("%d is not kept", status)
		}
	}
}

// TestADeadClaimIsTakenOverAfterItsLeaseByTheSameRequestOnly: a claim whose request died keeps
// the key for the lease; then an identical request takes it over, another is still refused.
func TestADeadClaimIsTakenOverAfterItsLeaseByTheSameRequestOnly(t *testing.T) {
	ctx := context.Background()
	p := New(newMemStore())
	dead, err := p.Begin(ctx, filing("dead", `{}`, firstTime))
	if err != nil || dead.State != Claimed {
		t.Fatalf("%+v %v", dead, err)
	}
	if a, _ := p.Begin(ctx, filing("req-2", `{}`, firstTime.Add(Lease-time.Millisecond))); a.State != InProgress {
		t.Fatalf("within the lease: %s", a.State)
	}
	if a, _ := p.Begin(ctx, filing("req-3", `{"other":1}`, firstTime.Add(Lease))); a.State != Reused {
		t.Fatalf("another request after the lease: %s", a.State)
	}
	took, err := p.Begin(ctx, filing("req-4", `{}`, firstTime.Add(Lease)))
	if err != nil || took.State != Claimed || took.Claim.Token != "req-4" {
		t.Fatalf("the same request after the lease: %+v %v", took, err)
	}
	if _, err := p.Finish(ctx, dead, SavedResponse{Status: 201}); !errors.Is(err, errHeld) {
		t.Fatalf("the dead holder finishing: %v", err)
	}
}

func TestBeginRefusesAnInvalidKeyWithoutTheStore(t *testing.T) {
	s := newMemStore()
	r := filing("req-1", `{}`, firstTime)
	r.Key = "a key"
	if _, err := New(s).Begin(context.Background(), r); !errors.Is(err, ErrInvalidKey) || s.calls != 0 {
		t.Fatalf("%v, %d store calls", err, s.calls)
	}
}

// TestStoreErrorsReachTheCaller: Begin returns the store's error as it is (its kind decides the
// answer); Finish returns it with what it was doing.
func TestStoreErrorsReachTheCaller(t *testing.T) {
	ctx := context.Background()
	down := errors.New("table unavailable")
	s := newMemStore()
	p := New(s)
	s.claimErr = down
	if a, err := p.Begin(ctx, filing("req-1", `{}`, firstTime)); !errors.Is(err, down) || a.State != 0 {
		t.Fatalf("begin: %+v %v", a, err)
	}
	s.claimErr = nil
	a, err := p.Begin(ctx, filing("req-1", `{}`, firstTime))
	if err != nil {
		t.Fatal(err)
	}
	s.finishErr = down
	if kept, err := p.Finish(ctx, a, SavedResponse{Status: 201}); !kept || !errors.Is(err, down) {
		t.Fatalf("finish a success: %t %v", kept, err)
	}
	if kept, err := p.Finish(ctx, a, SavedResponse{Status: 500}); kept || !errors.Is(err, down) {
		t.Fatalf("finish a failure: %t %v", kept, err)
	}
}

func TestFinishNeedsAClaimedAttempt(t *testing.T) {
	s := newMemStore()
	for _, st := range []State{0, InProgress, Completed, Reused} {
		if _, err := New(s).Finish(context.Background(), Attempt{State: st}, SavedResponse{Status: 201}); err == nil {
			t.Errorf("%s: finished", st)
		}
	}
	if s.calls != 0 {
		t.Fatalf("%d store calls", s.calls)
	}
}
