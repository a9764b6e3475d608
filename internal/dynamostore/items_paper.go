package dynamostore

import (
	"time"

	"attestation/internal/attestation"
)

// The paper channel's attributes (attestation/office.go, standard §9): how the office received a
// paper filing, on its draft and its case, and the results it handed over, on the case. Absent on
// every online draft and case (omitempty), so the items stored before them read and encode
// unchanged.

// storedPaper is attestation.PaperFiling.
type storedPaper struct {
	Organization     string                `dynamodbav:"Organization"`
	OrganizationName string                `dynamodbav:"OrganizationName"`
	Representative   *storedRepresentative `dynamodbav:"Representative,omitempty"`
	ArrivedAt        time.Time             `dynamodbav:"ArrivedAt"`
	ServiceStartedAt time.Time             `dynamodbav:"ServiceStartedAt"`
	RegisteredBy     string                `dynamodbav:"RegisteredBy"`
	Receipt          *storedReceiptMark    `dynamodbav:"Receipt,omitempty"`
	Limits           []storedOfficeLimit   `dynamodbav:"Limits,omitempty"`
}

// storedRepresentative is attestation.Representative, with its letter of attorney.
type storedRepresentative struct {
	Name         string `dynamodbav:"Name"`
	IIN          string `dynamodbav:"IIN"`
	LetterNumber string `dynamodbav:"LetterNumber"`
	IssuedOn     string `dynamodbav:"IssuedOn"`
	ValidUntil   string `dynamodbav:"ValidUntil"`
}

// storedReceiptMark is attestation.ReceiptMark.
type storedReceiptMark struct {
	Officer        string    `dynamodbav:"Officer"`
	OfficerSubject string    `dynamodbav:"OfficerSubject"`
	At             time.Time `dynamodbav:"At"`
}

// storedOfficeLimit is attestation.OfficeLimit.
type storedOfficeLimit struct {
	Paragraph string `dynamodbav:"Paragraph"`
	What      string `dynamodbav:"What"`
	Minutes   int    `dynamodbav:"Minutes"`
	Took      int    `dynamodbav:"Took"`
	Exceeded  bool   `dynamodbav:"Exceeded"`
}

// storedHandOver is attestation.HandOver.
type storedHandOver struct {
	Document       storedDocument        `dynamodbav:"Document"`
	ReceivedBy     string                `dynamodbav:"ReceivedBy"`
	Representative *storedRepresentative `dynamodbav:"Representative,omitempty"`
	Officer        string                `dynamodbav:"Officer"`
	At             time.Time             `dynamodbav:"At"`
}

func toStoredRepresentative(r attestation.Representative) storedRepresentative {
	return storedRepresentative{Name: r.Name, IIN: r.IIN, LetterNumber: r.LetterOfAttorney.Number, IssuedOn: r.LetterOfAttorney.IssuedOn,
		ValidUntil: r.LetterOfAttorney.ValidUntil}
}

func (s storedRepresentative) domain() attestation.Representative {
	return attestation.Representative{Name: s.Name, IIN: s.IIN,
		LetterOfAttorney: attestation.LetterOfAttorney{Number: s.LetterNumber, IssuedOn: s.IssuedOn, ValidUntil: s.ValidUntil}}
}

func toStoredPaper(p attestation.PaperFiling) storedPaper {
	return storedPaper{Organization: p.Organization, OrganizationName: p.OrganizationName,
		Representative: mapPtr(p.Representative, toStoredRepresentative), ArrivedAt: p.ArrivedAt, ServiceStartedAt: p.ServiceStartedAt,
		RegisteredBy: p.RegisteredBy,
		Receipt: mapPtr(p.Receipt, func(r attestation.ReceiptMark) storedReceiptMark {
			return storedReceiptMark{Officer: r.Officer, OfficerSubject: r.OfficerSubject, At: r.At}
		}),
		Limits: mapSlice(p.Limits, func(l attestation.OfficeLimit) storedOfficeLimit { return storedOfficeLimit(l) })}
}

func (s storedPaper) domain() attestation.PaperFiling {
	return attestation.PaperFiling{Organization: s.Organization, OrganizationName: s.OrganizationName,
		Representative: mapPtr(s.Representative, storedRepresentative.domain), ArrivedAt: s.ArrivedAt, ServiceStartedAt: s.ServiceStartedAt,
		RegisteredBy: s.RegisteredBy,
		Receipt: mapPtr(s.Receipt, func(r storedReceiptMark) attestation.ReceiptMark {
			return attestation.ReceiptMark{Officer: r.Officer, OfficerSubject: r.OfficerSubject, At: r.At}
		}),
		Limits: mapSlice(s.Limits, func(l storedOfficeLimit) attestation.OfficeLimit { return attestation.OfficeLimit(l) })}
}

func toStoredHandOver(h attestation.HandOver) storedHandOver {
	return storedHandOver{Document: toStoredDocument(h.Document), ReceivedBy: h.ReceivedBy,
		Representative: mapPtr(h.Representative, toStoredRepresentative), Officer: h.Officer, At: h.At}
}

func (s storedHandOver) domain() attestation.HandOver {
	return attestation.HandOver{Document: s.Document.domain(), ReceivedBy: s.ReceivedBy,
		Representative: mapPtr(s.Representative, storedRepresentative.domain), Officer: s.Officer, At: s.At}
}
