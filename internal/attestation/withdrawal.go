package attestation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/identity"
)

// Withdrawal: the applicant ends an open case; the open step is failed with Withdrawn.

// Withdraw ends an open case at the applicant's request. The open step's token is failed with
// Withdrawn (the engine cannot stop an execution waiting on a callback; this also keeps its
// history readable). If no step is open, the next one the engine opens finds the case closed.
func (s *Service) Withdraw(ctx context.Context, actor identity.Actor, caseID string, now time.Time) (Case, error) {
	for attempt := 0; ; attempt++ {
		c, err := s.store.Get(ctx, caseID)
		if err != nil {
			return Case{}, fmt.Errorf("withdraw %s: %w", caseID, err)
		}
		if actor.Role != identity.Applicant || c.OrganizationBIN != actor.BIN {
			if actor.Role == identity.Applicant {
				return Case{}, apperr.Errorf(apperr.NotFound, "case", "withdraw %s", caseID)
			}
			return Case{}, apperr.Errorf(apperr.Forbidden, "", "withdraw %s: only the applicant withdraws", caseID)
		}
		if c.Stage == StageWithdrawn {
			if d := c.LastDecision; d != nil && d.Error == ErrorWithdrawn && d.Callback == CallbackPending && now.Sub(d.At) >= redeliverAfter {
				return c, s.deliver(ctx, c.ID, *d)
			}
			return c, nil
		}
		if c.Stage.Ended() {
			return Case{}, apperr.Errorf(apperr.Closed, "", "withdraw %s: the case is %s", caseID, c.Stage)
		}
		nc := c
		nc.Stage = StageWithdrawn
		nc.OpenStep = nil
		var dec *Decision
		if st := c.OpenStep; st != nil {
			dec = &Decision{Step: st.Name, Token: st.Token, Outcome: "withdrawn", Actor: actor.Subject, Role: actor.Role,
				At: now.UTC(), Next: &NextStep{Stage: StageWithdrawn, OpensAt: now.UTC()}, Callback: CallbackPending, Error: ErrorWithdrawn}
			nc.LastDecision = dec
		} else if a := c.Attention; c.NeedsAttention() && a.Token != "" {
			// The execution waits in an attention state: it is failed with Withdrawn as a step is.
			dec = &Decision{Step: QueueNeedsAttention, Token: a.Token, Outcome: "withdrawn", Actor: actor.Subject, Role: actor.Role,
				At: now.UTC(), Next: &NextStep{Stage: StageWithdrawn, OpensAt: now.UTC()}, Callback: CallbackPending, Error: ErrorWithdrawn}
			nc.LastDecision = dec
		}
		nc.Version++
		nc.Events++
		ev := Event{Seq: nc.Events, At: now.UTC(), Actor: actor.Subject, Role: actor.Role, What: whatWithdrawn}
		err = s.store.Update(ctx, nc, ev)
		if errors.Is(err, ErrConflict) && attempt < maxRetries {
			continue
		}
		if err != nil {
			return Case{}, fmt.Errorf("withdraw %s: %w", caseID, err)
		}
		if dec != nil {
			if err := s.deliver(ctx, c.ID, *dec); err != nil {
				return nc, err
			}
		}
		return nc, nil
	}
}
