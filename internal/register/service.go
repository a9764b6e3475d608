package register

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"attestation/internal/attestation"
	"attestation/internal/identity"
	"attestation/internal/policy"
)

// Life after the certificate (§40-§48): the owner's notices (monitoring connection §42, changes
// §43, loss or damage §48, cessation of operation), the authority's decisions (re-attestation
// §44 and §47, recall §45 with the copy of the decision §46, the return §46, the duplicate §48),
// and the deadline check's watch over every period. Each change of an entry is a signed revision
// written conditionally on the revision it was made from.

// The recall grounds of §45 the service treats apart (the policy's ids).
const (
	GroundNotReattested     = "not_reattested"     // §45(1): not attested again after expiry (§41)
	GroundChangedConditions = "changed_conditions" // §45(4): changed conditions of functioning (mandatory objects)
	GroundOperationCeased   = "operation_ceased"   // §45(5): operation ceased (mandatory objects); the termination mark
)

// platformKind is the policy's kind of the e-government platform: one-year certificates (§40)
// and §47.
const platformKind = "egov_platform"

// The authority's decisions on a change notice (§44).
const (
	ReattestationRequired    = "reattestation_required"
	ReattestationNotRequired = "not_required"
)

// The reasons of a notice of loss or damage (§48: "loss, deterioration or damage").
const (
	DuplicateLost    = "lost"
	DuplicateDamaged = "damaged"
)

// Limits of what a notice or a decision carries.
const (
	MaxListPage       = 100   // the most certificates, or certificates with obligations, one page holds
	maxReasons        = 50    // reasons of a decision
	maxReasonLength   = 4000  // bytes of one reason
	maxDescription    = 20000 // bytes of a description of changes (§43)
	maxIDLength       = 16    // a change notice's or duplicate request's ID
	writeAttempts     = 8     // re-reads of an entry that another writer moved
	checkBatch        = 100   // entries the deadline check reads at a time
	checkRounds       = 50    // batches the deadline check reads in one run at most
	obligationPages   = 10    // store pages one page of obligations reads at most
	reattestedPages   = 5     // pages of the owner's certificates read to find a new certificate of an expired one's object
	decisionKeyPrefix = "register/"
)

var (
	// ErrCertificateNotFound: no such certificate, or (for an applicant) another organisation's.
	ErrCertificateNotFound = fmt.Errorf("no such certificate: %w", attestation.ErrNotFound)
	// ErrChangeNotFound: the certificate has no change notice with this ID.
	ErrChangeNotFound = fmt.Errorf("no such change notice: %w", attestation.ErrNotFound)
	// ErrDuplicateNotFound: the certificate has no duplicate request with this ID.
	ErrDuplicateNotFound = fmt.Errorf("no such duplicate request: %w", attestation.ErrNotFound)
)

// Cessation is the owner's notice that the object's operation ceased: the authority recalls on
// §45(5) and the register marks the entry terminated.
type Cessation struct {
	CeasedOn   string    `json:"ceasedOn"`   // YYYY-MM-DD, as the owner notified it
	NotifiedAt time.Time `json:"notifiedAt"` // when the notice reached the authority
}

// CertificateQuery selects certificates to list: an owner's (gsi1) or the whole register's, of
// one status or any.
type CertificateQuery struct {
	OwnerBIN string
	Status   Status
}

// LifeStore keeps the entries (dynamostore.Store).
type LifeStore interface {
	// Entry reads an entry, strongly consistent; attestation.ErrNotFound if there is none.
	Entry(ctx context.Context, number string) (Entry, error)
	// PutEntry writes e as revision rev, conditional on the stored entry being at the revision
	// before; attestation.ErrConflict if it moved.
	PutEntry(ctx context.Context, e Entry, rev Revision) error
	// Revisions is an entry's history, oldest first.
	Revisions(ctx context.Context, number string) ([]Revision, error)
	// DueEntries answers up to limit entries whose NextCheck is at or before before, earliest
	// first (an index query, never a scan).
	DueEntries(ctx context.Context, before time.Time, limit int) ([]Entry, error)
	// WatchedEntries answers a page of the entries that are Watched, earliest NextCheck first
	// and then those with nothing left to flag.
	WatchedEntries(ctx context.Context, limit int, cursor string) ([]Entry, string, error)
	// ListEntries answers a page of the certificates q selects, newest number first. A cursor it
	// did not issue is attestation.ErrBadCursor.
	ListEntries(ctx context.Context, q CertificateQuery, limit int, cursor string) ([]Entry, string, error)
}

// DecisionRecords stores the copies of decisions in the Object Lock bucket (s3store.Records): a
// key is written once; the same bytes again answer the version stored.
type DecisionRecords interface {
	Put(ctx context.Context, key, contentType string, body []byte) (attestation.Document, error)
}

// RecallCopy is what the copy of a recall decision sent to the owner says (§45, §46). Its fields
// are those of certificate.RecallDecision, which renders it.
type RecallCopy struct {
	Certificate     string
	ObjectName      string
	OwnerName       string
	OwnerBIN        string
	Ground          string
	Paragraph       string
	Reasons         []string
	ChangeID        string
	DecidedAt       time.Time
	DecidedBy       string
	ReturnDueAt     time.Time
	ReturnParagraph string
	Terminated      bool
}

// DecisionRenderer renders the copy of a recall decision as a PDF (certificate.RenderRecallDecision).
type DecisionRenderer func(RecallCopy) ([]byte, error)

// Duplicator makes a duplicate of a certificate (§48): the certificate rendered again from its
// data, marked a duplicate, stored under Object Lock.
type Duplicator interface {
	Duplicate(ctx context.Context, e Entry, req DuplicateRequest, at time.Time) (Document, error)
}

// Service keeps the register's entries through life after the certificate.
type Service struct {
	store      LifeStore
	signer     Signer
	cal        policy.Calendar
	log        *slog.Logger
	records    DecisionRecords
	render     DecisionRenderer
	duplicator Duplicator
}

// Deps are the ports a Service is built on; every one is required.
type Deps struct {
	Store    LifeStore       // the register's entries and their revisions
	Signer   Signer          // signs every revision (§29)
	Calendar policy.Calendar // the working-day calendar the periods are counted on
	Log      *slog.Logger
	Records  DecisionRecords  // where the decisions of recall and their copies are kept (§46)
	Render   DecisionRenderer // renders the copy of a recall decision sent to the owner (§46)
	// Duplicator makes duplicates (§48): the issuing service, which renders the certificate
	// again from its data and keeps it under Object Lock.
	Duplicator Duplicator
}

// NewService returns the service on d, or an error naming the first port d lacks.
func NewService(d Deps) (*Service, error) {
	for _, p := range []struct {
		name    string
		missing bool
	}{
		{"Store", d.Store == nil}, {"Signer", d.Signer == nil}, {"Calendar", d.Calendar == nil}, {"Log", d.Log == nil},
		{"Records", d.Records == nil}, {"Render", d.Render == nil}, {"Duplicator", d.Duplicator == nil},
	} {
		if p.missing {
			return nil, fmt.Errorf("register service: %s is required", p.name)
		}
	}
	return &Service{store: d.Store, signer: d.Signer, cal: d.Calendar, log: d.Log, records: d.Records, render: d.Render,
		duplicator: d.Duplicator}, nil
}

// Number is the certificate number of the URL's {year} (four digits) and {seq} (digits; leading
// zeros may be left out), in the policy's numbering (2026/00001); anything else is
// attestation.ErrInvalid.
func (s *Service) Number(year, seq string) (string, error) {
	ed, err := policy.Load(policy.Default())
	if err != nil {
		return "", err
	}
	y, yerr := strconv.Atoi(year)
	n, nerr := strconv.Atoi(seq)
	switch {
	case len(year) != 4 || yerr != nil || strings.TrimLeft(year, "0123456789") != "":
		return "", fmt.Errorf("year: %q is not a year of four digits: %w", year, attestation.ErrInvalid)
	case seq == "" || len(seq) > 9 || nerr != nil || strings.TrimLeft(seq, "0123456789") != "":
		return "", fmt.Errorf("seq: %q is not a certificate's sequence number (digits): %w", seq, attestation.ErrInvalid)
	}
	number, err := ed.CertificateNumber(y, n)
	if err != nil {
		return "", fmt.Errorf("seq: %v: %w", err, attestation.ErrInvalid)
	}
	return number, nil
}

// Get reads an entry in full: an applicant its own organisation's (another's is
// ErrCertificateNotFound, like a missing one), staff any.
func (s *Service) Get(ctx context.Context, actor identity.Actor, number string) (Entry, error) {
	if actor.Role != identity.Applicant && actor.Role != identity.Authority && actor.Role != identity.STS {
		return Entry{}, fmt.Errorf("certificate %s: the %s reads no certificates: %w", number, actor.Role, attestation.ErrForbidden)
	}
	e, err := s.read(ctx, number)
	if err != nil {
		return Entry{}, err
	}
	if actor.Role == identity.Applicant && !owns(actor, e) {
		return Entry{}, fmt.Errorf("certificate %s: %w", number, ErrCertificateNotFound)
	}
	return e, nil
}

// History is an entry's signed revisions, oldest first.
func (s *Service) History(ctx context.Context, number string) ([]Revision, error) {
	revs, err := s.store.Revisions(ctx, number)
	if errors.Is(err, attestation.ErrNotFound) {
		return nil, fmt.Errorf("certificate %s: %w", number, ErrCertificateNotFound)
	}
	return revs, err
}

// List answers a page of certificates, newest number first: an applicant its own
// organisation's (naming another is ErrForbidden), the authority any organisation's or the
// whole register, of one status or all.
func (s *Service) List(ctx context.Context, actor identity.Actor, q CertificateQuery, limit int, cursor string) ([]Entry, string, error) {
	switch actor.Role {
	case identity.Applicant:
		if q.OwnerBIN != "" && q.OwnerBIN != actor.BIN {
			return nil, "", fmt.Errorf("list certificates: an applicant lists only its own organisation's: %w", attestation.ErrForbidden)
		}
		q.OwnerBIN = actor.BIN
	case identity.Authority:
	default:
		return nil, "", fmt.Errorf("list certificates: the %s lists no certificates: %w", actor.Role, attestation.ErrForbidden)
	}
	if q.Status != "" && !slices.Contains([]Status{Valid, Recalled, Expired, Terminated}, q.Status) {
		return nil, "", fmt.Errorf("list certificates: status %q: want valid, recalled, expired or terminated: %w", q.Status, attestation.ErrInvalid)
	}
	if limit <= 0 || limit > MaxListPage {
		limit = MaxListPage
	}
	list, next, err := s.store.ListEntries(ctx, q, limit, cursor)
	if err != nil {
		return nil, "", fmt.Errorf("list certificates: %w", err)
	}
	return list, next, nil
}

// NotifyMonitoring records the owner's notice that the object is connected to the information
// security monitoring system (§42). Only a certificate that carries the obligation takes it
// (mandatory objects other than the e-government platform); a repeat answers the first notice.
func (s *Service) NotifyMonitoring(ctx context.Context, actor identity.Actor, number string, now time.Time) (Entry, error) {
	if err := applicantOnly(actor, "notify the monitoring connection"); err != nil {
		return Entry{}, err
	}
	return s.change(ctx, actor, number, now, ownerOf, func(e *Entry, ed *policy.Edition) (string, string, error) {
		paragraph := periodParagraph(ed, policy.StepMonitoringConnection, "§42")
		m := e.Monitoring
		if m == nil {
			return "", "", fmt.Errorf("%s: certificate %s carries no obligation to connect to the monitoring system (mandatory objects other than the e-government platform only): %w",
				paragraph, e.Number, attestation.ErrRule)
		}
		if m.ConnectedAt != nil {
			return "", "", nil
		}
		if err := inForce(e, paragraph, "the connection to the monitoring system is notified"); err != nil {
			return "", "", err
		}
		at := now.UTC()
		m.ConnectedAt = &at
		what := "the owner notified the connection to the information security monitoring system"
		if m.Overdue || now.After(m.DueAt) {
			what += fmt.Sprintf(" (after its due moment %s)", m.DueAt.UTC().Format(time.RFC3339))
		}
		return what, paragraph, nil
	})
}

// ChangeInput is the owner's notice of changes (§43).
type ChangeInput struct {
	// Description describes all changes made (§43).
	Description string `json:"description"`
	// ServiceSoftwareOnly: the change introduces or changes a service software product only (§47).
	ServiceSoftwareOnly bool `json:"serviceSoftwareOnly"`
}

// NotifyChange records the owner's notice of changes with its description of all changes (§43);
// the authority decides on re-attestation within 3 working days of the office's receipt (§44).
// The same notice again, while the first is undecided, answers the first.
func (s *Service) NotifyChange(ctx context.Context, actor identity.Actor, number string, in ChangeInput, now time.Time) (Entry, ChangeNotice, error) {
	if err := applicantOnly(actor, "notify changes"); err != nil {
		return Entry{}, ChangeNotice{}, err
	}
	desc := strings.TrimSpace(in.Description)
	switch {
	case desc == "":
		return Entry{}, ChangeNotice{}, refused("description", "§43", "the notice describes all changes made; it is empty")
	case len(desc) > maxDescription:
		return Entry{}, ChangeNotice{}, refused("description", "§43", fmt.Sprintf("longer than %d bytes", maxDescription))
	}
	var notice ChangeNotice
	e, err := s.change(ctx, actor, number, now, ownerOf, func(e *Entry, ed *policy.Edition) (string, string, error) {
		for _, c := range e.Changes {
			if c.DecidedAt == nil && c.Description == desc && c.ServiceSoftwareOnly == in.ServiceSoftwareOnly {
				notice = c
				return "", "", nil
			}
		}
		if err := inForce(e, "§43", "a change is notified"); err != nil {
			return "", "", err
		}
		due, err := ed.Due(s.cal, policy.StepChangeDecision, now)
		if err != nil {
			return "", "", fmt.Errorf("due moment of the decision on changes: %w", err)
		}
		notice = ChangeNotice{ID: fmt.Sprintf("c%d", len(e.Changes)+1), Description: desc, ServiceSoftwareOnly: in.ServiceSoftwareOnly,
			ReceivedAt: due.From.UTC(), DueAt: due.At.UTC()}
		e.Changes = append(e.Changes, notice)
		return fmt.Sprintf("the owner notified changes (%s); the authority decides on re-attestation by %s", notice.ID, notice.DueAt.Format(time.RFC3339)),
			due.Paragraph, nil
	})
	if err != nil {
		return Entry{}, ChangeNotice{}, err
	}
	return e, notice, nil
}

// ChangeDecision is the authority's decision on a change notice (§44).
type ChangeDecision struct {
	Decision string   `json:"decision"` // reattestation_required | not_required
	Reasons  []string `json:"reasons"`
}

// DecideChange records the authority's decision on re-attestation after a change notice (§44).
// A change of a service software product only never recalls the e-government platform's
// certificate (§47), so re-attestation is not required for it. The same decision again answers
// the first; another decision of a decided notice is ErrConflict.
func (s *Service) DecideChange(ctx context.Context, actor identity.Actor, number, changeID string, in ChangeDecision, now time.Time) (Entry, ChangeNotice, error) {
	if err := authorityOnly(actor, "decide on re-attestation"); err != nil {
		return Entry{}, ChangeNotice{}, err
	}
	var problems []attestation.Problem
	if in.Decision != ReattestationRequired && in.Decision != ReattestationNotRequired {
		problems = append(problems, attestation.Problem{Field: "decision", Rule: "§44",
			Message: fmt.Sprintf("%q: want %s or %s", in.Decision, ReattestationRequired, ReattestationNotRequired)})
	}
	reasons, ps := checkReasons(in.Reasons, "§44")
	if problems = append(problems, ps...); len(problems) > 0 {
		return Entry{}, ChangeNotice{}, &attestation.SubmissionRefused{Problems: problems}
	}
	if !wellFormedID(changeID, 'c') {
		return Entry{}, ChangeNotice{}, fmt.Errorf("change notice %q: %w", changeID, ErrChangeNotFound)
	}
	var notice ChangeNotice
	e, err := s.change(ctx, actor, number, now, anyCertificate, func(e *Entry, ed *policy.Edition) (string, string, error) {
		i := slices.IndexFunc(e.Changes, func(c ChangeNotice) bool { return c.ID == changeID })
		if i < 0 {
			return "", "", fmt.Errorf("change notice %s of certificate %s: %w", changeID, e.Number, ErrChangeNotFound)
		}
		c := &e.Changes[i]
		paragraph := periodParagraph(ed, policy.StepChangeDecision, "§43, §44")
		if c.DecidedAt != nil {
			notice = *c
			if c.Decision == in.Decision {
				return "", "", nil
			}
			return "", "", fmt.Errorf("%s: change notice %s was decided %s at %s: %w", paragraph, c.ID, c.Decision, c.DecidedAt.Format(time.RFC3339), attestation.ErrConflict)
		}
		if in.Decision == ReattestationRequired && c.ServiceSoftwareOnly && e.ObjectKind == platformKind {
			return "", "", fmt.Errorf("§47: change notice %s changes a service software product only, which does not entail the recall of the e-government platform's certificate; re-attestation cannot be required for it: %w",
				c.ID, attestation.ErrRule)
		}
		if err := inForce(e, paragraph, "a change notice is decided"); err != nil {
			return "", "", err
		}
		at := now.UTC()
		c.Decision, c.Reasons, c.DecidedAt = in.Decision, reasons, &at
		notice = *c
		what := fmt.Sprintf("the authority decided on change notice %s: %s", c.ID, c.Decision)
		if c.Overdue || now.After(c.DueAt) {
			what += fmt.Sprintf(" (after its due moment %s)", c.DueAt.Format(time.RFC3339))
		}
		return what, paragraph, nil
	})
	if err != nil {
		return Entry{}, ChangeNotice{}, err
	}
	return e, notice, nil
}

// RecallInput is the authority's decision to recall a certificate (§45).
type RecallInput struct {
	Ground  string   `json:"ground"` // a recall ground of the policy (§45(1)-(5))
	Reasons []string `json:"reasons"`
	// ChangeID names the change notice a recall on changed conditions rests on (§45(4));
	// required for the e-government platform, so that §47 is applied.
	ChangeID string `json:"changeId,omitempty"`
}

// Recall recalls a certificate on a ground of §45 that applies to the object's kind (grounds 4
// and 5 to the mandatory objects of §5 only): ground 1 only once the certificate has expired and
// the object was not attested again (§41); grounds 2-4 a certificate in force; ground 5 marks the
// entry terminated. The copy of the decision, delivered to the owner through the API at the
// decision, is stored under Object Lock; the certificate is to be returned within 3 working days
// of it (§46). A recall on a service software change never recalls the e-government platform's
// certificate (§47). The same recall again answers the first; another is ErrConflict.
func (s *Service) Recall(ctx context.Context, actor identity.Actor, number string, in RecallInput, now time.Time) (Entry, error) {
	if err := authorityOnly(actor, "recall a certificate"); err != nil {
		return Entry{}, err
	}
	var problems []attestation.Problem
	if strings.TrimSpace(in.Ground) == "" {
		problems = append(problems, attestation.Problem{Field: "ground", Rule: "§45", Message: "required: a recall ground of §45"})
	}
	reasons, ps := checkReasons(in.Reasons, "§45")
	problems = append(problems, ps...)
	if in.ChangeID != "" && !wellFormedID(in.ChangeID, 'c') {
		problems = append(problems, attestation.Problem{Field: "changeId", Rule: "§45(4)", Message: fmt.Sprintf("%q is not a change notice's ID (c1, c2, ...)", in.ChangeID)})
	}
	if len(problems) > 0 {
		return Entry{}, &attestation.SubmissionRefused{Problems: problems}
	}
	return s.change(ctx, actor, number, now, anyCertificate, func(e *Entry, ed *policy.Edition) (string, string, error) {
		if r := e.Recall; r != nil {
			if r.Ground == in.Ground && r.ChangeID == in.ChangeID {
				return "", "", nil
			}
			return "", "", fmt.Errorf("%s: certificate %s was recalled on %s at %s: %w", r.Paragraph, e.Number, r.Ground, r.DecidedAt.Format(time.RFC3339), attestation.ErrConflict)
		}
		g, err := s.ground(ctx, e, ed, in)
		if err != nil {
			return "", "", err
		}
		due, err := ed.Due(s.cal, policy.StepCertificateReturn, now)
		if err != nil {
			return "", "", fmt.Errorf("due moment of the return: %w", err)
		}
		r := &Recall{Ground: g.ID, Number: g.Number, Paragraph: g.Paragraph, Reasons: reasons, ChangeID: in.ChangeID,
			DecidedAt: now.UTC(), ReturnDueAt: due.At.UTC()}
		doc, pdf, err := s.decisionCopy(ctx, *e, g, r, due.Paragraph, actor)
		if err != nil {
			return "", "", err
		}
		r.Decision, r.DecisionPDF = &doc, pdf
		e.Recall = r
		what := fmt.Sprintf("recalled on %s (%s); the certificate is returned by %s (%s)", g.ID, g.Paragraph, r.ReturnDueAt.Format(time.RFC3339), due.Paragraph)
		if g.ID == GroundOperationCeased {
			at := now.UTC()
			e.Status, e.TerminatedAt = Terminated, &at
			what = fmt.Sprintf("recalled on %s (%s) and marked terminated; the certificate is returned by %s (%s)", g.ID, g.Paragraph, r.ReturnDueAt.Format(time.RFC3339), due.Paragraph)
		} else {
			e.Status = Recalled
		}
		return what, g.Paragraph + ", " + due.Paragraph, nil
	})
}

// ground checks that in's ground applies to e now and returns it.
func (s *Service) ground(ctx context.Context, e *Entry, ed *policy.Edition, in RecallInput) (policy.RecallGround, error) {
	var g policy.RecallGround
	var known []string
	for _, x := range ed.RecallGrounds() {
		known = append(known, x.ID)
		if x.ID == in.Ground {
			g = x
		}
	}
	if g.ID == "" {
		return g, refused("ground", "§45", fmt.Sprintf("%q is not a recall ground of §45 (known: %s)", in.Ground, strings.Join(known, ", ")))
	}
	applicable, err := ed.RecallGroundsFor(e.ObjectKind)
	if err != nil {
		return g, fmt.Errorf("recall grounds of %s: %w", e.ObjectKind, err)
	}
	if !slices.ContainsFunc(applicable, func(x policy.RecallGround) bool { return x.ID == g.ID }) {
		return g, fmt.Errorf("%s concerns the mandatory objects of §5; certificate %s is of a %s, attested at the owner's initiative (§6): %w",
			g.Paragraph, e.Number, e.ObjectKind, attestation.ErrRule)
	}
	if in.ChangeID != "" && g.ID != GroundChangedConditions {
		return g, refused("changeId", g.Paragraph, "a change notice is named only with a recall on changed conditions ("+GroundChangedConditions+")")
	}
	switch g.ID {
	case GroundNotReattested:
		if e.Status != Expired {
			return g, fmt.Errorf("%s: a certificate is recalled for not being attested again only after it expired (§41); certificate %s is %s: %w",
				g.Paragraph, e.Number, e.Status, attestation.ErrRule)
		}
		again, err := s.attestedAgain(ctx, *e)
		if err != nil {
			return g, err
		}
		if again != "" {
			return g, fmt.Errorf("%s: the object was attested again after certificate %s expired (§41): certificate %s: %w", g.Paragraph, e.Number, again, attestation.ErrRule)
		}
	case GroundOperationCeased:
		if e.Status != Valid && e.Status != Expired {
			return g, fmt.Errorf("%s: certificate %s is %s: %w", g.Paragraph, e.Number, e.Status, attestation.ErrRule)
		}
	default:
		if err := inForce(e, g.Paragraph, "it is recalled on this ground"); err != nil {
			return g, err
		}
	}
	if g.ID == GroundChangedConditions {
		if in.ChangeID == "" && e.ObjectKind == platformKind {
			return g, refused("changeId", "§47", "a recall of the e-government platform's certificate on changed conditions names the change notice it rests on, so that §47 is applied")
		}
		if in.ChangeID != "" {
			i := slices.IndexFunc(e.Changes, func(c ChangeNotice) bool { return c.ID == in.ChangeID })
			if i < 0 {
				return g, refused("changeId", g.Paragraph, fmt.Sprintf("certificate %s has no change notice %s", e.Number, in.ChangeID))
			}
			if c := e.Changes[i]; c.ServiceSoftwareOnly && e.ObjectKind == platformKind {
				return g, fmt.Errorf("§47: change notice %s introduces or changes a service software product only, which does not entail the recall of the e-government platform's certificate: %w",
					c.ID, attestation.ErrRule)
			}
		}
	}
	return g, nil
}

// attestedAgain is the number of a certificate in force issued for e's object after e, or "".
// The object is the same when both name its ID, else when kind and name agree.
func (s *Service) attestedAgain(ctx context.Context, e Entry) (string, error) {
	cursor := ""
	for range reattestedPages {
		list, next, err := s.store.ListEntries(ctx, CertificateQuery{OwnerBIN: e.OwnerBIN, Status: Valid}, MaxListPage, cursor)
		if err != nil {
			return "", fmt.Errorf("certificates of the owner of %s: %w", e.Number, err)
		}
		for _, x := range list {
			same := x.ObjectID != "" && x.ObjectID == e.ObjectID
			if x.ObjectID == "" || e.ObjectID == "" {
				same = x.ObjectKind == e.ObjectKind && strings.EqualFold(strings.TrimSpace(x.ObjectName), strings.TrimSpace(e.ObjectName))
			}
			if same && x.Number != e.Number && x.IssuedAt.After(e.IssuedAt) {
				return x.Number, nil
			}
		}
		if cursor = next; cursor == "" {
			break
		}
	}
	return "", nil
}

// decisionCopy stores the copy of the recall decision sent to the owner (§46) under Object Lock.
// The key carries the ground and the moment, so a decision that was stored but never entered
// (a write lost to another) blocks no other.
func (s *Service) decisionCopy(ctx context.Context, e Entry, g policy.RecallGround, r *Recall, returnParagraph string, actor identity.Actor) (Document, *Document, error) {
	body, err := json.MarshalIndent(struct {
		Decision        string    `json:"decision"`
		Certificate     string    `json:"certificate"`
		ObjectName      string    `json:"objectName"`
		ObjectKind      string    `json:"objectKind"`
		OwnerName       string    `json:"ownerName"`
		OwnerBIN        string    `json:"ownerBin"`
		Ground          string    `json:"ground"`
		Paragraph       string    `json:"paragraph"`
		GroundText      string    `json:"groundText"`
		Reasons         []string  `json:"reasons"`
		ChangeID        string    `json:"changeId,omitempty"`
		DecidedAt       time.Time `json:"decidedAt"`
		DecidedBy       string    `json:"decidedBy"`
		ReturnDueAt     time.Time `json:"returnDueAt"`
		ReturnParagraph string    `json:"returnParagraph"`
		Terminated      bool      `json:"terminated"`
	}{"recall", e.Number, e.ObjectName, e.ObjectKind, e.OwnerName, e.OwnerBIN, g.ID, g.Paragraph, g.Text, r.Reasons, r.ChangeID,
		r.DecidedAt, actorName(actor), r.ReturnDueAt, returnParagraph, g.ID == GroundOperationCeased}, "", "  ")
	if err != nil {
		return Document{}, nil, fmt.Errorf("encode the recall decision of %s: %w", e.Number, err)
	}
	base := fmt.Sprintf("%s%s/recall-%s-%s", decisionKeyPrefix, e.Number, g.ID, r.DecidedAt.UTC().Format("20060102T150405.000Z"))
	doc, err := s.records.Put(ctx, base+".json", "application/json", body)
	if err != nil {
		return Document{}, nil, fmt.Errorf("store the recall decision of %s: %w", e.Number, err)
	}
	data := Document{Key: doc.Key, VersionID: doc.VersionID, SHA256: doc.SHA256}
	// The copy the owner reads (§46). A repeated delivery renders the same bytes (the renderer is
	// deterministic) and so gets the version already stored.
	pdf, err := s.render(RecallCopy{Certificate: e.Number, ObjectName: e.ObjectName, OwnerName: e.OwnerName, OwnerBIN: e.OwnerBIN,
		Ground: g.ID, Paragraph: g.Paragraph, Reasons: r.Reasons, ChangeID: r.ChangeID, DecidedAt: r.DecidedAt, DecidedBy: actor.Name, // a token without a name prints no line, never its subject ID
		ReturnDueAt: r.ReturnDueAt, ReturnParagraph: returnParagraph, Terminated: g.ID == GroundOperationCeased})
	if err != nil {
		return Document{}, nil, fmt.Errorf("render the copy of the recall decision of %s: %w", e.Number, err)
	}
	copyDoc, err := s.records.Put(ctx, base+".pdf", "application/pdf", pdf)
	if err != nil {
		return Document{}, nil, fmt.Errorf("store the copy of the recall decision of %s: %w", e.Number, err)
	}
	return data, &Document{Key: copyDoc.Key, VersionID: copyDoc.VersionID, SHA256: copyDoc.SHA256}, nil
}

// RecordReturn records that the recalled certificate came back to the authority (§46). A repeat
// answers the first record.
func (s *Service) RecordReturn(ctx context.Context, actor identity.Actor, number string, now time.Time) (Entry, error) {
	if err := authorityOnly(actor, "record the return of a certificate"); err != nil {
		return Entry{}, err
	}
	return s.change(ctx, actor, number, now, anyCertificate, func(e *Entry, ed *policy.Edition) (string, string, error) {
		paragraph := periodParagraph(ed, policy.StepCertificateReturn, "§46")
		r := e.Recall
		if r == nil {
			return "", "", fmt.Errorf("%s: certificate %s is not recalled; only a recalled certificate is returned: %w", paragraph, e.Number, attestation.ErrRule)
		}
		if r.ReturnedAt != nil {
			return "", "", nil
		}
		at := now.UTC()
		r.ReturnedAt = &at
		what := "the recalled certificate was returned"
		if r.ReturnOverdue || now.After(r.ReturnDueAt) {
			what += fmt.Sprintf(" (after its due moment %s)", r.ReturnDueAt.Format(time.RFC3339))
		}
		return what, paragraph, nil
	})
}

// DuplicateInput is the owner's notice of loss or damage (§48).
type DuplicateInput struct {
	Reason string `json:"reason"` // lost | damaged
}

// RequestDuplicate records the owner's notice of loss or damage; the authority issues a
// duplicate within 5 working days of the office's receipt (§48). One request is pending at a
// time: the same again answers it, another reason is ErrConflict.
func (s *Service) RequestDuplicate(ctx context.Context, actor identity.Actor, number string, in DuplicateInput, now time.Time) (Entry, DuplicateRequest, error) {
	if err := applicantOnly(actor, "ask for a duplicate"); err != nil {
		return Entry{}, DuplicateRequest{}, err
	}
	if in.Reason != DuplicateLost && in.Reason != DuplicateDamaged {
		return Entry{}, DuplicateRequest{}, refused("reason", "§48", fmt.Sprintf("%q: want %s or %s", in.Reason, DuplicateLost, DuplicateDamaged))
	}
	var req DuplicateRequest
	e, err := s.change(ctx, actor, number, now, ownerOf, func(e *Entry, ed *policy.Edition) (string, string, error) {
		paragraph := periodParagraph(ed, policy.StepDuplicate, "§48")
		for _, d := range e.Duplicates {
			if d.IssuedAt == nil {
				req = d
				if d.Reason == in.Reason {
					return "", "", nil
				}
				return "", "", fmt.Errorf("%s: duplicate request %s (%s) is pending: %w", paragraph, d.ID, d.Reason, attestation.ErrConflict)
			}
		}
		if err := inForce(e, paragraph, "a duplicate is issued"); err != nil {
			return "", "", err
		}
		due, err := ed.Due(s.cal, policy.StepDuplicate, now)
		if err != nil {
			return "", "", fmt.Errorf("due moment of the duplicate: %w", err)
		}
		req = DuplicateRequest{ID: fmt.Sprintf("d%d", len(e.Duplicates)+1), Reason: in.Reason, ReceivedAt: due.From.UTC(), DueAt: due.At.UTC()}
		e.Duplicates = append(e.Duplicates, req)
		return fmt.Sprintf("the owner notified the certificate %s (%s); the authority issues a duplicate by %s", in.Reason, req.ID, req.DueAt.Format(time.RFC3339)),
			due.Paragraph, nil
	})
	if err != nil {
		return Entry{}, DuplicateRequest{}, err
	}
	return e, req, nil
}

// IssueDuplicate issues the duplicate a request asked for (§48): the Duplicator makes it, the
// entry pins it. A repeat answers the duplicate issued.
func (s *Service) IssueDuplicate(ctx context.Context, actor identity.Actor, number, requestID string, now time.Time) (Entry, DuplicateRequest, error) {
	if err := authorityOnly(actor, "issue a duplicate"); err != nil {
		return Entry{}, DuplicateRequest{}, err
	}
	if !wellFormedID(requestID, 'd') {
		return Entry{}, DuplicateRequest{}, fmt.Errorf("duplicate request %q: %w", requestID, ErrDuplicateNotFound)
	}
	var req DuplicateRequest
	e, err := s.change(ctx, actor, number, now, anyCertificate, func(e *Entry, ed *policy.Edition) (string, string, error) {
		i := slices.IndexFunc(e.Duplicates, func(d DuplicateRequest) bool { return d.ID == requestID })
		if i < 0 {
			return "", "", fmt.Errorf("duplicate request %s of certificate %s: %w", requestID, e.Number, ErrDuplicateNotFound)
		}
		d := &e.Duplicates[i]
		if d.IssuedAt != nil {
			req = *d
			return "", "", nil
		}
		paragraph := periodParagraph(ed, policy.StepDuplicate, "§48")
		if err := inForce(e, paragraph, "a duplicate is issued"); err != nil {
			return "", "", err
		}
		doc, err := s.duplicator.Duplicate(ctx, *e, *d, now.UTC())
		if err != nil {
			return "", "", fmt.Errorf("make the duplicate of %s: %w", e.Number, err)
		}
		at := now.UTC()
		d.IssuedAt, d.Document = &at, &doc
		req = *d
		what := fmt.Sprintf("the authority issued a duplicate (%s)", d.ID)
		if d.Overdue || now.After(d.DueAt) {
			what += fmt.Sprintf(" (after its due moment %s)", d.DueAt.Format(time.RFC3339))
		}
		return what, paragraph, nil
	})
	if err != nil {
		return Entry{}, DuplicateRequest{}, err
	}
	return e, req, nil
}

// CessationNotice is the owner's notice that the object's operation ceased.
type CessationNotice struct {
	CeasedOn string `json:"ceasedOn"` // YYYY-MM-DD, not after the day of the notice
}

// NotifyCessation records the owner's notice that the object's operation ceased; the authority
// is to recall on §45(5), which concerns the mandatory objects of §5 (the owner of a voluntary
// object applies for a recall, §45(2)). The same date again answers the first notice; another
// is ErrConflict.
func (s *Service) NotifyCessation(ctx context.Context, actor identity.Actor, number string, in CessationNotice, now time.Time) (Entry, error) {
	if err := applicantOnly(actor, "notify the cessation of operation"); err != nil {
		return Entry{}, err
	}
	day, err := time.ParseInLocation(time.DateOnly, in.CeasedOn, almatyOf(now))
	if err != nil {
		return Entry{}, refused("ceasedOn", "§45(5)", fmt.Sprintf("%q: want the date operation ceased, YYYY-MM-DD", in.CeasedOn))
	}
	if today := now.In(day.Location()).Format(time.DateOnly); in.CeasedOn > today {
		return Entry{}, refused("ceasedOn", "§45(5)", fmt.Sprintf("%s is after today (%s): the notice is of operation that ceased", in.CeasedOn, today))
	}
	return s.change(ctx, actor, number, now, ownerOf, func(e *Entry, ed *policy.Edition) (string, string, error) {
		g := groundOf(ed, GroundOperationCeased)
		if c := e.Cessation; c != nil {
			if c.CeasedOn == in.CeasedOn {
				return "", "", nil
			}
			return "", "", fmt.Errorf("%s: the cessation of operation on %s was notified at %s: %w", g.Paragraph, c.CeasedOn, c.NotifiedAt.Format(time.RFC3339), attestation.ErrConflict)
		}
		applicable, err := ed.RecallGroundsFor(e.ObjectKind)
		if err != nil {
			return "", "", fmt.Errorf("recall grounds of %s: %w", e.ObjectKind, err)
		}
		if !slices.ContainsFunc(applicable, func(x policy.RecallGround) bool { return x.ID == GroundOperationCeased }) {
			return "", "", fmt.Errorf("%s concerns the mandatory objects of §5; the owner of a %s, attested at its own initiative (§6), applies for the recall instead (§45(2)): %w",
				g.Paragraph, e.ObjectKind, attestation.ErrRule)
		}
		if e.Status != Valid && e.Status != Expired {
			return "", "", fmt.Errorf("%s: certificate %s is %s: %w", g.Paragraph, e.Number, e.Status, attestation.ErrRule)
		}
		if in.CeasedOn < e.IssuedAt.In(day.Location()).Format(time.DateOnly) {
			return "", "", refused("ceasedOn", g.Paragraph, fmt.Sprintf("%s is before certificate %s was issued", in.CeasedOn, e.Number))
		}
		e.Cessation = &Cessation{CeasedOn: in.CeasedOn, NotifiedAt: now.UTC()}
		return fmt.Sprintf("the owner notified that operation ceased on %s; the authority is to recall on %s", in.CeasedOn, GroundOperationCeased), g.Paragraph, nil
	})
}

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
	_, err := s.change(ctx, scheduler, number, now, anyCertificate, func(e *Entry, ed *policy.Edition) (string, string, error) {
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
			return nil, "", fmt.Errorf("obligations: the applicant's token names no organisation: %w", attestation.ErrForbidden)
		}
		page = func(limit int, cursor string) ([]Entry, string, error) {
			return s.store.ListEntries(ctx, CertificateQuery{OwnerBIN: actor.BIN}, limit, cursor)
		}
	default:
		return nil, "", fmt.Errorf("the %s does not read the obligations after certificates: %w", actor.Role, attestation.ErrForbidden)
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
			obs, err := s.obligationsOf(ctx, e, overdueOnly, now)
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
			Kind: it.kind, ID: it.id, Ground: it.ground, Actor: identity.Authority, Since: it.since.UTC()}
		if it.owner {
			o.Actor = identity.Applicant
		}
		if it.due != nil {
			due := it.due.UTC()
			o.DueAt, o.Overdue = &due, it.flagged || now.After(due)
		}
		switch it.kind {
		case WatchRecall:
			o.Paragraph = groundOf(ed, it.ground).Paragraph
			if it.ground == GroundNotReattested {
				again, err := s.attestedAgain(ctx, e)
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

// change reads the entry, checks who acts (may), lets act change it, and writes the change as
// the next signed revision, conditional on the revision read. act answers what changed and the
// paragraph, or "" when the request repeats one already applied (nothing is written and the entry
// is answered as it stands). A write that lost to another writer is read and applied again.
func (s *Service) change(ctx context.Context, actor identity.Actor, number string, now time.Time,
	may func(identity.Actor, Entry) error, act func(e *Entry, ed *policy.Edition) (what, paragraph string, err error)) (Entry, error) {
	for attempt := 1; ; attempt++ {
		prev, err := s.read(ctx, number)
		if err != nil {
			return Entry{}, err
		}
		if err := may(actor, prev); err != nil {
			return Entry{}, err
		}
		ed, err := policy.Load(prev.Edition)
		if err != nil {
			return Entry{}, fmt.Errorf("certificate %s: %w", number, err)
		}
		e := prev.clone()
		what, paragraph, err := act(&e, ed)
		if err != nil {
			return Entry{}, fmt.Errorf("certificate %s: %w", number, err)
		}
		if what == "" {
			return prev, nil
		}
		next, err := Next(ctx, s.signer, prev, e, now)
		if err != nil {
			return Entry{}, err
		}
		rev := Revision{Number: next.Revision, At: next.UpdatedAt, Actor: actor.Subject, Role: string(actor.Role), What: what, Paragraph: paragraph, Seal: next.Seal}
		err = s.store.PutEntry(ctx, next, rev)
		if err == nil {
			s.log.InfoContext(ctx, "register entry changed", "certificate", number, "revision", next.Revision, "status", next.Status,
				"paragraph", paragraph, "role", actor.Role)
			return next, nil
		}
		if !errors.Is(err, attestation.ErrConflict) || attempt == writeAttempts {
			return Entry{}, fmt.Errorf("certificate %s: write revision %d: %w", number, next.Revision, err)
		}
	}
}

// read reads an entry; a missing one is ErrCertificateNotFound.
func (s *Service) read(ctx context.Context, number string) (Entry, error) {
	e, err := s.store.Entry(ctx, number)
	if errors.Is(err, attestation.ErrNotFound) {
		return Entry{}, fmt.Errorf("certificate %s: %w", number, ErrCertificateNotFound)
	}
	if err != nil {
		return Entry{}, fmt.Errorf("read certificate %s: %w", number, err)
	}
	return e, nil
}

// owns reports whether the applicant belongs to the certificate's owner.
func owns(a identity.Actor, e Entry) bool { return a.BIN != "" && a.BIN == e.OwnerBIN }

// ownerOf lets through the applicant of the owner's organisation; anyone else's certificate
// reads exactly like a missing one.
func ownerOf(a identity.Actor, e Entry) error {
	if !owns(a, e) {
		return fmt.Errorf("certificate %s: %w", e.Number, ErrCertificateNotFound)
	}
	return nil
}

// anyCertificate: the role was checked before the entry was read.
func anyCertificate(identity.Actor, Entry) error { return nil }

func applicantOnly(a identity.Actor, what string) error {
	if a.Role != identity.Applicant {
		return fmt.Errorf("the %s does not %s; the owner does: %w", a.Role, what, attestation.ErrForbidden)
	}
	return nil
}

func authorityOnly(a identity.Actor, what string) error {
	if a.Role != identity.Authority {
		return fmt.Errorf("the %s does not %s; the authority does: %w", a.Role, what, attestation.ErrForbidden)
	}
	return nil
}

// inForce refuses an act on a certificate that is no longer in force.
func inForce(e *Entry, paragraph, what string) error {
	if e.Status != Valid {
		return fmt.Errorf("%s: certificate %s is %s; %s only while it is in force: %w", paragraph, e.Number, e.Status, what, attestation.ErrRule)
	}
	return nil
}

// refused is a request refused for one field.
func refused(field, rule, message string) error {
	return &attestation.SubmissionRefused{Problems: []attestation.Problem{{Field: field, Rule: rule, Message: message}}}
}

// checkReasons cleans the reasons of a decision: at least one, at most maxReasons, none blank,
// longer than maxReasonLength, or holding a control character other than white space.
func checkReasons(in []string, rule string) ([]string, []attestation.Problem) {
	var out []string
	var problems []attestation.Problem
	switch {
	case len(in) == 0:
		return nil, []attestation.Problem{{Field: "reasons", Rule: rule, Message: "a decision states its reasons: at least one"}}
	case len(in) > maxReasons:
		return nil, []attestation.Problem{{Field: "reasons", Rule: rule, Message: fmt.Sprintf("at most %d reasons", maxReasons)}}
	}
	for i, r := range in {
		r = strings.TrimSpace(r)
		switch {
		case r == "":
			problems = append(problems, attestation.Problem{Field: fmt.Sprintf("reasons[%d]", i), Rule: rule, Message: "empty"})
		case len(r) > maxReasonLength:
			problems = append(problems, attestation.Problem{Field: fmt.Sprintf("reasons[%d]", i), Rule: rule, Message: fmt.Sprintf("longer than %d bytes", maxReasonLength)})
		case strings.ContainsFunc(r, func(c rune) bool { return unicode.IsControl(c) && !unicode.IsSpace(c) }):
			// The copy of a decision sent to the owner prints its reasons (§46).
			problems = append(problems, attestation.Problem{Field: fmt.Sprintf("reasons[%d]", i), Rule: rule, Message: "contains a control character that cannot be printed"})
		}
		out = append(out, r)
	}
	return out, problems
}

// wellFormedID: a change notice's (c1, c2, ...) or duplicate request's (d1, ...) ID.
func wellFormedID(id string, prefix byte) bool {
	if len(id) < 2 || len(id) > maxIDLength || id[0] != prefix || id[1] == '0' {
		return false
	}
	for i := 1; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return false
		}
	}
	return true
}

// periodParagraph is the paragraph of a period of the policy, or fallback.
func periodParagraph(ed *policy.Edition, step, fallback string) string {
	if p, err := ed.Period(step); err == nil && p.Paragraph != "" {
		return p.Paragraph
	}
	return fallback
}

// groundOf is the policy's recall ground id (a zero ground named by its id if the edition lacks it).
func groundOf(ed *policy.Edition, id string) policy.RecallGround {
	for _, g := range ed.RecallGrounds() {
		if g.ID == id {
			return g
		}
	}
	return policy.RecallGround{ID: id, Paragraph: "§45"}
}

func actorName(a identity.Actor) string {
	if a.Name != "" {
		return a.Name
	}
	return a.Subject
}

// almatyZone is the time zone civil dates are read in.
var almatyZone = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("Asia/Almaty")
	if err != nil {
		return nil
	}
	return loc
})

// almatyOf is Asia/Almaty (now's own zone if the zone database lacks it).
func almatyOf(now time.Time) *time.Location {
	if loc := almatyZone(); loc != nil {
		return loc
	}
	return now.Location()
}
