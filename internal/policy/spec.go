package policy

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// The spec types mirror an edition file key for key; the loader checks them and builds an Edition.

type specFile struct {
	ID                    string                     `yaml:"id"`
	Title                 string                     `yaml:"title"`
	AppliesFrom           string                     `yaml:"applies_from"`
	Sources               []sourceSpec               `yaml:"sources"`
	CallbackTimeoutMargin *marginSpec                `yaml:"callback_timeout_margin"`
	Office                *officeSpec                `yaml:"office"`
	Periods               map[string]*periodSpec     `yaml:"periods"`
	Flags                 map[string]*flagSpec       `yaml:"flags"`
	Documents             map[string]*documentSpec   `yaml:"documents"`
	PackageRules          map[string]*ruleSpec       `yaml:"package_rules"`
	RefusalGrounds        []refusalSpec              `yaml:"refusal_grounds"`
	Kinds                 map[string]*kindSpec       `yaml:"kinds"`
	Exemptions            map[string]*exemptionSpec  `yaml:"exemptions"`
	Exclusions            map[string]*exclusionSpec  `yaml:"exclusions"`
	Obligations           map[string]*obligationSpec `yaml:"obligations"`
	Certificate           *certificateSpec           `yaml:"certificate"`
	RecallGrounds         []recallSpec               `yaml:"recall_grounds"`
}

type sourceSpec struct {
	ID       string `yaml:"id"`
	Title    string `yaml:"title"`
	Act      string `yaml:"act"`
	Date     string `yaml:"date"`
	Amended  string `yaml:"amended"`
	Repealed string `yaml:"repealed"`
	Seed     string `yaml:"seed"`
}

type marginSpec struct {
	Amount *int   `yaml:"amount"`
	Unit   string `yaml:"unit"`
}

type officeSpec struct {
	Paragraph       string       `yaml:"paragraph"`
	WorkingHours    []windowSpec `yaml:"working_hours"`
	AcceptanceHours []windowSpec `yaml:"acceptance_hours"`
}

type windowSpec struct {
	From string `yaml:"from"`
	To   string `yaml:"to"`
}

type periodSpec struct {
	Title          string   `yaml:"title"`
	Paragraph      string   `yaml:"paragraph"`
	Amount         *int     `yaml:"amount"`
	Unit           string   `yaml:"unit"`
	Date           string   `yaml:"date"`
	NextWorkingDay *bool    `yaml:"next_working_day"`
	Starts         string   `yaml:"starts"`
	OfficeReceipt  bool     `yaml:"office_receipt"`
	Actor          string   `yaml:"actor"`
	Lapse          string   `yaml:"lapse"`
	Requires       []string `yaml:"requires"`
	Replaces       string   `yaml:"replaces"`
	If             string   `yaml:"if"`
	Extends        string   `yaml:"extends"`
	Note           string   `yaml:"note"`
}

type flagSpec struct {
	Paragraph string `yaml:"paragraph"`
	Meaning   string `yaml:"meaning"`
}

type documentSpec struct {
	Title     string `yaml:"title"`
	Paragraph string `yaml:"paragraph"`
	Group     string `yaml:"group"`
	Annex3    int    `yaml:"annex3"`
}

type ruleSpec struct {
	Paragraph string   `yaml:"paragraph"`
	If        string   `yaml:"if"`
	Unless    string   `yaml:"unless"`
	Require   []string `yaml:"require"`
	Note      string   `yaml:"note"`
}

type refusalSpec struct {
	ID        string `yaml:"id"`
	Paragraph string `yaml:"paragraph"`
	Effect    string `yaml:"effect"`
	Text      string `yaml:"text"`
}

type kindSpec struct {
	Title                        string `yaml:"title"`
	Paragraph                    string `yaml:"paragraph"`
	Mandatory                    *bool  `yaml:"mandatory"`
	OperationRequiresCertificate *bool  `yaml:"operation_requires_certificate"`
	ValidityStep                 string `yaml:"validity_step"`
}

type exemptionSpec struct {
	Paragraph string   `yaml:"paragraph"`
	Text      string   `yaml:"text"`
	Kinds     []string `yaml:"kinds"`
}

type exclusionSpec struct {
	Paragraph string `yaml:"paragraph"`
	Text      string `yaml:"text"`
}

type obligationSpec struct {
	Paragraph     string   `yaml:"paragraph"`
	Text          string   `yaml:"text"`
	Step          string   `yaml:"step"`
	MandatoryOnly bool     `yaml:"mandatory_only"`
	ExceptKinds   []string `yaml:"except_kinds"`
}

type certificateSpec struct {
	Validity  *validitySpec  `yaml:"validity"`
	Numbering *numberingSpec `yaml:"numbering"`
}

type validitySpec struct {
	Paragraph string `yaml:"paragraph"`
	Text      string `yaml:"text"`
}

type numberingSpec struct {
	Paragraph string `yaml:"paragraph"`
	Pattern   string `yaml:"pattern"`
	SeqWidth  int    `yaml:"seq_width"`
}

type recallSpec struct {
	ID            string   `yaml:"id"`
	Number        int      `yaml:"number"`
	Paragraph     string   `yaml:"paragraph"`
	Text          string   `yaml:"text"`
	MandatoryOnly bool     `yaml:"mandatory_only"`
	Kinds         []string `yaml:"kinds"`
}

// Problem is one defect of an edition file: the field path and what is wrong with it.
type Problem struct {
	Path    string // e.g. periods.sign_contract.amount
	Message string // e.g. must be >= 1
}

// EditionError reports every problem found in an edition file. Its text has one line per problem:
// "policy <edition>: <path>: <message>".
type EditionError struct {
	Edition  string
	Problems []Problem
}

// Error implements error.
func (e *EditionError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = fmt.Sprintf("policy %s: %s: %s", e.Edition, p.Path, p.Message)
	}
	return strings.Join(lines, "\n")
}

type checker struct {
	problems []Problem
}

func (c *checker) add(path, format string, args ...any) {
	c.problems = append(c.problems, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) required(path, value string) {
	if strings.TrimSpace(value) == "" {
		c.add(path, "missing")
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// Parse checks an edition file and builds the Edition. name is the edition id the file must
// declare (the embedded files are named <id>.yaml). Every problem is reported, each naming its
// field path; the error is an *EditionError.
func Parse(name string, data []byte) (*Edition, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, &EditionError{Edition: name, Problems: []Problem{{Path: "(file)", Message: err.Error()}}}
	}
	c := &checker{}
	lines := &lineIndex{path: map[int]string{}, scalar: map[int]bool{}}
	checkKeys(c, docRoot(&root), reflect.TypeFor[specFile](), "", lines)

	var spec specFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&spec); err != nil {
		addDecodeError(c, err, lines)
		// Unknown keys are already reported with their path; the decoder's own message adds nothing.
		return nil, &EditionError{Edition: name, Problems: c.problems}
	}
	if len(c.problems) > 0 {
		return nil, &EditionError{Edition: name, Problems: c.problems}
	}
	e := validate(c, name, &spec, docRoot(&root))
	if len(c.problems) > 0 {
		return nil, &EditionError{Edition: name, Problems: c.problems}
	}
	return e, nil
}

func docRoot(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		return n.Content[0]
	}
	return n
}

// checkKeys walks the YAML tree along the spec type and reports every key the type does not have,
// with its path; it records the path of every value's line so decoder errors can name the field.
func checkKeys(c *checker, n *yaml.Node, t reflect.Type, path string, lines *lineIndex) {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	lines.record(n, path)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return
		}
		fields := map[string]reflect.Type{}
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name != "" && name != "-" {
				fields[name] = f.Type
			}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			ft, ok := fields[key]
			if !ok {
				c.add(join(path, key), "unknown key")
				continue
			}
			checkKeys(c, n.Content[i+1], ft, join(path, key), lines)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			checkKeys(c, n.Content[i+1], t.Elem(), join(path, n.Content[i].Value), lines)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return
		}
		for i, item := range n.Content {
			checkKeys(c, item, t.Elem(), fmt.Sprintf("%s[%d]", path, i), lines)
		}
	}
}

// lineIndex names the field on each line of a file, for decoder errors that give only a line.
type lineIndex struct {
	path   map[int]string
	scalar map[int]bool
}

// record names line n.Line after path: the first scalar value on the line wins, else the first
// collection that starts on it.
func (l *lineIndex) record(n *yaml.Node, path string) {
	if path == "" || l.scalar[n.Line] {
		return
	}
	if _, seen := l.path[n.Line]; seen && n.Kind != yaml.ScalarNode {
		return
	}
	l.path[n.Line] = path
	l.scalar[n.Line] = n.Kind == yaml.ScalarNode
}

var lineRE = regexp.MustCompile(`^line (\d+): (.*)$`)

// addDecodeError reports a decoder error, naming the field of each line it mentions.
func addDecodeError(c *checker, err error, lines *lineIndex) {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		c.add("(file)", "%v", err)
		return
	}
	for _, msg := range te.Errors {
		m := lineRE.FindStringSubmatch(msg)
		if m == nil {
			c.add("(file)", "%s", msg)
			continue
		}
		if strings.Contains(m[2], " not found in type ") {
			continue // an unknown key, reported by checkKeys with its path
		}
		n, _ := strconv.Atoi(m[1])
		path, ok := lines.path[n]
		if !ok {
			path = "line " + m[1]
		}
		c.add(path, "%s", m[2])
	}
}

// keyOrder returns the keys of the mapping under top-level key, in file order.
func keyOrder(root *yaml.Node, key string) []string {
	if root.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != key {
			continue
		}
		m := root.Content[i+1]
		var keys []string
		for j := 0; j+1 < len(m.Content); j += 2 {
			keys = append(keys, m.Content[j].Value)
		}
		return keys
	}
	return nil
}

var (
	idRE   = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	dateRE = regexp.MustCompile(`^(\d{2})-(\d{2})$`)
	hhmmRE = regexp.MustCompile(`^(\d{2}):(\d{2})$`)
)

func validate(c *checker, name string, s *specFile, root *yaml.Node) *Edition {
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
	m := hhmmRE.FindStringSubmatch(s)
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
	}
}

func validateFlags(c *checker, e *Edition, s *specFile, root *yaml.Node) {
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
		e.flags = append(e.flags, Flag{ID: id, Paragraph: f.Paragraph, Meaning: f.Meaning})
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

func validateDocuments(c *checker, e *Edition, s *specFile, root *yaml.Node) {
	if len(s.Documents) == 0 {
		c.add("documents", "missing")
	}
	annex3 := map[int]string{}
	for _, id := range keyOrder(root, "documents") {
		d := s.Documents[id]
		p := "documents." + id
		if !idRE.MatchString(id) {
			c.add(p, "id must match %s", idRE)
		}
		if d == nil {
			c.add(p, "missing")
			continue
		}
		c.required(p+".title", d.Title)
		c.required(p+".paragraph", d.Paragraph)
		if d.Group != GroupPackage && d.Group != GroupCase {
			c.add(p+".group", "must be %s or %s, not %q", GroupPackage, GroupCase, d.Group)
		}
		if d.Annex3 < 0 {
			c.add(p+".annex3", "must be >= 1")
		} else if d.Annex3 > 0 {
			if other, dup := annex3[d.Annex3]; dup {
				c.add(p+".annex3", "number %d already used by %s", d.Annex3, other)
			}
			annex3[d.Annex3] = id
		}
		e.documents = append(e.documents, Document{ID: id, Title: d.Title, Paragraph: d.Paragraph, Group: d.Group, Annex3: d.Annex3})
	}
	for n := 1; n <= len(annex3); n++ {
		if _, ok := annex3[n]; !ok {
			c.add("documents", "Annex 3 numbers must run 1..%d without a gap; %d is missing", len(annex3), n)
		}
	}
}

func validatePeriods(c *checker, e *Edition, s *specFile, root *yaml.Node) {
	for _, step := range stepKeys {
		if _, ok := s.Periods[step]; !ok {
			c.add("periods."+step, "missing")
		}
	}
	for _, step := range keyOrder(root, "periods") {
		ps := s.Periods[step]
		p := "periods." + step
		if !slices.Contains(stepKeys, step) {
			c.add(p, "unknown step (known: %s)", strings.Join(stepKeys, ", "))
			continue
		}
		if ps == nil {
			c.add(p, "missing")
			continue
		}
		c.required(p+".title", ps.Title)
		c.required(p+".paragraph", ps.Paragraph)
		c.required(p+".starts", ps.Starts)
		per := Period{
			Step: step, Title: ps.Title, Paragraph: ps.Paragraph, Unit: Unit(ps.Unit), Starts: ps.Starts,
			OfficeReceipt: ps.OfficeReceipt, Actor: Actor(ps.Actor), Lapse: Lapse(ps.Lapse),
			Requires: slices.Clone(ps.Requires), Replaces: ps.Replaces, If: ps.If, Extends: ps.Extends, Note: ps.Note,
		}
		if !slices.Contains(actors, per.Actor) {
			c.add(p+".actor", "must be one of %v, not %q", actors, ps.Actor)
		}
		if !slices.Contains(lapses, per.Lapse) {
			c.add(p+".lapse", "must be one of %v, not %q", lapses, ps.Lapse)
		}
		switch per.Unit {
		case WorkingDays, CalendarDays, Years:
			checkAmount(c, p+".amount", ps.Amount)
			if ps.Amount != nil {
				per.Amount = *ps.Amount
			}
			if ps.Date != "" {
				c.add(p+".date", "only for unit calendar_date")
			}
		case CalendarDate:
			if ps.Amount != nil {
				c.add(p+".amount", "not used with unit calendar_date (give date)")
			}
			m := dateRE.FindStringSubmatch(ps.Date)
			if m == nil {
				c.add(p+".date", "missing or not a date of the year (MM-DD): %q", ps.Date)
				break
			}
			month, _ := strconv.Atoi(m[1])
			day, _ := strconv.Atoi(m[2])
			if month < 1 || month > 12 || day < 1 || day > daysIn(time.Month(month)) {
				c.add(p+".date", "no such date: %q", ps.Date)
				break
			}
			per.Month, per.Day = time.Month(month), day
		default:
			c.add(p+".unit", "must be one of %v, not %q", units, ps.Unit)
		}
		switch {
		case per.Unit == WorkingDays:
			if ps.NextWorkingDay != nil {
				c.add(p+".next_working_day", "not used with unit working_days (it always ends on a working day)")
			}
			per.NextWorkingDay = true
		case ps.NextWorkingDay == nil:
			c.add(p+".next_working_day", "missing: say whether a date on a day off moves to the next working day")
		default:
			per.NextWorkingDay = *ps.NextWorkingDay
		}
		for i, doc := range ps.Requires {
			s.checkDocument(c, fmt.Sprintf("%s.requires[%d]", p, i), doc)
		}
		if (ps.Replaces == "") != (ps.If == "") {
			c.add(p, "replaces and if go together")
		}
		if ps.Replaces != "" {
			if rp, ok := s.Periods[ps.Replaces]; !ok {
				c.add(p+".replaces", "unknown step %q (not declared under periods)", ps.Replaces)
			} else if rp != nil && rp.Replaces != "" {
				c.add(p+".replaces", "step %q itself replaces another step", ps.Replaces)
			}
		}
		s.checkFlag(c, p+".if", ps.If)
		if ps.Extends != "" {
			if base, ok := s.Periods[ps.Extends]; !ok {
				c.add(p+".extends", "unknown step %q (not declared under periods)", ps.Extends)
			} else if base != nil && (base.Unit != ps.Unit || base.Extends != "" || ps.Extends == step) {
				c.add(p+".extends", "step %q must be a plain period in the same unit", ps.Extends)
			}
		}
		e.periods = append(e.periods, per)
	}
}

// daysIn is the longest length of a month (February: 29), for checking a date of the year.
func daysIn(m time.Month) int {
	return time.Date(2000, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func validateRules(c *checker, e *Edition, s *specFile, root *yaml.Node) {
	if len(s.PackageRules) == 0 {
		c.add("package_rules", "missing")
	}
	required := map[string]bool{}
	for _, id := range keyOrder(root, "package_rules") {
		r := s.PackageRules[id]
		p := "package_rules." + id
		if r == nil {
			c.add(p, "missing")
			continue
		}
		c.required(p+".paragraph", r.Paragraph)
		s.checkFlag(c, p+".if", r.If)
		s.checkFlag(c, p+".unless", r.Unless)
		if len(r.Require) == 0 {
			c.add(p+".require", "missing")
		}
		for i, doc := range r.Require {
			dp := fmt.Sprintf("%s.require[%d]", p, i)
			s.checkDocument(c, dp, doc)
			if d := s.Documents[doc]; d != nil && d.Group != GroupPackage {
				c.add(dp, "document %q is not a package document", doc)
			}
			required[doc] = true
		}
		e.rules = append(e.rules, PackageRule{ID: id, Paragraph: r.Paragraph, If: r.If, Unless: r.Unless, Require: slices.Clone(r.Require), Note: r.Note})
	}
	for _, id := range keyOrder(root, "documents") {
		if d := s.Documents[id]; d != nil && d.Group == GroupPackage && !required[id] {
			c.add("documents."+id, "package document that no package rule requires")
		}
	}
	refusalIDs := map[string]bool{}
	for i, g := range s.RefusalGrounds {
		p := fmt.Sprintf("refusal_grounds[%d]", i)
		if refusalIDs[g.ID] {
			c.add(p+".id", "duplicate id %q", g.ID)
		}
		refusalIDs[g.ID] = true
		c.required(p+".id", g.ID)
		c.required(p+".paragraph", g.Paragraph)
		c.required(p+".text", g.Text)
		if g.Effect != EffectRefuseAcceptance && g.Effect != EffectRefuseService {
			c.add(p+".effect", "must be %s or %s, not %q", EffectRefuseAcceptance, EffectRefuseService, g.Effect)
		}
		e.refusals = append(e.refusals, RefusalGround(g))
	}
}

func validateKinds(c *checker, e *Edition, s *specFile, root *yaml.Node) {
	for _, k := range kindKeys {
		if _, ok := s.Kinds[k]; !ok {
			c.add("kinds."+k, "missing")
		}
	}
	for _, id := range keyOrder(root, "kinds") {
		k := s.Kinds[id]
		p := "kinds." + id
		if !slices.Contains(kindKeys, id) {
			c.add(p, "unknown kind (known: %s)", strings.Join(kindKeys, ", "))
			continue
		}
		if k == nil {
			c.add(p, "missing")
			continue
		}
		c.required(p+".title", k.Title)
		c.required(p+".paragraph", k.Paragraph)
		kind := Kind{ID: id, Title: k.Title, Paragraph: k.Paragraph, ValidityStep: k.ValidityStep}
		if k.Mandatory == nil {
			c.add(p+".mandatory", "missing")
		} else {
			kind.Mandatory = *k.Mandatory
		}
		if k.OperationRequiresCertificate == nil {
			c.add(p+".operation_requires_certificate", "missing")
		} else {
			kind.OperationRequiresCertificate = *k.OperationRequiresCertificate
		}
		if k.ValidityStep != "" {
			s.checkStep(c, p+".validity_step", k.ValidityStep)
		}
		e.kinds = append(e.kinds, kind)
	}
	for _, id := range keyOrder(root, "exemptions") {
		x := s.Exemptions[id]
		p := "exemptions." + id
		if x == nil {
			c.add(p, "missing")
			continue
		}
		c.required(p+".paragraph", x.Paragraph)
		c.required(p+".text", x.Text)
		if len(x.Kinds) == 0 {
			c.add(p+".kinds", "missing")
		}
		for i, k := range x.Kinds {
			s.checkKind(c, fmt.Sprintf("%s.kinds[%d]", p, i), k)
		}
		e.exemptions = append(e.exemptions, Exemption{ID: id, Paragraph: x.Paragraph, Text: x.Text, Kinds: slices.Clone(x.Kinds)})
	}
	for _, id := range keyOrder(root, "exclusions") {
		x := s.Exclusions[id]
		p := "exclusions." + id
		if x == nil {
			c.add(p, "missing")
			continue
		}
		c.required(p+".paragraph", x.Paragraph)
		c.required(p+".text", x.Text)
		e.exclusions = append(e.exclusions, Exclusion{ID: id, Paragraph: x.Paragraph, Text: x.Text})
	}
	for _, id := range keyOrder(root, "obligations") {
		o := s.Obligations[id]
		p := "obligations." + id
		if o == nil {
			c.add(p, "missing")
			continue
		}
		c.required(p+".paragraph", o.Paragraph)
		c.required(p+".text", o.Text)
		c.required(p+".step", o.Step)
		if o.Step != "" {
			s.checkStep(c, p+".step", o.Step)
		}
		for i, k := range o.ExceptKinds {
			s.checkKind(c, fmt.Sprintf("%s.except_kinds[%d]", p, i), k)
		}
		e.obligations = append(e.obligations, Obligation{ID: id, Paragraph: o.Paragraph, Text: o.Text, Step: o.Step, MandatoryOnly: o.MandatoryOnly, ExceptKinds: slices.Clone(o.ExceptKinds)})
	}
	if len(s.RecallGrounds) == 0 {
		c.add("recall_grounds", "missing")
	}
	recallIDs := map[string]bool{}
	for i, g := range s.RecallGrounds {
		p := fmt.Sprintf("recall_grounds[%d]", i)
		if recallIDs[g.ID] {
			c.add(p+".id", "duplicate id %q", g.ID)
		}
		recallIDs[g.ID] = true
		if g.Number != i+1 {
			c.add(p+".number", "must be %d (grounds are numbered in order from 1)", i+1)
		}
		c.required(p+".id", g.ID)
		c.required(p+".paragraph", g.Paragraph)
		c.required(p+".text", g.Text)
		for j, k := range g.Kinds {
			s.checkKind(c, fmt.Sprintf("%s.kinds[%d]", p, j), k)
		}
		e.recalls = append(e.recalls, RecallGround{ID: g.ID, Number: g.Number, Paragraph: g.Paragraph, Text: g.Text, MandatoryOnly: g.MandatoryOnly, Kinds: slices.Clone(g.Kinds)})
	}
}

func validateCertificate(c *checker, e *Edition, s *specFile) {
	cs := s.Certificate
	if cs == nil {
		c.add("certificate", "missing")
		return
	}
	if cs.Validity == nil {
		c.add("certificate.validity", "missing")
	} else {
		c.required("certificate.validity.paragraph", cs.Validity.Paragraph)
		c.required("certificate.validity.text", cs.Validity.Text)
		e.validity = CertificateValidity(*cs.Validity)
	}
	n := cs.Numbering
	if n == nil {
		c.add("certificate.numbering", "missing")
		return
	}
	c.required("certificate.numbering.paragraph", n.Paragraph)
	if strings.Count(n.Pattern, "{year}") != 1 || strings.Count(n.Pattern, "{seq}") != 1 {
		c.add("certificate.numbering.pattern", "must hold {year} and {seq} once each: %q", n.Pattern)
	} else if rest := strings.NewReplacer("{year}", "", "{seq}", "").Replace(n.Pattern); strings.ContainsAny(rest, "{}0123456789") {
		c.add("certificate.numbering.pattern", "may hold only {year}, {seq} and separators other than digits and braces: %q", n.Pattern)
	} else if strings.Index(n.Pattern, "{year}")+len("{year}") == strings.Index(n.Pattern, "{seq}") {
		c.add("certificate.numbering.pattern", "needs a separator between {year} and {seq}: %q", n.Pattern)
	}
	if n.SeqWidth < 1 || n.SeqWidth > 9 {
		c.add("certificate.numbering.seq_width", "must be between 1 and 9")
	}
	e.numbering = Numbering(*n)
}
