// Package wiring holds what every Lambda function's composition root shares: the configuration
// read from the environment, the S3 client, and the attestation service every function serves.
// Each function's own root (internal/wiring/api, tasks, issuecert, deadlinecheck) builds only
// what that function uses; internal/wiring/roots maps each function to its root for the local
// stack. The bootstrap mains under functions/ and the local stack both call the roots, so the same
// code runs in AWS and on a developer's machine; only the aws.Config (AWS itself, or the local
// stack) differs.
package wiring

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"attestation/internal/attestation"
	"attestation/internal/calendar"
	"attestation/internal/dynamostore"
	"attestation/internal/policy"
	"attestation/internal/s3store"
	"attestation/internal/sfnflow"
)

// Config is a function's configuration, read from its environment (template.yaml's Globals and
// the function's own Environment).
type Config struct {
	TableName       string // TABLE_NAME
	DocumentsBucket string // DOCUMENTS_BUCKET
	RecordsBucket   string // RECORDS_BUCKET
	PolicyEdition   string // POLICY_EDITION: the edition applied to new filings
	// POLICY_EDITION_MODE (enforce or model; "" is model) and POLICY_EDITION_ENDS ("id=YYYY-MM-DD,...",
	// the first day each edition no longer applies): which edition a filing falls under (issue 16).
	PolicyEditionMode policy.Mode
	PolicyEditionEnds map[string]time.Time
	StateMachineARN   string // STATE_MACHINE_ARN: only for functions that start or call back executions
	S3PathStyle       bool   // S3_PATH_STYLE: path-style S3 addressing (the local stack needs it)
	PublicBaseURL     string // PUBLIC_BASE_URL: the API's public address, printed in certificates' QR codes
	// PUBLIC_BASE_URL_PARAMETER: the SSM parameter holding that address when PUBLIC_BASE_URL is unset
	// (PublicBaseURL reads it).
	PublicBaseURLParameter string
	SigningKeyID           string    // SIGNING_KEY_ID: the KMS key that signs register entries (§29); only for functions that sign
	EDS                    EDSConfig // EDS_*: electronic digital signatures (eds.go); only the api function verifies them
	// The notify function's (issue 13): EVENT_BUS_NAME, MAIL_FROM (an SES identity), and the staff
	// addresses per role, STAFF_MAIL_AUTHORITY, STAFF_MAIL_STS, STAFF_MAIL_QUALITY_AUTHORITY (comma-separated).
	EventBusName string
	MailFrom     string
	StaffMail    map[string]string // by role
	// NOTIFY_MAX_ATTEMPTS: after this many failed deliveries of one notification, notify records it
	// failed and lets the stream move on (0 or unset: it never gives up; the stream's retries end it).
	NotifyMaxAttempts int
	// StateRegistry (EGOV_REGISTRY): the stand-in of the state registers the office reads through the
	// e-government gateway (standard §9), a JSON object of BINs/IINs and names (internal/egov); only the api function.
	StateRegistry string
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
	c.PublicBaseURLParameter, _ = lookup("PUBLIC_BASE_URL_PARAMETER")
	c.EventBusName, _ = lookup("EVENT_BUS_NAME")
	c.MailFrom, _ = lookup("MAIL_FROM")
	c.StateRegistry, _ = lookup("EGOV_REGISTRY")
	for role, name := range map[string]string{"authority": "STAFF_MAIL_AUTHORITY", "sts": "STAFF_MAIL_STS", "quality_authority": "STAFF_MAIL_QUALITY_AUTHORITY"} {
		if v, ok := lookup(name); ok && v != "" {
			if c.StaffMail == nil {
				c.StaffMail = map[string]string{}
			}
			c.StaffMail[role] = v
		}
	}
	if v, ok := lookup("S3_PATH_STYLE"); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return Config{}, fmt.Errorf("S3_PATH_STYLE=%q: want true or false", v)
		}
		c.S3PathStyle = b
	}
	if v, ok := lookup("NOTIFY_MAX_ATTEMPTS"); ok && v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return Config{}, fmt.Errorf("NOTIFY_MAX_ATTEMPTS=%q: want a whole number of attempts", v)
		}
		c.NotifyMaxAttempts = n
	}
	if len(missing) > 0 {
		return Config{}, fmt.Errorf("environment variables not set: %v", missing)
	}
	var err error
	mode, _ := lookup("POLICY_EDITION_MODE")
	if c.PolicyEditionMode, err = policy.ParseMode(mode); err != nil {
		return Config{}, fmt.Errorf("POLICY_EDITION_MODE: %w", err)
	}
	ends, _ := lookup("POLICY_EDITION_ENDS")
	if c.PolicyEditionEnds, err = policy.ParseEnds(ends); err != nil {
		return Config{}, fmt.Errorf("POLICY_EDITION_ENDS: %w", err)
	}
	if err := loadEDS(lookup, &c.EDS); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Constructor builds one function's handler (anything lambda.Start accepts).
type Constructor func(ctx context.Context, aws aws.Config, cfg Config, log *slog.Logger) (any, error)

// CaseDeps are the ports of the attestation service on the table, the buckets and the state
// machine, without the uploads store and the documents bucket's presigner, which only the API
// adds (attestation.Deps says why).
func CaseDeps(awsCfg aws.Config, cfg Config, log *slog.Logger) (attestation.Deps, error) {
	cal, err := calendar.Kazakhstan()
	if err != nil {
		return attestation.Deps{}, fmt.Errorf("calendar: %w", err)
	}
	db := dynamodb.NewFromConfig(awsCfg)
	s3c := NewS3(awsCfg, cfg)
	return attestation.Deps{Cases: dynamostore.New(db, cfg.TableName), Records: s3store.NewRecords(s3c, cfg.RecordsBucket),
		Documents: s3store.NewRecords(s3c, cfg.DocumentsBucket), Workflow: sfnflow.New(sfn.NewFromConfig(awsCfg), cfg.StateMachineARN),
		Calendar: cal, Edition: cfg.PolicyEdition, Log: log, ObjectOwners: objectOwners{dynamostore.NewObjects(db, cfg.TableName)},
		EditionMode: cfg.PolicyEditionMode, EditionEnds: cfg.PolicyEditionEnds}, nil
}

// Cases builds the attestation service of a function that takes no uploads (CaseDeps).
func Cases(awsCfg aws.Config, cfg Config, log *slog.Logger) (*attestation.Service, error) {
	d, err := CaseDeps(awsCfg, cfg, log)
	if err != nil {
		return nil, err
	}
	return attestation.NewService(d)
}

// objectOwners tells the attestation service who registered an object (§11).
type objectOwners struct{ objects *dynamostore.Objects }

func (o objectOwners) RegisteredObject(ctx context.Context, id string) (attestation.RegisteredObject, error) {
	obj, err := o.objects.Object(ctx, id)
	if err != nil {
		return attestation.RegisteredObject{}, fmt.Errorf("registered object %s: %w", id, err)
	}
	return attestation.RegisteredObject{Owner: obj.OrganizationBIN, Name: obj.Name, Kind: obj.Kind, Developer: obj.Developer}, nil
}

// NewS3 is the S3 client of a function: path-style addressing where the local stack needs it.
func NewS3(awsCfg aws.Config, cfg Config) *s3.Client {
	return s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		o.UsePathStyle = cfg.S3PathStyle
		o.DisableLogOutputChecksumValidationSkipped = true
	})
}
