package register_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"attestation/internal/attestation"
	"attestation/internal/register"
)

// TestPublicViewsNeverShowAnIndividualsNumberPar29: §29(2) publishes the owner, yet an
// individual's IIN is personal data. The public view shows a legal entity's BIN only: not an
// individual owner's number, and not a number whose structure is an IIN (or the BIN of individual
// entrepreneurs) even on an entry that says its owner is a legal entity. The verification, the
// signed history, the search and both export files hold none of them, and the search by such a
// number finds nothing without asking the store.
func TestPublicViewsNeverShowAnIndividualsNumberPar29(t *testing.T) {
	s := newSigner(t, "key-1")
	pub := publicKey(t, s)
	hidden := map[string]struct {
		number     string
		individual bool
	}{
		"an individual owner's IIN":                              {"880101300123", true},
		"an IIN on an entry whose owner is said a legal entity":  {"920315400457", false},
		"individual entrepreneurs' BIN, owner said legal entity": {"120660000173", false},
		"individual entrepreneurs' BIN of an individual owner":   {"050660000158", true},
	}
	var entries []register.Entry
	var revisions [][]register.Revision
	i := 0
	for what, h := range hidden {
		i++
		d := draft("2026/0000"+string(rune('0'+i)), "System of "+what, h.number)
		d.OwnerIndividual = h.individual
		e := revise(t, s, register.Entry{}, d, issued)
		entries = append(entries, e)
		revisions = append(revisions, []register.Revision{{Number: 1, At: issued, Role: "authority", What: "issued", Seal: e.Seal}})
		t.Run(what, func(t *testing.T) {
			if _, ok := attestation.NumberKindOf(h.number); !ok {
				t.Fatalf("%s is not a valid number: the case proves nothing", h.number)
			}
			if got := e.PublishedOwnerBIN(); got != "" {
				t.Fatalf("PublishedOwnerBIN = %q", got)
			}
			v, err := register.Verified(e, pub, issued, register.PublicKeyPath)
			if err != nil || !v.SignatureValid {
				t.Fatalf("the entry signed without the number does not verify: %v", err)
			}
			hist, problems := register.History(revisions[len(revisions)-1], pub)
			if len(problems) != 0 {
				t.Fatal(problems)
			}
			page, err := register.Search(context.Background(), &fakeSearcher{entries: []register.Entry{e}}, register.Query{Limit: 10}, issued)
			if err != nil || len(page.Entries) != 1 {
				t.Fatalf("the search lists the entry: %v %v", page, err)
			}
			for view, body := range map[string]any{"public view": e.PublicView(), "verification": v, "history": hist, "search": page} {
				b, _ := json.Marshal(body)
				if bytes.Contains(b, []byte(h.number)) {
					t.Errorf("the %s holds the number: %s", view, b)
				}
			}
			var nothing refusingSearcher
			found, err := register.Search(context.Background(), &nothing, register.Query{OwnerBIN: h.number, Limit: 10}, issued)
			if err != nil || len(found.Entries) != 0 || found.Cursor != "" || nothing.asked {
				t.Fatalf("the search by the number: %+v %v, store asked %v", found, err, nothing.asked)
			}
		})
	}
	for file, b := range map[string][]byte{"register.json": register.ExportJSON(entries, issued), "register.csv": register.ExportCSV(entries, issued)} {
		for what, h := range hidden {
			if bytes.Contains(b, []byte(h.number)) {
				t.Errorf("§29 %s holds %s", file, what)
			}
		}
	}

	t.Run("§29(2) a legal entity's BIN is published and searched by", func(t *testing.T) {
		e := revise(t, s, register.Entry{}, draft("2026/00009", "Legal entity's system", "120540001238"), issued)
		if e.PublicView().OwnerBIN != "120540001238" {
			t.Fatalf("%+v", e.PublicView())
		}
		page, err := register.Search(context.Background(), &fakeSearcher{entries: []register.Entry{e}}, register.Query{OwnerBIN: "120540001238", Limit: 10}, issued)
		if err != nil || len(page.Entries) != 1 {
			t.Fatalf("%+v %v", page, err)
		}
	})
}

// refusingSearcher is a store that must not be asked.
type refusingSearcher struct{ asked bool }

func (r *refusingSearcher) SearchEntries(context.Context, register.Filter, int, string) ([]register.Entry, string, error) {
	r.asked = true
	return nil, "", nil
}
