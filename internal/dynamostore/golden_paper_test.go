package dynamostore

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/attestation"
	"attestation/internal/identity"
	"attestation/internal/notice"
	"attestation/internal/register"
)

// The golden items of the paper channel (attestation/office.go, standard §9): a paper filing's
// draft and its case with the receipt mark, the §4(2)-(3) limits and a hand-over, added after the
// items without them were stored (those still read and re-encode unchanged: the attributes are
// omitted when empty).

func goldenPaper() *attestation.PaperFiling {
	return &attestation.PaperFiling{Organization: "120540001238", OrganizationName: "Demo applicant LLP",
		Representative: &attestation.Representative{Name: "SERIKOV ARMAN", IIN: "880808300111",
			LetterOfAttorney: attestation.LetterOfAttorney{Number: "LA-17", IssuedOn: "2026-02-20", ValidUntil: "2026-12-31"}},
		ArrivedAt: goldenAt(2, 3), ServiceStartedAt: goldenAt(2, 4), RegisteredBy: "NURLANOVA ALIYA",
		Receipt: &attestation.ReceiptMark{Officer: "NURLANOVA ALIYA", OfficerSubject: "office-1", At: goldenAt(2, 4)},
		Limits: []attestation.OfficeLimit{{Paragraph: "standard §4(2)", What: "waiting in the queue", Minutes: 15, Took: 60, Exceeded: true},
			{Paragraph: "standard §4(3)", What: "service", Minutes: 15, Took: 20, Exceeded: true}}}
}

func goldenPaperCase() attestation.Case {
	c := goldenMinimalCase()
	c.ID = "C-0009"
	c.Paper = goldenPaper()
	cert := goldenDocument("certificate", "send_documents")
	cert.Signature = goldenSignature(identity.Authority)
	c.HandOvers = []attestation.HandOver{{Document: cert, ReceivedBy: "SERIKOV ARMAN",
		Representative: goldenPaper().Representative, Officer: "NURLANOVA ALIYA", At: goldenAt(25, 5)}}
	return c
}

func goldenPaperDraft() attestation.Draft {
	d := goldenDraft()
	d.ID = "D-000000000000000000000009"
	p := goldenPaper()
	p.Receipt = nil
	d.Paper = p
	return d
}

// goldenAwaitingCase is the paper case with the contract sent (§17): its period waits for the
// hand-over at the office, so the open step has no due moment (added after case_paper.json).
func goldenAwaitingCase() attestation.Case {
	c := goldenPaperCase()
	c.ID = "C-0010"
	c.Stage = attestation.StageSignContract
	c.OpenStep = &attestation.Step{Name: "sign_contract", Role: identity.Applicant, Token: "tok-10", OpenedAt: goldenAt(26, 5),
		Paragraph: "§17", AwaitsHandOver: true}
	return c
}

// goldenHandedOverCase is goldenAwaitingCase once the office handed the contract over: the
// period runs from the hand-over.
func goldenHandedOverCase() attestation.Case {
	c := goldenAwaitingCase()
	c.ID = "C-0011"
	st := *c.OpenStep
	st.AwaitsHandOver, st.HandedOverAt, st.DueAt = false, goldenAtPtr(27, 5), goldenAt(28, 18)
	c.OpenStep = &st
	return c
}

// goldenPaperEntry is a paper case's certificate (§42, §46; added after entry.json): the
// monitoring year waits for the hand-over of the certificate, and the copy of the recall decision
// was handed over, starting the return.
func goldenPaperEntry() register.Entry {
	e := goldenEntryApart()
	e.Number = "2026/00045"
	e.AtOffice = true
	m := *e.Monitoring
	m.AwaitsHandOver, m.DueAt = true, time.Time{}
	e.Monitoring = &m
	r := *e.Recall
	r.HandedOverAt = goldenAtPtr(21, 8)
	e.Recall = &r
	return e
}

// goldenAwaitingRecallEntry is goldenPaperEntry with the copy of the recall decision not yet
// handed over: no due moment of the return.
func goldenAwaitingRecallEntry() register.Entry {
	e := goldenPaperEntry()
	e.Number = "2026/00046"
	r := *e.Recall
	r.HandedOverAt, r.ReturnAwaitsHandOver, r.ReturnDueAt, r.ReturnedAt, r.ReturnOverdue = nil, true, time.Time{}, nil, false
	e.Recall = &r
	return e
}

// goldenHandOverNotifications: the contract waiting at the office (no due moment yet), and the
// period started by its hand-over.
func goldenHandOverNotifications() (waiting, started notice.Notification) {
	waiting = notice.Notification{ID: "C-0010.6.1", Kind: notice.ContractSent, To: notice.Audience{BIN: "120540001238"},
		CaseID: "C-0010", Object: "Portal", Step: "sign_contract", Paragraph: "§17", StartsAtHandOver: true, At: goldenAt(26, 5)}
	due := goldenAt(28, 18)
	started = waiting
	started.ID, started.StartsAtHandOver, started.DueAt, started.HandedOverAt, started.At = "C-0010.7.1", false, &due, goldenAtPtr(27, 5), goldenAt(27, 5)
	return waiting, started
}

func goldenPaperItems() []goldenItem {
	cases := &Store{table: "t"}
	waiting, started := goldenHandOverNotifications()
	note := func(n notice.Notification) func() (map[string]types.AttributeValue, error) {
		return func() (map[string]types.AttributeValue, error) {
			return firstPut(noticePuts("t", []notice.Notification{n}))
		}
	}
	return []goldenItem{
		{"case_paper_awaiting", withoutDocuments(goldenAwaitingCase()), func() (map[string]types.AttributeValue, error) {
			return attributevalue.MarshalMap(toItem(goldenAwaitingCase()))
		}, decodeAs(func(it caseItem) any { return fromItem(it) })},
		{"case_paper_handed_over", withoutDocuments(goldenHandedOverCase()), func() (map[string]types.AttributeValue, error) {
			return attributevalue.MarshalMap(toItem(goldenHandedOverCase()))
		}, decodeAs(func(it caseItem) any { return fromItem(it) })},
		{"entry_paper", goldenPaperEntry(), func() (map[string]types.AttributeValue, error) {
			return firstPut(cases.entryWrites(goldenPaperEntry(), goldenRevision()))
		}, decodeAs(func(it entryItem) any { return it.Entry.domain() })},
		{"entry_paper_recall_awaiting", goldenAwaitingRecallEntry(), func() (map[string]types.AttributeValue, error) {
			return firstPut(cases.entryWrites(goldenAwaitingRecallEntry(), goldenRevision()))
		}, decodeAs(func(it entryItem) any { return it.Entry.domain() })},
		{"notification_at_office", waiting, note(waiting), decodeAs(func(it notificationItem) any { return it.domain() })},
		{"notification_handed_over", started, note(started), decodeAs(func(it notificationItem) any { return it.domain() })},
		{"case_paper", goldenPaperCase(), func() (map[string]types.AttributeValue, error) {
			return attributevalue.MarshalMap(toItem(goldenPaperCase()))
		}, decodeAs(func(it caseItem) any { return fromItem(it) })},
		{"draft_paper", goldenPaperDraft(), func() (map[string]types.AttributeValue, error) { return toDraftItem(goldenPaperDraft()) },
			decodeAs(func(it draftItem) any { return it.domain() })},
	}
}

// paperDraft is d with the paper filing of goldenPaperDraft, for the check that the fixtures are full.
func paperDraft(d attestation.Draft) attestation.Draft {
	d.Paper = goldenPaper()
	return d
}
