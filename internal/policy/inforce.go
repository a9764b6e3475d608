package policy

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Which edition applies to a filing is a matter of dates. Each edition applies from its
// applies_from; its end is configuration, not policy data: the Rules were repealed by Decree No.
// 1047 of 31 December 2019 and the standard by Order No. 374/НҚ of 5 October 2020, each in force
// ten days after its publication, a date the texts do not give.

// Mode chooses how a filing's edition is found.
type Mode string

// The modes.
const (
	// Enforce takes the edition in force on the filing date (the latest to start, when several
	// are) and refuses a date no edition covers.
	Enforce Mode = "enforce"
	// Model applies the configured edition whatever the date, and marks a filing on a date it
	// does not cover as filed under an edition out of force (locally, in tests and in the demo,
	// so filings on today's dates keep working).
	Model Mode = "model"
)

// ParseMode reads a mode; "" is Model.
func ParseMode(s string) (Mode, error) {
	switch Mode(strings.TrimSpace(s)) {
	case "", Model:
		return Model, nil
	case Enforce:
		return Enforce, nil
	}
	return "", fmt.Errorf("policy edition mode %q: want %s or %s", s, Enforce, Model)
}

// ParseEnds reads the editions' end dates from configuration: "id=YYYY-MM-DD" pairs separated by
// commas, each date the first day (Asia/Almaty) on which the edition no longer applies. An
// edition it does not name has no end. "" names none.
func ParseEnds(s string) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	loc, err := time.LoadLocation("Asia/Almaty")
	if err != nil {
		return nil, fmt.Errorf("edition ends: %w", err)
	}
	for _, pair := range strings.Split(s, ",") {
		if pair = strings.TrimSpace(pair); pair == "" {
			continue
		}
		id, date, ok := strings.Cut(pair, "=")
		id = strings.TrimSpace(id)
		if !ok {
			return nil, fmt.Errorf("edition ends: %q is not id=YYYY-MM-DD", pair)
		}
		ed, err := Load(id)
		if err != nil {
			return nil, fmt.Errorf("edition ends: %w", err)
		}
		end, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(date), loc)
		if err != nil {
			return nil, fmt.Errorf("edition ends: %s: not a date (YYYY-MM-DD): %q", id, date)
		}
		if !end.After(ed.AppliesFrom()) {
			return nil, fmt.Errorf("edition ends: %s ends %s, not after it applies (%s)", id, date, ed.AppliesFrom().Format(time.DateOnly))
		}
		if _, dup := out[id]; dup {
			return nil, fmt.Errorf("edition ends: %s named twice", id)
		}
		out[id] = end
	}
	return out, nil
}

// ErrNoEditionInForce: no edition applies on the filing date (Enforce).
var ErrNoEditionInForce = errors.New("no policy edition is in force on the filing date")

// Selector finds the edition of a filing.
type Selector struct {
	Mode       Mode
	Configured string               // the configured edition (POLICY_EDITION)
	Ends       map[string]time.Time // ParseEnds
}

// Choice is the edition a filing falls under.
type Choice struct {
	Edition string
	// OutOfForce: the edition is not in force on the filing date (Model only); Note says why.
	OutOfForce bool
	Note       string
}

// InForce reports whether edition ed applies on t: from its applies_from, before its end.
func (s Selector) InForce(ed *Edition, t time.Time) bool {
	if t.Before(ed.AppliesFrom()) {
		return false
	}
	end, ok := s.Ends[ed.ID()]
	return !ok || t.Before(end)
}

// Span describes when edition ed applies, for a message: "from 2018-04-09 to 2020-01-10".
func (s Selector) Span(ed *Edition) string {
	from := ed.AppliesFrom().Format(time.DateOnly)
	end, ok := s.Ends[ed.ID()]
	if !ok {
		return "from " + from
	}
	return fmt.Sprintf("from %s to %s", from, end.AddDate(0, 0, -1).Format(time.DateOnly))
}

// For is the edition of a filing at t.
func (s Selector) For(t time.Time) (Choice, error) {
	if s.Mode != Enforce {
		ed, err := Load(s.Configured)
		if err != nil {
			return Choice{}, err
		}
		if s.InForce(ed, t) {
			return Choice{Edition: ed.ID()}, nil
		}
		return Choice{Edition: ed.ID(), OutOfForce: true, Note: fmt.Sprintf("filed on %s under edition %s, which applies %s: modelled, not in force",
			t.In(ed.AppliesFrom().Location()).Format(time.DateOnly), ed.ID(), s.Span(ed))}, nil
	}
	var in []*Edition
	var spans []string
	for _, id := range Editions() {
		ed, err := Load(id)
		if err != nil {
			return Choice{}, err
		}
		spans = append(spans, id+" "+s.Span(ed))
		if s.InForce(ed, t) {
			in = append(in, ed)
		}
	}
	if len(in) == 0 {
		day := t.UTC().Format(time.DateOnly)
		if loc, err := time.LoadLocation("Asia/Almaty"); err == nil {
			day = t.In(loc).Format(time.DateOnly)
		}
		return Choice{}, fmt.Errorf("%w: %s; the editions apply: %s", ErrNoEditionInForce, day, strings.Join(spans, "; "))
	}
	sort.SliceStable(in, func(i, j int) bool { return in[i].AppliesFrom().After(in[j].AppliesFrom()) })
	return Choice{Edition: in[0].ID()}, nil
}
