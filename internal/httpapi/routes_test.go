package httpapi

import (
	"sort"
	"testing"

	"attestation/internal/samtemplate"
)

// TestRoutesMatchTheTemplate: every route the handler serves is declared as an event of the API
// function in template.yaml, and every declared route is served.
func TestRoutesMatchTheTemplate(t *testing.T) {
	tpl, err := samtemplate.Load("../../template.yaml", samtemplate.Names{Region: "us-east-1", AccountID: "123456789012"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	fn, ok := tpl.Function("ApiFunction")
	if !ok {
		t.Fatal("no ApiFunction in template.yaml")
	}
	var declared, served []string
	for _, r := range fn.Routes {
		declared = append(declared, r.Key())
	}
	for k := range (&Handler{}).routes() {
		served = append(served, k)
	}
	sort.Strings(declared)
	sort.Strings(served)
	if len(declared) != len(served) {
		t.Fatalf("template.yaml declares %v\nthe handler serves %v", declared, served)
	}
	for i := range declared {
		if declared[i] != served[i] {
			t.Fatalf("template.yaml declares %v\nthe handler serves %v", declared, served)
		}
	}
}
