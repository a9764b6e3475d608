package dynamostore

import (
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/attestation"
	"attestation/internal/identity"
	"attestation/internal/register"
)

// The golden items of issue 17: the verified electronic digital signatures on an upload, a
// draft's document and a case's documents, added after the items without them were stored (those
// still read and re-encode unchanged: the attributes are omitted when empty).

func goldenSignature(role identity.Role) *attestation.Signature {
	return &attestation.Signature{Role: role, Signer: "APPLICANT AIGERIM", IIN: "850101300123", BIN: "120540001238", Serial: "03f1",
		Issuer: "CN=TEST NCA INTERMEDIATE,C=KZ", SigningTime: goldenAt(1, 4), OCSPStatus: "good", OCSPAt: goldenAt(1, 5), Algorithm: "ECDSA-SHA256"}
}

// signedDocs signs every document of ds.
func signedDocs(ds []attestation.Document) []attestation.Document {
	out := make([]attestation.Document, len(ds))
	for i, d := range ds {
		d.Signature = goldenSignature(identity.STS)
		out[i] = d
	}
	return out
}

// goldenSignedCase is goldenAttentionCase with every document signed.
func goldenSignedCase() attestation.Case {
	c := goldenAttentionCase()
	c.ID = "C-0005"
	pkg, receipt, dec := *c.Package, *c.Receipt, *c.LastDecision
	pkg.Signature, receipt.Signature = goldenSignature(identity.Applicant), goldenSignature(identity.Authority)
	dec.Documents = signedDocs(dec.Documents)
	c.Package, c.Receipt, c.LastDecision, c.Documents = &pkg, &receipt, &dec, signedDocs(c.Documents)
	return c
}

func goldenSignedEvent() attestation.Event {
	e := goldenEvent()
	e.Documents = signedDocs(e.Documents)
	return e
}

func goldenSignedCertificate() attestation.Certificate {
	c := goldenCertificate()
	c.Acts = signedDocs(c.Acts)
	return c
}

func goldenSignedUpload() attestation.Upload {
	u := goldenUpload()
	u.ID = "U-00000000000000000000000000000017"
	u.SignatureP7S = []byte{0x30, 0x82, 0x01, 0x00, 0x06, 0x09}
	u.Signed = goldenSignature(identity.Applicant)
	return u
}

func goldenSignedDraft() attestation.Draft {
	d := goldenDraft()
	d.ID = "D-000000000000000000000017"
	ref := d.Package.Documents["annex3_01"]
	ref.Signature = goldenSignature(identity.Applicant)
	d.Package.Documents = map[string]attestation.DocumentRef{"annex3_01": ref}
	return d
}

func goldenActSignature() *register.ActSignature {
	return &register.ActSignature{Signer: "STS SAULE", BIN: "990140001234", Serial: "03f2", Issuer: "CN=TEST NCA INTERMEDIATE,C=KZ",
		SigningTime: goldenAt(10, 1)}
}

// goldenSignedEntry is goldenEntry whose acts cite their signatures.
func goldenSignedEntry() register.Entry {
	e := goldenEntry()
	add := *e.AdditionalAct
	e.Act.Signed, add.Signed = goldenActSignature(), goldenActSignature()
	e.AdditionalAct = &add
	return e
}

// goldenSignedEntryApart is goldenSignedEntry as the entry item holds it (goldenEntryApart).
func goldenSignedEntryApart() register.Entry {
	e := goldenEntryActDay()
	e.Number, e.Seq = "2026-00117", 117
	add := *e.AdditionalAct
	e.Act.Signed, add.Signed = goldenActSignature(), goldenActSignature()
	e.AdditionalAct = &add
	return e
}

func goldenSignedItems() []goldenItem {
	cases := &Store{table: "t"}
	return []goldenItem{
		{"case_signed", withoutDocuments(goldenSignedCase()), func() (map[string]types.AttributeValue, error) {
			return attributevalue.MarshalMap(toItem(goldenSignedCase()))
		}, decodeAs(func(it caseItem) any { return fromItem(it) })},
		{"case_signed_documents", goldenSignedCase().Documents, func() (map[string]types.AttributeValue, error) {
			return attributevalue.MarshalMap(toDocumentsItem(goldenSignedCase()))
		}, decodeAs(func(it caseDocumentsItem) any { return mapSlice(it.Documents, storedDocument.domain) })},
		{"event_signed", goldenSignedEvent(), func() (map[string]types.AttributeValue, error) {
			return firstPut(cases.eventPuts("C-0001", []attestation.Event{goldenSignedEvent()}))
		}, decodeAs(func(it eventItem) any { return it.domain() })},
		{"certificate_signed", goldenSignedCertificate(), func() (map[string]types.AttributeValue, error) {
			return attributevalue.MarshalMap(toCertificateItem(goldenSignedCertificate()))
		}, decodeAs(func(it certificateItem) any { return it.domain() })},
		{"entry_signed", goldenSignedEntryApart(), func() (map[string]types.AttributeValue, error) {
			return firstPut(cases.entryWrites(goldenSignedEntryApart(), goldenRevision()))
		}, decodeAs(func(it entryItem) any { return it.Entry.domain() })},
		{"upload_signed", goldenSignedUpload(), func() (map[string]types.AttributeValue, error) { return toUploadItem(goldenSignedUpload()) },
			func(av map[string]types.AttributeValue) (any, error) { return fromUploadItem(av) }},
		{"draft_signed", goldenSignedDraft(), func() (map[string]types.AttributeValue, error) { return toDraftItem(goldenSignedDraft()) },
			decodeAs(func(it draftItem) any { return it.domain() })},
	}
}
