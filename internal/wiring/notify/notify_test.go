package notify

import (
	"slices"
	"testing"

	notifyfn "attestation/internal/notify"
	"attestation/internal/wiring/metrics"
)

// TestFiguresOfAnInvocation: notify's metrics count what one invocation delivered anew, by
// outcome; an invocation that delivered nothing new (every record delivered before, or to be
// delivered again) emits none.
func TestFiguresOfAnInvocation(t *testing.T) {
	got := Figures(notifyfn.Tally{Sent: 3, Bounced: 1, Failed: 2, Retried: 4})
	want := []metrics.Value{
		{Name: metrics.NotificationsSent, Unit: metrics.Count, Value: 3},
		{Name: metrics.NotificationsBounced, Unit: metrics.Count, Value: 1},
		{Name: metrics.NotificationsFailed, Unit: metrics.Count, Value: 2},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%v, want %v", got, want)
	}
	if got := Figures(notifyfn.Tally{Retried: 2}); got != nil {
		t.Fatalf("nothing delivered: %v", got)
	}
}
