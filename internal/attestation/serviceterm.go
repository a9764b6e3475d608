package attestation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/calendar"
	"attestation/internal/identity"
	"attestation/internal/policy"
)

// Standard §4: the whole state service is rendered within 51 working days of the submission of
// the package, extended by 48 working days when an additional survey takes place (from the
// applicant's §31 notice of rectification on). Both periods are the policy's (service_term,
// service_term_additional); the stages of the Rules can legitimately sum past the term (a
// geographically distributed object: 3+3+5+40+3+3 = 57 working days with every stage on time), so
// a breach of the term is the service term's, never a stage's.

// ServiceTerm is a case's service term (standard §4).
type ServiceTerm struct {
	DueAt       time.Time `json:"dueAt,omitzero"` // zero while Uncountable
	Paragraph   string    `json:"paragraph"`
	Extended    bool      `json:"extended,omitempty"` // an additional survey takes place: +48 working days
	Provisional bool      `json:"provisional,omitempty"`
	Overdue     bool      `json:"overdue,omitempty"` // flagged by the deadline check, with a notification to the authority
	// Uncountable: the term runs past the years the working-day calendar covers; it names the
	// year whose calendar must be published. The deadline check counts it again every run.
	Uncountable string `json:"uncountable,omitempty"`
	Year        int    `json:"year,omitempty"` // the year the calendar lacks, while Uncountable
}

// whatTermOverdue and whatTermExtended start the history events of the service term.
const (
	whatTermOverdue  = "service term overdue: "
	whatTermExtended = "service term extended"
)

// serviceTerm is c's service term under its edition: 51 working days from the submission, or
// 51+48 once extended. A term the calendar cannot count yet is returned Uncountable, never an
// error: no filing is refused for it.
func (r rules) serviceTerm(c Case, extended bool) (*ServiceTerm, error) {
	e, err := r.edition(c.Edition)
	if err != nil {
		return nil, err
	}
	step := policy.StepServiceTerm
	if extended {
		step = policy.StepServiceTermAdditional
	}
	d, err := e.Due(r.cal, step, c.SubmittedAt)
	var oor *calendar.OutOfRangeError
	if errors.As(err, &oor) {
		p, perr := e.Period(step)
		if perr != nil {
			return nil, fmt.Errorf("service term of %s: %w", c.ID, perr)
		}
		return &ServiceTerm{Paragraph: p.Paragraph, Extended: extended, Uncountable: apperr.PublicOf(err).Detail, Year: oor.Date.Year()}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("service term of %s: %w", c.ID, err)
	}
	return &ServiceTerm{DueAt: d.At.UTC(), Paragraph: d.Paragraph, Extended: extended, Provisional: d.Provisional}, nil
}

// TermWatch says what a write of c with events does to the service term's watch (the deadline
// check's index of terms): put it (the term starts with the receipt, or is extended), or drop it
// (flagged overdue). The store writes it in the same transaction.
func TermWatch(c Case, events []Event) (put, drop bool) {
	if c.Term == nil {
		return false, false
	}
	for _, e := range events {
		switch {
		case e.What == whatReceipt, e.Outcome == OutcomeNotified, len(e.What) >= len(whatTermExtended) && e.What[:len(whatTermExtended)] == whatTermExtended:
			put = true
		case len(e.What) >= len(whatTermOverdue) && e.What[:len(whatTermOverdue)] == whatTermOverdue:
			return false, true
		}
	}
	return put, false
}

// TermStore is the deadline check's index of service terms.
type TermStore interface {
	// TermsDue returns the IDs of cases whose watched service term ends at or before t, or cannot
	// be counted yet, at most limit.
	TermsDue(ctx context.Context, t time.Time, limit int) ([]string, error)
	// DropTermWatch removes a case's term from the index (the case has ended).
	DropTermWatch(ctx context.Context, caseID string) error
}

// TermReport is what one run of the service-term check did.
type TermReport struct {
	Overdue     []string          `json:"overdue"`
	Uncountable []UncountableTerm `json:"uncountable,omitempty"`
	Counted     []string          `json:"counted,omitempty"` // uncountable terms the calendar now counts
}

// UncountableTerm is a case whose service term the calendar cannot count yet.
type UncountableTerm struct {
	CaseID string `json:"caseId"`
	Year   int    `json:"year"`
	Reason string `json:"reason"`
}

// TermCheck is the deadline check's watch of the service terms (standard §4).
type TermCheck struct {
	svc   *Service
	terms TermStore
}

// NewTermCheck returns the watch of service terms on svc's cases and the terms' index.
func NewTermCheck(svc *Service, terms TermStore) *TermCheck {
	return &TermCheck{svc: svc, terms: terms}
}

// Check flags every open case past its service term (with a notification to the authority, in
// the same write), counts again the terms the calendar could not count, lists those it still
// cannot, and drops the watch of ended cases. Each case is flagged once.
func (t *TermCheck) Check(ctx context.Context, now time.Time) (any, error) {
	rep := TermReport{Overdue: []string{}}
	ids, err := t.terms.TermsDue(ctx, now, 500)
	if err != nil {
		return rep, fmt.Errorf("service terms at %s: %w", now.UTC().Format(time.RFC3339), err)
	}
	var failed []error
	for _, id := range ids {
		if err := t.svc.checkTerm(ctx, t.terms, id, now, &rep); err != nil && !errors.Is(err, ErrConflict) {
			failed = append(failed, err)
		}
	}
	return rep, errors.Join(failed...)
}

func (s *Service) checkTerm(ctx context.Context, terms TermStore, id string, now time.Time, rep *TermReport) error {
	c, err := s.store.Get(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return terms.DropTermWatch(ctx, id)
	}
	if err != nil {
		return fmt.Errorf("service term of %s: %w", id, err)
	}
	if c.Term == nil || c.Term.Overdue || c.Stage.Ended() {
		return terms.DropTermWatch(ctx, id)
	}
	if c.Term.Uncountable != "" {
		term, err := s.rules.serviceTerm(c, c.Term.Extended)
		if err != nil {
			return err
		}
		if term.Uncountable != "" {
			rep.Uncountable = append(rep.Uncountable, UncountableTerm{CaseID: c.ID, Year: term.Year, Reason: term.Uncountable})
			return nil
		}
		// The calendar of that year is published: the term is counted and watched at its moment.
		c.Term = term
		c.Version++
		c.Events++
		ev := Event{Seq: c.Events, At: now.UTC(), Actor: "deadline-check", Role: identity.Scheduler,
			What: whatTermExtended + ": counted, due " + term.DueAt.Format(time.RFC3339) + " (" + term.Paragraph + ")"}
		if err := s.store.Update(ctx, c, ev); err != nil {
			return fmt.Errorf("service term of %s: %w", id, err)
		}
		rep.Counted = append(rep.Counted, c.ID)
		if !now.After(term.DueAt) {
			return nil
		}
		c.Term = term
	}
	if !now.After(c.Term.DueAt) {
		return nil
	}
	c.Term.Overdue = true
	c.Version++
	c.Events++
	ev := Event{Seq: c.Events, At: now.UTC(), Actor: "deadline-check", Role: identity.Scheduler,
		What: fmt.Sprintf(whatTermOverdue+"the service was due %s (%s)", c.Term.DueAt.Format(time.RFC3339), c.Term.Paragraph)}
	if err := s.store.Update(ctx, c, ev); err != nil {
		return fmt.Errorf("flag service term of %s: %w", id, err)
	}
	rep.Overdue = append(rep.Overdue, c.ID)
	return nil
}

// TermBreach says how the case view explains a service term past its due moment at now: a
// breach of the service term itself (standard §4) when no stage is overdue, since the stages'
// periods can sum past the term; "" when the term is not past.
func TermBreach(c Case, now time.Time) string {
	t := c.Term
	if t == nil || t.Uncountable != "" || c.Stage.Ended() || !(t.Overdue || now.After(t.DueAt)) {
		return ""
	}
	if st := c.OpenStep; st != nil && (st.Overdue || st.PastDue(now)) {
		return fmt.Sprintf("the service term (%s) is past, and so is the open step %s (%s)", t.Paragraph, st.Name, st.Paragraph)
	}
	if st := c.OpenStep; st != nil && !st.Runs() {
		return fmt.Sprintf("the service term (%s) is past while the open step %s (%s) waits for its document's hand-over at the office, from which its own period runs", t.Paragraph, st.Name, st.Paragraph)
	}
	return fmt.Sprintf("the service term (%s) is past although every stage kept its own period: the stages' periods sum past the term, so the breach is the service term's, not a stage's", t.Paragraph)
}
