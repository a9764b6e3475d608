package register

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"attestation/internal/attestation"
	"attestation/internal/identity"
)

// Expiry is a fact at read time (§40-§41): a certificate past its term is expired in every view
// and for every act, whether or not the deadline check has marked it yet.

// memSearcher is the register's search over the fixture's store (the Filter's stored statuses).
type memSearcher struct{ store *memStore }

func (s memSearcher) SearchEntries(_ context.Context, f Filter, limit int, cursor string) ([]Entry, string, error) {
	list, next := page(s.store.sorted(func(e Entry) bool {
		return len(f.Statuses) == 0 || slices.Contains(f.Statuses, e.Status)
	}, func(e Entry) string { return e.Number }), func(e Entry) string { return e.Number }, limit, cursor)
	return list, next, nil
}

func TestStatusAtAndAsOfPar40(t *testing.T) {
	until := endOf(2027, 10, 15)
	valid := Entry{Number: "2026/00001", Status: Valid, ValidUntil: &until}
	recalled := valid
	recalled.Status = Recalled
	noTerm := Entry{Number: "2026/00002", Status: Valid}
	for _, tc := range []struct {
		name   string
		e      Entry
		now    time.Time
		status Status
	}{
		{"§40 in force a second before the end of its term", valid, until.Add(-time.Second), Valid},
		{"§40 expired at the end of its term, unmarked", valid, until, Expired},
		{"§40 expired a year later, unmarked", valid, until.AddDate(1, 0, 0), Expired},
		{"§45 a recalled certificate stays recalled past its term", recalled, until.AddDate(0, 1, 0), Recalled},
		{"§40 for the period of industrial operation: no term", noTerm, until.AddDate(10, 0, 0), Valid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.e.StatusAt(tc.now); got != tc.status {
				t.Fatalf("StatusAt %s, want %s", got, tc.status)
			}
			x := tc.e.AsOf(tc.now)
			if x.Status != tc.status {
				t.Fatalf("AsOf status %s, want %s", x.Status, tc.status)
			}
			if expired := tc.e.Status == Valid && tc.status == Expired; expired != (x.ExpiredAt != nil) || expired && !x.ExpiredAt.Equal(until) {
				t.Fatalf("AsOf expiredAt %v", x.ExpiredAt)
			}
		})
	}
}

func TestExpiredInEveryViewBeforeTheDeadlineCheckPar40Par41(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	e := f.issue(t, "egov_platform", issuedAt) // valid until 2027-10-15 23:59:59
	system := f.issue(t, "state_is", issuedAt) // no term
	now := at(2027, 10, 18, 10, 0)             // past the term; the deadline check has not run
	until := *e.ValidUntil
	expiredAt := func(x Entry) bool { return x.ExpiredAt != nil && x.ExpiredAt.Equal(until) }
	unwritten := func(t *testing.T) {
		t.Helper()
		if n := f.store.revisions(e.Number); n != 1 {
			t.Fatalf("a read wrote: %d revisions", n)
		}
	}

	t.Run("§40 the owner and the authority read it expired", func(t *testing.T) {
		for _, who := range []struct {
			name string
			get  func() (Entry, error)
		}{
			{"owner", func() (Entry, error) { return f.svc.Get(ctx, owner, e.Number, now) }},
			{"authority", func() (Entry, error) { return f.svc.Get(ctx, authority, e.Number, now) }},
		} {
			x, err := who.get()
			if err != nil || x.Status != Expired || !expiredAt(x) {
				t.Fatalf("%s: %s %v %v", who.name, x.Status, x.ExpiredAt, err)
			}
		}
		unwritten(t)
	})
	t.Run("§40 listing by status decides the status at the moment of reading", func(t *testing.T) {
		numbers := func(q CertificateQuery, actor identity.Actor) []string {
			t.Helper()
			list, _, err := f.svc.List(ctx, actor, q, 10, "", now)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, x := range list {
				if x.Number == e.Number && (x.Status != Expired || !expiredAt(x)) {
					t.Fatalf("listed as %s %v", x.Status, x.ExpiredAt)
				}
				out = append(out, x.Number+"/"+string(x.Status))
			}
			return out
		}
		if got := numbers(CertificateQuery{Status: Valid}, authority); !slices.Equal(got, []string{system.Number + "/valid"}) {
			t.Fatalf("status=valid: %v", got)
		}
		if got := numbers(CertificateQuery{Status: Expired}, authority); !slices.Equal(got, []string{e.Number + "/expired"}) {
			t.Fatalf("status=expired: %v", got)
		}
		if got := numbers(CertificateQuery{}, owner); !slices.Equal(got, []string{system.Number + "/valid", e.Number + "/expired"}) {
			t.Fatalf("the owner's: %v", got)
		}
		unwritten(t)
	})
	t.Run("§29 §40 the public verification says expired, the signature still checks", func(t *testing.T) {
		pub, err := f.signer.PublicKeyPEM(ctx)
		if err != nil {
			t.Fatal(err)
		}
		v, problem := Verified(f.get(t, e.Number), pub, now, PublicKeyPath)
		if problem != nil || !v.SignatureValid || v.Status != Expired || v.ExpiredAt == nil || !v.ExpiredAt.Equal(until) || v.Entry.Status != Valid {
			t.Fatalf("%s %v signed %s: %v", v.Status, v.ExpiredAt, v.Entry.Status, problem)
		}
	})
	t.Run("§29 §40 the register search: status=valid never answers it, status=expired does", func(t *testing.T) {
		search := func(st Status) []string {
			p, err := Search(ctx, memSearcher{f.store}, Query{Status: st, Limit: 10}, now)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, l := range p.Entries {
				out = append(out, l.Number+"/"+string(l.Status))
			}
			return out
		}
		if got := search(Valid); !slices.Equal(got, []string{system.Number + "/valid"}) {
			t.Fatalf("valid: %v", got)
		}
		if got := search(Expired); !slices.Equal(got, []string{e.Number + "/expired"}) {
			t.Fatalf("expired: %v", got)
		}
	})
	t.Run("§29 §40 the open-data export states the status at the moment of the export", func(t *testing.T) {
		entries := []Entry{f.get(t, e.Number), f.get(t, system.Number)}
		var doc Export
		if err := json.Unmarshal(ExportJSON(entries, now), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Entries[0].Entry.Number != e.Number || doc.Entries[0].Status != Expired || doc.Entries[1].Status != Valid {
			t.Fatalf("%+v", doc.Entries)
		}
		rows, err := csv.NewReader(bytes.NewReader(ExportCSV(entries, now))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := func(name string) int { return slices.Index(CSVHeader, name) }
		if r := rows[1]; r[0] != e.Number || r[col("status")] != "expired" || r[col("expiredAt")] != until.UTC().Format(time.RFC3339) {
			t.Fatalf("%v", r)
		}
		if r := rows[2]; r[col("status")] != "valid" || r[col("expiredAt")] != "" {
			t.Fatalf("%v", r)
		}
		before := ExportJSON(entries, until.Add(-time.Second))
		if bytes.Contains(before, []byte(`"status": "expired"`)) {
			t.Fatal("expired before the end of its term")
		}
	})
	t.Run("§41 §45(1) the authority's obligations list it for recall", func(t *testing.T) {
		obs, _, err := f.svc.Obligations(ctx, authority, false, 10, "", now)
		if err != nil || !slices.ContainsFunc(obs, func(o Obligation) bool {
			return o.Certificate == e.Number && o.Kind == WatchRecall && o.Ground == GroundNotReattested && o.Paragraph == "§45(1)" && o.Since.Equal(until)
		}) {
			t.Fatalf("%+v %v", obs, err)
		}
		unwritten(t)
	})
	t.Run("§43 §48 an act that needs a certificate in force refuses it", func(t *testing.T) {
		_, _, err := f.svc.NotifyChange(ctx, owner, e.Number, ChangeInput{Description: "new hardware"}, now)
		mustErr(t, err, attestation.ErrRule)
		if !strings.Contains(err.Error(), "expired") {
			t.Fatal(err)
		}
		_, _, err = f.svc.RequestDuplicate(ctx, owner, e.Number, DuplicateInput{Reason: DuplicateLost}, now)
		mustErr(t, err, attestation.ErrRule)
		unwritten(t)
	})
	t.Run("§45(1) the recall on not being attested again applies, and the revision records the expiry", func(t *testing.T) {
		x, err := f.svc.Recall(ctx, authority, e.Number, recall(GroundNotReattested), now)
		if err != nil {
			t.Fatal(err)
		}
		if x.Status != Recalled || !expiredAt(x) || x.Recall == nil || x.Recall.Paragraph != "§45(1)" {
			t.Fatalf("%s %v %+v", x.Status, x.ExpiredAt, x.Recall)
		}
		revs, _ := f.store.Revisions(ctx, e.Number)
		last := revs[len(revs)-1]
		if len(revs) != 2 || !strings.Contains(last.What, "expired at the end of its term") || !strings.Contains(last.Paragraph, "§40") ||
			!strings.Contains(last.Paragraph, "§45(1)") {
			t.Fatalf("revision %+v", last)
		}
		// The deadline check finds the expiry recorded: it flags no expiry of its own.
		if got := f.check(t, now); slices.Contains(got, "expiry/"+e.Number) {
			t.Fatalf("flags %v", got)
		}
		if again, err := f.svc.Recall(ctx, authority, e.Number, recall(GroundNotReattested), now); err != nil || again.Revision != 2 {
			t.Fatalf("the same recall again: revision %d, %v", again.Revision, err)
		}
	})
	f.verifyChain(t)
}

func TestRecallOnExpiryBeforeTheDeadlineCheckPar41Par45(t *testing.T) {
	ctx := context.Background()
	t.Run("§45(1) refused while the certificate is in force", func(t *testing.T) {
		f := newFixture(t)
		e := f.issue(t, "egov_platform", issuedAt)
		_, err := f.svc.Recall(ctx, authority, e.Number, recall(GroundNotReattested), e.ValidUntil.Add(-time.Second))
		mustErr(t, err, attestation.ErrRule)
		if f.store.revisions(e.Number) != 1 {
			t.Fatal("a refused recall wrote")
		}
	})
	t.Run("§41 §45(1) a new certificate that has itself expired is not an attestation again", func(t *testing.T) {
		f := newFixture(t)
		e := f.issue(t, "egov_platform", issuedAt)
		next := f.issue(t, "egov_platform", issuedAt.AddDate(0, 0, 1))
		stored := f.get(t, next.Number)
		stored.ObjectID = e.ObjectID
		f.store.entries[next.Number] = stored
		// Both terms have passed; neither is marked.
		now := next.ValidUntil.Add(time.Hour)
		obs, _, err := f.svc.Obligations(ctx, authority, false, 10, "", now)
		if err != nil || !slices.ContainsFunc(obs, func(o Obligation) bool { return o.Certificate == e.Number && o.Ground == GroundNotReattested }) {
			t.Fatalf("%+v %v", obs, err)
		}
		if _, err := f.svc.Recall(ctx, authority, e.Number, recall(GroundNotReattested), now); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("§41 a new certificate in force is an attestation again", func(t *testing.T) {
		f := newFixture(t)
		e := f.issue(t, "egov_platform", issuedAt)
		next := f.issue(t, "egov_platform", e.ValidUntil.Add(-time.Hour))
		stored := f.get(t, next.Number)
		stored.ObjectID = e.ObjectID
		f.store.entries[next.Number] = stored
		_, err := f.svc.Recall(ctx, authority, e.Number, recall(GroundNotReattested), e.ValidUntil.Add(time.Hour))
		mustErr(t, err, attestation.ErrRule)
	})
}
