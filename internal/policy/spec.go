package policy

import (
	"fmt"
	"strings"
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
	Signatures            map[string]*signatureSpec  `yaml:"signatures"` // spec_signatures.go
	Reminders             map[string]*reminderSpec   `yaml:"reminders"`  // reminders.go
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
	QueueWait       *limitSpec   `yaml:"queue_wait"` // standard §4(2)
	Service         *limitSpec   `yaml:"service"`    // standard §4(3)
}

// limitSpec is a limit of minutes at the office, with its paragraph.
type limitSpec struct {
	Minutes   int    `yaml:"minutes"`
	Paragraph string `yaml:"paragraph"`
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
	// StartWithinDays bounds a start the parties state (the contract's entry into force, §19):
	// at most this many calendar days after the event that fixes it (the signature).
	StartWithinDays *int `yaml:"start_within_days"`
}

type flagSpec struct {
	Paragraph string   `yaml:"paragraph"`
	Meaning   string   `yaml:"meaning"`
	Kinds     []string `yaml:"kinds"` // the kinds of object the flag can describe; empty: any
}

type documentSpec struct {
	Title     string `yaml:"title"`
	Paragraph string `yaml:"paragraph"`
	Group     string `yaml:"group"`
	Annex3    int    `yaml:"annex3"`
	Expires   bool   `yaml:"expires"` // standard §10: the document has a term; the package states it
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
