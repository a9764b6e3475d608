package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"attestation/internal/apperr"
)

// TestEveryKindReachesTheCallerByItsTable walks every apperr kind through the HTTP boundary, as
// a service's error on a real route: the status, the problem type and the title come from apperr's
// table, the detail is the message its maker wrote (or the table's, for an adapter's hidden words
// and for an internal error), and the internal cause reaches the log with the request ID, never
// the body.
func TestEveryKindReachesTheCallerByItsTable(t *testing.T) {
	const secret = "arn:aws:dynamodb:eu-central-1:123456789012:table/Attestation ConditionalCheckFailed"
	for _, k := range apperr.Kinds {
		for _, shape := range []struct {
			name       string
			err        error
			wantDetail string
		}{
			{"its own message", fmt.Errorf("complete step: %w", apperr.Wrap(errors.New(secret), k, "", "the step is not open")), "the step is not open"},
			{"an adapter's hidden words", fmt.Errorf("complete step: %w", apperr.Hidden(k, "", "put %s", secret)), k.DefaultMessage()},
			{"a bare kind", fmt.Errorf("complete step: %s: %w", secret, k), k.DefaultMessage()},
		} {
			t.Run(k.String()+"/"+shape.name, func(t *testing.T) {
				e := newEnv()
				e.svc.stepErr = shape.err
				ev := req{routeKey: "POST /cases/{caseId}/step", path: "/cases/A-1/step", params: caseParams("A-1"), claims: stsClaims,
					body: `{"step":"send_contract","outcome":"contract_sent"}`}.event()
				resp, err := e.h.Handle(context.Background(), ev)
				if err != nil {
					t.Fatal(err)
				}
				var p Problem
				if err := json.Unmarshal([]byte(resp.Body), &p); err != nil {
					t.Fatalf("body %s: %v", resp.Body, err)
				}
				want := shape.wantDetail
				if k == apperr.Internal {
					want = k.DefaultMessage()
				}
				if resp.StatusCode != k.HTTPStatus() || p.Status != k.HTTPStatus() || p.Type != k.ProblemType() || p.Title != k.Title() || p.Detail != want {
					t.Errorf("answer %d %+v, want %d %s %q %q", resp.StatusCode, p, k.HTTPStatus(), k.ProblemType(), k.Title(), want)
				}
				if resp.Headers["Content-Type"] != "application/problem+json" {
					t.Errorf("Content-Type %q", resp.Headers["Content-Type"])
				}
				if strings.Contains(resp.Body, "arn:") || strings.Contains(resp.Body, "Conditional") {
					t.Errorf("the body leaks the cause: %s", resp.Body)
				}
				logs := e.logs.String()
				if !strings.Contains(logs, "ConditionalCheckFailed") || !strings.Contains(logs, `"requestId":"`+ev.RequestContext.RequestID+`"`) {
					t.Errorf("the log lacks the cause or the request ID %s:\n%s", ev.RequestContext.RequestID, logs)
				}
			})
		}
	}
}
