// Package issuecert is the composition root of the issue-certificate function: the state
// machine's task that makes a certificate with its number and its register entry (§28, §29,
// §38). It also builds the issuer the API's maker of duplicates is (§48).
package issuecert

import (
	"context"
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
	"attestation/internal/transition"
	"attestation/internal/wiring"
	"attestation/internal/wiring/kmskey"
	"attestation/internal/wiring/logs"
)

// New builds the handler of the certificate-issuing task (wiring.Constructor).
func New(ctx context.Context, awsCfg aws.Config, cfg wiring.Config, log *slog.Logger) (any, error) {
	svc, err := wiring.Cases(awsCfg, cfg, log)
	if err != nil {
		return nil, fmt.Errorf("issue-certificate: %w", err)
	}
	signer, err := kmskey.Signer(awsCfg, cfg)
	if err != nil {
		return nil, fmt.Errorf("issue-certificate: %w", err)
	}
	issuer, err := NewIssuer(ctx, awsCfg, cfg, svc, signer, log)
	if err != nil {
		return nil, fmt.Errorf("issue-certificate: %w", err)
	}
	task, err := transition.NewIssueTask(issuer)
	if err != nil {
		return nil, fmt.Errorf("issue-certificate: %w", err)
	}
	return logs.PerCase(log, func(in transition.IssueInput) string { return in.CaseID }, task.IssueCertificate), nil
}

// NewIssuer builds the issuing service (§28, §38, §48): the case store and the register on the
// table, the documents bucket it reads the package and acts from, the Object Lock bucket it keeps
// certificates in, and the register's signer. It needs the address the certificate's QR code
// opens: PUBLIC_BASE_URL, or the parameter PUBLIC_BASE_URL_PARAMETER names (PublicBaseURL).
func NewIssuer(ctx context.Context, awsCfg aws.Config, cfg wiring.Config, cases *attestation.Service, signer register.Signer, log *slog.Logger) (*issuing.Service, error) {
	baseURL, err := PublicBaseURL(ctx, cfg, SSM(awsCfg))
	if err != nil {
		return nil, fmt.Errorf("issuer: %w", err)
	}
	cal, err := calendar.Kazakhstan()
	if err != nil {
		return nil, fmt.Errorf("issuer: calendar: %w", err)
	}
	store := dynamostore.New(dynamodb.NewFromConfig(awsCfg), cfg.TableName)
	s3c := wiring.NewS3(awsCfg, cfg)
	return issuing.New(cases, store, store, s3store.NewRecords(s3c, cfg.DocumentsBucket), s3store.NewRecords(s3c, cfg.RecordsBucket),
		signer, cal, baseURL, log), nil
}
