// Package transition holds the handlers of the state machine's Lambda tasks: each takes the
// task's payload, moves the case through the attestation service, and returns what the next
// state needs. Errors the state machine routes on have named types (their Go type name is the
// errorType Step Functions matches in Retry and Catch); transient ones are retried there, domain
// ones caught and never retried.
package transition

import (
	"context"
	"errors"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
)

// CaseNotFound: the task names a case that does not exist. Caught, never retried.
type CaseNotFound struct{ Err error }

func (e *CaseNotFound) Error() string { return e.Err.Error() }
func (e *CaseNotFound) Unwrap() error { return e.Err }

// CaseClosed: the case has ended (e.g. withdrawn while no step was open). Caught: the execution
// goes to the case's end.
type CaseClosed struct{ Err error }

func (e *CaseClosed) Error() string { return e.Err.Error() }
func (e *CaseClosed) Unwrap() error { return e.Err }

// StepConflict: the case is not at the stage the task expects. Caught, never retried.
type StepConflict struct{ Err error }

func (e *StepConflict) Error() string { return e.Err.Error() }
func (e *StepConflict) Unwrap() error { return e.Err }

// InvalidTaskInput: the task's payload is malformed or names an unknown step. Caught, never retried.
type InvalidTaskInput struct{ Err error }

func (e *InvalidTaskInput) Error() string { return e.Err.Error() }
func (e *InvalidTaskInput) Unwrap() error { return e.Err }

// TransientError: storage or a service did not answer as it should; retried with backoff.
type TransientError struct{ Err error }

func (e *TransientError) Error() string { return e.Err.Error() }
func (e *TransientError) Unwrap() error { return e.Err }

// Named gives err the type the state machine routes on: its kind's Step Functions error name
// from apperr's one table, as a Go type of that name (aws-lambda-go reports an error's type name
// as its errorType).
func Named(err error) error {
	if err == nil {
		return nil
	}
	switch apperr.KindOf(err).StepError() {
	case apperr.StepCaseNotFound:
		return &CaseNotFound{Err: err}
	case apperr.StepCaseClosed:
		return &CaseClosed{Err: err}
	case apperr.StepConflict:
		return &StepConflict{Err: err}
	case apperr.StepInvalidTaskInput:
		return &InvalidTaskInput{Err: err}
	default:
		return &TransientError{Err: err}
	}
}

// Handlers serves the state machine's tasks on a case: receipt, the human steps, closing.
type Handlers struct {
	svc *attestation.Service
}

// New returns the task handlers over svc.
func New(svc *attestation.Service) *Handlers { return &Handlers{svc: svc} }

// Issuer makes a certificate with its documents and register entry (issuing.Service).
type Issuer interface {
	Issue(ctx context.Context, caseID string, at time.Time) (attestation.CertificateIssue, error)
	// Receive records the owner's receipt of the certificate sent with the act (§28, §38, §42).
	Receive(ctx context.Context, caseID string) (attestation.CertificateIssue, error)
}

// IssueTask serves the certificate-issuing task: a handler of its own, so that only the function
// that issues certificates builds the issuer.
type IssueTask struct {
	issuer Issuer
}

// NewIssueTask returns the certificate-issuing task over issuer, which is required.
func NewIssueTask(issuer Issuer) (*IssueTask, error) {
	if issuer == nil {
		return nil, errors.New("issue-certificate task: Issuer is required")
	}
	return &IssueTask{issuer: issuer}, nil
}

// RegisterApplication records the receipt of a filed application (§13) and plans the
// authority's completeness check that follows (§14).
func (h *Handlers) RegisterApplication(ctx context.Context, in attestation.ExecutionInput) (attestation.Registration, error) {
	if in.CaseID == "" || in.ReceivedAt.IsZero() {
		return attestation.Registration{}, &InvalidTaskInput{Err: errors.New("register application: caseId and receivedAt are required")}
	}
	reg, err := h.svc.Register(ctx, in)
	return reg, Named(err)
}

// OpenStepResult is what OpenStep returns to the engine (which then waits for the callback).
type OpenStepResult struct {
	Step  string `json:"step"`
	DueAt string `json:"dueAt,omitempty"`
}

// OpenStep keeps a human step's task token on the case with who acts and by when.
func (h *Handlers) OpenStep(ctx context.Context, in attestation.OpenStepInput) (OpenStepResult, error) {
	st, err := h.svc.OpenStep(ctx, in)
	if err != nil {
		return OpenStepResult{}, Named(err)
	}
	if !st.Runs() {
		return OpenStepResult{Step: st.Name}, nil // a paper case's period starts at the hand-over
	}
	return OpenStepResult{Step: st.Name, DueAt: st.DueAt.Format("2006-01-02T15:04:05Z07:00")}, nil
}

// CloseResult is the output of a closing task.
type CloseResult struct {
	CaseID string            `json:"caseId"`
	Stage  attestation.Stage `json:"stage"`
}

// CloseCase confirms the case's end stage.
func (h *Handlers) CloseCase(ctx context.Context, in attestation.CloseInput) (CloseResult, error) {
	if in.CaseID == "" || in.Stage == "" || in.At.IsZero() {
		return CloseResult{}, &InvalidTaskInput{Err: errors.New("close case: caseId, stage and at are required")}
	}
	c, err := h.svc.Close(ctx, in)
	if err != nil {
		return CloseResult{}, Named(err)
	}
	return CloseResult{CaseID: c.ID, Stage: c.Stage}, nil
}

// IssueInput is the payload of the certificate-issuing task.
type IssueInput struct {
	CaseID string    `json:"caseId"`
	At     time.Time `json:"at"`
	// Receipt: the task after the sending (OwnerReceivesTheCertificate) records the owner's
	// receipt of the certificate instead of issuing it (§28, §42).
	Receipt bool `json:"receipt,omitempty"`
}

// IssueCertificate makes the certificate and its register entry after a decision to issue (§28,
// §29, §38).
func (t *IssueTask) IssueCertificate(ctx context.Context, in IssueInput) (attestation.CertificateIssue, error) {
	if in.CaseID == "" || in.At.IsZero() {
		return attestation.CertificateIssue{}, &InvalidTaskInput{Err: errors.New("issue certificate: caseId and at are required")}
	}
	if in.Receipt {
		out, err := t.issuer.Receive(ctx, in.CaseID)
		return out, Named(err)
	}
	out, err := t.issuer.Issue(ctx, in.CaseID, in.At)
	return out, Named(err)
}

// AttentionResult is the output of the catch-all's task.
type AttentionResult struct {
	CaseID string            `json:"caseId"`
	Stage  attestation.Stage `json:"stage"`
}

// AttentionInput is the payload of a task's attention state: its token, the case, the task that
// kept failing, the engine's error output as the catcher kept it (its Cause may be absent), and the
// moment the engine entered the state.
type AttentionInput struct {
	TaskToken string `json:"taskToken"`
	Task      string `json:"task"`
	CaseID    string `json:"caseId"`
	Failure   struct {
		Error string `json:"Error"`
		Cause string `json:"Cause"`
	} `json:"failure"`
	At time.Time `json:"at"`
}

// NeedsAttention serves each task's attention state (<Task>NeedsAttention, the catch-all's
// target): a task kept failing after its retries, so the failure (the engine's error and cause,
// and when) is recorded on the case with the state's token, and the case goes to the authority's
// queue; the execution waits until the authority hands it back (attestation.ResumeAfterAttention).
func (h *Handlers) NeedsAttention(ctx context.Context, in AttentionInput) (AttentionResult, error) {
	if in.CaseID == "" || in.At.IsZero() || in.TaskToken == "" {
		return AttentionResult{}, &InvalidTaskInput{Err: errors.New("case needs attention: taskToken, caseId and at are required")}
	}
	c, err := h.svc.NeedsAttention(ctx, attestation.AttentionInput{CaseID: in.CaseID, Error: in.Failure.Error,
		Cause: in.Failure.Cause, At: in.At, TaskToken: in.TaskToken, Task: in.Task}, attestation.AttentionFromWorkflow)
	if err != nil {
		return AttentionResult{}, Named(err)
	}
	return AttentionResult{CaseID: c.ID, Stage: c.Stage}, nil
}
