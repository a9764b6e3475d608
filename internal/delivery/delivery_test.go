package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"attestation/internal/identity"
	"attestation/internal/notice"
)

// fakeEvents keeps the entries put and answers out (or err).
type fakeEvents struct {
	in  []*eventbridge.PutEventsInput
	out *eventbridge.PutEventsOutput
	err error
}

func (f *fakeEvents) PutEvents(ctx context.Context, in *eventbridge.PutEventsInput, _ ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error) {
	f.in = append(f.in, in)
	return f.out, f.err
}

// TestPublishPutsOneEventWhoseDetailIsTheNotification: the event goes to the project's bus with
// source attestation.notifications, detail type "Notification <kind>", the notification's moment
// as its time and the notification (without what is the addressee's own: read mark, delivery) as
// its detail; its ID is the event's.
func TestPublishPutsOneEventWhoseDetailIsTheNotification(t *testing.T) {
	due := time.Date(2026, 10, 23, 18, 59, 59, 0, time.UTC)
	read := due.Add(-time.Hour)
	n := notice.Notification{ID: "A-1.6.1", Kind: notice.ContractSent, To: notice.Audience{BIN: "120540001238"}, CaseID: "A-1",
		Step: "sign_contract", Paragraph: "§17", DueAt: &due, At: due.Add(-7 * 24 * time.Hour), ReadAt: &read,
		Delivery: &notice.Delivery{Outcome: notice.DeliverySent}, Mailed: map[string]string{"a@example.kz": "m-1"}}
	api := &fakeEvents{out: &eventbridge.PutEventsOutput{Entries: []ebtypes.PutEventsResultEntry{{EventId: aws.String("e-1")}}}}
	id, err := NewBus(api, "attestation-notifications").Publish(context.Background(), n)
	if err != nil || id != "e-1" || len(api.in) != 1 || len(api.in[0].Entries) != 1 {
		t.Fatalf("%q %v %+v", id, err, api.in)
	}
	e := api.in[0].Entries[0]
	if aws.ToString(e.EventBusName) != "attestation-notifications" || aws.ToString(e.Source) != Source ||
		aws.ToString(e.DetailType) != "Notification contract_sent" || !aws.ToTime(e.Time).Equal(n.At) {
		t.Fatalf("entry %+v", e)
	}
	var detail map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(e.Detail)), &detail); err != nil {
		t.Fatal(err)
	}
	if detail["id"] != "A-1.6.1" || detail["paragraph"] != "§17" || detail["dueAt"] != "2026-10-23T18:59:59Z" {
		t.Fatalf("detail %v", detail)
	}
	for _, k := range []string{"readAt", "delivery", "eventId", "Mailed", "mailed"} {
		if _, ok := detail[k]; ok {
			t.Errorf("the event carries %s: %v", k, detail)
		}
	}
}

// TestPublishRefusedIsAnError: an entry the bus did not accept, or a failed call, is an error
// naming the notification (the stream delivers it again); no event ID is made up.
func TestPublishRefusedIsAnError(t *testing.T) {
	n := notice.Notification{ID: "A-1.4.1", Kind: notice.StepOpened, To: notice.Audience{Role: identity.STS}}
	for name, api := range map[string]*fakeEvents{
		"failed entry": {out: &eventbridge.PutEventsOutput{FailedEntryCount: 1, Entries: []ebtypes.PutEventsResultEntry{
			{ErrorCode: aws.String("InternalFailure"), ErrorMessage: aws.String("try again")}}}},
		"no event ID": {out: &eventbridge.PutEventsOutput{Entries: []ebtypes.PutEventsResultEntry{{}}}},
		"call failed": {err: errors.New("throttled")},
	} {
		t.Run(name, func(t *testing.T) {
			id, err := NewBus(api, "bus").Publish(context.Background(), n)
			if err == nil || id != "" || !strings.Contains(err.Error(), "A-1.4.1") {
				t.Fatalf("%q %v", id, err)
			}
		})
	}
}

// fakeMail keeps the mail sent and answers err.
type fakeMail struct {
	in  []*sesv2.SendEmailInput
	err error
}

func (f *fakeMail) SendEmail(ctx context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	f.in = append(f.in, in)
	if f.err != nil {
		return nil, f.err
	}
	return &sesv2.SendEmailOutput{MessageId: aws.String("m-1")}, nil
}

// TestSendMailsOneAddressInUTF8: one message to one address, from the identity, subject and text
// body in UTF-8 (the texts are in Kazakh and Russian too).
func TestSendMailsOneAddressInUTF8(t *testing.T) {
	api := &fakeMail{}
	id, err := NewMailer(api, "notifications@example.kz").Send(context.Background(), "office@example.kz",
		notice.Mail{Subject: "Аттестаттау: шарт жіберілді (A-1)", Body: "Мерзімі: 2026-10-23 23:59:59"})
	if err != nil || id != "m-1" || len(api.in) != 1 {
		t.Fatalf("%q %v", id, err)
	}
	in := api.in[0]
	s := in.Content.Simple
	if aws.ToString(in.FromEmailAddress) != "notifications@example.kz" || len(in.Destination.ToAddresses) != 1 ||
		in.Destination.ToAddresses[0] != "office@example.kz" || aws.ToString(s.Subject.Charset) != "UTF-8" ||
		aws.ToString(s.Body.Text.Charset) != "UTF-8" || !strings.HasPrefix(aws.ToString(s.Subject.Data), "Аттестаттау") {
		t.Fatalf("%+v", in)
	}
}

// TestSendRefusalIsBouncedOtherErrorsAreNot: SES's refusal of the message (MessageRejected, a bad
// request such as a malformed address) is notice.ErrBounced, which no retry mends; a throttle or a
// network error is not (the stream delivers it again).
func TestSendRefusalIsBouncedOtherErrorsAreNot(t *testing.T) {
	for name, tc := range map[string]struct {
		err     error
		bounced bool
	}{
		"message rejected": {&sestypes.MessageRejected{Message: aws.String("Email address is not verified.")}, true},
		"bad request":      {&sestypes.BadRequestException{Message: aws.String("Missing final '@domain'")}, true},
		"throttled":        {&sestypes.TooManyRequestsException{Message: aws.String("slow down")}, false},
		"network":          {errors.New("connection reset"), false},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := NewMailer(&fakeMail{err: tc.err}, "n@example.kz").Send(context.Background(), "x@example.kz", notice.Mail{})
			if err == nil || errors.Is(err, notice.ErrBounced) != tc.bounced {
				t.Fatalf("%v: bounced %t, want %t", err, errors.Is(err, notice.ErrBounced), tc.bounced)
			}
		})
	}
}
