// Package callarchive is the periodic archiving of the call records (seed 003 §7: "automated
// accounting, safety and periodic archiving of information on all appeals"; Law Art. 40(2)(4)):
// every day the deadline check writes the previous UTC day's call records (internal/audit) to the
// Object Lock records bucket as one JSON Lines file with a manifest, and each day's manifest holds
// the SHA-256 of its file and of the previous day's manifest, so that a changed or missing day
// breaks the chain (Verify, and the command infra/auditverify).
//
// It is domain code: it reads the records through audit.Reader and writes through Records
// (s3store.Records); it imports no AWS package.
package callarchive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
	"attestation/internal/audit"
)

// Prefix is where the archive lives in the records bucket.
const Prefix = "audit/"

// Limits of one run.
const (
	// Grace is how long after the end of a UTC day its records are left to arrive before the day is
	// archived: a record is written when its call is answered, with the time the call arrived.
	Grace = 15 * time.Minute
	// Lookback is how many days before the day to archive a run looks for the chain's last
	// manifest, and so the most days one run archives (a check that did not run for a few days
	// catches up). A gap longer than that starts the chain again, which Verify reports.
	Lookback = 7
	// MaxFileBytes bounds one day's file in memory (the records are read a page at a time); a
	// larger day is an error of the run, never a truncated archive.
	MaxFileBytes = 64 << 20
	// MaxVerifyDays bounds one verification.
	MaxVerifyDays = 366
)

// Name says what the archive is, in every manifest.
const Name = "call records (seed 003 §7-§8; Law Art. 40(2)(4))"

// FileKey is the key of a day's records: audit/<yyyy>/<mm>/<dd>.jsonl.
func FileKey(day string) string { return Prefix + strings.ReplaceAll(day, "-", "/") + ".jsonl" }

// ManifestKey is the key of a day's manifest: audit/<yyyy>/<mm>/<dd>.manifest.json.
func ManifestKey(day string) string {
	return Prefix + strings.ReplaceAll(day, "-", "/") + ".manifest.json"
}

// Manifest describes one day's archive and links it to the day before.
type Manifest struct {
	Archive       string `json:"archive"`
	Day           string `json:"day"`  // the UTC day of the records (audit.DayLayout)
	File          string `json:"file"` // FileKey(Day)
	FileVersionID string `json:"fileVersionId,omitempty"`
	Records       int    `json:"records"`
	Bytes         int    `json:"bytes"`
	SHA256        string `json:"sha256"` // of the file's bytes, hexadecimal
	// Previous is the manifest of the day before, as stored; nil on the chain's first day.
	Previous *Link `json:"previous"`
}

// Link pins a stored manifest: its day, key, version and the SHA-256 of its bytes.
type Link struct {
	Day       string `json:"day"`
	Manifest  string `json:"manifest"`
	VersionID string `json:"versionId,omitempty"`
	SHA256    string `json:"sha256"`
}

// Records writes a key once and reads it back (s3store.Records): the same bytes again answer the
// version stored, other bytes apperr.Conflict; a missing key is apperr.NotFound.
type Records interface {
	Put(ctx context.Context, key, contentType string, body []byte) (attestation.Document, error)
	Open(ctx context.Context, key, versionID string) ([]byte, error)
}

// Opener reads an object of the archive (the current version of key); a missing key is
// apperr.NotFound.
type Opener interface {
	Open(ctx context.Context, key, versionID string) ([]byte, error)
}

// Archiver is the daily archive, a watch of the deadline check.
type Archiver struct {
	calls   audit.Reader
	records Records
}

// New returns the archive of the records calls reads, written to records.
func New(calls audit.Reader, records Records) (*Archiver, error) {
	if calls == nil || records == nil {
		return nil, errors.New("call archive: a reader of call records and a records store are required")
	}
	return &Archiver{calls: calls, records: records}, nil
}

// Report is what one run did.
type Report struct {
	Day      string      `json:"day"`                // the day the run archives: the last whole UTC day before now
	Archived []DayReport `json:"archived,omitempty"` // the days written by this run, oldest first
	// Stands: the day was archived already; its records were read again and compared.
	Stands *DayReport `json:"stands,omitempty"`
}

// DayReport is one day's archive.
type DayReport struct {
	Day      string `json:"day"`
	Records  int    `json:"records"`
	SHA256   string `json:"sha256"`
	Manifest string `json:"manifest"`
	// Restarts: no manifest of the Lookback days before was found; the chain starts again here.
	Restarts bool `json:"restarts,omitempty"`
	// Differs: the records in the table are no longer those archived (the archive stands; the
	// difference is logged by the deadline check and shown by Verify's comparison).
	Differs bool `json:"differs,omitempty"`
}

// DayToArchive is the last whole UTC day before now, its records given Grace to arrive.
func DayToArchive(now time.Time) string {
	d := now.UTC().Add(-Grace)
	return time.Date(d.Year(), d.Month(), d.Day()-1, 0, 0, 0, 0, time.UTC).Format(audit.DayLayout)
}

func addDays(day string, n int) string {
	t, _ := time.Parse(audit.DayLayout, day)
	return t.AddDate(0, 0, n).Format(audit.DayLayout)
}

// Check archives the last whole UTC day before now, and the days before it back to the chain's
// last manifest (at most Lookback). A day archived already is not written again: its records are
// read again and compared with the manifest, and a difference is reported (Differs), never
// written over (a key is written once, under Object Lock).
func (a *Archiver) Check(ctx context.Context, now time.Time) (any, error) {
	day := DayToArchive(now)
	rep := Report{Day: day}
	if raw, err := a.records.Open(ctx, ManifestKey(day), ""); err == nil {
		m, err := parseManifest(raw)
		if err != nil {
			return rep, fmt.Errorf("call archive of %s: %w", day, err)
		}
		body, n, err := a.file(ctx, day)
		if err != nil {
			return rep, err
		}
		sum := sha(body)
		rep.Stands = &DayReport{Day: day, Records: n, SHA256: sum, Manifest: ManifestKey(day), Differs: sum != m.SHA256 || n != m.Records}
		return rep, nil
	} else if !errors.Is(err, apperr.NotFound) {
		return rep, fmt.Errorf("call archive of %s: %w", day, err)
	}
	var prev *Link
	first := day
	for k := 1; k <= Lookback; k++ {
		d := addDays(day, -k)
		raw, err := a.records.Open(ctx, ManifestKey(d), "")
		if errors.Is(err, apperr.NotFound) {
			continue
		}
		if err != nil {
			return rep, fmt.Errorf("call archive: manifest of %s: %w", d, err)
		}
		if _, err := parseManifest(raw); err != nil {
			return rep, fmt.Errorf("call archive: manifest of %s: %w", d, err)
		}
		prev = &Link{Day: d, Manifest: ManifestKey(d), SHA256: sha(raw)}
		first = addDays(d, 1)
		break
	}
	for d := first; d <= day; d = addDays(d, 1) {
		dr, link, err := a.archive(ctx, d, prev)
		if err != nil {
			return rep, err
		}
		rep.Archived = append(rep.Archived, dr)
		prev = &link
	}
	return rep, nil
}

// archive writes day's file, then its manifest linked to prev. A run stopped between the two
// writes the same file again (the same bytes answer the stored version) and then the manifest.
func (a *Archiver) archive(ctx context.Context, day string, prev *Link) (DayReport, Link, error) {
	body, n, err := a.file(ctx, day)
	if err != nil {
		return DayReport{}, Link{}, err
	}
	doc, err := a.records.Put(ctx, FileKey(day), "application/x-ndjson", body)
	if errors.Is(err, apperr.Conflict) {
		return DayReport{}, Link{}, fmt.Errorf("call archive of %s: the stored file holds other records than the table: %w", day, err)
	}
	if err != nil {
		return DayReport{}, Link{}, fmt.Errorf("call archive of %s: %w", day, err)
	}
	m := Manifest{Archive: Name, Day: day, File: FileKey(day), FileVersionID: doc.VersionID, Records: n, Bytes: len(body),
		SHA256: sha(body), Previous: prev}
	raw := encodeManifest(m)
	md, err := a.records.Put(ctx, ManifestKey(day), "application/json", raw)
	if err != nil {
		return DayReport{}, Link{}, fmt.Errorf("call archive of %s: manifest: %w", day, err)
	}
	return DayReport{Day: day, Records: n, SHA256: m.SHA256, Manifest: ManifestKey(day), Restarts: prev == nil},
		Link{Day: day, Manifest: ManifestKey(day), VersionID: md.VersionID, SHA256: sha(raw)}, nil
}

// file reads day's records a page at a time, oldest first, as JSON Lines: one audit.Record per
// line. The same records always give the same bytes.
func (a *Archiver) file(ctx context.Context, day string) ([]byte, int, error) {
	var buf bytes.Buffer
	n := 0
	cursor := ""
	for {
		p, err := a.calls.ByDay(ctx, day, audit.MaxLimit, cursor)
		if err != nil {
			return nil, 0, fmt.Errorf("call archive of %s: read records: %w", day, err)
		}
		for _, r := range p.Records {
			line, err := json.Marshal(r)
			if err != nil {
				return nil, 0, fmt.Errorf("call archive of %s: encode %s: %w", day, r.RequestID, err)
			}
			buf.Write(line)
			buf.WriteByte('\n')
			n++
		}
		if buf.Len() > MaxFileBytes {
			return nil, 0, fmt.Errorf("call archive of %s: more than %d bytes of records", day, MaxFileBytes)
		}
		if p.Cursor == "" {
			return buf.Bytes(), n, nil
		}
		cursor = p.Cursor
	}
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func encodeManifest(m Manifest) []byte {
	b, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		panic(fmt.Sprintf("call archive manifest: %v", err)) // strings and numbers: it always encodes
	}
	return append(b, '\n')
}

func parseManifest(raw []byte) (Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return Manifest{}, fmt.Errorf("manifest: %w", err)
	}
	return m, nil
}

// Reader reads a day's manifest for staff (GET /audit/archive/{day}).
type Reader struct{ objects Opener }

// NewReader returns the manifest reader on the records bucket.
func NewReader(objects Opener) *Reader { return &Reader{objects: objects} }

// Manifest returns day's manifest and the SHA-256 of its bytes (what the next day's manifest
// links); a day not archived is apperr.NotFound.
func (r *Reader) Manifest(ctx context.Context, day string) (Manifest, string, error) {
	if _, err := audit.ParseDay(day); err != nil {
		return Manifest{}, "", apperr.Errorf(apperr.Unprocessable, "day", "%v", err)
	}
	raw, err := r.objects.Open(ctx, ManifestKey(day), "")
	if errors.Is(err, apperr.NotFound) {
		return Manifest{}, "", apperr.Errorf(apperr.NotFound, "archive", "no archive of the call records of %s", day)
	}
	if err != nil {
		return Manifest{}, "", fmt.Errorf("archive of %s: %w", day, err)
	}
	m, err := parseManifest(raw)
	if err != nil {
		return Manifest{}, "", fmt.Errorf("archive of %s: %w", day, err)
	}
	return m, sha(raw), nil
}
