package e2e

import (
	"net/http"
	"testing"

	"attestation/internal/localstack"
)

// §29: the register records the object's developer; a filing that neither names its registered
// object nor gives the developer is refused before any case starts.
func TestPar29AFilingWithoutTheDeveloperIsRefused(t *testing.T) {
	stack.Clock.Freeze(day(10, 15, 10))
	app := application(t, "Without a developer", false)
	delete(app["object"].(map[string]any), "developer")
	status, out := as(t, localstack.DemoApplicant).file(app)
	mustStatus(t, "no developer", status, http.StatusUnprocessableEntity, out, "object.developer", "§29")
}
