// Package notify is the composition root of the notify function (issue 13): the table's stream
// in; the notifications' events on the project's bus and their mail through SES v2 out.
package notify

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"attestation/internal/delivery"
	"attestation/internal/dynamostore"
	"attestation/internal/identity"
	"attestation/internal/notice"
	notifyfn "attestation/internal/notify"
	"attestation/internal/wiring"
	"attestation/internal/wiring/metrics"
)

// New builds the notify function's handler (wiring.Constructor).
func New(ctx context.Context, awsCfg aws.Config, cfg wiring.Config, log *slog.Logger) (any, error) {
	if cfg.EventBusName == "" {
		return nil, errors.New("notify: EVENT_BUS_NAME is required")
	}
	notes := dynamostore.NewNotices(dynamodb.NewFromConfig(awsCfg), cfg.TableName)
	staff := map[identity.Role][]string{}
	for role, list := range cfg.StaffMail {
		for _, a := range strings.Split(list, ",") {
			if a = strings.TrimSpace(a); a != "" {
				staff[identity.Role(role)] = append(staff[identity.Role(role)], a)
			}
		}
	}
	deps := notice.DelivererDeps{Ledger: notes, Contacts: notes, Staff: staff, MaxAttempts: cfg.NotifyMaxAttempts,
		Bus: delivery.NewBus(eventbridge.NewFromConfig(awsCfg), cfg.EventBusName)}
	if cfg.MailFrom != "" { // MAIL_FROM empty: no sender configured, no mail
		deps.Mail = delivery.NewMailer(sesv2.NewFromConfig(awsCfg), cfg.MailFrom)
	}
	d, err := notice.NewDeliverer(deps)
	if err != nil {
		return nil, err
	}
	emf := metrics.New(log, lambdacontext.FunctionName, nil)
	return notifyfn.New(d, log, time.Now).WithTally(func(ctx context.Context, t notifyfn.Tally) {
		emf.Emit(ctx, Figures(t)...)
	}).Handle, nil
}

// Figures are the metrics of one invocation (the operations dashboard's "notifications sent and
// failed"; NotificationsFailedAlarm): none for an invocation that delivered nothing new.
func Figures(t notifyfn.Tally) []metrics.Value {
	if t.Sent+t.Bounced+t.Failed == 0 {
		return nil
	}
	return []metrics.Value{
		{Name: metrics.NotificationsSent, Unit: metrics.Count, Value: float64(t.Sent)},
		{Name: metrics.NotificationsBounced, Unit: metrics.Count, Value: float64(t.Bounced)},
		{Name: metrics.NotificationsFailed, Unit: metrics.Count, Value: float64(t.Failed)},
	}
}
