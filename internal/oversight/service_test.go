package oversight

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"attestation/internal/attestation"
	"attestation/internal/calendar"
	"attestation/internal/identity"
	"attestation/internal/objects"
	"attestation/internal/register"
)

const (
	rules = "rules-2016-amended-2018"
	law   = "law-2015-art51"
	binA  = "120540001238"
	binB  = "990340001230"
)

var almaty = func() *time.Location {
	cal, err := calendar.Kazakhstan()
	if err != nil {
		panic(err)
	}
	return cal.Location()
}()

// memStore holds what the reports read; its queries answer as the adapter's do.
type memStore struct {
	mu      sync.Mutex
	objects []objects.Object
	plans   []objects.Plan
	cases   []attestation.Case
	entries []register.Entry
	// ownerReads counts EntriesOf calls by owner; fail, when set, fails the named read.
	ownerReads map[string]int
	fail       string
}

func (m *memStore) ObjectsInStage(ctx context.Context, stage objects.Stage) ([]objects.Object, error) {
	if m.fail == "objects" {
		return nil, errors.New("dynamodb: connection reset")
	}
	var out []objects.Object
	for _, o := range m.objects {
		if o.LifeCycleStage == stage {
			out = append(out, o)
		}
	}
	return out, nil
}

func (m *memStore) PlansOf(ctx context.Context, year int) ([]objects.Plan, error) {
	if m.fail == "plans" {
		return nil, errors.New("dynamodb: throttled")
	}
	var out []objects.Plan
	for _, p := range m.plans {
		if p.Year == year {
			out = append(out, p)
		}
	}
	return out, nil
}

// CasesFiledIn counts years in Asia/Almaty, as the adapter's index does.
func (m *memStore) CasesFiledIn(ctx context.Context, year int) ([]attestation.Case, error) {
	if m.fail == "cases" {
		return nil, errors.New("dynamodb: throttled")
	}
	var out []attestation.Case
	for _, c := range m.cases {
		if c.SubmittedAt.In(almaty).Year() == year {
			out = append(out, c)
		}
	}
	return out, nil
}

func (m *memStore) EntriesOf(ctx context.Context, bin string) ([]register.Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ownerReads == nil {
		m.ownerReads = map[string]int{}
	}
	m.ownerReads[bin]++
	if m.fail == "entries:"+bin {
		return nil, errors.New("dynamodb: connection reset")
	}
	var out []register.Entry
	for _, e := range m.entries {
		if e.OwnerBIN == bin {
			out = append(out, e)
		}
	}
	return out, nil
}

var (
	authority = identity.Actor{Subject: "authority-1", Role: identity.Authority}
	now       = time.Date(2026, 10, 15, 5, 0, 0, 0, time.UTC)
	issued    = time.Date(2025, 4, 1, 5, 0, 0, 0, time.UTC)
)

func newService(t *testing.T, m *memStore) *Service {
	t.Helper()
	cal, err := calendar.Kazakhstan()
	if err != nil {
		t.Fatal(err)
	}
	return NewService(m, cal)
}

// object is a registered object of kind in industrial operation under the rules edition.
func object(id, bin, name, kind string, mandatory bool) objects.Object {
	return objects.Object{ID: id, OrganizationBIN: bin, Kind: kind, Name: name, Developer: "Operator",
		LifeCycleStage: objects.StageIndustrialOperation, Mandatory: mandatory, Edition: rules,
		RegisteredAt: time.Date(2026, 1, 20, 5, 0, 0, 0, time.UTC), RegisteredBy: "applicant-1"}
}

// entry is a valid certificate of the object objectID ("" for an entry that names none).
func entry(number, bin, objectID, name string) register.Entry {
	return register.Entry{Number: number, Year: 2025, Seq: 1, CaseID: "A-" + number, Edition: rules, ObjectID: objectID, ObjectName: name,
		ObjectKind: "state_is", Mandatory: true, OwnerName: "Owner", OwnerBIN: bin, IssuedAt: issued, Status: register.Valid, Revision: 1}
}

func rowsByID(rows []Unattested) map[string]Unattested {
	out := map[string]Unattested{}
	for _, r := range rows {
		out[r.ObjectID] = r
	}
	return out
}

func report(t *testing.T, m *memStore) map[string]Unattested {
	t.Helper()
	r, err := newService(t, m).OperationWithoutCertificate(context.Background(), authority, now)
	if err != nil {
		t.Fatal(err)
	}
	if !r.At.Equal(now) {
		t.Fatalf("report at %v, want %v", r.At, now)
	}
	return rowsByID(r.Rows)
}

func TestPar4OperationWithoutCertificate(t *testing.T) {
	t.Run("§4 a mandatory object in industrial operation without a valid certificate is listed", func(t *testing.T) {
		o := object("O-0000000000000001", binA, "Register of permits", "state_is", true)
		rows := report(t, &memStore{objects: []objects.Object{o}})
		r, ok := rows[o.ID]
		if !ok || len(rows) != 1 {
			t.Fatalf("rows %v, want the object", rows)
		}
		want := Unattested{ObjectID: o.ID, ObjectName: o.Name, Kind: "state_is", OwnerBIN: binA, Stage: objects.StageIndustrialOperation,
			Since: o.RegisteredAt, Paragraph: "§4", OperationRequiresCertificate: true, Reason: NoCertificate, Edition: rules}
		if fmt.Sprint(r) != fmt.Sprint(want) {
			t.Fatalf("row\n%+v\nwant\n%+v", r, want)
		}
	})
	t.Run("§4 an object with a valid certificate naming it is not listed", func(t *testing.T) {
		o := object("O-0000000000000002", binA, "Register of permits", "state_is", true)
		rows := report(t, &memStore{objects: []objects.Object{o}, entries: []register.Entry{entry("2025/00001", binA, o.ID, "Another name")}})
		if len(rows) != 0 {
			t.Fatalf("rows %v, want none", rows)
		}
	})
	t.Run("§4 a certificate that names no object is the object's by owner and name, case and spaces aside", func(t *testing.T) {
		o := object("O-0000000000000003", binA, "Register  of Permits", "state_is", true)
		rows := report(t, &memStore{objects: []objects.Object{o}, entries: []register.Entry{entry("2025/00002", binA, "", " register of   permits ")}})
		if len(rows) != 0 {
			t.Fatalf("rows %v, want none", rows)
		}
	})
	t.Run("§4 a certificate of the same name is not the object's when it names another object or is another owner's", func(t *testing.T) {
		o := object("O-0000000000000004", binA, "Register of permits", "state_is", true)
		other := entry("2025/00003", binA, "O-00000000000000aa", "Register of permits")
		stranger := entry("2025/00004", binB, "", "Register of permits")
		rows := report(t, &memStore{objects: []objects.Object{o}, entries: []register.Entry{other, stranger}})
		if r := rows[o.ID]; r.Reason != NoCertificate || r.Certificate != "" {
			t.Fatalf("row %+v, want no certificate", r)
		}
	})
	t.Run("§45 an object whose certificate was recalled is listed as recalled, with its number and date", func(t *testing.T) {
		o := object("O-0000000000000005", binA, "Portal", "state_web", true)
		e := entry("2025/00005", binA, o.ID, o.Name)
		decided := time.Date(2026, 6, 3, 9, 0, 0, 0, almaty)
		e.Status, e.Recall = register.Recalled, &register.Recall{Ground: "breach", Number: 3, Paragraph: "§45(3)", DecidedAt: decided}
		r := report(t, &memStore{objects: []objects.Object{o}, entries: []register.Entry{e}})[o.ID]
		if r.Reason != Recalled || r.Certificate != "2025/00005" || r.ReasonAt == nil || !r.ReasonAt.Equal(decided) || r.Paragraph != "§4" {
			t.Fatalf("row %+v, want recalled 2025/00005 on %v", r, decided)
		}
	})
	t.Run("§40-§41 an object whose certificate's term has passed is listed as expired, whether or not the register marked it", func(t *testing.T) {
		marked := object("O-0000000000000006", binA, "E-government platform", "egov_platform", true)
		unmarked := object("O-0000000000000007", binB, "E-government platform B", "egov_platform", true)
		until := time.Date(2026, 4, 1, 23, 59, 59, 0, almaty)
		e1 := entry("2025/00006", binA, marked.ID, marked.Name)
		e1.ValidUntil, e1.Status, e1.ExpiredAt = &until, register.Expired, &until
		e2 := entry("2025/00007", binB, unmarked.ID, unmarked.Name)
		e2.ValidUntil = &until // still valid in the register: the deadline check has not run
		rows := report(t, &memStore{objects: []objects.Object{marked, unmarked}, entries: []register.Entry{e1, e2}})
		for id, number := range map[string]string{marked.ID: "2025/00006", unmarked.ID: "2025/00007"} {
			if r := rows[id]; r.Reason != Expired || r.Certificate != number || r.ReasonAt == nil || !r.ReasonAt.Equal(until) {
				t.Errorf("row %+v, want expired %s on %v", r, number, until)
			}
		}
	})
	t.Run("§40 a certificate whose term has not passed at the moment of the report is valid", func(t *testing.T) {
		o := object("O-0000000000000008", binA, "E-government platform", "egov_platform", true)
		until := now.Add(time.Second) // a second before its term ends (at ValidUntil itself it is expired, as the register reads it)
		e := entry("2025/00008", binA, o.ID, o.Name)
		e.ValidUntil = &until
		if rows := report(t, &memStore{objects: []objects.Object{o}, entries: []register.Entry{e}}); len(rows) != 0 {
			t.Fatalf("rows %v, want none", rows)
		}
	})
	t.Run("§45(5) an object whose certificate the register marks terminated is listed as terminated", func(t *testing.T) {
		o := object("O-0000000000000009", binA, "Registry", "critical_is", true)
		at := time.Date(2026, 2, 2, 5, 0, 0, 0, time.UTC)
		e := entry("2025/00009", binA, o.ID, o.Name)
		e.Status, e.TerminatedAt = register.Terminated, &at
		if r := report(t, &memStore{objects: []objects.Object{o}, entries: []register.Entry{e}})[o.ID]; r.Reason != Terminated || r.Certificate != "2025/00009" || !r.ReasonAt.Equal(at) {
			t.Fatalf("row %+v, want terminated", r)
		}
	})
	t.Run("§4 a recalled certificate and a later valid one: the object has a valid certificate", func(t *testing.T) {
		o := object("O-000000000000000a", binA, "Registry", "state_is", true)
		old := entry("2024/00001", binA, o.ID, o.Name)
		old.Status, old.IssuedAt = register.Recalled, issued.AddDate(-1, 0, 0)
		if rows := report(t, &memStore{objects: []objects.Object{o}, entries: []register.Entry{old, entry("2025/00010", binA, o.ID, o.Name)}}); len(rows) != 0 {
			t.Fatalf("rows %v, want none", rows)
		}
	})
	t.Run("§45 of several certificates none valid, the latest gives the reason", func(t *testing.T) {
		o := object("O-000000000000000b", binA, "Registry", "state_is", true)
		old := entry("2024/00002", binA, o.ID, o.Name)
		old.Status, old.IssuedAt = register.Terminated, issued.AddDate(-1, 0, 0)
		recent := entry("2025/00011", binA, o.ID, o.Name)
		recent.Status = register.Recalled
		if r := report(t, &memStore{objects: []objects.Object{o}, entries: []register.Entry{recent, old}})[o.ID]; r.Reason != Recalled || r.Certificate != "2025/00011" || r.ReasonAt != nil {
			t.Fatalf("row %+v, want recalled 2025/00011", r)
		}
	})
	t.Run("§6 a voluntary object in industrial operation is not listed", func(t *testing.T) {
		o := object("O-000000000000000c", binA, "Shop", "nonstate_web", false)
		if rows := report(t, &memStore{objects: []objects.Object{o}}); len(rows) != 0 {
			t.Fatalf("rows %v, want none", rows)
		}
	})
	t.Run("§4 a mandatory object in another stage is not listed", func(t *testing.T) {
		var objs []objects.Object
		for i, st := range objects.Stages {
			if st != objects.StageIndustrialOperation {
				o := object(fmt.Sprintf("O-10000000000000%02d", i), binA, "System "+string(st), "state_is", true)
				o.LifeCycleStage = st
				objs = append(objs, o)
			}
		}
		if rows := report(t, &memStore{objects: objs}); len(rows) != 0 {
			t.Fatalf("rows %v, want none", rows)
		}
	})
	t.Run("§5(2) a mandatory kind whose operation §4 does not condition is listed under its own paragraph", func(t *testing.T) {
		o := object("O-000000000000000d", binA, "State enterprise system", "state_entity_is", true)
		if r := report(t, &memStore{objects: []objects.Object{o}})[o.ID]; r.Paragraph != "§5(2)" || r.OperationRequiresCertificate {
			t.Fatalf("row %+v, want paragraph §5(2), operation not conditioned", r)
		}
	})
	t.Run("Law Art. 51(4) an object registered under the Law's edition rests on the Law", func(t *testing.T) {
		o := object("O-000000000000000e", binA, "Ministry system", "state_is", true)
		o.Edition = law
		if r := report(t, &memStore{objects: []objects.Object{o}})[o.ID]; r.Paragraph != "Law Art. 51(4)" || !r.OperationRequiresCertificate || r.Edition != law {
			t.Fatalf("row %+v, want Law Art. 51(4)", r)
		}
	})
	t.Run("§4 rows come by owner and name, and the register is read once per owner of a listed object", func(t *testing.T) {
		m := &memStore{objects: []objects.Object{
			object("O-0000000000000021", binB, "beta", "state_is", true),
			object("O-0000000000000022", binA, "Gamma", "state_is", true),
			object("O-0000000000000023", binA, "alpha", "state_is", true),
			object("O-0000000000000024", "000000000000", "Voluntary", "nonstate_is", false),
		}}
		r, err := newService(t, m).OperationWithoutCertificate(context.Background(), authority, now)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, row := range r.Rows {
			got = append(got, row.ObjectName)
		}
		if strings.Join(got, ",") != "alpha,Gamma,beta" {
			t.Fatalf("rows %v, want alpha,Gamma,beta", got)
		}
		if fmt.Sprint(m.ownerReads) != fmt.Sprint(map[string]int{binA: 1, binB: 1}) {
			t.Fatalf("register reads %v, want one per owner of a mandatory object", m.ownerReads)
		}
	})
	t.Run("§4 an empty report is an empty list", func(t *testing.T) {
		r, err := newService(t, &memStore{}).OperationWithoutCertificate(context.Background(), authority, now)
		if err != nil || r.Rows == nil || len(r.Rows) != 0 {
			t.Fatalf("%+v %v, want an empty list", r, err)
		}
	})
}

func TestOversightIsTheAuthoritys(t *testing.T) {
	svc := newService(t, &memStore{})
	for _, role := range []identity.Role{identity.Applicant, identity.STS, identity.QualityAuthority, identity.Scheduler} {
		actor := identity.Actor{Subject: "x", Role: role, BIN: binA}
		if _, err := svc.OperationWithoutCertificate(context.Background(), actor, now); !errors.Is(err, attestation.ErrForbidden) {
			t.Errorf("%s, operation without a certificate: %v, want ErrForbidden", role, err)
		}
		if _, err := svc.PlansAgainstApplications(context.Background(), actor, 2026); !errors.Is(err, attestation.ErrForbidden) {
			t.Errorf("%s, plans against applications: %v, want ErrForbidden", role, err)
		}
	}
}

func TestStoreErrorsAreWrapped(t *testing.T) {
	for _, fail := range []string{"objects", "entries:" + binA} {
		m := &memStore{fail: fail, objects: []objects.Object{object("O-0000000000000001", binA, "x", "state_is", true)}}
		_, err := newService(t, m).OperationWithoutCertificate(context.Background(), authority, now)
		if err == nil || !strings.Contains(err.Error(), "operation without a certificate") {
			t.Errorf("%s failing: %v, want a wrapped error", fail, err)
		}
	}
	for _, fail := range []string{"plans", "cases"} {
		_, err := newService(t, &memStore{fail: fail}).PlansAgainstApplications(context.Background(), authority, 2026)
		if err == nil || !strings.Contains(err.Error(), "plans against applications 2026") {
			t.Errorf("%s failing: %v, want a wrapped error", fail, err)
		}
	}
}

// plan is binA's list of year with rows of (object ID, name, mandatory).
func plan(bin string, year int, rows ...objects.PlannedObject) objects.Plan {
	due := time.Date(year, 3, 2, 23, 59, 59, 0, almaty)
	return objects.Plan{OrganizationBIN: bin, Year: year, Rows: rows, Revision: 2, DueAt: due, Paragraph: "§11",
		FirstSubmittedAt: due.Add(-48 * time.Hour), SubmittedAt: due.Add(24 * time.Hour), SubmittedBy: "applicant-1", Edition: rules}
}

func planned(id, name string, mandatory bool) objects.PlannedObject {
	return objects.PlannedObject{ObjectID: id, ObjectName: name, Mandatory: mandatory, LifeCycleStage: objects.StageTesting,
		PlannedDate: "2026-06-15", TestingAct: &objects.TestingAct{Number: "TA-1", Date: "2025-12-20"}}
}

func filed(id, bin, objectID, name, kind string, at time.Time) attestation.Case {
	return attestation.Case{ID: id, OrganizationBIN: bin, ObjectID: objectID, ObjectName: name, ObjectKind: kind, Edition: rules,
		Stage: attestation.StageCompletenessCheck, SubmittedAt: at.UTC()}
}

func TestAnnex1PlansAgainstApplications(t *testing.T) {
	spring := time.Date(2026, 4, 10, 10, 0, 0, 0, almaty)
	run := func(t *testing.T, m *memStore, year int) (map[string]PlannedWithoutApplication, map[string]ApplicationWithoutPlan) {
		t.Helper()
		r, err := newService(t, m).PlansAgainstApplications(context.Background(), authority, year)
		if err != nil {
			t.Fatal(err)
		}
		if r.Year != year || r.PlannedWithoutApplication == nil || r.ApplicationsWithoutPlan == nil {
			t.Fatalf("report %+v", r)
		}
		a, b := map[string]PlannedWithoutApplication{}, map[string]ApplicationWithoutPlan{}
		for _, x := range r.PlannedWithoutApplication {
			a[x.ObjectID] = x
		}
		for _, x := range r.ApplicationsWithoutPlan {
			b[x.CaseID] = x
		}
		return a, b
	}
	t.Run("§11 Annex 1 a mandatory object planned with no application filed that year is listed", func(t *testing.T) {
		p := plan(binA, 2026, planned("O-0000000000000001", "Registry", true))
		a, b := run(t, &memStore{plans: []objects.Plan{p}}, 2026)
		want := PlannedWithoutApplication{OwnerBIN: binA, ObjectID: "O-0000000000000001", ObjectName: "Registry", LifeCycleStage: objects.StageTesting,
			PlannedDate: "2026-06-15", PlanRevision: 2, PlanLate: false, Paragraph: "§11, Annex 1"}
		if len(a) != 1 || fmt.Sprint(a["O-0000000000000001"]) != fmt.Sprint(want) || len(b) != 0 {
			t.Fatalf("planned without application %+v, applications without plan %+v; want %+v", a, b, want)
		}
	})
	t.Run("§11 Annex 1 a planned object with an application naming it is not listed, nor is the application", func(t *testing.T) {
		p := plan(binA, 2026, planned("O-0000000000000001", "Registry", true))
		c := filed("A-1", binA, "O-0000000000000001", "Registry renamed in the filing", "state_is", spring)
		a, b := run(t, &memStore{plans: []objects.Plan{p}, cases: []attestation.Case{c}}, 2026)
		if len(a) != 0 || len(b) != 0 {
			t.Fatalf("planned without application %+v, applications without plan %+v; want none", a, b)
		}
	})
	t.Run("§11 Annex 1 an application that names no object matches a planned object by organisation and name", func(t *testing.T) {
		p := plan(binA, 2026, planned("O-0000000000000001", "Register of Permits", true))
		c := filed("A-2", binA, "", "  register   of permits", "state_is", spring)
		a, b := run(t, &memStore{plans: []objects.Plan{p}, cases: []attestation.Case{c}}, 2026)
		if len(a) != 0 || len(b) != 0 {
			t.Fatalf("planned without application %+v, applications without plan %+v; want none", a, b)
		}
	})
	t.Run("§11 Annex 1 an application naming another object does not answer for a planned object of the same name", func(t *testing.T) {
		p := plan(binA, 2026, planned("O-0000000000000001", "Registry", true))
		c := filed("A-3", binA, "O-0000000000000002", "Registry", "state_is", spring)
		a, b := run(t, &memStore{plans: []objects.Plan{p}, cases: []attestation.Case{c}}, 2026)
		if _, ok := a["O-0000000000000001"]; !ok || !b["A-3"].PlanSent || b["A-3"].ObjectID != "O-0000000000000002" {
			t.Fatalf("planned without application %+v, applications without plan %+v; want both listed", a, b)
		}
	})
	t.Run("§11 Annex 1 another organisation's application of the same name does not answer for a planned object", func(t *testing.T) {
		p := plan(binA, 2026, planned("O-0000000000000001", "Registry", true))
		c := filed("A-4", binB, "", "Registry", "state_is", spring)
		a, b := run(t, &memStore{plans: []objects.Plan{p}, cases: []attestation.Case{c}}, 2026)
		if _, ok := a["O-0000000000000001"]; !ok || b["A-4"].PlanSent || b["A-4"].OwnerBIN != binB {
			t.Fatalf("planned without application %+v, applications without plan %+v; want both listed, binB without a list", a, b)
		}
	})
	t.Run("§11 Annex 1 an application filed for a mandatory object that no list of the year names is listed", func(t *testing.T) {
		p := plan(binA, 2026, planned("O-0000000000000001", "Registry", true))
		c := filed("A-5", binA, "", "Portal", "state_web", spring)
		other := filed("A-6", binB, "", "Portal", "critical_is", spring.Add(time.Hour))
		_, b := run(t, &memStore{plans: []objects.Plan{p}, cases: []attestation.Case{c, other}}, 2026)
		want := ApplicationWithoutPlan{CaseID: "A-5", OwnerBIN: binA, ObjectName: "Portal", ObjectKind: "state_web", SubmittedAt: spring.UTC(),
			Stage: attestation.StageCompletenessCheck, PlanSent: true, Paragraph: "§11, Annex 1"}
		if len(b) != 2 || fmt.Sprint(b["A-5"]) != fmt.Sprint(want) || b["A-6"].PlanSent {
			t.Fatalf("applications without plan %+v, want A-5 %+v and A-6 without a list", b, want)
		}
	})
	t.Run("§6 voluntary objects are left out both ways", func(t *testing.T) {
		p := plan(binA, 2026, planned("O-0000000000000003", "Shop", false))
		c := filed("A-7", binA, "", "Blog", "nonstate_web", spring)
		a, b := run(t, &memStore{plans: []objects.Plan{p}, cases: []attestation.Case{c}}, 2026)
		if len(a) != 0 || len(b) != 0 {
			t.Fatalf("planned without application %+v, applications without plan %+v; want none", a, b)
		}
	})
	t.Run("§11 Annex 1 only the year's lists and applications count, the year counted in Asia/Almaty", func(t *testing.T) {
		p2026 := plan(binA, 2026, planned("O-0000000000000001", "Registry", true))
		p2027 := plan(binA, 2027, planned("O-0000000000000004", "Archive", true))
		// 2027-01-01 01:00 in Almaty is still 2026 in UTC: the application is of 2027.
		newYear := filed("A-8", binA, "O-0000000000000001", "Registry", "state_is", time.Date(2027, 1, 1, 1, 0, 0, 0, almaty))
		// 2026-12-31 23:30 in Almaty: of 2026, and it names the object planned in 2027.
		oldYear := filed("A-9", binA, "O-0000000000000004", "Archive", "state_is", time.Date(2026, 12, 31, 23, 30, 0, 0, almaty))
		m := &memStore{plans: []objects.Plan{p2026, p2027}, cases: []attestation.Case{newYear, oldYear}}
		a, b := run(t, m, 2026)
		if _, ok := a["O-0000000000000001"]; !ok || len(a) != 1 || len(b) != 1 || !b["A-9"].PlanSent {
			t.Fatalf("2026: planned without application %+v, applications without plan %+v", a, b)
		}
		a, b = run(t, m, 2027)
		if _, ok := a["O-0000000000000004"]; !ok || len(a) != 1 || len(b) != 1 || !b["A-8"].PlanSent {
			t.Fatalf("2027: planned without application %+v, applications without plan %+v", a, b)
		}
	})
	t.Run("§11 Annex 1 an application counts whatever became of it", func(t *testing.T) {
		p := plan(binA, 2026, planned("O-0000000000000001", "Registry", true))
		c := filed("A-10", binA, "O-0000000000000001", "Registry", "state_is", spring)
		c.Stage = attestation.StageWithdrawn
		if a, _ := run(t, &memStore{plans: []objects.Plan{p}, cases: []attestation.Case{c}}, 2026); len(a) != 0 {
			t.Fatalf("planned without application %+v, want none", a)
		}
	})
	t.Run("Law Art. 51(15) the rows name the paragraph of the edition", func(t *testing.T) {
		p := plan(binA, 2026, planned("O-0000000000000001", "Registry", true))
		p.Paragraph = "Law Art. 51(15), §11"
		c := filed("A-11", binB, "", "Portal", "state_web", spring)
		c.Edition = law
		a, b := run(t, &memStore{plans: []objects.Plan{p}, cases: []attestation.Case{c}}, 2026)
		if a["O-0000000000000001"].Paragraph != "Law Art. 51(15), §11, Annex 1" || b["A-11"].Paragraph != "Law Art. 51(15), §11, Annex 1" {
			t.Fatalf("paragraphs %q and %q", a["O-0000000000000001"].Paragraph, b["A-11"].Paragraph)
		}
	})
	t.Run("§11 a year the calendar does not cover is invalid, naming the year", func(t *testing.T) {
		for _, year := range []int{1999, 2200} {
			_, err := newService(t, &memStore{}).PlansAgainstApplications(context.Background(), authority, year)
			if !errors.Is(err, attestation.ErrInvalid) || !strings.HasPrefix(err.Error(), "year: ") {
				t.Errorf("%d: %v, want ErrInvalid naming the year", year, err)
			}
		}
	})
}
