package attestation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/identity"
	"attestation/internal/policy"
)

// The Committee's office (state service standard §3, §4(2)-(3), §8, §9): the paper channel. An
// officer (identity.Office) registers a paper filing on behalf of an organisation in the same
// draft the applicant uses online: it starts it when the person's service starts (their arrival
// in the queue and the start of service recorded), enters the package, uploads the scans,
// records a representative's letter of attorney, and files it with the receipt mark (the date,
// time and full name of the officer, standard §9 last paragraph). The organisation's
// registration comes from the state information systems through the e-government gateway
// (StateRegistry), never from what the person says. From the receipt on the case runs the same
// procedure; the office completes the applicant's steps of a paper case with the papers the
// applicant brings, and records the results it hands over (HandOver), whose moment is the
// applicant's receipt (ReceiptOf). Documents filed on paper carry no electronic signature and are
// never asked for one.

// StateRegistry is the state information systems the office reads an organisation's registration
// from, through the e-government gateway (standard §9): a legal entity's state registration and
// an individual's identity document. An unknown number is apperr.NotFound.
type StateRegistry interface {
	Organization(ctx context.Context, number string) (RegisteredOrganization, error)
}

// RegisterHandOvers is the register's side of the office's hand-overs (register.Service): the
// documents of the certificate's life the office may hand over besides the case's own (the copy
// of a recall decision, §46), and the periods their hand-over starts there (§42: the monitoring
// year from the owner's receipt of the certificate; §46: the return from its receipt of the copy
// of the recall decision).
type RegisterHandOvers interface {
	// Documents are the register's documents of c's certificate the office may hand over.
	Documents(ctx context.Context, c Case) ([]Document, error)
	// HandOver writes c with ev (the hand-over h recorded on it) and the register's revision the
	// hand-over starts a period on, in one transaction; ok is false, and nothing is written, when
	// it starts none. ErrConflict when the case or the register's entry moved.
	HandOver(ctx context.Context, c Case, ev Event, h HandOver) (ok bool, err error)
}

// RegisteredOrganization is what the state registry says of a BIN or IIN.
type RegisteredOrganization struct {
	Number     string // the BIN (a legal entity) or IIN (an individual)
	Name       string // the registered name, or the person's full name
	Individual bool
}

// PaperFiling is how the office received a filing on paper (standard §9).
type PaperFiling struct {
	Organization     string          `json:"organization"`     // the BIN or IIN filed for
	OrganizationName string          `json:"organizationName"` // as the state registry names it
	Representative   *Representative `json:"representative,omitempty"`
	// Standard §4(2)-(3): the person's arrival in the queue and the start of their service; the
	// receipt mark ends the service.
	ArrivedAt        time.Time    `json:"arrivedAt"`
	ServiceStartedAt time.Time    `json:"serviceStartedAt"`
	RegisteredBy     string       `json:"registeredBy"` // the officer who started it
	Receipt          *ReceiptMark `json:"receipt,omitempty"`
	// Limits are the standard's §4(2)-(3) limits as kept (or not) by this filing.
	Limits []OfficeLimit `json:"limits,omitempty"`
}

// Representative is a person who files for the organisation by letter of attorney (standard §9).
type Representative struct {
	Name             string           `json:"name"`
	IIN              string           `json:"-"` // personal data: kept, never shown
	LetterOfAttorney LetterOfAttorney `json:"letterOfAttorney"`
}

// LetterOfAttorney is the letter a representative acts by.
type LetterOfAttorney struct {
	Number     string `json:"number"`
	IssuedOn   string `json:"issuedOn"`   // YYYY-MM-DD
	ValidUntil string `json:"validUntil"` // YYYY-MM-DD, the last day it is valid
}

// ReceiptMark is the mark on the applicant's copy (standard §9 last paragraph): the date and
// time of receipt and the receiving officer's full name.
type ReceiptMark struct {
	Officer        string    `json:"officer"`
	OfficerSubject string    `json:"-"`
	At             time.Time `json:"at"`
}

// OfficeLimit is a limit of standard §4(2)-(3) and the time this filing took.
type OfficeLimit struct {
	Paragraph string `json:"paragraph"`
	What      string `json:"what"`
	Minutes   int    `json:"minutes"` // the limit
	Took      int    `json:"took"`    // whole minutes, rounded up
	Exceeded  bool   `json:"exceeded"`
}

// HandOver is a result handed over on paper at the office: who received what, and when.
type HandOver struct {
	Document       Document        `json:"document"`
	ReceivedBy     string          `json:"receivedBy"` // the person's full name
	Representative *Representative `json:"representative,omitempty"`
	Officer        string          `json:"officer"`
	At             time.Time       `json:"at"`
}

// PaperFilingRequest is what the office enters to start a paper filing.
type PaperFilingRequest struct {
	Organization   string                 `json:"organization"`
	Representative *RepresentativeRequest `json:"representative,omitempty"`
	ArrivedAt      *time.Time             `json:"arrivedAt"`
	Package        Package                `json:"package"`
}

// RepresentativeRequest is a representative as the office enters one.
type RepresentativeRequest struct {
	IIN              string           `json:"iin"`
	LetterOfAttorney LetterOfAttorney `json:"letterOfAttorney"`
}

// HandOverRequest is what the office enters when it hands a result over on paper.
type HandOverRequest struct {
	Document       string                 `json:"document"`             // the kind of the case's document (certificate, contract, survey_act, ...)
	ReceivedBy     string                 `json:"receivedBy,omitempty"` // the organisation's own person; or the representative's IIN below
	Representative *RepresentativeRequest `json:"representative,omitempty"`
}

// Limits of what the office enters.
const (
	maxPersonName   = 200
	maxLetterNumber = 64
	// maxQueueRecord is how long before the service start an arrival may be recorded: one
	// working day of the office at most.
	maxQueueRecord = 10 * time.Hour
)

// ruleOffice* are the paragraphs of the paper channel.
const (
	ruleOfficeDocuments = "standard §9"
	ruleOfficeHours     = "standard §8"
)

// requireOffice refuses every role but the office.
func requireOffice(actor identity.Actor, what string) error {
	if actor.Role != identity.Office {
		return apperr.Errorf(apperr.Forbidden, "", "%s: only the Committee's office registers paper filings and hands results over (standard §3)", what)
	}
	return nil
}

// onBehalf is the office acting for the organisation it registers a filing of: the content checks
// of a package read the organisation from the actor.
func onBehalf(actor identity.Actor, org string) identity.Actor {
	actor.BIN = org
	return actor
}

// registered asks the state registry for number (standard §9); an unknown one is a problem.
func (s *Service) registered(ctx context.Context, field, number string) (RegisteredOrganization, []Problem, error) {
	if err := ValidIdentityNumber(number); err != nil {
		return RegisteredOrganization{}, []Problem{{Field: field, Rule: ruleOfficeDocuments, Message: err.Error()}}, nil
	}
	if s.registry == nil {
		return RegisteredOrganization{}, nil, apperr.Errorf(apperr.Unavailable, "", "the state registry (e-government gateway) is not configured: the office cannot register paper filings")
	}
	org, err := s.registry.Organization(ctx, number)
	if apperr.KindOf(err) == apperr.NotFound || errors.Is(err, ErrNotFound) {
		return RegisteredOrganization{}, []Problem{{Field: field, Rule: ruleOfficeDocuments,
			Message: fmt.Sprintf("%s is not in the state registers the e-government gateway reads (state registration of a legal entity, an individual's identity document)", identity.Mask(number))}}, nil
	}
	if err != nil {
		return RegisteredOrganization{}, nil, fmt.Errorf("state registry: %w", err)
	}
	return org, nil, nil
}

// representative checks a representative's entry: the person from the state registry, the letter
// of attorney numbered, dated and valid on day (standard §9).
func (s *Service) representative(ctx context.Context, field string, in *RepresentativeRequest, day time.Time) (*Representative, []Problem, error) {
	if in == nil {
		return nil, nil, nil
	}
	person, ps, err := s.registered(ctx, field+".iin", in.IIN)
	if err != nil {
		return nil, nil, err
	}
	if len(ps) == 0 && !person.Individual {
		ps = append(ps, Problem{Field: field + ".iin", Rule: ruleOfficeDocuments, Message: "a representative is a person: give the IIN of the person who acts by the letter of attorney"})
	}
	l := in.LetterOfAttorney
	if n := strings.TrimSpace(l.Number); n == "" || len(n) > maxLetterNumber {
		ps = append(ps, Problem{Field: field + ".letterOfAttorney.number", Rule: ruleOfficeDocuments, Message: fmt.Sprintf("the letter of attorney's number, 1 to %d characters", maxLetterNumber)})
	} else if why := UnsafeTextProblem(n); why != "" {
		ps = append(ps, Problem{Field: field + ".letterOfAttorney.number", Rule: ruleOfficeDocuments, Message: "the letter of attorney's number: " + why})
	}
	issued, err1 := time.Parse(time.DateOnly, l.IssuedOn)
	until, err2 := time.Parse(time.DateOnly, l.ValidUntil)
	today := day.In(almatyOf(day)).Format(time.DateOnly)
	switch {
	case err1 != nil:
		ps = append(ps, Problem{Field: field + ".letterOfAttorney.issuedOn", Rule: ruleOfficeDocuments, Message: "the day the letter of attorney was issued, YYYY-MM-DD"})
	case err2 != nil:
		ps = append(ps, Problem{Field: field + ".letterOfAttorney.validUntil", Rule: ruleOfficeDocuments, Message: "the last day the letter of attorney is valid, YYYY-MM-DD"})
	case issued.Format(time.DateOnly) > today:
		ps = append(ps, Problem{Field: field + ".letterOfAttorney.issuedOn", Rule: ruleOfficeDocuments, Message: "the letter of attorney is dated after today"})
	case until.Before(issued) || until.Format(time.DateOnly) < today:
		ps = append(ps, Problem{Field: field + ".letterOfAttorney.validUntil", Rule: ruleOfficeDocuments,
			Message: fmt.Sprintf("the letter of attorney is no longer valid (valid until %s): the representative cannot act by it", l.ValidUntil)})
	}
	if len(ps) > 0 {
		return nil, ps, nil
	}
	return &Representative{Name: person.Name, IIN: person.Number, LetterOfAttorney: LetterOfAttorney{Number: strings.TrimSpace(l.Number), IssuedOn: l.IssuedOn, ValidUntil: l.ValidUntil}}, nil, nil
}

// almatyOf is Asia/Almaty, or t's own location if the zone database lacks it.
func almatyOf(t time.Time) *time.Location {
	if loc, err := time.LoadLocation("Asia/Almaty"); err == nil {
		return loc
	}
	return t.Location()
}

// inAcceptanceHours reports whether at is within the office's acceptance hours on a working day
// (standard §8): the office receives filings and hands results over only then.
func inAcceptanceHours(ed *policy.Edition, cal policy.Calendar, at time.Time) (bool, error) {
	received, err := ed.ReceivedAt(cal, at)
	if err != nil {
		return false, err
	}
	return received.Equal(at), nil
}

// officeHoursProblem is a problem when at is outside the acceptance hours (standard §8).
func (s *Service) officeHoursProblem(ed *policy.Edition, field string, at time.Time) (*Problem, error) {
	ok, err := inAcceptanceHours(ed, s.rules.cal, at)
	if err != nil {
		return nil, err
	}
	if ok {
		return nil, nil
	}
	o := ed.Office()
	var hours []string
	for _, w := range o.AcceptanceHours {
		hours = append(hours, w.From+"-"+w.To)
	}
	return &Problem{Field: field, Rule: o.Paragraph, Message: fmt.Sprintf("%s is outside the office's acceptance hours (%s Asia/Almaty, working days only): the office receives filings and hands results over only then",
		at.In(almatyOf(at)).Format("2006-01-02 15:04"), strings.Join(hours, ", "))}, nil
}

// officeLimits measures the filing against the standard's §4(2)-(3) limits: waiting from arrival
// to the start of service, and service from its start to the receipt mark (end).
func officeLimits(ed *policy.Edition, p PaperFiling, end time.Time) []OfficeLimit {
	o := ed.Office()
	var out []OfficeLimit
	add := func(l policy.OfficeLimit, what string, from, to time.Time) {
		if l.Minutes == 0 {
			return
		}
		took := int((to.Sub(from) + time.Minute - 1) / time.Minute)
		out = append(out, OfficeLimit{Paragraph: l.Paragraph, What: what, Minutes: l.Minutes, Took: took, Exceeded: to.Sub(from) > time.Duration(l.Minutes)*time.Minute})
	}
	add(o.QueueWait, "waiting in the queue", p.ArrivedAt, p.ServiceStartedAt)
	add(o.Service, "service", p.ServiceStartedAt, end)
	return out
}

// CreatePaperFiling starts a paper filing at the office: the draft of the organisation's package,
// kept apart from the organisation's own online drafts. Its service starts now; the person's
// arrival in the queue is the moment the office enters (standard §4(2)).
func (s *Service) CreatePaperFiling(ctx context.Context, actor identity.Actor, in PaperFilingRequest, now time.Time) (Draft, error) {
	if err := requireOffice(actor, "create paper filing"); err != nil {
		return Draft{}, err
	}
	if err := s.requireFiles(); err != nil {
		return Draft{}, err
	}
	ed, err := s.rules.edition(s.edition)
	if err != nil {
		return Draft{}, err
	}
	org, ps, err := s.registered(ctx, "organization", in.Organization)
	if err != nil {
		return Draft{}, fmt.Errorf("create paper filing: %w", err)
	}
	rep, rps, err := s.representative(ctx, "representative", in.Representative, now)
	if err != nil {
		return Draft{}, fmt.Errorf("create paper filing: %w", err)
	}
	ps = append(ps, rps...)
	switch {
	case in.ArrivedAt == nil:
		ps = append(ps, Problem{Field: "arrivedAt", Rule: "standard §4(2)", Message: "the moment the person joined the queue (RFC 3339) is required: the standard limits the wait"})
	case in.ArrivedAt.After(now):
		ps = append(ps, Problem{Field: "arrivedAt", Rule: "standard §4(2)", Message: "the arrival is after the start of service (now)"})
	case now.Sub(*in.ArrivedAt) > maxQueueRecord:
		ps = append(ps, Problem{Field: "arrivedAt", Rule: "standard §4(2)", Message: fmt.Sprintf("the arrival is more than %s before the start of service: record the arrival of today's visit", maxQueueRecord)})
	}
	hours, err := s.officeHoursProblem(ed, "serviceStartedAt", now)
	if err != nil {
		return Draft{}, fmt.Errorf("create paper filing: %w", err)
	}
	if hours != nil {
		ps = append(ps, *hours)
	}
	pkg := in.Package
	if pkg.Applicant.IdentityNumber == "" {
		pkg.Applicant.IdentityNumber = in.Organization
	}
	behalf := onBehalf(actor, in.Organization)
	if len(ps) == 0 {
		ps = append(ps, draftContent(behalf, pkg)...)
		named, err := s.namedObject(ctx, behalf, &pkg, false)
		if err != nil {
			return Draft{}, fmt.Errorf("create paper filing: %w", err)
		}
		ps = append(ps, named...)
	}
	if len(ps) > 0 {
		return Draft{}, &SubmissionRefused{Problems: ps}
	}
	id, err := newDraftID()
	if err != nil {
		return Draft{}, err
	}
	pkg.Documents = map[string]DocumentRef{}
	pkg.normalize()
	if err := draftSize(pkg); err != nil {
		return Draft{}, err
	}
	paper := &PaperFiling{Organization: org.Number, OrganizationName: org.Name, Representative: rep, ArrivedAt: in.ArrivedAt.UTC(),
		ServiceStartedAt: now.UTC(), RegisteredBy: actor.Name}
	paper.Limits = officeLimits(ed, *paper, now)
	d := Draft{ID: id, Organization: org.Number, Package: pkg, State: DraftOpen, Version: 1, CreatedBy: actor.Subject, CreatedAt: now.UTC(), UpdatedAt: now.UTC(), Paper: paper}
	if err := s.uploads.CreateDraft(ctx, d); err != nil {
		return Draft{}, fmt.Errorf("create paper filing %s: %w", id, err)
	}
	s.log.InfoContext(ctx, "paper filing started at the office", "draft", id, "actor", actor, "organization", identity.Mask(org.Number))
	return d, nil
}

// ReceivePaperFiling files a paper filing with the receipt mark: the date and time of receipt
// (now) and the receiving officer's full name (standard §9). The submission checks run as for an
// online filing, but no electronic signature is asked of paper documents; the service's limits of
// §4(2)-(3) are recorded with the time the service took. A repeated delivery files once.
func (s *Service) ReceivePaperFiling(ctx context.Context, actor identity.Actor, draftID string, now time.Time) (Case, error) {
	if err := requireOffice(actor, "receive paper filing"); err != nil {
		return Case{}, err
	}
	for attempt := 0; ; attempt++ {
		d, err := s.ownDraft(ctx, actor, draftID)
		if err != nil {
			return Case{}, err
		}
		if d.State == DraftSubmitted {
			c, err := s.store.Get(ctx, d.CaseID)
			if err != nil {
				return Case{}, fmt.Errorf("receive paper filing %s: case %s: %w", draftID, d.CaseID, err)
			}
			if err := s.start(ctx, c); err != nil {
				return Case{}, fmt.Errorf("receive paper filing %s: %w", draftID, err)
			}
			return c, nil
		}
		ed, err := s.rules.edition(s.edition)
		if err != nil {
			return Case{}, err
		}
		hours, err := s.officeHoursProblem(ed, "receipt", now)
		if err != nil {
			return Case{}, fmt.Errorf("receive paper filing %s: %w", draftID, err)
		}
		if hours != nil {
			return Case{}, &SubmissionRefused{Problems: []Problem{*hours}}
		}
		if rep := d.Paper.Representative; rep != nil && rep.LetterOfAttorney.ValidUntil < now.In(almatyOf(now)).Format(time.DateOnly) {
			return Case{}, &SubmissionRefused{Problems: []Problem{{Field: "representative.letterOfAttorney.validUntil", Rule: ruleOfficeDocuments,
				Message: fmt.Sprintf("the letter of attorney expired on %s, before the receipt", rep.LetterOfAttorney.ValidUntil)}}}
		}
		c, ev, err := s.prepare(ctx, onBehalf(actor, d.Organization), d.Package, now)
		if err != nil {
			return Case{}, err
		}
		paper := *d.Paper
		paper.Receipt = &ReceiptMark{Officer: actor.Name, OfficerSubject: actor.Subject, At: now.UTC()}
		paper.Limits = officeLimits(ed, paper, now)
		c.Paper = &paper
		ev.What = "application received at the office on paper, receipt marked by " + actor.Name
		d.State, d.CaseID, d.Version, d.UpdatedAt = DraftSubmitted, c.ID, d.Version+1, now.UTC()
		d.Paper = &paper
		err = s.uploads.SubmitDraft(ctx, d, c, ev)
		if errors.Is(err, ErrConflict) {
			s.discardPackage(ctx, c)
			if attempt < maxRetries {
				continue
			}
		}
		if err != nil {
			return Case{}, fmt.Errorf("receive paper filing %s: %w", draftID, err)
		}
		if err := s.start(ctx, c); err != nil {
			return Case{}, fmt.Errorf("receive paper filing %s: %w", draftID, err)
		}
		for _, l := range paper.Limits {
			if l.Exceeded {
				s.log.WarnContext(ctx, "office limit exceeded", "caseId", c.ID, "paragraph", l.Paragraph, "what", l.What, "took", l.Took, "limit", l.Minutes)
			}
		}
		s.log.InfoContext(ctx, "paper filing received at the office", "caseId", c.ID, "draft", draftID, "actor", actor)
		return c, nil
	}
}

// RecordHandOver records a result handed over on paper at the office: the case's latest document
// of the kind asked for, once the applicant may have it (sent), to the organisation's person or
// its representative by letter of attorney. Its moment is the applicant's receipt (ReceiptOf).
// Handing the same document to the same person again changes nothing.
func (s *Service) RecordHandOver(ctx context.Context, actor identity.Actor, caseID string, in HandOverRequest, now time.Time) (HandOver, error) {
	if err := requireOffice(actor, "record hand-over"); err != nil {
		return HandOver{}, err
	}
	var ps []Problem
	name := strings.TrimSpace(in.ReceivedBy)
	switch {
	case in.Representative == nil && (name == "" || len(name) > maxPersonName):
		ps = append(ps, Problem{Field: "receivedBy", Rule: ruleOfficeDocuments, Message: fmt.Sprintf("the full name of the person who receives it, 1 to %d characters (or a representative)", maxPersonName)})
	case in.Representative != nil && name != "":
		ps = append(ps, Problem{Field: "receivedBy", Rule: ruleOfficeDocuments, Message: "give the person who receives it or the representative, not both: a representative's name comes from the state registry"})
	case name != "" && UnsafeTextProblem(name) != "":
		ps = append(ps, Problem{Field: "receivedBy", Rule: ruleOfficeDocuments, Message: "the full name of the person who receives it: " + UnsafeTextProblem(name)})
	}
	if in.Document == "" || len(in.Document) > MaxDocumentIDLength || !documentKindShape(in.Document) {
		ps = append(ps, Problem{Field: "document", Rule: ruleOfficeDocuments, Message: "the kind of the case's document handed over (certificate, contract, survey_act, ...)"})
	}
	rep, rps, err := s.representative(ctx, "representative", in.Representative, now)
	if err != nil {
		return HandOver{}, fmt.Errorf("record hand-over of %s: %w", caseID, err)
	}
	if ps = append(ps, rps...); len(ps) > 0 {
		return HandOver{}, &SubmissionRefused{Problems: ps}
	}
	if rep != nil {
		name = rep.Name
	}
	for attempt := 0; ; attempt++ {
		c, err := s.store.Get(ctx, caseID)
		if err != nil {
			return HandOver{}, fmt.Errorf("record hand-over of %s: %w", caseID, err)
		}
		if c.Paper == nil {
			return HandOver{}, apperr.Errorf(apperr.NotFound, "case", "record hand-over of %s", caseID)
		}
		ed, err := s.rules.edition(c.Edition)
		if err != nil {
			return HandOver{}, err
		}
		hours, err := s.officeHoursProblem(ed, "at", now)
		if err != nil {
			return HandOver{}, fmt.Errorf("record hand-over of %s: %w", caseID, err)
		}
		if hours != nil {
			return HandOver{}, &SubmissionRefused{Problems: []Problem{*hours}}
		}
		view, _ := applicantView(c, nil)
		var doc *Document
		for i := range view.Documents {
			if view.Documents[i].Kind == in.Document {
				doc = &view.Documents[i]
			}
		}
		if doc == nil && in.Document == DocCertificate && c.Stage == StageIssued && c.Certificate != "" {
			// §28: the certificate, kept under Object Lock beside the register (issuing).
			cert := CertificateDocument(c.Certificate)
			doc = &cert
		}
		if doc == nil && in.Document == DocRecallDecision && s.registerHandOvers != nil {
			// §46: the copy of the recall decision, kept by the register.
			ds, err := s.registerHandOvers.Documents(ctx, c)
			if err != nil {
				return HandOver{}, fmt.Errorf("record hand-over of %s: %w", caseID, err)
			}
			for i := range ds {
				if ds[i].Kind == in.Document {
					doc = &ds[i]
				}
			}
		}
		if doc == nil {
			return HandOver{}, &SubmissionRefused{Problems: []Problem{{Field: "document", Rule: ruleOfficeDocuments,
				Message: fmt.Sprintf("case %s has no %s the applicant may receive yet (an act or a decision is handed over once sent)", caseID, clip(in.Document))}}}
		}
		for _, h := range c.HandOvers {
			if h.Document.Key == doc.Key && h.ReceivedBy == name {
				return h, nil
			}
		}
		h := HandOver{Document: *doc, ReceivedBy: name, Representative: rep, Officer: actor.Name, At: now.UTC()}
		c.HandOvers = append(c.HandOvers, h)
		c.Version++
		c.Events++
		ev := Event{Seq: c.Events, At: h.At, Actor: actor.Subject, Role: actor.Role, What: fmt.Sprintf(whatHandedOver+"%s to %s by %s", doc.Kind, name, actor.Name),
			Documents: []Document{*doc}}
		started, err := s.startAtHandOver(&c)
		if err != nil {
			return HandOver{}, fmt.Errorf("record hand-over of %s: %w", caseID, err)
		}
		if st := c.OpenStep; started {
			// The notice of the period's start goes in this write (Notices).
			ev.What += fmt.Sprintf("; the period of %s (%s) runs from the hand-over, due %s", st.Name, st.Paragraph, st.DueAt.Format(time.RFC3339))
		}
		written := false
		if s.registerHandOvers != nil && (doc.Kind == DocCertificate || doc.Kind == DocRecallDecision) {
			// §42, §46: the period the hand-over starts in the register, in this same write.
			written, err = s.registerHandOvers.HandOver(ctx, c, ev, h)
		}
		if !written && err == nil {
			err = s.store.Update(ctx, c, ev)
		}
		if errors.Is(err, ErrConflict) && attempt < maxRetries {
			continue
		}
		if err != nil {
			return HandOver{}, fmt.Errorf("record hand-over of %s: %w", caseID, err)
		}
		return h, nil
	}
}

// startAtHandOver starts the period of c's open step that waits for the hand-over of the
// document that opened it (§17: the contract; §31: the act sent with the decision), now that the
// hand-over is recorded on c: its due moment counts from the applicant's receipt, which ReceiptOf
// gives. It reports whether it started one.
func (s *Service) startAtHandOver(c *Case) (bool, error) {
	st := c.OpenStep
	if st == nil || st.Runs() {
		return false, nil
	}
	stage := Stage(st.Name)
	start, ok := receiptStart(*c, stage, st.OpenedAt)
	if !ok {
		return false, nil // another document was handed over
	}
	due, err := s.rules.due(*c, stage, start)
	if err != nil {
		return false, fmt.Errorf("the period of %s from the hand-over: %w", st.Name, err)
	}
	next := *st
	handed := start.UTC()
	next.AwaitsHandOver, next.HandedOverAt = false, &handed
	next.DueAt, next.Paragraph, next.Provisional = due.At, due.Paragraph, due.Provisional
	c.OpenStep = &next
	return true, nil
}

// ReceiptOf is the one answer to when the applicant received a document sent to it, wherever the
// Rules count a period from receipt (§17, §31, §42, §46): a paper case's recorded hand-over at
// the office, the first of that document; otherwise the moment it was sent (online, the moment
// the notification is recorded in the applicant's cabinet, in the transaction that sends it).
// ok is false when a paper case's document has not been handed over yet: the period has not
// started.
func ReceiptOf(c Case, d Document, sent time.Time) (at time.Time, ok bool) {
	if c.Paper == nil {
		return ReceivedAt(SentOnline(sent))
	}
	s := Sending{Channel: ChannelOffice, SentAt: sent}
	for _, h := range c.HandOvers {
		if h.Document.Key == d.Key {
			handed := h.At
			s.HandedOverAt = &handed
			break
		}
	}
	return ReceivedAt(s) // receipt.go: the one rule of receipt
}

// officeActs reports whether actor is the office acting for the applicant of a paper case: it
// completes the applicant's steps with the papers the applicant brings (standard §3: applications
// and results pass through the office), and never a step of the authority or the STS.
func officeActs(actor identity.Actor, c Case, role identity.Role) bool {
	return actor.Role == identity.Office && c.Paper != nil && role == identity.Applicant
}

// paperSignature refuses an electronic signature declared with the office's upload: the office
// uploads scans of paper documents, which carry the signature and seal on paper (standard §9).
func paperSignature(actor identity.Actor, in UploadRequest) *Problem {
	if actor.Role != identity.Office || in.Signature == "" {
		return nil
	}
	return &Problem{Field: "signature", Rule: ruleOfficeDocuments,
		Message: "a scan of a paper document carries its signature and seal on paper: the office declares no electronic signature"}
}

// documentKindShape: a document's kind is a policy identifier, lower-case letters, digits and
// underscores (certificate, survey_act, annex3_01).
func documentKindShape(kind string) bool {
	for _, r := range kind {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return kind != ""
}
