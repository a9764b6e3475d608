package attestation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"attestation/internal/apperr"
	"attestation/internal/identity"
)

// A case needs attention when the workflow can no longer move it: a task kept failing after its
// retries (the definition's catch-all leads to the task's own attention state, <Task>NeedsAttention),
// or its execution ended while the case had not (the deadline check's reconciliation). Nothing of
// the Rules runs on it: it is the system's own failure, recorded on the case with the error and its
// cause, and listed first in the authority's work queue until the authority acts on it.
//
// The attention state is a callback task: the execution waits, running, with the state's token
// kept on the case. Once the cause is fixed the authority hands the case back (ResumeAfterAttention:
// the token's success, and the failed task runs again on its same input), or closes it as
// unrecoverable (CloseUnrecoverable: the case is discontinued, and the token's failure
// CaseDiscontinued ends the execution). Either is written on the case, conditional on its version,
// before the engine is told, so a repeated or concurrent hand-back changes the case once and tells
// the engine once.

// Where a case's need for attention was noticed.
const (
	AttentionFromWorkflow      = "workflow"       // the definition's catch-all
	AttentionFromDeadlineCheck = "deadline_check" // the reconciliation of executions
)

// MaxAttentionCause bounds the cause kept on the case (the engine's cause can be 32,768
// characters; the case item must stay far below DynamoDB's 400 KB).
const MaxAttentionCause = 2048

// Attention is why the workflow stopped moving a case, and when that was noticed.
type Attention struct {
	Error  string    // the engine's error name (TransientError, States.Timeout, …) or the execution's status
	Cause  string    // the engine's cause, at most MaxAttentionCause bytes
	At     time.Time // when it was noticed: the engine's moment, or the deadline check's
	Stage  Stage     // the stage the case was at
	Source string    // AttentionFromWorkflow or AttentionFromDeadlineCheck
	Task   string    `json:",omitempty"` // the state that kept failing (the workflow's record)
	// Token is the attention state's task token the execution waits on; "" when the deadline
	// check found the execution ended (a redrive may bring a token later).
	Token string `json:",omitempty"`
	// Handback is the authority's act on it; nil while the case waits on the authority.
	Handback *Handback `json:",omitempty"`
}

// What the authority does with a case that needs attention.
const (
	HandbackResume = "resume" // hand it back: the failed task runs again
	HandbackClose  = "close"  // close it as unrecoverable: the case is discontinued
)

// Handback is the authority's act on a case that needed attention, and whether the waiting
// execution was told (Callback: CallbackPending, CallbackSent, CallbackUndelivered; "" when no
// execution waited).
type Handback struct {
	Outcome  string
	Reasons  []string `json:",omitempty"`
	Actor    string
	Role     identity.Role
	At       time.Time
	Callback string `json:",omitempty"`
}

// NeedsAttention reports whether the case waits on the authority: marked, not handed back, not
// ended.
func (c Case) NeedsAttention() bool {
	return c.Attention != nil && c.Attention.Handback == nil && !c.Stage.Ended()
}

// AttentionInput is what the definition's catch-all passes (and the deadline check, for an
// execution that ended).
type AttentionInput struct {
	CaseID string    `json:"caseId"`
	Error  string    `json:"error"`
	Cause  string    `json:"cause"`
	At     time.Time `json:"at"`
	// The attention state's token and the task that failed; none from the deadline check.
	TaskToken string `json:"taskToken,omitempty"`
	Task      string `json:"task,omitempty"`
}

// NeedsAttention records on the case that the workflow stopped moving it, and puts it in the
// authority's queue. A case that has ended needs nothing (its execution's failure came after its
// end; an attention state waiting on it gets ErrClosed, so the execution ends too); a case already
// waiting on the authority keeps its first record and takes the newest token (a retried or
// redriven attention state waits on a new one); so delivering it again changes nothing else. A
// case handed back earlier gets a new record.
func (s *Service) NeedsAttention(ctx context.Context, in AttentionInput, source string) (Case, error) {
	if in.CaseID == "" || in.At.IsZero() {
		return Case{}, apperr.Errorf(apperr.Unprocessable, "", "case needs attention: caseId and at are required")
	}
	if in.Error == "" {
		in.Error = "Unknown"
	}
	for attempt := 0; ; attempt++ {
		c, err := s.getWithoutDocuments(ctx, in.CaseID)
		if err != nil {
			return Case{}, fmt.Errorf("case %s needs attention: %w", in.CaseID, err)
		}
		if c.Stage.Ended() {
			if in.TaskToken != "" {
				return Case{}, apperr.Errorf(apperr.Closed, "", "case %s needs attention: the case is %s", c.ID, c.Stage)
			}
			return c, nil
		}
		var events []Event
		if c.NeedsAttention() {
			if in.TaskToken == "" || c.Attention.Token == in.TaskToken {
				return c, nil
			}
			a := *c.Attention
			a.Token = in.TaskToken
			if in.Task != "" {
				a.Task = in.Task
			}
			c.Attention = &a
			c.Version++
		} else {
			a := Attention{Error: cutTo(in.Error, 256), Cause: cutTo(in.Cause, MaxAttentionCause), At: in.At.UTC(), Stage: c.Stage, Source: source,
				Task: cutTo(in.Task, 128), Token: in.TaskToken}
			c.Attention = &a
			c.Version++
			c.Events++
			events = append(events, Event{Seq: c.Events, At: a.At, Actor: "system", Role: identity.Scheduler,
				What: "the workflow stopped (" + a.Error + "): the case needs the authority's attention"})
		}
		a := *c.Attention
		err = s.store.Update(ctx, c, events...)
		if errors.Is(err, ErrConflict) && attempt < maxRetries {
			continue
		}
		if err != nil {
			return Case{}, fmt.Errorf("case %s needs attention: %w", in.CaseID, err)
		}
		s.log.WarnContext(ctx, "case needs attention", "caseId", c.ID, "stage", c.Stage, "error", a.Error, "source", source)
		return c, nil
	}
}

// cutTo cuts s to at most n bytes, on a rune boundary.
func cutTo(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return strings.TrimSpace(s) + "…"
}

// LastMoment is the latest moment the case records of its own progress: its filing, the opening
// of its step, its last decision. The deadline check counts a case's grace from it.
func (c Case) LastMoment() time.Time {
	t := c.SubmittedAt
	if c.OpenStep != nil && c.OpenStep.OpenedAt.After(t) {
		t = c.OpenStep.OpenedAt
	}
	if c.LastDecision != nil && c.LastDecision.At.After(t) {
		t = c.LastDecision.At
	}
	if a := c.Attention; a != nil && a.Handback != nil && a.Handback.At.After(t) {
		t = a.Handback.At
	}
	return t
}

// WaitsOnEngine reports whether the case waits for the workflow to move it: it has not ended,
// no human step is open, and it does not wait on the authority (a case handed back waits on the
// workflow again).
func (c Case) WaitsOnEngine() bool {
	return !c.Stage.Ended() && c.OpenStep == nil && !c.NeedsAttention()
}

// ResumeAfterAttention hands a case that needs attention back to the workflow once its cause is
// fixed: the task that kept failing runs again on its same input. The authority alone acts;
// reasons are optional. A repeat of a hand-back already done changes nothing (and tells the
// engine again only if the first request may have failed before telling it); a case that does
// not need attention is ErrConflict.
func (s *Service) ResumeAfterAttention(ctx context.Context, actor identity.Actor, caseID string, reasons []string, now time.Time) (Case, error) {
	return s.handBack(ctx, actor, caseID, HandbackResume, reasons, now)
}

// CloseUnrecoverable closes a case that needs attention as unrecoverable: the case is
// discontinued with the authority's reasons (required), and its execution ends. Repeats and
// conflicts as ResumeAfterAttention.
func (s *Service) CloseUnrecoverable(ctx context.Context, actor identity.Actor, caseID string, reasons []string, now time.Time) (Case, error) {
	return s.handBack(ctx, actor, caseID, HandbackClose, reasons, now)
}

func (s *Service) handBack(ctx context.Context, actor identity.Actor, caseID, outcome string, reasons []string, now time.Time) (Case, error) {
	if actor.Role != identity.Authority {
		return Case{}, apperr.Errorf(apperr.Forbidden, "", "case %s: only the authority acts on a case that needs attention", caseID)
	}
	reasons, err := cleanReasons(reasons)
	if err != nil {
		return Case{}, apperr.Errorf(apperr.Unprocessable, "", "case %s: %v", caseID, err)
	}
	if outcome == HandbackClose && len(reasons) == 0 {
		return Case{}, apperr.Errorf(apperr.Unprocessable, "", "case %s: reasons: closing a case as unrecoverable requires its reasons", caseID)
	}
	for attempt := 0; ; attempt++ {
		c, err := s.store.Get(ctx, caseID)
		if err != nil {
			return Case{}, fmt.Errorf("hand back %s: %w", caseID, err)
		}
		if a := c.Attention; a != nil && a.Handback != nil && a.Handback.Outcome == outcome {
			// A repeat: the first request wrote it and told the engine (or is telling it).
			if h := a.Handback; h.Callback == CallbackPending && now.Sub(h.At) >= redeliverAfter {
				return s.deliverHandback(ctx, c)
			}
			return c, nil
		}
		if !c.NeedsAttention() {
			return Case{}, apperr.Errorf(apperr.Conflict, "case", "case %s does not need attention (it is %s)", caseID, c.Stage)
		}
		a := *c.Attention
		h := Handback{Outcome: outcome, Reasons: reasons, Actor: actor.Subject, Role: actor.Role, At: now.UTC()}
		if a.Token != "" {
			h.Callback = CallbackPending
		}
		a.Handback = &h
		c.Attention = &a
		what := "handed back to the workflow by the authority"
		if a.Task != "" {
			what += ": " + a.Task + " runs again"
		}
		if outcome == HandbackClose {
			c.Stage, c.OpenStep = StageDiscontinued, nil
			what = "closed by the authority as unrecoverable: the case is discontinued"
		}
		c.Version++
		c.Events++
		ev := Event{Seq: c.Events, At: h.At, Actor: actor.Subject, Role: actor.Role, What: what, Reasons: reasons}
		err = s.store.Update(ctx, c, ev)
		if errors.Is(err, ErrConflict) && attempt < maxRetries {
			continue // another request changed the case: read it again
		}
		if err != nil {
			return Case{}, fmt.Errorf("hand back %s: %w", caseID, err)
		}
		s.log.InfoContext(ctx, "case handed back", "caseId", c.ID, "outcome", outcome, "task", a.Task, "actor", actor)
		return s.deliverHandback(ctx, c)
	}
}

// deliverHandback tells the waiting attention state about the authority's hand-back, records
// that it did, and returns the case as recorded. Without a token (the execution had ended) there
// is no one to tell.
func (s *Service) deliverHandback(ctx context.Context, c Case) (Case, error) {
	a := *c.Attention
	h := *a.Handback
	if a.Token == "" {
		return c, nil
	}
	out, err := json.Marshal(StepOutput{Step: QueueNeedsAttention, Outcome: Outcome(h.Outcome), At: h.At})
	if err != nil {
		return c, fmt.Errorf("encode the hand-back of %s: %w", c.ID, err)
	}
	// Recorded as sent before it is sent: once the engine has it, the resumed task reads and
	// writes the case at once, and a mark written after would race that write and could be lost.
	// A send that fails puts the mark back; a crash in between leaves a resumed case that waits
	// on the workflow, which the deadline check finds idle and marks for attention again.
	if err := s.store.MarkHandback(ctx, c.ID, a.Token, CallbackSent); err != nil {
		if errors.Is(err, ErrConflict) { // another delivery of this hand-back recorded it first
			return c, nil
		}
		return c, fmt.Errorf("record the hand-back of %s: %w", c.ID, err)
	}
	if h.Outcome == HandbackClose {
		err = s.workflow.Fail(ctx, a.Token, ErrorDiscontinued, string(out))
	} else {
		err = s.workflow.Succeed(ctx, a.Token, out)
	}
	state := CallbackSent
	switch {
	case errors.Is(err, ErrStepClosed):
		// The execution no longer waits (stopped, timed out): a resumed case waits on the
		// workflow, and the deadline check finds its ended execution and marks it again.
		state = CallbackUndelivered
		s.log.WarnContext(ctx, "hand-back not taken: the execution no longer waits", "caseId", c.ID, "outcome", h.Outcome)
	case err != nil:
		if merr := s.store.MarkHandback(ctx, c.ID, a.Token, CallbackPending); merr != nil {
			s.log.ErrorContext(ctx, "hand-back not sent, and its mark not put back", "caseId", c.ID, "error", merr)
		}
		return c, fmt.Errorf("send the hand-back of %s: %w", c.ID, err)
	}
	if state != CallbackSent {
		if err := s.store.MarkHandback(ctx, c.ID, a.Token, state); err != nil && !errors.Is(err, ErrConflict) {
			return c, fmt.Errorf("record the hand-back of %s: %w", c.ID, err)
		}
	}
	h.Callback = state
	a.Handback = &h
	c.Attention = &a
	return c, nil
}
