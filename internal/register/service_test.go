package register

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
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

type fixture struct {
	svc      *Service
	store    *memStore
	records  *memRecords
	dup      *fakeDuplicator
	mu       sync.Mutex   // guards rendered: concurrent decisions render at once
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
		Records: f.records, Duplicator: f.dup, HandOvers: f.store, Render: func(c RecallCopy) ([]byte, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
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
	e := Entry{Number: number, Year: 2026, Seq: f.seq, CaseID: "A-" + strconv.Itoa(f.seq), Edition: f.ed.ID(), ObjectID: "O-" + strconv.Itoa(f.seq),
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

// TestReasonsRefuseUnsafeText: a decision's reasons pass attestation.UnsafeTextProblem (§44,
// §45: the owner's copy prints them).
func TestReasonsRefuseUnsafeText(t *testing.T) {
	for _, r := range []string{"a\u202Eb", "\u200B\u200B", "x\u200F"} {
		if _, ps := checkReasons([]string{"ok", r}, maxReasons, "§45"); len(ps) != 1 || ps[0].Field != "reasons[1]" {
			t.Errorf("%+q: %v", r, ps)
		}
	}
	if _, ps := checkReasons([]string{"Иесінің жазбаша өтініші"}, maxReasons, "§45"); len(ps) != 0 {
		t.Errorf("%v", ps)
	}
}
