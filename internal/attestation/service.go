package attestation

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/identity"
	"attestation/internal/policy"
)

// maxRetries bounds the re-reads after a conflicting write by another delivery of the same work.
const maxRetries = 3

// Service moves cases: every entry point of the API, the state machine's tasks and the deadline
// check goes through it.
type Service struct {
	store     CaseStore
	records   Records     // acts, certificates, receipts: Object Lock
	documents Records     // what applicants file: the package as filed
	uploads   UploadStore // nil with files: a service that takes no uploads (Deps)
	files     Files       // the documents bucket, for uploads and links
	workflow  Workflow
	owners    ObjectOwners // who registered each object of informatization
	// signatures verifies the electronic digital signatures declared with uploads (signatures.go);
	// requireSignatures makes the edition's signature rules binding on filings and steps.
	signatures        SignatureVerifier
	requireSignatures bool
	registry          StateRegistry     // the state registers the office reads through the e-government gateway (office.go)
	registerHandOvers RegisterHandOvers // the register's side of the office's hand-overs (office.go; nil: none)
	rules             rules
	edition           string
	render            ResponseRenderer // nil: the reasoned response is kept as data only
	editions          policy.Selector  // which edition a filing falls under (editions.go)
	methodologies     Methodologies    // the published survey methodology (§20; nil: not kept)
	log               *slog.Logger
}

// Deps are the ports a Service is built on. Every one is required but Uploads and Files.
type Deps struct {
	Cases     CaseStore       // the cases, their history and open steps
	Records   Records         // what must never change: acts, certificates, receipts (Object Lock)
	Documents Records         // what applicants file: the package as filed
	Workflow  Workflow        // the state machine's executions and task tokens
	Calendar  policy.Calendar // the working-day calendar the periods are counted on
	Edition   string          // the policy edition applied to new filings
	Log       *slog.Logger
	// ObjectOwners tells who registered each object of informatization (§11), so a filing names
	// only one of the applicant's own objects.
	ObjectOwners ObjectOwners
	// Uploads (the uploads and drafts store) and Files (the documents bucket) are optional, and
	// given together or not at all: only the API takes uploads and drafts and completes steps
	// with documents, so the roots of the state machine's tasks and of the deadline check build
	// neither. A service without them refuses uploads and drafts, and takes the documents of a
	// completion as given (the documents' own checks still run).
	Uploads UploadStore
	Files   Files
	// Signatures verifies the electronic digital signatures declared with uploads (internal/eds);
	// nil: a declaration with a signature is refused. RequireSignatures makes the edition's
	// signature rules binding: a filing or a step lacking a required signature is refused (issue 17).
	Signatures        SignatureVerifier
	RequireSignatures bool
	// RenderResponse renders the reasoned response to a return or refusal (standard §6) as a PDF;
	// optional: without it the response is kept as data only (the roots that complete no step).
	RenderResponse ResponseRenderer
	// Registry is the state registers read through the e-government gateway (standard §9) for the
	// office's paper filings (office.go); nil: the office cannot register paper filings.
	Registry StateRegistry
	// EditionMode and EditionEnds choose the edition of a filing by its date (editions.go):
	// policy.Model (the default) applies Edition and marks a filing on a date it does not cover;
	// policy.Enforce takes the edition in force on the filing date. EditionEnds: policy.ParseEnds.
	EditionMode policy.Mode
	EditionEnds map[string]time.Time
	// Methodologies keeps the survey methodology the authority publishes (§20); optional (only
	// the API publishes it and checks the acts that name a version).
	Methodologies Methodologies
	// RegisterHandOvers is the register's side of the office's hand-overs (office.go): the copy
	// of a recall decision to hand over, and the periods the hand-over of a certificate or of that
	// copy starts (§42, §46). Optional: only the API records hand-overs; without it those periods
	// do not start at the hand-over.
	RegisterHandOvers RegisterHandOvers
}

// NewService returns a Service on d, or an error naming the first required port d lacks.
func NewService(d Deps) (*Service, error) {
	for _, m := range []struct {
		name    string
		missing bool
	}{
		{"Cases", d.Cases == nil}, {"Records", d.Records == nil}, {"Documents", d.Documents == nil},
		{"Workflow", d.Workflow == nil}, {"Calendar", d.Calendar == nil}, {"Edition", d.Edition == ""},
		{"Log", d.Log == nil}, {"ObjectOwners", d.ObjectOwners == nil},
	} {
		if m.missing {
			return nil, fmt.Errorf("attestation service: %s is required", m.name)
		}
	}
	if (d.Uploads == nil) != (d.Files == nil) {
		return nil, errors.New("attestation service: Uploads and Files are given together or not at all")
	}
	return &Service{store: d.Cases, records: d.Records, documents: d.Documents, uploads: d.Uploads, files: d.Files,
		workflow: d.Workflow, owners: d.ObjectOwners, rules: rules{cal: d.Calendar}, edition: d.Edition, render: d.RenderResponse, log: d.Log,
		signatures: d.Signatures, requireSignatures: d.RequireSignatures, registry: d.Registry,
		editions: policy.Selector{Mode: d.EditionMode, Configured: d.Edition, Ends: d.EditionEnds}, methodologies: d.Methodologies,
		registerHandOvers: d.RegisterHandOvers}, nil
}

// ObjectOwners tells who registered an object of informatization (POST /objects), and as what.
type ObjectOwners interface {
	// RegisteredObject returns the object as registered; ErrNotFound if there is no such object.
	RegisteredObject(ctx context.Context, id string) (RegisteredObject, error)
}

// RegisteredObject is what a filing that names a registered object must agree with (§11, Annex 2).
type RegisteredObject struct {
	Owner     string // the BIN of the owner or holder
	Name      string
	Kind      string
	Developer string // the register records it (§29)
}

// SubmissionRefused lists every reason a filing is refused before any case starts: a
// state-secret system (§2), a filing after the application window (§12), a package the machine
// check finds incomplete or wrong (§13, Annexes 2-6).
type SubmissionRefused struct {
	Problems []Problem
}

func (e *SubmissionRefused) Error() string { return joinProblems("submission refused: ", e.Problems) }

// Unwrap makes a refusal an apperr.Unprocessable that lists its problems.
func (e *SubmissionRefused) Unwrap() error {
	return apperr.Refused("submission refused",
		fmt.Sprintf("%d problem(s) stop this submission; each names its field and paragraph", len(e.Problems)), e.Problems)
}

// joinProblems renders problems after prefix, for an error's text.
func joinProblems(prefix string, ps []Problem) string {
	parts := make([]string, 0, len(ps))
	for _, p := range ps {
		parts = append(parts, p.String())
	}
	return prefix + strings.Join(parts, "; ")
}

// CheckPackage is the machine check of a package as it would be filed now: every problem the
// submission checks find, each with its paragraph.
func (s *Service) CheckPackage(actor identity.Actor, pkg Package, now time.Time) ([]Problem, error) {
	choice, problem, err := s.filingEdition(now)
	if err != nil || problem != nil {
		return problemList(problem), err
	}
	ed, err := s.rules.edition(choice.Edition)
	if err != nil {
		return nil, err
	}
	problems := CheckSubmission(ed, s.rules.cal, pkg, now)
	problems = append(problems, s.packageSignatures(ed, actor, pkg)...)
	if actor.Role == identity.Applicant && pkg.Applicant.IdentityNumber != "" && pkg.Applicant.IdentityNumber != actor.BIN {
		problems = append(problems, Problem{Field: "applicant.identityNumber", Rule: "§13, Annex 2",
			Message: "an applicant files for its own organisation: the number must be the one of the signed-in organisation"})
	}
	return problems, nil
}

// ExecutionInput is the input of a case's execution: the case and the moment the authority
// received it, the "now" every later step starts from.
type ExecutionInput struct {
	CaseID     string    `json:"caseId"`
	ReceivedAt time.Time `json:"receivedAt"`
}

// Submit files an application. The submission checks run first and stop it, with every reason,
// before any case starts; then the package is kept as filed, the case stored, and its execution
// started under the case ID. A filing outside the office's acceptance hours counts as received at
// the next moment the office accepts filings (standard §8).
func (s *Service) Submit(ctx context.Context, actor identity.Actor, pkg Package, now time.Time) (Case, error) {
	pkg.Documents = unverified(pkg.Documents) // a package filed directly carries no verified signature
	c, ev, err := s.prepare(ctx, actor, pkg, now)
	if err != nil {
		return Case{}, err
	}
	if err := s.store.Create(ctx, c, ev); err != nil {
		if errors.Is(err, ErrConflict) {
			s.discardPackage(ctx, c) // the case was not stored
		}
		return Case{}, fmt.Errorf("submit %s: %w", c.ID, err)
	}
	if err := s.start(ctx, c); err != nil {
		return Case{}, fmt.Errorf("submit %s: %w", c.ID, err)
	}
	s.log.InfoContext(ctx, "application submitted", "caseId", c.ID, "actor", actor)
	return c, nil
}

// discarder removes one stored version that no record refers to. The documents store has it;
// the records store, under Object Lock, does not.
type discarder interface {
	Discard(ctx context.Context, d Document) error
}

// discardPackage removes the package kept for a filing whose case was certainly not stored (a
// refused condition: another delivery won the race), so that no copy of an applicant's package
// outlives every case. A failure leaves an orphan copy, logged, and fails nothing.
func (s *Service) discardPackage(ctx context.Context, c Case) {
	d, ok := s.documents.(discarder)
	if !ok || c.Package == nil {
		return
	}
	if err := d.Discard(ctx, *c.Package); err != nil {
		s.log.WarnContext(ctx, "the package of a filing that was not stored is left behind", "caseId", c.ID, "key", c.Package.Key, "error", err)
	}
}

// prepare runs the submission checks on a package and, if it passes them, keeps the package as
// filed and returns the new case with its first event, not yet stored.
func (s *Service) prepare(ctx context.Context, actor identity.Actor, pkg Package, now time.Time) (Case, Event, error) {
	if actor.Role != identity.Applicant && !(actor.Role == identity.Office && actor.BIN != "") {
		return Case{}, Event{}, apperr.Errorf(apperr.Forbidden, "", "submit: role %s may not file applications", actor.Role)
	}
	problems, err := s.CheckPackage(actor, pkg, now)
	if err != nil {
		return Case{}, Event{}, fmt.Errorf("submit: %w", err)
	}
	if pkg.Object.ID != "" && len(problems) == 0 {
		ps, err := s.namedObject(ctx, actor, &pkg, true)
		if err != nil {
			return Case{}, Event{}, fmt.Errorf("submit: %w", err)
		}
		problems = append(problems, ps...)
	}
	// §29: the register records the object's developer: from the registered object, or given.
	if len(problems) == 0 && strings.TrimSpace(pkg.Object.Developer) == "" {
		problems = append(problems, Problem{Field: "object.developer", Rule: ruleDeveloper,
			Message: "the register records the object's developer: name the registered object (object.id; POST /objects records its developer) or give object.developer"})
	}
	if len(problems) > 0 {
		return Case{}, Event{}, &SubmissionRefused{Problems: problems}
	}
	choice, _, err := s.filingEdition(now)
	if err != nil {
		return Case{}, Event{}, fmt.Errorf("submit: %w", err)
	}
	ed, err := s.rules.edition(choice.Edition)
	if err != nil {
		return Case{}, Event{}, fmt.Errorf("submit: %w", err)
	}
	received, err := ed.ReceivedAt(s.rules.cal, now)
	if err != nil {
		return Case{}, Event{}, fmt.Errorf("submit: receipt: %w", err)
	}
	id, err := newCaseID(now)
	if err != nil {
		return Case{}, Event{}, fmt.Errorf("submit: %w", err)
	}
	pkg.Edition = ed.ID()
	body, err := json.Marshal(pkg)
	if err != nil {
		return Case{}, Event{}, fmt.Errorf("submit %s: encode package: %w", id, err)
	}
	filed, err := s.documents.Put(ctx, "cases/"+id+"/package.json", "application/json", body)
	if err != nil {
		return Case{}, Event{}, fmt.Errorf("submit %s: keep the package: %w", id, err)
	}
	filed.Kind = "package"
	// The package's documents are the case's first documents (§13), in the edition's order.
	docs := []Document{filed}
	for _, d := range ed.Documents() {
		if ref, ok := pkg.Documents[d.ID]; ok {
			docs = append(docs, Document{Kind: d.ID, Key: ref.Key, VersionID: ref.VersionID, SHA256: ref.SHA256, Signature: ref.Signature})
		}
	}
	c := Case{ID: id, OrganizationBIN: actor.BIN, ApplicantName: pkg.Applicant.Name, ObjectName: pkg.Object.Name,
		ObjectKind: pkg.Object.Kind, Developer: pkg.Object.Developer, Flags: pkg.Flags, Distributed: pkg.Flags.GeographicallyDistributed,
		ObjectID: pkg.Object.ID, ApplicantIndividual: pkg.Applicant.Type == ApplicantIndividual,
		Package: &filed, Documents: docs[1:], Edition: ed.ID(), Stage: StageSubmitted, Version: 1, SubmittedAt: now.UTC(), ReceivedAt: received.UTC(), Events: 1,
		EditionOutOfForce: choice.OutOfForce}
	ev := Event{Seq: 1, At: c.SubmittedAt, Actor: actor.Subject, Role: actor.Role, What: "application submitted" + outOfForceWords(choice), Documents: docs}
	return c, ev, nil
}

// start starts the case's execution (starting it again is not an error).
func (s *Service) start(ctx context.Context, c Case) error {
	input, err := json.Marshal(ExecutionInput{CaseID: c.ID, ReceivedAt: c.ReceivedAt})
	if err != nil {
		return fmt.Errorf("encode input: %w", err)
	}
	if err := s.workflow.Start(ctx, c.ID, input); err != nil {
		return fmt.Errorf("start execution: %w", err)
	}
	return nil
}

// newCaseID makes a case ID that sorts by filing date and cannot be guessed: A-20261015-<16 hex>.
func newCaseID(now time.Time) (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("case id: %w", err)
	}
	return "A-" + now.UTC().Format("20060102") + "-" + hex.EncodeToString(b[:]), nil
}

// Get returns a case the actor may see, with its history. An applicant sees only its own
// organisation's cases (another's is ErrNotFound, exactly like a case that does not exist), and
// sees the act of a survey only once the authority has sent it with its decision (§25, §28, §30,
// §31).
func (s *Service) Get(ctx context.Context, actor identity.Actor, id string) (Case, []Event, error) {
	c, err := s.store.Get(ctx, id)
	if err != nil {
		return Case{}, nil, fmt.Errorf("get case %s: %w", id, err)
	}
	if !reaches(actor, c) {
		return Case{}, nil, apperr.Errorf(apperr.NotFound, "case", "get case %s", id)
	}
	h, err := s.store.History(ctx, id)
	if err != nil {
		return Case{}, nil, fmt.Errorf("get case %s history: %w", id, err)
	}
	if actor.Role == identity.Applicant || actor.Role == identity.Office { // the office hands the applicant's results over
		c, h = applicantView(c, h)
	}
	return c, h, nil
}

// reaches reports whether actor may reach case c at all (read it, upload to it, complete a step
// of it): an applicant only its own organisation's cases, the office only paper cases, the STS
// only cases the authority forwarded to it (§16). Any other case answers ErrNotFound, exactly like
// a case that does not exist, so that its existence does not leak.
func reaches(actor identity.Actor, c Case) bool {
	switch actor.Role {
	case identity.Applicant:
		return c.OrganizationBIN == actor.BIN
	case identity.Office:
		return c.Paper != nil
	case identity.STS:
		return c.ForwardedToSTS()
	}
	return true
}

// VisibleToApplicant reports whether the applicant may see d: an act, and a reasoned response,
// only once sent (§25, §30; standard §6).
func VisibleToApplicant(d Document) bool {
	if sentWithTheDecision(d.Kind) {
		return d.SentAt != nil
	}
	return true
}

func applicantView(c Case, h []Event) (Case, []Event) {
	sent := map[string]bool{}
	var docs []Document
	for _, d := range c.Documents {
		if VisibleToApplicant(d) {
			docs = append(docs, d)
			sent[d.Key] = true
		}
	}
	c.Documents = docs
	// §25: the act's details reach the applicant with the act.
	actSent := func(kind string) bool {
		for _, d := range docs {
			if d.Kind == kind {
				return true
			}
		}
		return false
	}
	if !actSent(DocSurveyAct) {
		c.SurveyAct = nil
	}
	if !actSent(DocAdditionalSurveyAct) {
		c.AdditionalSurveyAct = nil
	}
	out := make([]Event, len(h))
	for i, e := range h {
		var ed []Document
		for _, d := range e.Documents {
			if VisibleToApplicant(d) || sent[d.Key] {
				ed = append(ed, d)
			}
		}
		e.Documents = ed
		out[i] = e
	}
	if c.LastDecision != nil {
		ld := *c.LastDecision
		ld.Token = ""
		var ds []Document
		for _, d := range ld.Documents {
			if VisibleToApplicant(d) || sent[d.Key] {
				ds = append(ds, d)
			}
		}
		ld.Documents = ds
		c.LastDecision = &ld
	}
	// §25, §28: the certificate's number (and so its PDF) reaches the applicant with the act, when
	// the authority sends them; before, not even the history names it.
	if c.Certificate != "" && !c.CertificateSent() {
		number := c.Certificate
		c.Certificate = ""
		kept := out[:0]
		for _, e := range out {
			if !strings.Contains(e.What, number) {
				kept = append(kept, e)
			}
		}
		out = kept
	}
	// §28, §30, §31: the decision reaches the applicant with the act, when the authority sends it.
	if c.Stage == StageSendDocuments || c.Stage == StageSecondSendDocuments {
		c.Decision = ""
		c.Terms = nil
		if c.LastDecision != nil && (c.LastDecision.Step == string(StageDecision) || c.LastDecision.Step == string(StageSecondDecision)) {
			c.LastDecision = nil
		}
		kept := out[:0]
		for _, e := range out {
			if e.Step == string(StageDecision) && c.Stage == StageSendDocuments || e.Step == string(StageSecondDecision) && c.Stage == StageSecondSendDocuments {
				continue
			}
			kept = append(kept, e)
		}
		out = kept
	}
	if c.OpenStep != nil {
		st := *c.OpenStep
		st.Token = ""
		c.OpenStep = &st
	}
	return c, out
}

// Registration is the result of recording a received application.
type Registration struct {
	CaseID  string    `json:"caseId"`
	Receipt Document  `json:"receipt"`
	Next    *NextStep `json:"next"`
}

// Register records the receipt of an application under Object Lock (§13) and opens the way to the
// authority's completeness check (§14). A repeated delivery (Step Functions and Lambda deliver at
// least once) returns the first result.
func (s *Service) Register(ctx context.Context, in ExecutionInput) (Registration, error) {
	for attempt := 0; ; attempt++ {
		c, err := s.getWithoutDocuments(ctx, in.CaseID)
		if err != nil {
			return Registration{}, fmt.Errorf("register %s: %w", in.CaseID, err)
		}
		if c.Receipt != nil {
			next, err := s.rules.plan(c, StageCompletenessCheck, c.ReceivedAt)
			if err != nil {
				return Registration{}, fmt.Errorf("register %s: %w", c.ID, err)
			}
			return Registration{CaseID: c.ID, Receipt: *c.Receipt, Next: next}, nil
		}
		if c.Stage != StageSubmitted {
			return Registration{}, apperr.Errorf(apperr.Closed, "", "register %s at stage %s", c.ID, c.Stage)
		}
		receipt := map[string]any{
			"caseId": c.ID, "organization": c.OrganizationBIN, "object": c.ObjectName,
			"edition": c.Edition, "submittedAt": c.SubmittedAt, "receivedAt": c.ReceivedAt,
		}
		if p := c.Paper; p != nil && p.Receipt != nil {
			// Standard §9: the receipt mark names the date, the time and the receiving officer.
			receipt["channel"], receipt["receivedBy"], receipt["limits"] = "office", p.Receipt.Officer, p.Limits
		}
		body, err := json.MarshalIndent(receipt, "", "  ")
		if err != nil {
			return Registration{}, fmt.Errorf("register %s: encode receipt: %w", c.ID, err)
		}
		doc, err := s.records.Put(ctx, "cases/"+c.ID+"/receipt.json", "application/json", body)
		if err != nil {
			return Registration{}, fmt.Errorf("register %s: store receipt: %w", c.ID, err)
		}
		doc.Kind = "receipt"
		next, err := s.rules.plan(c, StageCompletenessCheck, c.ReceivedAt)
		if err != nil {
			return Registration{}, fmt.Errorf("register %s: %w", c.ID, err)
		}
		c.Receipt = &doc
		// Standard §4: the service term runs from the submission; the deadline check watches it.
		if c.Term, err = s.rules.serviceTerm(c, false); err != nil {
			return Registration{}, fmt.Errorf("register %s: %w", c.ID, err)
		}
		c.Stage = StageCompletenessCheck
		c.Version++
		c.Events++
		ev := Event{Seq: c.Events, At: c.ReceivedAt, Actor: "system", Role: identity.Scheduler, What: whatReceipt, Documents: []Document{doc}}
		err = s.store.Update(ctx, c, ev)
		if errors.Is(err, ErrConflict) && attempt < maxRetries {
			continue // another delivery got there first: read again and return its result
		}
		if err != nil {
			return Registration{}, fmt.Errorf("register %s: %w", c.ID, err)
		}
		return Registration{CaseID: c.ID, Receipt: doc, Next: next}, nil
	}
}

// OpenStepInput is what the state machine passes when a human step begins.
type OpenStepInput struct {
	TaskToken string    `json:"taskToken"`
	CaseID    string    `json:"caseId"`
	Step      string    `json:"step"`
	OpenedAt  time.Time `json:"openedAt"`
}

// OpenStep keeps the task token on the case with the acting role and the statutory due moment.
// Opening the same step with the same token again changes nothing. When the engine re-opens a
// step whose callback timed out (a staff step past its period has no legal effect), the new token
// replaces the old one and the breach is recorded; if the step had in fact been decided but the
// engine no longer took the callback, the decision is delivered on the new token.
func (s *Service) OpenStep(ctx context.Context, in OpenStepInput) (Step, error) {
	stage := Stage(in.Step)
	rule, ok := Procedure[stage]
	if in.TaskToken == "" || in.CaseID == "" || !ok || in.OpenedAt.IsZero() {
		return Step{}, apperr.Errorf(apperr.Unprocessable, "", "open step %q of %q: taskToken, caseId, openedAt and a known step are required", in.Step, in.CaseID)
	}
	for attempt := 0; ; attempt++ {
		c, err := s.getWithoutDocuments(ctx, in.CaseID)
		if err != nil {
			return Step{}, fmt.Errorf("open step %s of %s: %w", in.Step, in.CaseID, err)
		}
		if c.OpenStep != nil && c.OpenStep.Token == in.TaskToken {
			return *c.OpenStep, nil
		}
		if d := c.LastDecision; d != nil && d.Step == in.Step && c.Stage != stage {
			if d.Token == in.TaskToken {
				// Handed over already (a repeated delivery of this task): the delivery that wrote
				// the hand-over sends it; sending again here would tell the engine twice. Should
				// that send fail, the callback times out and the re-opened step takes it again.
				return Step{Name: d.Step, Role: d.Role, Token: d.Token, OpenedAt: d.At}, nil
			}
			// Decided already, the engine re-opened it: hand the decision to the new token.
			st, err := s.redeliver(ctx, c, in.TaskToken)
			if errors.Is(err, ErrConflict) && attempt < maxRetries {
				continue
			}
			return st, err
		}
		if c.Stage.Ended() {
			return Step{}, apperr.Errorf(apperr.Closed, "", "open step %s of %s: the case is %s", in.Step, c.ID, c.Stage)
		}
		if c.Stage != stage {
			return Step{}, apperr.Errorf(apperr.Conflict, "", "open step %s of %s at stage %s", in.Step, c.ID, c.Stage)
		}
		if c.Paper != nil && len(c.Documents) == 0 {
			// A paper case's period may run from a hand-over of one of its documents (receiptStart).
			if c, err = s.store.Get(ctx, in.CaseID); err != nil {
				return Step{}, fmt.Errorf("open step %s of %s: %w", in.Step, in.CaseID, err)
			}
		}
		st := Step{Name: in.Step, Role: rule.Role, Token: in.TaskToken, OpenedAt: in.OpenedAt.UTC()}
		if start, ok := stepStart(c, stage, in.OpenedAt); ok {
			due, err := s.rules.due(c, stage, start)
			if err != nil {
				return Step{}, fmt.Errorf("open step %s of %s: %w", in.Step, c.ID, err)
			}
			st.DueAt, st.Paragraph, st.Provisional = due.At, due.Paragraph, due.Provisional
			if c.Paper != nil && (stage == StageSignContract || stage == StageRectificationNotice) {
				handed := start.UTC()
				st.HandedOverAt = &handed // handed over before the step opened
			}
		} else {
			// §17, §31: a paper case's period runs from the hand-over at the office, not yet
			// recorded; the hand-over sets the due moment (RecordHandOver).
			st.AwaitsHandOver, st.Paragraph = true, rule.Paragraph
		}
		// Opening a step writes the case alone: the open step (its opening and due moment) is on
		// the case, and its completion's history event records both. A re-opening is a breach
		// and goes into the history at once.
		var events []Event
		if prev := c.OpenStep; prev != nil && prev.Name == in.Step {
			// The engine's callback timed out and it opened the step again (no legal effect).
			st.DueAt, st.Paragraph, st.Provisional, st.OpenedAt = prev.DueAt, prev.Paragraph, prev.Provisional, prev.OpenedAt
			st.AwaitsHandOver, st.HandedOverAt = prev.AwaitsHandOver, prev.HandedOverAt
			st.Reopened = prev.Reopened + 1
			// A staff step past its period is overdue (no legal effect); an applicant's step with a
			// legal lapse stays in the due index, so the deadline check applies the lapse.
			st.Overdue = rule.Lapse == nil
			what := "step re-opened after its period: " + in.Step + ", due " + prev.DueAt.Format(time.RFC3339)
			if prev.AwaitsHandOver {
				// No period runs yet (HandOverTimeout makes this the engine's limit, not a breach).
				st.Overdue = false
				what = "step re-opened while it waits for the hand-over at the office: " + in.Step
			}
			c.Events++
			events = append(events, Event{Seq: c.Events, At: in.OpenedAt.UTC(), Actor: "system", Role: identity.Scheduler, Step: in.Step, What: what})
		}
		c.OpenStep = &st
		c.Version++
		err = s.store.Update(ctx, c, events...)
		if errors.Is(err, ErrConflict) && attempt < maxRetries {
			continue
		}
		if err != nil {
			return Step{}, fmt.Errorf("open step %s of %s: %w", in.Step, c.ID, err)
		}
		return st, nil
	}
}

// CloseInput is what the state machine passes when a case reaches its end.
type CloseInput struct {
	CaseID string    `json:"caseId"`
	Stage  Stage     `json:"stage"`
	At     time.Time `json:"at"`
}

// Close confirms a case's end stage. The decision that ended it already wrote the stage; Close
// writes it only if it is missing, and closing again changes nothing.
func (s *Service) Close(ctx context.Context, in CloseInput) (Case, error) {
	if !in.Stage.Ended() {
		return Case{}, apperr.Errorf(apperr.Unprocessable, "", "close %s: %s is not an end stage", in.CaseID, in.Stage)
	}
	for attempt := 0; ; attempt++ {
		c, err := s.getWithoutDocuments(ctx, in.CaseID)
		if err != nil {
			return Case{}, fmt.Errorf("close %s: %w", in.CaseID, err)
		}
		if c.Stage == in.Stage {
			return c, nil
		}
		if c.Stage.Ended() {
			return Case{}, apperr.Errorf(apperr.Conflict, "", "close %s as %s: it is %s already", c.ID, in.Stage, c.Stage)
		}
		c.Stage = in.Stage
		c.OpenStep = nil
		c.Version++
		c.Events++
		ev := Event{Seq: c.Events, At: in.At.UTC(), Actor: "system", Role: identity.Scheduler, What: "case closed: " + string(in.Stage)}
		err = s.store.Update(ctx, c, ev)
		if errors.Is(err, ErrConflict) && attempt < maxRetries {
			continue
		}
		if err != nil {
			return Case{}, fmt.Errorf("close %s: %w", in.CaseID, err)
		}
		return c, nil
	}
}

// QueueItem is an open step in a staff work queue.
type QueueItem struct {
	CaseID     string        `json:"caseId"`
	ObjectName string        `json:"objectName"`
	Step       string        `json:"step"`
	Role       identity.Role `json:"role"`
	OpenedAt   time.Time     `json:"openedAt"`
	DueAt      time.Time     `json:"dueAt"`
	Paragraph  string        `json:"paragraph"`
	Overdue    bool          `json:"overdue"` // past its due moment at the request's time
	// EditionOutOfForce: the case was filed on a date its edition does not cover (editions.go).
	EditionOutOfForce bool `json:"editionOutOfForce,omitempty"`
	// Attention: the workflow stopped moving the case (Step is QueueNeedsAttention); the error,
	// its cause, when, and the stage the case is at.
	Attention *QueueAttention `json:"attention,omitempty"`
	// ServiceTerm is the case's service term (standard §4).
	ServiceTerm *ServiceTerm `json:"serviceTerm,omitempty"`
}

// QueueNeedsAttention is the step of a queue item for a case the workflow stopped moving.
const QueueNeedsAttention = "case_needs_attention"

// QueueAttention is why a queued case needs the authority's attention.
type QueueAttention struct {
	Error  string    `json:"error"`
	Cause  string    `json:"cause"`
	At     time.Time `json:"at"`
	Stage  Stage     `json:"stage"`
	Source string    `json:"source"`
	// Task: the state that kept failing; Waiting: its execution waits on the authority's
	// hand-back (POST /cases/{caseId}/attention/resume or .../close).
	Task    string `json:"task,omitempty"`
	Waiting bool   `json:"waiting"`
}

// MaxQueuePage caps a page of the work queue.
const MaxQueuePage = 100

// Queue is the work queue of the caller's role: the open steps it acts on, earliest due first,
// each flagged overdue when its due moment has passed at now. overdueOnly and step filter it.
func (s *Service) Queue(ctx context.Context, actor identity.Actor, step string, overdueOnly bool, limit int, cursor string, now time.Time) ([]QueueItem, string, error) {
	if actor.Role != identity.Authority && actor.Role != identity.STS {
		return nil, "", apperr.Errorf(apperr.Forbidden, "", "queue: the %s has no work queue", actor.Role)
	}
	if step != "" && (step != QueueNeedsAttention || actor.Role != identity.Authority) {
		if r, ok := Procedure[Stage(step)]; !ok || r.Role != actor.Role {
			return nil, "", apperr.Errorf(apperr.Unprocessable, "", "queue: %q is not a step the %s acts on", step, actor.Role)
		}
	}
	if limit <= 0 || limit > MaxQueuePage {
		limit = MaxQueuePage
	}
	cases, next, err := s.store.Queue(ctx, actor.Role, limit, cursor)
	if err != nil {
		return nil, "", fmt.Errorf("queue of %s: %w", actor.Role, err)
	}
	items := []QueueItem{}
	for _, c := range cases {
		if a := c.Attention; c.NeedsAttention() {
			// Listed from the moment it was noticed, and always overdue: nothing moves it until
			// someone acts.
			if step == "" || step == QueueNeedsAttention {
				items = append(items, QueueItem{CaseID: c.ID, ObjectName: c.ObjectName, Step: QueueNeedsAttention, Role: identity.Authority,
					OpenedAt: a.At, DueAt: a.At, Overdue: true, EditionOutOfForce: c.EditionOutOfForce,
					Attention: &QueueAttention{Error: a.Error, Cause: a.Cause, At: a.At, Stage: a.Stage, Source: a.Source, Task: a.Task,
						Waiting: a.Token != ""}})
			}
			continue
		}
		st := c.OpenStep
		if st == nil || (step != "" && st.Name != step) {
			continue
		}
		overdue := st.Overdue || st.PastDue(now)
		if overdueOnly && !overdue {
			continue
		}
		items = append(items, QueueItem{CaseID: c.ID, ObjectName: c.ObjectName, Step: st.Name, Role: st.Role,
			OpenedAt: st.OpenedAt, DueAt: st.DueAt, Paragraph: st.Paragraph, Overdue: overdue, ServiceTerm: c.Term,
			EditionOutOfForce: c.EditionOutOfForce})
	}
	return items, next, nil
}

// MaxCasePage caps a page of an organisation's cases.
const MaxCasePage = 100

// List returns the applicant's own organisation's cases, newest first.
func (s *Service) List(ctx context.Context, actor identity.Actor, limit int, cursor string) ([]Case, string, error) {
	if actor.Role != identity.Applicant {
		return nil, "", apperr.Errorf(apperr.Forbidden, "", "list cases: the %s reads cases through its work queue", actor.Role)
	}
	if limit <= 0 || limit > MaxCasePage {
		limit = MaxCasePage
	}
	cases, next, err := s.store.ByOrganization(ctx, actor.BIN, limit, cursor)
	if err != nil {
		return nil, "", fmt.Errorf("list cases: %w", err)
	}
	for i := range cases {
		cases[i], _ = applicantView(cases[i], nil)
	}
	return cases, next, nil
}

// getWithoutDocuments reads a case for a step of the workflow that never touches its documents:
// without them when the store can (LeanCaseReader), whole otherwise.
func (s *Service) getWithoutDocuments(ctx context.Context, id string) (Case, error) {
	if lean, ok := s.store.(LeanCaseReader); ok {
		return lean.GetWithoutDocuments(ctx, id)
	}
	return s.store.Get(ctx, id)
}
