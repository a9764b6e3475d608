package notify

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"attestation/internal/notice"
)

// fakeDeliverer answers each notification's outcome, or an error for the IDs in fail.
type fakeDeliverer struct {
	outcome map[string]notice.Delivery
	fail    map[string]bool
	calls   []string
}

func (f *fakeDeliverer) Deliver(ctx context.Context, id string, now time.Time) (notice.Delivery, error) {
	f.calls = append(f.calls, id)
	if f.fail[id] {
		return notice.Delivery{}, errors.New("bus unavailable")
	}
	if d, ok := f.outcome[id]; ok {
		return d, nil
	}
	return notice.Delivery{Outcome: notice.DeliverySent}, nil
}

// record is a stream record of an item: an INSERT of a notification unless said otherwise.
func record(seq, eventName, typ, id string) events.DynamoDBEventRecord {
	img := map[string]events.DynamoDBAttributeValue{"type": events.NewStringAttribute(typ)}
	if id != "" {
		img["id"] = events.NewStringAttribute(id)
	}
	return events.DynamoDBEventRecord{EventName: eventName, Change: events.DynamoDBStreamRecord{SequenceNumber: seq, NewImage: img}}
}

func newHandler(d Deliverer) (*Handler, *[]Tally) {
	var tallies []Tally
	h := New(d, slog.New(slog.NewTextHandler(io.Discard, nil)), func() time.Time { return time.Unix(0, 0) }).
		WithTally(func(ctx context.Context, t Tally) { tallies = append(tallies, t) })
	return h, &tallies
}

// TestHandleDeliversNewNotificationsInOrder: each new notification of a batch is delivered, in
// order; records that are not new notifications (a MODIFY, another item type, no ID) are passed
// over; the tally counts each outcome, a repeated delivery not at all.
func TestHandleDeliversNewNotificationsInOrder(t *testing.T) {
	d := &fakeDeliverer{outcome: map[string]notice.Delivery{
		"n-2": {Outcome: notice.DeliveryNoMail},
		"n-3": {Outcome: notice.DeliveryBounced},
		"n-4": {Outcome: notice.DeliveryFailed},
		"n-5": {Outcome: notice.DeliverySent, Repeated: true},
	}}
	h, tallies := newHandler(d)
	resp, err := h.Handle(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		record("1", "INSERT", "notification", "n-1"),
		record("2", "MODIFY", "notification", "n-x"),
		record("3", "INSERT", "case", "A-1"),
		record("4", "INSERT", "notification", ""),
		record("5", "INSERT", "notification", "n-2"),
		record("6", "INSERT", "notification", "n-3"),
		record("7", "INSERT", "notification", "n-4"),
		record("8", "INSERT", "notification", "n-5"),
	}})
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("%+v %v", resp, err)
	}
	if want := []string{"n-1", "n-2", "n-3", "n-4", "n-5"}; !slices.Equal(d.calls, want) {
		t.Fatalf("delivered %v, want %v", d.calls, want)
	}
	if want := (Tally{Sent: 2, Bounced: 1, Failed: 1}); len(*tallies) != 1 || (*tallies)[0] != want {
		t.Fatalf("tally %+v, want %+v", *tallies, want)
	}
}

// TestHandleReportsTheFirstFailureAndEveryRecordAfterIt: a notification not delivered is reported
// failed with every record after it, undelivered (the stream delivers the batch again from it, in
// order); the records before it are not reported.
func TestHandleReportsTheFirstFailureAndEveryRecordAfterIt(t *testing.T) {
	d := &fakeDeliverer{fail: map[string]bool{"n-2": true}}
	h, tallies := newHandler(d)
	resp, err := h.Handle(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		record("1", "INSERT", "notification", "n-1"),
		record("2", "INSERT", "notification", "n-2"),
		record("3", "INSERT", "notification", "n-3"),
		record("4", "MODIFY", "notification", "n-4"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	if !slices.Equal(failed, []string{"2", "3", "4"}) || !slices.Equal(d.calls, []string{"n-1", "n-2"}) {
		t.Fatalf("reported %v, delivered %v", failed, d.calls)
	}
	if want := (Tally{Sent: 1, Retried: 1}); len(*tallies) != 1 || (*tallies)[0] != want {
		t.Fatalf("tally %+v, want %+v", *tallies, want)
	}
	// Without a tally the handler reports nothing more.
	if _, err := New(d, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now).Handle(context.Background(), events.DynamoDBEvent{}); err != nil {
		t.Fatal(err)
	}
}

// TestHandleDeliversANotificationFlaggedForRedelivery: a MODIFY of a notification delivers it
// only when the deadline check flagged it for delivery again (redeliver true, notice.Redelivery);
// any other MODIFY (a read mark, a delivery's own marks) is passed over.
func TestHandleDeliversANotificationFlaggedForRedelivery(t *testing.T) {
	flagged := func(seq, id string, v events.DynamoDBAttributeValue) events.DynamoDBEventRecord {
		r := record(seq, "MODIFY", "notification", id)
		r.Change.NewImage["redeliver"] = v
		return r
	}
	d := &fakeDeliverer{}
	h, _ := newHandler(d)
	resp, err := h.Handle(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
		record("1", "MODIFY", "notification", "n-read"),
		flagged("2", "n-again", events.NewBooleanAttribute(true)),
		flagged("3", "n-cleared", events.NewBooleanAttribute(false)),
		flagged("4", "n-odd", events.NewStringAttribute("true")),
		flagged("5", "", events.NewBooleanAttribute(true)),
		record("6", "REMOVE", "notification", "n-gone"),
	}})
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("Handle: %v %v", resp, err)
	}
	if !slices.Equal(d.calls, []string{"n-again"}) {
		t.Fatalf("delivered %v, want only the notification flagged for redelivery", d.calls)
	}
}
