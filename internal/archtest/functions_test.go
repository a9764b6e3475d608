package archtest

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// forbidden are the packages a function must not link (issue 15: each function builds only what
// it uses, for its cold start): no task function links the HTTP API with its register page
// (html/template), the PDF renderer or the SSM client only the issuing root reads; the deadline
// check renders nothing either.
var forbidden = map[string][]string{
	"register-application": taskForbidden,
	"open-step":            taskForbidden,
	"close-case":           taskForbidden,
	"case-needs-attention": taskForbidden,
	"deadline-check":       {"attestation/internal/httpapi", "attestation/internal/certificate", "codeberg.org/go-pdf/fpdf", "html/template", "attestation/internal/issuing"},
	"issue-certificate":    {"attestation/internal/httpapi", "html/template"},
}

var taskForbidden = []string{
	"attestation/internal/httpapi", "attestation/internal/certificate", "attestation/internal/issuing", "codeberg.org/go-pdf/fpdf",
	"html/template", "github.com/aws/aws-sdk-go-v2/service/ssm", "github.com/aws/aws-sdk-go-v2/service/kms",
}

// TestFunctionsLinkOnlyWhatTheyUse lists each function's dependencies as make build builds it
// (-tags lambda.norpc) and fails on any forbidden package, naming who imports it.
func TestFunctionsLinkOnlyWhatTheyUse(t *testing.T) {
	for fn, bad := range forbidden {
		t.Run(fn, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-tags", "lambda.norpc", "-deps", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "../../functions/"+fn).Output()
			if err != nil {
				t.Fatalf("go list: %v", err)
			}
			importers := map[string][]string{}
			for line := range strings.Lines(string(out)) {
				f := strings.Fields(line)
				for _, imp := range f[1:] {
					importers[imp] = append(importers[imp], f[0])
				}
				importers[f[0]] = append(importers[f[0]], "")
			}
			for _, p := range bad {
				if by, ok := importers[p]; ok {
					t.Errorf("%s links %s (imported by %v)", fn, p, slices.DeleteFunc(by, func(s string) bool { return s == "" }))
				}
			}
		})
	}
}
