package complaints

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
	"attestation/internal/calendar"
	"attestation/internal/identity"
	"attestation/internal/policy"
)

// MaxPage is the most complaints one page of a list holds.
const MaxPage = 100

// numberAttempts bounds the re-reads when other complaints of the same year take the next number
// first (or, one in 2^96, the ID is taken).
const numberAttempts = 100

// writeAttempts bounds the re-reads of a decision or an overdue mark that lost a race.
const writeAttempts = 5

// checkPage is how many due complaints the deadline check reads at a time.
const checkPage = 100

// deadlineActor names the deadline check in a complaint's history.
const deadlineActor = "deadline-check"

// Calendar is the working-day calendar (internal/calendar implements it): the policy's, plus the
// years it covers and its time zone.
type Calendar interface {
	policy.Calendar
	// Years returns the first and the last year the calendar covers.
	Years() (first, last int)
	// Location is the time zone of civil dates: Asia/Almaty.
	Location() *time.Location
}

// Service registers complaints, lets their addressee decide them, and flags those not considered
// in time.
type Service struct {
	store   Store
	cases   Cases
	certs   Certificates
	cal     Calendar
	edition *policy.Edition
	log     *slog.Logger
	newID   func() (string, error)
}

// Deps are the ports a Service is built on. Every one is required but Log (nil discards).
type Deps struct {
	Store Store
	// Cases checks that a case a complaint names is the complainant's organisation's.
	Cases Cases
	// Certificates checks that a certificate a complaint names is one of the organisation's in
	// the register.
	Certificates Certificates
	// Calendar counts the periods of standard §11, as the policy edition Edition (the one
	// applied to new filings) sets them.
	Calendar Calendar
	Edition  string
	Log      *slog.Logger
}

// NewService returns the service on d, or an error naming the first required port d lacks.
func NewService(d Deps) (*Service, error) {
	for _, p := range []struct {
		name    string
		missing bool
	}{
		{"Store", d.Store == nil}, {"Cases", d.Cases == nil}, {"Certificates", d.Certificates == nil}, {"Calendar", d.Calendar == nil},
	} {
		if p.missing {
			return nil, fmt.Errorf("complaints: %s is required", p.name)
		}
	}
	ed, err := policy.Load(d.Edition)
	if err != nil {
		return nil, fmt.Errorf("complaints: policy edition: %w", err)
	}
	for _, step := range []string{policy.StepComplaintProvider, policy.StepComplaintQualityAuthority} {
		if _, err := ed.Period(step); err != nil {
			return nil, fmt.Errorf("complaints: policy edition %s: %w", d.Edition, err)
		}
	}
	log := d.Log
	if log == nil {
		log = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	return &Service{store: d.Store, cases: d.Cases, certs: d.Certificates, cal: d.Calendar, edition: ed, log: log, newID: randomID}, nil
}

// randomID is a complaint ID nobody can guess: "C-" and 24 hexadecimal digits from crypto/rand.
func randomID() (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("complaint id: %w", err)
	}
	return "C-" + hex.EncodeToString(b[:]), nil
}

// stepOf is the policy's period of a complaint to a.
func stepOf(a Addressee) string {
	if a == QualityAuthority {
		return policy.StepComplaintQualityAuthority
	}
	return policy.StepComplaintProvider
}

// number is the registration number of the seq-th complaint registered in year.
func number(year, seq int) string { return fmt.Sprintf("C-%d/%05d", year, seq) }

// File registers the applicant's complaint (standard §11) and returns it with its first event.
// The period runs from its registration: for a complaint to the service provider, the moment its
// office counts it received (outside the acceptance hours, the next moment the office accepts
// filings: standard §8); the due moment is the end of the last working day of the period. The
// number is the next of the year of registration, without gaps: it is taken in the same
// transaction that stores the complaint, and taken again when another complaint took it first.
// Every problem of the filing is returned at once (*attestation.SubmissionRefused).
func (s *Service) File(ctx context.Context, actor identity.Actor, in Filing, now time.Time) (Complaint, error) {
	if actor.Role != identity.Applicant {
		return Complaint{}, apperr.Errorf(apperr.Forbidden, "", "file complaint: the %s does not file complaints", actor.Role)
	}
	problems, err := s.checkFiling(ctx, actor, in)
	if err != nil {
		return Complaint{}, fmt.Errorf("file complaint: %w", err)
	}
	due, more, err := s.dueOf(in.Addressee, now)
	if err != nil {
		return Complaint{}, fmt.Errorf("file complaint: %w", err)
	}
	if problems = append(problems, more...); len(problems) > 0 {
		return Complaint{}, &attestation.SubmissionRefused{Problems: problems}
	}
	name := clean(actor.Name)
	if name == "" {
		name = actor.Subject
	}
	c := Complaint{OrganizationBIN: actor.BIN, ApplicantName: name, FiledBy: actor.Subject, Addressee: in.Addressee,
		Subject: clean(in.Subject), CaseID: clean(in.CaseID), CertificateNumber: clean(in.CertificateNumber), Channel: ChannelOnline}
	return s.create(ctx, actor, c, due, now, now)
}

// Register registers a complaint the addressee's office received on paper: by post, by e-mail or
// at the office (standard §11). The office's own staff register it, with its registration mark:
// the channel, the office's incoming number and who registered it; the period runs from its
// receipt at the office (outside the acceptance hours, the next moment the office accepts filings:
// standard §8). Every problem is returned at once (*attestation.SubmissionRefused).
func (s *Service) Register(ctx context.Context, actor identity.Actor, in Registration, now time.Time) (Complaint, error) {
	if actor.Role != identity.Authority && actor.Role != identity.STS && actor.Role != identity.QualityAuthority {
		return Complaint{}, apperr.Errorf(apperr.Forbidden, "", "register complaint: the %s registers no complaints", actor.Role)
	}
	problems, err := s.checkRegistration(ctx, actor, in, now)
	if err != nil {
		return Complaint{}, fmt.Errorf("register complaint: %w", err)
	}
	var due policy.Due
	if len(problems) == 0 {
		var more []apperr.Problem
		if due, more, err = s.dueOf(in.Addressee, in.ReceivedAt); err != nil {
			return Complaint{}, fmt.Errorf("register complaint: %w", err)
		}
		problems = append(problems, more...)
	}
	if len(problems) > 0 {
		return Complaint{}, &attestation.SubmissionRefused{Problems: problems}
	}
	c := Complaint{OrganizationBIN: clean(in.Organization), ApplicantName: clean(in.ComplainantName), FiledBy: actor.Subject,
		Addressee: in.Addressee, Subject: clean(in.Subject), CaseID: clean(in.CaseID), CertificateNumber: clean(in.CertificateNumber),
		Channel: in.Channel, IncomingNumber: clean(in.IncomingNumber), RegisteredBy: clean(in.RegisteredBy), RegisteredBySubject: actor.Subject}
	return s.create(ctx, actor, c, due, in.ReceivedAt, now)
}

// dueOf is the period of a complaint to a received at t, or the problem that it cannot be counted.
func (s *Service) dueOf(a Addressee, t time.Time) (policy.Due, []apperr.Problem, error) {
	if !a.Valid() {
		return policy.Due{}, nil, nil
	}
	due, err := s.edition.Due(s.cal, stepOf(a), t)
	switch {
	case errors.Is(err, calendar.ErrOutOfRange):
		first, last := s.cal.Years()
		return due, []apperr.Problem{{Field: "", Rule: ruleComplaint,
			Message: fmt.Sprintf("the period of consideration cannot be counted: it runs outside the years the working-day calendar covers (%d-%d)", first, last)}}, nil
	case err != nil:
		return due, nil, fmt.Errorf("due moment: %w", err)
	}
	return due, nil, nil
}

// create numbers and stores the new complaint c, received at filed and registered now, with its
// first event. The
// number is the next of the year of registration, without gaps: it is taken in the same
// transaction that stores the complaint, and taken again when another complaint took it first.
func (s *Service) create(ctx context.Context, actor identity.Actor, c Complaint, due policy.Due, filed, now time.Time) (Complaint, error) {
	registered := due.From.In(s.cal.Location())
	c.FiledAt, c.RegisteredAt, c.DueAt, c.Paragraph = filed.UTC(), registered.UTC(), due.At.UTC(), paragraphOf(due)
	c.Provisional, c.Edition, c.Status, c.Version, c.Events, c.Year = due.Provisional, s.edition.ID(), StatusRegistered, 1, 1, registered.Year()
	for attempt := 1; ; attempt++ {
		var err error
		if c.ID, err = s.newID(); err != nil {
			return Complaint{}, fmt.Errorf("file complaint: %w", err)
		}
		last, err := s.store.LastSeq(ctx, c.Year)
		if err != nil {
			return Complaint{}, fmt.Errorf("file complaint: last number of %d: %w", c.Year, err)
		}
		c.Seq = last + 1
		c.Number = number(c.Year, c.Seq)
		ev := Event{Seq: 1, At: now.UTC(), Actor: actor.Subject, Role: actor.Role, What: s.registeredWhat(c, due)}
		err = s.store.Create(ctx, c, ev)
		if err == nil {
			c.History = []Event{ev}
			s.log.InfoContext(ctx, "complaint registered", "complaint", c.ID, "number", c.Number, "addressee", string(c.Addressee),
				"channel", string(c.Mark().Channel), "actor", actor)
			return c, nil
		}
		if !errors.Is(err, apperr.Conflict) || attempt == numberAttempts {
			return Complaint{}, fmt.Errorf("file complaint %s: %w", c.Number, err)
		}
	}
}

// paragraphOf is the paragraph the period names, or standard §11.
func paragraphOf(d policy.Due) string {
	if d.Paragraph != "" {
		return d.Paragraph
	}
	return ruleComplaint
}

// registeredWhat is the first event's words.
func (s *Service) registeredWhat(c Complaint, d policy.Due) string {
	loc := s.cal.Location()
	what := fmt.Sprintf("registered as %s with the %s at %s; to be considered within %d %s of its registration, by %s (%s)",
		c.Number, addresseeName(c.Addressee), c.RegisteredAt.In(loc).Format("2006-01-02 15:04"), d.Period.Amount,
		unitName(d.Period.Unit), c.DueAt.In(loc).Format("2006-01-02 15:04:05 MST"), c.Paragraph)
	if m := c.Mark(); m.Channel != ChannelOnline {
		what += fmt.Sprintf("; received by %s, incoming number %s, registered by %s", m.Channel, m.IncomingNumber, m.RegisteredBy)
	}
	return what
}

func addresseeName(a Addressee) string {
	switch a {
	case QualityAuthority:
		return "authority for the quality of state services"
	case STSHead:
		return "head of the State Technical Service"
	case MinistryHead:
		return "head of the Ministry"
	}
	return "service provider"
}

func unitName(u policy.Unit) string {
	if u == policy.WorkingDays {
		return "working days"
	}
	return string(u)
}

// Get returns a complaint with its history. An applicant reads only its own organisation's:
// another's is ErrComplaintNotFound, exactly like one that does not exist. The service provider
// and the authority for the quality of state services read any complaint (one may concern the
// other's answer); the STS reads none.
func (s *Service) Get(ctx context.Context, actor identity.Actor, id string) (Complaint, error) {
	if !readsComplaints(actor.Role) {
		return Complaint{}, apperr.Errorf(apperr.Forbidden, "", "get complaint: the %s reads no complaints", actor.Role)
	}
	c, err := s.get(ctx, actor, id)
	if err != nil {
		return Complaint{}, fmt.Errorf("get complaint: %w", err)
	}
	if c.History, err = s.store.History(ctx, c.ID); err != nil {
		return Complaint{}, fmt.Errorf("get complaint %s: history: %w", c.ID, err)
	}
	return c, nil
}

// get reads a complaint the actor may see, without its history.
func (s *Service) get(ctx context.Context, actor identity.Actor, id string) (Complaint, error) {
	if !wellFormedID(id) {
		return Complaint{}, ErrComplaintNotFound
	}
	c, err := s.store.Get(ctx, id)
	if errors.Is(err, apperr.NotFound) {
		return Complaint{}, ErrComplaintNotFound
	}
	if err != nil {
		return Complaint{}, err
	}
	if actor.Role == identity.Applicant && (actor.BIN == "" || c.OrganizationBIN != actor.BIN) {
		return Complaint{}, ErrComplaintNotFound
	}
	if actor.Role == identity.STS && c.Addressee != STSHead {
		// The STS sees only the complaints addressed to its head (standard §11); another's is not
		// found, as another organisation's is for an applicant: its existence is not told.
		return Complaint{}, ErrComplaintNotFound
	}
	return c, nil
}

// readsComplaints: the applicant its own; the service provider and the authority for the quality
// of state services any (one may concern the other's answer); the STS those addressed to its head.
func readsComplaints(r identity.Role) bool {
	return r == identity.Applicant || r == identity.Authority || r == identity.QualityAuthority || r == identity.STS
}

// ListFiledWith returns a page of the complaints filed with addressee a, latest due moment first:
// for the staff of the body that considers them (the authority lists those to the service provider
// and to the head of the Ministry; the STS those to its head; standard §11).
func (s *Service) ListFiledWith(ctx context.Context, actor identity.Actor, a Addressee, limit int, cursor string) ([]Complaint, string, error) {
	if !a.Valid() {
		return nil, "", &attestation.SubmissionRefused{Problems: []apperr.Problem{{Field: "addressee", Rule: ruleComplaint,
			Message: fmt.Sprintf("%q is not an addressee of a complaint; one of %s", a, addresseeList())}}}
	}
	if actor.Role != a.Role() {
		return nil, "", apperr.Errorf(apperr.Forbidden, "", "list complaints: those to the %s are the %s's to list, not the %s's", addresseeName(a), a.Role(), actor.Role)
	}
	if limit <= 0 || limit > MaxPage {
		limit = MaxPage
	}
	list, next, err := s.store.ByAddressee(ctx, a, limit, cursor)
	if err != nil {
		return nil, "", fmt.Errorf("list complaints to %s: %w", a, err)
	}
	return list, next, nil
}

// List returns a page of complaints: an applicant's own organisation's, newest registration
// first; the service provider's (the authority's), the quality authority's or the STS's (those to
// its head), those addressed to it, latest due moment first (ListFiledWith names another addressee).
func (s *Service) List(ctx context.Context, actor identity.Actor, limit int, cursor string) ([]Complaint, string, error) {
	if limit <= 0 || limit > MaxPage {
		limit = MaxPage
	}
	var list []Complaint
	var next string
	var err error
	switch actor.Role {
	case identity.Applicant:
		if actor.BIN == "" {
			return nil, "", apperr.Errorf(apperr.Forbidden, "", "list complaints: an applicant without an organisation")
		}
		list, next, err = s.store.ByOrganization(ctx, actor.BIN, limit, cursor)
	case identity.Authority:
		list, next, err = s.store.ByAddressee(ctx, ServiceProvider, limit, cursor)
	case identity.QualityAuthority:
		list, next, err = s.store.ByAddressee(ctx, QualityAuthority, limit, cursor)
	case identity.STS:
		list, next, err = s.store.ByAddressee(ctx, STSHead, limit, cursor)
	default:
		return nil, "", apperr.Errorf(apperr.Forbidden, "", "list complaints: the %s reads no complaints", actor.Role)
	}
	if err != nil {
		return nil, "", fmt.Errorf("list complaints: %w", err)
	}
	return list, next, nil
}

// Decide records the addressee's consideration of a complaint (standard §11): only the role the
// complaint is addressed to decides it (the authority for the service provider, the quality
// authority for itself), once. A repeat of the same decision (outcome and answer) answers the
// first; another decision of a considered complaint is ErrAlreadyConsidered. A decision after the
// due moment is accepted, and its event says it came late.
func (s *Service) Decide(ctx context.Context, actor identity.Actor, id string, in DecisionInput, now time.Time) (Complaint, error) {
	if actor.Role != identity.Authority && actor.Role != identity.QualityAuthority && actor.Role != identity.STS {
		return Complaint{}, apperr.Errorf(apperr.Forbidden, "", "decide complaint: the %s does not consider complaints", actor.Role)
	}
	// The body is checked before the complaint is read: a decision that cannot be taken costs no read.
	if problems := checkDecision(in); len(problems) > 0 {
		return Complaint{}, &attestation.SubmissionRefused{Problems: problems}
	}
	answer := clean(in.Answer)
	for attempt := 1; ; attempt++ {
		c, err := s.get(ctx, actor, id)
		if err != nil {
			return Complaint{}, fmt.Errorf("decide complaint: %w", err)
		}
		if want := c.Addressee.Role(); want != actor.Role {
			return Complaint{}, apperr.Errorf(apperr.Forbidden, "", "decide complaint %s: it is addressed to the %s, which alone considers it (standard §11), not the %s", c.Number, addresseeName(c.Addressee), actor.Role)
		}
		if c.Status == StatusConsidered && c.Decision != nil {
			if c.Decision.Outcome == in.Outcome && c.Decision.Answer == answer {
				return c, nil
			}
			return Complaint{}, fmt.Errorf("decide complaint %s: considered %s on %s: %w", c.Number, c.Decision.Outcome,
				c.Decision.At.In(s.cal.Location()).Format(time.DateOnly), ErrAlreadyConsidered)
		}
		c.Status = StatusConsidered
		c.Decision = &Decision{Outcome: in.Outcome, Answer: answer, Actor: actor.Subject, Role: actor.Role, At: now.UTC()}
		c.Version++
		c.Events++
		what := "considered: " + string(in.Outcome)
		if now.After(c.DueAt) {
			what += fmt.Sprintf(", after its due moment %s (%s)", c.DueAt.In(s.cal.Location()).Format("2006-01-02 15:04:05 MST"), c.Paragraph)
		}
		ev := Event{Seq: c.Events, At: now.UTC(), Actor: actor.Subject, Role: actor.Role, What: what, Outcome: in.Outcome}
		err = s.store.Update(ctx, c, ev)
		if err == nil {
			s.log.InfoContext(ctx, "complaint considered", "complaint", c.ID, "number", c.Number, "outcome", string(in.Outcome), "actor", actor)
			return c, nil
		}
		if !errors.Is(err, apperr.Conflict) || attempt == writeAttempts {
			return Complaint{}, fmt.Errorf("decide complaint %s: %w", c.Number, err)
		}
	}
}

// CheckReport is what one run of the deadline check did to complaints.
type CheckReport struct {
	// Flagged are the numbers of the complaints this run found not considered by their due moment
	// and flagged overdue (standard §11).
	Flagged []string `json:"flagged"`
}

// Check flags overdue every registered complaint whose due moment is before now (standard §11),
// once: the flag is written with its history event, conditional on the complaint's version, and
// takes the complaint out of the due watch, so a second run for the same moment flags nothing.
// It implements the deadline check's Checker; every complaint is tried even when one fails.
func (s *Service) Check(ctx context.Context, now time.Time) (any, error) {
	rep := CheckReport{Flagged: []string{}}
	var failed []error
	cursor := ""
	for {
		list, next, err := s.store.Due(ctx, now, checkPage, cursor)
		if err != nil {
			return rep, fmt.Errorf("complaints due by %s: %w", now.UTC().Format(time.RFC3339), errors.Join(append(failed, err)...))
		}
		for _, c := range list {
			flagged, err := s.flag(ctx, c, now)
			if err != nil {
				failed = append(failed, err)
				continue
			}
			if flagged {
				rep.Flagged = append(rep.Flagged, c.Number)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if len(failed) > 0 {
		return rep, fmt.Errorf("complaints due by %s: %w", now.UTC().Format(time.RFC3339), errors.Join(failed...))
	}
	return rep, nil
}

// flag marks c overdue if it is still registered, unflagged and due before now; it reports
// whether this call flagged it.
func (s *Service) flag(ctx context.Context, c Complaint, now time.Time) (bool, error) {
	for attempt := 1; ; attempt++ {
		if c.Status != StatusRegistered || c.Overdue || !c.DueAt.Before(now) {
			return false, nil
		}
		c.Overdue = true
		c.Version++
		c.Events++
		ev := Event{Seq: c.Events, At: now.UTC(), Actor: deadlineActor, Role: identity.Scheduler,
			What: fmt.Sprintf("overdue: not considered by the %s by its due moment %s (%s)", addresseeName(c.Addressee),
				c.DueAt.In(s.cal.Location()).Format("2006-01-02 15:04:05 MST"), c.Paragraph)}
		err := s.store.Update(ctx, c, ev)
		if err == nil {
			s.log.InfoContext(ctx, "complaint overdue", "complaint", c.ID, "number", c.Number, "addressee", string(c.Addressee), "dueAt", c.DueAt)
			return true, nil
		}
		if !errors.Is(err, apperr.Conflict) || attempt == writeAttempts {
			return false, fmt.Errorf("flag complaint %s overdue: %w", c.Number, err)
		}
		// Decided or flagged meanwhile: read it again and judge once more.
		id, num := c.ID, c.Number
		if c, err = s.store.Get(ctx, id); err != nil {
			return false, fmt.Errorf("flag complaint %s overdue: %w", num, err)
		}
	}
}
