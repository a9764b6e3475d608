// Package notify is the handler of the notify function (issue 13): the table's DynamoDB stream,
// filtered by the event source mapping to new notification items, in; each notification delivered
// at least once (notice.Deliverer: an EventBridge event and e-mail, each recorded on the
// notification so that a repeated delivery sends nothing twice). It reports the records that
// failed (ReportBatchItemFailures): the stream delivers the batch again from the first of them.
package notify

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"attestation/internal/notice"
)

// Deliverer is what the handler needs of the delivery (*notice.Deliverer).
type Deliverer interface {
	Deliver(ctx context.Context, id string, now time.Time) (notice.Delivery, error)
}

var _ Deliverer = (*notice.Deliverer)(nil)

// Handler delivers the notifications of a batch of stream records.
type Handler struct {
	d     Deliverer
	log   *slog.Logger
	now   func() time.Time // the delivery's time stamp only; no rule reads it
	tally func(ctx context.Context, t Tally)
}

// Tally is what one invocation delivered, by outcome; a notification delivered before (the stream
// handed it over again) is not counted.
type Tally struct {
	Sent    int // outcome sent, or no_mail (published; no address registered)
	Bounced int // an address was refused by the mail service
	Failed  int // given up after its attempts
	Retried int // not delivered this time; the stream delivers it again
}

// WithTally makes the handler report each invocation's Tally to f (the function's metrics).
func (h *Handler) WithTally(f func(ctx context.Context, t Tally)) *Handler {
	h.tally = f
	return h
}

// New returns the handler on d.
func New(d Deliverer, log *slog.Logger, now func() time.Time) *Handler {
	return &Handler{d: d, log: log, now: now}
}

// Handle delivers each new notification of the batch in order. On the first failure it reports
// that record and every one after it as failed, so the stream delivers them again (records
// already delivered skip their sends by the notification's own marks).
func (h *Handler) Handle(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	var resp events.DynamoDBEventResponse
	var tally Tally
	if h.tally != nil {
		defer func() { h.tally(ctx, tally) }()
	}
	failed := false
	for _, r := range ev.Records {
		if failed {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: r.Change.SequenceNumber})
			continue
		}
		id, ok := notificationID(r)
		if !ok {
			continue // not a new notification: the mapping's filter lets none through
		}
		d, err := h.d.Deliver(ctx, id, h.now())
		if err != nil {
			h.log.ErrorContext(ctx, "notification not delivered; the stream delivers it again", "notification", id, "error", err)
			failed = true
			tally.Retried++
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: r.Change.SequenceNumber})
			continue
		}
		tally.count(d)
		h.log.InfoContext(ctx, "notification delivered", "notification", id, "outcome", d.Outcome, "mails", len(d.Mail))
	}
	return resp, nil
}

// count adds one delivery's outcome, unless it was recorded before.
func (t *Tally) count(d notice.Delivery) {
	if d.Repeated {
		return
	}
	switch d.Outcome {
	case notice.DeliverySent, notice.DeliveryNoMail:
		t.Sent++
	case notice.DeliveryBounced:
		t.Bounced++
	case notice.DeliveryFailed:
		t.Failed++
	}
}

// notificationID is the ID of the notification a record inserts, or flags for delivery again
// (a MODIFY with redeliver true: the deadline check's redelivery, notice.Redelivery).
func notificationID(r events.DynamoDBEventRecord) (string, bool) {
	img := r.Change.NewImage
	switch r.EventName {
	case string(events.DynamoDBOperationTypeInsert):
	case string(events.DynamoDBOperationTypeModify):
		flag, ok := img["redeliver"]
		if !ok || flag.DataType() != events.DataTypeBoolean || !flag.Boolean() {
			return "", false
		}
	default:
		return "", false
	}
	t, ok := img["type"]
	if !ok || t.DataType() != events.DataTypeString || t.String() != "notification" {
		return "", false
	}
	id, ok := img["id"]
	if !ok || id.DataType() != events.DataTypeString || id.String() == "" {
		return "", false
	}
	return id.String(), true
}
