package statistics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
)

// Records writes a key once (s3store.Records): the same bytes again answer the version stored,
// other bytes apperr.Conflict.
type Records interface {
	Put(ctx context.Context, key, contentType string, body []byte) (attestation.Document, error)
}

// OpenData is the statistics in the daily open-data export, a watch of the deadline check: at
// each run it writes open-data/<day>/statistics.json to the records bucket beside the register's
// files, for the applications filed from January 1 of the day before's year up to the day before
// (Asia/Almaty). The figures name no organisation, applicant, object or case.
type OpenData struct {
	stats   *Service
	records Records
}

// NewOpenData returns the export of stats into records.
func NewOpenData(stats *Service, records Records) *OpenData {
	return &OpenData{stats: stats, records: records}
}

// OpenDataReport is what one run of the export did.
type OpenDataReport struct {
	Day       string `json:"day"`
	From      string `json:"from"`
	To        string `json:"to"`
	Key       string `json:"key,omitempty"`
	VersionID string `json:"versionId,omitempty"`
	SHA256    string `json:"sha256,omitempty"`
	// Stands: the day's file was written already with other figures (applications moved on
	// since); it is kept, and tomorrow's file carries the change.
	Stands bool `json:"stands,omitempty"`
	// Skipped says why no file was written (the year holds more than MaxCases applications).
	Skipped string `json:"skipped,omitempty"`
}

// Document is the open-data file.
type Document struct {
	Statistics string `json:"statistics"`
	Report
}

// Check writes the day's statistics at now.
func (o *OpenData) Check(ctx context.Context, now time.Time) (any, error) {
	loc := o.stats.cal.Location()
	today := now.In(loc)
	day := today.Format(DayLayout)
	last := time.Date(today.Year(), today.Month(), today.Day()-1, 0, 0, 0, 0, loc)
	from := time.Date(last.Year(), 1, 1, 0, 0, 0, 0, loc).Format(DayLayout)
	rep := OpenDataReport{Day: day, From: from, To: last.Format(DayLayout)}
	figures, err := o.stats.Compute(ctx, rep.From, rep.To, now)
	if apperr.KindOf(err) == apperr.Unprocessable {
		rep.Skipped = apperr.PublicOf(err).Detail
		if ps := apperr.PublicOf(err).Problems; len(ps) > 0 {
			rep.Skipped = ps[0].Message
		}
		return rep, nil
	}
	if err != nil {
		return rep, fmt.Errorf("open-data statistics of %s: %w", day, err)
	}
	body, err := json.MarshalIndent(Document{Statistics: "statistics of the service (standard §4; the Rules §14-§38)", Report: figures}, "", " ")
	if err != nil {
		return rep, fmt.Errorf("open-data statistics of %s: %w", day, err)
	}
	key := "open-data/" + day + "/statistics.json"
	d, err := o.records.Put(ctx, key, "application/json", append(body, '\n'))
	switch {
	case errors.Is(err, apperr.Conflict):
		rep.Key, rep.Stands = key, true
	case err != nil:
		return rep, fmt.Errorf("open-data statistics of %s: %w", day, err)
	default:
		rep.Key, rep.VersionID, rep.SHA256 = d.Key, d.VersionID, d.SHA256
	}
	return rep, nil
}
