package issuing

import (
	"strings"
	"testing"
	"time"

	"attestation/internal/attestation"
	"attestation/internal/identity"
)

// Issue 17: the register entry and the certificate cite the act handed over (the last attached)
// with its signer, never the signer's IIN; an unsigned act cites nothing.
func TestActSignatureCitesTheLastActPar28(t *testing.T) {
	at := time.Date(2026, 10, 20, 5, 0, 0, 0, time.UTC)
	c := attestation.Case{Documents: []attestation.Document{
		{Kind: attestation.DocSurveyAct, Signature: &attestation.Signature{Role: identity.STS, Signer: "FIRST", IIN: "800505400231", Serial: "01"}},
		{Kind: attestation.DocSurveyAct, Signature: &attestation.Signature{Role: identity.STS, Signer: "STS SAULE", IIN: "800505400231",
			BIN: "990140001234", Serial: "03f2", Issuer: "CN=TEST NCA", SigningTime: at}},
		{Kind: attestation.DocAdditionalSurveyAct},
	}}
	s := actSignature(c, attestation.DocSurveyAct)
	if s == nil || s.Signer != "STS SAULE" || s.Serial != "03f2" || s.BIN != "990140001234" {
		t.Fatalf("actSignature = %+v", s)
	}
	by := signedBy(s)
	if by != "STS SAULE, BIN 990140001234, certificate 03f2 (2026-10-20 05:00 UTC)" || strings.Contains(by, "800505400231") {
		t.Fatalf("signedBy = %q", by)
	}
	if actSignature(c, attestation.DocAdditionalSurveyAct) != nil || signedBy(nil) != "" {
		t.Fatal("an unsigned act cites a signature")
	}
}
