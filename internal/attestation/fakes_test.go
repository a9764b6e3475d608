package attestation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"attestation/internal/calendar"
	"attestation/internal/identity"
	"attestation/internal/policy"
)

// The fakes of the ports (CaseStore, Records, Workflow) and a harness that walks a case through
// the procedure by the service's own entry points, as the state machine and the actors would.

// deepCopy copies v through JSON, so that nothing a test holds aliases what a fake keeps (slices,
// pointers to steps, decisions, documents and times), whatever fields the types gain. The
// DynamoDB adapter round-trips a case through its encoding in the same way.
func deepCopy[T any](v T) T {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("deep copy %T: %v", v, err))
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("deep copy %T: %v", v, err))
	}
	return out
}

// memStore is an in-memory CaseStore that behaves like the DynamoDB adapter
// (internal/dynamostore): every write is one transaction of the case and its events, conditional
// on the case's version (Create: on its absence); an event sequence number already taken fails the
// transaction too; a failed condition is ErrConflict. MarkCallback is conditional on the last
// decision's token and changes no version. The certificate counter is taken conditionally on the
// last sequence given (gapless), together with the register entry and the case. DueSteps returns
// open steps not marked overdue, due at or before t (to the second, as the index compares), in
// order of their due moment.
type memStore struct {
	mu        sync.Mutex
	cases     map[string]Case
	events    map[string][]Event
	counter   map[int]int // certificate sequence per year; absent until the first certificate
	certs     map[string]Certificate
	writes    int // successful transactions (Create, Update, IssueCertificate)
	conflicts int // transactions refused on a condition

	// readDelay, when set, holds every Get after its read: concurrent deliveries then all read the
	// same version before any of them writes, and all but one meet a failed condition.
	readDelay time.Duration
	// beforeIssue, when set, runs under the lock at the start of IssueCertificate: a test uses it to
	// let another certificate take the year's next sequence first.
	beforeIssue func(s *memStore, cert Certificate)
}

var _ CaseStore = (*memStore)(nil)

func newMemStore() *memStore {
	return &memStore{cases: map[string]Case{}, events: map[string][]Event{}, counter: map[int]int{}, certs: map[string]Certificate{}}
}

// sortTime renders t as the due index of the DynamoDB table does (to the second, UTC).
func sortTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// eventsFree checks that none of events' sequence numbers is taken (the adapter puts each event
// with attribute_not_exists(pk)).
// conflict counts a refused transaction and returns its error.
func (s *memStore) conflict(format string, args ...any) error {
	s.conflicts++
	return fmt.Errorf(format+": %w", append(args, ErrConflict)...)
}

func (s *memStore) eventsFree(id string, events []Event) error {
	seen := map[int]bool{}
	for _, e := range s.events[id] {
		seen[e.Seq] = true
	}
	for _, e := range events {
		if seen[e.Seq] {
			return s.conflict("event %d of %s exists", e.Seq, id)
		}
		seen[e.Seq] = true
	}
	return nil
}

func (s *memStore) appendEvents(id string, events []Event) {
	s.events[id] = append(s.events[id], deepCopy(events)...)
	sort.SliceStable(s.events[id], func(i, j int) bool { return s.events[id][i].Seq < s.events[id][j].Seq })
}

func (s *memStore) Create(ctx context.Context, c Case, events ...Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.cases[c.ID]; ok {
		return s.conflict("create case %s", c.ID)
	}
	if err := s.eventsFree(c.ID, events); err != nil {
		return fmt.Errorf("create case %s: %w", c.ID, err)
	}
	s.cases[c.ID] = deepCopy(c)
	s.appendEvents(c.ID, events)
	s.writes++
	return nil
}

func (s *memStore) Get(ctx context.Context, id string) (Case, error) {
	s.mu.Lock()
	c, ok := s.cases[id]
	c = deepCopy(c)
	delay := s.readDelay
	s.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}
	if !ok {
		return Case{}, fmt.Errorf("case %s: %w", id, ErrNotFound)
	}
	return c, nil
}

func (s *memStore) History(ctx context.Context, id string) ([]Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return deepCopy(s.events[id]), nil
}

func (s *memStore) Update(ctx context.Context, c Case, events ...Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.cases[c.ID]
	if !ok || cur.Version != c.Version-1 {
		return s.conflict("write case %s version %d", c.ID, c.Version)
	}
	if err := s.eventsFree(c.ID, events); err != nil {
		return fmt.Errorf("write case %s version %d: %w", c.ID, c.Version, err)
	}
	s.cases[c.ID] = deepCopy(c)
	s.appendEvents(c.ID, events)
	s.writes++
	return nil
}

func (s *memStore) MarkCallback(ctx context.Context, id, token, state string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.cases[id]
	if !ok || cur.LastDecision == nil || cur.LastDecision.Token != token {
		return s.conflict("mark callback of %s", id)
	}
	d := *cur.LastDecision
	d.Callback = state
	cur.LastDecision = &d
	s.cases[id] = cur
	return nil
}

func (s *memStore) MarkHandback(ctx context.Context, id, token, state string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.cases[id]
	if !ok || cur.Attention == nil || cur.Attention.Token != token || cur.Attention.Handback == nil {
		return s.conflict("mark hand-back of %s", id)
	}
	a := *cur.Attention
	h := *a.Handback
	h.Callback = state
	a.Handback = &h
	cur.Attention = &a
	s.cases[id] = cur
	return nil
}

func (s *memStore) CertificateSeq(ctx context.Context, year int) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counter[year], nil
}

func (s *memStore) IssueCertificate(ctx context.Context, c Case, cert Certificate, events ...Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.beforeIssue != nil {
		s.beforeIssue(s, cert)
	}
	what := fmt.Sprintf("issue certificate %s for case %s", cert.Number, c.ID)
	last, taken := s.counter[cert.Year]
	switch {
	case cert.Seq == 1 && taken, cert.Seq != 1 && (!taken || last != cert.Seq-1):
		return s.conflict("%s: the sequence moved", what)
	}
	if _, ok := s.certs[cert.Number]; ok {
		return s.conflict("%s: the number exists", what)
	}
	cur, ok := s.cases[c.ID]
	if !ok || cur.Version != c.Version-1 {
		return s.conflict("%s: the case moved", what)
	}
	if err := s.eventsFree(c.ID, events); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	s.counter[cert.Year] = cert.Seq
	s.certs[cert.Number] = deepCopy(cert)
	s.cases[c.ID] = deepCopy(c)
	s.appendEvents(c.ID, events)
	s.writes++
	return nil
}

func (s *memStore) DueSteps(ctx context.Context, t time.Time, limit int) ([]Case, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	type due struct {
		key string
		c   Case
	}
	var all []due
	for id, c := range s.cases {
		if st := c.OpenStep; st != nil && st.Runs() && !st.Overdue && sortTime(st.DueAt) <= sortTime(t) {
			all = append(all, due{key: sortTime(st.DueAt) + "#" + id, c: c})
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].key < all[j].key })
	var out []Case
	for _, d := range all {
		if len(out) == limit {
			break
		}
		out = append(out, deepCopy(d.c))
	}
	return out, nil
}

// ByOrganization returns an organisation's cases, newest first; the cursor is the last key returned.
func (s *memStore) ByOrganization(ctx context.Context, bin string, limit int, cursor string) ([]Case, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	type item struct {
		key string
		c   Case
	}
	var all []item
	for id, c := range s.cases {
		if k := sortTime(c.SubmittedAt) + "#" + id; c.OrganizationBIN == bin && (cursor == "" || k < cursor) {
			all = append(all, item{key: k, c: c})
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].key > all[j].key })
	var out []Case
	next := ""
	for i, it := range all {
		if i == limit {
			next = all[i-1].key
			break
		}
		out = append(out, deepCopy(it.c))
	}
	return out, next, nil
}

// Queue returns the cases whose open step role acts on, by due moment; the cursor is the last
// key returned.
func (s *memStore) Queue(ctx context.Context, role identity.Role, limit int, cursor string) ([]Case, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	type item struct {
		key string
		c   Case
	}
	var all []item
	for id, c := range s.cases {
		if a := c.Attention; c.NeedsAttention() {
			if k := sortTime(a.At) + "#" + id; role == identity.Authority && k > cursor {
				all = append(all, item{key: k, c: c})
			}
			continue
		}
		if st := c.OpenStep; st != nil && st.Role == role {
			if k := sortTime(st.DueAt) + "#" + id; k > cursor {
				all = append(all, item{key: k, c: c})
			}
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].key < all[j].key })
	var out []Case
	next := ""
	for i, it := range all {
		if i == limit {
			next = all[i-1].key
			break
		}
		out = append(out, deepCopy(it.c))
	}
	return out, next, nil
}

// conflictCount returns how many transactions were refused on a condition.
func (s *memStore) conflictCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conflicts
}

// certificates returns the register entries in the order of their numbers.
func (s *memStore) certificates() []Certificate {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Certificate
	for _, c := range s.certs {
		out = append(out, deepCopy(c))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out
}

// fakeRecords is an in-memory Records with versions, like a bucket under Object Lock: a put
// never replaces a version, it adds one.
type fakeRecords struct {
	mu       sync.Mutex
	versions map[string][][]byte
	puts     int
	discards int
}

var _ Records = (*fakeRecords)(nil)

func newFakeRecords() *fakeRecords { return &fakeRecords{versions: map[string][][]byte{}} }

func (r *fakeRecords) Put(ctx context.Context, key, contentType string, body []byte) (Document, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.versions[key] = append(r.versions[key], slices.Clone(body))
	r.puts++
	sum := sha256.Sum256(body)
	return Document{Key: key, VersionID: fmt.Sprintf("v%d", len(r.versions[key])), SHA256: hex.EncodeToString(sum[:])}, nil
}

// Discard removes one version (its slot stays, so later versions keep their IDs).
func (r *fakeRecords) Discard(ctx context.Context, d Document) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var n int
	if _, err := fmt.Sscanf(d.VersionID, "v%d", &n); err != nil || n < 1 || n > len(r.versions[d.Key]) {
		return fmt.Errorf("discard %s %s: %w", d.Key, d.VersionID, ErrNotFound)
	}
	r.versions[d.Key][n-1] = nil
	r.discards++
	return nil
}

// live is the keys under prefix with at least one version not discarded.
func (r *fakeRecords) live(prefix string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for k, vs := range r.versions {
		if strings.HasPrefix(k, prefix) && slices.ContainsFunc(vs, func(b []byte) bool { return b != nil }) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// errTransient is what the fake engine returns when told to fail a call transiently.
var errTransient = errors.New("engine throttled the call (transient)")

// wfCall is one call the fake engine received.
type wfCall struct {
	Method    string // Start, Succeed or Fail
	Key       string // the case ID for Start, else the task token
	ErrorName string
	Cause     string
	Output    []byte
	Err       error // what the fake returned
}

// fakeWorkflow is a Workflow that records every call. A token can be closed (the engine no longer
// waits on it: ErrStepClosed) or made to fail transiently a number of times. Safe for concurrent use.
type fakeWorkflow struct {
	mu        sync.Mutex
	calls     []wfCall
	closed    map[string]bool
	transient map[string]int
}

var _ Workflow = (*fakeWorkflow)(nil)

func newFakeWorkflow() *fakeWorkflow {
	return &fakeWorkflow{closed: map[string]bool{}, transient: map[string]int{}}
}

// closeToken makes every later Succeed or Fail on token return ErrStepClosed.
func (w *fakeWorkflow) closeToken(token string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed[token] = true
}

// failTransiently makes the next n Succeed or Fail calls on token return a transient error.
func (w *fakeWorkflow) failTransiently(token string, n int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.transient[token] = n
}

func (w *fakeWorkflow) record(c wfCall) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case c.Method == "Start":
	case w.closed[c.Key]:
		c.Err = fmt.Errorf("task %s: %w", c.Key, ErrStepClosed)
	case w.transient[c.Key] > 0:
		w.transient[c.Key]--
		c.Err = errTransient
	}
	w.calls = append(w.calls, c)
	return c.Err
}

func (w *fakeWorkflow) Start(ctx context.Context, caseID string, input []byte) error {
	return w.record(wfCall{Method: "Start", Key: caseID, Output: slices.Clone(input)})
}

func (w *fakeWorkflow) Succeed(ctx context.Context, token string, output []byte) error {
	return w.record(wfCall{Method: "Succeed", Key: token, Output: slices.Clone(output)})
}

func (w *fakeWorkflow) Fail(ctx context.Context, token, errorName, cause string) error {
	return w.record(wfCall{Method: "Fail", Key: token, ErrorName: errorName, Cause: cause})
}

// callsFor returns the calls on a token (or, for Start, a case ID), in order.
func (w *fakeWorkflow) callsFor(key string) []wfCall {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []wfCall
	for _, c := range w.calls {
		if c.Key == key {
			out = append(out, c)
		}
	}
	return out
}

// count returns how many calls of method were made on key.
func (w *fakeWorkflow) count(method, key string) int {
	n := 0
	for _, c := range w.callsFor(key) {
		if c.Method == method {
			n++
		}
	}
	return n
}

// sends is the number of SendTaskSuccess and SendTaskFailure calls on a token.
func (w *fakeWorkflow) sends(token string) int {
	return w.count("Succeed", token) + w.count("Fail", token)
}

// total is the number of calls of every kind.
func (w *fakeWorkflow) total() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.calls)
}

// output decodes the output of the last Succeed (or the cause of the last Fail) on token.
func (w *fakeWorkflow) output(t *testing.T, token string) StepOutput {
	t.Helper()
	calls := w.callsFor(token)
	if len(calls) == 0 {
		t.Fatalf("no call on token %s", token)
	}
	last := calls[len(calls)-1]
	body := last.Output
	if last.Method == "Fail" {
		body = []byte(last.Cause)
	}
	var out StepOutput
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("decode the output on %s: %v (%s)", token, err, body)
	}
	return out
}

// The policy editions the tests run under.
const (
	editionRules = "rules-2016-amended-2018"
	editionLaw   = "law-2015-art51"
)

// Actors. The BINs are valid (check digit).
var (
	applicantBIN   = "120540001238"
	otherBIN       = "980540007770"
	applicant      = identity.Actor{Subject: "applicant-user", Name: "Applicant", Role: identity.Applicant, BIN: applicantBIN}
	otherApplicant = identity.Actor{Subject: "other-user", Name: "Another organisation", Role: identity.Applicant, BIN: otherBIN}
	authority      = identity.Actor{Subject: "authority-user", Name: "Authority", Role: identity.Authority}
	sts            = identity.Actor{Subject: "sts-user", Name: "STS", Role: identity.STS}
	scheduler      = identity.Actor{Subject: "deadline-check", Role: identity.Scheduler}
)

func actorFor(role identity.Role) identity.Actor {
	switch role {
	case identity.Applicant:
		return applicant
	case identity.Authority:
		return authority
	case identity.STS:
		return sts
	}
	return scheduler
}

var testAlmaty = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Almaty")
	if err != nil {
		panic(err)
	}
	return loc
}()

// kzTime is a moment of 2026 in Almaty.
func kzTime(month time.Month, day, hour, min int) time.Time {
	return time.Date(2026, month, day, hour, min, 0, 0, testAlmaty)
}

// walkStart is the moment the harness's clock starts: Monday 2026-10-05, 09:30 in Almaty.
var walkStart = kzTime(time.October, 5, 9, 30)

func kazakhstan(t testing.TB) *calendar.Calendar {
	t.Helper()
	cal, err := calendar.Kazakhstan()
	if err != nil {
		t.Fatalf("calendar: %v", err)
	}
	return cal
}

// addWD is the end of n working days counted from the day after from (the real calendar).
func addWD(t testing.TB, from time.Time, n int) time.Time {
	t.Helper()
	d, err := kazakhstan(t).AddWorkingDays(from, n)
	if err != nil {
		t.Fatalf("add %d working days to %s: %v", n, from, err)
	}
	return d
}

// newTestService calls NewService on d and fails the test if it refuses.
func newTestService(t testing.TB, d Deps) *Service {
	t.Helper()
	svc, err := NewService(d)
	if err != nil {
		t.Fatalf("new service: %v", err)
	}
	return svc
}

// harness is a service on the fakes, the real calendar and a policy edition, with a clock.
type harness struct {
	t       *testing.T
	ctx     context.Context
	store   *memStore
	records *fakeRecords
	wf      *fakeWorkflow
	svc     *Service
	deps    Deps // what svc was built on
	edition string
	now     time.Time
	ids     atomic.Int64
	tokens  atomic.Int64
}

func newHarness(t *testing.T) *harness { return newHarnessEdition(t, editionRules) }

func newHarnessEdition(t *testing.T, edition string) *harness {
	t.Helper()
	h := &harness{t: t, ctx: context.Background(), store: newMemStore(), records: newFakeRecords(), wf: newFakeWorkflow(),
		edition: edition, now: walkStart}
	h.deps = Deps{Cases: h.store, Records: h.records, Documents: h.records, Workflow: h.wf, Calendar: kazakhstan(t),
		Edition: edition, Log: slog.New(slog.DiscardHandler), ObjectOwners: owners{}}
	h.svc = newTestService(t, h.deps)
	return h
}

// rebuild builds the harness's service again on its ports as edit changes them.
func (h *harness) rebuild(edit func(*Deps)) {
	h.t.Helper()
	edit(&h.deps)
	h.svc = newTestService(h.t, h.deps)
}

// tick moves the clock on by ten minutes and returns it.
func (h *harness) tick() time.Time {
	h.now = h.now.Add(10 * time.Minute)
	return h.now
}

// token makes a new task token for a step.
func (h *harness) token(step Stage) string {
	return fmt.Sprintf("token-%s-%d", step, h.tokens.Add(1))
}

// caseSpec is what a case is created with; empty fields take the defaults.
type caseSpec struct {
	BIN         string
	ObjectName  string
	ObjectKind  string
	Distributed bool
	Edition     string
}

// newCase creates a case directly in the store at stage submitted, as Submit would (Submit is not
// called: it is being changed by others), and returns its ID.
func (h *harness) newCase(spec caseSpec) string {
	h.t.Helper()
	if spec.BIN == "" {
		spec.BIN = applicantBIN
	}
	if spec.ObjectName == "" {
		spec.ObjectName = "Register of permits"
	}
	if spec.ObjectKind == "" {
		spec.ObjectKind = "state_is"
	}
	if spec.Edition == "" {
		spec.Edition = h.edition
	}
	ed, err := policy.Load(spec.Edition)
	if err != nil {
		h.t.Fatal(err)
	}
	received, err := ed.ReceivedAt(kazakhstan(h.t), h.now)
	if err != nil {
		h.t.Fatal(err)
	}
	id := fmt.Sprintf("A-%s-%016x", h.now.UTC().Format("20060102"), h.ids.Add(1))
	c := Case{ID: id, OrganizationBIN: spec.BIN, ObjectName: spec.ObjectName, ObjectKind: spec.ObjectKind,
		Distributed: spec.Distributed, Edition: spec.Edition, Stage: StageSubmitted, Version: 1,
		SubmittedAt: h.now.UTC(), ReceivedAt: received.UTC(), Events: 1}
	ev := Event{Seq: 1, At: c.SubmittedAt, Actor: applicant.Subject, Role: identity.Applicant, What: "application submitted"}
	if err := h.store.Create(h.ctx, c, ev); err != nil {
		h.t.Fatalf("create case: %v", err)
	}
	return id
}

// get reads a case from the store.
// forwardedCase files a case and forwards it to the STS (§16), which may then upload to it.
func (h *harness) forwardedCase(spec caseSpec) string {
	return h.caseAt(StageSendContract, spec, route{}).ID
}

func (h *harness) get(id string) Case {
	h.t.Helper()
	c, err := h.store.Get(h.ctx, id)
	if err != nil {
		h.t.Fatalf("get %s: %v", id, err)
	}
	return c
}

// history reads a case's events from the store.
func (h *harness) history(id string) []Event {
	h.t.Helper()
	ev, err := h.store.History(h.ctx, id)
	if err != nil {
		h.t.Fatalf("history of %s: %v", id, err)
	}
	return ev
}

// register records the receipt and opens the completeness check, as the state machine does.
func (h *harness) register(id string) {
	h.t.Helper()
	c := h.get(id)
	reg, err := h.svc.Register(h.ctx, ExecutionInput{CaseID: id, ReceivedAt: c.ReceivedAt})
	if err != nil {
		h.t.Fatalf("register %s: %v", id, err)
	}
	h.open(id, StageCompletenessCheck, reg.Next.OpensAt)
}

// open opens a step with a new token at the given moment and returns the step.
func (h *harness) open(id string, stage Stage, openedAt time.Time) Step {
	h.t.Helper()
	st, err := h.svc.OpenStep(h.ctx, OpenStepInput{TaskToken: h.token(stage), CaseID: id, Step: string(stage), OpenedAt: openedAt})
	if err != nil {
		h.t.Fatalf("open %s of %s: %v", stage, id, err)
	}
	return st
}

// stepDoc is a document reference of a kind for a case, pinned by a valid SHA-256.
func stepDoc(id, kind string) Document {
	sum := sha256.Sum256([]byte(id + "/" + kind))
	return Document{Kind: kind, Key: "cases/" + id + "/" + kind + ".pdf", VersionID: "v1", SHA256: hex.EncodeToString(sum[:])}
}

// completion is a valid completion of the case's open step with outcome: its reasons when the
// outcome needs them, the documents it takes, and the documents the edition says the step is
// taken on that are not on the case (a commission protocol is attached to every decision that
// needs one, one per decision).
func (h *harness) completion(c Case, outcome Outcome) Completion {
	h.t.Helper()
	rule, ok := Procedure[c.Stage]
	if !ok {
		h.t.Fatalf("case %s at %s has no step", c.ID, c.Stage)
	}
	in := Completion{Step: rule.Step, Outcome: outcome}
	or, ok := rule.Outcomes[outcome]
	if !ok {
		return in
	}
	if or.NeedsReasons {
		in.Reasons = []string{"the reasons, as " + or.Paragraph + " requires"}
	}
	in.Grounds = sampleGrounds(outcome)
	for _, k := range or.Documents {
		in.Documents = append(in.Documents, stepDoc(c.ID, k))
	}
	ed, err := policy.Load(c.Edition)
	if err != nil {
		h.t.Fatal(err)
	}
	if p, err := ed.Period(rule.Step); err == nil {
		for _, k := range p.Requires {
			onCase := slices.ContainsFunc(c.Documents, func(d Document) bool { return d.Kind == k })
			if k == "commission_protocol" {
				d := stepDoc(c.ID, k+"-"+rule.Step)
				d.Kind = k
				in.Documents = append(in.Documents, d)
				in.Commission = sampleCommission(c) // Law Art. 51(6): the commission that met
			} else if !onCase {
				in.Documents = append(in.Documents, stepDoc(c.ID, k))
			}
		}
	}
	if outcome == OutcomeAct && (c.Stage == StageSurvey || c.Stage == StageAdditionalSurvey) {
		in.Act = sampleAct(c)
	}
	if outcome == OutcomeIssue && (c.Stage == StageDecision || c.Stage == StageSecondDecision) {
		in.Certificate = sampleTerms()
	}
	return in
}

// sampleGrounds are a return's or refusal's grounds (standard §10), none for another outcome.
func sampleGrounds(outcome Outcome) []string {
	switch outcome {
	case OutcomeReturn:
		return []string{"incomplete_package"}
	case OutcomeRefuse:
		return []string{"noncompliance_with_rules"}
	}
	return nil
}

// sampleCommission is an attestation commission that met the day the case's open step opened.
func sampleCommission(c Case) *Commission {
	day := c.SubmittedAt
	if c.OpenStep != nil {
		day = c.OpenStep.OpenedAt
	}
	return &Commission{Meeting: day.In(almatyLoc()).Format(time.DateOnly), ProtocolNumber: "P-1", Members: []CommissionMember{
		{Name: "S. Alibekov", Position: "Chairman of the Committee", Role: MemberChair},
		{Name: "A. Nurlanova", Position: "Head of division", Role: MemberSecretary},
		{Name: "B. Serikov", Position: "Chief expert", Role: MemberMember}}}
}

// sampleAct is an act's details dated the day the case was filed.
func sampleAct(c Case) *ActDetails {
	return &ActDetails{Number: "A-" + c.ID[len(c.ID)-4:], Date: c.SubmittedAt.In(almatyLoc()).Format("2006-01-02")}
}

// sampleTerms are certificate terms as an authority writes them.
func sampleTerms() *CertificateTerms {
	return &CertificateTerms{InformationCategory: InformationRestricted,
		Prohibitions:      []Text{{KK: "Интернетке қосылуға тыйым салынады", RU: "Запрещается подключение к Интернету", EN: "Connection to the Internet is prohibited"}},
		NotifiableChanges: []Text{{KK: "Желі схемасы", RU: "Схема сети", EN: "The network diagram"}},
		Chairman:          Chairman{Name: "Серік Әлібеков", Position: Text{KK: "Комитет төрағасы", RU: "Председатель Комитета", EN: "Chairman of the Committee"}}}
}

// complete completes the case's open step with outcome by the step's role, at the next tick.
func (h *harness) complete(id string, outcome Outcome) Decision {
	h.t.Helper()
	c := h.get(id)
	dec, err := h.svc.CompleteStep(h.ctx, actorFor(Procedure[c.Stage].Role), id, h.completion(c, outcome), h.tick())
	if err != nil {
		h.t.Fatalf("%s at %s of %s: %v", outcome, c.Stage, id, err)
	}
	return dec
}

// advance completes the open step with outcome and does what the state machine does next: issues
// the certificate after a decision to issue, and opens the next step with a new token.
func (h *harness) advance(id string, outcome Outcome) Decision {
	h.t.Helper()
	return h.advanceRoute(id, outcome, route{})
}

func (h *harness) advanceRoute(id string, outcome Outcome, r route) Decision {
	h.t.Helper()
	stage := h.get(id).Stage
	dec := h.complete(id, outcome)
	if outcome == OutcomeIssue && (stage == StageDecision || stage == StageSecondDecision) && !r.NoCertificate {
		if _, err := h.svc.IssueCertificate(h.ctx, id, dec.At); err != nil {
			h.t.Fatalf("issue certificate of %s: %v", id, err)
		}
	}
	if dec.Next != nil && !dec.Next.Stage.Ended() {
		h.open(id, dec.Next.Stage, dec.Next.OpensAt)
	}
	return dec
}

// lapse moves the clock an hour past the open step's due moment, applies the lapse and opens the
// step that follows, if any.
func (h *harness) lapse(id string) Decision {
	h.t.Helper()
	c := h.get(id)
	if c.OpenStep == nil {
		h.t.Fatalf("lapse of %s: no step open", id)
	}
	h.now = c.OpenStep.DueAt.Add(time.Hour)
	dec, err := h.svc.Lapse(h.ctx, id, h.now)
	if err != nil {
		h.t.Fatalf("lapse of %s: %v", id, err)
	}
	if dec.Next != nil && !dec.Next.Stage.Ended() {
		h.open(id, dec.Next.Stage, dec.Next.OpensAt)
	}
	return dec
}

// route says which way a walk goes where the procedure branches.
type route struct {
	Decision       Outcome // at decision; by default rectify when the target lies on the rectification path, else issue
	SecondDecision Outcome // at second_decision; issue by default
	NoCertificate  bool    // do not issue the certificate after a decision to issue (a test issues it)
}

var rectificationPath = map[Stage]bool{StageRectificationNotice: true, StageInformSTS: true, StageAdditionalSurvey: true,
	StageSecondDecision: true, StageSecondSendDocuments: true, StageLapseDecision: true}

// walk takes a case from wherever it is (submitted included) to target through the service, the
// way the actors and the state machine would, and returns it there with target's step open.
func (h *harness) walk(id string, target Stage, r route) Case {
	h.t.Helper()
	if r.Decision == "" {
		r.Decision = OutcomeIssue
		if rectificationPath[target] {
			r.Decision = OutcomeRectify
		} else if target == StageRefused {
			r.Decision = OutcomeRefuse
		}
	}
	if r.SecondDecision == "" {
		r.SecondDecision = OutcomeIssue
		if target == StageRefused && r.Decision == OutcomeRectify {
			r.SecondDecision = OutcomeRefuse
		}
	}
	for range 20 {
		c := h.get(id)
		if c.Stage == target {
			return c
		}
		if c.Stage.Ended() {
			h.t.Fatalf("walk of %s to %s ended at %s", id, target, c.Stage)
		}
		switch c.Stage {
		case StageSubmitted:
			h.register(id)
		case StageCompletenessCheck:
			h.advance(id, OutcomeForward)
		case StageSendContract:
			h.advance(id, OutcomeContractSent)
		case StageSignContract:
			h.advance(id, OutcomeSigned)
		case StageSurvey, StageAdditionalSurvey:
			h.advance(id, OutcomeAct)
		case StageDecision:
			h.advanceRoute(id, r.Decision, r)
		case StageSendDocuments, StageSecondSendDocuments:
			h.advance(id, OutcomeSent)
		case StageRectificationNotice:
			if target == StageLapseDecision {
				h.lapse(id)
			} else {
				h.advance(id, OutcomeNotified)
			}
		case StageInformSTS:
			h.advance(id, OutcomeInformed)
		case StageSecondDecision:
			h.advanceRoute(id, r.SecondDecision, r)
		case StageLapseDecision:
			h.advance(id, OutcomeRefuse)
		default:
			h.t.Fatalf("walk of %s: no way on from %s", id, c.Stage)
		}
	}
	h.t.Fatalf("walk of %s to %s did not arrive", id, target)
	return Case{}
}

// caseAt creates a case and walks it to target.
func (h *harness) caseAt(target Stage, spec caseSpec, r route) Case {
	h.t.Helper()
	return h.walk(h.newCase(spec), target, r)
}

// mustErr checks that err matches want.
func mustErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error %v, want %v", err, want)
	}
}

// unchanged checks that a case still has the version and event count it had.
func (h *harness) unchanged(before Case) {
	h.t.Helper()
	after := h.get(before.ID)
	if after.Version != before.Version || after.Stage != before.Stage || len(h.history(before.ID)) != before.Events {
		h.t.Fatalf("case %s changed: version %d→%d, stage %s→%s, events %d→%d", before.ID, before.Version, after.Version,
			before.Stage, after.Stage, before.Events, len(h.history(before.ID)))
	}
}

// The fakes behave like the adapters they stand for.
func TestFakeStoreBehavesLikeTheDynamoDBAdapter(t *testing.T) {
	ctx := context.Background()
	due := kzTime(time.October, 8, 23, 59).Add(59 * time.Second)
	newCase := func(id string) Case {
		return Case{ID: id, OrganizationBIN: applicantBIN, Stage: StageSurvey, Version: 1, Events: 1,
			OpenStep:  &Step{Name: "survey", Role: "sts", Token: "t-" + id, DueAt: due},
			Documents: []Document{stepDoc(id, DocSurveyAct)}}
	}
	ev := func(seq int) Event { return Event{Seq: seq, What: fmt.Sprint("event ", seq)} }

	t.Run("create is conditional on the ID being free", func(t *testing.T) {
		s := newMemStore()
		if err := s.Create(ctx, newCase("A"), ev(1)); err != nil {
			t.Fatal(err)
		}
		mustErr(t, s.Create(ctx, newCase("A"), ev(1)), ErrConflict)
		if _, err := s.Get(ctx, "B"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("get of a missing case: %v", err)
		}
	})
	t.Run("update is conditional on the version and writes the case and its events together", func(t *testing.T) {
		s := newMemStore()
		c := newCase("A")
		if err := s.Create(ctx, c, ev(1)); err != nil {
			t.Fatal(err)
		}
		c.Version, c.Stage = 3, StageDecision // skips version 2
		mustErr(t, s.Update(ctx, c, ev(2)), ErrConflict)
		c.Version = 2
		mustErr(t, s.Update(ctx, c, ev(1)), ErrConflict) // the event's sequence is taken
		if got, _ := s.Get(ctx, "A"); got.Version != 1 || got.Stage != StageSurvey {
			t.Fatalf("a refused write changed the case: %+v", got)
		}
		if h, _ := s.History(ctx, "A"); len(h) != 1 {
			t.Fatalf("a refused write added events: %+v", h)
		}
		if err := s.Update(ctx, c, ev(2), ev(3)); err != nil {
			t.Fatal(err)
		}
		mustErr(t, s.Update(ctx, c, ev(4)), ErrConflict) // the same version again
		if h, _ := s.History(ctx, "A"); len(h) != 3 || h[2].Seq != 3 {
			t.Fatalf("history %+v", h)
		}
		mustErr(t, s.Update(ctx, newCase("missing"), ev(2)), ErrConflict)
	})
	t.Run("what goes in and comes out is a copy", func(t *testing.T) {
		s := newMemStore()
		c := newCase("A")
		if err := s.Create(ctx, c, ev(1)); err != nil {
			t.Fatal(err)
		}
		c.OpenStep.Token = "changed"
		c.Documents[0].Key = "changed"
		got, _ := s.Get(ctx, "A")
		got.OpenStep.Overdue = true
		got.Documents[0].SHA256 = "changed"
		again, _ := s.Get(ctx, "A")
		if again.OpenStep.Token != "t-A" || again.OpenStep.Overdue || again.Documents[0].Key == "changed" || again.Documents[0].SHA256 == "changed" {
			t.Fatalf("the stored case aliases a caller's: %+v %+v", again.OpenStep, again.Documents)
		}
	})
	t.Run("mark callback is conditional on the token and changes no version", func(t *testing.T) {
		s := newMemStore()
		c := newCase("A")
		mustErr(t, s.MarkCallback(ctx, "A", "t", CallbackSent), ErrConflict) // no case
		if err := s.Create(ctx, c, ev(1)); err != nil {
			t.Fatal(err)
		}
		mustErr(t, s.MarkCallback(ctx, "A", "t", CallbackSent), ErrConflict) // no decision
		c.Version = 2
		c.LastDecision = &Decision{Step: "survey", Token: "t", Callback: CallbackPending}
		if err := s.Update(ctx, c, ev(2)); err != nil {
			t.Fatal(err)
		}
		mustErr(t, s.MarkCallback(ctx, "A", "other", CallbackSent), ErrConflict)
		if err := s.MarkCallback(ctx, "A", "t", CallbackSent); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Get(ctx, "A"); got.LastDecision.Callback != CallbackSent || got.Version != 2 {
			t.Fatalf("%+v version %d", got.LastDecision, got.Version)
		}
	})
	t.Run("due steps: open, not overdue, due at or before t to the second, in order of due moment", func(t *testing.T) {
		s := newMemStore()
		for i, id := range []string{"C", "A", "B", "D", "E"} {
			c := newCase(id)
			c.OpenStep.DueAt = due.Add(time.Duration(-i) * time.Hour)
			switch id {
			case "D":
				c.OpenStep.Overdue = true
			case "E":
				c.OpenStep = nil
			}
			if err := s.Create(ctx, c, ev(1)); err != nil {
				t.Fatal(err)
			}
		}
		ids := func(cs []Case) (out []string) {
			for _, c := range cs {
				out = append(out, c.ID)
			}
			return out
		}
		got, _ := s.DueSteps(ctx, due.Add(999*time.Millisecond), 100)
		if want := []string{"B", "A", "C"}; !slices.Equal(ids(got), want) {
			t.Fatalf("due %v, want %v", ids(got), want)
		}
		got, _ = s.DueSteps(ctx, due.Add(-time.Second), 100)
		if want := []string{"B", "A"}; !slices.Equal(ids(got), want) {
			t.Fatalf("due %v, want %v", ids(got), want)
		}
		got, _ = s.DueSteps(ctx, due, 1)
		if want := []string{"B"}; !slices.Equal(ids(got), want) {
			t.Fatalf("due %v, want %v", ids(got), want)
		}
	})
	t.Run("certificates: the sequence is taken gaplessly with the case in one transaction", func(t *testing.T) {
		s := newMemStore()
		c := newCase("A")
		if err := s.Create(ctx, c, ev(1)); err != nil {
			t.Fatal(err)
		}
		c.Version = 2
		cert := func(seq int) Certificate {
			return Certificate{Number: fmt.Sprintf("2026/%05d", seq), Year: 2026, Seq: seq, CaseID: "A"}
		}
		mustErr(t, s.IssueCertificate(ctx, c, cert(2), ev(2)), ErrConflict) // a gap
		stale := c
		stale.Version = 5
		mustErr(t, s.IssueCertificate(ctx, stale, cert(1), ev(2)), ErrConflict) // the case moved
		if seq, _ := s.CertificateSeq(ctx, 2026); seq != 0 || len(s.certificates()) != 0 {
			t.Fatalf("a refused issue took sequence %d", seq)
		}
		if err := s.IssueCertificate(ctx, c, cert(1), ev(2)); err != nil {
			t.Fatal(err)
		}
		c.Version = 3
		mustErr(t, s.IssueCertificate(ctx, c, cert(1), ev(3)), ErrConflict) // the sequence moved
		if err := s.IssueCertificate(ctx, c, cert(2), ev(3)); err != nil {
			t.Fatal(err)
		}
		if seq, _ := s.CertificateSeq(ctx, 2026); seq != 2 || len(s.certificates()) != 2 {
			t.Fatalf("sequence %d", seq)
		}
		if seq, _ := s.CertificateSeq(ctx, 2027); seq != 0 {
			t.Fatalf("2027 sequence %d", seq)
		}
	})
}

func TestFakeWorkflowRecordsCallsAndFailsOnDemand(t *testing.T) {
	ctx := context.Background()
	w := newFakeWorkflow()
	w.closeToken("closed")
	w.failTransiently("flaky", 2)
	if err := w.Succeed(ctx, "closed", nil); !errors.Is(err, ErrStepClosed) {
		t.Fatalf("closed token: %v", err)
	}
	for i, want := range []error{errTransient, errTransient, nil} {
		if err := w.Fail(ctx, "flaky", "E", "cause"); !errors.Is(err, want) && (want != nil || err != nil) {
			t.Fatalf("call %d: %v, want %v", i+1, err, want)
		}
	}
	if err := w.Start(ctx, "A", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	if w.sends("flaky") != 3 || w.sends("closed") != 1 || w.count("Start", "A") != 1 || w.total() != 5 {
		t.Fatalf("calls %+v", w.calls)
	}
}
