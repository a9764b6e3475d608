package dynamostore

import (
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/attestation"
	"attestation/internal/identity"
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

func goldenPaperItems() []goldenItem {
	return []goldenItem{
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
