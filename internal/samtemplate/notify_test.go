package samtemplate

import (
	"strconv"
	"testing"
)

// TestNotifyGivesUpWithinTheStreamsRetries: the notify function records a notification failed
// after NOTIFY_MAX_ATTEMPTS failed deliveries (issue 13: failed after retries); the number is at
// most the stream mapping's MaximumRetryAttempts, so the mark is made while the stream still
// delivers the record again, not after its place went to the on-failure queue.
func TestNotifyGivesUpWithinTheStreamsRetries(t *testing.T) {
	tpl := load(t)
	fn, ok := tpl.Function("NotifyFunction")
	if !ok || len(fn.Streams) != 1 {
		t.Fatalf("the notify function and its one stream mapping: %v %+v", ok, fn.Streams)
	}
	n, err := strconv.Atoi(fn.Env["NOTIFY_MAX_ATTEMPTS"])
	if err != nil || n < 1 {
		t.Fatalf("NOTIFY_MAX_ATTEMPTS=%q, want a number of attempts", fn.Env["NOTIFY_MAX_ATTEMPTS"])
	}
	if retries := fn.Streams[0].MaximumRetryAttempts; retries < 0 || n > retries {
		t.Fatalf("NOTIFY_MAX_ATTEMPTS %d past the stream's MaximumRetryAttempts %d", n, retries)
	}
	if fn.Streams[0].OnFailure == "" {
		t.Fatal("no on-failure destination")
	}
}
