package attestation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"attestation/internal/apperr"
	"attestation/internal/identity"
)

// A case needs attention when the workflow can no longer move it: a task kept failing after its
// retries (the definition's catch-all, CaseNeedsAttention), or its execution ended while the case
// had not (the deadline check's reconciliation). Nothing of the Rules runs on it: it is the
// system's own failure, recorded on the case with the error and its cause, and listed first in
// the authority's work queue until someone acts on it.

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
}

// AttentionInput is what the definition's catch-all passes (and the deadline check, for an
// execution that ended).
type AttentionInput struct {
	CaseID string    `json:"caseId"`
	Error  string    `json:"error"`
	Cause  string    `json:"cause"`
	At     time.Time `json:"at"`
}

// NeedsAttention records on the case that the workflow stopped moving it, and puts it in the
// authority's queue. A case that has ended needs nothing (its execution's failure came after its
// end); a case already marked keeps its first record; so delivering it again changes nothing.
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
		if c.Stage.Ended() || c.Attention != nil {
			return c, nil
		}
		a := Attention{Error: cutTo(in.Error, 256), Cause: cutTo(in.Cause, MaxAttentionCause), At: in.At.UTC(), Stage: c.Stage, Source: source}
		c.Attention = &a
		c.Version++
		c.Events++
		ev := Event{Seq: c.Events, At: a.At, Actor: "system", Role: identity.Scheduler,
			What: "the workflow stopped (" + a.Error + "): the case needs the authority's attention"}
		err = s.store.Update(ctx, c, ev)
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
	return t
}

// WaitsOnEngine reports whether the case waits for the workflow to move it: it has not ended,
// no human step is open, and no one has been told it needs attention.
func (c Case) WaitsOnEngine() bool {
	return !c.Stage.Ended() && c.OpenStep == nil && c.Attention == nil
}
