package dynamostore

import (
	"time"

	"attestation/internal/attestation"
	"attestation/internal/identity"
	"attestation/internal/register"
)

// storedEDS is a verified electronic digital signature of a document (attestation.Signature,
// issue 17), on an upload, a draft's document and a case's document. The IIN is kept in full:
// the item is never public, and every view masks it.
type storedEDS struct {
	Role        string    `dynamodbav:"Role"`
	Signer      string    `dynamodbav:"Signer"`
	IIN         string    `dynamodbav:"IIN"`
	BIN         string    `dynamodbav:"BIN"`
	Serial      string    `dynamodbav:"Serial"`
	Issuer      string    `dynamodbav:"Issuer"`
	SigningTime time.Time `dynamodbav:"SigningTime"`
	OCSPStatus  string    `dynamodbav:"OCSPStatus"`
	OCSPAt      time.Time `dynamodbav:"OCSPAt"`
	Algorithm   string    `dynamodbav:"Algorithm"`
}

func toStoredEDS(s *attestation.Signature) *storedEDS {
	if s == nil {
		return nil
	}
	return &storedEDS{Role: string(s.Role), Signer: s.Signer, IIN: s.IIN, BIN: s.BIN, Serial: s.Serial, Issuer: s.Issuer,
		SigningTime: s.SigningTime, OCSPStatus: s.OCSPStatus, OCSPAt: s.OCSPAt, Algorithm: s.Algorithm}
}

func (s *storedEDS) domain() *attestation.Signature {
	if s == nil {
		return nil
	}
	return &attestation.Signature{Role: identity.Role(s.Role), Signer: s.Signer, IIN: s.IIN, BIN: s.BIN, Serial: s.Serial, Issuer: s.Issuer,
		SigningTime: s.SigningTime, OCSPStatus: s.OCSPStatus, OCSPAt: s.OCSPAt, Algorithm: s.Algorithm}
}

// storedActSignature is the register's citation of an act's signature (register.ActSignature):
// public, no IIN.
type storedActSignature struct {
	Signer      string    `dynamodbav:"Signer"`
	BIN         string    `dynamodbav:"BIN"`
	Serial      string    `dynamodbav:"Serial"`
	Issuer      string    `dynamodbav:"Issuer"`
	SigningTime time.Time `dynamodbav:"SigningTime"`
}

func toStoredActSignature(s *register.ActSignature) *storedActSignature {
	if s == nil {
		return nil
	}
	return &storedActSignature{Signer: s.Signer, BIN: s.BIN, Serial: s.Serial, Issuer: s.Issuer, SigningTime: s.SigningTime}
}

func (s *storedActSignature) domain() *register.ActSignature {
	if s == nil {
		return nil
	}
	return &register.ActSignature{Signer: s.Signer, BIN: s.BIN, Serial: s.Serial, Issuer: s.Issuer, SigningTime: s.SigningTime}
}
