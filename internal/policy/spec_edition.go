package policy

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The edition's head and what the rest refers to: id, title, applies_from, sources, the callback
// timeout margin, the office's hours (§12), the flags, and the checks of references to flags,
// documents, kinds and steps.

var (
	// compiled on an edition's first Load, not at every cold start
	idRE   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z][a-z0-9_]*$`) })
	dateRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\d{2})-(\d{2})$`) })
	hhmmRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\d{2}):(\d{2})$`) })
)

func validate(c *checker, name string, s *specFile, root keyOrders) *Edition {
	e := &Edition{id: s.ID, title: s.Title, spec: s}

	c.required("id", s.ID)
	if s.ID != "" && s.ID != name {
		c.add("id", "%q does not match the edition name %q", s.ID, name)
	}
	c.required("title", s.Title)
	if s.AppliesFrom == "" {
		c.add("applies_from", "missing")
	} else if loc, err := almaty(); err != nil {
		c.add("applies_from", "%v", err)
	} else if t, err := time.ParseInLocation(time.DateOnly, s.AppliesFrom, loc); err != nil {
		c.add("applies_from", "not a date (YYYY-MM-DD): %q", s.AppliesFrom)
	} else {
		e.appliesFrom = t
	}

	if len(s.Sources) == 0 {
		c.add("sources", "missing")
	}
	for i, src := range s.Sources {
		p := fmt.Sprintf("sources[%d]", i)
		c.required(p+".id", src.ID)
		c.required(p+".title", src.Title)
		c.required(p+".act", src.Act)
		if _, err := time.Parse(time.DateOnly, src.Date); err != nil {
			c.add(p+".date", "not a date (YYYY-MM-DD): %q", src.Date)
		}
		e.sources = append(e.sources, Source(src))
	}

	if m := s.CallbackTimeoutMargin; m == nil {
		c.add("callback_timeout_margin", "missing")
	} else {
		checkAmount(c, "callback_timeout_margin.amount", m.Amount)
		u := Unit(m.Unit)
		if u != WorkingDays && u != CalendarDays {
			c.add("callback_timeout_margin.unit", "must be working_days or calendar_days, not %q", m.Unit)
		}
		if m.Amount != nil {
			e.margin = Margin{Amount: *m.Amount, Unit: u}
		}
	}

	validateOffice(c, e, s.Office)
	validateFlags(c, e, s, root)
	validateDocuments(c, e, s, root)
	validatePeriods(c, e, s, root)
	validateRules(c, e, s, root)
	validateKinds(c, e, s, root)
	validateCertificate(c, e, s)
	validateSignatures(c, e, s, root)
	validateReminders(c, e, s, root)

	e.periodIndex = map[string]int{}
	for i, p := range e.periods {
		e.periodIndex[p.Step] = i
	}
	e.documentIndex = map[string]int{}
	for i, d := range e.documents {
		e.documentIndex[d.ID] = i
	}
	e.kindIndex = map[string]int{}
	for i, k := range e.kinds {
		e.kindIndex[k.ID] = i
	}
	return e
}

func checkAmount(c *checker, path string, amount *int) {
	switch {
	case amount == nil:
		c.add(path, "missing")
	case *amount < 1:
		c.add(path, "must be >= 1")
	}
}

func parseHHMM(s string) (int, bool) {
	m := hhmmRE().FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	h, _ := strconv.Atoi(m[1])
	mm, _ := strconv.Atoi(m[2])
	if h > 24 || mm > 59 || (h == 24 && mm != 0) {
		return 0, false
	}
	return h*60 + mm, true
}

func validateWindows(c *checker, path string, ws []windowSpec) []Window {
	if len(ws) == 0 {
		c.add(path, "missing")
		return nil
	}
	var out []Window
	last := -1
	for i, w := range ws {
		p := fmt.Sprintf("%s[%d]", path, i)
		from, ok1 := parseHHMM(w.From)
		if !ok1 {
			c.add(p+".from", "not a time (HH:MM): %q", w.From)
		}
		to, ok2 := parseHHMM(w.To)
		if !ok2 {
			c.add(p+".to", "not a time (HH:MM): %q", w.To)
		}
		if !ok1 || !ok2 {
			continue
		}
		if from >= to {
			c.add(p, "from %s must be before to %s", w.From, w.To)
			continue
		}
		if from < last {
			c.add(p, "overlaps or precedes the window before it")
			continue
		}
		last = to
		out = append(out, Window{From: w.From, To: w.To, from: from, to: to})
	}
	return out
}

func validateOffice(c *checker, e *Edition, o *officeSpec) {
	if o == nil {
		c.add("office", "missing")
		return
	}
	c.required("office.paragraph", o.Paragraph)
	e.office = Office{
		Paragraph:       o.Paragraph,
		WorkingHours:    validateWindows(c, "office.working_hours", o.WorkingHours),
		AcceptanceHours: validateWindows(c, "office.acceptance_hours", o.AcceptanceHours),
		QueueWait:       validateOfficeLimit(c, "office.queue_wait", o.QueueWait),
		Service:         validateOfficeLimit(c, "office.service", o.Service),
	}
}

// validateOfficeLimit checks an optional limit of minutes at the office (standard §4(2)-(3)).
func validateOfficeLimit(c *checker, path string, l *limitSpec) OfficeLimit {
	if l == nil {
		return OfficeLimit{}
	}
	if l.Minutes <= 0 || l.Minutes > 24*60 {
		c.add(path+".minutes", "want 1 to 1440 minutes")
	}
	c.required(path+".paragraph", l.Paragraph)
	return OfficeLimit{Minutes: l.Minutes, Paragraph: l.Paragraph}
}

func validateFlags(c *checker, e *Edition, s *specFile, root keyOrders) {
	for _, id := range keyOrder(root, "flags") {
		f := s.Flags[id]
		p := "flags." + id
		if !slices.Contains(flagKeys, id) {
			c.add(p, "unknown flag (known: %s)", strings.Join(flagKeys, ", "))
			continue
		}
		if f == nil {
			c.add(p, "missing")
			continue
		}
		c.required(p+".paragraph", f.Paragraph)
		c.required(p+".meaning", f.Meaning)
		for i, k := range f.Kinds {
			if _, ok := s.Kinds[k]; !ok {
				c.add(fmt.Sprintf("%s.kinds[%d]", p, i), "unknown kind %q (not declared under kinds)", k)
			}
		}
		e.flags = append(e.flags, Flag{ID: id, Paragraph: f.Paragraph, Meaning: f.Meaning, Kinds: slices.Clone(f.Kinds)})
	}
}

func (s *specFile) checkFlag(c *checker, path, flag string) {
	if flag == "" {
		return
	}
	if _, ok := s.Flags[flag]; !ok {
		c.add(path, "unknown flag %q (not declared under flags)", flag)
	}
}

func (s *specFile) checkDocument(c *checker, path, doc string) {
	if _, ok := s.Documents[doc]; !ok {
		c.add(path, "unknown document %q (not declared under documents)", doc)
	}
}

func (s *specFile) checkKind(c *checker, path, kind string) {
	if _, ok := s.Kinds[kind]; !ok {
		c.add(path, "unknown kind %q (not declared under kinds)", kind)
	}
}

func (s *specFile) checkStep(c *checker, path, step string) {
	if _, ok := s.Periods[step]; !ok {
		c.add(path, "unknown step %q (not declared under periods)", step)
	}
}
