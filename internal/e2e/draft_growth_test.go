package e2e

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"testing"

	"attestation/internal/attestation"
	"attestation/internal/localstack"
)

// bigDraftBody is a draft's data (the application without its documents) with hardware rows of
// about 4.6 KB, each text at its own limit, added until its JSON is at least size bytes.
func bigDraftBody(t testing.TB, name string, size int) map[string]any {
	t.Helper()
	body := application(t, name, false)
	delete(body, "documents")
	rows := body["hardware"].([]any)
	first := rows[0].(map[string]any)
	for i := 0; ; i++ {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) >= size {
			return body
		}
		r := maps.Clone(first)
		r["serialNumber"] = fmt.Sprintf("INV-G%05d", i)
		r["ipAddresses"] = []any{}
		r["location"] = strings.Repeat("l", attestation.MaxNameLength)
		r["purpose"] = strings.Repeat("p", attestation.MaxTextLength)
		r["protection"] = strings.Repeat("q", attestation.MaxTextLength)
		rows = append(rows, r)
		body["hardware"] = rows
	}
}

// A draft is kept whole in one DynamoDB item (400 KB at most): a draft near its documented limit
// (attestation.MaxDraftBytes) is stored and read back through the local stack's DynamoDB, and one
// over it (even 1 MB, which DynamoDB itself would refuse) is 413 naming the limit, never a 500,
// with nothing written.
func TestDraftNearItsLimitIsKeptAndOneOverIsRefused(t *testing.T) {
	app := as(t, localstack.DemoApplicant)
	near := bigDraftBody(t, "Large draft", attestation.MaxDraftBytes-8000)
	status, out := app.do("POST", "/drafts", near)
	mustStatus(t, "a draft near the limit", status, http.StatusCreated, out)
	id := fmt.Sprint(out["id"])
	status, got := app.do("GET", "/drafts/"+id, nil)
	mustStatus(t, "read back", status, http.StatusOK, got)
	pkg, _ := got["package"].(map[string]any)
	if hw, _ := pkg["hardware"].([]any); len(hw) != len(near["hardware"].([]any)) {
		t.Fatalf("the draft reads back %d hardware rows, want %d", len(hw), len(near["hardware"].([]any)))
	}
	for _, size := range []int{attestation.MaxDraftBytes + 1, 1 << 20} {
		over := bigDraftBody(t, "Too large draft", size)
		status, out = app.do("POST", "/drafts", over)
		mustStatus(t, fmt.Sprintf("a new draft of %d bytes", size), status, http.StatusRequestEntityTooLarge, out, fmt.Sprint(attestation.MaxDraftBytes))
		status, out = app.do("PUT", "/drafts/"+id, over)
		mustStatus(t, fmt.Sprintf("a draft updated to %d bytes", size), status, http.StatusRequestEntityTooLarge, out, fmt.Sprint(attestation.MaxDraftBytes))
	}
	status, again := app.do("GET", "/drafts/"+id, nil)
	if mustStatus(t, "after the refusals", status, http.StatusOK, again); again["version"] != got["version"] {
		t.Fatalf("a refused update wrote: version %v, was %v", again["version"], got["version"])
	}
}
