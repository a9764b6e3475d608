package objects

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
	"attestation/internal/identity"
	"attestation/internal/policy"
)

// MaxPage is the most objects one page of a list holds.
const MaxPage = 100

// writeAttempts bounds the retries of a plan write that lost a race with another writer.
const writeAttempts = 20

// Calendar is the working-day calendar (internal/calendar implements it): the policy's, plus the
// years it covers and its time zone.
type Calendar interface {
	policy.Calendar
	// Years returns the first and the last year the calendar covers.
	Years() (first, last int)
	// Location is the time zone of civil dates: Asia/Almaty.
	Location() *time.Location
}

// Service registers objects and keeps the annual plans.
type Service struct {
	store   Store
	cal     Calendar
	edition *policy.Edition
	newID   func() (string, error)
}

// NewService returns the service on store, counting due moments with cal and reading the kinds
// of objects from the policy edition (the one applied to new filings).
func NewService(store Store, cal Calendar, edition string) (*Service, error) {
	ed, err := policy.Load(edition)
	if err != nil {
		return nil, fmt.Errorf("objects: policy edition: %w", err)
	}
	return &Service{store: store, cal: cal, edition: ed, newID: randomID}, nil
}

// randomID is an object ID nobody can guess: "O-" and 16 hexadecimal digits from crypto/rand.
func randomID() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("object id: %w", err)
	}
	return "O-" + hex.EncodeToString(b[:]), nil
}

// Register records a new object of the applicant's organisation. Whether its attestation is
// mandatory (§5) or voluntary (§6) is read from the policy's kind, never taken from the caller.
func (s *Service) Register(ctx context.Context, actor identity.Actor, in Registration, now time.Time) (Object, error) {
	if actor.Role != identity.Applicant {
		return Object{}, apperr.Errorf(apperr.Forbidden, "", "register object: the %s does not register objects", actor.Role)
	}
	problems := s.checkRegistration(in)
	if len(problems) > 0 {
		return Object{}, &attestation.SubmissionRefused{Problems: problems}
	}
	kind, err := s.edition.Kind(in.Kind)
	if err != nil {
		return Object{}, fmt.Errorf("register object: kind %q: %w", in.Kind, err)
	}
	o := Object{OrganizationBIN: actor.BIN, Kind: kind.ID, Name: clean(in.Name), Developer: clean(in.Developer),
		LifeCycleStage: in.LifeCycleStage, Mandatory: kind.Mandatory, Edition: s.edition.ID(), RegisteredAt: now.UTC(), RegisteredBy: actor.Subject,
		StageSince: now.UTC(), Stages: []StageRecord{{Stage: in.LifeCycleStage, Since: now.UTC(), RecordedBy: actor.Subject}}}
	// A taken ID (one in 2^64) is drawn again.
	for attempt := 0; ; attempt++ {
		if o.ID, err = s.newID(); err != nil {
			return Object{}, fmt.Errorf("register object: %w", err)
		}
		err = s.store.CreateObject(ctx, o)
		if err == nil {
			return o, nil
		}
		if !errors.Is(err, apperr.Conflict) || attempt == 2 {
			return Object{}, fmt.Errorf("register object: %w", err)
		}
	}
}

// ChangeStage records that the applicant's object moved to another life-cycle state (seed 004
// §3, Law Art. 39); the oversight of §4 then counts it from now. The same state again changes
// nothing and answers the object. An object whose operation has terminated stays so: it is
// ErrRule (a new object is registered instead). Another organisation's object is
// ErrObjectNotFound, exactly like a missing one.
func (s *Service) ChangeStage(ctx context.Context, actor identity.Actor, id string, in StageChange, now time.Time) (Object, error) {
	if actor.Role != identity.Applicant {
		return Object{}, apperr.Errorf(apperr.Forbidden, "", "change the stage of an object: the %s does not", actor.Role)
	}
	if !in.LifeCycleStage.Valid() {
		return Object{}, &attestation.SubmissionRefused{Problems: []apperr.Problem{{Field: "lifeCycleStage", Rule: ruleStage,
			Message: fmt.Sprintf("%q is not a life-cycle state; one of %s", in.LifeCycleStage, stageList())}}}
	}
	for attempt := 0; ; attempt++ {
		o, err := s.Get(ctx, actor, id)
		if err != nil {
			return Object{}, err
		}
		switch {
		case o.LifeCycleStage == in.LifeCycleStage:
			return o, nil
		case o.LifeCycleStage == StageTerminated:
			return Object{}, apperr.Errorf(apperr.Rule, "", "object %s: its operation has terminated (since %s) and its state does not change; register the object again", o.ID, o.Since().Format(time.RFC3339))
		}
		history := o.History()
		if len(history) >= MaxStageRecords {
			return Object{}, apperr.Errorf(apperr.Rule, "", "object %s: %d life-cycle states are recorded, the most one object keeps; register the object again", o.ID, len(history))
		}
		from := o.LifeCycleStage
		o.LifeCycleStage, o.StageSince = in.LifeCycleStage, now.UTC()
		o.Stages = append(slices.Clip(history), StageRecord{Stage: in.LifeCycleStage, Since: now.UTC(), RecordedBy: actor.Subject})
		err = s.store.ReplaceObject(ctx, o, from)
		if err == nil {
			return o, nil
		}
		if !errors.Is(err, apperr.Conflict) || attempt == writeAttempts {
			return Object{}, fmt.Errorf("change the stage of object %s: %w", id, err)
		}
		// Another change came first: read it again.
	}
}

// Get returns an object. An applicant reads only its own organisation's: another's is
// ErrObjectNotFound, exactly like an object that does not exist. Staff read any.
func (s *Service) Get(ctx context.Context, actor identity.Actor, id string) (Object, error) {
	if !wellFormedID(id) {
		return Object{}, ErrObjectNotFound
	}
	o, err := s.store.Object(ctx, id)
	if errors.Is(err, apperr.NotFound) {
		return Object{}, ErrObjectNotFound
	}
	if err != nil {
		return Object{}, fmt.Errorf("get object: %w", err)
	}
	if !mayRead(actor, o.OrganizationBIN) {
		return Object{}, ErrObjectNotFound
	}
	return o, nil
}

// List returns an organisation's objects, newest first, a page at a time. An applicant lists its
// own organisation's (organization empty or its own; another is ErrForbidden); staff name the
// organisation (its BIN/IIN).
func (s *Service) List(ctx context.Context, actor identity.Actor, organization string, limit int, cursor string) ([]Object, string, error) {
	bin, err := organizationOf(actor, organization)
	if err != nil {
		return nil, "", fmt.Errorf("list objects: %w", err)
	}
	if limit <= 0 || limit > MaxPage {
		limit = MaxPage
	}
	objs, next, err := s.store.ObjectsOf(ctx, bin, limit, cursor)
	if err != nil {
		return nil, "", fmt.Errorf("list objects: %w", err)
	}
	return objs, next, nil
}

// GetPlan returns an organisation's plan of a year: an applicant its own (organization empty or
// its own), staff the organisation they name.
func (s *Service) GetPlan(ctx context.Context, actor identity.Actor, organization string, year int) (Plan, error) {
	bin, err := organizationOf(actor, organization)
	if err != nil {
		return Plan{}, fmt.Errorf("get plan: %w", err)
	}
	if p := s.yearCovered(year); p != nil {
		return Plan{}, apperr.Errorf(apperr.Unprocessable, "", "get plan: %s", p.Message)
	}
	p, err := s.store.Plan(ctx, bin, year)
	if errors.Is(err, apperr.NotFound) {
		return Plan{}, ErrPlanNotFound
	}
	if err != nil {
		return Plan{}, fmt.Errorf("get plan: %w", err)
	}
	return p, nil
}

// PutPlan sends (or sends again) the applicant's list of objects planned for attestation in year
// (§11, Annex 1). A list sent after its due moment is accepted and is late; sending it again
// replaces the rows and keeps the first submission's time. Every problem of the list is
// returned at once, each with its field and paragraph (*attestation.SubmissionRefused).
//
// Each accepted call is one revision: the write is conditional on the revision read, and a write
// that lost the race to another is read and applied again, so concurrent sends change the plan
// once each.
func (s *Service) PutPlan(ctx context.Context, actor identity.Actor, year int, in PlanInput, now time.Time) (Plan, error) {
	if actor.Role != identity.Applicant {
		return Plan{}, apperr.Errorf(apperr.Forbidden, "", "put plan: the %s does not send plans", actor.Role)
	}
	var problems []apperr.Problem
	if p := s.yearCovered(year); p != nil {
		problems = append(problems, *p)
	} else if p := s.yearOpen(year, now); p != nil {
		problems = append(problems, *p)
	}
	ids := make([]string, 0, len(in.Rows))
	for _, r := range in.Rows {
		if wellFormedID(r.ObjectID) {
			ids = append(ids, r.ObjectID)
		}
	}
	known := map[string]Object{}
	if len(ids) > 0 {
		var err error
		if known, err = s.store.Objects(ctx, ids); err != nil {
			return Plan{}, fmt.Errorf("put plan: read its objects: %w", err)
		}
	}
	rows, rowProblems := checkRows(in, year, actor.BIN, known, s.today(now))
	problems = append(problems, rowProblems...)
	if len(problems) > 0 {
		return Plan{}, &attestation.SubmissionRefused{Problems: problems}
	}
	due, err := s.edition.AnnualPlanDue(s.cal, year)
	if err != nil {
		return Plan{}, fmt.Errorf("put plan: due moment of %d: %w", year, err)
	}
	paragraph := ruleAnnualPlan
	if per, err := s.edition.Period(policy.StepAnnualPlan); err == nil && per.Paragraph != "" {
		paragraph = per.Paragraph
	}
	for attempt := 1; ; attempt++ {
		p := Plan{OrganizationBIN: actor.BIN, Year: year, Rows: rows, Revision: 1, DueAt: due.UTC(), Paragraph: paragraph,
			FirstSubmittedAt: now.UTC(), SubmittedAt: now.UTC(), SubmittedBy: actor.Subject, Edition: s.edition.ID()}
		prev, err := s.store.Plan(ctx, actor.BIN, year)
		switch {
		case err == nil:
			p.Revision, p.FirstSubmittedAt = prev.Revision+1, prev.FirstSubmittedAt
			// The first submission's due moment stands: the plan was judged late or not against it.
			p.DueAt = prev.DueAt
		case !errors.Is(err, apperr.NotFound):
			return Plan{}, fmt.Errorf("put plan: %w", err)
		}
		err = s.store.PutPlan(ctx, p)
		if err == nil {
			return p, nil
		}
		if !errors.Is(err, apperr.Conflict) || attempt == writeAttempts {
			return Plan{}, fmt.Errorf("put plan %d: %w", year, err)
		}
	}
}

// today is the civil date of now in Kazakhstan.
func (s *Service) today(now time.Time) string { return now.In(s.cal.Location()).Format(time.DateOnly) }

// yearCovered is the problem of a year the calendar does not cover (no due moment can be
// computed for it), or nil.
func (s *Service) yearCovered(year int) *apperr.Problem {
	first, last := s.cal.Years()
	if year < first || year > last {
		return &apperr.Problem{Field: "year", Rule: ruleAnnualPlan,
			Message: fmt.Sprintf("year %d is outside the years the calendar covers (%d-%d): no due moment can be computed for it", year, first, last)}
	}
	return nil
}

// yearOpen is the problem of a year whose list cannot be sent now, or nil: §11 asks for the
// list of the current year; the next year's may be sent ahead, a past year's no more.
func (s *Service) yearOpen(year int, now time.Time) *apperr.Problem {
	current := now.In(s.cal.Location()).Year()
	if year < current || year > current+1 {
		return &apperr.Problem{Field: "year", Rule: ruleAnnualPlan,
			Message: fmt.Sprintf("the list is of the current year (%d), or sent ahead for the next one (%d); %d is neither", current, current+1, year)}
	}
	return nil
}

// mayRead reports whether actor may read what belongs to the organisation bin.
func mayRead(actor identity.Actor, bin string) bool {
	switch actor.Role {
	case identity.Authority, identity.STS:
		return true
	case identity.Applicant:
		return actor.BIN != "" && actor.BIN == bin
	}
	return false
}

// organizationOf is the organisation a read is about: the applicant's own (naming another is
// ErrForbidden), or the one staff name (required, a valid BIN/IIN).
func organizationOf(actor identity.Actor, organization string) (string, error) {
	switch actor.Role {
	case identity.Applicant:
		if organization != "" && organization != actor.BIN {
			return "", apperr.Errorf(apperr.Forbidden, "", "organization: an applicant reads only its own organisation's objects and plans")
		}
		return actor.BIN, nil
	case identity.Authority, identity.STS:
		if organization == "" {
			return "", apperr.Errorf(apperr.Unprocessable, "", "organization: staff name the organisation (its BIN/IIN)")
		}
		if err := attestation.ValidIdentityNumber(organization); err != nil {
			return "", fmt.Errorf("organization: %w", err)
		}
		return organization, nil
	}
	return "", apperr.Errorf(apperr.Forbidden, "", "the %s reads no objects", actor.Role)
}
