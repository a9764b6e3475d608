package notice

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// fakeOutbox holds notifications by ID with the moment each was recorded and whether its outcome
// is recorded.
type fakeOutbox struct {
	at        map[string]time.Time
	delivered map[string]bool
	flagged   []string
	fail      map[string]bool
	asked     time.Time
}

func (f *fakeOutbox) Undelivered(ctx context.Context, before time.Time, limit int) ([]string, bool, error) {
	f.asked = before
	var ids []string
	for id, at := range f.at {
		if !f.delivered[id] && !at.After(before) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	if len(ids) > limit {
		return ids[:limit], true, nil
	}
	return ids, false, nil
}

func (f *fakeOutbox) Redeliver(ctx context.Context, id string, at time.Time) (bool, error) {
	if f.fail[id] {
		return false, errors.New("throttled")
	}
	if f.delivered[id] {
		return false, nil
	}
	f.flagged = append(f.flagged, id)
	return true, nil
}

// TestRedeliveryBringsBackWhatTheStreamGaveUp: the daily check flags for delivery again every
// notification recorded at least an hour before the run that has no outcome; one delivered, or
// recorded within the hour (its stream delivery may still be on its way), is left alone; a
// failure to flag one fails the run (the scheduler retries it) without stopping the others; a run
// brings back at most RedeliveryLimit and says when more wait.
func TestRedeliveryBringsBackWhatTheStreamGaveUp(t *testing.T) {
	now := time.Date(2026, 10, 16, 19, 5, 0, 0, time.UTC)
	o := &fakeOutbox{
		at: map[string]time.Time{
			"stuck":      now.Add(-26 * time.Hour),
			"delivered":  now.Add(-26 * time.Hour),
			"on-its-way": now.Add(-10 * time.Minute),
			"throttled":  now.Add(-2 * time.Hour),
		},
		delivered: map[string]bool{"delivered": true},
		fail:      map[string]bool{"throttled": true},
	}
	r := NewRedelivery(o)
	out, err := r.Check(context.Background(), now)
	if err == nil {
		t.Fatal("a notification that could not be flagged did not fail the run")
	}
	rep := out.(RedeliveryReport)
	if !slices.Equal(rep.Redelivered, []string{"stuck"}) || rep.More {
		t.Fatalf("report %+v, want only stuck", rep)
	}
	if !o.asked.Equal(now.Add(-RedeliveryGrace)) {
		t.Fatalf("asked for notifications recorded before %s, want %s", o.asked, now.Add(-RedeliveryGrace))
	}

	r.limit = 1
	o.fail = nil
	o.flagged = nil
	out, err = r.Check(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	if rep := out.(RedeliveryReport); len(rep.Redelivered) != 1 || !rep.More {
		t.Fatalf("a run past its limit: %+v, want one and more", rep)
	}
}
