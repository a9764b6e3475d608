package callarchive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/audit"
)

// Problem is one thing wrong with the archive of a day.
type Problem struct {
	Day     string `json:"day"`
	Kind    string `json:"kind"` // one of the Problem* kinds
	Message string `json:"message"`
}

// The kinds of Problem.
const (
	ProblemMissing  = "missing"  // the day's manifest or file is not in the bucket
	ProblemChanged  = "changed"  // the file's bytes are not those its manifest hashed
	ProblemBroken   = "broken"   // the link to the day before does not match that day's manifest
	ProblemRestarts = "restarts" // the chain starts again inside the range: the days before were not archived
	ProblemInvalid  = "invalid"  // the manifest cannot be read, or describes another day
	ProblemDiffers  = "differs"  // the records in the table are not those archived (Compare)
)

// VerifyReport is the outcome of a verification of [From, To].
type VerifyReport struct {
	From     string    `json:"from"`
	To       string    `json:"to"`
	Days     int       `json:"days"`
	Records  int       `json:"records"`
	Problems []Problem `json:"problems"`
}

// OK reports whether the range verified without a problem.
func (r VerifyReport) OK() bool { return len(r.Problems) == 0 }

// ParseRange checks a verification range: two days (audit.DayLayout), from not after to, at most
// MaxVerifyDays.
func ParseRange(from, to string) error {
	f, err := time.Parse(audit.DayLayout, from)
	if err != nil {
		return fmt.Errorf("from: want YYYY-MM-DD")
	}
	t, err := time.Parse(audit.DayLayout, to)
	if err != nil {
		return fmt.Errorf("to: want YYYY-MM-DD")
	}
	if t.Before(f) {
		return fmt.Errorf("to: before from")
	}
	if int(t.Sub(f).Hours()/24)+1 > MaxVerifyDays {
		return fmt.Errorf("to: at most %d days from from", MaxVerifyDays)
	}
	return nil
}

// Verify checks the archive of every day of [from, to]: the manifest and file are present, the
// file's SHA-256 and record count are the manifest's, and the manifest's link to the day before
// holds the SHA-256 of that day's manifest as it is stored now (for from, the day before from is
// read too when the manifest links it). A changed file, a changed manifest (its next day's link
// breaks) and a missing day are each a Problem. When calls is not nil, each day's records are
// also read from the table and compared with the archive.
func Verify(ctx context.Context, objects Opener, calls audit.Reader, from, to string) (VerifyReport, error) {
	if err := ParseRange(from, to); err != nil {
		return VerifyReport{}, apperr.Errorf(apperr.Unprocessable, "range", "%v", err)
	}
	rep := VerifyReport{From: from, To: to, Problems: []Problem{}}
	add := func(day, kind, format string, args ...any) {
		rep.Problems = append(rep.Problems, Problem{Day: day, Kind: kind, Message: fmt.Sprintf(format, args...)})
	}
	manifests := map[string][]byte{} // raw manifests read, by day; nil when missing
	read := func(day string) ([]byte, error) {
		if raw, ok := manifests[day]; ok {
			return raw, nil
		}
		raw, err := objects.Open(ctx, ManifestKey(day), "")
		if errors.Is(err, apperr.NotFound) {
			raw, err = nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("verify %s: %w", day, err)
		}
		manifests[day] = raw
		return raw, nil
	}
	for day := from; day <= to; day = addDays(day, 1) {
		rep.Days++
		raw, err := read(day)
		if err != nil {
			return rep, err
		}
		if raw == nil {
			add(day, ProblemMissing, "no manifest %s: the day was not archived, or its manifest was deleted", ManifestKey(day))
			continue
		}
		m, err := parseManifest(raw)
		if err != nil || m.Day != day || m.File != FileKey(day) {
			add(day, ProblemInvalid, "manifest %s does not describe the day %s", ManifestKey(day), day)
			continue
		}
		body, err := objects.Open(ctx, m.File, "")
		switch {
		case errors.Is(err, apperr.NotFound):
			add(day, ProblemMissing, "no file %s", m.File)
		case err != nil:
			return rep, fmt.Errorf("verify %s: %w", day, err)
		case sha(body) != m.SHA256 || bytes.Count(body, []byte{'\n'}) != m.Records:
			add(day, ProblemChanged, "file %s: SHA-256 %s and %d records, the manifest says %s and %d", m.File, sha(body), bytes.Count(body, []byte{'\n'}), m.SHA256, m.Records)
		default:
			rep.Records += m.Records
		}
		if calls != nil {
			a := &Archiver{calls: calls}
			fresh, n, err := a.file(ctx, day)
			if err != nil {
				return rep, err
			}
			if sha(fresh) != m.SHA256 {
				add(day, ProblemDiffers, "the table holds %d records of the day (SHA-256 %s); the manifest says %d (%s)", n, sha(fresh), m.Records, m.SHA256)
			}
		}
		prevDay := addDays(day, -1)
		if m.Previous == nil {
			if day != from {
				add(day, ProblemRestarts, "the chain starts again on %s: it does not link %s", day, prevDay)
			}
			continue
		}
		if m.Previous.Day != prevDay || m.Previous.Manifest != ManifestKey(prevDay) {
			add(day, ProblemBroken, "the manifest links %s, not the day before (%s)", m.Previous.Day, prevDay)
			continue
		}
		praw, err := read(prevDay)
		if err != nil {
			return rep, err
		}
		switch {
		case praw == nil && day == from:
			add(day, ProblemBroken, "the manifest of the day before (%s), which it links, is missing", prevDay)
		case praw == nil:
			// reported as missing for its own day
		case sha(praw) != m.Previous.SHA256:
			add(day, ProblemBroken, "the manifest of %s is not the one this day's manifest linked: SHA-256 %s, linked %s", prevDay, sha(praw), m.Previous.SHA256)
		}
	}
	return rep, nil
}
