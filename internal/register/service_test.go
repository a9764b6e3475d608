package register

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
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
	"attestation/internal/signing"
)

// The service on an in-memory store, a local signer and the real working-day calendar.

var almaty = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Almaty")
	if err != nil {
		panic(err)
	}
	return loc
}()

// at is a moment in Almaty.
func at(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, almaty)
}

// endOf is 23:59:59 of a day in Almaty: where a period in days ends.
func endOf(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 23, 59, 59, 0, almaty) }

const (
	ownerBIN    = "120540001238"
	strangerBIN = "990340001230"
	edition     = "rules-2016-amended-2018"
)

var (
	owner     = identity.Actor{Subject: "owner-1", Name: "Owner", Role: identity.Applicant, BIN: ownerBIN}
	stranger  = identity.Actor{Subject: "stranger-1", Role: identity.Applicant, BIN: strangerBIN}
	authority = identity.Actor{Subject: "auth-1", Name: "Officer", Role: identity.Authority}
	sts       = identity.Actor{Subject: "sts-1", Role: identity.STS}
	issuedAt  = at(2026, 10, 15, 10, 0) // Thursday
)

// memStore is the LifeStore in memory, with the conditions of the real one.
type memStore struct {
	mu      sync.Mutex
	entries map[string]Entry
	revs    map[string][]Revision
	puts    int
	// beforePut, when set, runs before a write is checked (another writer racing).
	beforePut func(e Entry)
}

func newMemStore() *memStore {
	return &memStore{entries: map[string]Entry{}, revs: map[string][]Revision{}}
}

func (m *memStore) Entry(_ context.Context, number string) (Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[number]
	if !ok {
		return Entry{}, fmt.Errorf("entry %s: %w", number, attestation.ErrNotFound)
	}
	return roundTrip(e), nil
}

// roundTrip copies an entry as a store would: nothing read shares memory with what is stored.
func roundTrip(e Entry) Entry {
	b, err := json.Marshal(e)
	if err != nil {
		panic(err)
	}
	var out Entry
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

func (m *memStore) PutEntry(_ context.Context, e Entry, rev Revision) error {
	if m.beforePut != nil {
		hook := m.beforePut
		m.beforePut = nil
		hook(e)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	prev, exists := m.entries[e.Number]
	if (e.Revision == 1 && exists) || (e.Revision > 1 && (!exists || prev.Revision != e.Revision-1)) {
		return fmt.Errorf("put %s revision %d: %w", e.Number, e.Revision, attestation.ErrConflict)
	}
	m.entries[e.Number] = roundTrip(e)
	m.revs[e.Number] = append(m.revs[e.Number], rev)
	m.puts++
	return nil
}

func (m *memStore) Revisions(_ context.Context, number string) ([]Revision, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.revs[number]) == 0 {
		return nil, attestation.ErrNotFound
	}
	return slices.Clone(m.revs[number]), nil
}

func (m *memStore) sorted(keep func(Entry) bool, key func(Entry) string) []Entry {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Entry
	for _, e := range m.entries {
		if keep(e) {
			out = append(out, roundTrip(e))
		}
	}
	sort.Slice(out, func(i, j int) bool { return key(out[i]) < key(out[j]) })
	return out
}

func watchKey(e Entry) string {
	if t, ok := e.NextCheck(); ok {
		return t.UTC().Format(time.RFC3339) + "#" + e.Number
	}
	return "~#" + e.Number
}

func (m *memStore) DueEntries(_ context.Context, before time.Time, limit int) ([]Entry, error) {
	out := m.sorted(func(e Entry) bool {
		t, ok := e.NextCheck()
		return ok && !t.After(before)
	}, watchKey)
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// page cuts a page after cursor (the last key of the previous page).
func page(list []Entry, key func(Entry) string, limit int, cursor string) ([]Entry, string) {
	start := 0
	if cursor != "" {
		start = sort.Search(len(list), func(i int) bool { return key(list[i]) > cursor })
	}
	list = list[start:]
	if len(list) <= limit {
		return list, ""
	}
	return list[:limit], key(list[limit-1])
}

func (m *memStore) WatchedEntries(_ context.Context, limit int, cursor string) ([]Entry, string, error) {
	list, next := page(m.sorted(Entry.Watched, watchKey), watchKey, limit, cursor)
	return list, next, nil
}

func (m *memStore) ListEntries(_ context.Context, q CertificateQuery, limit int, cursor string) ([]Entry, string, error) {
	desc := func(e Entry) string { return strings.Map(func(r rune) rune { return '9' - r + '0' }, e.Number) }
	list, next := page(m.sorted(func(e Entry) bool {
		return (q.OwnerBIN == "" || e.OwnerBIN == q.OwnerBIN) && (q.Status == "" || e.Status == q.Status)
	}, desc), desc, limit, cursor)
	return list, next, nil
}

func (m *memStore) revisions(number string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.revs[number])
}

// memRecords is the Object Lock bucket: a key is written once.
type memRecords struct {
	mu   sync.Mutex
	objs map[string][]byte
}

func (r *memRecords) Put(_ context.Context, key, contentType string, body []byte) (attestation.Document, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	sum := sha256.Sum256(body)
	if old, ok := r.objs[key]; ok && string(old) != string(body) {
		return attestation.Document{}, fmt.Errorf("put %s: %w", key, attestation.ErrConflict)
	}
	r.objs[key] = body
	return attestation.Document{Key: key, VersionID: "v-" + key, SHA256: hex.EncodeToString(sum[:])}, nil
}

// fakeDuplicator makes duplicates and counts them.
type fakeDuplicator struct {
	mu    sync.Mutex
	calls int
}

func (d *fakeDuplicator) Duplicate(_ context.Context, e Entry, req DuplicateRequest, at time.Time) (Document, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls++
	return Document{Key: "certificates/" + e.Number + "/duplicate-" + req.ID + ".pdf", VersionID: "dv1", SHA256: strings.Repeat("d", 64)}, nil
}

type fixture struct {
	svc      *Service
	store    *memStore
	records  *memRecords
	dup      *fakeDuplicator
	rendered []RecallCopy // the copies of recall decisions rendered
	signer   *signing.Local
	cal      *calendar.Calendar
	ed       *policy.Edition
	seq      int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := calendar.Kazakhstan()
	if err != nil {
		t.Fatal(err)
	}
	ed, err := policy.Load(edition)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: newMemStore(), records: &memRecords{objs: map[string][]byte{}}, dup: &fakeDuplicator{},
		signer: signing.NewLocal(key, "local-test"), cal: cal, ed: ed}
	svc, err := NewService(Deps{Store: f.store, Signer: f.signer, Calendar: cal, Log: slog.New(slog.NewJSONHandler(io.Discard, nil)),
		Records: f.records, Duplicator: f.dup, Render: func(c RecallCopy) ([]byte, error) {
			f.rendered = append(f.rendered, c)
			return []byte("%PDF-1.7 recall of " + c.Certificate + " on " + c.Ground), nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	f.svc = svc
	return f
}

// issue stores revision 1 of a certificate of kind for the owner, issued at when, as the issue
// path makes it: monitoring for mandatory objects other than the platform (§42), a one-year term
// for the platform (§40).
func (f *fixture) issue(t *testing.T, kind string, when time.Time) Entry {
	t.Helper()
	k, err := f.ed.Kind(kind)
	if err != nil {
		t.Fatal(err)
	}
	f.seq++
	number, err := f.ed.CertificateNumber(2026, f.seq)
	if err != nil {
		t.Fatal(err)
	}
	e := Entry{Number: number, Year: 2026, Seq: f.seq, CaseID: "A-" + strconv.Itoa(f.seq), Edition: edition, ObjectID: "O-" + strconv.Itoa(f.seq),
		ObjectName: "System " + strconv.Itoa(f.seq), ObjectKind: kind, Mandatory: k.Mandatory, OwnerName: "Ministry", OwnerBIN: ownerBIN,
		Act:      Act{Number: "ACT-" + strconv.Itoa(f.seq), Date: when.Add(-48 * time.Hour), Document: Document{Key: "acts/a.pdf", VersionID: "v1", SHA256: strings.Repeat("a", 64)}},
		IssuedAt: when.UTC(), Certificate: Document{Key: "certificates/c.pdf", VersionID: "v1", SHA256: strings.Repeat("c", 64)}, Status: Valid}
	obs, err := f.ed.ObligationsFor(kind)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range obs {
		if o.Step == policy.StepMonitoringConnection {
			d, err := f.ed.Due(f.cal, o.Step, when)
			if err != nil {
				t.Fatal(err)
			}
			e.Monitoring = &Monitoring{DueAt: d.At.UTC()}
		}
	}
	if k.ValidityStep != "" {
		d, err := f.ed.Due(f.cal, k.ValidityStep, when)
		if err != nil {
			t.Fatal(err)
		}
		until := d.At.UTC()
		e.ValidUntil = &until
	}
	e, err = Next(context.Background(), f.signer, Entry{}, e, when)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.PutEntry(context.Background(), e, Revision{Number: 1, At: when, Actor: "issue", Role: "authority", What: "issued", Seal: e.Seal}); err != nil {
		t.Fatal(err)
	}
	return e
}

func (f *fixture) get(t *testing.T, number string) Entry {
	t.Helper()
	e, err := f.store.Entry(context.Background(), number)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// check runs the deadline check at now and returns what it flagged, as what/certificate[/id].
func (f *fixture) check(t *testing.T, now time.Time) []string {
	t.Helper()
	out, err := f.svc.Check(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	var flags []string
	for _, fl := range out.(CheckReport).Flagged {
		s := fl.What + "/" + fl.Certificate
		if fl.ID != "" {
			s += "/" + fl.ID
		}
		flags = append(flags, s)
	}
	sort.Strings(flags)
	return flags
}

// verifyChain checks every stored entry and its history: each revision verifies under the public
// key and links the one before.
func (f *fixture) verifyChain(t *testing.T) {
	t.Helper()
	pub, err := f.signer.PublicKeyPEM(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for number := range f.store.entries {
		e := f.get(t, number)
		if err := Verify(e, pub); err != nil {
			t.Errorf("entry %s: %v", number, err)
		}
		revs, _ := f.store.Revisions(context.Background(), number)
		prev := ""
		for i, r := range revs {
			if r.Number != i+1 {
				t.Errorf("%s: revision %d is numbered %d", number, i+1, r.Number)
			}
			if err := signing.Verify(pub, r.Seal.Payload, r.Seal.Signature); err != nil {
				t.Errorf("%s revision %d: %v", number, r.Number, err)
			}
			var p Public
			if err := json.Unmarshal(r.Seal.Payload, &p); err != nil || p.PreviousSHA256 != prev {
				t.Errorf("%s revision %d links %q, want %q (%v)", number, r.Number, p.PreviousSHA256, prev, err)
			}
			prev = PayloadSHA256(r.Seal.Payload)
		}
	}
}

func mustErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error %v, want %v", err, want)
	}
}

func mustRule(t *testing.T, err error, paragraph string) {
	t.Helper()
	if !errors.Is(err, attestation.ErrRule) || !strings.Contains(err.Error(), paragraph) {
		t.Fatalf("error %v, want ErrRule naming %s", err, paragraph)
	}
}

func mustRefuse(t *testing.T, err error, field string) {
	t.Helper()
	var r *attestation.SubmissionRefused
	if !errors.As(err, &r) {
		t.Fatalf("error %v, want a refusal naming %s", err, field)
	}
	for _, p := range r.Problems {
		if p.Field == field {
			return
		}
	}
	t.Fatalf("problems %v name no %s", r.Problems, field)
}

func recall(ground string, reasons ...string) RecallInput {
	if reasons == nil {
		reasons = []string{"decision of the committee"}
	}
	return RecallInput{Ground: ground, Reasons: reasons}
}

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

func TestDuplicatePar48(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	e := f.issue(t, "state_is", issuedAt)
	// Filed Monday 2026-11-02 at 13:30, in the lunch break: received at 14:30; 5 working days:
	// Tue 3 - Mon 9 November.
	filed := at(2026, 11, 2, 13, 30)
	var req DuplicateRequest
	t.Run("§48 the owner notifies loss; the duplicate is due in 5 working days of receipt", func(t *testing.T) {
		_, _, err := f.svc.RequestDuplicate(ctx, owner, e.Number, DuplicateInput{Reason: "stolen"}, filed)
		mustRefuse(t, err, "reason")
		var got Entry
		got, req, err = f.svc.RequestDuplicate(ctx, owner, e.Number, DuplicateInput{Reason: DuplicateLost}, filed)
		if err != nil || req.ID != "d1" || !req.ReceivedAt.Equal(at(2026, 11, 2, 14, 30)) || !req.DueAt.Equal(endOf(2026, 11, 9)) || len(got.Duplicates) != 1 {
			t.Fatalf("%+v %v", req, err)
		}
		again, r2, err := f.svc.RequestDuplicate(ctx, owner, e.Number, DuplicateInput{Reason: DuplicateLost}, filed.Add(time.Hour))
		if err != nil || r2.ID != "d1" || again.Revision != got.Revision {
			t.Fatalf("repeat: %+v %v", r2, err)
		}
		_, _, err = f.svc.RequestDuplicate(ctx, owner, e.Number, DuplicateInput{Reason: DuplicateDamaged}, filed.Add(time.Hour))
		mustErr(t, err, attestation.ErrConflict)
	})
	t.Run("§48 a duplicate not issued in time is flagged overdue once", func(t *testing.T) {
		if got := f.check(t, endOf(2026, 11, 9)); len(got) != 0 {
			t.Fatalf("on the last day: %v", got)
		}
		if got := f.check(t, at(2026, 11, 10, 9, 0)); !slices.Equal(got, []string{"duplicate/" + e.Number + "/d1"}) {
			t.Fatalf("flags %v", got)
		}
		if got := f.check(t, at(2026, 11, 10, 9, 0)); len(got) != 0 {
			t.Fatalf("again: %v", got)
		}
	})
	t.Run("§48 the authority issues the duplicate; a repeat answers it", func(t *testing.T) {
		_, _, err := f.svc.IssueDuplicate(ctx, authority, e.Number, "d7", at(2026, 11, 10, 10, 0))
		mustErr(t, err, ErrDuplicateNotFound)
		_, _, err = f.svc.IssueDuplicate(ctx, owner, e.Number, req.ID, at(2026, 11, 10, 10, 0))
		mustErr(t, err, attestation.ErrForbidden)
		got, d, err := f.svc.IssueDuplicate(ctx, authority, e.Number, req.ID, at(2026, 11, 10, 10, 0))
		if err != nil || d.IssuedAt == nil || d.Document == nil || f.dup.calls != 1 {
			t.Fatalf("%+v %v", d, err)
		}
		if p := got.PublicView().Duplicates; len(p) != 1 || p[0].SHA256 != d.Document.SHA256 {
			t.Fatalf("public view %+v", p)
		}
		again, d2, err := f.svc.IssueDuplicate(ctx, authority, e.Number, req.ID, at(2026, 11, 10, 11, 0))
		if err != nil || again.Revision != got.Revision || !d2.IssuedAt.Equal(*d.IssuedAt) || f.dup.calls != 1 {
			t.Fatalf("repeat: %+v %v, %d duplicates made", d2, err, f.dup.calls)
		}
		// A new request may follow once the first is issued.
		_, r2, err := f.svc.RequestDuplicate(ctx, owner, e.Number, DuplicateInput{Reason: DuplicateDamaged}, at(2026, 12, 1, 10, 0))
		if err != nil || r2.ID != "d2" {
			t.Fatalf("%+v %v", r2, err)
		}
	})
	f.verifyChain(t)
}

func TestPlatformCertificateExpiresPar40Par41(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	e := f.issue(t, "egov_platform", issuedAt)
	system := f.issue(t, "state_is", issuedAt)
	// §40: one year; the end of a term is not moved off a day off (2027-10-15 is a Friday anyway).
	if e.ValidUntil == nil || !e.ValidUntil.Equal(endOf(2027, 10, 15)) || system.ValidUntil != nil {
		t.Fatalf("valid until %v / %v", e.ValidUntil, system.ValidUntil)
	}
	t.Run("§40 in force until the end of its term", func(t *testing.T) {
		if got := f.check(t, endOf(2027, 10, 15).Add(-time.Second)); len(got) != 0 {
			t.Fatalf("%v", got)
		}
		if got := f.get(t, e.Number); got.Status != Valid {
			t.Fatal(got.Status)
		}
	})
	t.Run("§41 expired at the end of its term, once", func(t *testing.T) {
		now := at(2027, 10, 16, 3, 0)
		got := f.check(t, now)
		// The other certificate's monitoring (§42) fell due the same day.
		if !slices.Equal(got, []string{"expiry/" + e.Number, "monitoring_connection/" + system.Number}) {
			t.Fatalf("flags %v", got)
		}
		x := f.get(t, e.Number)
		if x.Status != Expired || x.ExpiredAt == nil || !x.ExpiredAt.Equal(*e.ValidUntil) || x.PublicView().Status != Expired {
			t.Fatalf("%s %v", x.Status, x.ExpiredAt)
		}
		revs, _ := f.store.Revisions(ctx, e.Number)
		if last := revs[len(revs)-1]; last.Role != string(identity.Scheduler) || !strings.Contains(last.Paragraph, "§40") {
			t.Fatalf("revision %+v", last)
		}
		if again := f.check(t, now); len(again) != 0 {
			t.Fatalf("again: %v", again)
		}
	})
	t.Run("§45(1) the expired certificate is listed for recall until the object is attested again", func(t *testing.T) {
		now := at(2027, 10, 18, 10, 0)
		obs, _, err := f.svc.Obligations(ctx, authority, false, 10, "", now)
		if err != nil || !slices.ContainsFunc(obs, func(o Obligation) bool {
			return o.Certificate == e.Number && o.Kind == WatchRecall && o.Ground == GroundNotReattested && o.Paragraph == "§45(1)" && o.DueAt == nil
		}) {
			t.Fatalf("%+v %v", obs, err)
		}
		// Attested again: a new certificate of the same object.
		f.seq = 40
		again := f.issue(t, "egov_platform", at(2027, 10, 18, 9, 0))
		stored := f.get(t, again.Number)
		stored.ObjectID = e.ObjectID
		f.store.entries[again.Number] = stored
		obs, _, _ = f.svc.Obligations(ctx, authority, false, 10, "", now)
		if slices.ContainsFunc(obs, func(o Obligation) bool { return o.Certificate == e.Number }) {
			t.Fatalf("still listed: %+v", obs)
		}
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

func TestAnotherOrganisationsCertificateIsNotFound(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	e := f.issue(t, "state_is", issuedAt)
	when := at(2026, 11, 2, 10, 0)
	for name, call := range map[string]func(identity.Actor, string) error{
		"monitoring": func(a identity.Actor, n string) error { _, err := f.svc.NotifyMonitoring(ctx, a, n, when); return err },
		"changes": func(a identity.Actor, n string) error {
			_, _, err := f.svc.NotifyChange(ctx, a, n, ChangeInput{Description: "x"}, when)
			return err
		},
		"duplicates": func(a identity.Actor, n string) error {
			_, _, err := f.svc.RequestDuplicate(ctx, a, n, DuplicateInput{Reason: DuplicateLost}, when)
			return err
		},
		"cessation": func(a identity.Actor, n string) error {
			_, err := f.svc.NotifyCessation(ctx, a, n, CessationNotice{CeasedOn: "2026-11-01"}, when)
			return err
		},
		"get": func(a identity.Actor, n string) error { _, err := f.svc.Get(ctx, a, n); return err },
	} {
		t.Run(name, func(t *testing.T) {
			foreign, missing := call(stranger, e.Number), call(stranger, "2026/09999")
			mustErr(t, foreign, ErrCertificateNotFound)
			mustErr(t, missing, ErrCertificateNotFound)
			if f.store.revisions(e.Number) != 1 {
				t.Fatal("a stranger's call wrote")
			}
		})
	}
	list, _, err := f.svc.List(ctx, stranger, CertificateQuery{}, 10, "")
	if err != nil || len(list) != 0 {
		t.Fatalf("a stranger lists %d certificates, %v", len(list), err)
	}
	_, _, err = f.svc.List(ctx, stranger, CertificateQuery{OwnerBIN: ownerBIN}, 10, "")
	mustErr(t, err, attestation.ErrForbidden)
	mine, _, err := f.svc.List(ctx, owner, CertificateQuery{}, 10, "")
	if err != nil || len(mine) != 1 || mine[0].Number != e.Number {
		t.Fatalf("%v %v", mine, err)
	}
	_, _, err = f.svc.List(ctx, sts, CertificateQuery{}, 10, "")
	mustErr(t, err, attestation.ErrForbidden)
	// An applicant reads the obligations of its own organisation's certificates only.
	obs, _, err := f.svc.Obligations(ctx, owner, false, 10, "", when)
	if err != nil || len(obs) == 0 {
		t.Fatalf("the owner's obligations: %v %v", obs, err)
	}
	for _, o := range obs {
		if o.Certificate != e.Number || o.OwnerBIN != ownerBIN {
			t.Fatalf("the owner sees %+v", o)
		}
	}
	if obs, _, err := f.svc.Obligations(ctx, stranger, false, 10, "", when); err != nil || len(obs) != 0 {
		t.Fatalf("a stranger sees %v %v", obs, err)
	}
	_, _, err = f.svc.Obligations(ctx, sts, false, 10, "", when)
	mustErr(t, err, attestation.ErrForbidden)
}

func TestListAndObligationsPage(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	var numbers []string
	for range 5 {
		numbers = append(numbers, f.issue(t, "state_is", issuedAt).Number)
	}
	platform := f.issue(t, "egov_platform", issuedAt) // watched for its term, no obligation
	if _, err := f.svc.Recall(ctx, authority, numbers[0], recall("owner_application"), at(2026, 11, 2, 10, 0)); err != nil {
		t.Fatal(err)
	}
	var all []string
	cursor := ""
	for {
		list, next, err := f.svc.List(ctx, authority, CertificateQuery{}, 4, cursor)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range list {
			all = append(all, e.Number)
		}
		if cursor = next; cursor == "" {
			break
		}
	}
	if len(all) != 6 || all[0] != platform.Number || all[5] != numbers[0] {
		t.Fatalf("listed %v", all)
	}
	recalled, _, _ := f.svc.List(ctx, authority, CertificateQuery{Status: Recalled}, 10, "")
	if len(recalled) != 1 || recalled[0].Number != numbers[0] {
		t.Fatalf("recalled: %v", recalled)
	}
	_, _, err := f.svc.List(ctx, authority, CertificateQuery{Status: "lost"}, 10, "")
	mustErr(t, err, attestation.ErrInvalid)

	// Five certificates with obligations (four monitoring connections, one return), a page of two.
	seen := map[string]int{}
	cursor = ""
	for pages := 0; ; pages++ {
		obs, next, err := f.svc.Obligations(ctx, authority, false, 2, cursor, at(2026, 11, 3, 10, 0))
		if err != nil {
			t.Fatal(err)
		}
		certs := map[string]bool{}
		for _, o := range obs {
			seen[o.Kind+"/"+o.Certificate]++
			certs[o.Certificate] = true
		}
		if len(certs) > 2 || pages > 5 {
			t.Fatalf("page %d holds %d certificates", pages, len(certs))
		}
		if cursor = next; cursor == "" {
			break
		}
	}
	want := map[string]int{"certificate_return/" + numbers[0]: 1}
	for _, n := range numbers[1:] {
		want["monitoring_connection/"+n] = 1
	}
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Fatalf("obligations %v, want %v", seen, want)
	}
	overdue, _, _ := f.svc.Obligations(ctx, authority, true, 10, "", at(2026, 11, 3, 10, 0))
	if len(overdue) != 0 {
		t.Fatalf("overdue: %+v", overdue)
	}
	overdue, _, _ = f.svc.Obligations(ctx, authority, true, 10, "", at(2026, 11, 6, 10, 0))
	if len(overdue) != 1 || overdue[0].Kind != WatchReturn || !overdue[0].Overdue {
		t.Fatalf("overdue after the return's period: %+v", overdue)
	}
}

func TestConcurrentDecisionsChangeTheEntryOnce(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	e := f.issue(t, "state_is", issuedAt)
	when := at(2026, 11, 2, 10, 0)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = f.svc.Recall(ctx, authority, e.Number, recall("owner_application"), when)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := f.store.revisions(e.Number); n != 2 {
		t.Fatalf("%d revisions, want 2", n)
	}

	t.Run("a write that lost to another is read and applied again", func(t *testing.T) {
		x := f.issue(t, "state_is", issuedAt)
		// Another writer records a change notice between the read and the write.
		f.store.beforePut = func(Entry) {
			if _, _, err := f.svc.NotifyChange(ctx, owner, x.Number, ChangeInput{Description: "other"}, when); err != nil {
				t.Error(err)
			}
		}
		got, err := f.svc.NotifyMonitoring(ctx, owner, x.Number, when)
		if err != nil || got.Revision != 3 || len(got.Changes) != 1 || got.Monitoring.ConnectedAt == nil {
			t.Fatalf("revision %d, changes %d, %v", got.Revision, len(got.Changes), err)
		}
		f.verifyChain(t)
	})
}

func TestNumberFollowsThePolicy(t *testing.T) {
	f := newFixture(t)
	if n, err := f.svc.Number("2026", "00042"); err != nil || n != "2026/00042" {
		t.Fatalf("%q %v", n, err)
	}
	if n, err := f.svc.Number("2026", "42"); err != nil || n != "2026/00042" {
		t.Fatalf("%q %v", n, err)
	}
	for _, bad := range [][2]string{{"26", "00042"}, {"2026", "100000"}, {"2026", "0004a"}, {"{seq}", "00042"}, {"2026", "00000"}, {"2026", "+42"}, {"2026", ""}, {"+026", "1"}} {
		if _, err := f.svc.Number(bad[0], bad[1]); !errors.Is(err, attestation.ErrInvalid) {
			t.Errorf("%v: %v, want ErrInvalid", bad, err)
		}
	}
}

func TestNextCheckAndWatched(t *testing.T) {
	now := at(2026, 10, 15, 10, 0)
	due1, due2 := now.Add(48*time.Hour), now.Add(24*time.Hour)
	e := Entry{Status: Valid, Monitoring: &Monitoring{DueAt: due1}, Changes: []ChangeNotice{{ID: "c1", DueAt: due2}}}
	if at, ok := e.NextCheck(); !ok || !at.Equal(due2) || !e.Watched() {
		t.Fatalf("%v %v", at, ok)
	}
	e.Changes[0].Overdue = true
	if at, ok := e.NextCheck(); !ok || !at.Equal(due1) {
		t.Fatalf("%v %v", at, ok)
	}
	e.Monitoring.Overdue = true
	if _, ok := e.NextCheck(); ok || !e.Watched() {
		t.Fatal("flagged obligations are not checked again but stay watched")
	}
	done := now
	e.Changes[0].DecidedAt, e.Monitoring.ConnectedAt = &done, &done
	if e.Watched() {
		t.Fatal("nothing is open")
	}
}

func TestHistoryListsEverySignedRevisionPar29(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	e := f.issue(t, "state_is", issuedAt)
	if _, err := f.svc.NotifyMonitoring(ctx, owner, e.Number, at(2026, 11, 2, 10, 0)); err != nil {
		t.Fatal(err)
	}
	revs, err := f.svc.History(ctx, e.Number)
	if err != nil || len(revs) != 2 || revs[1].Role != string(identity.Applicant) || revs[1].Paragraph != "§42" || revs[1].Actor != owner.Subject {
		t.Fatalf("%+v %v", revs, err)
	}
	_, err = f.svc.History(ctx, "2026/09999")
	mustErr(t, err, ErrCertificateNotFound)
}

// TestNewServiceNamesAMissingPort: the service is built whole or not at all; the register's
// watch likewise (it replaces the service's refusal at use, ErrNoDuplicator, of a service built
// without the maker of duplicates).
func TestNewServiceNamesAMissingPort(t *testing.T) {
	f := newFixture(t)
	cal, log := f.cal, slog.New(slog.NewJSONHandler(io.Discard, nil))
	whole := func() Deps {
		return Deps{Store: newMemStore(), Signer: f.signer, Calendar: cal, Log: log, Records: &memRecords{objs: map[string][]byte{}},
			Render: func(RecallCopy) ([]byte, error) { return nil, nil }, Duplicator: &fakeDuplicator{}}
	}
	if _, err := NewService(whole()); err != nil {
		t.Fatalf("whole: %v", err)
	}
	for name, drop := range map[string]func(*Deps){
		"Store": func(d *Deps) { d.Store = nil }, "Signer": func(d *Deps) { d.Signer = nil }, "Calendar": func(d *Deps) { d.Calendar = nil },
		"Log": func(d *Deps) { d.Log = nil }, "Records": func(d *Deps) { d.Records = nil }, "Render": func(d *Deps) { d.Render = nil },
		"Duplicator": func(d *Deps) { d.Duplicator = nil },
	} {
		t.Run("without "+name, func(t *testing.T) {
			d := whole()
			drop(&d)
			if _, err := NewService(d); err == nil || !strings.Contains(err.Error(), name+" is required") {
				t.Fatalf("err = %v, want it to name %s", err, name)
			}
		})
	}
	if _, err := NewWatcher(WatcherDeps{Store: newMemStore(), Calendar: cal, Log: log}); err == nil || !strings.Contains(err.Error(), "Signer is required") {
		t.Fatalf("watcher without a signer: %v", err)
	}
}
