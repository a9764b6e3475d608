package attestation

import (
	"strings"
	"testing"
	"time"

	"attestation/internal/identity"
)

// TestACaseTheWorkflowStoppedGoesToTheAuthoritysQueue: the catch-all's record (error, cause,
// when) is kept on the case with a history event, the authority's queue lists the case first
// and overdue, a second delivery changes nothing, and an ended case needs nothing.
func TestACaseTheWorkflowStoppedGoesToTheAuthoritysQueue(t *testing.T) {
	h := newHarness(t)
	id := h.newCase(caseSpec{})
	at := h.now.Add(time.Hour)
	long := strings.Repeat("x", MaxAttentionCause+100)
	in := AttentionInput{CaseID: id, Error: "TransientError", Cause: long, At: at}
	c, err := h.svc.NeedsAttention(h.ctx, in, AttentionFromWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	a := c.Attention
	if a == nil || a.Error != "TransientError" || !a.At.Equal(at) || a.Stage != StageSubmitted || a.Source != AttentionFromWorkflow {
		t.Fatalf("attention: %+v", a)
	}
	if len(a.Cause) > MaxAttentionCause+len("…") {
		t.Errorf("the cause is kept whole (%d bytes), want at most %d", len(a.Cause), MaxAttentionCause)
	}
	hist := h.history(id)
	if last := hist[len(hist)-1]; !strings.Contains(last.What, "needs the authority's attention") || !last.At.Equal(at) {
		t.Errorf("history: %+v", last)
	}
	items, _, err := h.svc.Queue(h.ctx, actorFor(identity.Authority), "", false, 0, "", at)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Step != QueueNeedsAttention || !items[0].Overdue || items[0].Attention == nil ||
		items[0].Attention.Error != "TransientError" {
		t.Fatalf("the authority's queue: %+v", items)
	}
	if only, _, err := h.svc.Queue(h.ctx, actorFor(identity.Authority), QueueNeedsAttention, true, 0, "", at); err != nil || len(only) != 1 {
		t.Fatalf("?step=%s&overdue=true: %+v %v", QueueNeedsAttention, only, err)
	}
	if _, _, err := h.svc.Queue(h.ctx, actorFor(identity.STS), QueueNeedsAttention, false, 0, "", at); err == nil {
		t.Error("the STS filters its queue on the authority's attention")
	}
	again, err := h.svc.NeedsAttention(h.ctx, AttentionInput{CaseID: id, Error: "Other", At: at.Add(time.Hour)}, AttentionFromDeadlineCheck)
	if err != nil || again.Version != c.Version || again.Attention.Error != "TransientError" {
		t.Fatalf("a second record changed the case: %+v %v", again.Attention, err)
	}

	ended := h.newCase(caseSpec{})
	ec := h.get(ended)
	ec.Stage, ec.Version = StageWithdrawn, ec.Version+1
	if err := h.store.Update(h.ctx, ec); err != nil {
		t.Fatal(err)
	}
	if got, err := h.svc.NeedsAttention(h.ctx, AttentionInput{CaseID: ended, Error: "TransientError", At: at}, AttentionFromWorkflow); err != nil || got.Attention != nil {
		t.Fatalf("an ended case was marked: %+v %v", got.Attention, err)
	}
}
