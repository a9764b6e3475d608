package register

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"attestation/internal/attestation"
	"attestation/internal/identity"
	"attestation/internal/notice"
)

// A paper case's certificate (receipt.go): the owner receives the certificate and the copy of a
// recall decision when the Committee's office hands them over, so the monitoring year (§42) and the
// return's 3 working days (§46) wait for those hand-overs, with no due moment, flag or reminder
// before; the hand-over writes the revision that starts the period with the case, in one write.

var officer = identity.Actor{Subject: "office-1", Name: "Nurlanova Aliya", Role: identity.Office}

// paperEntry issues a certificate of kind for a paper case and sends it to the owner (§28): the
// entry is published, and the monitoring year waits for the hand-over at the office.
func (f *fixture) paperEntry(t *testing.T, kind string) Entry {
	t.Helper()
	e := f.issue(t, kind, issuedAt)
	e.AtOffice, e.Monitoring, e.AwaitingReceipt = true, nil, true
	sent, err := Received(e, nil, f.cal)
	if err != nil {
		t.Fatal(err)
	}
	next, err := Next(context.Background(), f.signer, e, sent, issuedAt.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.PutEntry(context.Background(), next, Revision{Number: next.Revision, At: next.UpdatedAt, What: "sent", Seal: next.Seal}); err != nil {
		t.Fatal(err)
	}
	return next
}

// paperCase is the paper case of e's certificate, issued and sent with its act, with the hand-over
// of doc at handed recorded on it (the event the office writes with it).
func paperCase(e Entry, doc attestation.Document, handed time.Time) (attestation.Case, attestation.Event, attestation.HandOver) {
	sent := issuedAt.Add(time.Hour)
	act := attestation.Document{Kind: attestation.DocSurveyAct, Key: "cases/" + e.CaseID + "/act.pdf", SentAt: &sent}
	h := attestation.HandOver{Document: doc, ReceivedBy: "Serikov Arman", Officer: officer.Name, At: handed.UTC()}
	c := attestation.Case{ID: e.CaseID, OrganizationBIN: ownerBIN, Stage: attestation.StageIssued, Certificate: e.Number, Version: 9, Events: 9,
		Paper: &attestation.PaperFiling{Organization: ownerBIN}, Documents: []attestation.Document{act}, HandOvers: []attestation.HandOver{h}}
	ev := attestation.Event{Seq: 9, At: h.At, Actor: officer.Subject, Role: officer.Role, What: "handed over at the office: " + doc.Kind}
	return c, ev, h
}

// lastNotices are the notifications the entry's last revision reports.
func (f *fixture) lastNotices(t *testing.T, number string) []notice.Notification {
	t.Helper()
	revs := f.store.revs[number]
	return Notices(f.get(t, number), revs[len(revs)-1])
}

func TestPar42PaperCertificateMonitoringYearFromTheHandOver(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	e := f.paperEntry(t, "state_is")
	t.Run("§42 sent to the office: published, the year waits for the hand-over", func(t *testing.T) {
		if e.AwaitingReceipt || e.ReceivedAt != nil || e.Monitoring == nil || !e.Monitoring.AwaitsHandOver || !e.Monitoring.DueAt.IsZero() {
			t.Fatalf("entry %+v monitoring %+v", e, e.Monitoring)
		}
		if _, ok := e.NextCheck(); ok {
			t.Fatal("the deadline check watches a monitoring year that has not started")
		}
		if got := f.check(t, issuedAt.AddDate(3, 0, 0)); len(got) != 0 {
			t.Fatalf("flagged before the hand-over: %v", got)
		}
		obs, _, err := f.svc.Obligations(ctx, authority, false, 10, "", issuedAt.AddDate(2, 0, 0))
		if err != nil || len(obs) != 1 || obs[0].Kind != WatchMonitoring || obs[0].DueAt != nil || !obs[0].AwaitsHandOver || obs[0].Overdue {
			t.Fatalf("obligations %+v %v", obs, err)
		}
	})
	// Tuesday 2026-10-20, 10:00: the office hands the certificate over.
	handed := at(2026, 10, 20, 10, 0)
	c, ev, h := paperCase(e, attestation.CertificateDocument(e.Number), handed)
	t.Run("§42 the hand-over starts the year, written with the case and notified", func(t *testing.T) {
		ok, err := f.svc.HandOver(ctx, c, ev, h)
		if err != nil || !ok {
			t.Fatalf("hand-over: %t %v", ok, err)
		}
		got := f.get(t, e.Number)
		// One year from Tuesday 2026-10-20: Wednesday 2027-10-20.
		if got.ReceivedAt == nil || !got.ReceivedAt.Equal(handed) || got.Monitoring.AwaitsHandOver || !got.Monitoring.DueAt.Equal(endOf(2027, 10, 20)) {
			t.Fatalf("after the hand-over: received %v, monitoring %+v", got.ReceivedAt, got.Monitoring)
		}
		if written, ok := f.store.cases[c.ID]; !ok || written.Version != c.Version || len(f.store.caseEvents[c.ID]) != 1 {
			t.Fatal("the case's hand-over was not written with the revision")
		}
		ns := f.lastNotices(t, e.Number)
		if len(ns) != 1 || ns[0].Kind != notice.MonitoringDue || ns[0].DueAt == nil || !ns[0].DueAt.Equal(got.Monitoring.DueAt) ||
			ns[0].HandedOverAt == nil || !ns[0].HandedOverAt.Equal(handed) {
			t.Fatalf("notifications %+v", ns)
		}
		if got := f.check(t, endOf(2027, 10, 20)); len(got) != 0 {
			t.Fatalf("flagged on the last day: %v", got)
		}
		if got := f.check(t, at(2027, 10, 21, 0, 0)); !slices.Equal(got, []string{WatchMonitoring + "/" + e.Number}) {
			t.Fatalf("the day after: %v", got)
		}
	})
	t.Run("§42 a second hand-over of the certificate starts nothing", func(t *testing.T) {
		c.Version++
		ok, err := f.svc.HandOver(ctx, c, ev, h)
		if err != nil || ok {
			t.Fatalf("again: %t %v", ok, err)
		}
	})
	t.Run("an online case's hand-over is none of the register's", func(t *testing.T) {
		online := c
		online.Paper = nil
		if ok, err := f.svc.HandOver(ctx, online, ev, h); err != nil || ok {
			t.Fatalf("online: %t %v", ok, err)
		}
	})
	f.verifyChain(t)
}

func TestPar46PaperRecallReturnFromTheHandOverOfTheCopy(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	e := f.paperEntry(t, "state_is")
	decided := at(2026, 11, 2, 11, 0) // Monday
	got, err := f.svc.Recall(ctx, authority, e.Number, recall("owner_application"), decided)
	if err != nil {
		t.Fatal(err)
	}
	r := got.Recall
	t.Run("§46 the copy waits at the office: no due moment, no flag, no reminder", func(t *testing.T) {
		if !r.ReturnAwaitsHandOver || !r.ReturnDueAt.IsZero() || r.DecisionPDF == nil {
			t.Fatalf("recall %+v", r)
		}
		if c := f.rendered[len(f.rendered)-1]; !c.AtOffice || !c.ReturnDueAt.IsZero() {
			t.Fatalf("the copy %+v: want it handed over at the office, without a date", c)
		}
		ns := f.lastNotices(t, e.Number)
		if len(ns) != 1 || ns[0].Kind != notice.RecallDecided || ns[0].DueAt != nil || !ns[0].StartsAtHandOver {
			t.Fatalf("notifications %+v", ns)
		}
		if got := f.check(t, at(2026, 12, 30, 0, 0)); slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, WatchReturn) }) {
			t.Fatalf("the return flagged before the hand-over: %v", got)
		}
		if rem := NewReminders(f.store, nil, f.cal).due(f.get(t, e.Number), at(2026, 11, 3, 9, 0)); len(rem) != 0 {
			t.Fatalf("reminders %+v", rem)
		}
	})
	handed := at(2026, 11, 4, 15, 0) // Wednesday
	doc, ok := RecallDecisionDocument(*r)
	if !ok {
		t.Fatal("no copy to hand over")
	}
	c, ev, h := paperCase(e, doc, handed)
	t.Run("§46 the office hands over the copy of the decision", func(t *testing.T) {
		docs, err := f.svc.Documents(ctx, c)
		if err != nil || len(docs) != 1 || docs[0].Kind != attestation.DocRecallDecision || docs[0].Key != r.DecisionPDF.Key {
			t.Fatalf("documents %+v %v", docs, err)
		}
	})
	t.Run("§46 its hand-over starts the 3 working days, written with the case and notified", func(t *testing.T) {
		ok, err := f.svc.HandOver(ctx, c, ev, h)
		if err != nil || !ok {
			t.Fatalf("hand-over: %t %v", ok, err)
		}
		got := f.get(t, e.Number).Recall
		// Thu 11-05, Fri 11-06, Mon 11-09.
		if got.ReturnAwaitsHandOver || !got.ReturnDueAt.Equal(endOf(2026, 11, 9)) || got.HandedOverAt == nil || !got.HandedOverAt.Equal(handed) {
			t.Fatalf("recall after the hand-over %+v", got)
		}
		ns := f.lastNotices(t, e.Number)
		if len(ns) != 1 || ns[0].Kind != notice.RecallDecided || ns[0].DueAt == nil || !ns[0].DueAt.Equal(got.ReturnDueAt) || ns[0].HandedOverAt == nil {
			t.Fatalf("notifications %+v", ns)
		}
		if got := f.check(t, endOf(2026, 11, 9)); len(got) != 0 {
			t.Fatalf("flagged on the last day: %v", got)
		}
		if got := f.check(t, at(2026, 11, 10, 0, 0)); !slices.Equal(got, []string{WatchReturn + "/" + e.Number}) {
			t.Fatalf("the day after: %v", got)
		}
	})
	f.verifyChain(t)
}
