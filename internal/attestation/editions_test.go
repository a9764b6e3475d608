package attestation

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"attestation/internal/policy"
)

// filedPackage is draftPackage with every document §13 requires of it, as stored refs.
func filedPackage(t *testing.T) Package {
	p := draftPackage()
	p.Documents = map[string]DocumentRef{}
	for _, r := range requiredDocuments(t) {
		sum := sha256.Sum256([]byte(r.ID))
		p.Documents[r.ID] = DocumentRef{Key: "uploads/" + applicantBIN + "/draft-1/" + r.ID + ".pdf", SHA256: hex.EncodeToString(sum[:]),
			ContentType: "application/pdf", Size: 20480, Sheets: 3}
	}
	return p
}

// The edition of a filing by its date (Decree No. 1047 of 2019-12-31 repealed the Rules; Order
// No. 374/НҚ of 2020-10-05 the standard): walkStart is 2026-10-05, a date no edition covers once
// their ends are configured.
func TestPar1EditionOfAFilingByItsDate(t *testing.T) {
	ends, err := policy.ParseEnds("rules-2016-amended-2018=2020-01-11,law-2015-art51=2020-01-11")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("Decree No. 1047: the enforce mode refuses a filing on a date no edition covers, before any write", func(t *testing.T) {
		h := newHarness(t)
		h.rebuild(func(d *Deps) { d.EditionMode, d.EditionEnds = policy.Enforce, ends })
		_, err := h.svc.Submit(h.ctx, applicant, filedPackage(t), h.tick())
		var refused *SubmissionRefused
		if !errors.As(err, &refused) || len(refused.Problems) != 1 || refused.Problems[0].Rule != ruleEdition ||
			!strings.Contains(refused.Problems[0].Message, "no policy edition is in force on the filing date: 2026-10-05") {
			t.Fatalf("%v", err)
		}
		if len(h.store.cases) != 0 || len(h.records.versions) != 0 || len(h.wf.calls) != 0 {
			t.Fatal("a refused filing wrote")
		}
	})
	t.Run("the model mode files under the configured edition and marks the case and its first event", func(t *testing.T) {
		h := newHarness(t)
		h.rebuild(func(d *Deps) { d.EditionMode, d.EditionEnds = policy.Model, ends })
		c, err := h.svc.Submit(h.ctx, applicant, filedPackage(t), h.tick())
		if err != nil {
			t.Fatal(err)
		}
		if !c.EditionOutOfForce || c.Edition != editionRules || !h.get(c.ID).EditionOutOfForce {
			t.Fatalf("%+v", c)
		}
		if hist := h.history(c.ID); !strings.Contains(hist[0].What, "modelled, not in force") {
			t.Fatalf("first event %q", hist[0].What)
		}
		items, _, err := h.svc.Queue(h.ctx, authority, "", false, 10, "", h.now)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if it.CaseID == c.ID && !it.EditionOutOfForce {
				t.Fatalf("queue item %+v", it)
			}
		}
	})
	t.Run("without ends configured a filing is in force, unmarked", func(t *testing.T) {
		h := newHarness(t)
		c, err := h.svc.Submit(h.ctx, applicant, filedPackage(t), h.tick())
		if err != nil || c.EditionOutOfForce {
			t.Fatalf("%+v %v", c, err)
		}
	})
}
