package demo

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"path/filepath"
	"testing"
	"time"
)

func TestStepLineSaysWhoWhatDueAndWorkingDaysLeft(t *testing.T) {
	l := StepLine{Step: "completeness_check", Paragraph: "§14", Role: "authority", Who: "authority (Daniyar Authority)",
		What: "forwarded to the STS", At: time.Date(2026, 10, 16, 5, 0, 0, 0, time.UTC),
		DueAt: time.Date(2026, 10, 20, 18, 59, 59, 0, time.UTC), DaysLeft: 2}
	want := "Fri 16 Oct 10:00  authority (Daniyar Authority)  completeness check §14: forwarded to the STS; due Tue 20 Oct 2026 23:59 Almaty, 2 working days left"
	if got := l.String(); got != want {
		t.Fatalf("line\n got %q\nwant %q", got, want)
	}
}

// §14: a period in working days counts the days after the event; the demo's "left" counts the
// same way, from the act's date to the due date, skipping the weekend and Oct 26 (Republic Day
// fell on a Sunday in 2026, and the day off moved).
func TestWorkingDaysLeftCountsAsThePeriodsDoPar14(t *testing.T) {
	for _, tc := range []struct {
		name     string
		now, due time.Time
		want     int
	}{
		{"Friday to Tuesday", time.Date(2026, 10, 16, 10, 0, 0, 0, almaty), time.Date(2026, 10, 20, 23, 59, 59, 0, almaty), 2},
		{"due the same day", time.Date(2026, 10, 20, 10, 0, 0, 0, almaty), time.Date(2026, 10, 20, 23, 59, 59, 0, almaty), 0},
		{"past the due day", time.Date(2026, 10, 21, 10, 0, 0, 0, almaty), time.Date(2026, 10, 20, 23, 59, 59, 0, almaty), 0},
		{"over Republic Day", time.Date(2026, 10, 23, 10, 0, 0, 0, almaty), time.Date(2026, 10, 28, 23, 59, 59, 0, almaty), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := workingDaysLeft(tc.now, tc.due)
			if err != nil || got != tc.want {
				t.Fatalf("working days left %d (%v), want %d", got, err, tc.want)
			}
		})
	}
}

// §29: anyone checks a register entry offline with the published key.
func TestVerifyEntryChecksTheSignatureWithThePublishedKeyPar29(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pub := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	payload := []byte(`{"number":"2026/00001","status":"valid"}`)
	digest := sha256.Sum256(payload)
	sig, err := ecdsa.SignASN1(rand.Reader, key, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	if err := verifyEntry(pub, payload, sig); err != nil {
		t.Fatalf("a good signature: %v", err)
	}
	if err := verifyEntry(pub, []byte(`{"number":"2026/00001","status":"recalled"}`), sig); err == nil {
		t.Fatal("a changed entry verified")
	}
	if err := verifyEntry([]byte("not a key"), payload, sig); err == nil {
		t.Fatal("a missing key verified")
	}
}

func TestNameClaimNamesWhoActs(t *testing.T) {
	claims, _ := json.Marshal(map[string]string{"name": "Saule STS"})
	tok := "e30." + base64.RawURLEncoding.EncodeToString(claims) + ".sig"
	if got := nameClaim(tok); got != "Saule STS" {
		t.Fatalf("name %q", got)
	}
	if got := nameClaim("not-a-jwt"); got != "" {
		t.Fatalf("name of garbage %q", got)
	}
}

// The draft names the registered object by its ID and by its name (issue 14: the sample
// package's own name must not survive into the case, the certificate and the register).
func TestDraftBodyNamesTheRegisteredObject(t *testing.T) {
	s := &story{cfg: Config{PackageFile: filepath.Join("..", "attestation", "testdata", "packages", "valid.json"), ObjectName: "E-licensing"},
		res: Result{ObjectID: "O-0123456789abcdef"}}
	body, kinds, err := s.draftBody()
	if err != nil {
		t.Fatal(err)
	}
	obj := body["object"].(map[string]any)
	if obj["id"] != "O-0123456789abcdef" || obj["name"] != "E-licensing" {
		t.Fatalf("object %v", obj)
	}
	if _, ok := body["documents"]; ok || len(kinds) < 20 || kinds[0] != "annex3_01" {
		t.Fatalf("documents left in the body, or kinds %v", kinds)
	}
}
