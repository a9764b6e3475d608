package attestation

import (
	"errors"
	"strings"
	"sync"
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

// TestTheAuthorityHandsAStuckCaseBack: the workflow's record keeps the attention state's token
// (a retried attention state's newer token replaces it; the first record stays); only the
// authority hands the case back, once: concurrent and repeated resumes change the case once and
// send the token's success once; the case leaves the queue and waits on the workflow again; a
// case that does not need attention is ErrConflict.
func TestTheAuthorityHandsAStuckCaseBack(t *testing.T) {
	h := newHarness(t)
	id := h.newCase(caseSpec{})
	at := h.now.Add(time.Hour)
	rec := func(token string) Case {
		t.Helper()
		c, err := h.svc.NeedsAttention(h.ctx, AttentionInput{CaseID: id, Error: "TransientError", Cause: "down", At: at,
			TaskToken: token, Task: "RecordApplicationReceipt"}, AttentionFromWorkflow)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := rec("tok-1")
	if a := c.Attention; a.Token != "tok-1" || a.Task != "RecordApplicationReceipt" || !c.NeedsAttention() || c.WaitsOnEngine() {
		t.Fatalf("attention: %+v", a)
	}
	events := len(h.history(id))
	if c = rec("tok-2"); c.Attention.Token != "tok-2" || !c.Attention.At.Equal(at) || len(h.history(id)) != events {
		t.Fatalf("a retried attention state: %+v, %d events (want %d)", c.Attention, len(h.history(id)), events)
	}
	if _, err := h.svc.ResumeAfterAttention(h.ctx, actorFor(identity.STS), id, nil, at); !errors.Is(err, ErrForbidden) {
		t.Fatalf("the STS resumed: %v", err)
	}
	later := at.Add(time.Hour)
	var wg sync.WaitGroup
	errs := make([]error, 5)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = h.svc.ResumeAfterAttention(h.ctx, actorFor(identity.Authority), id, []string{"the table is back"}, later)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := h.wf.count("Succeed", "tok-2"); n != 1 || h.wf.sends("tok-1") != 0 {
		t.Fatalf("the token's success was sent %d times (want 1), the old token %d", n, h.wf.sends("tok-1"))
	}
	c = h.get(id)
	if hb := c.Attention.Handback; hb == nil || hb.Outcome != HandbackResume || hb.Callback != CallbackSent || c.NeedsAttention() || !c.WaitsOnEngine() ||
		!c.LastMoment().Equal(later) {
		t.Fatalf("after the hand-back: %+v %+v", c.Attention, c.Attention.Handback)
	}
	if hist := h.history(id); len(hist) != events+1 || !strings.Contains(hist[len(hist)-1].What, "RecordApplicationReceipt runs again") {
		t.Fatalf("history: %+v", hist[events:])
	}
	if items, _, _ := h.svc.Queue(h.ctx, actorFor(identity.Authority), QueueNeedsAttention, false, 0, "", later); len(items) != 0 {
		t.Fatalf("still in the queue: %+v", items)
	}
	v := c.Version
	if again, err := h.svc.ResumeAfterAttention(h.ctx, actorFor(identity.Authority), id, nil, later.Add(time.Minute)); err != nil || again.Version != v || h.wf.sends("tok-2") != 1 {
		t.Fatalf("a repeated resume: %v, version %d (want %d), %d sends", err, again.Version, v, h.wf.sends("tok-2"))
	}
	if _, err := h.svc.CloseUnrecoverable(h.ctx, actorFor(identity.Authority), id, []string{"too late"}, later); !errors.Is(err, ErrConflict) {
		t.Fatalf("closing a case handed back: %v", err)
	}
	// It fails again: a new record, a new token.
	if c = rec("tok-3"); !c.NeedsAttention() || c.Attention.Handback != nil || c.Attention.Token != "tok-3" {
		t.Fatalf("a second failure: %+v", c.Attention)
	}
}

// TestTheAuthorityClosesAStuckCase: closing requires reasons; the case is discontinued (an end
// stage), the token's failure is CaseDiscontinued, once; an execution that no longer waits
// leaves the hand-back undelivered; a case the deadline check found (no token) is closed without
// telling anyone; the applicant's withdrawal fails a waiting attention state with Withdrawn.
func TestTheAuthorityClosesAStuckCase(t *testing.T) {
	h := newHarness(t)
	at := h.now.Add(time.Hour)
	mark := func(token, source string) string {
		id := h.newCase(caseSpec{})
		if _, err := h.svc.NeedsAttention(h.ctx, AttentionInput{CaseID: id, Error: "TransientError", At: at, TaskToken: token}, source); err != nil {
			t.Fatal(err)
		}
		return id
	}
	id := mark("tok-c", AttentionFromWorkflow)
	auth := actorFor(identity.Authority)
	if _, err := h.svc.CloseUnrecoverable(h.ctx, auth, id, nil, at); !errors.Is(err, ErrInvalid) {
		t.Fatalf("closed without reasons: %v", err)
	}
	for range 2 {
		c, err := h.svc.CloseUnrecoverable(h.ctx, auth, id, []string{"the object no longer exists"}, at)
		if err != nil || c.Stage != StageDiscontinued || !c.Stage.Ended() {
			t.Fatalf("close: %v %s", err, c.Stage)
		}
	}
	if calls := h.wf.callsFor("tok-c"); len(calls) != 1 || calls[0].Method != "Fail" || calls[0].ErrorName != ErrorDiscontinued {
		t.Fatalf("calls on the token: %+v", calls)
	}
	if _, err := h.svc.ResumeAfterAttention(h.ctx, auth, id, nil, at); !errors.Is(err, ErrConflict) {
		t.Fatalf("resuming a discontinued case: %v", err)
	}

	gone := mark("tok-gone", AttentionFromWorkflow)
	h.wf.closeToken("tok-gone")
	if _, err := h.svc.ResumeAfterAttention(h.ctx, auth, gone, nil, at); err != nil {
		t.Fatal(err)
	}
	if hb := h.get(gone).Attention.Handback; hb.Callback != CallbackUndelivered {
		t.Fatalf("a hand-back the engine no longer took: %+v", hb)
	}

	found := mark("", AttentionFromDeadlineCheck)
	if c, err := h.svc.CloseUnrecoverable(h.ctx, auth, found, []string{"aborted by mistake"}, at); err != nil || c.Stage != StageDiscontinued || c.Attention.Handback.Callback != "" {
		t.Fatalf("closing a case whose execution ended: %v %+v", err, c.Attention)
	}

	waiting := mark("tok-w", AttentionFromWorkflow)
	if _, err := h.svc.Withdraw(h.ctx, applicant, waiting, at); err != nil {
		t.Fatal(err)
	}
	if calls := h.wf.callsFor("tok-w"); len(calls) != 1 || calls[0].ErrorName != ErrorWithdrawn {
		t.Fatalf("withdrawn while waiting on the authority: %+v", calls)
	}
	// The attention state of a case that ended gets CaseClosed (its execution ends too).
	if _, err := h.svc.NeedsAttention(h.ctx, AttentionInput{CaseID: waiting, Error: "X", At: at, TaskToken: "tok-w2"}, AttentionFromWorkflow); !errors.Is(err, ErrClosed) {
		t.Fatalf("an attention state on an ended case: %v", err)
	}
}
