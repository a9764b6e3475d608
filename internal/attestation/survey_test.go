package attestation

import (
	"strings"
	"testing"
	"time"
)

// §19 exactly: the 40 working days are for a geographically distributed information system only,
// and the contract's stated entry into force is bounded.
func TestPar19SurveyExactly(t *testing.T) {
	ed, err := (rules{}).edition(editionRules)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("§19 an Internet resource or the platform is not a geographically distributed information system", func(t *testing.T) {
		for kind, refused := range map[string]bool{"state_web": true, "nonstate_web": true, "egov_platform": true, "state_is": false, "critical_is": false, "nonstate_is": false} {
			p := Package{Object: ObjectInfo{Kind: kind}, Flags: ObjectFlags{GeographicallyDistributed: true}}
			v := &validator{ed: ed, flags: p.PolicyFlags()}
			v.index()
			v.flagKinds(p)
			got := len(v.out) == 1 && v.out[0].Field == "flags.geographicallyDistributed" && v.out[0].Rule == "§19" && strings.Contains(v.out[0].Message, "only an information system")
			if got != refused || (!refused && len(v.out) != 0) {
				t.Errorf("%s: problems %v, refused want %v", kind, v.out, refused)
			}
		}
	})
	h := newHarness(t)
	c := h.caseAt(StageSignContract, caseSpec{}, route{})
	signed := h.now.Add(time.Hour)
	day := func(t time.Time) time.Time {
		y, m, d := t.In(almatyLoc()).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, almatyLoc())
	}
	for _, tc := range []struct {
		name   string
		stated time.Time
		says   string
	}{
		{"§19 the entry into force may be the day of the signature", day(signed), ""},
		{"§19 or up to the policy's 30 calendar days after it", day(signed).AddDate(0, 0, 30), ""},
		{"§19 not before the signature", day(signed).AddDate(0, 0, -1), "before the contract is signed"},
		{"§19 not beyond the policy's limit", day(signed).AddDate(0, 0, 31), "more than 30 calendar days after the signature"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := h.svc.rules.checkEntryIntoForce(c, tc.stated, c.OpenStep.OpenedAt.Add(-48*time.Hour), signed)
			if (tc.says == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.says)) {
				t.Fatalf("stated %s: %v, want %q", tc.stated.Format(time.DateOnly), err, tc.says)
			}
		})
	}
}
