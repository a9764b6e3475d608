package deadline

import (
	"context"
	"errors"
	"fmt"
	"time"

	"attestation/internal/attestation"
)

// The reconciliation of executions: a case that waits on the workflow (no step open, not ended)
// for longer than a grace period is asked about at the engine; if its execution is no longer
// running, nothing will ever move it, so it is marked as needing attention and goes to the
// authority's queue. Only cases past the grace period are read (an index of cases waiting on the
// workflow, never a Scan), and only those are described. A case waiting on the authority's
// attention is not among them (its execution waits, running, in the task's attention state); one
// the authority handed back is again, from the hand-back's moment: if no execution took the
// hand-back, the next run past the grace period marks it again.

// DefaultGrace is how long a case may wait on the workflow before the engine is asked about it:
// far beyond a task's retries (seconds), short enough to be noticed the same day.
const DefaultGrace = time.Hour

// DefaultReconcileLimit bounds the executions described in one run (DescribeExecution's quota is
// generous, but one run stays short); the report says when more were left for the next run.
const DefaultReconcileLimit = 200

// Execution is the engine's word on a case's execution.
type Execution struct {
	Status string // RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE, or MISSING
	Error  string
	Cause  string
}

// Engine describes a case's execution (sfnflow.Workflow, through the root's adapter).
type Engine interface {
	Execution(ctx context.Context, caseID string) (Execution, error)
}

// Waiting finds the cases that wait on the workflow and have not changed since before
// (dynamostore.Store).
type Waiting interface {
	WaitingOnEngine(ctx context.Context, before time.Time, limit int) ([]attestation.Case, error)
}

// Marker records that a case needs attention (attestation.Service).
type Marker interface {
	NeedsAttention(ctx context.Context, in attestation.AttentionInput, source string) (attestation.Case, error)
}

// ExecutionsDeps are what the reconciliation needs; Grace and Limit default.
type ExecutionsDeps struct {
	Waiting Waiting
	Engine  Engine
	Marker  Marker
	Grace   time.Duration // DefaultGrace if zero
	Limit   int           // DefaultReconcileLimit if zero
}

// Executions is the reconciliation of executions, a Checker.
type Executions struct {
	d ExecutionsDeps
}

var _ Checker = (*Executions)(nil)

// NewExecutions returns the reconciliation on d, or an error naming what d lacks.
func NewExecutions(d ExecutionsDeps) (*Executions, error) {
	switch {
	case d.Waiting == nil:
		return nil, errors.New("executions check: Waiting is required")
	case d.Engine == nil:
		return nil, errors.New("executions check: Engine is required")
	case d.Marker == nil:
		return nil, errors.New("executions check: Marker is required")
	case d.Grace < 0 || d.Limit < 0:
		return nil, errors.New("executions check: Grace and Limit must not be negative")
	}
	if d.Grace == 0 {
		d.Grace = DefaultGrace
	}
	if d.Limit == 0 {
		d.Limit = DefaultReconcileLimit
	}
	return &Executions{d: d}, nil
}

// StoppedCase is a case whose execution ended while the case had not.
type StoppedCase struct {
	CaseID    string            `json:"caseId"`
	Stage     attestation.Stage `json:"stage"`
	Execution string            `json:"execution"` // the execution's status
	Error     string            `json:"error,omitempty"`
}

// ExecutionsReport is what one reconciliation did.
type ExecutionsReport struct {
	Described      int           `json:"described"` // cases past the grace period, asked about at the engine
	Running        int           `json:"running"`   // of those, still running (e.g. a callback no longer waited on, to be re-opened, or a task being retried)
	NeedsAttention []StoppedCase `json:"needsAttention,omitempty"`
	More           bool          `json:"more,omitempty"` // the limit was reached; the next run goes on
	Failed         []string      `json:"failed,omitempty"`
}

// Check describes the execution of every case waiting on the workflow since before now minus
// the grace period, and marks those whose execution ended as needing attention.
func (e *Executions) Check(ctx context.Context, now time.Time) (any, error) {
	rep := ExecutionsReport{}
	cases, err := e.d.Waiting.WaitingOnEngine(ctx, now.Add(-e.d.Grace), e.d.Limit)
	if err != nil {
		return rep, fmt.Errorf("cases waiting on the workflow: %w", err)
	}
	rep.More = len(cases) >= e.d.Limit
	var failed []error
	for _, c := range cases {
		if !c.WaitsOnEngine() {
			continue
		}
		rep.Described++
		ex, err := e.d.Engine.Execution(ctx, c.ID)
		if err != nil {
			failed = append(failed, err)
			rep.Failed = append(rep.Failed, c.ID)
			continue
		}
		if ex.Status == "RUNNING" || ex.Status == "PENDING_REDRIVE" {
			rep.Running++
			continue
		}
		// Ended (failed, timed out, aborted, missing, or even succeeded) while the case had not.
		in := attestation.AttentionInput{CaseID: c.ID, Error: "execution " + ex.Status, Cause: ex.Error, At: now}
		if ex.Cause != "" {
			in.Cause = ex.Error + ": " + ex.Cause
		}
		if _, err := e.d.Marker.NeedsAttention(ctx, in, attestation.AttentionFromDeadlineCheck); err != nil {
			failed = append(failed, err)
			rep.Failed = append(rep.Failed, c.ID)
			continue
		}
		rep.NeedsAttention = append(rep.NeedsAttention, StoppedCase{CaseID: c.ID, Stage: c.Stage, Execution: ex.Status, Error: ex.Error})
	}
	return rep, errors.Join(failed...)
}
