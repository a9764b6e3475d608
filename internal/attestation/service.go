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

	"attestation/internal/identity"
)

// Service moves cases: every entry point of the API, the state machine's tasks and the deadline
// check goes through it.
type Service struct {
	store     CaseStore
	records   Records
	workflow  Workflow
	deadlines Deadlines
	edition   string
	log       *slog.Logger
}

// NewService returns a Service. edition is the policy edition applied to new filings.
func NewService(store CaseStore, records Records, workflow Workflow, deadlines Deadlines, edition string, log *slog.Logger) *Service {
	return &Service{store: store, records: records, workflow: workflow, deadlines: deadlines, edition: edition, log: log}
}

// Application is what an applicant files.
type Application struct {
	ObjectName string `json:"objectName"`
}

// ExecutionInput is the input of a case's execution: the case and the moment it was received,
// the "now" every later step starts from.
type ExecutionInput struct {
	CaseID     string    `json:"caseId"`
	ReceivedAt time.Time `json:"receivedAt"`
}

// Submit files an application: the case is stored, then its execution started under the case ID.
func (s *Service) Submit(ctx context.Context, actor identity.Actor, app Application, now time.Time) (Case, error) {
	if actor.Role != identity.Applicant {
		return Case{}, fmt.Errorf("submit: role %s may not file applications: %w", actor.Role, ErrForbidden)
	}
	name := strings.TrimSpace(app.ObjectName)
	if name == "" || len(name) > 500 {
		return Case{}, fmt.Errorf("submit: objectName must be 1-500 characters: %w", ErrInvalid)
	}
	id, err := newCaseID(now)
	if err != nil {
		return Case{}, fmt.Errorf("submit: %w", err)
	}
	c := Case{ID: id, OrganizationBIN: actor.BIN, ObjectName: name, Edition: s.edition, Stage: StageSubmitted,
		Version: 1, SubmittedAt: now.UTC(), ReceivedAt: now.UTC(), Events: 1}
	ev := Event{Seq: 1, At: c.SubmittedAt, Actor: actor.Subject, Role: actor.Role, What: "application submitted"}
	if err := s.store.Create(ctx, c, ev); err != nil {
		return Case{}, fmt.Errorf("submit %s: %w", id, err)
	}
	input, err := json.Marshal(ExecutionInput{CaseID: id, ReceivedAt: c.ReceivedAt})
	if err != nil {
		return Case{}, fmt.Errorf("submit %s: encode input: %w", id, err)
	}
	if err := s.workflow.Start(ctx, id, input); err != nil {
		return Case{}, fmt.Errorf("submit %s: start execution: %w", id, err)
	}
	s.log.InfoContext(ctx, "application submitted", "caseId", id, "actor", actor)
	return c, nil
}

// newCaseID makes a case ID that sorts by filing date and cannot be guessed: A-20261015-<16 hex>.
func newCaseID(now time.Time) (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("case id: %w", err)
	}
	return "A-" + now.UTC().Format("20060102") + "-" + hex.EncodeToString(b[:]), nil
}

// Get returns a case the actor may see: an applicant sees only its own organisation's cases, and
// another organisation's case is ErrNotFound, exactly like a case that does not exist.
func (s *Service) Get(ctx context.Context, actor identity.Actor, id string) (Case, []Event, error) {
	c, err := s.store.Get(ctx, id)
	if err != nil {
		return Case{}, nil, fmt.Errorf("get case %s: %w", id, err)
	}
	if actor.Role == identity.Applicant && c.OrganizationBIN != actor.BIN {
		return Case{}, nil, fmt.Errorf("get case %s: %w", id, ErrNotFound)
	}
	h, err := s.store.History(ctx, id)
	if err != nil {
		return Case{}, nil, fmt.Errorf("get case %s history: %w", id, err)
	}
	return c, h, nil
}

// Registration is the result of recording a received application.
type Registration struct {
	CaseID  string   `json:"caseId"`
	Receipt Document `json:"receipt"`
}

// Register records the receipt of an application under Object Lock and moves the case on.
// A repeated delivery (Step Functions and Lambda deliver at least once) returns the first result.
func (s *Service) Register(ctx context.Context, in ExecutionInput) (Registration, error) {
	for attempt := 0; ; attempt++ {
		c, err := s.store.Get(ctx, in.CaseID)
		if err != nil {
			return Registration{}, fmt.Errorf("register %s: %w", in.CaseID, err)
		}
		if c.Receipt != nil {
			return Registration{CaseID: c.ID, Receipt: *c.Receipt}, nil
		}
		body, err := json.MarshalIndent(map[string]any{
			"caseId": c.ID, "organization": c.OrganizationBIN, "object": c.ObjectName,
			"edition": c.Edition, "submittedAt": c.SubmittedAt, "receivedAt": c.ReceivedAt,
		}, "", "  ")
		if err != nil {
			return Registration{}, fmt.Errorf("register %s: encode receipt: %w", c.ID, err)
		}
		doc, err := s.records.Put(ctx, "cases/"+c.ID+"/receipt.json", "application/json", body)
		if err != nil {
			return Registration{}, fmt.Errorf("register %s: store receipt: %w", c.ID, err)
		}
		c.Receipt = &doc
		c.Version++
		c.Events++
		ev := Event{Seq: c.Events, At: in.ReceivedAt, Actor: "system", Role: identity.Scheduler, What: "receipt recorded"}
		err = s.store.Update(ctx, c, ev)
		if errors.Is(err, ErrConflict) && attempt < 3 {
			continue // another delivery got there first: read again and return its result
		}
		if err != nil {
			return Registration{}, fmt.Errorf("register %s: %w", c.ID, err)
		}
		return Registration{CaseID: c.ID, Receipt: doc}, nil
	}
}

// OpenStepInput is what the state machine passes when a human step begins.
type OpenStepInput struct {
	TaskToken string        `json:"taskToken"`
	CaseID    string        `json:"caseId"`
	Step      string        `json:"step"`
	Role      identity.Role `json:"role"`
	OpenedAt  time.Time     `json:"openedAt"`
}

// OpenStep keeps the task token on the case with the acting role and the statutory due moment.
// Opening the same step with the same token again changes nothing.
func (s *Service) OpenStep(ctx context.Context, in OpenStepInput) (Step, error) {
	if in.TaskToken == "" || in.CaseID == "" || in.Step == "" {
		return Step{}, fmt.Errorf("open step: taskToken, caseId and step are required: %w", ErrInvalid)
	}
	for attempt := 0; ; attempt++ {
		c, err := s.store.Get(ctx, in.CaseID)
		if err != nil {
			return Step{}, fmt.Errorf("open step %s of %s: %w", in.Step, in.CaseID, err)
		}
		if c.OpenStep != nil && c.OpenStep.Token == in.TaskToken {
			return *c.OpenStep, nil
		}
		due, err := s.deadlines.Due(c.Edition, in.Step, in.OpenedAt)
		if err != nil {
			return Step{}, fmt.Errorf("open step %s of %s: %w", in.Step, in.CaseID, err)
		}
		st := Step{Name: in.Step, Role: in.Role, Token: in.TaskToken, OpenedAt: in.OpenedAt.UTC(),
			DueAt: due.At, Paragraph: due.Paragraph, Provisional: due.Provisional}
		c.OpenStep = &st
		c.Stage = Stage(in.Step)
		c.Version++
		c.Events++
		ev := Event{Seq: c.Events, At: st.OpenedAt, Actor: "system", Role: identity.Scheduler, What: "step opened", Step: in.Step}
		err = s.store.Update(ctx, c, ev)
		if errors.Is(err, ErrConflict) && attempt < 3 {
			continue
		}
		if err != nil {
			return Step{}, fmt.Errorf("open step %s of %s: %w", in.Step, in.CaseID, err)
		}
		return st, nil
	}
}

// StepDecision is what an actor decides on the open step.
type StepDecision struct {
	Outcome string   `json:"outcome"`
	Reasons []string `json:"reasons,omitempty"`
}

// StepOutput is what a completed step hands back to the state machine.
type StepOutput struct {
	Outcome string    `json:"outcome"`
	At      time.Time `json:"at"`
}

// CompleteStep completes the case's open step. The decision is written first, conditional on
// the case's version; only then is the engine told. A repeat of the same decision returns the
// first result (and re-sends the callback, which the engine ignores if it already has it); a
// different decision on a closed step is ErrConflict.
func (s *Service) CompleteStep(ctx context.Context, actor identity.Actor, caseID string, d StepDecision, now time.Time) (Decision, error) {
	c, err := s.store.Get(ctx, caseID)
	if err != nil {
		return Decision{}, fmt.Errorf("complete step of %s: %w", caseID, err)
	}
	if actor.Role == identity.Applicant && c.OrganizationBIN != actor.BIN {
		return Decision{}, fmt.Errorf("complete step of %s: %w", caseID, ErrNotFound)
	}
	if c.OpenStep == nil {
		if last := c.LastDecision; last != nil && last.Outcome == d.Outcome && last.Role == actor.Role {
			return *last, s.callback(ctx, *last)
		}
		return Decision{}, fmt.Errorf("complete step of %s: no step is open: %w", caseID, ErrConflict)
	}
	if c.OpenStep.Role != actor.Role {
		return Decision{}, fmt.Errorf("complete step %s of %s: the %s acts here, not the %s: %w", c.OpenStep.Name, caseID, c.OpenStep.Role, actor.Role, ErrForbidden)
	}
	if strings.TrimSpace(d.Outcome) == "" {
		return Decision{}, fmt.Errorf("complete step %s of %s: outcome is required: %w", c.OpenStep.Name, caseID, ErrInvalid)
	}
	dec := Decision{Step: c.OpenStep.Name, Token: c.OpenStep.Token, Outcome: d.Outcome, Reasons: d.Reasons,
		Actor: actor.Subject, Role: actor.Role, At: now.UTC()}
	c.LastDecision = &dec
	c.OpenStep = nil
	c.Version++
	c.Events++
	ev := Event{Seq: c.Events, At: dec.At, Actor: actor.Subject, Role: actor.Role, What: "step completed: " + d.Outcome, Step: dec.Step, Reasons: d.Reasons}
	if err := s.store.Update(ctx, c, ev); err != nil {
		if errors.Is(err, ErrConflict) {
			// Someone else completed it in the meantime: a repeat of the same decision is fine.
			now, gerr := s.store.Get(ctx, caseID)
			if gerr == nil && now.LastDecision != nil && now.LastDecision.Token == dec.Token && now.LastDecision.Outcome == dec.Outcome {
				return *now.LastDecision, nil
			}
		}
		return Decision{}, fmt.Errorf("complete step %s of %s: %w", dec.Step, caseID, err)
	}
	s.log.InfoContext(ctx, "step completed", "caseId", caseID, "step", dec.Step, "outcome", dec.Outcome, "actor", actor)
	return dec, s.callback(ctx, dec)
}

func (s *Service) callback(ctx context.Context, d Decision) error {
	out, err := json.Marshal(StepOutput{Outcome: d.Outcome, At: d.At})
	if err != nil {
		return fmt.Errorf("encode step output: %w", err)
	}
	if err := s.workflow.Succeed(ctx, d.Token, out); err != nil && !errors.Is(err, ErrStepClosed) {
		return fmt.Errorf("send step %s result: %w", d.Step, err)
	}
	return nil
}

// CloseInput is what the state machine passes when a case reaches its end.
type CloseInput struct {
	CaseID string    `json:"caseId"`
	Stage  Stage     `json:"stage"`
	At     time.Time `json:"at"`
}

// Close writes a case's end stage; closing it again at the same stage changes nothing.
func (s *Service) Close(ctx context.Context, in CloseInput) (Case, error) {
	for attempt := 0; ; attempt++ {
		c, err := s.store.Get(ctx, in.CaseID)
		if err != nil {
			return Case{}, fmt.Errorf("close %s: %w", in.CaseID, err)
		}
		if c.Stage == in.Stage {
			return c, nil
		}
		c.Stage = in.Stage
		c.OpenStep = nil
		c.Version++
		c.Events++
		ev := Event{Seq: c.Events, At: in.At.UTC(), Actor: "system", Role: identity.Scheduler, What: "case closed: " + string(in.Stage)}
		err = s.store.Update(ctx, c, ev)
		if errors.Is(err, ErrConflict) && attempt < 3 {
			continue
		}
		if err != nil {
			return Case{}, fmt.Errorf("close %s: %w", in.CaseID, err)
		}
		return c, nil
	}
}

// DeadlineReport is what one run of the deadline check did.
type DeadlineReport struct {
	At      time.Time `json:"at"`
	Overdue []string  `json:"overdue"`
}

// CheckDeadlines marks every open step due before now as overdue, with a breach event in the
// case's history. Running it again for the same moment changes nothing.
func (s *Service) CheckDeadlines(ctx context.Context, now time.Time) (DeadlineReport, error) {
	rep := DeadlineReport{At: now.UTC(), Overdue: []string{}}
	due, err := s.store.DueSteps(ctx, now, 100)
	if err != nil {
		return rep, fmt.Errorf("deadline check at %s: %w", now.UTC().Format(time.RFC3339), err)
	}
	for _, c := range due {
		if c.OpenStep == nil || c.OpenStep.Overdue || c.OpenStep.DueAt.After(now) {
			continue
		}
		c.OpenStep.Overdue = true
		c.Version++
		c.Events++
		ev := Event{Seq: c.Events, At: now.UTC(), Actor: "deadline-check", Role: identity.Scheduler,
			What: "step overdue: due " + c.OpenStep.DueAt.Format(time.RFC3339), Step: c.OpenStep.Name}
		if err := s.store.Update(ctx, c, ev); err != nil {
			if errors.Is(err, ErrConflict) {
				continue // the case moved meanwhile; the next run sees its new state
			}
			return rep, fmt.Errorf("deadline check: mark %s overdue: %w", c.ID, err)
		}
		rep.Overdue = append(rep.Overdue, c.ID)
	}
	return rep, nil
}
