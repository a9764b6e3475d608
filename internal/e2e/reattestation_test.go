package e2e

import (
	"bytes"
	"net/http"
	"slices"
	"testing"
	"time"

	"attestation/internal/localstack"
)

// §44: the authority's decision that re-attestation is required obliges the owner to apply again
// and lists the certificate for the authority's decision on recall for changed conditions
// (§45(4)), both in the obligations list, until the recall is decided.
func TestPar44ReattestationRequiredShowsInTheObligations(t *testing.T) {
	org := newOrganisation(t)
	number := lifeEntry(t, "state_is", org.BIN, time.Date(2026, 3, 2, 10, 0, 0, 0, almaty))
	clockAt(t, time.Date(2026, 11, 2, 10, 0, 0, 0, almaty))
	status, out := as(t, org).do("POST", certPath(number, "/changes"), map[string]any{"description": "A second data centre"})
	mustStatus(t, "notice", status, http.StatusCreated, out)
	authority := as(t, localstack.DemoAuthority)
	status, out = authority.do("POST", certPath(number, "/changes/c1/decision"), map[string]any{"decision": "reattestation_required", "reasons": []string{"§44: the network changed"}})
	mustStatus(t, "decision", status, http.StatusOK, out)
	got := obligationsOf(t, false, number)
	for _, want := range []string{"reattestation/" + number + "/c1", "recall/" + number + "/c1/changed_conditions"} {
		if !slices.Contains(got, want) {
			t.Fatalf("obligations %v lack %s", got, want)
		}
	}
	if got := obligationsAs(t, as(t, org), false, number); !slices.Contains(got, "reattestation/"+number+"/c1") {
		t.Fatalf("the owner's obligations %v lack its new application", got)
	}
	status, out = authority.do("POST", certPath(number, "/recall"), map[string]any{"ground": "changed_conditions", "changeId": "c1", "reasons": []string{"§45(4)"}})
	mustStatus(t, "recall", status, http.StatusOK, out)
	for _, o := range obligationsOf(t, false, number) {
		if o == "reattestation/"+number+"/c1" || o == "recall/"+number+"/c1/changed_conditions" {
			t.Fatalf("still open after the recall: %v", o)
		}
	}
}

// Law Art. 51(11): under the Law's edition the authority convenes the attestation commission on
// the owner's notice of changes, and the decision on re-attestation is the commission's: without
// the commission it is refused (422 naming commission and the paragraph), with it the notice
// records the commission (meeting, protocol number, members); under the Rules' edition (§44) a
// commission is refused.
func TestArt51Item11ReattestationDecisionOnTheCommissionsProtocol(t *testing.T) {
	org := newOrganisation(t)
	law := lifeEntryUnder(t, "law-2015-art51", "state_is", org.BIN, time.Date(2026, 3, 2, 10, 0, 0, 0, almaty))
	rules := lifeEntry(t, "state_is", org.BIN, time.Date(2026, 3, 2, 10, 0, 0, 0, almaty))
	clockAt(t, time.Date(2026, 11, 2, 10, 0, 0, 0, almaty)) // Monday: the office receives the notice at once
	for _, number := range []string{law, rules} {
		status, out := as(t, org).do("POST", certPath(number, "/changes"), map[string]any{"description": "A second data centre"})
		mustStatus(t, "notice", status, http.StatusCreated, out)
	}
	clockAt(t, time.Date(2026, 11, 4, 15, 0, 0, 0, almaty))
	authority := as(t, localstack.DemoAuthority)
	commission := map[string]any{"meeting": "2026-11-04", "protocolNumber": "P-51/11", "members": []map[string]any{
		{"name": "Әлібеков Серік Қанатұлы", "position": "Chairman of the Committee", "role": "chair"},
		{"name": "Нурланова Айгерим", "position": "Head of department", "role": "member"},
		{"name": "Омаров Бауыржан", "position": "Chief expert", "role": "secretary"}}}
	decision := func(cm any) map[string]any {
		body := map[string]any{"decision": "reattestation_required", "reasons": []string{"the network perimeter changed"}}
		if cm != nil {
			body["commission"] = cm
		}
		return body
	}

	t.Run("Law Art. 51(11) the decision without the commission is refused", func(t *testing.T) {
		status, out := authority.do("POST", certPath(law, "/changes/c1/decision"), decision(nil))
		mustStatus(t, "decision without commission", status, http.StatusUnprocessableEntity, out, "commission", "Law Art. 51(10)-(11)", "protocol of the attestation commission")
		late := map[string]any{"meeting": "2026-10-30", "protocolNumber": "P-0", "members": commission["members"]}
		status, out = authority.do("POST", certPath(law, "/changes/c1/decision"), decision(late))
		mustStatus(t, "a commission before the notice", status, http.StatusUnprocessableEntity, out, "commission.meeting", "before the authority received the change notice")
	})
	t.Run("Law Art. 51(11) the decision records the commission convened on the notice", func(t *testing.T) {
		status, out := authority.do("POST", certPath(law, "/changes/c1/decision"), decision(commission))
		mustStatus(t, "decision on the commission's protocol", status, http.StatusOK, out)
		cm, _ := out["change"].(map[string]any)["commission"].(map[string]any)
		if cm["protocolNumber"] != "P-51/11" || cm["meeting"] != "2026-11-04" || cm["step"] != "change_decision" || len(cm["members"].([]any)) != 3 {
			t.Fatalf("the decided notice's commission %v", cm)
		}
		// The certificate as the authority lists it keeps the commission on its notice, and the
		// register's history names the protocol.
		c := certificateOf(t, authority, org.BIN, law)
		changes, _ := c["changes"].([]any)
		if len(changes) != 1 || changes[0].(map[string]any)["commission"] == nil {
			t.Fatalf("the certificate's notices: %v", c["changes"])
		}
		r := send(t, "GET", certPath(law, "/history"), "", nil, map[string]string{"Accept": "application/json"})
		if r.status != http.StatusOK || !bytes.Contains(r.raw, []byte("on the protocol P-51/11 of the attestation commission of 2026-11-04")) {
			t.Fatalf("the certificate's history does not name the protocol: %d %s", r.status, r.raw)
		}
	})
	t.Run("§44 the Rules' decision on re-attestation takes no commission", func(t *testing.T) {
		status, out := authority.do("POST", certPath(rules, "/changes/c1/decision"), decision(commission))
		mustStatus(t, "a commission under the Rules", status, http.StatusUnprocessableEntity, out, "commission", "rules-2016-amended-2018 takes the decision on re-attestation without an attestation commission")
		status, out = authority.do("POST", certPath(rules, "/changes/c1/decision"), decision(nil))
		mustStatus(t, "the Rules' decision", status, http.StatusOK, out)
	})
}
