package notice

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Redelivery is the deadline check's watch over the outbox (issue 13: delivery at least once).
// The stream hands every new notification to the notify function, which retries a failed batch
// and, past its retries, leaves the batch's place in the stream to the on-failure queue (an
// alarm): those notifications stay in the cabinet, but nobody is told by event or mail. Once the
// cause is fixed, the next daily run finds every notification still without an outcome an hour
// after it was recorded and flags it for delivery again; the flag's stream record brings it back
// to notify, which sends what was not sent yet and records the outcome (a notification delivered
// once is never sent twice: its own marks, deliver.go).
type Redelivery struct {
	outbox Outbox
	grace  time.Duration
	limit  int
}

// Outbox is what the watch needs of the stored notifications (*dynamostore.Notices).
type Outbox interface {
	// Undelivered lists the notifications recorded at or before before with no delivery outcome,
	// at most limit; more reports that some were left.
	Undelivered(ctx context.Context, before time.Time, limit int) (ids []string, more bool, err error)
	// Redeliver flags notification id for delivery again unless its outcome is recorded; it
	// reports whether it did.
	Redeliver(ctx context.Context, id string, at time.Time) (bool, error)
}

// RedeliveryGrace is how long a notification may wait for its outcome before the check brings it
// back: far longer than the stream's retries take (minutes), so a notification on its way is left
// alone.
const RedeliveryGrace = time.Hour

// RedeliveryLimit is the most notifications one run brings back; the rest wait for the next run
// (the report says so).
const RedeliveryLimit = 1000

// RedeliveryReport is what one run of the watch did.
type RedeliveryReport struct {
	Redelivered []string `json:"redelivered"`    // notification IDs flagged for delivery again
	More        bool     `json:"more,omitempty"` // more were waiting than one run brings back
}

// NewRedelivery returns the watch over outbox.
func NewRedelivery(outbox Outbox) *Redelivery {
	return &Redelivery{outbox: outbox, grace: RedeliveryGrace, limit: RedeliveryLimit}
}

// Check flags for delivery again every notification recorded at least RedeliveryGrace before
// now that has no delivery outcome.
func (r *Redelivery) Check(ctx context.Context, now time.Time) (any, error) {
	rep := RedeliveryReport{Redelivered: []string{}}
	ids, more, err := r.outbox.Undelivered(ctx, now.Add(-r.grace), r.limit)
	if err != nil {
		return rep, fmt.Errorf("redelivery at %s: %w", now.UTC().Format(time.RFC3339), err)
	}
	rep.More = more
	var failed []error
	for _, id := range ids {
		ok, err := r.outbox.Redeliver(ctx, id, now)
		if err != nil {
			failed = append(failed, err)
			continue
		}
		if ok {
			rep.Redelivered = append(rep.Redelivered, id)
		}
	}
	return rep, errors.Join(failed...)
}
