// Package transition holds the handlers of the state machine's Lambda tasks: each takes the
// task's payload, moves the case through the attestation service, and returns what the next
// state needs. Errors the state machine routes on have named types (their Go type name is the
// errorType Step Functions matches in Retry and Catch).
package transition

import (
	"context"
	"errors"
	"fmt"
	"time"

	"attestation/internal/attestation"
)

// CaseNotFound: the task names a case that does not exist. Caught, never retried.
type CaseNotFound struct{ Err error }

func (e *CaseNotFound) Error() string { return e.Err.Error() }
func (e *CaseNotFound) Unwrap() error { return e.Err }

// InvalidTaskInput: the task's payload is malformed or names an unknown step. Caught, never retried.
type InvalidTaskInput struct{ Err error }

func (e *InvalidTaskInput) Error() string { return e.Err.Error() }
func (e *InvalidTaskInput) Unwrap() error { return e.Err }

// TransientError: storage or a service did not answer as it should; retried with backoff.
type TransientError struct{ Err error }

func (e *TransientError) Error() string { return e.Err.Error() }
func (e *TransientError) Unwrap() error { return e.Err }

// named gives err the type the state machine routes on.
func named(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, attestation.ErrNotFound):
		return &CaseNotFound{Err: err}
	case errors.Is(err, attestation.ErrInvalid), errors.Is(err, attestation.ErrForbidden):
		return &InvalidTaskInput{Err: err}
	default:
		return &TransientError{Err: err}
	}
}

// Handlers serves the state machine's tasks.
type Handlers struct {
	svc       *attestation.Service
	deadlines attestation.Deadlines
}

// New returns the task handlers over svc.
func New(svc *attestation.Service, deadlines attestation.Deadlines) *Handlers {
	return &Handlers{svc: svc, deadlines: deadlines}
}

// NextStep tells the state machine the callback timeout of the human step that follows.
type NextStep struct {
	Step           string    `json:"step"`
	OpensAt        time.Time `json:"opensAt"`
	TimeoutSeconds int64     `json:"timeoutSeconds"`
}

// RegisterResult is the output of RecordApplicationReceipt.
type RegisterResult struct {
	attestation.Registration
	Next NextStep `json:"next"`
}

// RegisterApplication records the receipt of a filed application (§13) and plans the
// authority's completeness check that follows (§14).
func (h *Handlers) RegisterApplication(ctx context.Context, in attestation.ExecutionInput) (RegisterResult, error) {
	if in.CaseID == "" || in.ReceivedAt.IsZero() {
		return RegisterResult{}, &InvalidTaskInput{Err: errors.New("register application: caseId and receivedAt are required")}
	}
	reg, err := h.svc.Register(ctx, in)
	if err != nil {
		return RegisterResult{}, named(err)
	}
	next, err := h.plan(ctx, in.CaseID, "completeness_check", in.ReceivedAt)
	if err != nil {
		return RegisterResult{}, named(err)
	}
	return RegisterResult{Registration: reg, Next: next}, nil
}

func (h *Handlers) plan(ctx context.Context, caseID, step string, opensAt time.Time) (NextStep, error) {
	c, _, err := h.svc.Get(ctx, systemActor, caseID)
	if err != nil {
		return NextStep{}, err
	}
	due, err := h.deadlines.Due(c.Edition, step, opensAt)
	if err != nil {
		return NextStep{}, fmt.Errorf("plan %s of %s: %w", step, caseID, err)
	}
	return NextStep{Step: step, OpensAt: opensAt, TimeoutSeconds: due.TimeoutSeconds}, nil
}

// OpenStepResult is what OpenStep returns to the engine (which waits for the callback).
type OpenStepResult struct {
	Step  string    `json:"step"`
	DueAt time.Time `json:"dueAt"`
}

// OpenStep keeps a human step's task token on the case with who acts and by when.
func (h *Handlers) OpenStep(ctx context.Context, in attestation.OpenStepInput) (OpenStepResult, error) {
	st, err := h.svc.OpenStep(ctx, in)
	if err != nil {
		return OpenStepResult{}, named(err)
	}
	return OpenStepResult{Step: st.Name, DueAt: st.DueAt}, nil
}

// CloseResult is the output of a closing task.
type CloseResult struct {
	CaseID string            `json:"caseId"`
	Stage  attestation.Stage `json:"stage"`
}

// CloseCase writes the case's end stage.
func (h *Handlers) CloseCase(ctx context.Context, in attestation.CloseInput) (CloseResult, error) {
	if in.CaseID == "" || in.Stage == "" || in.At.IsZero() {
		return CloseResult{}, &InvalidTaskInput{Err: errors.New("close case: caseId, stage and at are required")}
	}
	c, err := h.svc.Close(ctx, in)
	if err != nil {
		return CloseResult{}, named(err)
	}
	return CloseResult{CaseID: c.ID, Stage: c.Stage}, nil
}
