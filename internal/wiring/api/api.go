// Package api is the composition root of the api function, behind every route of the HTTP API:
// the cases with their uploads and drafts, the call records (seed 003 §8), the Idempotency-Key
// claims, objects of informatization, complaints, oversight, and the register's public routes
// and life after the certificate, all on the one table and the two buckets.
package api

import (
	"context"
	"fmt"
	"log/slog"

	"attestation/internal/idempotency"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"attestation/internal/attestation"
	"attestation/internal/calendar"
	"attestation/internal/callarchive"
	"attestation/internal/certificate"
	"attestation/internal/dynamostore"
	"attestation/internal/egov"
	"attestation/internal/httpapi"
	"attestation/internal/notice"
	"attestation/internal/objects"
	"attestation/internal/oversight"
	"attestation/internal/register"
	"attestation/internal/s3store"
	"attestation/internal/statistics"
	"attestation/internal/wiring"
	"attestation/internal/wiring/complaintsvc"
	"attestation/internal/wiring/issuecert"
	"attestation/internal/wiring/kmskey"
)

// New builds the HTTP API's handler (wiring.Constructor).
func New(ctx context.Context, awsCfg aws.Config, cfg wiring.Config, log *slog.Logger) (any, error) {
	h, err := handler(awsCfg, cfg, log)
	if err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	return h.Handle, nil
}

func handler(awsCfg aws.Config, cfg wiring.Config, log *slog.Logger) (*httpapi.Handler, error) {
	if cfg.StateMachineARN == "" {
		return nil, fmt.Errorf("STATE_MACHINE_ARN is not set")
	}
	// The register's service first: the cases' service records the office's hand-overs through it
	// (§42, §46). Its maker of duplicates numbers nothing, so the cases' plain service serves it.
	plain, err := wiring.Cases(awsCfg, cfg, log)
	if err != nil {
		return nil, err
	}
	life, err := registerLife(awsCfg, cfg, log, plain)
	if err != nil {
		return nil, err
	}
	svc, err := cases(awsCfg, cfg, log, life)
	if err != nil {
		return nil, err
	}
	cal, err := calendar.Kazakhstan()
	if err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	db := dynamodb.NewFromConfig(awsCfg)
	objs, err := objects.NewService(dynamostore.NewObjects(db, cfg.TableName), cal, cfg.PolicyEdition)
	if err != nil {
		return nil, err
	}
	comps, err := complaintsvc.New(awsCfg, cfg, log)
	if err != nil {
		return nil, err
	}
	pub, numbering, err := registerPublic(awsCfg, cfg, log)
	if err != nil {
		return nil, err
	}
	stats, err := statistics.NewService(dynamostore.NewStatistics(db, cfg.TableName), cal)
	if err != nil {
		return nil, err
	}
	return httpapi.New(httpapi.Deps{Cases: svc, Calls: dynamostore.NewAudit(db, cfg.TableName),
		Claims: idempotency.New(dynamostore.NewIdempotency(db, cfg.TableName)), Log: log, Objects: objs, Complaints: comps, Methodology: svc,
		Oversight: oversight.NewService(dynamostore.NewOversight(db, cfg.TableName), cal), Register: life,
		RegisterPublic: pub, Numbering: numbering, Notices: notice.NewCabinet(dynamostore.NewNotices(db, cfg.TableName)),
		Contacts: notice.NewContactService(dynamostore.NewNotices(db, cfg.TableName)),
		Archive:  callarchive.NewReader(s3store.NewRecords(wiring.NewS3(awsCfg, cfg), cfg.RecordsBucket)), Statistics: stats})
}

// cases builds the attestation service with the uploads and drafts store and the documents
// bucket, which the API's upload flow, drafts and document links need, and the register's side
// of the office's hand-overs (§42, §46).
func cases(awsCfg aws.Config, cfg wiring.Config, log *slog.Logger, handOvers attestation.RegisterHandOvers) (*attestation.Service, error) {
	d, err := wiring.CaseDeps(awsCfg, cfg, log)
	if err != nil {
		return nil, err
	}
	d.Uploads = dynamostore.NewUploads(dynamodb.NewFromConfig(awsCfg), cfg.TableName)
	d.Files = s3store.NewFiles(wiring.NewS3(awsCfg, cfg), cfg.DocumentsBucket)
	// Built at cold start, before any request: no request context exists yet.
	sigs, err := wiring.Signatures(context.Background(), cfg.EDS, issuecert.ReadParameter(awsCfg))
	if err != nil {
		return nil, err
	}
	if sigs != nil {
		d.Signatures = sigs
	}
	d.RequireSignatures = cfg.EDS.Required
	d.RenderResponse = renderResponse
	if cfg.StateRegistry != "" { // the office's paper filings (standard §9)
		reg, err := egov.Parse(cfg.StateRegistry)
		if err != nil {
			return nil, err
		}
		d.Registry = reg
	}
	d.Methodologies = dynamostore.NewMethodologies(dynamodb.NewFromConfig(awsCfg), cfg.TableName)
	d.RegisterHandOvers = handOvers
	return attestation.NewService(d)
}

// registerLife builds the register's service of life after the certificate (§40-§48): entries
// on the table, every revision signed with the KMS key SIGNING_KEY_ID, the copies of recall
// decisions (§46) in the Object Lock bucket, and the maker of duplicates (§48): the issuing
// service, which renders the certificate again from its data and keeps it under Object Lock.
func registerLife(awsCfg aws.Config, cfg wiring.Config, log *slog.Logger, cases *attestation.Service) (*register.Service, error) {
	signer, err := kmskey.Signer(awsCfg, cfg)
	if err != nil {
		return nil, fmt.Errorf("register: %w", err)
	}
	cal, err := calendar.Kazakhstan()
	if err != nil {
		return nil, fmt.Errorf("register: calendar: %w", err)
	}
	// Built at cold start, before any request: no request context exists yet.
	issuer, err := issuecert.NewIssuer(context.Background(), awsCfg, cfg, cases, signer, log)
	if err != nil {
		return nil, fmt.Errorf("register: %w", err)
	}
	store := dynamostore.New(dynamodb.NewFromConfig(awsCfg), cfg.TableName)
	svc, err := register.NewService(register.Deps{Store: store,
		Signer: signer, Calendar: cal, Log: log, Records: s3store.NewRecords(wiring.NewS3(awsCfg, cfg), cfg.RecordsBucket),
		Render: renderRecallDecision, Duplicator: issuer, HandOvers: store})
	if err != nil {
		return nil, fmt.Errorf("register: %w", err)
	}
	return svc, nil
}

// renderResponse renders the reasoned response to a return or refusal (standard §6) in Kazakh,
// Russian and English.
func renderResponse(r attestation.Response) ([]byte, error) {
	grounds := make([]string, len(r.Grounds))
	for i, g := range r.Grounds {
		grounds[i] = g.ID
	}
	return certificate.RenderResponse(certificate.Response{CaseID: r.CaseID, Decision: string(r.Decision), Paragraph: r.Paragraph,
		ObjectName: r.ObjectName, ApplicantName: r.ApplicantName, ApplicantID: r.ApplicantID, Grounds: grounds, Reasons: r.Reasons,
		DecidedAt: r.DecidedAt, DecidedBy: r.DecidedBy})
}

// renderRecallDecision renders the copy of a recall decision sent to the owner (§46) in Kazakh,
// Russian and English.
func renderRecallDecision(c register.RecallCopy) ([]byte, error) {
	return certificate.RenderRecallDecision(certificate.RecallDecision(c))
}
