package policy_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"attestation/internal/policy"
)

const defaultFile = "editions/rules-2016-amended-2018.yaml"

// node returns the value under the mapping keys of path, or nil.
func node(root *yaml.Node, path ...string) *yaml.Node {
	n := root
	for _, key := range path {
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				next = n.Content[i+1]
			}
		}
		if next == nil {
			return nil
		}
		n = next
	}
	return n
}

func scalar(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: v} }

// setKey sets key in mapping m, adding it when absent.
func setKey(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, scalar(key), v)
}

// deleteKey removes key from mapping m.
func deleteKey(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return
		}
	}
}

// mutated returns the default edition file changed by fn.
func mutated(t *testing.T, fn func(root *yaml.Node)) []byte {
	t.Helper()
	data, err := os.ReadFile(defaultFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	fn(doc.Content[0])
	out, err := yaml.Marshal(&doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDefaultEditionFileParses(t *testing.T) {
	data, err := os.ReadFile(defaultFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := policy.Parse("rules-2016-amended-2018", data); err != nil {
		t.Fatal(err)
	}
	// The mutation helpers themselves must not break the file.
	if _, err := policy.Parse("rules-2016-amended-2018", mutated(t, func(*yaml.Node) {})); err != nil {
		t.Fatalf("re-encoded default edition: %v", err)
	}
}

func TestBadEditionsFailNamingTheField(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(root *yaml.Node)
		want   string // a line of the error
	}{
		{"unknown key in a period", func(r *yaml.Node) {
			setKey(node(r, "periods", "sign_contract"), "amout", scalar("5"))
		}, "policy rules-2016-amended-2018: periods.sign_contract.amout: unknown key"},
		{"unknown top-level key", func(r *yaml.Node) {
			setKey(r, "colour", scalar("red"))
		}, "policy rules-2016-amended-2018: colour: unknown key"},
		{"unknown key in a document", func(r *yaml.Node) {
			setKey(node(r, "documents", "annex3_07"), "mandatory", scalar("true"))
		}, "documents.annex3_07.mandatory: unknown key"},
		{"negative period", func(r *yaml.Node) {
			setKey(node(r, "periods", "sign_contract"), "amount", scalar("-5"))
		}, "policy rules-2016-amended-2018: periods.sign_contract.amount: must be >= 1"},
		{"zero period", func(r *yaml.Node) {
			setKey(node(r, "periods", "survey"), "amount", scalar("0"))
		}, "periods.survey.amount: must be >= 1"},
		{"missing period", func(r *yaml.Node) {
			deleteKey(node(r, "periods"), "sign_contract")
		}, "policy rules-2016-amended-2018: periods.sign_contract: missing"},
		{"missing amount", func(r *yaml.Node) {
			deleteKey(node(r, "periods", "survey"), "amount")
		}, "periods.survey.amount: missing"},
		{"misspelt step", func(r *yaml.Node) {
			node(r, "periods").Content[2*2].Value = "completeness_chek"
		}, "periods.completeness_chek: unknown step"},
		{"amount not a number", func(r *yaml.Node) {
			setKey(node(r, "periods", "sign_contract"), "amount", scalar("five"))
		}, "periods.sign_contract.amount: cannot unmarshal"},
		{"unknown unit", func(r *yaml.Node) {
			setKey(node(r, "periods", "duplicate"), "unit", scalar("weeks"))
		}, "periods.duplicate.unit: must be one of"},
		{"unknown lapse", func(r *yaml.Node) {
			setKey(node(r, "periods", "sign_contract"), "lapse", scalar("void"))
		}, "periods.sign_contract.lapse: must be one of"},
		{"no such date", func(r *yaml.Node) {
			setKey(node(r, "periods", "application_window"), "date", scalar("11-31"))
		}, "periods.application_window.date: no such date"},
		{"years without the day-off rule", func(r *yaml.Node) {
			deleteKey(node(r, "periods", "monitoring_connection"), "next_working_day")
		}, "periods.monitoring_connection.next_working_day: missing"},
		{"dangling document in a package rule", func(r *yaml.Node) {
			req := node(r, "package_rules", "diagrams", "require")
			req.Content = append(req.Content, scalar("site_plan"))
		}, `policy rules-2016-amended-2018: package_rules.diagrams.require[3]: unknown document "site_plan"`},
		{"dangling document in a period", func(r *yaml.Node) {
			req := node(r, "periods", "decision", "requires")
			req.Content = append(req.Content, scalar("commission_protocol"))
		}, `periods.decision.requires[1]: unknown document "commission_protocol"`},
		{"dangling flag", func(r *yaml.Node) {
			setKey(node(r, "package_rules", "cryptography"), "if", scalar("uses_crypto"))
		}, `package_rules.cryptography.if: unknown flag "uses_crypto"`},
		{"dangling kind", func(r *yaml.Node) {
			node(r, "exemptions", "financial_gateway", "kinds").Content[0] = scalar("bank_is")
		}, `exemptions.financial_gateway.kinds[0]: unknown kind "bank_is"`},
		{"dangling step", func(r *yaml.Node) {
			setKey(node(r, "kinds", "egov_platform"), "validity_step", scalar("platform_valid"))
		}, `kinds.egov_platform.validity_step: unknown step "platform_valid"`},
		{"dangling replaced step", func(r *yaml.Node) {
			setKey(node(r, "periods", "survey_distributed"), "replaces", scalar("surveys"))
		}, `periods.survey_distributed.replaces: unknown step "surveys"`},
		{"package document nobody requires", func(r *yaml.Node) {
			deleteKey(node(r, "package_rules"), "ict_contract")
		}, "documents.ict_contract: package document that no package rule requires"},
		{"missing kind", func(r *yaml.Node) {
			deleteKey(node(r, "kinds"), "state_web")
		}, "kinds.state_web: missing"},
		{"negative margin", func(r *yaml.Node) {
			setKey(node(r, "callback_timeout_margin"), "amount", scalar("-1"))
		}, "callback_timeout_margin.amount: must be >= 1"},
		{"id that is not the file's", func(r *yaml.Node) {
			setKey(r, "id", scalar("rules-2019"))
		}, `id: "rules-2019" does not match the edition name`},
		{"office window backwards", func(r *yaml.Node) {
			w := node(r, "office", "acceptance_hours").Content[1]
			setKey(w, "to", scalar("14:00"))
		}, "office.acceptance_hours[1]: from 14:30 must be before to 14:00"},
		{"numbering without the year", func(r *yaml.Node) {
			setKey(node(r, "certificate", "numbering"), "pattern", scalar("N-{seq}"))
		}, "certificate.numbering.pattern: must hold {year} and {seq}"},
		{"recall grounds out of order", func(r *yaml.Node) {
			setKey(node(r, "recall_grounds").Content[1], "number", scalar("7"))
		}, "recall_grounds[1].number: must be 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := policy.Parse("rules-2016-amended-2018", mutated(t, tc.mutate))
			if err == nil {
				t.Fatal("the bad edition loaded")
			}
			var ee *policy.EditionError
			if !errors.As(err, &ee) || ee.Edition != "rules-2016-amended-2018" || len(ee.Problems) == 0 {
				t.Fatalf("error %T %v is not an *EditionError of the edition", err, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error does not contain %q:\n%v", tc.want, err)
			}
		})
	}
}

func TestBadEditionReportsEveryProblem(t *testing.T) {
	_, err := policy.Parse("rules-2016-amended-2018", mutated(t, func(r *yaml.Node) {
		setKey(node(r, "periods", "sign_contract"), "amount", scalar("-5"))
		deleteKey(node(r, "periods"), "survey")
		setKey(node(r, "package_rules", "cryptography"), "require", &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{scalar("annex3_17")}})
	}))
	var ee *policy.EditionError
	if !errors.As(err, &ee) {
		t.Fatalf("error = %v", err)
	}
	var paths []string
	for _, p := range ee.Problems {
		paths = append(paths, p.Path)
	}
	for _, want := range []string{"periods.sign_contract.amount", "periods.survey", "package_rules.cryptography.require[0]"} {
		if !strings.Contains(strings.Join(paths, " "), want) {
			t.Errorf("problems %v lack %s", paths, want)
		}
	}
}

func TestBrokenYAMLFails(t *testing.T) {
	if _, err := policy.Parse("x", []byte("periods: [unclosed")); err == nil {
		t.Error("broken YAML loaded")
	}
}

func TestLoadUnknownEdition(t *testing.T) {
	_, err := policy.Load("rules-2099")
	if err == nil || !strings.Contains(err.Error(), "rules-2099") || !strings.Contains(err.Error(), "rules-2016-amended-2018") {
		t.Errorf("Load(unknown) error = %v; want it to name the id and the known editions", err)
	}
}
