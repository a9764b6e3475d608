package deadline

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"attestation/internal/attestation"
)

// The census of open cases: each run counts the cases that have not ended by where they stand
// (their open step, submitted, waiting between steps, or waiting on the authority's attention),
// and the open steps past their due moment, for the dashboard's gauges. It reads the indexes the
// queues and the reconciliation read (never a Scan), at most a bounded number of cases.

// DefaultCensusLimit bounds the cases one census reads; the report says when it was reached.
const DefaultCensusLimit = 20000

// OpenCases reads the cases that have not ended, at most limit (dynamostore.Store).
type OpenCases interface {
	OpenCases(ctx context.Context, limit int) ([]attestation.Case, bool, error)
}

// StageNeedsAttention is the census's name for the cases waiting on the authority's attention
// (the queue's step name).
const StageNeedsAttention = attestation.QueueNeedsAttention

// CensusStages are the names the census counts under, every one in every report (zero included),
// so that each gauge has a value every day: submitted, each step of the Procedure, and the cases
// needing attention. A case between two steps counts under the stage it is at.
func CensusStages() []string {
	out := []string{string(attestation.StageSubmitted)}
	for _, st := range slices.Sorted(maps.Keys(attestation.Procedure)) {
		out = append(out, string(st))
	}
	return append(out, StageNeedsAttention)
}

// CensusReport is what one census counted.
type CensusReport struct {
	Open    map[string]int `json:"open"`    // cases by stage
	Overdue int            `json:"overdue"` // open steps past their due moment at the run's time
	Read    int            `json:"read"`
	More    bool           `json:"more,omitempty"` // the limit was reached: the figures are short
}

// Census counts open cases by stage, a Checker.
type Census struct {
	cases OpenCases
	limit int
}

var _ Checker = (*Census)(nil)

// NewCensus returns the census over cases reading at most limit (DefaultCensusLimit if zero).
func NewCensus(cases OpenCases, limit int) (*Census, error) {
	if cases == nil || limit < 0 {
		return nil, errors.New("census: OpenCases is required and limit must not be negative")
	}
	if limit == 0 {
		limit = DefaultCensusLimit
	}
	return &Census{cases: cases, limit: limit}, nil
}

// Check counts the open cases at now.
func (c *Census) Check(ctx context.Context, now time.Time) (any, error) {
	rep := CensusReport{Open: map[string]int{}}
	for _, s := range CensusStages() {
		rep.Open[s] = 0
	}
	cases, more, err := c.cases.OpenCases(ctx, c.limit)
	if err != nil {
		return rep, fmt.Errorf("census of open cases: %w", err)
	}
	rep.Read, rep.More = len(cases), more
	seen := map[string]bool{}
	for _, cs := range cases {
		if seen[cs.ID] || cs.Stage.Ended() {
			continue // a case is in one partition at a time; a write between two pages may move it
		}
		seen[cs.ID] = true
		switch {
		case cs.NeedsAttention():
			rep.Open[StageNeedsAttention]++
		default:
			rep.Open[string(cs.Stage)]++
			if st := cs.OpenStep; st != nil && (st.Overdue || st.PastDue(now)) {
				rep.Overdue++
			}
		}
	}
	return rep, nil
}
