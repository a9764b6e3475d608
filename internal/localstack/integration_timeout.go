package localstack

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

// IntegrationTimeout is how long API Gateway (an HTTP API) waits for its Lambda integration: 30
// seconds, a hard limit. Past it the gateway answers 503 {"message":"Service Unavailable"} while
// the function runs on to its own end (and records its call itself); the local gateway does the
// same. Options.IntegrationTimeout shortens it for tests.
const IntegrationTimeout = 30 * time.Second

// errIntegrationTimeout: the gateway gave up on the function (the access log's integration error).
var errIntegrationTimeout = errors.New("integration timed out")

// invokeWithin invokes the route's function as the gateway does, giving up with
// errIntegrationTimeout after the integration timeout.
func (g *apiGateway) invokeWithin(ctx context.Context, function string, payload []byte) ([]byte, *messages.InvokeResponse_Error, error) {
	limit := g.integrationTimeout
	if limit <= 0 {
		limit = IntegrationTimeout
	}
	type result struct {
		out   []byte
		fnErr *messages.InvokeResponse_Error
		err   error
	}
	done := make(chan result, 1)
	// The function is not cancelled when the gateway gives up: in AWS it runs to its own timeout.
	fnCtx := context.WithoutCancel(ctx)
	go func() {
		out, fnErr, err := g.invoker.invoke(fnCtx, function, payload)
		done <- result{out, fnErr, err}
	}()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.out, r.fnErr, r.err
	case <-timer.C:
		return nil, nil, errIntegrationTimeout
	}
}
