// Package delivery sends the outbox's notifications out (issue 13): as events on the project's
// EventBridge bus, and as e-mail through Amazon SES v2. It implements notice.Publisher and
// notice.Mailer.
package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"attestation/internal/notice"
)

// Source is the events' source on the bus; DetailType is "Notification <kind>".
const Source = "attestation.notifications"

// EventsAPI is the part of the EventBridge client the bus uses.
type EventsAPI interface {
	PutEvents(ctx context.Context, in *eventbridge.PutEventsInput, opts ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)
}

// Bus publishes notifications on one event bus.
type Bus struct {
	api  EventsAPI
	name string
}

var _ notice.Publisher = (*Bus)(nil)

// NewBus returns the publisher on bus name.
func NewBus(api EventsAPI, name string) *Bus { return &Bus{api: api, name: name} }

// Publish puts one event whose detail is the notification (its id lets a consumer deduplicate).
func (b *Bus) Publish(ctx context.Context, n notice.Notification) (string, error) {
	n.ReadAt, n.Delivery, n.EventID = nil, nil, ""
	detail, err := json.Marshal(n)
	if err != nil {
		return "", fmt.Errorf("encode event of %s: %w", n.ID, err)
	}
	out, err := b.api.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
		EventBusName: aws.String(b.name), Source: aws.String(Source), DetailType: aws.String("Notification " + string(n.Kind)),
		Detail: aws.String(string(detail)), Time: aws.Time(n.At)}}})
	if err != nil {
		return "", fmt.Errorf("put event of %s: %w", n.ID, err)
	}
	if out.FailedEntryCount > 0 || len(out.Entries) != 1 || out.Entries[0].EventId == nil {
		code := ""
		if len(out.Entries) == 1 {
			code = aws.ToString(out.Entries[0].ErrorCode) + " " + aws.ToString(out.Entries[0].ErrorMessage)
		}
		return "", fmt.Errorf("put event of %s: not accepted: %s", n.ID, code)
	}
	return aws.ToString(out.Entries[0].EventId), nil
}

// MailAPI is the part of the SES v2 client the mailer uses.
type MailAPI interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// Mailer sends plain-text mail from one verified identity.
type Mailer struct {
	api  MailAPI
	from string
}

var _ notice.Mailer = (*Mailer)(nil)

// NewMailer returns the mailer sending from address from (an SES identity).
func NewMailer(api MailAPI, from string) *Mailer { return &Mailer{api: api, from: from} }

// Send sends m to one address; a refusal of the message (MessageRejected, a bad address) is
// notice.ErrBounced.
func (m *Mailer) Send(ctx context.Context, to string, mail notice.Mail) (string, error) {
	out, err := m.api.SendEmail(ctx, &sesv2.SendEmailInput{FromEmailAddress: aws.String(m.from),
		Destination: &sestypes.Destination{ToAddresses: []string{to}},
		Content: &sestypes.EmailContent{Simple: &sestypes.Message{
			Subject: &sestypes.Content{Data: aws.String(mail.Subject), Charset: aws.String("UTF-8")},
			Body:    &sestypes.Body{Text: &sestypes.Content{Data: aws.String(mail.Body), Charset: aws.String("UTF-8")}}}}})
	var rejected *sestypes.MessageRejected
	var bad *sestypes.BadRequestException
	if errors.As(err, &rejected) || errors.As(err, &bad) {
		return "", fmt.Errorf("send mail: %w: %v", notice.ErrBounced, err)
	}
	if err != nil {
		return "", fmt.Errorf("send mail: %w", err)
	}
	return aws.ToString(out.MessageId), nil
}
