package register

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"attestation/internal/apperr"
)

// Every list an owner grows on a certificate has a limit, refused (422 naming the field and the
// limit) before anything is written; past it the authority still acts on the certificate.

func TestGrowthLimitsPar43Par44Par48(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	e := f.issue(t, "state_is", issuedAt)
	filed := at(2026, 10, 30, 10, 0)
	t.Run("§43 at most MaxChanges notices of a certificate", func(t *testing.T) {
		// The count is the rule here. Fifty notices of the full maxDescription each go through the
		// whole stack in internal/e2e (TestRegisterGrowthPastTheLimits...); here they made the
		// store's copies a megabyte each, 24 s of the package's 26 under the race detector.
		for i := range MaxChanges {
			if _, _, err := f.svc.NotifyChange(ctx, owner, e.Number, ChangeInput{Description: fmt.Sprintf("change %d %s", i, strings.Repeat("x", 200))}, filed); err != nil {
				t.Fatalf("notice %d: %v", i+1, err)
			}
		}
		before, _ := f.store.Entry(ctx, e.Number)
		_, _, err := f.svc.NotifyChange(ctx, owner, e.Number, ChangeInput{Description: "one too many"}, filed)
		mustRefuse(t, err, "changes")
		if !strings.Contains(apperr.PublicOf(err).Detail+fmt.Sprint(err), fmt.Sprint(MaxChanges)) {
			t.Errorf("the refusal %v does not name the limit %d", err, MaxChanges)
		}
		if after, _ := f.store.Entry(ctx, e.Number); after.Revision != before.Revision {
			t.Errorf("the refused notice wrote revision %d", after.Revision)
		}
	})
	t.Run("§44 at most maxChangeReasons reasons of a decision on a notice", func(t *testing.T) {
		reasons := make([]string, maxChangeReasons+1)
		for i := range reasons {
			reasons[i] = "r"
		}
		_, _, err := f.svc.DecideChange(ctx, authority, e.Number, "c1", ChangeDecision{Decision: ReattestationRequired, Reasons: reasons}, filed)
		mustRefuse(t, err, "reasons")
		if _, _, err := f.svc.DecideChange(ctx, authority, e.Number, "c1", ChangeDecision{Decision: ReattestationRequired, Reasons: reasons[:maxChangeReasons]}, filed); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("§48 at most MaxDuplicates requests; the authority still recalls after them", func(t *testing.T) {
		for i := range MaxDuplicates {
			_, req, err := f.svc.RequestDuplicate(ctx, owner, e.Number, DuplicateInput{Reason: DuplicateLost}, filed)
			if err != nil {
				t.Fatalf("request %d: %v", i+1, err)
			}
			if _, _, err := f.svc.IssueDuplicate(ctx, authority, e.Number, req.ID, filed); err != nil {
				t.Fatalf("issue %d: %v", i+1, err)
			}
		}
		_, _, err := f.svc.RequestDuplicate(ctx, owner, e.Number, DuplicateInput{Reason: DuplicateDamaged}, filed)
		mustRefuse(t, err, "duplicates")
		got, err := f.svc.Recall(ctx, authority, e.Number, recall("owner_application"), filed)
		if err != nil || got.Status != Recalled {
			t.Fatalf("recall after the limits: %v %v", got.Status, err)
		}
	})
}
