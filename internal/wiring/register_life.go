package wiring

import (
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"attestation/internal/attestation"
	"attestation/internal/calendar"
	"attestation/internal/dynamostore"
	"attestation/internal/issuing"
	"attestation/internal/register"
	"attestation/internal/s3store"
)

// registerLife builds the register's service of life after the certificate (§40-§48): entries
// on the table, every revision signed with the KMS key SIGNING_KEY_ID, the copies of recall
// decisions (§46) in the Object Lock bucket. The deadline check runs its watch; the API adds the
// maker of duplicates (registerLifeAPI).
func registerLife(awsCfg aws.Config, cfg Config, log *slog.Logger) (*register.Service, error) {
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
	return register.NewService(store, signer, cal, log).WithRecords(records), nil
}

// registerLifeAPI is registerLife with the maker of duplicates (§48): the issuing service, which
// renders the certificate again from its data and keeps it under Object Lock. Without a public
// base URL (PUBLIC_BASE_URL, the address the certificate's QR code opens) no issuer is built,
// and issuing a duplicate answers 503 saying so.
func registerLifeAPI(awsCfg aws.Config, cfg Config, log *slog.Logger, cases *attestation.Service) (*register.Service, error) {
	svc, err := registerLife(awsCfg, cfg, log)
	if err != nil {
		return nil, err
	}
	if cfg.PublicBaseURL == "" {
		return svc, nil
	}
	signer, err := NewSigner(awsCfg, cfg)
	if err != nil {
		return nil, fmt.Errorf("register: %w", err)
	}
	cal, err := calendar.Kazakhstan()
	if err != nil {
		return nil, fmt.Errorf("register: calendar: %w", err)
	}
	db := dynamodb.NewFromConfig(awsCfg)
	s3c := newS3(awsCfg, cfg)
	issuer := issuing.New(cases, dynamostore.New(db, cfg.TableName), dynamostore.New(db, cfg.TableName),
		s3store.NewRecords(s3c, cfg.DocumentsBucket), s3store.NewRecords(s3c, cfg.RecordsBucket), signer, cal, cfg.PublicBaseURL, log)
	return svc.WithDuplicator(issuer), nil
}
