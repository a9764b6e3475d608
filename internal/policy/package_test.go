package policy_test

import (
	"slices"
	"testing"

	"attestation/internal/policy"
)

func ids(rs []policy.Requirement) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func TestAnnex3SixteenDocumentsVerbatim(t *testing.T) {
	// Annex 3 of the Rules (seed 000), verbatim.
	want := []string{
		"Information Security Policy.",
		"Information Security Risk Assessment Methodology.",
		"Rules for the identification, classification and marking of assets related to the information processing facilities.",
		"Rules for ensuring the continuous operation of assets related to information processing facilities.",
		"Rules for inventory and passportization of computer equipment, telecommunications equipment and software.",
		"Rules for internal audit of information security.",
		"Rules for the use of cryptographic means of information protection in the object of certification (this document is mandatory for certification objects that use cryptographic means of information protection).",
		"Rules for differentiation of access rights to electronic resources of the object of certification.",
		"Rules for using the Internet and e-mail.",
		"Rules for organizing the authentication procedure.",
		"Rules for organizing the antivirus control.",
		"Rules for using mobile devices and storage media.",
		"Rules for organizing physical protection of information processing facilities and a safe environment for the functioning of information resources of the object of certification.",
		"Administrator manual on support of the object of certification.",
		"Regulation on information backup and recovery of the object of certification.",
		"Instructions on the procedure for users to respond to information security incidents and in emergency (crisis) situations.",
	}
	for _, id := range policy.Editions() {
		docs := mustLoad(t, id).Annex3()
		if len(docs) != len(want) {
			t.Fatalf("%s: Annex 3 has %d documents, want %d", id, len(docs), len(want))
		}
		for i, d := range docs {
			if d.Annex3 != i+1 || d.Title != want[i] || d.Group != policy.GroupPackage {
				t.Errorf("%s: Annex 3 item %d = %d %q (%s), want %q", id, i+1, d.Annex3, d.Title, d.Group, want[i])
			}
		}
	}
}

func TestPar13BaselinePackage(t *testing.T) {
	got := ids(rules(t).RequiredItems(policy.PackageFlags{}))
	want := []string{
		"application", "terms_of_reference", "functional_diagram", "network_diagram", "explanatory_note",
		"annex3_01", "annex3_02", "annex3_03", "annex3_04", "annex3_05", "annex3_06", "annex3_08",
		"annex3_09", "annex3_10", "annex3_11", "annex3_12", "annex3_13", "annex3_14", "annex3_15", "annex3_16",
		"hardware_list", "software_list",
	}
	if !slices.Equal(got, want) {
		t.Errorf("RequiredItems(no flags) =\n%v\nwant\n%v", got, want)
	}
	for _, r := range rules(t).RequiredItems(policy.PackageFlags{}) {
		if r.Title == "" || r.Paragraph == "" || r.Rule == "" {
			t.Errorf("requirement %+v lacks a title, paragraph or rule", r)
		}
	}
}

func TestAnnex3Item7OnlyWhenTheObjectUsesCryptography(t *testing.T) {
	e := rules(t)
	if slices.Contains(ids(e.RequiredItems(policy.PackageFlags{})), "annex3_07") {
		t.Error("Annex 3 item 7 required without cryptography")
	}
	items := e.RequiredItems(policy.PackageFlags{UsesCryptography: true})
	i := slices.IndexFunc(items, func(r policy.Requirement) bool { return r.ID == "annex3_07" })
	if i < 0 {
		t.Fatal("Annex 3 item 7 not required with cryptography")
	}
	if items[i].Annex3 != 7 || items[i].Paragraph != "Annex 3 item 7" {
		t.Errorf("Annex 3 item 7 requirement = %+v", items[i])
	}
}

func TestPar13ICTContractInsteadOfHardwareAndSoftwareLists(t *testing.T) {
	got := ids(rules(t).RequiredItems(policy.PackageFlags{UsesICTServices: true}))
	if !slices.Contains(got, "ict_contract") {
		t.Error("ICT contract not required when the object uses ICT services (§13(7))")
	}
	if slices.Contains(got, "hardware_list") || slices.Contains(got, "software_list") {
		t.Error("hardware and software lists required although the object uses ICT services (§13(6))")
	}
	if slices.Contains(ids(rules(t).RequiredItems(policy.PackageFlags{})), "ict_contract") {
		t.Error("ICT contract required without ICT services")
	}
}

func TestPar13IntegratedObjectsListOnlyWithIntegratedObjects(t *testing.T) {
	if slices.Contains(ids(rules(t).RequiredItems(policy.PackageFlags{})), "integrated_objects_list") {
		t.Error("Annex 4 list required without integrated objects")
	}
	if !slices.Contains(ids(rules(t).RequiredItems(policy.PackageFlags{HasIntegratedObjects: true})), "integrated_objects_list") {
		t.Error("Annex 4 list not required with integrated objects (§13(5))")
	}
}

func TestPar13IdentityDocumentForIndividualsOnly(t *testing.T) {
	if slices.Contains(ids(rules(t).RequiredItems(policy.PackageFlags{})), "identity_document") {
		t.Error("identity document required of a legal entity")
	}
	if !slices.Contains(ids(rules(t).RequiredItems(policy.PackageFlags{IndividualApplicant: true})), "identity_document") {
		t.Error("identity document not required of an individual (§13(1))")
	}
}

func TestPar13AllFlags(t *testing.T) {
	f := policy.PackageFlags{UsesCryptography: true, UsesICTServices: true, HasIntegratedObjects: true, IndividualApplicant: true, GeographicallyDistributed: true}
	got := ids(rules(t).RequiredItems(f))
	for _, id := range []string{"application", "identity_document", "annex3_07", "integrated_objects_list", "ict_contract"} {
		if !slices.Contains(got, id) {
			t.Errorf("all flags: %s not required", id)
		}
	}
	// application, identity, terms of reference, 3 diagrams, 16 Annex 3, Annex 4, ICT contract; no lists.
	if n, want := len(got), 1+1+1+3+16+1+1; n != want {
		t.Errorf("all flags: %d items, want %d: %v", n, want, got)
	}
}

func TestEveryRequirementIsADeclaredPackageDocument(t *testing.T) {
	for _, id := range policy.Editions() {
		e := mustLoad(t, id)
		for _, r := range e.PackageRules() {
			for _, doc := range r.Require {
				d, ok := e.Document(doc)
				if !ok || d.Group != policy.GroupPackage {
					t.Errorf("%s: rule %s requires %s, not a package document", id, r.ID, doc)
				}
			}
		}
		for _, f := range e.Flags() {
			if _, ok := (policy.PackageFlags{}).Has(f.ID); !ok {
				t.Errorf("%s: flag %s unknown to PackageFlags", id, f.ID)
			}
		}
	}
}

func TestStd10RefusalGrounds(t *testing.T) {
	var got []string
	for _, g := range rules(t).RefusalGrounds() {
		got = append(got, g.ID+"/"+g.Effect)
	}
	want := []string{
		"incomplete_package/refuse_acceptance", "expired_documents/refuse_acceptance",
		"inaccurate_documents/refuse_service", "noncompliance_with_rules/refuse_service",
		"after_application_window/refuse_acceptance",
	}
	if !slices.Equal(got, want) {
		t.Errorf("refusal grounds = %v, want %v", got, want)
	}
}

func TestAccessorsReturnCopies(t *testing.T) {
	e := rules(t)
	p, _ := e.Period(policy.StepDecision)
	p.Requires[0] = "changed"
	e.Periods()[0].Title = "changed"
	e.PackageRules()[0].Require[0] = "changed"
	e.Exemptions()[0].Kinds[0] = "changed"
	e.Documents()[0].Title = "changed"
	e.RecallGrounds()[0].Text = "changed"
	again, _ := e.Period(policy.StepDecision)
	if again.Requires[0] != "survey_act" {
		t.Error("Period returned shared Requires")
	}
	if e.PackageRules()[0].Require[0] != "application" || e.Exemptions()[0].Kinds[0] != "state_entity_is" {
		t.Error("rules or exemptions returned shared slices")
	}
	if same := mustLoad(t, e.ID()); same != e {
		t.Error("Load does not return the one parsed edition")
	}
}
