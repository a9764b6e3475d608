package httpapi

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestConfirmDraftUploadsAnswersEachUploadWithItsOwnProblem: the batch confirm answers 200 with a
// result per upload: the confirmed upload, or a problem+json body of its own (type, status,
// problems naming the field); the batches' limits (openapi.yaml maxItems) refuse a longer list
// before the service is asked.
func TestConfirmDraftUploadsAnswersEachUploadWithItsOwnProblem(t *testing.T) {
	e := newEnv()
	draft := map[string]string{"draftId": "D-" + strings.Repeat("0", 24)}
	ids := []string{"U-" + strings.Repeat("a", 32), "U-" + strings.Repeat("b", 32)}
	body, _ := json.Marshal(map[string]any{"uploads": ids})
	resp, _ := e.do(t, req{routeKey: "POST /drafts/{draftId}/uploads/confirm", path: "/drafts/" + draft["draftId"] + "/uploads/confirm",
		params: draft, claims: applicantClaims, body: string(body)})
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, resp.Body)
	}
	var v ConfirmBatchView
	if err := json.Unmarshal([]byte(resp.Body), &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Results) != 2 || v.Results[0].Upload == nil || v.Results[0].Problem != nil || v.Results[0].ID != ids[0] {
		t.Fatalf("first result %+v", v.Results)
	}
	p := v.Results[1].Problem
	if v.Results[1].Upload != nil || p == nil || p.Status != 422 || p.Type != "urn:attestation:problem:invalid-request" ||
		len(p.Problems) != 1 || p.Problems[0].Field != "contentType" {
		t.Fatalf("second result %+v %+v", v.Results[1], p)
	}

	for route, item := range map[string]any{
		"POST /drafts/{draftId}/uploads/confirm": ids[0],
		"POST /drafts/{draftId}/uploads/batch":   map[string]any{"document": "application", "contentType": "application/pdf", "size": 1, "sha256": strings.Repeat("a", 64)},
	} {
		list := make([]any, 65)
		for i := range list {
			list[i] = item
		}
		body, _ := json.Marshal(map[string]any{"uploads": list})
		_, path, _ := strings.Cut(strings.ReplaceAll(route, "{draftId}", draft["draftId"]), " ")
		resp, _ := e.do(t, req{routeKey: route, path: path, params: draft, claims: applicantClaims, body: string(body)})
		if resp.StatusCode != 422 || !strings.Contains(resp.Body, `"uploads"`) || !strings.Contains(resp.Body, "64") {
			t.Fatalf("%s with 65 uploads: %d %s", route, resp.StatusCode, resp.Body)
		}
	}
	body, _ = json.Marshal(map[string]any{"uploads": []any{map[string]any{"document": "application", "contentType": "application/pdf", "size": 3, "sha256": strings.Repeat("a", 64)}}})
	resp, _ = e.do(t, req{routeKey: "POST /drafts/{draftId}/uploads/batch", path: "/drafts/" + draft["draftId"] + "/uploads/batch",
		params: draft, claims: applicantClaims, body: string(body)})
	if resp.StatusCode != 201 || !strings.Contains(resp.Body, fmt.Sprintf("U-%032d", 0)) {
		t.Fatalf("declare: %d %s", resp.StatusCode, resp.Body)
	}
}
