package register

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/identity"
	"attestation/internal/policy"
)

// Reading the register (§40-§48): a certificate's number from the URL, an entry, its signed
// history and pages of certificates, as the owner and the authority read them.

// Number is the certificate number of the URL's {year} (four digits) and {seq} (digits; leading
// zeros may be left out), in the policy's numbering (2026/00001); anything else is
// apperr.Unprocessable.
func (s *Service) Number(year, seq string) (string, error) {
	ed, err := policy.Load(policy.Default())
	if err != nil {
		return "", err
	}
	y, yerr := strconv.Atoi(year)
	n, nerr := strconv.Atoi(seq)
	switch {
	case len(year) != 4 || yerr != nil || strings.TrimLeft(year, "0123456789") != "":
		return "", apperr.Errorf(apperr.Unprocessable, "", "year: %q is not a year of four digits", year)
	case seq == "" || len(seq) > 9 || nerr != nil || strings.TrimLeft(seq, "0123456789") != "":
		return "", apperr.Errorf(apperr.Unprocessable, "", "seq: %q is not a certificate's sequence number (digits)", seq)
	}
	number, err := ed.CertificateNumber(y, n)
	if err != nil {
		return "", apperr.Errorf(apperr.Unprocessable, "", "seq: %v", err)
	}
	return number, nil
}

// Get reads an entry in full, as it stands at now (AsOf: a certificate past its term is expired,
// §40): an applicant its own organisation's (another's is ErrCertificateNotFound, like a missing
// one), staff any.
func (s *Service) Get(ctx context.Context, actor identity.Actor, number string, now time.Time) (Entry, error) {
	if actor.Role != identity.Applicant && actor.Role != identity.Authority && actor.Role != identity.STS {
		return Entry{}, apperr.Errorf(apperr.Forbidden, "", "certificate %s: the %s reads no certificates", number, actor.Role)
	}
	e, err := s.read(ctx, number)
	if err != nil {
		return Entry{}, err
	}
	if actor.Role == identity.Applicant && (!owns(actor, e) || e.AwaitingReceipt) {
		return Entry{}, fmt.Errorf("certificate %s: %w", number, ErrCertificateNotFound)
	}
	return e.AsOf(now), nil
}

// History is an entry's signed revisions, oldest first.
func (s *Service) History(ctx context.Context, number string) ([]Revision, error) {
	revs, err := s.store.Revisions(ctx, number)
	if errors.Is(err, apperr.NotFound) {
		return nil, fmt.Errorf("certificate %s: %w", number, ErrCertificateNotFound)
	}
	return revs, err
}

// List answers a page of certificates as they stand at now, newest number first: an applicant
// its own organisation's (naming another is ErrForbidden), the authority any organisation's or
// the whole register, of one status at now or all (a certificate past its term is expired, not
// valid, whether or not the deadline check has marked it: §40). A page may be short while its
// cursor says more remains.
func (s *Service) List(ctx context.Context, actor identity.Actor, q CertificateQuery, limit int, cursor string, now time.Time) ([]Entry, string, error) {
	switch actor.Role {
	case identity.Applicant:
		if q.OwnerBIN != "" && q.OwnerBIN != actor.BIN {
			return nil, "", apperr.Errorf(apperr.Forbidden, "", "list certificates: an applicant lists only its own organisation's")
		}
		q.OwnerBIN = actor.BIN
	case identity.Authority:
	default:
		return nil, "", apperr.Errorf(apperr.Forbidden, "", "list certificates: the %s lists no certificates", actor.Role)
	}
	if q.Status != "" && !slices.Contains([]Status{Valid, Recalled, Expired, Terminated}, q.Status) {
		return nil, "", apperr.Errorf(apperr.Unprocessable, "", "list certificates: status %q: want valid, recalled, expired or terminated", q.Status)
	}
	if limit <= 0 || limit > MaxListPage {
		limit = MaxListPage
	}
	list, next, err := s.store.ListEntries(ctx, q, limit, cursor)
	if err != nil {
		return nil, "", fmt.Errorf("list certificates: %w", err)
	}
	out := make([]Entry, 0, len(list))
	for _, e := range list {
		if actor.Role == identity.Applicant && e.AwaitingReceipt {
			continue // §28: not the owner's until it is sent (receipt.go)
		}
		if e = e.AsOf(now); q.Status == "" || e.Status == q.Status {
			out = append(out, e)
		}
	}
	return out, next, nil
}
