package attestation

import (
	"context"
	"strings"
	"testing"
	"time"

	"attestation/internal/notice"
)

// A paper case's periods from receipt (receipt.go, office.go): the applicant receives the contract
// (§17) and the act sent with the decision to rectify (§31) when the office hands them over, so
// the period does not start, and no lapse can apply, before the hand-over is recorded; recording it
// sets the due moment from the hand-over, with the period's notification, in the same write.

// paperCase creates a case filed on paper at the office (the harness's newCase, marked as the
// office's receipt marks it).
func (h *harness) paperCase() string {
	h.t.Helper()
	id := h.newCase(caseSpec{})
	c := h.get(id)
	c.Paper = &PaperFiling{Organization: c.OrganizationBIN, OrganizationName: "Digital Services LLP",
		Receipt: &ReceiptMark{Officer: office.Name, OfficerSubject: office.Subject, At: c.SubmittedAt}}
	c.Version++
	if err := h.store.Update(h.ctx, c); err != nil {
		h.t.Fatal(err)
	}
	return id
}

// handOver records the office's hand-over of the case's latest document of kind at at.
func (h *harness) handOver(id, kind string, at time.Time) HandOver {
	h.t.Helper()
	ho, err := h.svc.RecordHandOver(h.ctx, office, id, HandOverRequest{Document: kind, ReceivedBy: "Serikov Arman"}, at)
	if err != nil {
		h.t.Fatalf("hand over %s of %s at %s: %v", kind, id, at, err)
	}
	return ho
}

// lastEvent is the case's last history event.
func (h *harness) lastEvent(id string) Event {
	h.t.Helper()
	ev := h.history(id)
	return ev[len(ev)-1]
}

// oneNotice is the one notification a write of c with events reports.
func oneNotice(t *testing.T, c Case, events ...Event) notice.Notification {
	t.Helper()
	ns := Notices(c, events)
	if len(ns) != 1 {
		t.Fatalf("the write reports %d notifications, want 1: %+v", len(ns), ns)
	}
	return ns[0]
}

func TestPar17PaperContractPeriodStartsAtTheHandOver(t *testing.T) {
	h := newHarness(t)
	id := h.paperCase()
	c := h.walk(id, StageSignContract, route{})
	st := c.OpenStep
	t.Run("§17 the step waits for the hand-over: no due moment, a callback that outlives the execution", func(t *testing.T) {
		if !st.AwaitsHandOver || !st.DueAt.IsZero() || st.Runs() || st.Paragraph != "§17" {
			t.Fatalf("sign_contract %+v: want it waiting for the hand-over, without a due moment", st)
		}
		if next := c.LastDecision.Next; next == nil || next.TimeoutSeconds != HandOverTimeout {
			t.Fatalf("the engine's plan %+v: want the callback timeout %d", next, HandOverTimeout)
		}
		n := oneNotice(t, c) // the step's opening: a write without events
		if n.Kind != notice.ContractSent || n.DueAt != nil || !n.StartsAtHandOver || n.To.BIN != applicantBIN {
			t.Fatalf("the opening's notification %+v: want contract_sent starting at the hand-over, with no due moment", n)
		}
	})
	t.Run("§17 no lapse and no reminder before the hand-over, however long it waits", func(t *testing.T) {
		late := addWD(t, st.OpenedAt, 30)
		rep, err := h.svc.CheckDeadlines(h.ctx, late)
		if err != nil || len(rep.Lapsed) != 0 || len(rep.Overdue) != 0 {
			t.Fatalf("deadline check: %+v %v", rep, err)
		}
		_, err = h.svc.Lapse(h.ctx, id, late)
		mustErr(t, err, ErrRule)
		if rem, err := NewReminderCheck(h.svc).Check(h.ctx, late); err != nil || len(rem.(ReminderReport).Reminded) != 0 {
			t.Fatalf("reminders: %+v %v", rem, err)
		}
		h.unchanged(c)
		st, err := h.svc.Status(h.ctx, id, late)
		if err != nil || st.NextDueAt != nil || !st.AwaitsHandOver {
			t.Fatalf("status %+v %v: want no due moment, awaiting the hand-over", st, err)
		}
	})
	t.Run("§17 the engine's re-opening keeps it waiting, with no breach", func(t *testing.T) {
		re := h.open(id, StageSignContract, st.OpenedAt)
		if !re.AwaitsHandOver || re.Overdue || re.Reopened != 1 {
			t.Fatalf("re-opened %+v", re)
		}
		if e := h.lastEvent(id); !strings.Contains(e.What, "waits for the hand-over") {
			t.Fatalf("re-opening event %q", e.What)
		}
		c = h.get(id)
	})
	// Wednesday 2026-11-18, 10:00 in Almaty: the office hands the contract over.
	at := kzTime(time.November, 18, 10, 0)
	t.Run("§17 the hand-over starts the 5 working days, with their notification in the same write", func(t *testing.T) {
		h.handOver(id, DocContract, at)
		got := h.get(id)
		due := addWD(t, at, 5) // Thu 19, Fri 20, Mon 23 ... Wed 25
		if s := got.OpenStep; s.AwaitsHandOver || !s.DueAt.Equal(due) || s.HandedOverAt == nil || !s.HandedOverAt.Equal(at) || s.Token != c.OpenStep.Token {
			t.Fatalf("after the hand-over %+v: want due %s from the hand-over %s", s, due, at)
		}
		if got.Version != c.Version+1 {
			t.Fatalf("version %d, want one write after %d", got.Version, c.Version)
		}
		ev := h.lastEvent(id)
		if !strings.HasPrefix(ev.What, "handed over at the office: contract to Serikov Arman") || !strings.Contains(ev.What, "§17") {
			t.Fatalf("hand-over event %q", ev.What)
		}
		n := oneNotice(t, got, ev)
		if n.Kind != notice.ContractSent || n.DueAt == nil || !n.DueAt.Equal(due) || n.StartsAtHandOver || n.HandedOverAt == nil || !n.HandedOverAt.Equal(at) {
			t.Fatalf("the hand-over's notification %+v: want contract_sent due %s", n, due)
		}
		// Handing it to the same person again changes nothing.
		h.handOver(id, DocContract, at.Add(time.Hour))
		h.unchanged(got)
		c = got
	})
	t.Run("§17 the lapse applies after the due moment counted from the hand-over", func(t *testing.T) {
		due := c.OpenStep.DueAt
		if rep, err := h.svc.CheckDeadlines(h.ctx, due); err != nil || len(rep.Lapsed) != 0 {
			t.Fatalf("deadline check at the due moment: %+v %v", rep, err)
		}
		rep, err := h.svc.CheckDeadlines(h.ctx, due.Add(time.Second))
		if err != nil || len(rep.Lapsed) != 1 {
			t.Fatalf("deadline check after the due moment: %+v %v", rep, err)
		}
		if got := h.get(id); got.Stage != StageCancelled {
			t.Fatalf("stage %s, want cancelled (§17)", got.Stage)
		}
	})
}

func TestPar17PaperContractHandedOverBeforeTheStepOpens(t *testing.T) {
	h := newHarness(t)
	id := h.paperCase()
	h.walk(id, StageSendContract, route{})
	dec := h.complete(id, OutcomeContractSent) // the engine has not opened the signature's step yet
	at := kzTime(time.October, 7, 11, 0)
	h.handOver(id, DocContract, at)
	st := h.open(id, StageSignContract, dec.Next.OpensAt)
	if st.AwaitsHandOver || !st.DueAt.Equal(addWD(t, at, 5)) || st.HandedOverAt == nil || !st.HandedOverAt.Equal(at) {
		t.Fatalf("sign_contract %+v: want 5 working days from the hand-over %s (§17)", st, at)
	}
	if n := oneNotice(t, h.get(id)); n.DueAt == nil || !n.DueAt.Equal(st.DueAt) || n.StartsAtHandOver {
		t.Fatalf("the opening's notification %+v: want its due moment", n)
	}
}

func TestPar17PaperOfficeSignsBeforeAnyHandOver(t *testing.T) {
	h := newHarness(t)
	id := h.paperCase()
	c := h.walk(id, StageSignContract, route{})
	// The applicant brings the signed copy to the office: the step is taken, no period ran.
	if _, err := h.svc.CompleteStep(h.ctx, office, id, h.completion(c, OutcomeSigned), addWD(t, c.OpenStep.OpenedAt, 20)); err != nil {
		t.Fatalf("the office's signature before any hand-over: %v", err)
	}
	if e := h.lastEvent(id); !strings.Contains(e.What, "due from the hand-over at the office, not yet recorded") {
		t.Fatalf("completion event %q", e.What)
	}
}

func TestPar31PaperRectificationPeriodStartsAtTheHandOverOfTheAct(t *testing.T) {
	h := newHarness(t)
	id := h.paperCase()
	c := h.walk(id, StageRectificationNotice, route{})
	st := c.OpenStep
	sent, ok := c.DecisionSentAt()
	if !ok || !st.AwaitsHandOver || !st.DueAt.IsZero() || st.Paragraph != "§31" {
		t.Fatalf("rectification_notice %+v (sent %s %t): want it waiting for the hand-over of the act", st, sent, ok)
	}
	if _, ok := c.DecisionReceivedAt(); ok {
		t.Fatal("§31: the paper case's act counts as received before its hand-over")
	}
	if n := oneNotice(t, c); n.Kind != notice.RectificationDue || n.DueAt != nil || !n.StartsAtHandOver {
		t.Fatalf("the opening's notification %+v", n)
	}
	if rep, err := h.svc.CheckDeadlines(h.ctx, addWD(t, sent, 40)); err != nil || len(rep.Lapsed) != 0 {
		t.Fatalf("§31 a lapse before the hand-over: %+v %v", rep, err)
	}
	// Another document's hand-over starts nothing; the act's does (Friday 2026-10-30, 15:00).
	h.handOver(id, DocContract, kzTime(time.October, 29, 10, 0))
	if got := h.get(id); !got.OpenStep.AwaitsHandOver {
		t.Fatalf("the contract's hand-over started the rectification: %+v", got.OpenStep)
	}
	at := kzTime(time.October, 30, 15, 0)
	h.handOver(id, DocSurveyAct, at)
	got := h.get(id)
	due := addWD(t, at, 20)
	if s := got.OpenStep; s.AwaitsHandOver || !s.DueAt.Equal(due) {
		t.Fatalf("after the hand-over of the act %+v: want 20 working days from %s, due %s", s, at, due)
	}
	if received, ok := got.DecisionReceivedAt(); !ok || !received.Equal(at) {
		t.Fatalf("§31: the act received %s %t, want the hand-over %s", received, ok, at)
	}
	if n := oneNotice(t, got, h.lastEvent(id)); n.Kind != notice.RectificationDue || n.DueAt == nil || !n.DueAt.Equal(due) {
		t.Fatalf("the hand-over's notification %+v", n)
	}
	if _, err := h.svc.Lapse(h.ctx, id, due); err == nil {
		t.Fatal("§32: a lapse at the due moment")
	}
	if _, err := h.svc.Lapse(h.ctx, id, due.Add(time.Second)); err != nil {
		t.Fatalf("§32: the lapse after the due moment from the hand-over: %v", err)
	}
	if got := h.get(id); got.Stage != StageLapseDecision {
		t.Fatalf("stage %s, want lapse_decision (§32)", got.Stage)
	}
}

func TestPar17Par31OnlinePeriodsStillRunFromTheSending(t *testing.T) {
	h := newHarness(t)
	c := h.caseAt(StageSignContract, caseSpec{}, route{})
	if st := c.OpenStep; st.AwaitsHandOver || st.HandedOverAt != nil || !st.DueAt.Equal(addWD(t, c.LastDecision.At, 5)) {
		t.Fatalf("§17 online %+v", st)
	}
	if next := c.LastDecision.Next; next.TimeoutSeconds == HandOverTimeout {
		t.Fatal("§17 online: the callback waits for a hand-over")
	}
	if n := oneNotice(t, c); n.StartsAtHandOver || n.DueAt == nil {
		t.Fatalf("§17 online notification %+v", n)
	}
}

// fakeRegisterHandOvers is the register's side of the hand-overs: a copy of a recall decision to
// hand over, and the writes of the hand-overs it takes (the case through the harness's store).
type fakeRegisterHandOvers struct {
	store   *memStore
	recall  Document
	written []HandOver
}

func (f *fakeRegisterHandOvers) Documents(ctx context.Context, c Case) ([]Document, error) {
	return []Document{f.recall}, nil
}

func (f *fakeRegisterHandOvers) HandOver(ctx context.Context, c Case, ev Event, h HandOver) (bool, error) {
	if err := f.store.Update(ctx, c, ev); err != nil {
		return false, err
	}
	f.written = append(f.written, h)
	return true, nil
}

// Par42Par46: the hand-over of a paper case's certificate, and of the copy of its recall decision
// (which the register keeps), is written by the register's side with the case, in one write.
func TestPar42Par46PaperHandOversOfTheRegistersDocuments(t *testing.T) {
	h := newHarness(t)
	reg := &fakeRegisterHandOvers{store: h.store, recall: Document{Kind: DocRecallDecision, Key: "register/2026/00001/recall.pdf", VersionID: "v1"}}
	h.rebuild(func(d *Deps) { d.RegisterHandOvers = reg })
	id := h.paperCase()
	c := h.walk(id, StageSendDocuments, route{})
	h.advance(id, OutcomeSent)
	c = h.get(id)
	if c.Certificate == "" || !c.CertificateSent() {
		t.Fatalf("case %s at %s: no certificate sent", id, c.Stage)
	}
	if _, ok := c.CertificateReceivedAt(); ok {
		t.Fatal("§42: a paper case's certificate counts as received before its hand-over")
	}
	at := kzTime(time.November, 18, 10, 0)
	h.handOver(id, DocCertificate, at)
	if got, ok := h.get(id).CertificateReceivedAt(); !ok || !got.Equal(at) {
		t.Fatalf("§42: the certificate received %s %t, want the hand-over %s", got, ok, at)
	}
	ho := h.handOver(id, DocRecallDecision, at.Add(time.Hour))
	if ho.Document.Key != reg.recall.Key {
		t.Fatalf("§46: handed over %+v, want the copy of the recall decision", ho.Document)
	}
	if len(reg.written) != 2 || reg.written[0].Document.Kind != DocCertificate || reg.written[1].Document.Kind != DocRecallDecision {
		t.Fatalf("the register's side wrote %+v", reg.written)
	}
	if hs := h.get(id).HandOvers; len(hs) != 2 {
		t.Fatalf("hand-overs on the case: %+v", hs)
	}
	// A contract handed over is the case's alone.
	h.handOver(id, DocContract, at.Add(2*time.Hour))
	if len(reg.written) != 2 || len(h.get(id).HandOvers) != 3 {
		t.Fatalf("the contract's hand-over went to the register: %+v", reg.written)
	}
}
