package objects

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"attestation/internal/calendar"
	"attestation/internal/notice"
)

// owners is the oversight index as the plan reminders read it, over a memStore.
type owners struct {
	*memStore
	reads int
}

func (o *owners) ObjectsInStage(ctx context.Context, st Stage) ([]Object, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.reads++
	var out []Object
	for _, x := range o.objects {
		if x.LifeCycleStage == st {
			out = append(out, x)
		}
	}
	return out, nil
}

func (o *owners) PlansOf(ctx context.Context, year int) ([]Plan, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []Plan
	for _, p := range o.plans {
		if p.Year == year {
			out = append(out, p)
		}
	}
	return out, nil
}

// memOutbox keeps what is put, once per ID.
type memOutbox struct {
	mu  sync.Mutex
	put map[string]notice.Notification
}

func (m *memOutbox) Put(ctx context.Context, n notice.Notification) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.put[n.ID]; ok {
		return false, nil
	}
	m.put[n.ID] = n
	return true, nil
}

// TestPar11PlanReminderOnceBeforeMarch1: the list of 2027 is due at the end of Monday March 1;
// 10 working days before it (Monday February 15) the owners of a mandatory object not terminated
// that sent no list are reminded, once; a voluntary object's owner, an owner whose only object is
// terminated and an owner that sent its list are not; before the point and after the due moment
// nothing is read.
func TestPar11PlanReminderOnceBeforeMarch1(t *testing.T) {
	cal, err := calendar.Kazakhstan()
	if err != nil {
		t.Fatal(err)
	}
	st := &owners{memStore: newMemStore()}
	for id, o := range map[string]Object{
		"O-1": {OrganizationBIN: "111", Mandatory: true, LifeCycleStage: StageIndustrialOperation},
		"O-2": {OrganizationBIN: "111", Mandatory: true, LifeCycleStage: StageCreation},
		"O-3": {OrganizationBIN: "222", Mandatory: false, LifeCycleStage: StageIndustrialOperation},
		"O-4": {OrganizationBIN: "333", Mandatory: true, LifeCycleStage: StageTerminated},
		"O-5": {OrganizationBIN: "444", Mandatory: true, LifeCycleStage: StageTesting},
		"O-6": {OrganizationBIN: "555", Mandatory: true, LifeCycleStage: StageTrialOperation},
	} {
		o.ID = id
		st.objects[id] = o
	}
	st.plans["444/2027"] = Plan{OrganizationBIN: "444", Year: 2027}
	st.plans["555/2026"] = Plan{OrganizationBIN: "555", Year: 2026} // last year's list does not count
	out := &memOutbox{put: map[string]notice.Notification{}}
	r, err := NewPlanReminders(st, out, cal, edition)
	if err != nil {
		t.Fatal(err)
	}
	at := func(m time.Month, d, h int) time.Time { return time.Date(2027, m, d, h, 0, 0, 0, almaty) }
	run := func(now time.Time) []string {
		t.Helper()
		rep, err := r.Check(context.Background(), now)
		if err != nil {
			t.Fatal(err)
		}
		return rep.(PlanRemindersReport).Reminded
	}
	t.Run("§11 not before the point", func(t *testing.T) {
		if got := run(at(2, 12, 18)); len(got) != 0 || st.reads != 0 {
			t.Fatalf("reminded %v, %d reads", got, st.reads)
		}
	})
	t.Run("§11 reminded at the point, once", func(t *testing.T) {
		if got := run(at(2, 15, 9)); !slices.Equal(got, []string{"P-111-2027.10", "P-555-2027.10"}) {
			t.Fatalf("reminded %v", got)
		}
		n := out.put["P-111-2027.10"]
		due := time.Date(2027, 3, 1, 23, 59, 59, 0, almaty)
		if n.Kind != notice.Reminder || n.Reminds != notice.AnnualPlanDue || n.To.BIN != "111" || n.DueAt == nil || !n.DueAt.Equal(due) ||
			n.DaysLeft != 10 || n.Paragraph != "§11, Annex 1" {
			t.Fatalf("%+v", n)
		}
		if got := run(at(2, 16, 9)); len(got) != 0 {
			t.Fatalf("reminded again: %v", got)
		}
	})
	t.Run("§11 nothing after the due moment", func(t *testing.T) {
		reads := st.reads
		if got := run(at(3, 2, 9)); len(got) != 0 || st.reads != reads {
			t.Fatalf("reminded %v, %d reads", got, st.reads-reads)
		}
	})
}
