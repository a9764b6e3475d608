package register

import (
	"context"
	"errors"
	"fmt"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
	"attestation/internal/policy"
)

// The owner's receipt of what the register's life sends it (§28, §38, §42, §46), by the one rule
// of receipt (attestation.ReceiptOf): online, the sending; for a certificate of a paper case
// (Entry.AtOffice), the office's hand-over. The monitoring year of §42 runs from the receipt of
// the certificate, the return's 3 working days of §46 from the receipt of the copy of the recall
// decision; until a paper case's hand-over neither has a due moment, and no deadline check,
// reminder or overdue flag acts on it.

// Received is prev once the authority sent its certificate to the owner (§28, §38): published (no
// longer AwaitingReceipt) and, for the objects §42 obliges, connected to the monitoring system
// within a year of at, the owner's receipt. at nil: a paper case's certificate waits at the
// office; the year waits for its hand-over (HandOver sets it).
func Received(prev Entry, at *time.Time, cal policy.Calendar) (Entry, error) {
	ed, err := policy.Load(prev.Edition)
	if err != nil {
		return Entry{}, err
	}
	e := prev.clone()
	e.AwaitingReceipt = false
	if at != nil {
		r := at.UTC()
		e.ReceivedAt = &r
	}
	// §42: mandatory objects other than the platform connect to monitoring within a year of
	// receiving the certificate.
	obligations, err := ed.ObligationsFor(prev.ObjectKind)
	if err != nil {
		return Entry{}, err
	}
	for _, o := range obligations {
		if o.Step != policy.StepMonitoringConnection {
			continue
		}
		m := Monitoring{}
		if prev.Monitoring != nil {
			m = *prev.Monitoring // an owner may notify the connection before the hand-over
		}
		if e.ReceivedAt == nil {
			m.AwaitsHandOver = true
			e.Monitoring = &m
			continue
		}
		d, err := ed.Due(cal, o.Step, *e.ReceivedAt)
		if err != nil {
			return Entry{}, fmt.Errorf("monitoring connection due (§42): %w", err)
		}
		m.AwaitsHandOver, m.DueAt = false, d.At.UTC()
		e.Monitoring = &m
	}
	return e, nil
}

// RecallDecisionDocument is the copy of the recall decision sent to the owner (§46) as a case's
// document: what the office hands over for a paper case.
func RecallDecisionDocument(r Recall) (attestation.Document, bool) {
	if r.DecisionPDF == nil {
		return attestation.Document{}, false
	}
	d := r.DecisionPDF
	return attestation.Document{Kind: attestation.DocRecallDecision, Key: d.Key, VersionID: d.VersionID, SHA256: d.SHA256}, true
}

// HandOverStore writes a revision of an entry together with the case whose hand-over at the
// office starts it, in one transaction (dynamostore.Store).
type HandOverStore interface {
	// PutEntryWithCase writes e as revision rev (as PutEntry) and c with events (as the case
	// store's Update), all or nothing; apperr.Conflict when the entry or the case moved.
	PutEntryWithCase(ctx context.Context, e Entry, rev Revision, c attestation.Case, events ...attestation.Event) error
}

var _ attestation.RegisterHandOvers = (*Service)(nil)

// Documents are the documents of the case's certificate that the office may hand over on paper
// besides the case's own: the copy of the recall decision (§46), once the certificate is recalled.
func (s *Service) Documents(ctx context.Context, c attestation.Case) ([]attestation.Document, error) {
	if c.Certificate == "" {
		return nil, nil
	}
	e, err := s.store.Entry(ctx, c.Certificate)
	if errors.Is(err, apperr.NotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("documents of certificate %s: %w", c.Certificate, err)
	}
	if r := e.Recall; r != nil {
		if d, ok := RecallDecisionDocument(*r); ok {
			return []attestation.Document{d}, nil
		}
	}
	return nil, nil
}

// HandOver writes the case c with its event ev, which record the office's hand-over h of the
// case's certificate or of the copy of its recall decision, together with the revision of the
// certificate's entry that the hand-over starts a period on, in one transaction (with the
// notification of the period's start): the monitoring year from the owner's receipt of the
// certificate (§42), the return's 3 working days from its receipt of the copy of the decision
// (§46), both counted from the receipt attestation.ReceiptOf gives. ok is false, and nothing is
// written, when the hand-over starts no period in the register (an online case, another
// document, a period already running).
func (s *Service) HandOver(ctx context.Context, c attestation.Case, ev attestation.Event, h attestation.HandOver) (bool, error) {
	if c.Certificate == "" || c.Paper == nil {
		return false, nil
	}
	if s.handOvers == nil {
		return false, errors.New("register hand-over: the service has no HandOvers store")
	}
	prev, err := s.read(ctx, c.Certificate)
	if err != nil {
		return false, err
	}
	ed, err := policy.Load(prev.Edition)
	if err != nil {
		return false, fmt.Errorf("certificate %s: %w", prev.Number, err)
	}
	e := prev.clone()
	var what, paragraph string
	if h.Document.Key == attestation.CertificateDocument(c.Certificate).Key && prev.ReceivedAt == nil {
		if at, ok := c.CertificateReceivedAt(); ok {
			if e, err = Received(e, &at, s.cal); err != nil {
				return false, fmt.Errorf("certificate %s: %w", prev.Number, err)
			}
			what, paragraph = "the certificate handed over to its owner at the office, who received it "+at.UTC().Format(time.RFC3339), "§28"
			if m := e.Monitoring; m != nil {
				what += "; the object is connected to the monitoring system by " + m.DueAt.Format(time.RFC3339)
				paragraph = "§28, §42"
			}
		}
	}
	if r := e.Recall; r != nil && r.ReturnAwaitsHandOver && r.ReturnedAt == nil {
		if d, ok := RecallDecisionDocument(*r); ok && d.Key == h.Document.Key {
			at, ok := attestation.ReceiptOf(c, d, r.DecidedAt) // the one rule of receipt
			if ok {
				due, err := ed.Due(s.cal, policy.StepCertificateReturn, at)
				if err != nil {
					return false, fmt.Errorf("certificate %s: due moment of the return: %w", prev.Number, err)
				}
				handed := at.UTC()
				r.ReturnAwaitsHandOver, r.HandedOverAt, r.ReturnDueAt = false, &handed, due.At.UTC()
				what = fmt.Sprintf("the copy of the recall decision handed over to the owner at the office, who received it %s; the certificate is returned by %s (%s)",
					handed.Format(time.RFC3339), r.ReturnDueAt.Format(time.RFC3339), due.Paragraph)
				paragraph = due.Paragraph
			}
		}
	}
	if what == "" {
		return false, nil
	}
	next, err := Next(ctx, s.signer, prev, e, h.At)
	if err != nil {
		return false, err
	}
	rev := Revision{Number: next.Revision, At: next.UpdatedAt, Actor: ev.Actor, Role: string(ev.Role), What: what, Paragraph: paragraph, Seal: next.Seal}
	if err := s.handOvers.PutEntryWithCase(ctx, next, rev, c, ev); err != nil {
		return false, fmt.Errorf("certificate %s: write revision %d with the hand-over on case %s: %w", prev.Number, next.Revision, c.ID, err)
	}
	s.log.InfoContext(ctx, "register entry changed by a hand-over at the office", "certificate", prev.Number, "caseId", c.ID, "revision", next.Revision, "paragraph", paragraph)
	return true, nil
}
