package register

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/identity"
	"attestation/internal/policy"
)

// The deadline check over life after the certificate (§40-§48): expiry (§40-§41), and the
// periods of §42, §44, §46 and §48 flagged overdue; and the obligations still open on an
// owner's or the whole register's certificates.

// CheckFlag is one flag the deadline check set: a certificate expired, or an obligation became
// overdue.
type CheckFlag struct {
	Certificate string    `json:"certificate"`
	What        string    `json:"what"` // expiry, monitoring_connection, change_decision, certificate_return, duplicate
	ID          string    `json:"id,omitempty"`
	Paragraph   string    `json:"paragraph"`
	DueAt       time.Time `json:"dueAt"`
}

// CheckReport is what one run of the register's watch did.
type CheckReport struct {
	Flagged []CheckFlag `json:"flagged"`
	Failed  []string    `json:"failed,omitempty"` // certificates the run could not update
}

// Check is the register's watch in the daily deadline check (deadline.Checker): every entry
// with something due at or before now, read from the due index, is brought up to now in one
// signed revision — a certificate whose term ended expires (§40-§41; an expired certificate not
// attested again is then listed for recall on §45(1)), and the monitoring connection (§42), the
// decision on a change notice (§44), the return of a recalled certificate (§46) and a duplicate
// (§48) whose period ended are flagged overdue for the authority, each once. A second run at
// the same moment changes nothing.
func (s *Service) Check(ctx context.Context, now time.Time) (any, error) {
	rep := CheckReport{Flagged: []CheckFlag{}}
	seen := map[string]bool{}
	var failed []error
	for range checkRounds {
		due, err := s.store.DueEntries(ctx, now, checkBatch)
		if err != nil {
			failed = append(failed, fmt.Errorf("due entries: %w", err))
			break
		}
		fresh := 0
		for _, d := range due {
			if seen[d.Number] {
				continue
			}
			seen[d.Number], fresh = true, fresh+1
			flags, err := s.flag(ctx, d.Number, now)
			if err != nil {
				s.log.ErrorContext(ctx, "register watch: entry not updated", "certificate", d.Number, "error", err)
				rep.Failed = append(rep.Failed, d.Number)
				failed = append(failed, err)
				continue
			}
			rep.Flagged = append(rep.Flagged, flags...)
		}
		if fresh == 0 || len(due) < checkBatch {
			break
		}
	}
	if len(rep.Flagged) > 0 {
		s.log.InfoContext(ctx, "register watch", "flagged", len(rep.Flagged), "at", now.UTC())
	}
	return rep, errors.Join(failed...)
}

// flag brings one entry up to now.
func (s *Service) flag(ctx context.Context, number string, now time.Time) ([]CheckFlag, error) {
	var out []CheckFlag
	scheduler := identity.Actor{Subject: "deadline-check", Role: identity.Scheduler}
	_, err := s.revise(ctx, scheduler, number, now, false, anyCertificate, func(e *Entry, ed *policy.Edition) (string, string, error) {
		out = out[:0]
		var whats, paragraphs []string
		for _, f := range e.flagDue(now) {
			p, what := "", ""
			switch f.what {
			case WatchExpiry:
				p, what = ed.CertificateValidity().Paragraph, "the certificate expired at the end of its term; the object is attested again"
			case WatchMonitoring:
				p, what = periodParagraph(ed, policy.StepMonitoringConnection, "§42"), "the connection to the monitoring system is overdue"
			case WatchChangeDecision:
				p, what = periodParagraph(ed, policy.StepChangeDecision, "§44"), "the decision on change notice "+f.id+" is overdue"
			case WatchDuplicate:
				p, what = periodParagraph(ed, policy.StepDuplicate, "§48"), "the duplicate of request "+f.id+" is overdue"
			case WatchReturn:
				p, what = periodParagraph(ed, policy.StepCertificateReturn, "§46"), "the return of the recalled certificate is overdue"
			}
			out = append(out, CheckFlag{Certificate: e.Number, What: f.what, ID: f.id, Paragraph: p, DueAt: f.due.UTC()})
			whats = append(whats, fmt.Sprintf("%s (due %s)", what, f.due.UTC().Format(time.RFC3339)))
			if !slices.Contains(paragraphs, p) {
				paragraphs = append(paragraphs, p)
			}
		}
		if len(whats) == 0 {
			return "", "", nil
		}
		return strings.Join(whats, "; "), strings.Join(paragraphs, "; "), nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Obligation is one open obligation after a certificate, as the authority sees it.
type Obligation struct {
	Certificate string        `json:"certificate"`
	ObjectName  string        `json:"objectName"`
	ObjectKind  string        `json:"objectKind"`
	OwnerName   string        `json:"ownerName"`
	OwnerBIN    string        `json:"ownerBin"`
	Kind        string        `json:"kind"` // monitoring_connection, change_decision, certificate_return, duplicate, recall
	ID          string        `json:"id,omitempty"`
	Ground      string        `json:"ground,omitempty"` // kind recall: the ground of §45 to recall on
	Paragraph   string        `json:"paragraph"`
	Actor       identity.Role `json:"actor"` // who acts: the owner (applicant) or the authority
	Since       time.Time     `json:"since"`
	DueAt       *time.Time    `json:"dueAt,omitempty"` // none for a recall to decide (§45 sets no period)
	Overdue     bool          `json:"overdue"`
	// AwaitsHandOver: the period runs from the owner's receipt of a document that waits at the
	// Committee's office (a paper case's certificate, §42, or copy of the recall decision, §46):
	// no due moment until the office hands it over.
	AwaitsHandOver bool `json:"awaitsHandOver,omitempty"`
}

// Obligations answers the open obligations after certificates, for the authority: monitoring
// connections not yet notified (§42), change notices undecided (§44), recalled certificates not
// returned (§46), duplicates not issued (§48), cessation notices not yet acted on (§45(5)) and
// expired certificates of objects not attested again (§45(1)); each with its paragraph, due
// moment and whether it is overdue at now. overdueOnly keeps the overdue ones. A page holds the
// obligations of at most limit certificates, earliest due first; the cursor continues it.
func (s *Service) Obligations(ctx context.Context, actor identity.Actor, overdueOnly bool, limit int, cursor string, now time.Time) ([]Obligation, string, error) {
	// The authority reads every watched certificate; an applicant its own organisation's, for
	// what it owes after them (§42, §46) and what it waits for (§44, §48).
	var page func(limit int, cursor string) ([]Entry, string, error)
	switch actor.Role {
	case identity.Authority:
		page = func(limit int, cursor string) ([]Entry, string, error) {
			return s.store.WatchedEntries(ctx, limit, cursor)
		}
	case identity.Applicant:
		if actor.BIN == "" {
			return nil, "", apperr.Errorf(apperr.Forbidden, "", "obligations: the applicant's token names no organisation")
		}
		page = func(limit int, cursor string) ([]Entry, string, error) {
			return s.store.ListEntries(ctx, CertificateQuery{OwnerBIN: actor.BIN}, limit, cursor)
		}
	default:
		return nil, "", apperr.Errorf(apperr.Forbidden, "", "the %s does not read the obligations after certificates", actor.Role)
	}
	if limit <= 0 || limit > MaxListPage {
		limit = MaxListPage
	}
	out := []Obligation{}
	certificates := 0
	for range obligationPages {
		list, next, err := page(limit-certificates, cursor)
		if err != nil {
			return nil, "", fmt.Errorf("obligations: %w", err)
		}
		for _, e := range list {
			obs, err := s.obligationsOf(ctx, e.AsOf(now), overdueOnly, now)
			if err != nil {
				return nil, "", err
			}
			if len(obs) > 0 {
				certificates++
				out = append(out, obs...)
			}
		}
		if cursor = next; cursor == "" || certificates >= limit {
			break
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].moment().Before(out[j].moment()) })
	return out, cursor, nil
}

// moment orders obligations: by due moment, and those without one by when they opened.
func (o Obligation) moment() time.Time {
	if o.DueAt != nil {
		return *o.DueAt
	}
	return o.Since
}

func (s *Service) obligationsOf(ctx context.Context, e Entry, overdueOnly bool, now time.Time) ([]Obligation, error) {
	ed, err := policy.Load(e.Edition)
	if err != nil {
		return nil, fmt.Errorf("certificate %s: %w", e.Number, err)
	}
	var out []Obligation
	for _, it := range e.open() {
		o := Obligation{Certificate: e.Number, ObjectName: e.ObjectName, ObjectKind: e.ObjectKind, OwnerName: e.OwnerName, OwnerBIN: e.OwnerBIN,
			Kind: it.kind, ID: it.id, Ground: it.ground, Actor: identity.Authority, Since: it.since.UTC(), AwaitsHandOver: it.awaitsHandOver}
		if it.owner {
			o.Actor = identity.Applicant
		}
		if it.due != nil {
			due := it.due.UTC()
			o.DueAt, o.Overdue = &due, it.flagged || now.After(due)
		}
		switch it.kind {
		case WatchReattestation:
			// §44: the owner's new application; met once the object holds a later certificate.
			o.Paragraph = periodParagraph(ed, policy.StepChangeDecision, "§44")
			again, err := s.attestedAgain(ctx, e, now)
			if err != nil {
				return nil, err
			}
			if again != "" {
				continue
			}
		case WatchRecall:
			o.Paragraph = groundOf(ed, it.ground).Paragraph
			if it.ground == GroundChangedConditions {
				// §45(4) concerns the kinds the edition names (the mandatory objects of §5).
				applicable, err := ed.RecallGroundsFor(e.ObjectKind)
				if err != nil {
					return nil, fmt.Errorf("recall grounds of %s: %w", e.ObjectKind, err)
				}
				if !slices.ContainsFunc(applicable, func(x policy.RecallGround) bool { return x.ID == GroundChangedConditions }) {
					continue
				}
			}
			if it.ground == GroundNotReattested {
				again, err := s.attestedAgain(ctx, e, now)
				if err != nil {
					return nil, err
				}
				if again != "" {
					continue
				}
			}
		default:
			o.Paragraph = periodParagraph(ed, it.kind, it.kind)
		}
		if overdueOnly && !o.Overdue {
			continue
		}
		out = append(out, o)
	}
	return out, nil
}
