package policy

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	_ "time/tzdata" // Asia/Almaty must resolve on a Lambda image without zoneinfo
)

// defaultEdition is the edition new filings fall under unless configuration names another.
const defaultEdition = "rules-2016-amended-2018"

// Edition is one edition of the regulation as data. It is immutable: every accessor returns a copy.
type Edition struct {
	id          string
	title       string
	appliesFrom time.Time
	sources     []Source
	margin      Margin
	office      Office
	periods     []Period
	flags       []Flag
	documents   []Document
	rules       []PackageRule
	refusals    []RefusalGround
	kinds       []Kind
	exemptions  []Exemption
	exclusions  []Exclusion
	obligations []Obligation
	validity    CertificateValidity
	numbering   Numbering
	recalls     []RecallGround
	signatures  []SignatureRule // spec_signatures.go
	reminders   []Reminder      // reminders.go

	periodIndex   map[string]int
	documentIndex map[string]int
	kindIndex     map[string]int

	spec *specFile // the checked file, for Diff
}

// Source is an act the edition rests on.
type Source struct {
	ID       string // short name used in citations: rules, standard, law
	Title    string
	Act      string // the act's kind, issuer and number
	Date     string // the act's date, YYYY-MM-DD
	Amended  string // amendments the edition includes
	Repealed string // the act that repealed it, if any
	Seed     string // the seed file that holds its text
}

// Margin is the safety margin added to a legal period to make a callback state's timeout.
type Margin struct {
	Amount int
	Unit   Unit // WorkingDays or CalendarDays
}

// Window is a daily span of office time, [From, To) in Asia/Almaty, as "HH:MM".
type Window struct {
	From, To string
	from, to int // minutes after midnight
}

// Office holds the hours of the authority's office (standard §8).
type Office struct {
	Paragraph       string
	WorkingHours    []Window // when the office works
	AcceptanceHours []Window // when it accepts filings and issues results; working days only
	// QueueWait and Service are the longest a person filing on paper waits in the queue (standard
	// §4(2)) and is served (§4(3)); zero Minutes when the edition sets none.
	QueueWait, Service OfficeLimit
}

// OfficeLimit is a limit of minutes at the office, with its paragraph.
type OfficeLimit struct {
	Minutes   int
	Paragraph string
}

// Period is a step's statutory period.
type Period struct {
	Step           string     // stable step key, e.g. sign_contract
	Title          string     // what must be done
	Paragraph      string     // where the period comes from, e.g. §17
	Amount         int        // number of units; 0 for CalendarDate
	Unit           Unit       // WorkingDays, CalendarDays, Years or CalendarDate
	Month          time.Month // CalendarDate only
	Day            int        // CalendarDate only
	NextWorkingDay bool       // a last day that is a day off moves to the next working day
	Starts         string     // the event the period counts from, in words
	OfficeReceipt  bool       // the event is a filing received by the authority's office (standard §8)
	Actor          Actor      // who must act
	Lapse          Lapse      // what a lapse means
	Requires       []string   // documents the step is taken on (document ids)
	Replaces       string     // the step this one replaces when flag If is set
	If             string     // the flag that selects this step instead of Replaces
	Extends        string     // the step whose period this one extends (amounts add up)
	Note           string     // how the period was read, where the seed is silent or unclear
	// StartWithinDays bounds a start the parties state (§19: the contract's entry into force): at
	// most this many calendar days after the signature; 0 for no stated start.
	StartWithinDays int
}

// Limit describes the period's length in words, e.g. "5 working days" or "November 1".
func (p Period) Limit() string {
	switch p.Unit {
	case CalendarDate:
		return fmt.Sprintf("%s %d", p.Month, p.Day)
	case WorkingDays:
		return plural(p.Amount, "working day")
	case CalendarDays:
		return plural(p.Amount, "calendar day")
	case Years:
		return plural(p.Amount, "year")
	}
	return fmt.Sprintf("%d %s", p.Amount, p.Unit)
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// Flag is a fact about a filing that selects package rules or periods.
type Flag struct {
	ID        string
	Paragraph string
	Meaning   string
	// Kinds are the kinds of object the flag can describe (§19: only an information system is
	// geographically distributed); empty: any kind.
	Kinds []string
}

// Describes reports whether the flag can describe an object of kind.
func (f Flag) Describes(kind string) bool { return len(f.Kinds) == 0 || slices.Contains(f.Kinds, kind) }

// Document is a document the edition names: a package document (§13) or one made during a case.
type Document struct {
	ID        string
	Title     string
	Paragraph string
	Group     string // GroupPackage or GroupCase
	Annex3    int    // its number in Annex 3, or 0
	// Expires: the document has a term of validity (standard §10: a document whose term expired
	// refuses the acceptance); the package states its expiry (expiresOn), checked against the
	// filing date.
	Expires bool
}

// PackageRule requires documents of the package, if flag If is set and flag Unless is not.
type PackageRule struct {
	ID        string
	Paragraph string
	If        string
	Unless    string
	Require   []string // document ids
	Note      string
}

// applies reports whether the rule binds a filing with flags f.
func (r PackageRule) applies(f PackageFlags) bool {
	if r.If != "" {
		if v, _ := f.Has(r.If); !v {
			return false
		}
	}
	if r.Unless != "" {
		if v, _ := f.Has(r.Unless); v {
			return false
		}
	}
	return true
}

// Requirement is one document a filing must include, with the rule that requires it.
type Requirement struct {
	ID        string // document id
	Title     string
	Paragraph string // the rule's paragraph
	Rule      string // the package rule's id
	Annex3    int    // its number in Annex 3, or 0
}

// RefusalGround is a ground to refuse acceptance or the service (standard §10, §12).
type RefusalGround struct {
	ID        string
	Paragraph string
	Effect    string // EffectRefuseAcceptance or EffectRefuseService
	Text      string
}

// Kind is a kind of object of attestation (§5, §6).
type Kind struct {
	ID                           string
	Title                        string
	Paragraph                    string
	Mandatory                    bool   // §5: attestation is mandatory; else voluntary (§6)
	OperationRequiresCertificate bool   // §4: industrial operation only with a certificate
	ValidityStep                 string // the period that bounds its certificate; "" for the period of industrial operation (§40)
}

// Exemption frees kinds of objects from mandatory attestation in stated circumstances (§5).
type Exemption struct {
	ID        string
	Paragraph string
	Text      string
	Kinds     []string
}

// Exclusion puts objects outside the regulation altogether (§2).
type Exclusion struct {
	ID        string
	Paragraph string
	Text      string
}

// Obligation is a duty of the owner outside a case, with its period's step.
type Obligation struct {
	ID            string
	Paragraph     string
	Text          string
	Step          string
	MandatoryOnly bool     // binds mandatory objects only
	ExceptKinds   []string // kinds it never binds
}

// CertificateValidity says for how long a certificate is valid (§40).
type CertificateValidity struct {
	Paragraph string
	Text      string
}

// Numbering is the format of certificate numbers: Pattern holds {year} and {seq}; seq is zero-padded
// to SeqWidth digits and restarts every year.
type Numbering struct {
	Paragraph string
	Pattern   string
	SeqWidth  int
}

// RecallGround is a ground on which the authority recalls a certificate (§45).
type RecallGround struct {
	ID            string // stable name of the ground, e.g. changed_conditions
	Number        int
	Paragraph     string
	Text          string
	MandatoryOnly bool     // applies to mandatory objects only
	Kinds         []string // if not empty, applies to these kinds only
}

// embedded are the embedded editions by id, each checked and built on its first Load only: a
// function pays at cold start for the edition it serves, not for every edition embedded. They are
// the Go values generated from editions/*.yaml (generated.go).
var embedded = sync.OnceValues(func() (map[string]func() (*Edition, error), error) {
	out := map[string]func() (*Edition, error){}
	for id, g := range generatedEditions {
		out[id] = sync.OnceValues(func() (*Edition, error) { return fromGenerated(id, g()) })
	}
	if _, ok := out[defaultEdition]; !ok {
		return nil, fmt.Errorf("policy: default edition %s is not embedded", defaultEdition)
	}
	return out, nil
})

// Load returns the embedded edition with the given id. Each edition is parsed once, on its first
// Load; later calls are a map look-up.
func Load(id string) (*Edition, error) {
	all, err := embedded()
	if err != nil {
		return nil, err
	}
	e, ok := all[id]
	if !ok {
		return nil, fmt.Errorf("policy: unknown edition %q (known: %s)", id, strings.Join(sortedKeys(all), ", "))
	}
	return e()
}

// Default returns the id of the edition new filings fall under unless configuration names another.
func Default() string { return defaultEdition }

// Editions returns the ids of the embedded editions, sorted. It is empty if an embedded edition
// fails its check; Load then reports the problems. It parses every edition.
func Editions() []string {
	all, err := embedded()
	if err != nil {
		return nil
	}
	for _, e := range all {
		if _, err := e(); err != nil {
			return nil
		}
	}
	return sortedKeys(all)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ID returns the edition's id, e.g. rules-2016-amended-2018.
func (e *Edition) ID() string { return e.id }

// Title returns the edition's title.
func (e *Edition) Title() string { return e.title }

// AppliesFrom returns the date (00:00 Asia/Almaty) from which the edition applies to filings.
func (e *Edition) AppliesFrom() time.Time { return e.appliesFrom }

// Sources returns the acts the edition rests on.
func (e *Edition) Sources() []Source { return slices.Clone(e.sources) }

// Margin returns the safety margin added to a legal period to make a callback state's timeout.
func (e *Edition) Margin() Margin { return e.margin }

// Office returns the office hours of the authority (standard §8).
func (e *Edition) Office() Office {
	o := e.office
	o.WorkingHours = slices.Clone(o.WorkingHours)
	o.AcceptanceHours = slices.Clone(o.AcceptanceHours)
	return o
}

// Periods returns every period of the edition, in the order of the procedure.
func (e *Edition) Periods() []Period {
	out := make([]Period, len(e.periods))
	for i, p := range e.periods {
		out[i] = p.clone()
	}
	return out
}

func (p Period) clone() Period {
	p.Requires = slices.Clone(p.Requires)
	return p
}

// Period returns the period of a step; an unknown step is an error naming the known ones.
func (e *Edition) Period(step string) (Period, error) {
	i, ok := e.periodIndex[step]
	if !ok {
		return Period{}, fmt.Errorf("policy %s: unknown step %q (known: %s)", e.id, step, strings.Join(stepKeys, ", "))
	}
	return e.periods[i].clone(), nil
}

// StepFor returns the step that applies instead of step for a filing with flags f: §19 makes
// survey survey_distributed for a geographically distributed system. Otherwise it returns step.
func (e *Edition) StepFor(step string, f PackageFlags) (string, error) {
	if _, err := e.Period(step); err != nil {
		return "", err
	}
	for _, p := range e.periods {
		if p.Replaces != step {
			continue
		}
		if v, _ := f.Has(p.If); v {
			return p.Step, nil
		}
	}
	return step, nil
}

// Flags returns the flags the edition's rules test.
func (e *Edition) Flags() []Flag { return slices.Clone(e.flags) }

// Documents returns every document the edition names.
func (e *Edition) Documents() []Document { return slices.Clone(e.documents) }

// Document returns the document with the given id.
func (e *Edition) Document(id string) (Document, bool) {
	i, ok := e.documentIndex[id]
	if !ok {
		return Document{}, false
	}
	return e.documents[i], true
}

// Annex3 returns the technical documentation on information security of Annex 3, in its order.
func (e *Edition) Annex3() []Document {
	var out []Document
	for _, d := range e.documents {
		if d.Annex3 > 0 {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b Document) int { return a.Annex3 - b.Annex3 })
	return out
}

// PackageRules returns the rules that decide which documents a filing needs (§13; standard §9).
func (e *Edition) PackageRules() []PackageRule {
	out := make([]PackageRule, len(e.rules))
	for i, r := range e.rules {
		r.Require = slices.Clone(r.Require)
		out[i] = r
	}
	return out
}

// RequiredItems returns the documents a filing with flags f must include, in the order of the
// rules: §13 with Annex 3 item 7 only for cryptography, the ICT contract instead of the hardware
// and software lists, Annex 4 only with integrated objects, the identity document for individuals.
func (e *Edition) RequiredItems(f PackageFlags) []Requirement {
	var out []Requirement
	for _, r := range e.rules {
		if !r.applies(f) {
			continue
		}
		for _, id := range r.Require {
			d, _ := e.Document(id)
			out = append(out, Requirement{ID: id, Title: d.Title, Paragraph: r.Paragraph, Rule: r.ID, Annex3: d.Annex3})
		}
	}
	return out
}

// RefusalGrounds returns the grounds to refuse acceptance or the service (standard §10, §12).
func (e *Edition) RefusalGrounds() []RefusalGround { return slices.Clone(e.refusals) }

// Kinds returns the kinds of objects of attestation.
func (e *Edition) Kinds() []Kind { return slices.Clone(e.kinds) }

// Kind returns the kind with the given id; an unknown kind is an error.
func (e *Edition) Kind(id string) (Kind, error) {
	i, ok := e.kindIndex[id]
	if !ok {
		return Kind{}, fmt.Errorf("policy %s: unknown object kind %q (known: %s)", e.id, id, strings.Join(kindKeys, ", "))
	}
	return e.kinds[i], nil
}

// Exemptions returns the §5 exemptions from mandatory attestation.
func (e *Edition) Exemptions() []Exemption {
	out := make([]Exemption, len(e.exemptions))
	for i, x := range e.exemptions {
		x.Kinds = slices.Clone(x.Kinds)
		out[i] = x
	}
	return out
}

// ExemptionsFor returns the exemptions that may free an object of the given kind.
func (e *Edition) ExemptionsFor(kind string) ([]Exemption, error) {
	if _, err := e.Kind(kind); err != nil {
		return nil, err
	}
	var out []Exemption
	for _, x := range e.Exemptions() {
		if slices.Contains(x.Kinds, kind) {
			out = append(out, x)
		}
	}
	return out, nil
}

// Exclusions returns what lies outside the regulation (§2: state secrets).
func (e *Edition) Exclusions() []Exclusion { return slices.Clone(e.exclusions) }

// Obligations returns the owner's duties outside a case (§11, §42).
func (e *Edition) Obligations() []Obligation {
	out := make([]Obligation, len(e.obligations))
	for i, o := range e.obligations {
		o.ExceptKinds = slices.Clone(o.ExceptKinds)
		out[i] = o
	}
	return out
}

// ObligationsFor returns the obligations that bind an object of the given kind.
func (e *Edition) ObligationsFor(kind string) ([]Obligation, error) {
	k, err := e.Kind(kind)
	if err != nil {
		return nil, err
	}
	var out []Obligation
	for _, o := range e.Obligations() {
		if (o.MandatoryOnly && !k.Mandatory) || slices.Contains(o.ExceptKinds, kind) {
			continue
		}
		out = append(out, o)
	}
	return out, nil
}

// CertificateValidity returns how long a certificate is valid (§40).
func (e *Edition) CertificateValidity() CertificateValidity { return e.validity }

// CertificateNumbering returns the format of certificate numbers.
func (e *Edition) CertificateNumbering() Numbering { return e.numbering }

// RecallGrounds returns the grounds for recalling a certificate (§45), in their order.
func (e *Edition) RecallGrounds() []RecallGround {
	out := make([]RecallGround, len(e.recalls))
	for i, g := range e.recalls {
		g.Kinds = slices.Clone(g.Kinds)
		out[i] = g
	}
	return out
}

// RecallGroundsFor returns the recall grounds that apply to an object of the given kind.
func (e *Edition) RecallGroundsFor(kind string) ([]RecallGround, error) {
	k, err := e.Kind(kind)
	if err != nil {
		return nil, err
	}
	var out []RecallGround
	for _, g := range e.RecallGrounds() {
		if (g.MandatoryOnly && !k.Mandatory) || (len(g.Kinds) > 0 && !slices.Contains(g.Kinds, kind)) {
			continue
		}
		out = append(out, g)
	}
	return out, nil
}
