// Package notify is the composition root of the notify function (issue 13): the table's stream
// in; the notifications' events on the project's bus and their mail through SES v2 out.
package notify

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

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
	return notifyfn.New(d, log, time.Now).Handle, nil
}
