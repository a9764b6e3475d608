package register

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
	"attestation/internal/identity"
	"attestation/internal/policy"
)

// §45-§46: the recall of a certificate on a ground of §45, the copy of the decision sent to the
// owner and the return of the recalled certificate (§46), and the owner's notice that the
// object's operation ceased (§45(5)).

// The recall grounds of §45 the service treats apart (the policy's ids).
const (
	GroundNotReattested     = "not_reattested"     // §45(1): not attested again after expiry (§41)
	GroundChangedConditions = "changed_conditions" // §45(4): changed conditions of functioning (mandatory objects)
	GroundOperationCeased   = "operation_ceased"   // §45(5): operation ceased (mandatory objects); the termination mark
)

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
	AtOffice        bool // handed over at the Committee's office: the return runs from the hand-over (no date)
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
	var problems []apperr.Problem
	if strings.TrimSpace(in.Ground) == "" {
		problems = append(problems, apperr.Problem{Field: "ground", Rule: "§45", Message: "required: a recall ground of §45"})
	} else if m := attestation.UnsafeTextProblem(in.Ground); m != "" {
		problems = append(problems, apperr.Problem{Field: "ground", Rule: "§45", Message: "not a recall ground of §45: it " + m})
	}
	reasons, ps := checkReasons(in.Reasons, maxReasons, "§45")
	problems = append(problems, ps...)
	if in.ChangeID != "" && !wellFormedID(in.ChangeID, 'c') {
		problems = append(problems, apperr.Problem{Field: "changeId", Rule: "§45(4)", Message: fmt.Sprintf("%q is not a change notice's ID (c1, c2, ...)", in.ChangeID)})
	}
	if len(problems) > 0 {
		return Entry{}, &attestation.SubmissionRefused{Problems: problems}
	}
	return s.change(ctx, actor, number, now, anyCertificate, func(e *Entry, ed *policy.Edition) (string, string, error) {
		if r := e.Recall; r != nil {
			if r.Ground == in.Ground && r.ChangeID == in.ChangeID {
				return "", "", nil
			}
			return "", "", apperr.Errorf(apperr.Conflict, "", "%s: certificate %s was recalled on %s at %s", r.Paragraph, e.Number, r.Ground, r.DecidedAt.Format(time.RFC3339))
		}
		g, err := s.ground(ctx, e, ed, in, now)
		if err != nil {
			return "", "", err
		}
		// §46: the return runs from the owner's receipt of the copy of the decision
		// (attestation.ReceivedAt): online, the API delivers it with the decision, so the
		// sending's moment; a paper case's copy waits at the office, and its hand-over starts the
		// return (HandOver, receipt.go).
		sending := attestation.SentOnline(now)
		if e.AtOffice {
			sending = attestation.Sending{Channel: attestation.ChannelOffice, SentAt: now}
		}
		r := &Recall{Ground: g.ID, Number: g.Number, Paragraph: g.Paragraph, Reasons: reasons, ChangeID: in.ChangeID, DecidedAt: now.UTC()}
		returnParagraph := periodParagraph(ed, policy.StepCertificateReturn, "§46")
		returned := "returned within 3 working days of the hand-over of the copy of the decision at the office"
		if received, ok := attestation.ReceivedAt(sending); ok {
			due, err := ed.Due(s.cal, policy.StepCertificateReturn, received)
			if err != nil {
				return "", "", fmt.Errorf("due moment of the return: %w", err)
			}
			r.ReturnDueAt, returnParagraph = due.At.UTC(), due.Paragraph
			returned = "returned by " + r.ReturnDueAt.Format(time.RFC3339)
		} else {
			r.ReturnAwaitsHandOver = true
		}
		doc, pdf, err := s.decisionCopy(ctx, *e, g, r, returnParagraph, actor)
		if err != nil {
			return "", "", err
		}
		r.Decision, r.DecisionPDF = &doc, pdf
		e.Recall = r
		what := fmt.Sprintf("recalled on %s (%s); the certificate is %s (%s)", g.ID, g.Paragraph, returned, returnParagraph)
		if g.ID == GroundOperationCeased {
			at := now.UTC()
			e.Status, e.TerminatedAt = Terminated, &at
			what = fmt.Sprintf("recalled on %s (%s) and marked terminated; the certificate is %s (%s)", g.ID, g.Paragraph, returned, returnParagraph)
		} else {
			e.Status = Recalled
		}
		return what, g.Paragraph + ", " + returnParagraph, nil
	})
}

// ground checks that in's ground applies to e (as it stands at now) and returns it.
func (s *Service) ground(ctx context.Context, e *Entry, ed *policy.Edition, in RecallInput, now time.Time) (policy.RecallGround, error) {
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
		return g, apperr.Errorf(apperr.Rule, "", "%s concerns the mandatory objects of §5; certificate %s is of a %s, attested at the owner's initiative (§6)", g.Paragraph, e.Number, e.ObjectKind)
	}
	if in.ChangeID != "" && g.ID != GroundChangedConditions {
		return g, refused("changeId", g.Paragraph, "a change notice is named only with a recall on changed conditions ("+GroundChangedConditions+")")
	}
	switch g.ID {
	case GroundNotReattested:
		if e.Status != Expired {
			return g, apperr.Errorf(apperr.Rule, "", "%s: a certificate is recalled for not being attested again only after it expired (§41); certificate %s is %s", g.Paragraph, e.Number, e.Status)
		}
		again, err := s.attestedAgain(ctx, *e, now)
		if err != nil {
			return g, err
		}
		if again != "" {
			return g, apperr.Errorf(apperr.Rule, "", "%s: the object was attested again after certificate %s expired (§41): certificate %s", g.Paragraph, e.Number, again)
		}
	case GroundOperationCeased:
		if e.Status != Valid && e.Status != Expired {
			return g, apperr.Errorf(apperr.Rule, "", "%s: certificate %s is %s", g.Paragraph, e.Number, e.Status)
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
				return g, apperr.Errorf(apperr.Rule, "", "§47: change notice %s introduces or changes a service software product only, which does not entail the recall of the e-government platform's certificate", c.ID)
			}
		}
	}
	return g, nil
}

// attestedAgain is the number of a certificate in force at now issued for e's object after e, or
// "". The object is the same when both name its ID, else when kind and name agree.
func (s *Service) attestedAgain(ctx context.Context, e Entry, now time.Time) (string, error) {
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
			if same && x.Number != e.Number && x.IssuedAt.After(e.IssuedAt) && x.StatusAt(now) == Valid {
				return x.Number, nil
			}
		}
		if cursor = next; cursor == "" {
			break
		}
	}
	return "", nil
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
		ReturnDueAt     time.Time `json:"returnDueAt,omitzero"`
		ReturnParagraph string    `json:"returnParagraph"`
		Terminated      bool      `json:"terminated"`
		AtOffice        bool      `json:"atOffice,omitempty"` // the return runs from the copy's hand-over at the office
	}{"recall", e.Number, e.ObjectName, e.ObjectKind, e.OwnerName, e.OwnerBIN, g.ID, g.Paragraph, g.Text, r.Reasons, r.ChangeID,
		r.DecidedAt, actorName(actor), r.ReturnDueAt, returnParagraph, g.ID == GroundOperationCeased, r.ReturnAwaitsHandOver}, "", "  ")
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
		ReturnDueAt: r.ReturnDueAt, ReturnParagraph: returnParagraph, Terminated: g.ID == GroundOperationCeased, AtOffice: r.ReturnAwaitsHandOver})
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
			return "", "", apperr.Errorf(apperr.Rule, "", "%s: certificate %s is not recalled; only a recalled certificate is returned", paragraph, e.Number)
		}
		if r.ReturnedAt != nil {
			return "", "", nil
		}
		at := now.UTC()
		r.ReturnedAt = &at
		what := "the recalled certificate was returned"
		if r.ReturnOverdue || !r.ReturnAwaitsHandOver && now.After(r.ReturnDueAt) {
			what += fmt.Sprintf(" (after its due moment %s)", r.ReturnDueAt.Format(time.RFC3339))
		}
		return what, paragraph, nil
	})
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
			return "", "", apperr.Errorf(apperr.Conflict, "", "%s: the cessation of operation on %s was notified at %s", g.Paragraph, c.CeasedOn, c.NotifiedAt.Format(time.RFC3339))
		}
		applicable, err := ed.RecallGroundsFor(e.ObjectKind)
		if err != nil {
			return "", "", fmt.Errorf("recall grounds of %s: %w", e.ObjectKind, err)
		}
		if !slices.ContainsFunc(applicable, func(x policy.RecallGround) bool { return x.ID == GroundOperationCeased }) {
			return "", "", apperr.Errorf(apperr.Rule, "", "%s concerns the mandatory objects of §5; the owner of a %s, attested at its own initiative (§6), applies for the recall instead (§45(2))", g.Paragraph, e.ObjectKind)
		}
		if e.Status != Valid && e.Status != Expired {
			return "", "", apperr.Errorf(apperr.Rule, "", "%s: certificate %s is %s", g.Paragraph, e.Number, e.Status)
		}
		if in.CeasedOn < e.IssuedAt.In(day.Location()).Format(time.DateOnly) {
			return "", "", refused("ceasedOn", g.Paragraph, fmt.Sprintf("%s is before certificate %s was issued", in.CeasedOn, e.Number))
		}
		e.Cessation = &Cessation{CeasedOn: in.CeasedOn, NotifiedAt: now.UTC()}
		return fmt.Sprintf("the owner notified that operation ceased on %s; the authority is to recall on %s", in.CeasedOn, GroundOperationCeased), g.Paragraph, nil
	})
}
