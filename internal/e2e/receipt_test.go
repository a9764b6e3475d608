package e2e

import (
	"net/http"
	"testing"

	"attestation/internal/localstack"
)

// Receipt as the Rules count it (internal/attestation/receipt.go): the certificate reaches its
// owner with the act when the authority sends them (§25, §28), not at the decision, and the
// monitoring year of §42 runs from that receipt.
func TestPar42MonitoringYearRunsFromTheSendingOfPar28(t *testing.T) {
	p := toDecision(t)
	p.act(p.authority, day(11, 17, 10), "decision", "issue", nil)
	p.open("send_documents") // the certificate is made and entered before the sending step opens
	number, _ := p.view(p.authority)["certificate"].(string)
	if number == "" {
		t.Fatal("§28: the authority sees no certificate number before sending it")
	}
	owner := as(t, localstack.DemoApplicant)

	t.Run("§25 §28 before the sending the applicant sees neither the number nor the PDF", func(t *testing.T) {
		if v := p.view(p.applicant); v["certificate"] != nil {
			t.Fatalf("the applicant sees certificate %v before it was sent", v["certificate"])
		}
		if c := certificateOf(t, owner, "", number); c != nil {
			t.Fatalf("the owner lists certificate %s before it was sent", number)
		}
		if status, out := owner.do("GET", certPath(number, "/document"), nil); status != http.StatusNotFound {
			t.Fatalf("the owner's PDF before the sending: %d %v", status, out)
		}
		if r := send(t, "GET", certPath(number, ""), "", nil, map[string]string{"Accept": "application/json"}); r.status != http.StatusNotFound {
			t.Fatalf("the public verification before the sending: %d %s", r.status, r.raw)
		}
		if status, out := p.authority.do("GET", certPath(number, "/document"), nil); status != http.StatusOK {
			t.Fatalf("the authority's PDF: %d %v", status, out)
		}
	})

	// Sent on Friday 11-20, three days after the decision.
	p.act(p.authority, day(11, 20, 10), "send_documents", "sent", nil)
	v := p.end("issued")
	if v["certificate"] != number {
		t.Fatalf("§28: after the sending the applicant sees %v, want %s", v["certificate"], number)
	}
	t.Run("§42 the monitoring year runs from the receipt on Friday 2026-11-20, not the decision on 11-17", func(t *testing.T) {
		c := certificateOf(t, owner, "", number)
		if c == nil {
			t.Fatalf("the owner does not list certificate %s once sent", number)
		}
		m, _ := c["monitoring"].(map[string]any)
		// One year from Friday 2026-11-20: Saturday 2027-11-20 moves to Monday 11-22.
		if m == nil || m["dueAt"] != "2027-11-22T18:59:59Z" {
			t.Fatalf("monitoring %v, want due 2027-11-22 end of day in Almaty", m)
		}
		if c["receivedAt"] != "2026-11-20T05:00:00Z" {
			t.Fatalf("receivedAt %v", c["receivedAt"])
		}
		if status, out := owner.do("GET", certPath(number, "/document"), nil); status != http.StatusOK {
			t.Fatalf("the owner's PDF once sent: %d %v", status, out)
		}
		verification(t, number)
	})
}
