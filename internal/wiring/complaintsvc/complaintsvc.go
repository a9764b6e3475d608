// Package complaintsvc builds the service of complaints (standard §11) on the table, for the
// roots of the API and of the deadline check.
package complaintsvc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"attestation/internal/attestation"
	"attestation/internal/calendar"
	"attestation/internal/complaints"
	"attestation/internal/dynamostore"
	"attestation/internal/register"
	"attestation/internal/wiring"
)

// New builds the service of complaints on the table. A case a complaint names is checked against
// the attestation case store, a certificate against the register: each must be the
// complainant's organisation's.
func New(awsCfg aws.Config, cfg wiring.Config, log *slog.Logger) (*complaints.Service, error) {
	cal, err := calendar.Kazakhstan()
	if err != nil {
		return nil, fmt.Errorf("complaints: calendar: %w", err)
	}
	db := dynamodb.NewFromConfig(awsCfg)
	store := dynamostore.New(db, cfg.TableName)
	svc, err := complaints.NewService(complaints.Deps{Store: dynamostore.NewComplaints(db, cfg.TableName), Cases: caseOwner(store),
		Certificates: certificateHolder(store), Calendar: cal, Edition: cfg.PolicyEdition, Log: log})
	if err != nil {
		return nil, fmt.Errorf("complaints: %w", err)
	}
	return svc, nil
}

// entryReader is the part of the register's store the certificate check reads.
type entryReader interface {
	Entry(ctx context.Context, number string) (register.Entry, error)
}

// certificateHolder reports whether a certificate is in the register and is the organisation's.
func certificateHolder(entries entryReader) complaints.CertificatesFunc {
	return func(ctx context.Context, bin, number string) (bool, error) {
		e, err := entries.Entry(ctx, number)
		if errors.Is(err, attestation.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("holder of certificate %s: %w", number, err)
		}
		return e.OwnerBIN == bin, nil
	}
}

// caseReader is the part of the case store the ownership check reads.
type caseReader interface {
	Get(ctx context.Context, id string) (attestation.Case, error)
}

// caseOwner reports whether a case exists and is the organisation's, from the case store.
func caseOwner(cases caseReader) complaints.CasesFunc {
	return func(ctx context.Context, bin, caseID string) (bool, error) {
		c, err := cases.Get(ctx, caseID)
		if errors.Is(err, attestation.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("owner of case %s: %w", caseID, err)
		}
		return c.OrganizationBIN == bin, nil
	}
}
