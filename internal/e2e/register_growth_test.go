package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"attestation/internal/register"
)

// No list an owner grows on a certificate can block the authority (issue 12): a certificate's
// change notices (§43), each up to 20,000 bytes, live in items of their own; past the documented
// limits (register.MaxChanges, register.MaxDuplicates) the owner's notice is 422 naming the field
// and the limit, nothing is written, and the authority still issues the duplicate (§48) and
// recalls (§45) through the real stack.
func TestRegisterGrowthPastTheLimitsThenDuplicateAndRecallPar43Par45Par48(t *testing.T) {
	p, number := issued(t, "Growing system")
	owner, authority := p.applicant, p.authority
	clockAt(t, time.Date(2026, 11, 23, 10, 0, 0, 0, almaty)) // Monday, office hours

	t.Run("§43 50 notices of 20,000 bytes (1 MB, more than an item holds); the 51st is 422", func(t *testing.T) {
		for i := 1; i <= register.MaxChanges; i++ {
			desc := fmt.Sprintf("change %02d: ", i) + strings.Repeat("x", 20000-11)
			status, out := owner.do("POST", certPath(number, "/changes"), map[string]any{"description": desc})
			mustStatus(t, fmt.Sprintf("notice %d", i), status, http.StatusCreated, out)
		}
		before := verification(t, number)["revision"]
		status, out := owner.do("POST", certPath(number, "/changes"), map[string]any{"description": "one change too many"})
		mustStatus(t, "notice 51", status, http.StatusUnprocessableEntity, out, "changes", "at most 50")
		if after := verification(t, number)["revision"]; after != before {
			t.Fatalf("the refused notice wrote: revision %v, before %v", after, before)
		}
		c := certificateOf(t, owner, "", number)
		changes, _ := c["changes"].([]any)
		if len(changes) != register.MaxChanges {
			t.Fatalf("the owner's list shows %d notices", len(changes))
		}
		if last := changes[len(changes)-1].(map[string]any); last["id"] != "c50" || !strings.HasPrefix(fmt.Sprint(last["description"]), "change 50: ") {
			t.Fatalf("the last notice reads %v", last["id"])
		}
	})
	t.Run("§44 the authority decides with at most 10 reasons", func(t *testing.T) {
		reasons := make([]string, 11)
		for i := range reasons {
			reasons[i] = fmt.Sprintf("reason %d", i)
		}
		status, out := authority.do("POST", certPath(number, "/changes/c50/decision"), map[string]any{"decision": "not_required", "reasons": reasons})
		mustStatus(t, "11 reasons", status, http.StatusUnprocessableEntity, out, "reasons", "at most 10")
		status, out = authority.do("POST", certPath(number, "/changes/c50/decision"), map[string]any{"decision": "not_required", "reasons": reasons[:10]})
		mustStatus(t, "10 reasons", status, http.StatusOK, out)
	})
	t.Run("§48 the authority issues duplicates up to the limit; the 21st request is 422", func(t *testing.T) {
		for i := 1; i <= register.MaxDuplicates; i++ {
			status, out := owner.do("POST", certPath(number, "/duplicates"), map[string]any{"reason": "lost"})
			mustStatus(t, fmt.Sprintf("request %d", i), status, http.StatusCreated, out)
			id := out["duplicate"].(map[string]any)["id"]
			status, out = authority.do("POST", certPath(number, fmt.Sprintf("/duplicates/%v/issue", id)), nil)
			mustStatus(t, fmt.Sprintf("issue %d", i), status, http.StatusOK, out)
		}
		status, out := owner.do("POST", certPath(number, "/duplicates"), map[string]any{"reason": "damaged"})
		mustStatus(t, "request 21", status, http.StatusUnprocessableEntity, out, "duplicates", "at most 20")
	})
	t.Run("§45 the authority recalls the certificate", func(t *testing.T) {
		status, out := authority.do("POST", certPath(number, "/recall"), recallBody("owner_application"))
		mustStatus(t, "recall", status, http.StatusOK, out)
		v := verification(t, number)
		if v["status"] != "recalled" || v["signatureValid"] != true {
			t.Fatalf("verification after the recall: %v %v", v["status"], v["signatureValid"])
		}
		if dups, _ := v["duplicates"].([]any); len(dups) != register.MaxDuplicates {
			t.Fatalf("the verification lists %d duplicates", len(dups))
		}
	})
}
