package register

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"attestation/internal/attestation"
	"attestation/internal/identity"
	"attestation/internal/policy"
)

// §43-§44 and §47: change notices and the decision on re-attestation.

func TestChangeNoticeAndDecisionPar43Par44(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	e := f.issue(t, "state_is", issuedAt)
	// Filed Friday 2026-10-30 at 18:00, after office hours: received Monday 2 November 09:00
	// (standard §8); 3 working days: Tue 3, Wed 4, Thu 5.
	filed := at(2026, 10, 30, 18, 0)
	in := ChangeInput{Description: "  Moved the database to a new data centre; added a VPN gateway.  "}
	var id string
	t.Run("§43 the owner notifies changes with a description; §44 due in 3 working days of receipt", func(t *testing.T) {
		got, c, err := f.svc.NotifyChange(ctx, owner, e.Number, in, filed)
		if err != nil {
			t.Fatal(err)
		}
		if c.ID != "c1" || c.Description != strings.TrimSpace(in.Description) || !c.ReceivedAt.Equal(at(2026, 11, 2, 9, 0)) || !c.DueAt.Equal(endOf(2026, 11, 5)) ||
			len(got.Changes) != 1 || got.Changes[0].ID != "c1" {
			t.Fatalf("%+v", c)
		}
		id = c.ID
		again, c2, err := f.svc.NotifyChange(ctx, owner, e.Number, in, filed.Add(time.Minute))
		if err != nil || c2.ID != "c1" || again.Revision != got.Revision {
			t.Fatalf("repeat: %+v %v", c2, err)
		}
		_, _, err = f.svc.NotifyChange(ctx, owner, e.Number, ChangeInput{Description: "  "}, filed)
		mustRefuse(t, err, "description")
		_, _, err = f.svc.NotifyChange(ctx, owner, e.Number, ChangeInput{Description: strings.Repeat("x", maxDescription+1)}, filed)
		mustRefuse(t, err, "description")
	})
	t.Run("§44 an undecided notice is flagged overdue after its period", func(t *testing.T) {
		if got := f.check(t, endOf(2026, 11, 5)); len(got) != 0 {
			t.Fatalf("on the last day: %v", got)
		}
		if got := f.check(t, at(2026, 11, 6, 8, 0)); !slices.Equal(got, []string{"change_decision/" + e.Number + "/c1"}) {
			t.Fatalf("flags %v", got)
		}
		obs, _, err := f.svc.Obligations(ctx, authority, false, 10, "", at(2026, 11, 6, 8, 0))
		if err != nil || !slices.ContainsFunc(obs, func(o Obligation) bool {
			return o.Kind == WatchChangeDecision && o.ID == "c1" && o.Overdue && o.Actor == identity.Authority && o.Paragraph == "§43, §44"
		}) {
			t.Fatalf("obligations %+v %v", obs, err)
		}
	})
	t.Run("§44 the authority decides with reasons; the same again answers, another is a conflict", func(t *testing.T) {
		dec := ChangeDecision{Decision: ReattestationRequired, Reasons: []string{"the network perimeter changed"}}
		_, _, err := f.svc.DecideChange(ctx, authority, e.Number, id, ChangeDecision{Decision: "maybe", Reasons: []string{"x"}}, at(2026, 11, 6, 10, 0))
		mustRefuse(t, err, "decision")
		_, _, err = f.svc.DecideChange(ctx, authority, e.Number, id, ChangeDecision{Decision: ReattestationRequired}, at(2026, 11, 6, 10, 0))
		mustRefuse(t, err, "reasons")
		_, _, err = f.svc.DecideChange(ctx, authority, e.Number, "c9", dec, at(2026, 11, 6, 10, 0))
		mustErr(t, err, ErrChangeNotFound)
		_, _, err = f.svc.DecideChange(ctx, owner, e.Number, id, dec, at(2026, 11, 6, 10, 0))
		mustErr(t, err, attestation.ErrForbidden)

		got, c, err := f.svc.DecideChange(ctx, authority, e.Number, id, dec, at(2026, 11, 6, 10, 0))
		if err != nil || c.Decision != ReattestationRequired || c.DecidedAt == nil || !slices.Equal(c.Reasons, dec.Reasons) || got.Status != Valid {
			t.Fatalf("%+v %v", c, err)
		}
		again, c2, err := f.svc.DecideChange(ctx, authority, e.Number, id, dec, at(2026, 11, 6, 11, 0))
		if err != nil || again.Revision != got.Revision || !c2.DecidedAt.Equal(*c.DecidedAt) {
			t.Fatalf("repeat: %v", err)
		}
		_, _, err = f.svc.DecideChange(ctx, authority, e.Number, id, ChangeDecision{Decision: ReattestationNotRequired, Reasons: []string{"x"}}, at(2026, 11, 6, 11, 0))
		mustErr(t, err, attestation.ErrConflict)
		// §45(4) may follow on the decided notice.
		r, err := f.svc.Recall(ctx, authority, e.Number, RecallInput{Ground: GroundChangedConditions, Reasons: []string{"re-attestation required"}, ChangeID: id}, at(2026, 11, 9, 10, 0))
		if err != nil || r.Recall.ChangeID != id {
			t.Fatalf("%+v %v", r.Recall, err)
		}
		// A recalled certificate takes no more notices.
		_, _, err = f.svc.NotifyChange(ctx, owner, e.Number, ChangeInput{Description: "another change"}, at(2026, 11, 10, 10, 0))
		mustRule(t, err, "§43")
	})
	f.verifyChain(t)
}

func TestServiceSoftwareChangeNeverRecallsThePlatformPar47(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	platform := f.issue(t, "egov_platform", issuedAt)
	system := f.issue(t, "state_is", issuedAt)
	when := at(2026, 11, 2, 10, 0)
	soft := ChangeInput{Description: "A new service software product: the e-notary service", ServiceSoftwareOnly: true}
	_, c, err := f.svc.NotifyChange(ctx, owner, platform.Number, soft, when)
	if err != nil {
		t.Fatal(err)
	}
	required := ChangeDecision{Decision: ReattestationRequired, Reasons: []string{"new service"}}

	t.Run("§47 re-attestation cannot be required of the platform for a service software change", func(t *testing.T) {
		_, _, err := f.svc.DecideChange(ctx, authority, platform.Number, c.ID, required, when.Add(time.Hour))
		mustRule(t, err, "§47")
	})
	t.Run("§47 the platform's certificate is not recalled on a service software change", func(t *testing.T) {
		_, err := f.svc.Recall(ctx, authority, platform.Number, RecallInput{Ground: GroundChangedConditions, Reasons: []string{"x"}, ChangeID: c.ID}, when.Add(time.Hour))
		mustRule(t, err, "§47")
		_, err = f.svc.Recall(ctx, authority, platform.Number, recall(GroundChangedConditions), when.Add(time.Hour))
		mustRefuse(t, err, "changeId")
		if got := f.get(t, platform.Number); got.Status != Valid || got.Recall != nil || len(f.records.objs) != 0 {
			t.Fatalf("the platform's certificate changed: %s %+v", got.Status, got.Recall)
		}
	})
	t.Run("§47 the authority decides re-attestation is not required", func(t *testing.T) {
		_, got, err := f.svc.DecideChange(ctx, authority, platform.Number, c.ID, ChangeDecision{Decision: ReattestationNotRequired, Reasons: []string{"§47"}}, when.Add(time.Hour))
		if err != nil || got.Decision != ReattestationNotRequired {
			t.Fatalf("%+v %v", got, err)
		}
	})
	t.Run("§47 concerns the platform only; another platform change is recalled on §45(4)", func(t *testing.T) {
		_, sc, err := f.svc.NotifyChange(ctx, owner, system.Number, soft, when)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.DecideChange(ctx, authority, system.Number, sc.ID, required, when.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		_, hc, err := f.svc.NotifyChange(ctx, owner, platform.Number, ChangeInput{Description: "New hardware of the platform's core"}, when)
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.svc.Recall(ctx, authority, platform.Number, RecallInput{Ground: GroundChangedConditions, Reasons: []string{"core changed"}, ChangeID: hc.ID}, when.Add(2*time.Hour))
		if err != nil || got.Status != Recalled {
			t.Fatalf("%s %v", got.Status, err)
		}
	})
}

// Law Art. 51(11): under the Law's edition the authority convenes the attestation commission on
// the owner's notice of changes, and the decision on re-attestation is taken on its protocol: it
// records the commission (meeting, protocol number, members) and is refused without it; the
// Rules' edition (§44) takes none.
func TestArt51Item11ReattestationDecidedOnTheCommissionsProtocol(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	law, err := policy.Load("law-2015-art51")
	if err != nil {
		t.Fatal(err)
	}
	f.ed = law
	e := f.issue(t, "state_is", issuedAt)
	filed := at(2026, 10, 30, 18, 0) // received Monday 2 November 09:00 (standard §8)
	_, c, err := f.svc.NotifyChange(ctx, owner, e.Number, ChangeInput{Description: "Moved the database to a new data centre."}, filed)
	if err != nil {
		t.Fatal(err)
	}
	commission := func() *attestation.Commission {
		return &attestation.Commission{Meeting: "2026-11-04", ProtocolNumber: "P-51/11", Members: []attestation.CommissionMember{
			{Name: "S. Alibekov", Position: "Chairman of the Committee", Role: attestation.MemberChair},
			{Name: "A. Nurlanova", Position: "Head of department", Role: attestation.MemberMember},
			{Name: "B. Omarov", Position: "Chief expert", Role: attestation.MemberSecretary}}}
	}
	dec := ChangeDecision{Decision: ReattestationRequired, Reasons: []string{"the network perimeter changed"}}
	decideAt := at(2026, 11, 4, 15, 0)
	for _, tc := range []struct {
		name, field, want string
		edit              func(*attestation.Commission) *attestation.Commission
	}{
		{"Law Art. 51(11) the decision without the commission is refused", "commission", "Law Art. 51(10)-(11): the decision is taken on the protocol of the attestation commission",
			func(*attestation.Commission) *attestation.Commission { return nil }},
		{"Law Art. 51(11) the commission met no earlier than the notice was received", "commission.meeting", "before the authority received the change notice",
			func(cm *attestation.Commission) *attestation.Commission { cm.Meeting = "2026-10-30"; return cm }},
		{"Law Art. 51(11) the commission met no later than today", "commission.meeting", "after today",
			func(cm *attestation.Commission) *attestation.Commission { cm.Meeting = "2026-11-05"; return cm }},
		{"Law Art. 51(11) the protocol has its number", "commission.protocolNumber", "required",
			func(cm *attestation.Commission) *attestation.Commission { cm.ProtocolNumber = ""; return cm }},
		{"Law Art. 51(11) the commission has one chair", "commission.members", "one chair",
			func(cm *attestation.Commission) *attestation.Commission {
				cm.Members[0].Role = attestation.MemberMember
				return cm
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := dec
			in.Commission = tc.edit(commission())
			_, _, err := f.svc.DecideChange(ctx, authority, e.Number, c.ID, in, decideAt)
			mustRefuse(t, err, tc.field)
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("%v, want %q", err, tc.want)
			}
			if got := f.get(t, e.Number).Changes[0]; got.DecidedAt != nil || got.Commission != nil {
				t.Fatalf("a refused decision changed the notice: %+v", got)
			}
		})
	}
	t.Run("Law Art. 51(11) the decision records the commission that met on the notice", func(t *testing.T) {
		in := dec
		in.Commission = commission()
		got, n, err := f.svc.DecideChange(ctx, authority, e.Number, c.ID, in, decideAt)
		if err != nil {
			t.Fatal(err)
		}
		cm := n.Commission
		if n.Decision != ReattestationRequired || cm == nil || cm.ProtocolNumber != "P-51/11" || cm.Meeting != "2026-11-04" || cm.Step != "change_decision" || len(cm.Members) != 3 {
			t.Fatalf("the decided notice %+v, commission %+v", n, cm)
		}
		if stored := got.Changes[0].Commission; stored == nil || stored.ProtocolNumber != "P-51/11" {
			t.Fatalf("the entry's notice %+v", got.Changes[0])
		}
		in.Commission.Members[0].Name = "changed after the decision"
		if f.get(t, e.Number).Changes[0].Commission.Members[0].Name != "S. Alibekov" {
			t.Fatal("the recorded commission shares its members with the request")
		}
	})
	t.Run("§44 the Rules' decision on re-attestation takes no commission", func(t *testing.T) {
		g := newFixture(t)
		e := g.issue(t, "state_is", issuedAt)
		_, c, err := g.svc.NotifyChange(ctx, owner, e.Number, ChangeInput{Description: "Moved the database."}, filed)
		if err != nil {
			t.Fatal(err)
		}
		in := dec
		in.Commission = commission()
		_, _, err = g.svc.DecideChange(ctx, authority, e.Number, c.ID, in, decideAt)
		mustRefuse(t, err, "commission")
		in.Commission = nil
		if _, n, err := g.svc.DecideChange(ctx, authority, e.Number, c.ID, in, decideAt); err != nil || n.Commission != nil {
			t.Fatalf("%+v %v", n, err)
		}
	})
}
