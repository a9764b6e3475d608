package callarchive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
	"attestation/internal/audit"
)

// bucket is a versioned bucket whose keys are written once by Put (like s3store.Records), and
// which a test may tamper with as someone holding s3:PutObject could: a new version of a key
// (Object Lock keeps the old one, but the current one changes) or a delete marker.
type bucket struct {
	objects map[string][]byte
	puts    int
}

func newBucket() *bucket { return &bucket{objects: map[string][]byte{}} }

func (b *bucket) Put(_ context.Context, key, _ string, body []byte) (attestation.Document, error) {
	s := sha256.Sum256(body)
	if old, ok := b.objects[key]; ok {
		if !bytes.Equal(old, body) {
			return attestation.Document{}, apperr.Hidden(apperr.Conflict, "", "put %s: another content", key)
		}
		return attestation.Document{Key: key, VersionID: "v1", SHA256: hex.EncodeToString(s[:])}, nil
	}
	b.puts++
	b.objects[key] = append([]byte(nil), body...)
	return attestation.Document{Key: key, VersionID: "v1", SHA256: hex.EncodeToString(s[:])}, nil
}

func (b *bucket) Open(_ context.Context, key, _ string) ([]byte, error) {
	body, ok := b.objects[key]
	if !ok {
		return nil, apperr.Hidden(apperr.NotFound, "document", "get %s", key)
	}
	return body, nil
}

// calls is an audit.Reader over records by day, paging as the store does, counting its pages.
type calls struct {
	days  map[string][]audit.Record
	pages int
}

func (c *calls) ByCase(context.Context, string, int, string) (audit.Page, error) {
	return audit.Page{}, nil
}

func (c *calls) ByDay(_ context.Context, day string, limit int, cursor string) (audit.Page, error) {
	c.pages++
	if limit > audit.MaxLimit {
		return audit.Page{}, fmt.Errorf("limit %d above %d", limit, audit.MaxLimit)
	}
	start := 0
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil {
			return audit.Page{}, audit.ErrBadCursor
		}
		start = n
	}
	rs := c.days[day]
	end := min(start+limit, len(rs))
	p := audit.Page{Records: append([]audit.Record(nil), rs[start:end]...)}
	if end < len(rs) {
		p.Cursor = strconv.Itoa(end)
	}
	return p, nil
}

func record(day string, i int) audit.Record {
	t, _ := time.Parse(audit.DayLayout, day)
	return audit.Record{Time: t.Add(time.Duration(i) * time.Second), RequestID: fmt.Sprintf("%s-%d", day, i), User: "u",
		SourceIP: "192.0.2.1", RouteKey: "GET /queue", Path: "/queue", Operation: "GET /queue", Status: 200, Origin: audit.OriginAPI}
}

func withDays(n map[string]int) *calls {
	c := &calls{days: map[string][]audit.Record{}}
	for day, k := range n {
		for i := range k {
			c.days[day] = append(c.days[day], record(day, i))
		}
	}
	return c
}

// at is 00:05 in Almaty the day after day+1 (UTC 19:05 of the day after day): the deadline check's
// daily moment, when day is the last whole UTC day.
func at(day string) time.Time {
	t, _ := time.Parse(audit.DayLayout, day)
	return t.AddDate(0, 0, 1).Add(19*time.Hour + 5*time.Minute)
}

func run(t *testing.T, a *Archiver, now time.Time) Report {
	t.Helper()
	out, err := a.Check(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	return out.(Report)
}

func TestCallRecordArchiveSeed003Par7DayToArchiveIsTheLastWholeUTCDay(t *testing.T) {
	for _, c := range []struct {
		now  string
		want string
	}{
		{"2026-10-15T19:05:00Z", "2026-10-14"}, // 00:05 in Almaty on the 16th
		{"2026-10-16T00:10:00Z", "2026-10-14"}, // within the grace: the 15th may still receive records
		{"2026-10-16T00:20:00Z", "2026-10-15"},
	} {
		now, _ := time.Parse(time.RFC3339, c.now)
		if got := DayToArchive(now); got != c.want {
			t.Errorf("§7 at %s the day to archive is %s, want %s", c.now, got, c.want)
		}
	}
}

func TestCallRecordArchiveSeed003Par7Art40DailyHashChainedArchive(t *testing.T) {
	ctx := context.Background()
	b := newBucket()
	c := withDays(map[string]int{"2026-10-13": 3, "2026-10-14": 250, "2026-10-15": 0})
	a, err := New(c, b)
	if err != nil {
		t.Fatal(err)
	}
	rep := run(t, a, at("2026-10-13"))
	if len(rep.Archived) != 1 || !rep.Archived[0].Restarts || rep.Archived[0].Records != 3 {
		t.Fatalf("§7 the first run starts the chain with its day: %+v", rep)
	}
	c.pages = 0
	rep = run(t, a, at("2026-10-14"))
	if len(rep.Archived) != 1 || rep.Archived[0].Restarts || rep.Archived[0].Records != 250 {
		t.Fatalf("Art. 40(2)(4) the next day links the first: %+v", rep)
	}
	if c.pages != 3 {
		t.Errorf("bounded reads: 250 records in %d pages, want 3 of at most %d", c.pages, audit.MaxLimit)
	}
	run(t, a, at("2026-10-15")) // a day without calls is archived too, so that its absence is a gap
	raw, _ := b.Open(ctx, ManifestKey("2026-10-14"), "")
	var m Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	prev, _ := b.Open(ctx, ManifestKey("2026-10-13"), "")
	file, _ := b.Open(ctx, FileKey("2026-10-14"), "")
	if m.Previous == nil || m.Previous.SHA256 != sha(prev) || m.SHA256 != sha(file) || m.Records != 250 || m.Day != "2026-10-14" {
		t.Fatalf("§8 the manifest holds the SHA-256 of its file and of the day before's manifest: %s", raw)
	}
	if FileKey("2026-10-14") != "audit/2026/10/14.jsonl" || ManifestKey("2026-10-14") != "audit/2026/10/14.manifest.json" {
		t.Errorf("keys: %s %s", FileKey("2026-10-14"), ManifestKey("2026-10-14"))
	}
	lines := strings.Split(strings.TrimSuffix(string(file), "\n"), "\n")
	var first audit.Record
	if len(lines) != 250 || json.Unmarshal([]byte(lines[0]), &first) != nil || first.RequestID != "2026-10-14-0" {
		t.Fatalf("§8 one record per line, oldest first: %d lines, first %q", len(lines), lines[0])
	}
	v, err := Verify(ctx, b, c, "2026-10-13", "2026-10-15")
	if err != nil || !v.OK() || v.Days != 3 || v.Records != 253 {
		t.Fatalf("the chain verifies: %+v %v", v, err)
	}
}

func TestCallRecordArchiveSeed003Par7RepeatedRunComparesAndWritesNothing(t *testing.T) {
	b := newBucket()
	c := withDays(map[string]int{"2026-10-14": 5})
	a, _ := New(c, b)
	run(t, a, at("2026-10-14"))
	puts := b.puts
	rep := run(t, a, at("2026-10-14").Add(2*time.Hour))
	if b.puts != puts || rep.Stands == nil || rep.Stands.Differs || len(rep.Archived) != 0 {
		t.Fatalf("a repeated run finds the day archived and compares: %+v (%d new puts)", rep, b.puts-puts)
	}
	c.days["2026-10-14"] = c.days["2026-10-14"][1:] // a record deleted from the table
	rep = run(t, a, at("2026-10-14").Add(3*time.Hour))
	if rep.Stands == nil || !rep.Stands.Differs || b.puts != puts {
		t.Fatalf("§8 a record gone from the table is a difference, and the archive stands: %+v", rep)
	}
	v, _ := Verify(context.Background(), b, c, "2026-10-14", "2026-10-14")
	if len(v.Problems) != 1 || v.Problems[0].Kind != ProblemDiffers {
		t.Fatalf("verification against the table: %+v", v)
	}
}

func TestCallRecordArchiveSeed003Par7CatchesUpMissedDays(t *testing.T) {
	b := newBucket()
	c := withDays(map[string]int{"2026-10-10": 1, "2026-10-11": 2, "2026-10-12": 3, "2026-10-13": 4})
	a, _ := New(c, b)
	run(t, a, at("2026-10-10"))
	rep := run(t, a, at("2026-10-13")) // the check did not run for two days
	if len(rep.Archived) != 3 || rep.Archived[0].Day != "2026-10-11" || rep.Archived[2].Day != "2026-10-13" {
		t.Fatalf("the missed days are archived in order: %+v", rep)
	}
	if v, _ := Verify(context.Background(), b, nil, "2026-10-10", "2026-10-13"); !v.OK() {
		t.Fatalf("%+v", v)
	}
	// A gap longer than the lookback starts the chain again, which verification reports.
	later := "2026-10-30"
	c.days[later] = []audit.Record{record(later, 0)}
	if rep := run(t, a, at(later)); len(rep.Archived) != 1 || !rep.Archived[0].Restarts {
		t.Fatalf("%+v", rep)
	}
	v, _ := Verify(context.Background(), b, nil, "2026-10-13", later)
	kinds := map[string]int{}
	for _, p := range v.Problems {
		kinds[p.Kind]++
	}
	if kinds[ProblemMissing] != 16 || kinds[ProblemRestarts] != 1 {
		t.Fatalf("the gap's days are missing and the chain restarts: %v", kinds)
	}
}

func TestCallRecordArchiveSeed003Par8ChangedOrMissingDayIsDetected(t *testing.T) {
	ctx := context.Background()
	days := []string{"2026-10-11", "2026-10-12", "2026-10-13", "2026-10-14"}
	build := func() *bucket {
		b := newBucket()
		c := withDays(map[string]int{days[0]: 2, days[1]: 2, days[2]: 2, days[3]: 2})
		a, _ := New(c, b)
		for _, d := range days {
			run(t, a, at(d))
		}
		return b
	}
	only := func(t *testing.T, v VerifyReport, day, kind string) {
		t.Helper()
		if len(v.Problems) != 1 || v.Problems[0].Day != day || v.Problems[0].Kind != kind {
			t.Fatalf("want one %s problem on %s, got %+v", kind, day, v.Problems)
		}
	}
	t.Run("§8 a changed file", func(t *testing.T) {
		b := build()
		f := b.objects[FileKey(days[1])]
		b.objects[FileKey(days[1])] = bytes.Replace(f, []byte(`"status":200`), []byte(`"status":404`), 1)
		v, _ := Verify(ctx, b, nil, days[0], days[3])
		only(t, v, days[1], ProblemChanged)
	})
	t.Run("§8 a record removed from a file", func(t *testing.T) {
		b := build()
		f := b.objects[FileKey(days[2])]
		b.objects[FileKey(days[2])] = f[bytes.IndexByte(f, '\n')+1:]
		v, _ := Verify(ctx, b, nil, days[0], days[3])
		only(t, v, days[2], ProblemChanged)
	})
	t.Run("§8 a changed manifest breaks the next day's link", func(t *testing.T) {
		b := build()
		// Someone rewrites a day's file and its manifest to match: the day alone looks whole, the
		// next day's manifest still holds the old manifest's SHA-256.
		f := b.objects[FileKey(days[1])]
		nf := f[bytes.IndexByte(f, '\n')+1:]
		var m Manifest
		_ = json.Unmarshal(b.objects[ManifestKey(days[1])], &m)
		m.SHA256, m.Records, m.Bytes = sha(nf), 1, len(nf)
		b.objects[FileKey(days[1])] = nf
		b.objects[ManifestKey(days[1])] = encodeManifest(m)
		v, _ := Verify(ctx, b, nil, days[0], days[3])
		only(t, v, days[2], ProblemBroken)
	})
	t.Run("§8 a missing day", func(t *testing.T) {
		b := build()
		delete(b.objects, ManifestKey(days[2]))
		v, _ := Verify(ctx, b, nil, days[0], days[3])
		only(t, v, days[2], ProblemMissing)
	})
	t.Run("§8 a missing file", func(t *testing.T) {
		b := build()
		delete(b.objects, FileKey(days[0]))
		v, _ := Verify(ctx, b, nil, days[0], days[3])
		only(t, v, days[0], ProblemMissing)
	})
	t.Run("the day before the range is checked through the link", func(t *testing.T) {
		b := build()
		delete(b.objects, ManifestKey(days[0]))
		v, _ := Verify(ctx, b, nil, days[1], days[3])
		only(t, v, days[1], ProblemBroken)
	})
	t.Run("bounded range", func(t *testing.T) {
		for _, r := range [][2]string{{"2026-10-14", "2026-10-13"}, {"2025-01-01", "2026-10-13"}, {"2026-13-01", "2026-10-13"}} {
			if _, err := Verify(ctx, newBucket(), nil, r[0], r[1]); apperr.KindOf(err) != apperr.Unprocessable {
				t.Errorf("%v: %v", r, err)
			}
		}
	})
}

func TestCallRecordArchiveSeed003Par8ManifestReader(t *testing.T) {
	b := newBucket()
	a, _ := New(withDays(map[string]int{"2026-10-14": 1}), b)
	run(t, a, at("2026-10-14"))
	r := NewReader(b)
	m, sum, err := r.Manifest(context.Background(), "2026-10-14")
	if err != nil || m.Records != 1 || sum != sha(b.objects[ManifestKey("2026-10-14")]) {
		t.Fatalf("%+v %s %v", m, sum, err)
	}
	if _, _, err := r.Manifest(context.Background(), "2026-10-13"); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("a day not archived: %v", err)
	}
	if _, _, err := r.Manifest(context.Background(), "2026-10-1"); apperr.KindOf(err) != apperr.Unprocessable {
		t.Errorf("a bad day: %v", err)
	}
}
