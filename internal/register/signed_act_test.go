package register

import (
	"strings"
	"testing"
	"time"
)

// Issue 17: the entry cites the act's electronic digital signature (never the signer's IIN), and an
// entry made before signatures gives the very same signed payload as before, so it still verifies.
func TestEntryCitesTheSignedActPar29(t *testing.T) {
	at := time.Date(2026, 3, 10, 4, 0, 0, 0, time.UTC)
	e := Entry{Number: "2026-00017", Act: Act{Number: "A-17", Date: at, Document: Document{SHA256: "ab"}}, IssuedAt: at, UpdatedAt: at}
	old, err := e.Payload()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(old), "signed") {
		t.Fatalf("an unsigned act's payload mentions a signature: %s", old)
	}
	const before = `"act":{"number":"A-17","date":"2026-03-10T04:00:00Z","sha256":"ab"}`
	if !strings.Contains(string(old), before) {
		t.Fatalf("the act's part of the payload changed: %s", old)
	}
	e.Act.Signed = &ActSignature{Signer: "STS SAULE", BIN: "990140001234", Serial: "03f2", Issuer: "CN=TEST NCA", SigningTime: at.In(time.FixedZone("+05", 5*3600))}
	signed, err := e.Payload()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(signed), `"signed":{"signer":"STS SAULE","bin":"990140001234","certificateSerial":"03f2","certificateIssuer":"CN=TEST NCA","signingTime":"2026-03-10T04:00:00Z"}`) {
		t.Fatalf("the signed act is not cited: %s", signed)
	}
}
