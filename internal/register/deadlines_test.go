package register

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"attestation/internal/identity"
)

// The deadline check (§40-§41): the platform's certificate expires; what an entry is watched for.

func TestPlatformCertificateExpiresPar40Par41(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	e := f.issue(t, "egov_platform", issuedAt)
	system := f.issue(t, "state_is", issuedAt)
	// §40: one year; the end of a term is not moved off a day off (2027-10-15 is a Friday anyway).
	if e.ValidUntil == nil || !e.ValidUntil.Equal(endOf(2027, 10, 15)) || system.ValidUntil != nil {
		t.Fatalf("valid until %v / %v", e.ValidUntil, system.ValidUntil)
	}
	t.Run("§40 in force until the end of its term", func(t *testing.T) {
		if got := f.check(t, endOf(2027, 10, 15).Add(-time.Second)); len(got) != 0 {
			t.Fatalf("%v", got)
		}
		if got := f.get(t, e.Number); got.Status != Valid {
			t.Fatal(got.Status)
		}
	})
	t.Run("§41 expired at the end of its term, once", func(t *testing.T) {
		now := at(2027, 10, 16, 3, 0)
		got := f.check(t, now)
		// The other certificate's monitoring (§42) fell due the same day.
		if !slices.Equal(got, []string{"expiry/" + e.Number, "monitoring_connection/" + system.Number}) {
			t.Fatalf("flags %v", got)
		}
		x := f.get(t, e.Number)
		if x.Status != Expired || x.ExpiredAt == nil || !x.ExpiredAt.Equal(*e.ValidUntil) || x.PublicView().Status != Expired {
			t.Fatalf("%s %v", x.Status, x.ExpiredAt)
		}
		revs, _ := f.store.Revisions(ctx, e.Number)
		if last := revs[len(revs)-1]; last.Role != string(identity.Scheduler) || !strings.Contains(last.Paragraph, "§40") {
			t.Fatalf("revision %+v", last)
		}
		if again := f.check(t, now); len(again) != 0 {
			t.Fatalf("again: %v", again)
		}
	})
	t.Run("§45(1) the expired certificate is listed for recall until the object is attested again", func(t *testing.T) {
		now := at(2027, 10, 18, 10, 0)
		obs, _, err := f.svc.Obligations(ctx, authority, false, 10, "", now)
		if err != nil || !slices.ContainsFunc(obs, func(o Obligation) bool {
			return o.Certificate == e.Number && o.Kind == WatchRecall && o.Ground == GroundNotReattested && o.Paragraph == "§45(1)" && o.DueAt == nil
		}) {
			t.Fatalf("%+v %v", obs, err)
		}
		// Attested again: a new certificate of the same object.
		f.seq = 40
		again := f.issue(t, "egov_platform", at(2027, 10, 18, 9, 0))
		stored := f.get(t, again.Number)
		stored.ObjectID = e.ObjectID
		f.store.entries[again.Number] = stored
		obs, _, _ = f.svc.Obligations(ctx, authority, false, 10, "", now)
		if slices.ContainsFunc(obs, func(o Obligation) bool { return o.Certificate == e.Number }) {
			t.Fatalf("still listed: %+v", obs)
		}
	})
	f.verifyChain(t)
}

func TestNextCheckAndWatched(t *testing.T) {
	now := at(2026, 10, 15, 10, 0)
	due1, due2 := now.Add(48*time.Hour), now.Add(24*time.Hour)
	e := Entry{Status: Valid, Monitoring: &Monitoring{DueAt: due1}, Changes: []ChangeNotice{{ID: "c1", DueAt: due2}}}
	if at, ok := e.NextCheck(); !ok || !at.Equal(due2) || !e.Watched() {
		t.Fatalf("%v %v", at, ok)
	}
	e.Changes[0].Overdue = true
	if at, ok := e.NextCheck(); !ok || !at.Equal(due1) {
		t.Fatalf("%v %v", at, ok)
	}
	e.Monitoring.Overdue = true
	if _, ok := e.NextCheck(); ok || !e.Watched() {
		t.Fatal("flagged obligations are not checked again but stay watched")
	}
	done := now
	e.Changes[0].DecidedAt, e.Monitoring.ConnectedAt = &done, &done
	if e.Watched() {
		t.Fatal("nothing is open")
	}
}
