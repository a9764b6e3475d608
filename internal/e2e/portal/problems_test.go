package portal

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestPortalNamesEveryProblemType: every problem type docs/errors.md lists
// (urn:attestation:problem:<slug>, the apperr table) has a localised title, problem.<slug>, in
// each of the portal's dictionaries, so a refusal reads in the page's language while its detail
// and field messages stay the API's English, marked lang="en".
func TestPortalNamesEveryProblemType(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(root, "docs", "errors.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows := regexp.MustCompile("(?m)^\\| [A-Za-z]+ \\| [0-9]{3} \\| `([a-z-]+)` \\|").FindAllStringSubmatch(string(raw), -1)
	if len(rows) < 10 {
		t.Fatalf("docs/errors.md lists %d problem types; its table changed shape", len(rows))
	}
	for _, lang := range []string{"kk", "ru", "en"} {
		l := dictionary(t, lang)
		for _, r := range rows {
			if l["problem."+r[1]] == "" {
				t.Errorf("%s.json has no title for the problem type %s (problem.%s)", lang, r[1], r[1])
			}
		}
	}
}
