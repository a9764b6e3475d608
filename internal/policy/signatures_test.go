package policy_test

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"attestation/internal/policy"
)

// Issue 17: the applicant signs the application and §13(3)-(6), the STS the contract and the
// acts (§17, §24, §35), the applicant the signed contract (§17).
func TestSignatureRulesPar13Par17(t *testing.T) {
	ed := rules(t)
	for doc, signer := range map[string]string{
		"application": "applicant", "functional_diagram": "applicant", "annex3_07": "applicant", "integrated_objects_list": "applicant",
		"hardware_list": "applicant", "software_list": "applicant", "contract": "sts", "signed_contract": "applicant",
		"survey_act": "sts", "additional_survey_act": "sts",
	} {
		r, ok := ed.SignatureRule(doc)
		if !ok || r.Signer != signer || r.Paragraph == "" {
			t.Errorf("%s: rule %+v (found %v), want signed by %s", doc, r, ok, signer)
		}
	}
	for _, doc := range []string{"identity_document", "terms_of_reference"} { // §13(1), §13(2): copies, not signed
		if _, ok := ed.SignatureRule(doc); ok {
			t.Errorf("%s needs no signature", doc)
		}
	}
	if r, ok := law(t).SignatureRule("commission_protocol"); !ok || r.Signer != "authority" {
		t.Errorf("Art. 51(6): the commission's protocol is the authority's: %+v", r)
	}
}

func TestBadSignatureRulesFailNamingTheField(t *testing.T) {
	for _, tc := range []struct {
		name, value, want string
	}{
		{"nobody", "{signer: nobody, paragraph: §13}", "signatures.application.signer"},
		{"no paragraph", "{signer: applicant}", "signatures.application.paragraph"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := mutated(t, func(root *yaml.Node) {
				var v yaml.Node
				if err := yaml.Unmarshal([]byte(tc.value), &v); err != nil {
					t.Fatal(err)
				}
				setKey(node(root, "signatures"), "application", v.Content[0])
			})
			_, err := policy.Parse("rules-2016-amended-2018", data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one naming %s", err, tc.want)
			}
		})
	}
	data := mutated(t, func(root *yaml.Node) {
		setKey(node(root, "signatures"), "no_such_document", node(root, "signatures", "application"))
	})
	if _, err := policy.Parse("rules-2016-amended-2018", data); err == nil || !strings.Contains(err.Error(), "signatures.no_such_document") {
		t.Fatalf("an unknown document: err = %v", err)
	}
}
