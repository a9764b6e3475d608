package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"attestation/internal/httpapi"
)

// apiRouter finds a request's operation in the API's document (internal/httpapi/openapi.yaml).
var apiRouter = sync.OnceValues(func() (routers.Router, error) {
	doc, err := openapi3.NewLoader().LoadFromData(httpapi.OpenAPI())
	if err != nil {
		return nil, fmt.Errorf("load openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("validate openapi.yaml: %w", err)
	}
	return gorillamux.NewRouter(doc)
})

// validatedResponses counts the answers of the API checked against its document.
var validatedResponses atomic.Int64

// localRoute reports whether path is one of the local stack's own routes, which the API's
// document does not describe.
func localRoute(path string) bool {
	return strings.HasPrefix(path, "/_local/") || path == "/.well-known/jwks.json"
}

// checkResponse validates an answer of the API (through the local stack's gateway) against
// openapi.yaml with kin-openapi: the route is in the document, the status is declared for it,
// and the content type, headers and body match the declared response. A mismatch fails t with
// kin-openapi's message.
func checkResponse(t testing.TB, req *http.Request, resp *http.Response, body []byte) {
	t.Helper()
	if localRoute(req.URL.Path) {
		return
	}
	if err := validateResponse(req, resp, body); err != nil {
		t.Errorf("%s %s: response %d does not match openapi.yaml: %v\nbody: %s", req.Method, req.URL.RequestURI(), resp.StatusCode, err, body)
		return
	}
	validatedResponses.Add(1)
}

func validateResponse(req *http.Request, resp *http.Response, body []byte) error {
	router, err := apiRouter()
	if err != nil {
		return err
	}
	route, params, err := router.FindRoute(req)
	if err != nil {
		return fmt.Errorf("route %s %s: %w", req.Method, req.URL.Path, err)
	}
	return openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	})
}
