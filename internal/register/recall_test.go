package register

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"attestation/internal/attestation"
	"attestation/internal/identity"
)

// §45-§46: recall on each ground, the return of the certificate and the cessation of operation.

func TestRecallOnEachGroundPar45(t *testing.T) {
	ctx := context.Background()
	decided := at(2026, 11, 2, 11, 0) // Monday
	// §46: 3 working days from the decision (the copy reaches the owner through the API at once):
	// Tue 3, Wed 4, Thu 5 November.
	returnDue := endOf(2026, 11, 5)

	for _, tc := range []struct {
		ground string
		kind   string
		status Status
	}{
		{"owner_application", "nonstate_is", Recalled},    // §45(2): any object
		{"audit_noncompliance", "nonstate_web", Recalled}, // §45(3): any object
		{"changed_conditions", "state_is", Recalled},      // §45(4): a mandatory object
		{"operation_ceased", "critical_is", Terminated},   // §45(5): a mandatory object, the termination mark
		{"owner_application", "egov_platform", Recalled},  // §45(2) of the platform
		{"audit_noncompliance", "integrated_nonstate_is", Recalled},
	} {
		t.Run(fmt.Sprintf("§45 ground %s of a %s", tc.ground, tc.kind), func(t *testing.T) {
			f := newFixture(t)
			e := f.issue(t, tc.kind, issuedAt)
			got, err := f.svc.Recall(ctx, authority, e.Number, recall(tc.ground, " found by the audit of 2026-10-30 "), decided)
			if err != nil {
				t.Fatal(err)
			}
			g := groundOf(f.ed, tc.ground)
			r := got.Recall
			if got.Status != tc.status || r == nil || r.Ground != tc.ground || r.Number != g.Number || r.Paragraph != g.Paragraph ||
				!r.DecidedAt.Equal(decided) || !r.ReturnDueAt.Equal(returnDue) || r.ReturnedAt != nil || !slices.Equal(r.Reasons, []string{"found by the audit of 2026-10-30"}) {
				t.Fatalf("recall %+v, status %s; want %s on %s due %s", r, got.Status, tc.status, tc.ground, returnDue)
			}
			if (tc.status == Terminated) != (got.TerminatedAt != nil) {
				t.Fatalf("terminatedAt %v for status %s", got.TerminatedAt, got.Status)
			}
			// §46: the copy of the decision is kept under Object Lock and pinned in the entry.
			body, ok := f.records.objs[r.Decision.Key]
			sum := sha256.Sum256(body)
			if !ok || r.Decision.VersionID == "" || r.Decision.SHA256 != hex.EncodeToString(sum[:]) ||
				!strings.Contains(string(body), `"ground": "`+tc.ground+`"`) || !strings.Contains(string(body), e.Number) {
				t.Fatalf("decision copy %+v: %s", r.Decision, body)
			}
			// §46: and the copy the owner reads, rendered from the same decision, pinned beside it.
			pdf, ok := f.records.objs[r.DecisionPDF.Key]
			if !ok || !strings.HasSuffix(r.DecisionPDF.Key, ".pdf") || r.DecisionPDF.VersionID == "" || string(pdf) != "%PDF-1.7 recall of "+e.Number+" on "+tc.ground {
				t.Fatalf("the copy of the decision %+v: %q", r.DecisionPDF, pdf)
			}
			if n := len(f.rendered); n != 1 || f.rendered[0].Paragraph != g.Paragraph || !f.rendered[0].ReturnDueAt.Equal(returnDue) ||
				f.rendered[0].ReturnParagraph != "§46" || f.rendered[0].Terminated != (tc.status == Terminated) || f.rendered[0].OwnerName != e.OwnerName ||
				f.rendered[0].DecidedBy != authority.Name {
				t.Fatalf("rendered %d copies: %+v", n, f.rendered)
			}
			if c, err := got.StoredCopy(CopyRecallDecision); err != nil || c.Document != *r.DecisionPDF {
				t.Fatalf("the owner's copy of the decision: %+v %v", c, err)
			}
			if p := got.PublicView().Recall; p == nil || p.Ground != tc.ground || p.Returned {
				t.Fatalf("public view of the recall: %+v", p)
			}
			// The same decision again answers the first and writes nothing; another is a conflict.
			again, err := f.svc.Recall(ctx, authority, e.Number, recall(tc.ground), decided.Add(time.Hour))
			if err != nil || again.Revision != got.Revision || !again.Recall.DecidedAt.Equal(decided) {
				t.Fatalf("repeat: revision %d (first %d), %v", again.Revision, got.Revision, err)
			}
			other := "audit_noncompliance"
			if tc.ground == other {
				other = "owner_application"
			}
			_, err = f.svc.Recall(ctx, authority, e.Number, recall(other), decided.Add(time.Hour))
			mustErr(t, err, attestation.ErrConflict)
			if n := f.store.revisions(e.Number); n != 2 {
				t.Fatalf("%d revisions, want 2", n)
			}
			f.verifyChain(t)
		})
	}

	t.Run("§45(1) not attested again: refused while the certificate is in force (§41)", func(t *testing.T) {
		f := newFixture(t)
		e := f.issue(t, "egov_platform", issuedAt)
		_, err := f.svc.Recall(ctx, authority, e.Number, recall(GroundNotReattested), decided)
		mustRule(t, err, "§45(1)")
		mustRule(t, err, "§41")
		if f.store.revisions(e.Number) != 1 {
			t.Fatal("a refused recall wrote")
		}
	})
	t.Run("§45(1) not attested again: recalled after expiry", func(t *testing.T) {
		f := newFixture(t)
		e := f.issue(t, "egov_platform", issuedAt)
		after := at(2027, 10, 18, 9, 0) // the term ended 2027-10-15 23:59:59
		if got := f.check(t, after); !slices.Equal(got, []string{"expiry/" + e.Number}) {
			t.Fatalf("flags %v", got)
		}
		got, err := f.svc.Recall(ctx, authority, e.Number, recall(GroundNotReattested), after)
		if err != nil {
			t.Fatal(err)
		}
		// Mon 18 Oct 2027 09:00 + 3 working days: Tue 19, Wed 20, Thu 21.
		if got.Status != Recalled || got.Recall.Number != 1 || !got.Recall.ReturnDueAt.Equal(endOf(2027, 10, 21)) || got.ExpiredAt == nil {
			t.Fatalf("%s %+v", got.Status, got.Recall)
		}
	})
	t.Run("§45(1) refused when the object was attested again (§41)", func(t *testing.T) {
		f := newFixture(t)
		old := f.issue(t, "egov_platform", at(2025, 10, 1, 10, 0))
		f.check(t, at(2026, 10, 5, 10, 0))
		// The object's new certificate, issued after the old one expired.
		again := f.issue(t, "egov_platform", at(2026, 10, 10, 10, 0))
		stored := f.get(t, again.Number)
		stored.ObjectID, stored.ObjectName = old.ObjectID, old.ObjectName
		f.store.entries[again.Number] = stored
		_, err := f.svc.Recall(ctx, authority, old.Number, recall(GroundNotReattested), at(2026, 10, 15, 10, 0))
		mustRule(t, err, "§41")
		if !strings.Contains(err.Error(), again.Number) {
			t.Fatalf("the refusal does not name the new certificate: %v", err)
		}
	})
	t.Run("§45(4) changed conditions: refused for a voluntary object (§6)", func(t *testing.T) {
		f := newFixture(t)
		e := f.issue(t, "nonstate_is", issuedAt)
		_, err := f.svc.Recall(ctx, authority, e.Number, recall(GroundChangedConditions), decided)
		mustRule(t, err, "§45(4)")
		mustRule(t, err, "§5")
	})
	t.Run("§45(5) operation ceased: refused for a voluntary object (§6)", func(t *testing.T) {
		f := newFixture(t)
		e := f.issue(t, "nonstate_web", issuedAt)
		_, err := f.svc.Recall(ctx, authority, e.Number, recall(GroundOperationCeased), decided)
		mustRule(t, err, "§45(5)")
	})
	t.Run("§45 an unknown ground, no reasons, blank reasons are refused", func(t *testing.T) {
		f := newFixture(t)
		e := f.issue(t, "state_is", issuedAt)
		_, err := f.svc.Recall(ctx, authority, e.Number, recall("bad_weather"), decided)
		mustRefuse(t, err, "ground")
		_, err = f.svc.Recall(ctx, authority, e.Number, RecallInput{Ground: "owner_application"}, decided)
		mustRefuse(t, err, "reasons")
		_, err = f.svc.Recall(ctx, authority, e.Number, recall("owner_application", "ok", "  "), decided)
		mustRefuse(t, err, "reasons[1]")
		// §46: the copy sent to the owner prints the reasons; a control character cannot be printed.
		_, err = f.svc.Recall(ctx, authority, e.Number, recall("owner_application", "ok", "bell\a"), decided)
		mustRefuse(t, err, "reasons[1]")
		_, err = f.svc.Recall(ctx, authority, e.Number, RecallInput{Ground: "owner_application", Reasons: []string{"x"}, ChangeID: "c1"}, decided)
		mustRefuse(t, err, "changeId")
		if f.store.revisions(e.Number) != 1 || len(f.records.objs) != 0 {
			t.Fatal("a refused recall wrote")
		}
		if _, err = f.svc.Recall(ctx, authority, e.Number, recall("owner_application", "line one\nline two\ttabbed"), decided); err != nil {
			t.Fatalf("white space in a reason: %v", err)
		}
	})
	t.Run("§45 only the authority recalls", func(t *testing.T) {
		f := newFixture(t)
		e := f.issue(t, "state_is", issuedAt)
		for _, a := range []identity.Actor{owner, sts} {
			_, err := f.svc.Recall(ctx, a, e.Number, recall("owner_application"), decided)
			mustErr(t, err, attestation.ErrForbidden)
		}
		_, err := f.svc.Recall(ctx, authority, "2026/09999", recall("owner_application"), decided)
		mustErr(t, err, ErrCertificateNotFound)
	})
}

func TestReturnPar46(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	e := f.issue(t, "state_is", issuedAt)
	_, err := f.svc.RecordReturn(ctx, authority, e.Number, at(2026, 10, 20, 10, 0))
	mustRule(t, err, "§46")

	decided := at(2026, 11, 2, 11, 0)
	if _, err := f.svc.Recall(ctx, authority, e.Number, recall("owner_application"), decided); err != nil {
		t.Fatal(err)
	}
	t.Run("§46 the return is due within 3 working days; the check flags it overdue once", func(t *testing.T) {
		if got := f.check(t, endOf(2026, 11, 5)); len(got) != 0 {
			t.Fatalf("on the last day: %v", got)
		}
		if got := f.check(t, at(2026, 11, 6, 0, 0)); !slices.Equal(got, []string{"certificate_return/" + e.Number}) {
			t.Fatalf("the day after: %v", got)
		}
		if got := f.check(t, at(2026, 11, 6, 0, 0)); len(got) != 0 {
			t.Fatalf("again at the same moment: %v", got)
		}
		if got := f.get(t, e.Number); !got.Recall.ReturnOverdue {
			t.Fatalf("recall %+v", got.Recall)
		}
	})
	t.Run("§46 the authority records the return; a repeat answers it", func(t *testing.T) {
		returned := at(2026, 11, 9, 15, 0)
		got, err := f.svc.RecordReturn(ctx, authority, e.Number, returned)
		if err != nil || got.Recall.ReturnedAt == nil || !got.Recall.ReturnedAt.Equal(returned) || !got.PublicView().Recall.Returned {
			t.Fatalf("%+v %v", got.Recall, err)
		}
		revs := f.store.revisions(e.Number)
		again, err := f.svc.RecordReturn(ctx, authority, e.Number, returned.Add(time.Hour))
		if err != nil || !again.Recall.ReturnedAt.Equal(returned) || f.store.revisions(e.Number) != revs {
			t.Fatalf("repeat: %+v %v", again.Recall, err)
		}
		_, err = f.svc.RecordReturn(ctx, owner, e.Number, returned)
		mustErr(t, err, attestation.ErrForbidden)
	})
	f.verifyChain(t)
}

func TestCessationOfOperationPar45(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	e := f.issue(t, "state_web", issuedAt)
	voluntary := f.issue(t, "nonstate_web", issuedAt)
	when := at(2026, 12, 1, 10, 0)
	t.Run("§45(5) the owner notifies cessation; it is listed for the authority until recalled", func(t *testing.T) {
		_, err := f.svc.NotifyCessation(ctx, owner, e.Number, CessationNotice{CeasedOn: "2026-12-02"}, when)
		mustRefuse(t, err, "ceasedOn")
		_, err = f.svc.NotifyCessation(ctx, owner, e.Number, CessationNotice{CeasedOn: "1 Dec"}, when)
		mustRefuse(t, err, "ceasedOn")
		_, err = f.svc.NotifyCessation(ctx, owner, e.Number, CessationNotice{CeasedOn: "2026-10-01"}, when)
		mustRefuse(t, err, "ceasedOn")
		got, err := f.svc.NotifyCessation(ctx, owner, e.Number, CessationNotice{CeasedOn: "2026-11-30"}, when)
		if err != nil || got.Cessation == nil || got.Cessation.CeasedOn != "2026-11-30" || got.Status != Valid {
			t.Fatalf("%+v %v", got.Cessation, err)
		}
		again, err := f.svc.NotifyCessation(ctx, owner, e.Number, CessationNotice{CeasedOn: "2026-11-30"}, when.Add(time.Hour))
		if err != nil || again.Revision != got.Revision {
			t.Fatalf("repeat: %v", err)
		}
		_, err = f.svc.NotifyCessation(ctx, owner, e.Number, CessationNotice{CeasedOn: "2026-11-29"}, when.Add(time.Hour))
		mustErr(t, err, attestation.ErrConflict)
		obs, _, err := f.svc.Obligations(ctx, authority, false, 10, "", when)
		if err != nil || !slices.ContainsFunc(obs, func(o Obligation) bool {
			return o.Certificate == e.Number && o.Kind == WatchRecall && o.Ground == GroundOperationCeased && o.Paragraph == "§45(5)"
		}) {
			t.Fatalf("%+v %v", obs, err)
		}
		r, err := f.svc.Recall(ctx, authority, e.Number, recall(GroundOperationCeased), when.Add(24*time.Hour))
		if err != nil || r.Status != Terminated || r.TerminatedAt == nil || r.PublicView().TerminatedAt == nil {
			t.Fatalf("%s %v", r.Status, err)
		}
		obs, _, _ = f.svc.Obligations(ctx, authority, false, 10, "", when.Add(24*time.Hour))
		if slices.ContainsFunc(obs, func(o Obligation) bool { return o.Certificate == e.Number && o.Kind == WatchRecall }) {
			t.Fatalf("still listed for recall: %+v", obs)
		}
	})
	t.Run("§45(5) concerns mandatory objects: a voluntary object's owner applies for recall (§45(2))", func(t *testing.T) {
		_, err := f.svc.NotifyCessation(ctx, owner, voluntary.Number, CessationNotice{CeasedOn: "2026-11-30"}, when)
		mustRule(t, err, "§45(2)")
	})
}
