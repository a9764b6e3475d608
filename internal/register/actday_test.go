package register_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"attestation/internal/register"
)

// TestActDayPar29 checks §29(4) as the register publishes it: an act's date is a calendar day
// as written on the act, not only the instant that day begins; and an entry signed before the
// day existed still verifies, gaining the day at its next revision.
func TestActDayPar29(t *testing.T) {
	almaty, err := time.LoadLocation("Asia/Almaty")
	if err != nil {
		t.Fatal(err)
	}
	actDate := time.Date(2026, 11, 16, 0, 0, 0, 0, almaty) // 2026-11-15T19:00:00Z
	s := newSigner(t, "k1")
	pub := publicKey(t, s)

	t.Run("§29(4) a new entry names the act's day as written on the act", func(t *testing.T) {
		e := draft("2026-00001", "Registry", "120540001238")
		e.Act.Date, e.Act.Day = actDate.UTC(), register.ActDay(actDate)
		e = revise(t, s, register.Entry{}, e, issued)
		if !strings.Contains(string(e.Seal.Payload), `"act":{"number":"ACT-1","date":"2026-11-15T19:00:00Z","day":"2026-11-16"`) {
			t.Errorf("signed payload lacks the act's day: %s", e.Seal.Payload)
		}
		if err := register.Verify(e, pub); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("§29(4) an entry signed before the day existed verifies, and its next revision names the day", func(t *testing.T) {
		old := draft("2026-00002", "Registry", "120540001238")
		old.Act.Date = actDate.UTC() // no Day: as issued before it existed
		old.Revision, old.UpdatedAt = 1, issued
		payload, err := json.Marshal(old.PublicView())
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(payload), `"day"`) {
			t.Fatalf("an old entry's view gained a day it was not signed with: %s", payload)
		}
		sig, err := s.Sign(context.Background(), payload)
		if err != nil {
			t.Fatal(err)
		}
		old.Seal = register.Seal{Payload: payload, Signature: sig}
		if err := register.Verify(old, pub); err != nil {
			t.Fatalf("an entry signed before the act's day existed no longer verifies: %v", err)
		}

		next := old
		next.Status = register.Recalled
		next = revise(t, s, old, next, issued.Add(48*time.Hour))
		if next.Act.Day != "2026-11-16" {
			t.Errorf("next revision's act day = %q, want 2026-11-16", next.Act.Day)
		}
		if !strings.Contains(string(next.Seal.Payload), `"day":"2026-11-16"`) {
			t.Errorf("next revision's payload lacks the day: %s", next.Seal.Payload)
		}
		if err := register.Verify(next, pub); err != nil {
			t.Fatal(err)
		}
		if next.PreviousSHA256 != register.PayloadSHA256(payload) {
			t.Error("the next revision does not link the old payload")
		}
	})

	t.Run("§29(4) the CSV export gives the act's day", func(t *testing.T) {
		e := draft("2026-00003", "Registry", "120540001238")
		e.Act.Date = actDate.UTC() // an old entry: the day comes from the instant
		e.Revision = 1
		csv := string(register.ExportCSV([]register.Entry{e}, issued))
		if !strings.Contains(csv, ",ACT-1,2026-11-16,") {
			t.Errorf("CSV row lacks the act's day 2026-11-16:\n%s", csv)
		}
	})
}
