package e2e

import (
	"net/http"
	"strings"
	"testing"
)

// TestEditionOutOfForceIsMarkedInEveryView: the local stack runs in the model mode (issue 16):
// a filing on a 2026 date falls under the configured Rules edition, which the template's
// PolicyEditionEnds ends on 2020-01-11 (Decree No. 1047 of 2019-12-31 repealed the Rules), so
// the case is marked as filed under an edition out of force: in the case view, the staff queue
// and the certificate's register entry. On the main branch before issue 16 none of them said so.
func TestEditionOutOfForceIsMarkedInEveryView(t *testing.T) {
	p := file(t, day(10, 15, 10), application(t, "Edition out of force", false))
	t.Run("Decree No. 1047: the case view and its first event say the edition is out of force", func(t *testing.T) {
		v := p.view(p.applicant)
		if v["editionOutOfForce"] != true || v["edition"] != "rules-2016-amended-2018" {
			t.Fatalf("%v", v)
		}
		hasEvent(t, v, "application submitted (filed on 2026-10-15 under edition rules-2016-amended-2018, which applies from 2018-04-09 to 2020-01-10: modelled, not in force)")
	})
	t.Run("Decree No. 1047: the authority's queue item says so", func(t *testing.T) {
		item, ok := queueHas(t, p.authority, "", p.id)
		if !ok || item["editionOutOfForce"] != true {
			t.Fatalf("%v %v", ok, item)
		}
	})
	t.Run("Decree No. 1047: the certificate's register entry says so", func(t *testing.T) {
		p.act(p.authority, day(10, 16, 10), "completeness_check", "forward", nil)
		p.act(p.sts, day(10, 16, 11), "send_contract", "contract_sent", p.docs("contract"))
		p.act(p.applicant, day(10, 19, 10), "sign_contract", "signed", p.docs("signed_contract"))
		p.act(p.sts, day(11, 16, 10), "survey", "act", p.docs("survey_act"))
		p.act(p.authority, day(11, 17, 10), "decision", "issue", nil)
		p.act(p.authority, day(11, 18, 10), "send_documents", "sent", nil)
		v := p.end("issued")
		n, _ := v["certificate"].(string)
		if !strings.HasPrefix(n, "2026/") {
			t.Fatalf("no certificate: %v", v)
		}
		// The signed public entry carries the mark, and its signature verifies.
		status, e := p.authority.do("GET", "/certificates/"+n, nil)
		if entry, _ := e["entry"].(map[string]any); status != http.StatusOK || entry["editionOutOfForce"] != true || e["signatureValid"] != true {
			t.Fatalf("%d %v", status, e)
		}
	})
}
