package policy_test

import (
	"slices"
	"strings"
	"testing"

	"attestation/internal/policy"
)

func kindIDs(ks []policy.Kind, keep func(policy.Kind) bool) []string {
	var out []string
	for _, k := range ks {
		if keep(k) {
			out = append(out, k.ID)
		}
	}
	return out
}

func TestPar5MandatoryAndPar6VoluntaryKinds(t *testing.T) {
	ks := rules(t).Kinds()
	mandatory := kindIDs(ks, func(k policy.Kind) bool { return k.Mandatory })
	voluntary := kindIDs(ks, func(k policy.Kind) bool { return !k.Mandatory })
	if want := []string{"state_is", "state_entity_is", "integrated_nonstate_is", "critical_is", "egov_platform", "state_web"}; !slices.Equal(mandatory, want) {
		t.Errorf("mandatory kinds = %v, want %v", mandatory, want)
	}
	if want := []string{"nonstate_is", "nonstate_web"}; !slices.Equal(voluntary, want) {
		t.Errorf("voluntary kinds = %v, want %v", voluntary, want)
	}
	if _, err := rules(t).Kind("spaceship"); err == nil {
		t.Error("Kind(unknown) did not fail")
	}
}

func TestPar4IndustrialOperationNeedsCertificateNotForStateEntitySystems(t *testing.T) {
	got := kindIDs(rules(t).Kinds(), func(k policy.Kind) bool { return k.OperationRequiresCertificate })
	// §4 lists the state body's system, critical systems, integrated non-state systems, the state body's
	// Internet resource and the e-government platform -- not the state legal entity's system.
	if want := []string{"state_is", "integrated_nonstate_is", "critical_is", "egov_platform", "state_web"}; !slices.Equal(got, want) {
		t.Errorf("kinds gated by §4 = %v, want %v", got, want)
	}
}

func TestPar5Exemptions(t *testing.T) {
	e := rules(t)
	fin, err := e.ExemptionsFor("integrated_nonstate_is")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range fin {
		got = append(got, x.ID+" "+x.Paragraph)
	}
	if want := []string{"financial_gateway §5(2), second paragraph", "nca_signature_services §5, last paragraph"}; !slices.Equal(got, want) {
		t.Errorf("exemptions for integrated_nonstate_is = %v, want %v", got, want)
	}
	if x, _ := e.ExemptionsFor("state_is"); len(x) != 1 || x[0].ID != "nca_signature_services" {
		t.Errorf("exemptions for state_is = %+v, want only nca_signature_services", x)
	}
	if x, _ := e.ExemptionsFor("nonstate_web"); len(x) != 0 {
		t.Errorf("a voluntary kind has exemptions: %+v", x)
	}
}

func TestPar2StateSecretSystemsExcluded(t *testing.T) {
	x := rules(t).Exclusions()
	if len(x) != 1 || x[0].ID != "state_secret" || x[0].Paragraph != "§2" {
		t.Errorf("exclusions = %+v, want state_secret §2", x)
	}
}

func obligationIDs(t *testing.T, e *policy.Edition, kind string) []string {
	t.Helper()
	os, err := e.ObligationsFor(kind)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range os {
		out = append(out, o.ID)
	}
	return out
}

func TestPar11AnnualPlanAndPar42MonitoringBindMandatoryObjectsOnly(t *testing.T) {
	e := rules(t)
	if got := obligationIDs(t, e, "state_is"); !slices.Equal(got, []string{"annual_plan", "monitoring_connection"}) {
		t.Errorf("state_is obligations = %v", got)
	}
	// §42: "except for the e-government platform".
	if got := obligationIDs(t, e, "egov_platform"); !slices.Equal(got, []string{"annual_plan"}) {
		t.Errorf("egov_platform obligations = %v, want [annual_plan]", got)
	}
	if got := obligationIDs(t, e, "nonstate_is"); len(got) != 0 {
		t.Errorf("voluntary nonstate_is obligations = %v, want none", got)
	}
}

func TestPar45FiveRecallGroundsFourAndFiveMandatoryOnly(t *testing.T) {
	e := rules(t)
	gs := e.RecallGrounds()
	if len(gs) != 5 {
		t.Fatalf("%d recall grounds, want 5", len(gs))
	}
	for i, g := range gs {
		if g.Number != i+1 || !strings.HasPrefix(g.Paragraph, "§45(") {
			t.Errorf("ground %d = %+v", i+1, g)
		}
		if g.MandatoryOnly != (g.Number >= 4) {
			t.Errorf("ground %d mandatory_only = %v", g.Number, g.MandatoryOnly)
		}
	}
	vol, _ := e.RecallGroundsFor("nonstate_web")
	if len(vol) != 3 {
		t.Errorf("recall grounds for a voluntary object = %d, want 3", len(vol))
	}
	man, _ := e.RecallGroundsFor("state_web")
	if len(man) != 5 {
		t.Errorf("recall grounds for a mandatory object = %d, want 5", len(man))
	}
}

func TestPar40CertificateValidity(t *testing.T) {
	e := rules(t)
	k, _ := e.Kind("egov_platform")
	if k.ValidityStep != policy.StepPlatformValidity {
		t.Errorf("egov_platform validity step = %q, want platform_validity", k.ValidityStep)
	}
	for _, k := range e.Kinds() {
		if k.ID != "egov_platform" && k.ValidityStep != "" {
			t.Errorf("%s has a fixed validity %q; §40 gives the period of industrial operation", k.ID, k.ValidityStep)
		}
	}
	if v := e.CertificateValidity(); !strings.Contains(v.Paragraph, "§40") || !strings.Contains(v.Text, "industrial") {
		t.Errorf("validity = %+v", v)
	}
}
