package complaints

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"attestation/internal/attestation"
	"attestation/internal/calendar"
	"attestation/internal/identity"
)

// memStore is an in-memory Store with the adapter's conditions: a new ID, the year's counter
// following the last number, an update at the version before.
type memStore struct {
	mu         sync.Mutex
	complaints map[string]Complaint
	events     map[string][]Event
	counters   map[int]int
	// race, when set, is called inside Create and Update before the conditions are checked (to
	// let another writer in).
	race func()
}

func newMemStore() *memStore {
	return &memStore{complaints: map[string]Complaint{}, events: map[string][]Event{}, counters: map[int]int{}}
}

func (m *memStore) LastSeq(ctx context.Context, year int) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.counters[year], nil
}

func (m *memStore) Create(ctx context.Context, c Complaint, events ...Event) error {
	if m.race != nil {
		m.race()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, taken := m.complaints[c.ID]; taken || m.counters[c.Year] != c.Seq-1 {
		return fmt.Errorf("create complaint %s: %w", c.ID, attestation.ErrConflict)
	}
	m.counters[c.Year] = c.Seq
	c.History = nil
	m.complaints[c.ID] = c
	m.events[c.ID] = append([]Event(nil), events...)
	return nil
}

func (m *memStore) Get(ctx context.Context, id string) (Complaint, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.complaints[id]
	if !ok {
		return Complaint{}, fmt.Errorf("complaint %s: %w", id, attestation.ErrNotFound)
	}
	return c, nil
}

func (m *memStore) History(ctx context.Context, id string) ([]Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Event(nil), m.events[id]...), nil
}

func (m *memStore) Update(ctx context.Context, c Complaint, events ...Event) error {
	if m.race != nil {
		m.race()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, ok := m.complaints[c.ID]
	if !ok || cur.Version != c.Version-1 {
		return fmt.Errorf("update complaint %s: %w", c.ID, attestation.ErrConflict)
	}
	c.History = nil
	m.complaints[c.ID] = c
	m.events[c.ID] = append(m.events[c.ID], events...)
	return nil
}

// page is one page of list (already in order) after cursor, the cursor being key:offset.
func page(list []Complaint, key string, limit int, cursor string) ([]Complaint, string, error) {
	start := 0
	if cursor != "" {
		k, n, ok := strings.Cut(cursor, ":")
		i, err := strconv.Atoi(n)
		if !ok || k != key || err != nil || i < 0 || i > len(list) {
			return nil, "", attestation.ErrBadCursor
		}
		start = i
	}
	end := min(start+limit, len(list))
	next := ""
	if end < len(list) {
		next = key + ":" + strconv.Itoa(end)
	}
	return list[start:end], next, nil
}

func (m *memStore) matching(keep func(Complaint) bool, less func(a, b Complaint) bool) []Complaint {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Complaint
	for _, c := range m.complaints {
		if keep(c) {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return less(out[i], out[j]) })
	return out
}

func (m *memStore) ByOrganization(ctx context.Context, bin string, limit int, cursor string) ([]Complaint, string, error) {
	list := m.matching(func(c Complaint) bool { return c.OrganizationBIN == bin },
		func(a, b Complaint) bool {
			return a.RegisteredAt.After(b.RegisteredAt) || a.RegisteredAt.Equal(b.RegisteredAt) && a.ID > b.ID
		})
	return page(list, "org-"+bin, limit, cursor)
}

func (m *memStore) ByAddressee(ctx context.Context, a Addressee, limit int, cursor string) ([]Complaint, string, error) {
	list := m.matching(func(c Complaint) bool { return c.Addressee == a },
		func(x, y Complaint) bool { return x.DueAt.After(y.DueAt) || x.DueAt.Equal(y.DueAt) && x.ID > y.ID })
	return page(list, "to-"+string(a), limit, cursor)
}

// Due pages by the last key read, as DynamoDB does, so that complaints leaving the watch between
// pages do not shift the next page.
func (m *memStore) Due(ctx context.Context, t time.Time, limit int, cursor string) ([]Complaint, string, error) {
	key := func(c Complaint) string { return c.DueAt.UTC().Format(time.RFC3339) + "#" + c.ID }
	list := m.matching(func(c Complaint) bool {
		return c.Status == StatusRegistered && !c.Overdue && !c.DueAt.After(t) && key(c) > cursor
	}, func(x, y Complaint) bool { return key(x) < key(y) })
	if len(list) <= limit {
		return list, "", nil
	}
	return list[:limit], key(list[limit-1]), nil
}

// memCases is the organisations' cases by ID.
type memCases map[string]string

func (m memCases) Owns(ctx context.Context, bin, caseID string) (bool, error) {
	if caseID == brokenCase {
		return false, errors.New("dynamodb: connection reset")
	}
	return m[caseID] == bin, nil
}

const (
	ownBIN     = "120540001238"
	otherBIN   = "990340001230"
	edition    = "rules-2016-amended-2018"
	ownCase    = "A-20261001-00000000000000a1"
	otherCase  = "A-20261001-00000000000000b2"
	brokenCase = "A-20261001-00000000000000ee"
)

var (
	almaty    = mustLocation("Asia/Almaty")
	applicant = identity.Actor{Subject: "u-applicant", Name: "Aigerim Applicant", Role: identity.Applicant, BIN: ownBIN}
	stranger  = identity.Actor{Subject: "u-stranger", Role: identity.Applicant, BIN: otherBIN}
	authority = identity.Actor{Subject: "u-authority", Role: identity.Authority}
	quality   = identity.Actor{Subject: "u-quality", Role: identity.QualityAuthority}
	sts       = identity.Actor{Subject: "u-sts", Role: identity.STS}
	// filedAt: Thursday 2026-10-15, 10:00 in Almaty, within the office's acceptance hours.
	filedAt = time.Date(2026, 10, 15, 10, 0, 0, 0, almaty)
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
	s, err := NewService(Deps{Store: st, Cases: memCases{ownCase: ownBIN, otherCase: otherBIN},
		Certificates: memCertificates{ownCertificate: ownBIN, otherCertificate: otherBIN}, Calendar: cal, Edition: edition})
	if err != nil {
		t.Fatal(err)
	}
	return s, st
}

// memCertificates is the register's certificates by number, with their holders.
type memCertificates map[string]string

const (
	ownCertificate    = "2026/00042"
	otherCertificate  = "2026/00043"
	brokenCertificate = "2026/00099"
)

func (m memCertificates) Holds(ctx context.Context, bin, number string) (bool, error) {
	if number == brokenCertificate {
		return false, errors.New("dynamodb: connection reset")
	}
	return m[number] == bin, nil
}

func filing(to Addressee) Filing {
	return Filing{Addressee: to, Subject: "The completeness check of our application took 9 working days instead of 3"}
}

func file(t *testing.T, s *Service, actor identity.Actor, in Filing, at time.Time) Complaint {
	t.Helper()
	c, err := s.File(context.Background(), actor, in, at)
	if err != nil {
		t.Fatalf("file: %v", err)
	}
	return c
}

// endOfDay is 23:59:59 of a date in Almaty: the end of a period's last working day.
func endOfDay(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 23, 59, 59, 0, almaty) }

// problemsOf returns the field-level problems of a refusal, failing when err is not one.
func problemsOf(t *testing.T, err error) []attestation.Problem {
	t.Helper()
	var refused *attestation.SubmissionRefused
	if !errors.As(err, &refused) || !errors.Is(err, attestation.ErrInvalid) {
		t.Fatalf("error %v, want a refusal with field-level problems (ErrInvalid)", err)
	}
	return refused.Problems
}

func hasProblem(ps []attestation.Problem, field, msg string) bool {
	for _, p := range ps {
		if p.Field == field && p.Rule == "standard §11" && strings.Contains(p.Message, msg) {
			return true
		}
	}
	return false
}

func TestFileRegistersWithItsPeriod(t *testing.T) {
	t.Run("standard §11 the service provider considers a complaint within 5 working days", func(t *testing.T) {
		s, _ := newService(t)
		c := file(t, s, applicant, filing(ServiceProvider), filedAt)
		// From Thursday 2026-10-15: Fri 16, Mon 19, Tue 20, Wed 21, Thu 22.
		if !c.DueAt.Equal(endOfDay(2026, 10, 22)) || !c.RegisteredAt.Equal(filedAt) || !c.FiledAt.Equal(filedAt) {
			t.Fatalf("registered %v, due %v; want registered at filing, due 2026-10-22 23:59:59 Almaty", c.RegisteredAt, c.DueAt)
		}
		if c.Paragraph != "standard §11" || c.Status != StatusRegistered || c.Overdue || c.Provisional || c.Version != 1 || c.Decision != nil ||
			c.OrganizationBIN != ownBIN || c.ApplicantName != "Aigerim Applicant" || c.FiledBy != applicant.Subject || c.Edition != edition {
			t.Fatalf("complaint %+v", c)
		}
		if !wellFormedID(c.ID) || c.Number != "C-2026/00001" || c.Year != 2026 || c.Seq != 1 {
			t.Fatalf("id %q number %q", c.ID, c.Number)
		}
		if len(c.History) != 1 || !strings.Contains(c.History[0].What, "5 working days") || !strings.Contains(c.History[0].What, "C-2026/00001") {
			t.Fatalf("history %+v", c.History)
		}
	})
	t.Run("standard §11 the authority for the quality of state services considers a complaint within 15 working days", func(t *testing.T) {
		s, _ := newService(t)
		c := file(t, s, applicant, filing(QualityAuthority), filedAt)
		// 15 working days from Thursday 2026-10-15: Republic Day (Sunday Oct 25) moves to Monday Oct 26,
		// so the fifteenth is Friday 2026-11-06.
		if !c.DueAt.Equal(endOfDay(2026, 11, 6)) {
			t.Fatalf("due %v, want 2026-11-06 23:59:59 Almaty", c.DueAt.In(almaty))
		}
		if c.Addressee != QualityAuthority || c.Addressee.Role() != identity.QualityAuthority || !strings.Contains(c.History[0].What, "15 working days") {
			t.Fatalf("complaint %+v", c)
		}
	})
	t.Run("standard §8, §11 a complaint to the service provider filed after office hours is registered when the office next accepts filings", func(t *testing.T) {
		s, _ := newService(t)
		// Friday 2026-10-16 at 18:00: registered Monday 2026-10-19 at 09:00; five working days from
		// it are Tue 20, Wed 21, Thu 22, Fri 23 and (Monday 26 being off) Tuesday 27.
		c := file(t, s, applicant, filing(ServiceProvider), time.Date(2026, 10, 16, 18, 0, 0, 0, almaty))
		if !c.RegisteredAt.Equal(time.Date(2026, 10, 19, 9, 0, 0, 0, almaty)) || !c.DueAt.Equal(endOfDay(2026, 10, 27)) {
			t.Fatalf("registered %v due %v", c.RegisteredAt.In(almaty), c.DueAt.In(almaty))
		}
		// During the lunch break on Tuesday 2026-10-20: registered when it ends, the same day; due
		// Wed 21, Thu 22, Fri 23, Tue 27, Wed 28.
		c = file(t, s, applicant, filing(ServiceProvider), time.Date(2026, 10, 20, 13, 30, 0, 0, almaty))
		if !c.RegisteredAt.Equal(time.Date(2026, 10, 20, 14, 30, 0, 0, almaty)) || !c.DueAt.Equal(endOfDay(2026, 10, 28)) {
			t.Fatalf("lunch: registered %v due %v", c.RegisteredAt.In(almaty), c.DueAt.In(almaty))
		}
	})
	t.Run("standard §11 a complaint to the quality authority is registered when filed (the policy counts no office receipt for it)", func(t *testing.T) {
		s, _ := newService(t)
		at := time.Date(2026, 10, 16, 18, 0, 0, 0, almaty)
		c := file(t, s, applicant, filing(QualityAuthority), at)
		if !c.RegisteredAt.Equal(at) {
			t.Fatalf("registered %v, want %v", c.RegisteredAt.In(almaty), at)
		}
	})
}

func TestNumbering(t *testing.T) {
	t.Run("standard §11 complaints of a year are numbered in order without gaps, to either addressee", func(t *testing.T) {
		s, _ := newService(t)
		var got []string
		for i, to := range []Addressee{ServiceProvider, QualityAuthority, ServiceProvider} {
			got = append(got, file(t, s, applicant, filing(to), filedAt.Add(time.Duration(i)*time.Minute)).Number)
		}
		if strings.Join(got, " ") != "C-2026/00001 C-2026/00002 C-2026/00003" {
			t.Fatalf("numbers %v", got)
		}
	})
	t.Run("standard §11 concurrent filings take distinct consecutive numbers", func(t *testing.T) {
		s, st := newService(t)
		// Every write waits a moment, so the filings read the same last number and race for it.
		st.race = func() { time.Sleep(time.Millisecond) }
		const n = 12
		numbers := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				c, err := s.File(context.Background(), applicant, filing(ServiceProvider), filedAt)
				numbers[i], errs[i] = c.Number, err
			}(i)
		}
		wg.Wait()
		seen := map[string]bool{}
		for i := range numbers {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			seen[numbers[i]] = true
		}
		for k := 1; k <= n; k++ {
			if !seen[fmt.Sprintf("C-2026/%05d", k)] {
				t.Fatalf("numbers %v: %d is missing", numbers, k)
			}
		}
		if len(st.complaints) != n || st.counters[2026] != n {
			t.Fatalf("%d complaints, counter %d", len(st.complaints), st.counters[2026])
		}
	})
	t.Run("standard §8, §11 a complaint filed after hours on December 31 is registered, and numbered, in the next year", func(t *testing.T) {
		s, _ := newService(t)
		file(t, s, applicant, filing(ServiceProvider), filedAt)
		// Thursday 2026-12-31 at 19:00: January 1 and 2 are holidays, the 2nd a Saturday, so
		// Monday January 4 is off too; the office next accepts filings on Tuesday 2027-01-05.
		c := file(t, s, applicant, filing(ServiceProvider), time.Date(2026, 12, 31, 19, 0, 0, 0, almaty))
		if c.Number != "C-2027/00001" || !c.RegisteredAt.Equal(time.Date(2027, 1, 5, 9, 0, 0, 0, almaty)) {
			t.Fatalf("number %s registered %v", c.Number, c.RegisteredAt.In(almaty))
		}
		// The calendar's data for 2027 is provisional, and so is the due moment counted on it.
		if !c.Provisional {
			t.Fatalf("a period counted on 2027's provisional calendar is not marked provisional")
		}
	})
}

func TestFileRefusals(t *testing.T) {
	ctx := context.Background()
	t.Run("standard §11 every problem of a filing is answered at once, each naming its field", func(t *testing.T) {
		s, st := newService(t)
		_, err := s.File(ctx, applicant, Filing{Addressee: "minister", Subject: "  ", CaseID: "case-1", CertificateNumber: "No. 7"}, filedAt)
		ps := problemsOf(t, err)
		for _, want := range [][2]string{{"addressee", "service_provider, quality_authority"}, {"subject", "required"},
			{"caseId", "not a case ID"}, {"certificateNumber", "not a certificate number"}} {
			if !hasProblem(ps, want[0], want[1]) {
				t.Errorf("no problem of %s saying %q: %v", want[0], want[1], ps)
			}
		}
		if len(st.complaints) != 0 || st.counters[2026] != 0 {
			t.Fatalf("a refused filing wrote")
		}
	})
	t.Run("standard §11 what the complaint is about is bounded", func(t *testing.T) {
		s, _ := newService(t)
		in := filing(ServiceProvider)
		in.Subject = strings.Repeat("ж", MaxSubjectLength+1)
		if ps := problemsOf(t, errOf(s.File(ctx, applicant, in, filedAt))); !hasProblem(ps, "subject", "at most 4000 characters") {
			t.Fatalf("%v", ps)
		}
		in.Subject = strings.Repeat("ж", MaxSubjectLength) + "\n"
		if _, err := s.File(ctx, applicant, in, filedAt); err != nil {
			t.Fatalf("a subject of %d characters: %v", MaxSubjectLength, err)
		}
		in.Subject = "bell\a"
		if ps := problemsOf(t, errOf(s.File(ctx, applicant, in, filedAt))); !hasProblem(ps, "subject", "control characters") {
			t.Fatalf("%v", ps)
		}
	})
	t.Run("a case the complaint names is one of the organisation's: another's reads like a missing one", func(t *testing.T) {
		s, _ := newService(t)
		in := filing(ServiceProvider)
		in.CaseID, in.CertificateNumber = ownCase, "2026/00042"
		c := file(t, s, applicant, in, filedAt)
		if c.CaseID != ownCase || c.CertificateNumber != "2026/00042" {
			t.Fatalf("references %q %q", c.CaseID, c.CertificateNumber)
		}
		in.CaseID = otherCase
		foreign := problemsOf(t, errOf(s.File(ctx, applicant, in, filedAt)))
		in.CaseID = "A-20261001-00000000000000c3"
		missing := problemsOf(t, errOf(s.File(ctx, applicant, in, filedAt)))
		if len(foreign) != 1 || len(missing) != 1 || foreign[0].Field != "caseId" ||
			strings.ReplaceAll(foreign[0].Message, otherCase, "X") != strings.ReplaceAll(missing[0].Message, in.CaseID, "X") {
			t.Fatalf("another organisation's case %v; a missing one %v", foreign, missing)
		}
		in.CaseID = brokenCase
		if _, err := s.File(ctx, applicant, in, filedAt); err == nil || errors.Is(err, attestation.ErrInvalid) {
			t.Fatalf("a failing case store: %v, want an internal error", err)
		}
	})
	t.Run("standard §11 a certificate the complaint names is one of the organisation's in the register: another's reads like a missing one", func(t *testing.T) {
		s, st := newService(t)
		in := filing(ServiceProvider)
		in.CertificateNumber = otherCertificate
		foreign := problemsOf(t, errOf(s.File(ctx, applicant, in, filedAt)))
		in.CertificateNumber = "2026/00077"
		missing := problemsOf(t, errOf(s.File(ctx, applicant, in, filedAt)))
		if len(foreign) != 1 || len(missing) != 1 || foreign[0].Field != "certificateNumber" || !strings.Contains(missing[0].Message, "in the register") ||
			strings.ReplaceAll(foreign[0].Message, otherCertificate, "X") != strings.ReplaceAll(missing[0].Message, in.CertificateNumber, "X") {
			t.Fatalf("another organisation's certificate %v; a missing one %v", foreign, missing)
		}
		if n := len(st.complaints); n != 0 {
			t.Fatalf("refused filings stored %d complaints", n)
		}
		in.CertificateNumber = brokenCertificate
		if _, err := s.File(ctx, applicant, in, filedAt); err == nil || errors.Is(err, attestation.ErrInvalid) {
			t.Fatalf("a failing register: %v, want an internal error", err)
		}
	})
	t.Run("standard §11 a period the calendar cannot count is refused, naming the years it covers", func(t *testing.T) {
		s, _ := newService(t)
		_, last := s.cal.Years()
		_, err := s.File(ctx, applicant, filing(QualityAuthority), time.Date(last, 12, 25, 10, 0, 0, 0, almaty))
		if ps := problemsOf(t, err); !hasProblem(ps, "", fmt.Sprintf("-%d)", last)) {
			t.Fatalf("%v", ps)
		}
	})
	t.Run("only applicants file complaints", func(t *testing.T) {
		s, _ := newService(t)
		for _, a := range []identity.Actor{authority, quality, sts} {
			if _, err := s.File(ctx, a, filing(ServiceProvider), filedAt); !errors.Is(err, attestation.ErrForbidden) {
				t.Fatalf("%s: %v, want ErrForbidden", a.Role, err)
			}
		}
	})
}

func errOf[T any](_ T, err error) error { return err }

func TestReadingAndListing(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	mine := file(t, s, applicant, filing(ServiceProvider), filedAt)
	mineQA := file(t, s, applicant, filing(QualityAuthority), filedAt.Add(time.Hour))
	theirs := file(t, s, stranger, filing(ServiceProvider), filedAt.Add(24*time.Hour))

	t.Run("an applicant reads its own organisation's complaint with its history; another's is not found", func(t *testing.T) {
		c, err := s.Get(ctx, applicant, mine.ID)
		if err != nil || c.Number != mine.Number || len(c.History) != 1 {
			t.Fatalf("%+v %v", c, err)
		}
		for _, id := range []string{theirs.ID, "C-000000000000000000000000", "../etc", ""} {
			if _, err := s.Get(ctx, applicant, id); !errors.Is(err, ErrComplaintNotFound) {
				t.Fatalf("%q: %v, want ErrComplaintNotFound", id, err)
			}
		}
	})
	t.Run("staff of both addressees read any complaint; the STS none", func(t *testing.T) {
		for _, a := range []identity.Actor{authority, quality} {
			if c, err := s.Get(ctx, a, mineQA.ID); err != nil || c.ID != mineQA.ID {
				t.Fatalf("%s: %v", a.Role, err)
			}
		}
		// The STS sees only the complaints to its head: another is not found (its existence not told).
		if _, err := s.Get(ctx, sts, mine.ID); !errors.Is(err, attestation.ErrNotFound) {
			t.Fatalf("sts: %v", err)
		}
	})
	t.Run("lists: the applicant its own, newest first; each addressee those filed with it", func(t *testing.T) {
		for _, tc := range []struct {
			actor identity.Actor
			want  []string
		}{
			{applicant, []string{mineQA.ID, mine.ID}},
			{stranger, []string{theirs.ID}},
			{authority, []string{theirs.ID, mine.ID}},
			{quality, []string{mineQA.ID}},
		} {
			var got []string
			cursor := ""
			for {
				list, next, err := s.List(ctx, tc.actor, 1, cursor)
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range list {
					got = append(got, c.ID)
				}
				if next == "" {
					break
				}
				cursor = next
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("%s %s: %v, want %v", tc.actor.Role, tc.actor.BIN, got, tc.want)
			}
		}
		// The STS lists the complaints to its head (standard §11): none here.
		if list, _, err := s.List(ctx, sts, 10, ""); err != nil || len(list) != 0 {
			t.Fatalf("sts: %v %v", list, err)
		}
	})
}

func TestDecide(t *testing.T) {
	ctx := context.Background()
	upheld := DecisionInput{Outcome: Upheld, Answer: "The check was late; the official responsible is reprimanded."}

	t.Run("standard §11 only the addressee considers a complaint", func(t *testing.T) {
		s, _ := newService(t)
		toProvider := file(t, s, applicant, filing(ServiceProvider), filedAt)
		toQuality := file(t, s, applicant, filing(QualityAuthority), filedAt)
		for _, tc := range []struct {
			actor identity.Actor
			id    string
		}{{quality, toProvider.ID}, {authority, toQuality.ID}, {applicant, toProvider.ID}, {sts, toProvider.ID}} {
			want := attestation.ErrForbidden
			if tc.actor.Role == identity.STS { // not its head's: not found
				want = attestation.ErrNotFound
			}
			if _, err := s.Decide(ctx, tc.actor, tc.id, upheld, filedAt.Add(time.Hour)); !errors.Is(err, want) {
				t.Fatalf("%s deciding %s: %v, want %v", tc.actor.Role, tc.id, err, want)
			}
		}
		c, err := s.Decide(ctx, authority, toProvider.ID, upheld, filedAt.Add(time.Hour))
		if err != nil || c.Status != StatusConsidered || c.Decision == nil || c.Decision.Outcome != Upheld || c.Decision.Role != identity.Authority ||
			c.Decision.Actor != authority.Subject || !c.Decision.At.Equal(filedAt.Add(time.Hour)) || c.Version != 2 || c.Overdue {
			t.Fatalf("%+v %v", c, err)
		}
		c, err = s.Decide(ctx, quality, toQuality.ID, DecisionInput{Outcome: Rejected, Answer: "The service was rendered on time."}, filedAt.Add(time.Hour))
		if err != nil || c.Decision.Role != identity.QualityAuthority {
			t.Fatalf("%+v %v", c, err)
		}
		if _, err := s.Decide(ctx, authority, "C-000000000000000000000000", upheld, filedAt); !errors.Is(err, ErrComplaintNotFound) {
			t.Fatalf("a missing complaint: %v", err)
		}
	})
	t.Run("standard §11 a complaint is considered once: the same decision again answers the first, another is a conflict", func(t *testing.T) {
		s, st := newService(t)
		c := file(t, s, applicant, filing(ServiceProvider), filedAt)
		first, err := s.Decide(ctx, authority, c.ID, upheld, filedAt.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		again, err := s.Decide(ctx, authority, c.ID, DecisionInput{Outcome: Upheld, Answer: "  " + upheld.Answer + " "}, filedAt.Add(2*time.Hour))
		if err != nil || again.Version != first.Version || !again.Decision.At.Equal(first.Decision.At) {
			t.Fatalf("the repeat: %+v %v, want the first %+v", again, err, first)
		}
		if _, err := s.Decide(ctx, authority, c.ID, DecisionInput{Outcome: Rejected, Answer: upheld.Answer}, filedAt.Add(2*time.Hour)); !errors.Is(err, attestation.ErrConflict) {
			t.Fatalf("another outcome: %v, want ErrConflict", err)
		}
		if _, err := s.Decide(ctx, authority, c.ID, DecisionInput{Outcome: Upheld, Answer: "Another answer"}, filedAt.Add(2*time.Hour)); !errors.Is(err, ErrAlreadyConsidered) {
			t.Fatalf("another answer: %v, want ErrAlreadyConsidered", err)
		}
		if h := st.events[c.ID]; len(h) != 2 || h[1].Outcome != Upheld || h[1].Seq != 2 {
			t.Fatalf("history %+v", h)
		}
	})
	t.Run("standard §11 concurrent decisions: exactly one is written", func(t *testing.T) {
		s, st := newService(t)
		c := file(t, s, applicant, filing(ServiceProvider), filedAt)
		st.race = func() { time.Sleep(time.Millisecond) }
		outcomes := []Outcome{Upheld, Rejected, PartiallyUpheld, Upheld, Rejected, PartiallyUpheld}
		errs := make([]error, len(outcomes))
		var wg sync.WaitGroup
		for i, o := range outcomes {
			wg.Add(1)
			go func(i int, o Outcome) {
				defer wg.Done()
				_, errs[i] = s.Decide(ctx, authority, c.ID, DecisionInput{Outcome: o, Answer: "answer"}, filedAt.Add(time.Hour))
			}(i, o)
		}
		wg.Wait()
		stored := st.complaints[c.ID]
		for i, err := range errs {
			switch {
			case err == nil && outcomes[i] != stored.Decision.Outcome:
				t.Fatalf("decision %d (%s) succeeded, but %s is stored", i, outcomes[i], stored.Decision.Outcome)
			case err != nil && (outcomes[i] == stored.Decision.Outcome || !errors.Is(err, attestation.ErrConflict)):
				t.Fatalf("decision %d (%s): %v", i, outcomes[i], err)
			}
		}
		if h := st.events[c.ID]; len(h) != 2 || stored.Version != 2 {
			t.Fatalf("version %d, history %+v: want one decision written", stored.Version, h)
		}
	})
	t.Run("standard §11 every problem of a decision is answered at once", func(t *testing.T) {
		s, _ := newService(t)
		c := file(t, s, applicant, filing(ServiceProvider), filedAt)
		ps := problemsOf(t, errOf(s.Decide(ctx, authority, c.ID, DecisionInput{Outcome: "approve", Answer: ""}, filedAt)))
		if !hasProblem(ps, "outcome", "upheld, partially_upheld, rejected") || !hasProblem(ps, "answer", "required") {
			t.Fatalf("%v", ps)
		}
		ps = problemsOf(t, errOf(s.Decide(ctx, authority, c.ID, DecisionInput{Outcome: Rejected, Answer: strings.Repeat("a", MaxAnswerLength+1)}, filedAt)))
		if !hasProblem(ps, "answer", "at most 4000") {
			t.Fatalf("%v", ps)
		}
	})
}

func TestCheckFlagsOverdueComplaints(t *testing.T) {
	ctx := context.Background()
	t.Run("standard §11 a complaint the service provider has not considered within 5 working days is flagged overdue once, and reported", func(t *testing.T) {
		s, st := newService(t)
		late := file(t, s, applicant, filing(ServiceProvider), filedAt)
		decided := file(t, s, applicant, filing(ServiceProvider), filedAt)
		toQuality := file(t, s, applicant, filing(QualityAuthority), filedAt)
		if _, err := s.Decide(ctx, authority, decided.ID, DecisionInput{Outcome: Rejected, Answer: "No breach found."}, filedAt.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		// At the last moment of the fifth working day nothing is overdue yet.
		out, err := s.Check(ctx, endOfDay(2026, 10, 22))
		if err != nil || len(out.(CheckReport).Flagged) != 0 {
			t.Fatalf("on the due moment: %+v %v", out, err)
		}
		// Five minutes past midnight, the scheduled run flags the one not considered.
		run := time.Date(2026, 10, 23, 0, 5, 0, 0, almaty)
		out, err = s.Check(ctx, run)
		if err != nil || fmt.Sprint(out.(CheckReport).Flagged) != "["+late.Number+"]" {
			t.Fatalf("after it: %+v %v, want [%s]", out, err, late.Number)
		}
		got := st.complaints[late.ID]
		h := st.events[late.ID]
		if !got.Overdue || got.Status != StatusRegistered || got.Version != 2 || len(h) != 2 || h[1].Role != identity.Scheduler ||
			h[1].Actor != "deadline-check" || !strings.Contains(h[1].What, "overdue") || !h[1].At.Equal(run) {
			t.Fatalf("complaint %+v history %+v", got, h)
		}
		// Again for the same moment, and a day later: nothing more.
		for _, at := range []time.Time{run, run.Add(24 * time.Hour)} {
			if out, err := s.Check(ctx, at); err != nil || len(out.(CheckReport).Flagged) != 0 {
				t.Fatalf("run at %v: %+v %v", at, out, err)
			}
		}
		if len(st.events[late.ID]) != 2 || st.complaints[decided.ID].Overdue || st.complaints[toQuality.ID].Overdue {
			t.Fatalf("flagged more than once, or the wrong complaints")
		}
	})
	t.Run("standard §11 a complaint to the quality authority is overdue only after 15 working days", func(t *testing.T) {
		s, _ := newService(t)
		c := file(t, s, applicant, filing(QualityAuthority), filedAt)
		if out, _ := s.Check(ctx, time.Date(2026, 11, 6, 23, 0, 0, 0, almaty)); len(out.(CheckReport).Flagged) != 0 {
			t.Fatalf("on the fifteenth working day: %+v", out)
		}
		if out, err := s.Check(ctx, time.Date(2026, 11, 7, 0, 5, 0, 0, almaty)); err != nil || fmt.Sprint(out.(CheckReport).Flagged) != "["+c.Number+"]" {
			t.Fatalf("after it: %+v %v", out, err)
		}
	})
	t.Run("standard §11 an overdue complaint is still considered, and its decision says it came late", func(t *testing.T) {
		s, st := newService(t)
		c := file(t, s, applicant, filing(ServiceProvider), filedAt)
		if _, err := s.Check(ctx, time.Date(2026, 10, 23, 0, 5, 0, 0, almaty)); err != nil {
			t.Fatal(err)
		}
		d, err := s.Decide(ctx, authority, c.ID, DecisionInput{Outcome: PartiallyUpheld, Answer: "Late, and partly right."}, time.Date(2026, 10, 26, 11, 0, 0, 0, almaty))
		if err != nil || !d.Overdue || d.Status != StatusConsidered || d.Version != 3 {
			t.Fatalf("%+v %v", d, err)
		}
		if h := st.events[c.ID]; len(h) != 3 || !strings.Contains(h[2].What, "after its due moment") {
			t.Fatalf("history %+v", h)
		}
	})
	t.Run("the check pages through many due complaints", func(t *testing.T) {
		s, _ := newService(t)
		const n = checkPage + 7
		for i := 0; i < n; i++ {
			file(t, s, applicant, filing(ServiceProvider), filedAt)
		}
		out, err := s.Check(ctx, time.Date(2026, 10, 23, 0, 5, 0, 0, almaty))
		if err != nil || len(out.(CheckReport).Flagged) != n {
			t.Fatalf("flagged %d, want %d: %v", len(out.(CheckReport).Flagged), n, err)
		}
	})
}

// TestNewServiceNamesAMissingPort: the service is built whole or not at all (it replaces the
// check of a certificate's number by its form only, in a service built without the register).
func TestNewServiceNamesAMissingPort(t *testing.T) {
	cal, err := calendar.Kazakhstan()
	if err != nil {
		t.Fatal(err)
	}
	for name, drop := range map[string]func(*Deps){
		"Store": func(d *Deps) { d.Store = nil }, "Cases": func(d *Deps) { d.Cases = nil },
		"Certificates": func(d *Deps) { d.Certificates = nil }, "Calendar": func(d *Deps) { d.Calendar = nil },
	} {
		t.Run("without "+name, func(t *testing.T) {
			d := Deps{Store: newMemStore(), Cases: memCases{}, Certificates: memCertificates{}, Calendar: cal, Edition: edition}
			drop(&d)
			if _, err := NewService(d); err == nil || !strings.Contains(err.Error(), name+" is required") {
				t.Fatalf("err = %v, want it to name %s", err, name)
			}
		})
	}
}
