package localstack

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"attestation/internal/samtemplate"
)

// TestGatewayCutsTheIntegrationOffAtItsTimeout: a function slower than the integration timeout
// is answered as API Gateway answers it, 503 {"message":"Service Unavailable"}, at the timeout
// (shortened here from the 30 s of AWS), while a faster one is relayed as it is.
func TestGatewayCutsTheIntegrationOffAtItsTimeout(t *testing.T) {
	if IntegrationTimeout != 30*time.Second {
		t.Errorf("the default integration timeout is %s, API Gateway's is 30s", IntegrationTimeout)
	}
	slow := func(d time.Duration) lambda.Handler {
		return lambda.NewHandler(func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			time.Sleep(d)
			return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: `{"ok":true}`}, nil
		})
	}
	route := func(path, fn string) apiRoute {
		return apiRoute{route: samtemplate.Route{Method: "GET", Path: path, Public: true}, function: fn, segments: []string{path[1:]}}
	}
	discard := slog.New(slog.NewJSONHandler(io.Discard, nil))
	g := &apiGateway{
		routes:  []apiRoute{route("/slow", "slow"), route("/fast", "fast")},
		invoker: &invoker{handlers: map[string]lambda.Handler{"slow": slow(time.Second), "fast": slow(0)}, log: discard, reqs: &Requests{}},
		clock:   NewClock(), accessLog: discard, integrationTimeout: 100 * time.Millisecond,
	}
	for _, tc := range []struct {
		path   string
		status int
		body   string
	}{
		{"/slow", http.StatusServiceUnavailable, "{\"message\":\"Service Unavailable\"}\n"},
		{"/fast", http.StatusOK, `{"ok":true}`},
	} {
		t.Run(tc.path, func(t *testing.T) {
			w := httptest.NewRecorder()
			start := time.Now()
			g.ServeHTTP(w, httptest.NewRequest("GET", tc.path, nil))
			took := time.Since(start)
			if w.Code != tc.status || w.Body.String() != tc.body {
				t.Fatalf("%d %s, want %d %s", w.Code, w.Body.String(), tc.status, tc.body)
			}
			if took > 900*time.Millisecond {
				t.Errorf("answered after %s: the gateway waited for the function past its timeout", took)
			}
		})
	}
}
