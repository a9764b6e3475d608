package policy_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"attestation/internal/policy"
)

// domainDocPath is docs/domain.md at the module root, seen from internal/policy.
var domainDocPath = filepath.Join("..", "..", "docs", "domain.md")

// periodTableHeader is the header row of docs/domain.md's table of periods.
const periodTableHeader = "| step | paragraph | who acts | period | under the Law | counted from | if it lapses |"

// lawEdition is the edition the table's "under the Law" column follows.
const lawEdition = "law-2015-art51"

// actorWords are the words docs/domain.md uses for each actor.
var actorWords = map[policy.Actor]string{
	policy.ActorApplicant:        "applicant",
	policy.ActorAuthority:        "authority",
	policy.ActorSTS:              "STS",
	policy.ActorQualityAuthority: "quality authority",
}

// lapseWords are the words a row's "if it lapses" cell starts with, for each lapse.
var lapseWords = map[policy.Lapse]string{
	policy.LapseOverdue:        "overdue",
	policy.LapseCancel:         "cancel:",
	policy.LapseRefusalGrounds: "refusal grounds:",
	policy.LapseNotAccepted:    "not accepted:",
	policy.LapseServiceBreach:  "service breach:",
	policy.LapseExpiry:         "expiry:",
}

// TestDomainDocPeriodsAgreeWithPolicy reads the table of periods in docs/domain.md and checks
// every row against the policy data: the paragraph, who acts, the period and what a lapse means
// in the default edition, and the period in the Law's edition (or "same"). Every period of the
// default edition has its row, so the page can neither drift from the data nor leave a step out.
func TestDomainDocPeriodsAgreeWithPolicy(t *testing.T) {
	def := mustLoad(t, policy.Default())
	law := mustLoad(t, lawEdition)
	rows := periodRows(t)
	seen := map[string]bool{}
	for _, row := range rows {
		step := strings.Trim(row[0], "`")
		t.Run(step, func(t *testing.T) {
			if seen[step] {
				t.Fatalf("step %s has two rows", step)
			}
			seen[step] = true
			p, err := def.Period(step)
			if err != nil {
				t.Fatalf("docs/domain.md names step %s, which the policy does not have: %v", step, err)
			}
			check := func(column, got, want string) {
				t.Helper()
				if got != want {
					t.Errorf("%s: docs/domain.md says %q, the policy edition %s %q", column, got, def.ID(), want)
				}
			}
			check("paragraph", row[1], p.Paragraph)
			check("who acts", row[2], actorWords[p.Actor])
			check("period", row[3], p.Limit())
			lp, err := law.Period(step)
			if err != nil {
				t.Fatalf("edition %s has no step %s: %v", law.ID(), step, err)
			}
			wantLaw := "same"
			if lp.Limit() != p.Limit() {
				wantLaw = lp.Limit()
			}
			if row[4] != wantLaw {
				t.Errorf("under the Law: docs/domain.md says %q, the policy edition %s %q", row[4], law.ID(), wantLaw)
			}
			if w := lapseWords[p.Lapse]; w == "" || !strings.HasPrefix(row[6], w) {
				t.Errorf("if it lapses: docs/domain.md says %q; the policy's lapse is %s, written %q", row[6], p.Lapse, w)
			}
		})
	}
	for _, p := range def.Periods() {
		if !seen[p.Step] {
			t.Errorf("docs/domain.md's table of periods has no row for step %s (%s, %s)", p.Step, p.Paragraph, p.Limit())
		}
	}
}

// periodRows returns the cells of each row of docs/domain.md's table of periods.
func periodRows(t *testing.T) [][]string {
	t.Helper()
	b, err := os.ReadFile(domainDocPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	start := -1
	for i, l := range lines {
		if strings.TrimSpace(l) == periodTableHeader {
			if start >= 0 {
				t.Fatalf("docs/domain.md has two tables of periods")
			}
			start = i
		}
	}
	if start < 0 {
		t.Fatalf("docs/domain.md has no table of periods (header %q)", periodTableHeader)
	}
	var rows [][]string
	for _, l := range lines[start+2:] {
		if !strings.HasPrefix(l, "|") {
			break
		}
		cells := strings.Split(strings.Trim(strings.TrimSpace(l), "|"), "|")
		if len(cells) != 7 {
			t.Fatalf("docs/domain.md: a row of the table of periods has %d cells, not 7: %s", len(cells), l)
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		rows = append(rows, cells)
	}
	if len(rows) == 0 {
		t.Fatal("docs/domain.md's table of periods has no rows")
	}
	return rows
}
