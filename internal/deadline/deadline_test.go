package deadline

import (
	"context"
	"strings"
	"testing"
	"time"

	"attestation/internal/attestation"
)

type nothingDue struct{}

func (nothingDue) Check(context.Context, time.Time) (any, error) { return nil, nil }

// TestNewNamesWhatIsMissing: the handler is built whole or not at all.
func TestNewNamesWhatIsMissing(t *testing.T) {
	cases := &attestation.Service{}
	for _, tc := range []struct {
		name string
		deps Deps
		want string
	}{
		{"without the cases", Deps{Checks: []Named{{"register", nothingDue{}}}}, "Cases is required"},
		{"a check without a name", Deps{Cases: cases, Checks: []Named{{"", nothingDue{}}}}, "has no name"},
		{"a check without its checker", Deps{Cases: cases, Checks: []Named{{"register", nil}}}, "check register: Checker is required"},
		{"two checks of one name", Deps{Cases: cases, Checks: []Named{{"register", nothingDue{}}, {"register", nothingDue{}}}}, "two checks are named register"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.deps); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := New(Deps{Cases: cases, Checks: []Named{{"register", nothingDue{}}, {"complaints", nothingDue{}}}}); err != nil {
		t.Fatalf("whole: %v", err)
	}
}
