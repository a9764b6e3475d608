package register

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"attestation/internal/apperr"
	"attestation/internal/calendar"
)

// Every period of life after the certificate counted for a request (§44, §46, §48) that runs past
// the years the calendar covers (2016-2027) is a 422 naming them, and nothing is written.

func TestPeriodsAfterTheCertificateTheCalendarCannotCount(t *testing.T) {
	ctx := context.Background()
	late := at(2027, 12, 29, 10, 0) // Wednesday: 3 or 5 working days end in 2028
	uncountable := func(t *testing.T, f *fixture, number string, err error, paragraph string) {
		t.Helper()
		p := apperr.PublicOf(err)
		if !errors.Is(err, calendar.ErrOutOfRange) || p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Detail, "(2016-2027)") ||
			!strings.Contains(p.Detail, paragraph) || strings.Contains(p.Detail, "retry") {
			t.Fatalf("%v: %d %q", err, p.Status, p.Detail)
		}
		if f.store.revisions(number) != 1 {
			t.Fatal("a refused request wrote")
		}
	}
	t.Run("§43 §44 a change notice", func(t *testing.T) {
		f := newFixture(t)
		e := f.issue(t, "state_is", issuedAt)
		_, _, err := f.svc.NotifyChange(ctx, owner, e.Number, ChangeInput{Description: "new hardware"}, late)
		uncountable(t, f, e.Number, err, "§44")
	})
	t.Run("§45 §46 a recall and its return period", func(t *testing.T) {
		f := newFixture(t)
		e := f.issue(t, "state_is", issuedAt)
		_, err := f.svc.Recall(ctx, authority, e.Number, recall("owner_application"), late)
		uncountable(t, f, e.Number, err, "§46")
	})
	t.Run("§48 a notice of loss", func(t *testing.T) {
		f := newFixture(t)
		e := f.issue(t, "state_is", issuedAt)
		_, _, err := f.svc.RequestDuplicate(ctx, owner, e.Number, DuplicateInput{Reason: DuplicateLost}, late)
		uncountable(t, f, e.Number, err, "§48")
	})
}
