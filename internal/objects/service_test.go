package objects

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"attestation/internal/attestation"
	"attestation/internal/calendar"
	"attestation/internal/identity"
	"attestation/internal/policy"
)

// memStore is an in-memory Store with the adapter's conditions.
type memStore struct {
	mu      sync.Mutex
	objects map[string]Object
	plans   map[string]Plan
	// race, when set, is called inside PutPlan before the revision check (to let another writer in).
	race func()
}

func newMemStore() *memStore {
	return &memStore{objects: map[string]Object{}, plans: map[string]Plan{}}
}

func (m *memStore) CreateObject(ctx context.Context, o Object) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.objects[o.ID]; ok {
		return fmt.Errorf("create object %s: %w", o.ID, attestation.ErrConflict)
	}
	m.objects[o.ID] = o
	return nil
}

func (m *memStore) ReplaceObject(ctx context.Context, o Object, from Stage) error {
	if m.race != nil {
		race := m.race
		m.race = nil
		race()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, ok := m.objects[o.ID]
	if !ok || cur.LifeCycleStage != from {
		return fmt.Errorf("replace object %s: %w", o.ID, attestation.ErrConflict)
	}
	m.objects[o.ID] = o
	return nil
}

func (m *memStore) Object(ctx context.Context, id string) (Object, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.objects[id]
	if !ok {
		return Object{}, fmt.Errorf("object %s: %w", id, attestation.ErrNotFound)
	}
	return o, nil
}

func (m *memStore) Objects(ctx context.Context, ids []string) (map[string]Object, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]Object{}
	for _, id := range ids {
		if o, ok := m.objects[id]; ok {
			out[id] = o
		}
	}
	return out, nil
}

func (m *memStore) ObjectsOf(ctx context.Context, bin string, limit int, cursor string) ([]Object, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var all []Object
	for _, o := range m.objects {
		if o.OrganizationBIN == bin {
			all = append(all, o)
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if !all[i].RegisteredAt.Equal(all[j].RegisteredAt) {
			return all[i].RegisteredAt.After(all[j].RegisteredAt)
		}
		return all[i].ID > all[j].ID
	})
	start := 0
	if cursor != "" {
		org, n, ok := strings.Cut(cursor, ":")
		i, err := strconv.Atoi(n)
		if !ok || org != bin || err != nil || i < 0 || i > len(all) {
			return nil, "", attestation.ErrBadCursor
		}
		start = i
	}
	end := min(start+limit, len(all))
	next := ""
	if end < len(all) {
		next = bin + ":" + strconv.Itoa(end)
	}
	return all[start:end], next, nil
}

func planKey(bin string, year int) string { return bin + "#" + strconv.Itoa(year) }

func (m *memStore) Plan(ctx context.Context, bin string, year int) (Plan, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.plans[planKey(bin, year)]
	if !ok {
		return Plan{}, attestation.ErrNotFound
	}
	return p, nil
}

func (m *memStore) PutPlan(ctx context.Context, p Plan) error {
	if m.race != nil {
		m.race()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, ok := m.plans[planKey(p.OrganizationBIN, p.Year)]
	if (p.Revision == 1 && ok) || (p.Revision > 1 && (!ok || cur.Revision != p.Revision-1)) {
		return fmt.Errorf("put plan: %w", attestation.ErrConflict)
	}
	m.plans[planKey(p.OrganizationBIN, p.Year)] = p
	return nil
}

const (
	ownBIN   = "120540001238"
	otherBIN = "990340001230"
	edition  = "rules-2016-amended-2018"
)

var (
	almaty    = mustLocation("Asia/Almaty")
	applicant = identity.Actor{Subject: "u-applicant", Role: identity.Applicant, BIN: ownBIN}
	stranger  = identity.Actor{Subject: "u-stranger", Role: identity.Applicant, BIN: otherBIN}
	authority = identity.Actor{Subject: "u-authority", Role: identity.Authority}
	sts       = identity.Actor{Subject: "u-sts", Role: identity.STS}
	// registeredAt: Thursday 2026-01-15, 10:00 in Almaty.
	registeredAt = time.Date(2026, 1, 15, 10, 0, 0, 0, almaty)
)

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func newService(t *testing.T) (*Service, *memStore) {
	t.Helper()
	cal, err := calendar.Kazakhstan()
	if err != nil {
		t.Fatal(err)
	}
	st := newMemStore()
	s, err := NewService(st, cal, edition)
	if err != nil {
		t.Fatal(err)
	}
	return s, st
}

func registration(kind string) Registration {
	return Registration{Kind: kind, Name: "E-licensing information system", Developer: "National IT operator", LifeCycleStage: StageIndustrialOperation}
}

func register(t *testing.T, s *Service, actor identity.Actor, kind string) Object {
	t.Helper()
	o, err := s.Register(context.Background(), actor, registration(kind), registeredAt)
	if err != nil {
		t.Fatalf("register %s: %v", kind, err)
	}
	return o
}

// problemsOf returns the field-level problems of a refusal, failing when err is not one.
func problemsOf(t *testing.T, err error) []attestation.Problem {
	t.Helper()
	var refused *attestation.SubmissionRefused
	if !errors.As(err, &refused) {
		t.Fatalf("error %v, want a refusal with field-level problems", err)
	}
	if !errors.Is(err, attestation.ErrInvalid) {
		t.Fatalf("a refusal must match ErrInvalid")
	}
	return refused.Problems
}

// hasProblem reports whether a problem names field, its rule contains rule, and its message contains msg.
func hasProblem(ps []attestation.Problem, field, rule, msg string) bool {
	for _, p := range ps {
		if p.Field == field && strings.Contains(p.Rule, rule) && strings.Contains(p.Message, msg) {
			return true
		}
	}
	return false
}

func TestRegister(t *testing.T) {
	ctx := context.Background()
	s, st := newService(t)
	ed, err := policy.Load(edition)
	if err != nil {
		t.Fatal(err)
	}
	var mandatory, voluntary int
	for _, k := range ed.Kinds() {
		name := "§6 a " + k.ID + " is voluntary"
		if k.Mandatory {
			name = "§5 a " + k.ID + " is mandatory"
		}
		t.Run(name, func(t *testing.T) {
			o := register(t, s, applicant, k.ID)
			if o.Mandatory != k.Mandatory || o.Kind != k.ID || o.Edition != edition {
				t.Fatalf("object %+v, want mandatory=%t from the policy's kind", o, k.Mandatory)
			}
			if o.OrganizationBIN != ownBIN || !o.RegisteredAt.Equal(registeredAt) || o.RegisteredBy != "u-applicant" {
				t.Fatalf("object %+v", o)
			}
			if !wellFormedID(o.ID) {
				t.Fatalf("ID %q is not O- and 16 hex digits", o.ID)
			}
			got, err := st.Object(ctx, o.ID)
			if err != nil || !reflect.DeepEqual(got, o) {
				t.Fatalf("stored %+v %v", got, err)
			}
		})
		if k.Mandatory {
			mandatory++
		} else {
			voluntary++
		}
	}
	if mandatory != 6 || voluntary != 2 {
		t.Fatalf("%d mandatory and %d voluntary kinds, want 6 and 2 (§5, §6)", mandatory, voluntary)
	}

	t.Run("IDs are random, not a sequence", func(t *testing.T) {
		seen := map[string]bool{}
		for i := 0; i < 50; i++ {
			o := register(t, s, applicant, "nonstate_is")
			if seen[o.ID] {
				t.Fatalf("ID %s given twice", o.ID)
			}
			seen[o.ID] = true
		}
	})

	t.Run("a taken ID is drawn again", func(t *testing.T) {
		s2, _ := newService(t)
		ids := []string{"O-00000000000000aa", "O-00000000000000aa", "O-00000000000000bb"}
		s2.newID = func() (string, error) { id := ids[0]; ids = ids[1:]; return id, nil }
		a := register(t, s2, applicant, "state_is")
		b := register(t, s2, applicant, "state_is")
		if a.ID != "O-00000000000000aa" || b.ID != "O-00000000000000bb" {
			t.Fatalf("IDs %s, %s", a.ID, b.ID)
		}
	})

	for _, tc := range []struct {
		name  string
		edit  func(*Registration)
		field string
		rule  string
		msg   string
	}{
		{"§5, §6 an unknown kind is refused and the kinds are named", func(r *Registration) { r.Kind = "space_station" }, "kind", "§5, §6", "state_is"},
		{"§5, §6 a missing kind is refused", func(r *Registration) { r.Kind = "" }, "kind", "§5, §6", "not a kind"},
		{"seed 004 §3 an unknown life-cycle state is refused", func(r *Registration) { r.LifeCycleStage = "operation" }, "lifeCycleStage", "seed 004 §3", "industrial_operation"},
		{"seed 004 §3 a missing life-cycle state is refused", func(r *Registration) { r.LifeCycleStage = "" }, "lifeCycleStage", "Law Art. 39", "not a life-cycle state"},
		{"§29 a blank name is refused", func(r *Registration) { r.Name = "  " }, "name", "§29", "blank"},
		{"§29 a name too long is refused", func(r *Registration) { r.Name = strings.Repeat("n", 501) }, "name", "§29", "500"},
		{"§29 a name with a control character is refused", func(r *Registration) { r.Name = "a\x01b" }, "name", "§29", "control"},
		{"§29 a blank developer is refused", func(r *Registration) { r.Developer = "" }, "developer", "§29", "blank"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, st := newService(t)
			in := registration("state_is")
			tc.edit(&in)
			_, err := s.Register(ctx, applicant, in, registeredAt)
			if ps := problemsOf(t, err); !hasProblem(ps, tc.field, tc.rule, tc.msg) {
				t.Fatalf("problems %v, want %s [%s] ...%s...", ps, tc.field, tc.rule, tc.msg)
			}
			if len(st.objects) != 0 {
				t.Fatalf("a refused registration was stored")
			}
		})
	}
	t.Run("every problem at once", func(t *testing.T) {
		s, _ := newService(t)
		_, err := s.Register(ctx, applicant, Registration{}, registeredAt)
		if ps := problemsOf(t, err); len(ps) != 4 {
			t.Fatalf("problems %v, want 4 (name, developer, kind, lifeCycleStage)", ps)
		}
	})
	t.Run("staff do not register objects", func(t *testing.T) {
		s, _ := newService(t)
		if _, err := s.Register(ctx, authority, registration("state_is"), registeredAt); !errors.Is(err, attestation.ErrForbidden) {
			t.Fatalf("authority registering: %v, want ErrForbidden", err)
		}
	})
	t.Run("the name is stored trimmed", func(t *testing.T) {
		s, _ := newService(t)
		in := registration("state_is")
		in.Name = "  Portal  "
		o, err := s.Register(ctx, applicant, in, registeredAt)
		if err != nil || o.Name != "Portal" {
			t.Fatalf("%+v %v", o, err)
		}
	})
}

func TestReadObjects(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	own := register(t, s, applicant, "state_is")
	foreign := register(t, s, stranger, "nonstate_web")

	t.Run("an applicant reads its own object", func(t *testing.T) {
		if o, err := s.Get(ctx, applicant, own.ID); err != nil || !reflect.DeepEqual(o, own) {
			t.Fatalf("%+v %v", o, err)
		}
	})
	t.Run("another organisation's object is not found, exactly like a missing one", func(t *testing.T) {
		_, errForeign := s.Get(ctx, applicant, foreign.ID)
		_, errMissing := s.Get(ctx, applicant, "O-0000000000000000")
		_, errMalformed := s.Get(ctx, applicant, "A-1")
		for _, err := range []error{errForeign, errMissing, errMalformed} {
			if !errors.Is(err, ErrObjectNotFound) || !errors.Is(err, attestation.ErrNotFound) || err.Error() != ErrObjectNotFound.Error() {
				t.Fatalf("%v, want exactly ErrObjectNotFound", err)
			}
		}
	})
	t.Run("staff read any object", func(t *testing.T) {
		for _, a := range []identity.Actor{authority, sts} {
			if o, err := s.Get(ctx, a, foreign.ID); err != nil || !reflect.DeepEqual(o, foreign) {
				t.Fatalf("%s: %+v %v", a.Role, o, err)
			}
		}
	})
}

func TestListObjects(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	var ids []string
	for i := 0; i < 5; i++ {
		o, err := s.Register(ctx, applicant, registration("state_is"), registeredAt.Add(time.Duration(i)*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		ids = append([]string{o.ID}, ids...) // newest first
	}
	register(t, s, stranger, "state_is")

	t.Run("an applicant pages through its own objects, newest first", func(t *testing.T) {
		var got []string
		cursor := ""
		for pages := 0; ; pages++ {
			objs, next, err := s.List(ctx, applicant, "", 2, cursor)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range objs {
				got = append(got, o.ID)
			}
			if next == "" {
				break
			}
			cursor = next
		}
		if strings.Join(got, ",") != strings.Join(ids, ",") {
			t.Fatalf("listed %v, want %v", got, ids)
		}
	})
	t.Run("an applicant naming its own organisation lists the same", func(t *testing.T) {
		objs, _, err := s.List(ctx, applicant, ownBIN, 0, "")
		if err != nil || len(objs) != 5 {
			t.Fatalf("%d objects, %v", len(objs), err)
		}
	})
	t.Run("an applicant naming another organisation is forbidden", func(t *testing.T) {
		if _, _, err := s.List(ctx, applicant, otherBIN, 0, ""); !errors.Is(err, attestation.ErrForbidden) {
			t.Fatalf("%v, want ErrForbidden", err)
		}
	})
	t.Run("staff list the organisation they name", func(t *testing.T) {
		objs, _, err := s.List(ctx, authority, ownBIN, 0, "")
		if err != nil || len(objs) != 5 {
			t.Fatalf("%d objects, %v", len(objs), err)
		}
		objs, _, err = s.List(ctx, sts, otherBIN, 0, "")
		if err != nil || len(objs) != 1 {
			t.Fatalf("%d objects, %v", len(objs), err)
		}
	})
	t.Run("staff must name a valid organisation", func(t *testing.T) {
		for _, org := range []string{"", "12345", "120540001239"} {
			if _, _, err := s.List(ctx, authority, org, 0, ""); !errors.Is(err, attestation.ErrInvalid) {
				t.Fatalf("organization %q: %v, want ErrInvalid", org, err)
			}
		}
	})
	t.Run("a cursor of another organisation is refused", func(t *testing.T) {
		if _, _, err := s.List(ctx, applicant, "", 2, otherBIN+":0"); !errors.Is(err, attestation.ErrBadCursor) {
			t.Fatalf("%v, want ErrBadCursor", err)
		}
	})
}

// row is a valid plan row for o: in industrial operation, planned for June 2026, with its act.
func row(o Object) PlanRow {
	return PlanRow{ObjectID: o.ID, LifeCycleStage: StageIndustrialOperation, PlannedDate: "2026-06-15",
		TestingAct: &TestingAct{Number: "TA-17", Date: "2025-12-20"}}
}

func TestAnnualPlan(t *testing.T) {
	ctx := context.Background()
	// §11: March 1 2026 is a Sunday, so the list is due by the end of Monday March 2, Almaty (UTC+5).
	wantDue := time.Date(2026, 3, 2, 23, 59, 59, 0, almaty)
	onTime := time.Date(2026, 2, 20, 11, 0, 0, 0, almaty)
	lastMinute := time.Date(2026, 3, 2, 23, 59, 0, 0, almaty)
	late := time.Date(2026, 3, 3, 9, 0, 0, 0, almaty)

	t.Run("§11 a plan sent by March 1 is on time", func(t *testing.T) {
		s, _ := newService(t)
		o := register(t, s, applicant, "state_is")
		p, err := s.PutPlan(ctx, applicant, 2026, PlanInput{Rows: []PlanRow{row(o)}}, onTime)
		if err != nil {
			t.Fatal(err)
		}
		if p.Late() || p.Revision != 1 || !p.DueAt.Equal(wantDue) || !p.SubmittedAt.Equal(onTime) || !p.FirstSubmittedAt.Equal(onTime) {
			t.Fatalf("plan %+v: want on time, revision 1, due %v", p, wantDue)
		}
		if p.Paragraph != "§11" || p.OrganizationBIN != ownBIN || len(p.Rows) != 1 || p.Rows[0].ObjectName != o.Name || !p.Rows[0].Mandatory {
			t.Fatalf("plan %+v", p)
		}
	})
	t.Run("§11 March 1 on a Sunday moves the due moment to the end of Monday", func(t *testing.T) {
		s, _ := newService(t)
		o := register(t, s, applicant, "state_is")
		p, err := s.PutPlan(ctx, applicant, 2026, PlanInput{Rows: []PlanRow{row(o)}}, lastMinute)
		if err != nil || p.Late() {
			t.Fatalf("a plan at 23:59 on Monday March 2: %+v %v, want on time", p, err)
		}
	})
	t.Run("§11 a plan sent after March 1 is accepted and marked late", func(t *testing.T) {
		s, _ := newService(t)
		o := register(t, s, applicant, "state_is")
		p, err := s.PutPlan(ctx, applicant, 2026, PlanInput{Rows: []PlanRow{row(o)}}, late)
		if err != nil {
			t.Fatal(err)
		}
		if !p.Late() || !p.RevisionLate() || !p.DueAt.Equal(wantDue) || !p.SubmittedAt.Equal(late) {
			t.Fatalf("plan %+v: want late", p)
		}
	})
	t.Run("§11 sending it again replaces the rows and keeps the first submission's time and lateness", func(t *testing.T) {
		s, st := newService(t)
		a := register(t, s, applicant, "state_is")
		b := register(t, s, applicant, "nonstate_is")
		first, err := s.PutPlan(ctx, applicant, 2026, PlanInput{Rows: []PlanRow{row(a)}}, late)
		if err != nil {
			t.Fatal(err)
		}
		again := late.Add(48 * time.Hour)
		second, err := s.PutPlan(ctx, applicant, 2026, PlanInput{Rows: []PlanRow{row(b)}}, again)
		if err != nil {
			t.Fatal(err)
		}
		if second.Revision != 2 || !second.FirstSubmittedAt.Equal(first.SubmittedAt) || !second.SubmittedAt.Equal(again) || !second.Late() {
			t.Fatalf("second revision %+v", second)
		}
		if len(second.Rows) != 1 || second.Rows[0].ObjectID != b.ID || second.Rows[0].Mandatory {
			t.Fatalf("rows %+v, want only the voluntary object (§6)", second.Rows)
		}
		got, err := s.GetPlan(ctx, applicant, "", 2026)
		if err != nil || got.Revision != 2 || !got.Late() || st.plans[planKey(ownBIN, 2026)].Revision != 2 {
			t.Fatalf("read %+v %v", got, err)
		}
	})
	t.Run("§11 a plan first sent on time stays on time when corrected after March 1", func(t *testing.T) {
		s, _ := newService(t)
		o := register(t, s, applicant, "state_is")
		if _, err := s.PutPlan(ctx, applicant, 2026, PlanInput{Rows: []PlanRow{row(o)}}, onTime); err != nil {
			t.Fatal(err)
		}
		p, err := s.PutPlan(ctx, applicant, 2026, PlanInput{Rows: []PlanRow{row(o)}}, late)
		if err != nil || p.Late() || !p.RevisionLate() || p.Revision != 2 || !p.FirstSubmittedAt.Equal(onTime) {
			t.Fatalf("%+v %v: want the first submission's time and on time, this revision after the due moment", p, err)
		}
	})
	t.Run("§11 the next year's plan may be sent ahead, on time", func(t *testing.T) {
		s, _ := newService(t)
		o := register(t, s, applicant, "state_is")
		r := row(o)
		r.PlannedDate = "2027-04-01"
		p, err := s.PutPlan(ctx, applicant, 2027, PlanInput{Rows: []PlanRow{r}}, late)
		if err != nil || p.Late() || p.DueAt.Year() != 2027 {
			t.Fatalf("%+v %v", p, err)
		}
	})
	t.Run("§11 concurrent sends change the plan once each", func(t *testing.T) {
		s, st := newService(t)
		o := register(t, s, applicant, "state_is")
		const n = 12
		var wg sync.WaitGroup
		revs := make([]int, n)
		errs := make([]error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				p, err := s.PutPlan(ctx, applicant, 2026, PlanInput{Rows: []PlanRow{row(o)}}, onTime.Add(time.Duration(i)*time.Second))
				revs[i], errs[i] = p.Revision, err
			}(i)
		}
		wg.Wait()
		seen := map[int]bool{}
		for i := range revs {
			if errs[i] != nil {
				t.Fatalf("send %d: %v", i, errs[i])
			}
			if seen[revs[i]] {
				t.Fatalf("revision %d given twice: %v", revs[i], revs)
			}
			seen[revs[i]] = true
		}
		if got := st.plans[planKey(ownBIN, 2026)].Revision; got != n {
			t.Fatalf("stored revision %d, want %d", got, n)
		}
	})
	t.Run("§11 a write that loses the race is applied again on the new revision", func(t *testing.T) {
		s, st := newService(t)
		o := register(t, s, applicant, "state_is")
		if _, err := s.PutPlan(ctx, applicant, 2026, PlanInput{Rows: []PlanRow{row(o)}}, late); err != nil {
			t.Fatal(err)
		}
		once := true
		st.race = func() {
			if once {
				once = false
				st.mu.Lock()
				p := st.plans[planKey(ownBIN, 2026)]
				p.Revision++
				st.plans[planKey(ownBIN, 2026)] = p
				st.mu.Unlock()
			}
		}
		p, err := s.PutPlan(ctx, applicant, 2026, PlanInput{Rows: []PlanRow{row(o)}}, late.Add(time.Hour))
		if err != nil || p.Revision != 3 || !p.FirstSubmittedAt.Equal(late) {
			t.Fatalf("%+v %v, want revision 3", p, err)
		}
	})

	t.Run("§11 years outside the calendar are refused, naming the years it covers", func(t *testing.T) {
		s, _ := newService(t)
		o := register(t, s, applicant, "state_is")
		first, last := s.cal.Years()
		for _, year := range []int{first - 1, last + 1} {
			r := row(o)
			r.PlannedDate = fmt.Sprintf("%d-06-15", year)
			_, err := s.PutPlan(ctx, applicant, year, PlanInput{Rows: []PlanRow{r}}, onTime)
			want := fmt.Sprintf("(%d-%d)", first, last)
			if ps := problemsOf(t, err); !hasProblem(ps, "year", "§11", want) {
				t.Fatalf("year %d: %v, want a problem naming %s", year, ps, want)
			}
			if _, err := s.GetPlan(ctx, applicant, "", year); !errors.Is(err, attestation.ErrInvalid) || !strings.Contains(err.Error(), want) {
				t.Fatalf("reading year %d: %v, want ErrInvalid naming %s", year, err, want)
			}
		}
	})
	t.Run("§11 a past year's list is no longer sent", func(t *testing.T) {
		s, _ := newService(t)
		o := register(t, s, applicant, "state_is")
		r := row(o)
		r.PlannedDate = "2025-06-15"
		_, err := s.PutPlan(ctx, applicant, 2025, PlanInput{Rows: []PlanRow{r}}, onTime)
		if ps := problemsOf(t, err); !hasProblem(ps, "year", "§11", "current year (2026)") {
			t.Fatalf("%v", ps)
		}
	})

	t.Run("rows", func(t *testing.T) {
		s, st := newService(t)
		a := register(t, s, applicant, "state_is")
		b := register(t, s, applicant, "critical_is")
		foreign := register(t, s, stranger, "state_is")
		for _, tc := range []struct {
			name  string
			rows  func() []PlanRow
			field string
			rule  string
			msg   string
		}{
			{"§11, Annex 1 an empty list is refused", func() []PlanRow { return nil }, "rows", "§11, Annex 1", "no object"},
			{"§11, Annex 1 a dangling objectId names its row", func() []PlanRow {
				r := row(b)
				r.ObjectID = "O-ffffffffffffffff"
				return []PlanRow{row(a), row(b), r}
			}, "rows[2].objectId", "§11, Annex 1", "O-ffffffffffffffff"},
			{"§11, Annex 1 another organisation's object reads like a missing one", func() []PlanRow {
				return []PlanRow{row(a), row(foreign)}
			}, "rows[1].objectId", "§11, Annex 1", "no object"},
			{"§11, Annex 1 a malformed objectId", func() []PlanRow {
				r := row(a)
				r.ObjectID = "../x"
				return []PlanRow{r}
			}, "rows[0].objectId", "§11, Annex 1", "no object"},
			{"§11, Annex 1 a blank objectId", func() []PlanRow {
				r := row(a)
				r.ObjectID = ""
				return []PlanRow{r}
			}, "rows[0].objectId", "§11, Annex 1", "required"},
			{"§11, Annex 1 an object listed twice", func() []PlanRow { return []PlanRow{row(a), row(b), row(a)} }, "rows[2].objectId", "§11, Annex 1", "rows[0]"},
			{"§11, Annex 1 a planned date in another year", func() []PlanRow {
				r := row(a)
				r.PlannedDate = "2027-01-10"
				return []PlanRow{r}
			}, "rows[0].plannedDate", "§11, Annex 1", "not in 2026"},
			{"§11, Annex 1 a planned date that is not a date", func() []PlanRow {
				r := row(a)
				r.PlannedDate = "2026-02-30"
				return []PlanRow{r}
			}, "rows[0].plannedDate", "§11, Annex 1", "YYYY-MM-DD"},
			{"§11, Annex 1 a planned date with a time", func() []PlanRow {
				r := row(a)
				r.PlannedDate = "2026-06-15T00:00:00Z"
				return []PlanRow{r}
			}, "rows[0].plannedDate", "§11, Annex 1", "YYYY-MM-DD"},
			{"seed 004 §3 an unknown life-cycle state", func() []PlanRow {
				r := row(a)
				r.LifeCycleStage = "operating"
				return []PlanRow{r}
			}, "rows[0].lifeCycleStage", "seed 004 §3", "creation"},
			{"§11, Annex 1 a terminated object is not planned", func() []PlanRow {
				r := row(a)
				r.LifeCycleStage, r.TestingAct = StageTerminated, nil
				return []PlanRow{r}
			}, "rows[0].lifeCycleStage", "§11", "terminated"},
			{"Law Art. 40.1 an object in industrial operation has its act of testing", func() []PlanRow {
				r := row(a)
				r.TestingAct = nil
				return []PlanRow{r}
			}, "rows[0].testingAct", "Law Art. 40.1", "industrial_operation"},
			{"Law Art. 40.1 an object in development has its act of testing", func() []PlanRow {
				r := row(a)
				r.LifeCycleStage, r.TestingAct = StageDevelopment, nil
				return []PlanRow{r}
			}, "rows[0].testingAct", "Law Art. 40.1", "development"},
			{"§11, Annex 1 column 6 an object in creation has no act of testing yet", func() []PlanRow {
				r := row(a)
				r.LifeCycleStage = StageCreation
				return []PlanRow{r}
			}, "rows[0].testingAct", "Annex 1 (column 6)", "creation"},
			{"§11, Annex 1 column 6 an act without a number", func() []PlanRow {
				r := row(a)
				r.TestingAct.Number = " "
				return []PlanRow{r}
			}, "rows[0].testingAct.number", "Annex 1 (column 6)", "blank"},
			{"§11, Annex 1 column 6 an act dated after today", func() []PlanRow {
				r := row(a)
				r.TestingAct.Date = "2026-02-21"
				return []PlanRow{r}
			}, "rows[0].testingAct.date", "Annex 1 (column 6)", "after today"},
			{"§11, Annex 1 column 6 an act date that is not a date", func() []PlanRow {
				r := row(a)
				r.TestingAct.Date = "20.12.2025"
				return []PlanRow{r}
			}, "rows[0].testingAct.date", "Annex 1 (column 6)", "YYYY-MM-DD"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := s.PutPlan(ctx, applicant, 2026, PlanInput{Rows: tc.rows()}, onTime)
				if ps := problemsOf(t, err); !hasProblem(ps, tc.field, tc.rule, tc.msg) {
					t.Fatalf("problems %v, want %s [%s] ...%s...", ps, tc.field, tc.rule, tc.msg)
				}
				if len(st.plans) != 0 {
					t.Fatalf("a refused plan was stored")
				}
			})
		}
		t.Run("§11, Annex 1 column 6 the act is optional in trial operation and testing", func(t *testing.T) {
			ra, rb := row(a), row(b)
			ra.LifeCycleStage, ra.TestingAct = StageTrialOperation, nil
			rb.LifeCycleStage = StageTesting
			c := register(t, s, applicant, "state_web")
			rc := row(c)
			rc.LifeCycleStage, rc.TestingAct = StageCreation, nil
			p, err := s.PutPlan(ctx, applicant, 2026, PlanInput{Rows: []PlanRow{ra, rb, rc}}, onTime)
			if err != nil || len(p.Rows) != 3 || p.Rows[0].TestingAct != nil || p.Rows[1].TestingAct == nil {
				t.Fatalf("%+v %v", p, err)
			}
		})
		t.Run("every problem at once", func(t *testing.T) {
			bad := row(a)
			bad.ObjectID, bad.PlannedDate, bad.LifeCycleStage = "O-ffffffffffffffff", "x", "y"
			_, err := s.PutPlan(ctx, applicant, 2026, PlanInput{Rows: []PlanRow{row(a), bad}}, onTime)
			if ps := problemsOf(t, err); len(ps) != 3 {
				t.Fatalf("problems %v, want 3 (objectId, lifeCycleStage, plannedDate)", ps)
			}
		})
	})

	t.Run("reading plans", func(t *testing.T) {
		s, _ := newService(t)
		o := register(t, s, applicant, "state_is")
		if _, err := s.GetPlan(ctx, applicant, "", 2026); !errors.Is(err, ErrPlanNotFound) {
			t.Fatalf("before sending: %v, want ErrPlanNotFound", err)
		}
		if _, err := s.PutPlan(ctx, applicant, 2026, PlanInput{Rows: []PlanRow{row(o)}}, onTime); err != nil {
			t.Fatal(err)
		}
		for _, a := range []identity.Actor{authority, sts} {
			if p, err := s.GetPlan(ctx, a, ownBIN, 2026); err != nil || p.Revision != 1 {
				t.Fatalf("%s: %+v %v", a.Role, p, err)
			}
			if _, err := s.GetPlan(ctx, a, "", 2026); !errors.Is(err, attestation.ErrInvalid) {
				t.Fatalf("%s without organization: %v, want ErrInvalid", a.Role, err)
			}
		}
		if _, err := s.GetPlan(ctx, stranger, "", 2026); !errors.Is(err, ErrPlanNotFound) {
			t.Fatalf("another organisation's own (absent) plan: %v", err)
		}
		if _, err := s.GetPlan(ctx, stranger, ownBIN, 2026); !errors.Is(err, attestation.ErrForbidden) {
			t.Fatalf("an applicant naming another organisation: %v, want ErrForbidden", err)
		}
	})
	t.Run("staff do not send plans", func(t *testing.T) {
		s, _ := newService(t)
		if _, err := s.PutPlan(ctx, authority, 2026, PlanInput{}, onTime); !errors.Is(err, attestation.ErrForbidden) {
			t.Fatalf("%v, want ErrForbidden", err)
		}
	})
}

func TestChangeStage(t *testing.T) {
	ctx := context.Background()
	later := registeredAt.Add(30 * 24 * time.Hour)
	trial := func(t *testing.T, s *Service) Object {
		t.Helper()
		in := registration("state_is")
		in.LifeCycleStage = StageTrialOperation
		o, err := s.Register(ctx, applicant, in, registeredAt)
		if err != nil {
			t.Fatal(err)
		}
		if !o.Since().Equal(registeredAt) {
			t.Fatalf("since %v, want the registration", o.Since())
		}
		return o
	}
	t.Run("§4 an object put into industrial operation is in it from the change", func(t *testing.T) {
		s, st := newService(t)
		o := trial(t, s)
		got, err := s.ChangeStage(ctx, applicant, o.ID, StageChange{LifeCycleStage: StageIndustrialOperation}, later)
		if err != nil || got.LifeCycleStage != StageIndustrialOperation || !got.Since().Equal(later) || !got.RegisteredAt.Equal(registeredAt) {
			t.Fatalf("%+v %v", got, err)
		}
		if stored := st.objects[o.ID]; !reflect.DeepEqual(stored, got) {
			t.Fatalf("stored %+v, answered %+v", stored, got)
		}
		// Every state is kept, oldest first, with who recorded it.
		want := []StageRecord{{Stage: StageTrialOperation, Since: registeredAt.UTC(), RecordedBy: applicant.Subject},
			{Stage: StageIndustrialOperation, Since: later.UTC(), RecordedBy: applicant.Subject}}
		if !reflect.DeepEqual(got.History(), want) {
			t.Fatalf("history %+v, want %+v", got.History(), want)
		}
		// The same state again changes nothing, not even since.
		again, err := s.ChangeStage(ctx, applicant, o.ID, StageChange{LifeCycleStage: StageIndustrialOperation}, later.Add(time.Hour))
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Fatalf("a repeat: %+v %v", again, err)
		}
	})
	t.Run("a change that loses a race to another is made on the state that won", func(t *testing.T) {
		s, st := newService(t)
		o := trial(t, s)
		st.race = func() {
			if _, err := s.ChangeStage(ctx, applicant, o.ID, StageChange{LifeCycleStage: StageTesting}, later); err != nil {
				t.Error(err)
			}
		}
		got, err := s.ChangeStage(ctx, applicant, o.ID, StageChange{LifeCycleStage: StageIndustrialOperation}, later.Add(time.Minute))
		if err != nil || got.LifeCycleStage != StageIndustrialOperation || st.objects[o.ID].LifeCycleStage != StageIndustrialOperation {
			t.Fatalf("%+v %v", got, err)
		}
	})
	t.Run("an object whose operation terminated stays terminated", func(t *testing.T) {
		s, _ := newService(t)
		o := trial(t, s)
		if _, err := s.ChangeStage(ctx, applicant, o.ID, StageChange{LifeCycleStage: StageTerminated}, later); err != nil {
			t.Fatal(err)
		}
		_, err := s.ChangeStage(ctx, applicant, o.ID, StageChange{LifeCycleStage: StageIndustrialOperation}, later.Add(time.Hour))
		if !errors.Is(err, attestation.ErrRule) || !strings.Contains(err.Error(), "terminated") {
			t.Fatalf("%v, want ErrRule naming the termination", err)
		}
	})
	t.Run("an object keeps at most MaxStageRecords states", func(t *testing.T) {
		s, st := newService(t)
		o := trial(t, s)
		at := later
		for i := 1; i < MaxStageRecords; i++ {
			at = at.Add(time.Hour)
			next := StageTesting
			if i%2 == 0 {
				next = StageTrialOperation
			}
			if _, err := s.ChangeStage(ctx, applicant, o.ID, StageChange{LifeCycleStage: next}, at); err != nil {
				t.Fatalf("change %d: %v", i, err)
			}
		}
		full := st.objects[o.ID]
		if len(full.History()) != MaxStageRecords {
			t.Fatalf("%d states", len(full.History()))
		}
		_, err := s.ChangeStage(ctx, applicant, o.ID, StageChange{LifeCycleStage: StageIndustrialOperation}, at.Add(time.Hour))
		if !errors.Is(err, attestation.ErrRule) || !reflect.DeepEqual(st.objects[o.ID], full) {
			t.Fatalf("one state too many: %v", err)
		}
	})
	t.Run("a state that is none is refused naming lifeCycleStage", func(t *testing.T) {
		s, st := newService(t)
		o := trial(t, s)
		_, err := s.ChangeStage(ctx, applicant, o.ID, StageChange{LifeCycleStage: "operation"}, later)
		if ps := problemsOf(t, err); !hasProblem(ps, "lifeCycleStage", "Art. 39", "not a life-cycle state") {
			t.Fatalf("%v", ps)
		}
		if !reflect.DeepEqual(st.objects[o.ID], o) {
			t.Fatalf("a refused change wrote: %+v", st.objects[o.ID])
		}
	})
	t.Run("only the owner's applicant changes it; another organisation's object is not found", func(t *testing.T) {
		s, _ := newService(t)
		o := trial(t, s)
		if _, err := s.ChangeStage(ctx, stranger, o.ID, StageChange{LifeCycleStage: StageIndustrialOperation}, later); !errors.Is(err, ErrObjectNotFound) {
			t.Fatalf("another organisation: %v", err)
		}
		for _, a := range []identity.Actor{authority, sts} {
			if _, err := s.ChangeStage(ctx, a, o.ID, StageChange{LifeCycleStage: StageIndustrialOperation}, later); !errors.Is(err, attestation.ErrForbidden) {
				t.Fatalf("%s: %v", a.Role, err)
			}
		}
	})
}

func TestStagesAreTheLifeCycle(t *testing.T) {
	want := "creation, trial_operation, testing, industrial_operation, development, terminated"
	if got := stageList(); got != want {
		t.Fatalf("stages %s, want %s (seed 004 §3, Law Art. 39)", got, want)
	}
	if Stage("").Valid() || Stage("Creation").Valid() {
		t.Fatal("a stage outside the list is valid")
	}
}

func TestNewServiceRefusesAnUnknownEdition(t *testing.T) {
	cal, err := calendar.Kazakhstan()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewService(newMemStore(), cal, "no-such-edition"); err == nil {
		t.Fatal("an unknown edition was accepted")
	}
}
