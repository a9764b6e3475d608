package register

import (
	"context"
	"slices"
	"testing"
	"time"

	"attestation/internal/identity"
)

// §42: the monitoring connection.

func TestMonitoringConnectionPar42(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	e := f.issue(t, "state_is", issuedAt)
	// §42: within one year of receiving the certificate: 2027-10-15 is a Friday.
	if e.Monitoring == nil || !e.Monitoring.DueAt.Equal(endOf(2027, 10, 15)) {
		t.Fatalf("monitoring %+v", e.Monitoring)
	}
	late := f.issue(t, "critical_is", issuedAt)
	platform := f.issue(t, "egov_platform", issuedAt)
	voluntary := f.issue(t, "nonstate_is", issuedAt)

	t.Run("§42 the owner notifies the connection; a repeat answers the first notice", func(t *testing.T) {
		when := at(2027, 3, 1, 10, 0)
		got, err := f.svc.NotifyMonitoring(ctx, owner, e.Number, when)
		if err != nil || got.Monitoring.ConnectedAt == nil || !got.Monitoring.ConnectedAt.Equal(when) || got.Revision != 2 {
			t.Fatalf("%+v %v", got.Monitoring, err)
		}
		again, err := f.svc.NotifyMonitoring(ctx, owner, e.Number, when.Add(24*time.Hour))
		if err != nil || again.Revision != 2 || !again.Monitoring.ConnectedAt.Equal(when) {
			t.Fatalf("repeat: %+v %v", again.Monitoring, err)
		}
	})
	t.Run("§42 the platform and voluntary objects carry no monitoring obligation", func(t *testing.T) {
		for _, x := range []Entry{platform, voluntary} {
			if x.Monitoring != nil {
				t.Fatalf("%s has monitoring", x.ObjectKind)
			}
			_, err := f.svc.NotifyMonitoring(ctx, owner, x.Number, at(2027, 3, 1, 10, 0))
			mustRule(t, err, "§42")
		}
	})
	t.Run("§42 a connection not notified within a year is flagged to the authority once", func(t *testing.T) {
		if got := f.check(t, endOf(2027, 10, 15)); slices.Contains(got, "monitoring_connection/"+late.Number) {
			t.Fatalf("flagged on its last day: %v", got)
		}
		got := f.check(t, at(2027, 10, 16, 0, 0))
		if !slices.Contains(got, "monitoring_connection/"+late.Number) || slices.Contains(got, "monitoring_connection/"+e.Number) {
			t.Fatalf("flags %v", got)
		}
		if again := f.check(t, at(2027, 10, 16, 0, 0)); len(again) != 0 {
			t.Fatalf("again at the same moment: %v", again)
		}
		obs, _, err := f.svc.Obligations(ctx, authority, true, 10, "", at(2027, 10, 16, 0, 0))
		if err != nil || len(obs) != 1 || obs[0].Certificate != late.Number || obs[0].Kind != WatchMonitoring || !obs[0].Overdue ||
			obs[0].Actor != identity.Applicant || obs[0].Paragraph != "§42" || !obs[0].DueAt.Equal(endOf(2027, 10, 15)) {
			t.Fatalf("overdue obligations %+v %v", obs, err)
		}
		// A late notice closes it.
		if _, err := f.svc.NotifyMonitoring(ctx, owner, late.Number, at(2027, 10, 20, 10, 0)); err != nil {
			t.Fatal(err)
		}
		obs, _, _ = f.svc.Obligations(ctx, authority, true, 10, "", at(2027, 10, 20, 11, 0))
		if len(obs) != 0 {
			t.Fatalf("after the notice: %+v", obs)
		}
	})
	f.verifyChain(t)
}
