package e2e

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"testing"
	"time"

	"attestation/internal/localstack"
)

// A paper case's periods from receipt (issue 17, issue 13 item 6) through the local stack: the
// Rules count §17, §31, §42 and §46 from the applicant's receipt, and at the office the receipt is
// the recorded hand-over. Until the office records it, the period has not started: no due moment,
// no lapse, whatever the deadline check's moment; the hand-over sets the due moment, with the
// organisation's notification of it, and the lapse follows that due moment.

// paperFiling files a package on paper at the office on Thursday 2026-10-15 (standard §8, §9) and
// waits for the authority's completeness check; the office acts for the applicant.
func paperFiling(t *testing.T, name string) *path {
	t.Helper()
	office := as(t, localstack.DemoOffice)
	stack.Clock.Freeze(day(10, 15, 10))
	pkg := application(t, name, false)
	docs := slices.Sorted(maps.Keys(pkg["documents"].(map[string]any)))
	status, d := office.do("POST", "/office/filings", officeFilingBody(t, name))
	if status != http.StatusCreated {
		t.Fatalf("start the paper filing: %d %v", status, d)
	}
	draft := d["id"].(string)
	office.uploadAll(draft, "paper-"+name, docs)
	stack.Clock.Freeze(day(10, 15, 10).Add(10 * time.Minute))
	status, c := office.do("POST", "/office/filings/"+draft+"/receipt", nil)
	if status != http.StatusCreated {
		t.Fatalf("receipt: %d %v", status, c)
	}
	p := &path{t: t, id: c["id"].(string), applicant: office, authority: as(t, localstack.DemoAuthority), sts: as(t, localstack.DemoSTS)}
	p.open("completeness_check")
	return p
}

// handOver records the office's hand-over of the case's document of kind at at.
func (p *path) handOver(kind string, at time.Time) map[string]any {
	p.t.Helper()
	stack.Clock.Freeze(at)
	status, ho := p.applicant.do("POST", "/office/cases/"+p.id+"/handovers", map[string]any{"document": kind, "receivedBy": "SERIKOV ARMAN BOLATULY"})
	if status != http.StatusCreated {
		p.t.Fatalf("hand-over of %s: %d %v", kind, status, ho)
	}
	return ho
}

// orgNotices are the demo organisation's notifications of the case, as its own people read them.
func (p *path) orgNotices(kind string) []map[string]any {
	p.t.Helper()
	if err := stack.PollStreams(context.Background()); err != nil {
		p.t.Fatal(err)
	}
	var out []map[string]any
	for _, n := range p.notices(as(p.t, localstack.DemoApplicant)) {
		if n["kind"] == kind {
			out = append(out, n)
		}
	}
	return out
}

func TestPar17PaperContractPeriodRunsFromTheHandOverAtTheOffice(t *testing.T) {
	p := paperFiling(t, "Paper contract registry")
	p.act(p.authority, day(10, 16, 10), "completeness_check", "forward", nil)
	p.act(p.sts, day(10, 16, 11), "send_contract", "contract_sent", p.docs("contract"))

	st := p.open("sign_contract")
	if !st.AwaitsHandOver || !st.DueAt.IsZero() {
		t.Fatalf("§17 sign_contract %+v: want it waiting for the hand-over, without a due moment", st)
	}
	v := p.view(p.applicant)
	if os, _ := v["openStep"].(map[string]any); os["awaitsHandOver"] != true || os["dueAt"] != nil {
		t.Fatalf("§17 the case view's open step %v: want awaitsHandOver and no dueAt", os)
	}
	if ns := p.orgNotices("contract_sent"); len(ns) != 1 || ns[0]["startsAtHandOver"] != true || ns[0]["dueAt"] != nil {
		t.Fatalf("§17 the organisation's notification of the contract: %v", ns)
	}

	// Online, the 5 working days would have ended on Friday 10-23 (TestPathPar17ContractNotSignedCancels);
	// here nothing lapses, however late the deadline check runs.
	for _, at := range []time.Time{time.Date(2026, 10, 24, 0, 5, 0, 0, almaty), time.Date(2026, 11, 20, 0, 5, 0, 0, almaty)} {
		runCheck(t, at)
		if got := p.open("sign_contract"); !got.AwaitsHandOver || got.Overdue {
			t.Fatalf("§17 after the deadline check at %s: %+v", at, got)
		}
	}

	// The office hands the contract over on Tuesday 11-24 at 10:00: 5 working days from the day
	// after: Nov 25, 26, 27, 30, Dec 1 → Tuesday 12-01.
	handed := day(11, 24, 10)
	p.handOver("contract", handed)
	st = p.open("sign_contract")
	wantDue(t, "sign_contract", st.DueAt, endOfDay(12, 1))
	if st.AwaitsHandOver || st.HandedOverAt == nil || !st.HandedOverAt.Equal(handed) {
		t.Fatalf("§17 after the hand-over %+v", st)
	}
	v = p.view(p.applicant)
	if os, _ := v["openStep"].(map[string]any); os["awaitsHandOver"] != nil || os["dueAt"] != "2026-12-01T18:59:59Z" {
		t.Fatalf("§17 the case view's open step after the hand-over: %v", os)
	}
	hasEvent(t, v, "handed over at the office: contract to SERIKOV ARMAN BOLATULY")
	ns := p.orgNotices("contract_sent")
	if len(ns) != 2 {
		t.Fatalf("§17 the organisation's notifications of the contract: %v", ns)
	}
	if started := ns[0]; started["dueAt"] != "2026-12-01T18:59:59Z" || started["handedOverAt"] != "2026-11-24T05:00:00Z" || started["startsAtHandOver"] != nil {
		t.Fatalf("§17 the notification of the period's start (newest first): %v", started)
	}

	// The lapse follows the due moment counted from the hand-over.
	runCheck(t, day(12, 1, 18))
	p.open("sign_contract")
	runCheck(t, time.Date(2026, 12, 2, 0, 5, 0, 0, almaty))
	v = p.end("cancelled")
	hasEvent(t, v, "ContractNotSigned: sign_contract lapsed, due 2026-12-01T23:59:59+05:00")
}

func TestPar42Par46PaperCertificateAndRecallCopyHandedOverAtTheOffice(t *testing.T) {
	p := paperFiling(t, "Paper certificate registry")
	p.act(p.authority, day(10, 16, 10), "completeness_check", "forward", nil)
	p.act(p.sts, day(10, 16, 11), "send_contract", "contract_sent", p.docs("contract"))
	// The applicant brings the signed copy to the office: the step is taken, though no period ran.
	p.act(p.applicant, day(10, 19, 10), "sign_contract", "signed", p.docs("signed_contract"))
	p.act(p.sts, day(11, 16, 10), "survey", "act", p.docs("survey_act"))
	p.act(p.authority, day(11, 17, 10), "decision", "issue", nil)
	p.act(p.authority, day(11, 18, 10), "send_documents", "sent", nil)
	number, _ := p.end("issued")["certificate"].(string)
	if number == "" {
		t.Fatal("§28: no certificate")
	}
	authority := as(t, localstack.DemoAuthority)
	bin := localstack.DemoApplicant.BIN
	mon := func() map[string]any {
		m, _ := certificateOf(t, authority, bin, number)["monitoring"].(map[string]any)
		return m
	}
	// §42: sent to the office, the certificate is in the register; the year waits for the hand-over.
	if m := mon(); m["awaitsHandOver"] != true || m["dueAt"] != nil {
		t.Fatalf("§42 before the hand-over: monitoring %v", m)
	}

	// Thursday 11-19 at 10:00 the office hands the certificate over: one year, Friday 2027-11-19.
	p.handOver("certificate", day(11, 19, 10))
	if m := mon(); m["awaitsHandOver"] != nil || m["dueAt"] != "2027-11-19T18:59:59Z" {
		t.Fatalf("§42 after the hand-over: monitoring %v", m)
	}
	ns := p.orgNotices("monitoring_due")
	if len(ns) != 1 || ns[0]["dueAt"] != "2027-11-19T18:59:59Z" || ns[0]["handedOverAt"] != "2026-11-19T05:00:00Z" {
		t.Fatalf("§42 the organisation's notification: %v", ns)
	}

	// §46: recalled on Monday 11-23 on the owner's application; the copy waits at the office.
	clockAt(t, day(11, 23, 10))
	status, out := authority.do("POST", certPath(number, "/recall"), recallBody("owner_application"))
	mustStatus(t, "recall", status, http.StatusOK, out)
	r, _ := certificateIn(out)["recall"].(map[string]any)
	if r["returnAwaitsHandOver"] != true || r["returnDueAt"] != nil {
		t.Fatalf("§46 the recall of a paper case's certificate: %v", r)
	}
	if ns := p.orgNotices("recall_decided"); len(ns) != 1 || ns[0]["startsAtHandOver"] != true || ns[0]["dueAt"] != nil {
		t.Fatalf("§46 the organisation's notification of the recall: %v", ns)
	}
	// Online, the return would have been due Thursday 11-26; nothing is flagged before the hand-over.
	clockAt(t, time.Date(2026, 11, 30, 0, 5, 0, 0, almaty))
	if got := registerCheck(t, number); len(got) != 0 {
		t.Fatalf("§46 flagged before the hand-over: %v", got)
	}

	// Tuesday 12-01 at 10:00 the office hands the copy over: Dec 2, 3, 4 → Friday 12-04.
	p.handOver("recall_decision", day(12, 1, 10))
	r, _ = certificateOf(t, authority, bin, number)["recall"].(map[string]any)
	if r["returnAwaitsHandOver"] != nil || r["returnDueAt"] != "2026-12-04T18:59:59Z" || r["handedOverAt"] != "2026-12-01T05:00:00Z" {
		t.Fatalf("§46 after the hand-over of the copy: %v", r)
	}
	if ns := p.orgNotices("recall_decided"); len(ns) != 2 || ns[0]["dueAt"] != "2026-12-04T18:59:59Z" {
		t.Fatalf("§46 the notification of the return's start: %v", ns)
	}
	clockAt(t, day(12, 4, 18))
	if got := registerCheck(t, number); len(got) != 0 {
		t.Fatalf("§46 flagged on the last day: %v", got)
	}
	clockAt(t, time.Date(2026, 12, 5, 0, 5, 0, 0, almaty))
	if got := registerCheck(t, number); !slices.Equal(got, []string{"certificate_return/" + number}) {
		t.Fatalf("§46 the day after: %v", got)
	}
	hasEvent(t, p.view(p.applicant), "handed over at the office: recall_decision to SERIKOV ARMAN BOLATULY")
}
