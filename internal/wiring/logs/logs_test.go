package logs

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

func lines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not a JSON line: %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

func TestEveryLineCarriesTheRequestIDAndTheCaseID(t *testing.T) {
	var buf bytes.Buffer
	log := New(&buf, "open-step")
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
	log.InfoContext(ctx, "no case yet")
	log.InfoContext(WithCaseID(ctx, "A-20250101-0123456789abcdef"), "with case", "step", "x")
	log.Info("outside an invocation")
	got := lines(t, &buf)
	if len(got) != 3 {
		t.Fatalf("lines = %d, want 3", len(got))
	}
	tests := []struct {
		name            string
		line            map[string]any
		request, caseID any
	}{
		{"request ID, no case", got[0], "req-1", nil},
		{"request ID and case", got[1], "req-1", "A-20250101-0123456789abcdef"},
		{"no invocation", got[2], nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.line[RequestIDKey] != tt.request || tt.line[CaseIDKey] != tt.caseID {
				t.Errorf("line %v: want %s=%v %s=%v", tt.line, RequestIDKey, tt.request, CaseIDKey, tt.caseID)
			}
			if tt.line["function"] != "open-step" || tt.line["level"] == nil || tt.line["msg"] == nil {
				t.Errorf("line %v lacks function, level or msg", tt.line)
			}
		})
	}
}

// A case ID the code already logs (an attribute of the call or of the logger) is not written twice.
func TestNoKeyIsWrittenTwice(t *testing.T) {
	var buf bytes.Buffer
	ctx := lambdacontext.NewContext(WithCaseID(context.Background(), "A-ctx"), &lambdacontext.LambdaContext{AwsRequestID: "req-2"})
	New(&buf, "api").InfoContext(ctx, "own attr", CaseIDKey, "A-own")
	New(&buf, "api").With(CaseIDKey, "A-with").InfoContext(ctx, "logger attr")
	for i, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if n := strings.Count(l, `"`+CaseIDKey+`"`); n != 1 {
			t.Errorf("line %d has %s %d times: %s", i, CaseIDKey, n, l)
		}
	}
	got := lines(t, &buf)
	if got[0][CaseIDKey] != "A-own" || got[1][CaseIDKey] != "A-with" {
		t.Errorf("the code's own case ID must win: %v", got)
	}
}
