package wiring

import (
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"attestation/internal/attestation"
	"attestation/internal/calendar"
	"attestation/internal/certificate"
	"attestation/internal/dynamostore"
	"attestation/internal/register"
	"attestation/internal/s3store"
)

// registerLife builds the register's service of life after the certificate (§40-§48): entries
// on the table, every revision signed with the KMS key SIGNING_KEY_ID, the copies of recall
// decisions (§46) in the Object Lock bucket. The deadline check runs its watch. Given the cases
// and a public base URL (PUBLIC_BASE_URL, the address the certificate's QR code opens), the API
// adds the maker of duplicates (§48): the issuing service, which renders the certificate again
// from its data and keeps it under Object Lock; without them issuing a duplicate answers 503
// saying so.
func registerLife(awsCfg aws.Config, cfg Config, log *slog.Logger, cases *attestation.Service) (*register.Service, error) {
	signer, err := NewSigner(awsCfg, cfg)
	if err != nil {
		return nil, fmt.Errorf("register: %w", err)
	}
	cal, err := calendar.Kazakhstan()
	if err != nil {
		return nil, fmt.Errorf("register: calendar: %w", err)
	}
	store := dynamostore.New(dynamodb.NewFromConfig(awsCfg), cfg.TableName)
	records := s3store.NewRecords(newS3(awsCfg, cfg), cfg.RecordsBucket)
	svc := register.NewService(store, signer, cal, log).WithRecords(records).WithDecisionRenderer(renderRecallDecision)
	if cases == nil || cfg.PublicBaseURL == "" {
		return svc, nil
	}
	issuer, err := newIssuer(awsCfg, cfg, cases, signer, log)
	if err != nil {
		return nil, fmt.Errorf("register: %w", err)
	}
	return svc.WithDuplicator(issuer), nil
}

// renderRecallDecision renders the copy of a recall decision sent to the owner (§46) in Kazakh,
// Russian and English.
func renderRecallDecision(c register.RecallCopy) ([]byte, error) {
	return certificate.RenderRecallDecision(certificate.RecallDecision(c))
}
