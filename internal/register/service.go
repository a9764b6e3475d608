package register

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
	"attestation/internal/identity"
	"attestation/internal/policy"
)

// Life after the certificate (§40-§48): the owner's notices (monitoring connection §42, changes
// §43, loss or damage §48, cessation of operation), the authority's decisions (re-attestation
// §44 and §47, recall §45 with the copy of the decision §46, the return §46, the duplicate §48),
// and the deadline check's watch over every period. Each change of an entry is a signed revision
// written conditionally on the revision it was made from.

// Limits of what a notice or a decision carries.
const (
	MaxListPage     = 100   // the most certificates, or certificates with obligations, one page holds
	maxReasons      = 50    // reasons of a decision
	maxReasonLength = 4000  // bytes of one reason
	maxDescription  = 20000 // bytes of a description of changes (§43)
	// MaxChanges is the most change notices one certificate holds (§43): each lives in an item of
	// its own, the entry keeps a summary of each, and an owner's or the authority's view of the
	// certificate shows them all, so the count bounds both the entry and the view.
	MaxChanges = 50
	// maxChangeReasons is the most reasons of a decision on a change notice (§44): with
	// MaxChanges and maxDescription it bounds a certificate's view (50 × (20,000 + 10 × 4,000)
	// bytes, about 3 MB, under a function's 6 MB answer).
	maxChangeReasons = 10
	// MaxDuplicates is the most requests for a duplicate one certificate holds (§48); each is a
	// fixed-size record (no free text) kept on the entry, and each issued duplicate is listed in
	// every signed revision of the entry.
	MaxDuplicates     = 20
	maxIDLength       = 16  // a change notice's or duplicate request's ID
	writeAttempts     = 8   // re-reads of an entry that another writer moved
	checkBatch        = 100 // entries the deadline check reads at a time
	checkRounds       = 50  // batches the deadline check reads in one run at most
	obligationPages   = 10  // store pages one page of obligations reads at most
	reattestedPages   = 5   // pages of the owner's certificates read to find a new certificate of an expired one's object
	decisionKeyPrefix = "register/"
)

var (
	// ErrCertificateNotFound: no such certificate, or (for an applicant) another organisation's.
	ErrCertificateNotFound = apperr.Errorf(apperr.NotFound, "certificate", "no such certificate")
	// ErrChangeNotFound: the certificate has no change notice with this ID.
	ErrChangeNotFound = apperr.Errorf(apperr.NotFound, "change notice", "no such change notice")
	// ErrDuplicateNotFound: the certificate has no duplicate request with this ID.
	ErrDuplicateNotFound = apperr.Errorf(apperr.NotFound, "duplicate request", "no such duplicate request")
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
	// Entry reads an entry, strongly consistent; apperr.NotFound if there is none.
	Entry(ctx context.Context, number string) (Entry, error)
	// PutEntry writes e as revision rev, conditional on the stored entry being at the revision
	// before; apperr.Conflict if it moved.
	PutEntry(ctx context.Context, e Entry, rev Revision) error
	// Revisions is an entry's history, oldest first.
	Revisions(ctx context.Context, number string) ([]Revision, error)
	// DueEntries answers up to limit entries whose NextCheck is at or before before, earliest
	// first (an index query, never a scan).
	DueEntries(ctx context.Context, before time.Time, limit int) ([]Entry, error)
	// WatchedEntries answers a page of the entries that are Watched, earliest NextCheck first
	// and then those with nothing left to flag.
	WatchedEntries(ctx context.Context, limit int, cursor string) ([]Entry, string, error)
	// ListEntries answers a page of the certificates q selects (of q.OwnerBIN; stored with one
	// of q.StoredStatuses()), newest number first. A cursor it did not issue is
	// apperr.ErrBadCursor.
	ListEntries(ctx context.Context, q CertificateQuery, limit int, cursor string) ([]Entry, string, error)
}

// DecisionRecords stores the copies of decisions in the Object Lock bucket (s3store.Records): a
// key is written once; the same bytes again answer the version stored.
type DecisionRecords interface {
	Put(ctx context.Context, key, contentType string, body []byte) (attestation.Document, error)
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
	handOvers  HandOverStore // nil: HandOver refuses (receipt.go)
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
	// HandOvers writes the revision a hand-over at the office starts together with the case
	// (receipt.go); optional: only the API, which records hand-overs, needs it.
	HandOvers HandOverStore
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
		duplicator: d.Duplicator, handOvers: d.HandOvers}, nil
}

// change reads the entry, checks who acts (may), lets act change it, and writes the change as
// the next signed revision, conditional on the revision read. act answers what changed and the
// paragraph, or "" when the request repeats one already applied (nothing is written and the entry
// is answered as it stands at now). A write that lost to another writer is read and applied
// again. act sees the entry as it stands at now (AsOf): a certificate whose term ended is expired
// even before the deadline check marks it (§40-§41), and a revision written on it records the
// expiry too.
func (s *Service) change(ctx context.Context, actor identity.Actor, number string, now time.Time,
	may func(identity.Actor, Entry) error, act func(e *Entry, ed *policy.Edition) (what, paragraph string, err error)) (Entry, error) {
	return s.revise(ctx, actor, number, now, true, may, act)
}

// revise is change; asOf false leaves the expiry to act (the deadline check's own flagging,
// which flags the obligations of the certificate in force before it marks the expiry).
func (s *Service) revise(ctx context.Context, actor identity.Actor, number string, now time.Time, asOf bool,
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
		expired := asOf && e.expiredSince(now)
		if expired {
			e = e.AsOf(now)
		}
		what, paragraph, err := act(&e, ed)
		if err != nil {
			return Entry{}, fmt.Errorf("certificate %s: %w", number, err)
		}
		if what == "" {
			return prev.AsOf(now), nil
		}
		if expired {
			// §40-§41: the expiry the deadline check has not marked yet goes into this revision.
			what = fmt.Sprintf("the certificate expired at the end of its term (%s); %s", prev.ValidUntil.UTC().Format(time.RFC3339), what)
			paragraph = ed.CertificateValidity().Paragraph + ", " + paragraph
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
		if !errors.Is(err, apperr.Conflict) || attempt == writeAttempts {
			return Entry{}, fmt.Errorf("certificate %s: write revision %d: %w", number, next.Revision, err)
		}
	}
}

// read reads an entry; a missing one is ErrCertificateNotFound.
func (s *Service) read(ctx context.Context, number string) (Entry, error) {
	e, err := s.store.Entry(ctx, number)
	if errors.Is(err, apperr.NotFound) {
		return Entry{}, fmt.Errorf("certificate %s: %w", number, ErrCertificateNotFound)
	}
	if err != nil {
		return Entry{}, fmt.Errorf("read certificate %s: %w", number, err)
	}
	return e, nil
}

// Published reports whether anyone but the authority may read the entry: the certificate was
// sent to its owner (§28, §38). Until then its number and PDF are the authority's alone, like an
// act not yet sent (§25).
func (e Entry) Published() bool { return !e.AwaitingReceipt }

// owns reports whether the applicant belongs to the certificate's owner.
func owns(a identity.Actor, e Entry) bool { return a.BIN != "" && a.BIN == e.OwnerBIN }

// ownerOf lets through the applicant of the owner's organisation; anyone else's certificate
// reads exactly like a missing one.
func ownerOf(a identity.Actor, e Entry) error {
	if !owns(a, e) || e.AwaitingReceipt {
		return fmt.Errorf("certificate %s: %w", e.Number, ErrCertificateNotFound)
	}
	return nil
}

// anyCertificate: the role was checked before the entry was read.
func anyCertificate(identity.Actor, Entry) error { return nil }

func applicantOnly(a identity.Actor, what string) error {
	if a.Role != identity.Applicant {
		return apperr.Errorf(apperr.Forbidden, "", "the %s does not %s; the owner does", a.Role, what)
	}
	return nil
}

func authorityOnly(a identity.Actor, what string) error {
	if a.Role != identity.Authority {
		return apperr.Errorf(apperr.Forbidden, "", "the %s does not %s; the authority does", a.Role, what)
	}
	return nil
}

// inForce refuses an act on a certificate that is no longer in force.
func inForce(e *Entry, paragraph, what string) error {
	if e.Status != Valid {
		return apperr.Errorf(apperr.Rule, "", "%s: certificate %s is %s; %s only while it is in force", paragraph, e.Number, e.Status, what)
	}
	return nil
}

// refused is a request refused for one field.
func refused(field, rule, message string) error {
	return &attestation.SubmissionRefused{Problems: []apperr.Problem{{Field: field, Rule: rule, Message: message}}}
}

// checkReasons cleans the reasons of a decision: at least one, at most most (maxReasons or
// maxChangeReasons), none blank, longer than maxReasonLength, or holding a control character
// other than white space.
func checkReasons(in []string, most int, rule string) ([]string, []apperr.Problem) {
	var out []string
	var problems []apperr.Problem
	switch {
	case len(in) == 0:
		return nil, []apperr.Problem{{Field: "reasons", Rule: rule, Message: "a decision states its reasons: at least one"}}
	case len(in) > most:
		return nil, []apperr.Problem{{Field: "reasons", Rule: rule, Message: fmt.Sprintf("at most %d reasons", most)}}
	}
	for i, r := range in {
		r = strings.TrimSpace(r)
		switch {
		case r == "":
			problems = append(problems, apperr.Problem{Field: fmt.Sprintf("reasons[%d]", i), Rule: rule, Message: "empty"})
		case len(r) > maxReasonLength:
			problems = append(problems, apperr.Problem{Field: fmt.Sprintf("reasons[%d]", i), Rule: rule, Message: fmt.Sprintf("longer than %d bytes", maxReasonLength)})
		case strings.ContainsFunc(r, func(c rune) bool { return unicode.IsControl(c) && !unicode.IsSpace(c) }):
			// The copy of a decision sent to the owner prints its reasons (§46).
			problems = append(problems, apperr.Problem{Field: fmt.Sprintf("reasons[%d]", i), Rule: rule, Message: "contains a control character that cannot be printed"})
		case attestation.UnsafeTextProblem(r) != "":
			problems = append(problems, apperr.Problem{Field: fmt.Sprintf("reasons[%d]", i), Rule: rule, Message: attestation.UnsafeTextProblem(r)})
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
