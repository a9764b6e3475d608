package attestation

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
	_ "time/tzdata" // Asia/Almaty where the system has no zone files

	"attestation/internal/apperr"
	"attestation/internal/identity"
)

// Certificate is the authority's certificate of compliance (Annex 7) as the register keeps it
// (§29): its number, the object, the owner, the acts it rests on, its validity.
type Certificate struct {
	Number          string
	Year            int // numbering restarts every year
	Seq             int
	CaseID          string
	OrganizationBIN string
	ObjectName      string
	ObjectKind      string
	Edition         string
	IssuedAt        time.Time
	// ValidUntil bounds the certificate when the policy sets a period for the object's kind (the
	// e-government platform: one year, §40); nil means for the period of industrial operation.
	ValidUntil *time.Time
	Acts       []Document // the act of the survey, and of the additional survey
	Status     string
}

// maxNumberRetries bounds the re-reads when other certificates of the same year take the next
// number first: every lost race means another certificate was issued, so this bounds the burst of
// simultaneous issues the function rides out before the state machine retries it.
const maxNumberRetries = 100

// CertificateValid is the status of a certificate in force.
const CertificateValid = "valid"

// CertificateIssue is what IssueCertificate returns to the state machine.
type CertificateIssue struct {
	Number string `json:"number"`
}

// IssueCertificate makes the certificate of a case whose decision is to issue (§28, §38): its
// number by the policy's numbering rule (the year's next sequence, without gaps), and its entry in
// the register (§29), written with the case in one transaction. A repeated delivery returns the
// number already given.
func (s *Service) IssueCertificate(ctx context.Context, caseID string, at time.Time) (CertificateIssue, error) {
	for attempt := 0; ; attempt++ {
		c, err := s.store.Get(ctx, caseID)
		if err != nil {
			return CertificateIssue{}, fmt.Errorf("issue certificate of %s: %w", caseID, err)
		}
		if c.Certificate != "" {
			return CertificateIssue{Number: c.Certificate}, nil
		}
		if c.Decision != OutcomeIssue || (c.Stage != StageSendDocuments && c.Stage != StageSecondSendDocuments) {
			return CertificateIssue{}, apperr.Errorf(apperr.Conflict, "", "issue certificate of %s: the case is at %s with decision %q", caseID, c.Stage, c.Decision)
		}
		ed, err := s.rules.edition(c.Edition)
		if err != nil {
			return CertificateIssue{}, fmt.Errorf("issue certificate of %s: %w", caseID, err)
		}
		if _, err := almatyZone(); err != nil {
			return CertificateIssue{}, fmt.Errorf("issue certificate of %s: %w", caseID, err)
		}
		year := at.In(almatyLoc()).Year()
		last, err := s.store.CertificateSeq(ctx, year)
		if err != nil {
			return CertificateIssue{}, fmt.Errorf("issue certificate of %s: %w", caseID, err)
		}
		number, err := ed.CertificateNumber(year, last+1)
		if err != nil {
			return CertificateIssue{}, fmt.Errorf("issue certificate of %s: %w", caseID, err)
		}
		cert := Certificate{Number: number, Year: year, Seq: last + 1, CaseID: c.ID, OrganizationBIN: c.OrganizationBIN,
			ObjectName: c.ObjectName, ObjectKind: c.ObjectKind, Edition: c.Edition, IssuedAt: at.UTC(), Status: CertificateValid}
		if c.ObjectKind != "" {
			kind, err := ed.Kind(c.ObjectKind)
			if err != nil {
				return CertificateIssue{}, fmt.Errorf("issue certificate of %s: %w", caseID, err)
			}
			if kind.ValidityStep != "" {
				// §40: the e-government platform's certificate is valid for one year.
				d, err := ed.Due(s.rules.cal, kind.ValidityStep, at)
				if err != nil {
					return CertificateIssue{}, fmt.Errorf("issue certificate of %s: validity: %w", caseID, err)
				}
				until := d.At.UTC()
				cert.ValidUntil = &until
			}
		}
		for _, d := range c.Documents {
			if d.Kind == DocSurveyAct || d.Kind == DocAdditionalSurveyAct {
				cert.Acts = append(cert.Acts, d)
			}
		}
		c.Certificate = number
		c.Version++
		c.Events++
		ev := Event{Seq: c.Events, At: at.UTC(), Actor: "system", Role: identity.Scheduler,
			What: whatCertificate + number + " issued and entered in the register (§28, §29)"}
		err = s.store.IssueCertificate(ctx, c, cert, ev)
		if errors.Is(err, ErrConflict) && attempt < maxNumberRetries {
			continue // another delivery, or another certificate took the number: read again
		}
		if err != nil {
			return CertificateIssue{}, fmt.Errorf("issue certificate of %s: %w", caseID, err)
		}
		s.log.InfoContext(ctx, "certificate issued", "caseId", c.ID, "certificate", number)
		return CertificateIssue{Number: number}, nil
	}
}

// almatyZone is Kazakhstan's time zone, in which the numbering year is counted (from the embedded
// tz database, so a Lambda without zone files computes the same), loaded on first use, not at
// every cold start.
var almatyZone = sync.OnceValues(func() (*time.Location, error) { return time.LoadLocation("Asia/Almaty") })

// almatyLoc is almatyZone's zone (nil if it cannot be loaded: almatyZone says why).
func almatyLoc() *time.Location {
	loc, _ := almatyZone()
	return loc
}
