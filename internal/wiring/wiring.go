// Package wiring builds each Lambda function's handler from its configuration. The bootstrap
// mains under functions/ and the local stack both call it, so the same code runs in AWS and on a
// developer's machine; only the aws.Config (AWS itself, or the local stack) differs.
package wiring

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"attestation/internal/attestation"
	"attestation/internal/calendar"
	"attestation/internal/deadline"
	"attestation/internal/dynamostore"
	"attestation/internal/httpapi"
	"attestation/internal/idempotency"
	"attestation/internal/issuing"
	"attestation/internal/kmssign"
	"attestation/internal/objects"
	"attestation/internal/oversight"
	"attestation/internal/register"
	"attestation/internal/s3store"
	"attestation/internal/sfnflow"
	"attestation/internal/transition"
)

// Config is a function's configuration, read from its environment (template.yaml's Globals and
// the function's own Environment).
type Config struct {
	TableName       string // TABLE_NAME
	DocumentsBucket string // DOCUMENTS_BUCKET
	RecordsBucket   string // RECORDS_BUCKET
	PolicyEdition   string // POLICY_EDITION: the edition applied to new filings
	StateMachineARN string // STATE_MACHINE_ARN: only for functions that start or call back executions
	S3PathStyle     bool   // S3_PATH_STYLE: path-style S3 addressing (the local stack needs it)
	PublicBaseURL   string // PUBLIC_BASE_URL: the API's public address, printed in certificates' QR codes
	SigningKeyID    string // SIGNING_KEY_ID: the KMS key that signs register entries (§29); only for functions that sign
}

// LoadConfig reads the configuration through lookup (the process environment, in a bootstrap main).
func LoadConfig(lookup func(string) (string, bool)) (Config, error) {
	var c Config
	var missing []string
	req := func(name string, dst *string) {
		if v, ok := lookup(name); ok && v != "" {
			*dst = v
			return
		}
		missing = append(missing, name)
	}
	req("TABLE_NAME", &c.TableName)
	req("DOCUMENTS_BUCKET", &c.DocumentsBucket)
	req("RECORDS_BUCKET", &c.RecordsBucket)
	req("POLICY_EDITION", &c.PolicyEdition)
	c.StateMachineARN, _ = lookup("STATE_MACHINE_ARN")
	c.SigningKeyID, _ = lookup("SIGNING_KEY_ID")
	c.PublicBaseURL, _ = lookup("PUBLIC_BASE_URL")
	if v, ok := lookup("S3_PATH_STYLE"); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return Config{}, fmt.Errorf("S3_PATH_STYLE=%q: want true or false", v)
		}
		c.S3PathStyle = b
	}
	if len(missing) > 0 {
		return Config{}, fmt.Errorf("environment variables not set: %v", missing)
	}
	return c, nil
}

// NewSigner returns the signer of register entries (§29): the KMS key SIGNING_KEY_ID names.
func NewSigner(awsCfg aws.Config, cfg Config) (*kmssign.Signer, error) {
	if cfg.SigningKeyID == "" {
		return nil, fmt.Errorf("register signer: SIGNING_KEY_ID is not set (the KMS key that signs register entries)")
	}
	return kmssign.New(kms.NewFromConfig(awsCfg), cfg.SigningKeyID), nil
}

// Constructor builds one function's handler (anything lambda.Start accepts).
type Constructor func(ctx context.Context, aws aws.Config, cfg Config, log *slog.Logger) (any, error)

// Functions maps each function's directory under functions/ to its constructor.
var Functions = map[string]Constructor{
	"api":                  API,
	"register-application": RegisterApplication,
	"open-step":            OpenStep,
	"close-case":           CloseCase,
	"issue-certificate":    IssueCertificate,
	"deadline-check":       DeadlineCheck,
}

func service(awsCfg aws.Config, cfg Config, log *slog.Logger) (*attestation.Service, error) {
	cal, err := calendar.Kazakhstan()
	if err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	db := dynamodb.NewFromConfig(awsCfg)
	s3c := newS3(awsCfg, cfg)
	flow := sfnflow.New(sfn.NewFromConfig(awsCfg), cfg.StateMachineARN)
	svc := attestation.NewService(dynamostore.New(db, cfg.TableName), s3store.NewRecords(s3c, cfg.RecordsBucket),
		s3store.NewRecords(s3c, cfg.DocumentsBucket), flow, cal, cfg.PolicyEdition, log).
		WithFiles(dynamostore.NewUploads(db, cfg.TableName), s3store.NewFiles(s3c, cfg.DocumentsBucket)).
		WithObjectOwners(objectOwners{dynamostore.NewObjects(db, cfg.TableName)})
	return svc, nil
}

// objectOwners tells the attestation service who registered an object (§11).
type objectOwners struct{ objects *dynamostore.Objects }

func (o objectOwners) ObjectOwner(ctx context.Context, id string) (string, error) {
	obj, err := o.objects.Object(ctx, id)
	if err != nil {
		return "", err
	}
	return obj.OrganizationBIN, nil
}

// newS3 is the S3 client of a function: path-style addressing where the local stack needs it.
func newS3(awsCfg aws.Config, cfg Config) *s3.Client {
	return s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		o.UsePathStyle = cfg.S3PathStyle
		o.DisableLogOutputChecksumValidationSkipped = true
	})
}

// API builds the HTTP API's handler: the service, the call records (seed 003 §8) and the
// Idempotency-Key claims, all on the one table.
func API(ctx context.Context, awsCfg aws.Config, cfg Config, log *slog.Logger) (any, error) {
	if cfg.StateMachineARN == "" {
		return nil, fmt.Errorf("api: STATE_MACHINE_ARN is not set")
	}
	svc, err := service(awsCfg, cfg, log)
	if err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	db := dynamodb.NewFromConfig(awsCfg)
	calls := dynamostore.NewAudit(db, cfg.TableName)
	claims := idempotency.New(dynamostore.NewIdempotency(db, cfg.TableName))
	cal, err := calendar.Kazakhstan()
	if err != nil {
		return nil, fmt.Errorf("api: calendar: %w", err)
	}
	objs, err := objects.NewService(dynamostore.NewObjects(db, cfg.TableName), cal, cfg.PolicyEdition)
	if err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	comps, err := complaintsService(awsCfg, cfg, log)
	if err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	watch := oversight.NewService(dynamostore.NewOversight(db, cfg.TableName), cal)
	pub, numbering, err := registerPublic(awsCfg, cfg, log)
	if err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	life, err := registerLife(awsCfg, cfg, log, svc)
	if err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	return httpapi.New(svc, calls, claims, log).WithObjects(objs).WithComplaints(comps).WithOversight(watch).
		WithRegisterPublic(pub, numbering).WithRegister(life).Handle, nil
}

// RegisterApplication builds the RecordApplicationReceipt task's handler.
func RegisterApplication(ctx context.Context, awsCfg aws.Config, cfg Config, log *slog.Logger) (any, error) {
	svc, err := service(awsCfg, cfg, log)
	if err != nil {
		return nil, fmt.Errorf("register-application: %w", err)
	}
	return transition.New(svc).RegisterApplication, nil
}

// OpenStep builds the handler every human step's callback state invokes.
func OpenStep(ctx context.Context, awsCfg aws.Config, cfg Config, log *slog.Logger) (any, error) {
	svc, err := service(awsCfg, cfg, log)
	if err != nil {
		return nil, fmt.Errorf("open-step: %w", err)
	}
	return transition.New(svc).OpenStep, nil
}

// CloseCase builds the handler of the closing tasks.
func CloseCase(ctx context.Context, awsCfg aws.Config, cfg Config, log *slog.Logger) (any, error) {
	svc, err := service(awsCfg, cfg, log)
	if err != nil {
		return nil, fmt.Errorf("close-case: %w", err)
	}
	return transition.New(svc).CloseCase, nil
}

// IssueCertificate builds the handler of the certificate-issuing tasks.
func IssueCertificate(ctx context.Context, awsCfg aws.Config, cfg Config, log *slog.Logger) (any, error) {
	svc, err := service(awsCfg, cfg, log)
	if err != nil {
		return nil, fmt.Errorf("issue-certificate: %w", err)
	}
	if cfg.PublicBaseURL == "" {
		return nil, fmt.Errorf("issue-certificate: PUBLIC_BASE_URL is not set")
	}
	signer, err := NewSigner(awsCfg, cfg)
	if err != nil {
		return nil, fmt.Errorf("issue-certificate: %w", err)
	}
	issuer, err := newIssuer(awsCfg, cfg, svc, signer, log)
	if err != nil {
		return nil, fmt.Errorf("issue-certificate: %w", err)
	}
	return transition.New(svc).WithIssuer(issuer).IssueCertificate, nil
}

// newIssuer builds the issuing service (§28, §38, §48): the case store and the register on the
// table, the documents bucket it reads the package and acts from, the Object Lock bucket it keeps
// certificates in, and the register's signer.
func newIssuer(awsCfg aws.Config, cfg Config, cases *attestation.Service, signer register.Signer, log *slog.Logger) (*issuing.Service, error) {
	cal, err := calendar.Kazakhstan()
	if err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	store := dynamostore.New(dynamodb.NewFromConfig(awsCfg), cfg.TableName)
	s3c := newS3(awsCfg, cfg)
	return issuing.New(cases, store, store, s3store.NewRecords(s3c, cfg.DocumentsBucket), s3store.NewRecords(s3c, cfg.RecordsBucket),
		signer, cal, cfg.PublicBaseURL, log), nil
}

// DeadlineCheck builds the scheduled deadline check's handler.
func DeadlineCheck(ctx context.Context, awsCfg aws.Config, cfg Config, log *slog.Logger) (any, error) {
	svc, err := service(awsCfg, cfg, log)
	if err != nil {
		return nil, fmt.Errorf("deadline-check: %w", err)
	}
	comps, err := complaintsService(awsCfg, cfg, log)
	if err != nil {
		return nil, fmt.Errorf("deadline-check: %w", err)
	}
	exports, err := openData(awsCfg, cfg)
	if err != nil {
		return nil, fmt.Errorf("deadline-check: %w", err)
	}
	life, err := registerLife(awsCfg, cfg, log, nil)
	if err != nil {
		return nil, fmt.Errorf("deadline-check: %w", err)
	}
	return deadline.New(svc).With("register", life).With("complaints", comps).With("open-data", exports).Handle, nil
}
