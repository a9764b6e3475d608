package dynamostore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"attestation/internal/dynamostore"
)

// TestStatisticsReadTheCasesOfAPeriodFromTheIndexAcrossYears: the statistics' read of the cases
// filed in a period (standard §4) narrows each year's partition of gsi4 to the period, reads the
// whole case, stops at the limit, and reads a case's history.
func TestStatisticsReadTheCasesOfAPeriodFromTheIndexAcrossYears(t *testing.T) {
	ctx := context.Background()
	s := dynamostore.NewStatistics(stack.Clients.DynamoDB, stack.Template.Tables[0].Name)
	prefix := "S-st-" + uniqueHex(t, 8) + "-"
	// Days no other test files on: the last day of 2031 and the first two of 2032, in Almaty.
	at := []time.Time{
		time.Date(2031, 12, 30, 23, 0, 0, 0, kazakhstan), // before the period
		time.Date(2031, 12, 31, 10, 0, 0, 0, kazakhstan),
		time.Date(2032, 1, 1, 1, 0, 0, 0, kazakhstan), // 2031-12-31 20:00 UTC, in YEAR#2032
		time.Date(2032, 1, 1, 23, 59, 0, 0, kazakhstan),
		time.Date(2032, 1, 2, 0, 0, 0, 0, kazakhstan), // the period's end, excluded
	}
	var ids []string
	for i, when := range at {
		c := newCase(prefix+string(rune('a'+i)), when.AddDate(0, 0, 10))
		c.SubmittedAt, c.ObjectKind = when.UTC(), "state_is"
		if err := store.Create(ctx, c, event(1, "submitted")); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	from, to := time.Date(2031, 12, 31, 0, 0, 0, 0, kazakhstan), time.Date(2032, 1, 2, 0, 0, 0, 0, kazakhstan)
	cases, err := s.CasesFiledBetween(ctx, from, to, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cases {
		got = append(got, c.ID)
		if c.ObjectKind != "state_is" || c.Edition == "" || c.OpenStep == nil {
			t.Errorf("the whole case is read: %+v", c)
		}
	}
	if !slices.Equal(got, ids[1:4]) {
		t.Fatalf("cases %v, want %v", got, ids[1:4])
	}
	if cases, err := s.CasesFiledBetween(ctx, from, to, 2); err != nil || len(cases) != 2 {
		t.Fatalf("at most the limit: %d %v", len(cases), err)
	}
	h, err := s.History(ctx, ids[1])
	if err != nil || len(h) != 1 {
		t.Fatalf("history: %v %v", h, err)
	}
}
