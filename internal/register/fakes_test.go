package register

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"attestation/internal/attestation"
)

// The fakes the register's service tests run on: the entries kept in memory, the decision
// records and the maker of duplicates.

// memStore is the LifeStore in memory, with the conditions of the real one.
type memStore struct {
	mu      sync.Mutex
	entries map[string]Entry
	revs    map[string][]Revision
	puts    int
	// cases are the cases written with a revision (PutEntryWithCase), by ID; caseEvents their events.
	cases      map[string]attestation.Case
	caseEvents map[string][]attestation.Event
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

// PutEntryWithCase writes the revision as PutEntry does, with the case (conditional on its
// version, as the case store's Update), all or nothing.
func (m *memStore) PutEntryWithCase(ctx context.Context, e Entry, rev Revision, c attestation.Case, events ...attestation.Event) error {
	m.mu.Lock()
	if cur, ok := m.cases[c.ID]; ok && cur.Version != c.Version-1 {
		m.mu.Unlock()
		return fmt.Errorf("write case %s version %d: %w", c.ID, c.Version, attestation.ErrConflict)
	}
	m.mu.Unlock()
	if err := m.PutEntry(ctx, e, rev); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cases == nil {
		m.cases, m.caseEvents = map[string]attestation.Case{}, map[string][]attestation.Event{}
	}
	m.cases[c.ID] = c
	m.caseEvents[c.ID] = append(m.caseEvents[c.ID], events...)
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
		return (q.OwnerBIN == "" || e.OwnerBIN == q.OwnerBIN) && (len(q.StoredStatuses()) == 0 || slices.Contains(q.StoredStatuses(), e.Status))
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
