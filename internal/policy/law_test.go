package policy_test

import (
	"slices"
	"strings"
	"testing"

	"attestation/internal/policy"
)

// citation reports whether a differing field only cites or words a rule: its paragraph, title, note
// or text, a recall ground's number, or the edition's own metadata.
func citation(path string) bool {
	for _, suffix := range []string{".paragraph", ".title", ".note", ".text", ".number"} {
		if strings.HasSuffix(path, suffix) {
			return true
		}
	}
	return path == "id" || path == "title" || path == "applies_from" || strings.HasPrefix(path, "sources[")
}

// TestEditionsDifferOnlyWhereArt51Differs pins every substantive difference of law-2015-art51 from the
// default edition to a point of Article 51 (or Art. 37(2) of the Law), and checks that each citation
// that changed cites the Law.
func TestEditionsDifferOnlyWhereArt51Differs(t *testing.T) {
	var got []string
	for _, d := range policy.Diff(rules(t), law(t)) {
		if citation(d.Path) {
			if strings.HasSuffix(d.Path, ".paragraph") && !strings.Contains(d.To, "Law Art.") {
				t.Errorf("%s changed to %q, which does not cite the Law", d.Path, d.To)
			}
			continue
		}
		got = append(got, d.Path)
	}
	want := []string{
		"periods.decision.amount",                           // Art. 51(6): 5 working days, not 3 (§27)
		"periods.decision.requires",                         // Art. 51(6): on the protocol of the attestation commission
		"periods.rectification_notice.starts",               // Art. 51(7): from receipt of the copy of the decision
		"periods.lapse_decision.amount",                     // a refusal is a decision of Art. 51(6)
		"periods.lapse_decision.requires",                   // idem
		"periods.second_decision.amount",                    // Art. 51(6) for every decision to issue or refuse
		"periods.second_decision.requires",                  // idem
		"periods.change_decision.requires",                  // Art. 51(11): the commission decides on re-attestation
		"documents.commission_protocol",                     // Art. 51(6), 51(11)
		"kinds.state_entity_is.mandatory",                   // Art. 51(2) does not list it
		"exemptions.financial_gateway",                      // Art. 51(2) has no exemptions
		"exemptions.nca_signature_services",                 // idem
		"obligations.annual_plan.mandatory_only",            // Art. 51(15): every owner
		"recall_grounds[not_reattested]",                    // Art. 51(12) has four grounds, none for expiry
		"recall_grounds[changed_conditions].mandatory_only", // Art. 51(12)(3): any information system
		"recall_grounds[changed_conditions].kinds",
		"recall_grounds[operation_ceased].mandatory_only", // Art. 51(12)(4): any information system
		"recall_grounds[operation_ceased].kinds",
		"signatures.commission_protocol", // Art. 51(6): the authority signs the protocol it decides on (issue 17)
	}
	if !slices.Equal(got, want) {
		t.Errorf("substantive differences:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestEditionsShareEveryOtherFigure(t *testing.T) {
	changed := map[string]bool{policy.StepDecision: true, policy.StepLapseDecision: true, policy.StepSecondDecision: true}
	r, l := rules(t), law(t)
	for _, step := range policy.StepKeys() {
		a, _ := r.Period(step)
		b, _ := l.Period(step)
		same := a.Amount == b.Amount && a.Unit == b.Unit && a.Month == b.Month && a.Day == b.Day &&
			a.Actor == b.Actor && a.Lapse == b.Lapse && a.NextWorkingDay == b.NextWorkingDay && a.OfficeReceipt == b.OfficeReceipt
		if same == changed[step] {
			t.Errorf("%s: %s %s vs %s %s; changed by Art. 51: %v", step, a.Limit(), a.Lapse, b.Limit(), b.Lapse, changed[step])
		}
	}
	if !slices.Equal(r.RequiredItems(policy.PackageFlags{}), l.RequiredItems(policy.PackageFlags{})) {
		t.Error("the package differs, but Art. 51 says nothing about it")
	}
}

func TestArt51Item6DecisionFiveWorkingDaysOnCommissionProtocol(t *testing.T) {
	e := law(t)
	p := checkPeriod(t, e, policy.StepDecision, 5, policy.WorkingDays, policy.ActorAuthority)
	if !slices.Equal(p.Requires, []string{"survey_act", "commission_protocol"}) {
		t.Errorf("decision requires %v, want the act and the commission's protocol", p.Requires)
	}
	if d, ok := e.Document("commission_protocol"); !ok || d.Group != policy.GroupCase || d.Paragraph != "Law Art. 51(6), 51(11)" {
		t.Errorf("commission_protocol = %+v, %v", d, ok)
	}
	if _, ok := rules(t).Document("commission_protocol"); ok {
		t.Error("the Rules edition knows a commission protocol")
	}
	// Wed Apr 30; May 1, 7 and 9 off: Fri 2, Mon 5, Tue 6, Thu 8, Mon 12.
	checkDue(t, e, policy.StepDecision, at(2025, 4, 30, 15, 0), endOf(2025, 5, 12), "Law Art. 51(6)", policy.LapseOverdue)
	checkDue(t, rules(t), policy.StepDecision, at(2025, 4, 30, 15, 0), endOf(2025, 5, 6), "§27", policy.LapseOverdue)
}

func TestArt51Item7RectificationCountsFromTheDecisionCopy(t *testing.T) {
	p := checkPeriod(t, law(t), policy.StepRectificationNotice, 20, policy.WorkingDays, policy.ActorApplicant)
	if !strings.Contains(p.Starts, "copy of the decision") || p.Lapse != policy.LapseRefusalGrounds {
		t.Errorf("rectification_notice starts %q, lapse %s", p.Starts, p.Lapse)
	}
}

func TestArt51Item11ChangeConvenesTheCommissionWithinThreeWorkingDays(t *testing.T) {
	p := checkPeriod(t, law(t), policy.StepChangeDecision, 3, policy.WorkingDays, policy.ActorAuthority)
	if !strings.Contains(p.Title, "attestation commission") {
		t.Errorf("change_decision title %q does not say the commission is convened", p.Title)
	}
	// Art. 51(11): the decision on re-attestation is taken on the commission's protocol; §44's is not.
	if !slices.Equal(p.Requires, []string{"change_notice", "commission_protocol"}) {
		t.Errorf("change_decision requires %v, want the notice and the commission's protocol", p.Requires)
	}
	if r, _ := rules(t).Period(policy.StepChangeDecision); slices.Contains(r.Requires, "commission_protocol") {
		t.Errorf("§44's decision requires %v: the Rules know no commission", r.Requires)
	}
}

func TestArt51Item2StateEntitySystemNotMandatoryAndNoExemptions(t *testing.T) {
	e := law(t)
	if k, _ := e.Kind("state_entity_is"); k.Mandatory {
		t.Error("state_entity_is mandatory under Art. 51(2), which does not list it")
	}
	if x := e.Exemptions(); len(x) != 0 {
		t.Errorf("exemptions = %+v; Art. 51(2) has none", x)
	}
}

func TestArt51Item15AnnualPlanBindsEveryOwner(t *testing.T) {
	if got := obligationIDs(t, law(t), "nonstate_web"); !slices.Equal(got, []string{"annual_plan"}) {
		t.Errorf("nonstate_web obligations = %v, want [annual_plan]", got)
	}
}

func TestArt51Item12FourRecallGrounds(t *testing.T) {
	e := law(t)
	if n := len(e.RecallGrounds()); n != 4 {
		t.Fatalf("%d recall grounds, want 4", n)
	}
	web, _ := e.RecallGroundsFor("state_web")
	if len(web) != 2 {
		t.Errorf("recall grounds for an Internet resource = %d, want 2 (grounds 3-4 name information systems)", len(web))
	}
	is, _ := e.RecallGroundsFor("nonstate_is")
	if len(is) != 4 {
		t.Errorf("recall grounds for a non-state system = %d, want 4", len(is))
	}
}
