package objects

import (
	"fmt"
	"strings"
	"time"

	"attestation/internal/apperr"

	"attestation/internal/attestation"
)

// The paragraphs the checks name (apperr.Problem.Rule).
const (
	ruleAnnualPlan = "§11, Annex 1"
	ruleKind       = "§5, §6"
	ruleStage      = "seed 004 §3, Law Art. 39"
	ruleRegister   = "§29"
	// Annex 1, column 6: the details of the act of testing of the object.
	ruleTestingAct = "§11, Annex 1 (column 6)"
	// Law Art. 40.1: industrial operation only with an act with a positive result of testing.
	ruleTestingActRequired = "Law Art. 40.1, Annex 1 (column 6)"
)

// Limits of the fields.
const (
	MaxNameLength       = 500 // name and developer, in characters
	MaxActNumberLength  = 100
	MaxPlanRows         = 500
	idPrefix            = "O-"
	idHexDigits         = 16
	plannedDateFieldFmt = "YYYY-MM-DD"
)

// wellFormedID reports whether id has the shape of an object ID: "O-" and 16 lowercase
// hexadecimal digits.
func wellFormedID(id string) bool { return attestation.HasIDShape(id, idPrefix, idHexDigits) }

// clean trims a text field.
func clean(s string) string { return strings.TrimSpace(s) }

// textProblem is the problem of a required text field, or "" when it is fine.
func textProblem(s string, max int) string { return attestation.TextProblem(s, max, false) }

// checkRegistration returns every problem of a registration.
func (s *Service) checkRegistration(in Registration) []apperr.Problem {
	var ps []apperr.Problem
	add := func(field, rule, msg string) {
		ps = append(ps, apperr.Problem{Field: field, Rule: rule, Message: msg})
	}
	if m := textProblem(in.Name, MaxNameLength); m != "" {
		add("name", ruleRegister, "the object's name is "+m)
	}
	if m := textProblem(in.Developer, MaxNameLength); m != "" {
		add("developer", ruleRegister, "the object's developer is "+m)
	}
	if _, err := s.edition.Kind(in.Kind); err != nil {
		add("kind", ruleKind, fmt.Sprintf("%q is not a kind of object of the policy edition %s; one of %s", in.Kind, s.edition.ID(), strings.Join(s.kindIDs(), ", ")))
	}
	if !in.LifeCycleStage.Valid() {
		add("lifeCycleStage", ruleStage, fmt.Sprintf("%q is not a life-cycle state; one of %s", in.LifeCycleStage, stageList()))
	}
	return ps
}

func (s *Service) kindIDs() []string {
	var ids []string
	for _, k := range s.edition.Kinds() {
		ids = append(ids, k.ID)
	}
	return ids
}

func stageList() string {
	names := make([]string, len(Stages))
	for i, st := range Stages {
		names[i] = string(st)
	}
	return strings.Join(names, ", ")
}

// parseDate reads a civil date, YYYY-MM-DD exactly.
func parseDate(s string) (time.Time, bool) {
	if len(s) != len(time.DateOnly) {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, s)
	return t, err == nil
}

// checkRows checks the rows of year's list sent by the organisation bin on the date today
// (YYYY-MM-DD, Kazakhstan), against the objects known by ID; it returns the rows to store and
// every problem.
//
// The act of testing (Annex 1, column 6) follows the object's life-cycle state in the row: an
// object in creation has none yet; in trial operation or testing it may have one; in industrial
// operation or development it must (Law Art. 40.1: industrial operation only with an act with a
// positive result of testing). An object whose operation has terminated is not planned for
// attestation.
func checkRows(in PlanInput, year int, bin string, known map[string]Object, today string) ([]PlannedObject, []apperr.Problem) {
	var ps []apperr.Problem
	add := func(field, rule, format string, args ...any) {
		ps = append(ps, apperr.Problem{Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)})
	}
	if len(in.Rows) == 0 {
		add("rows", ruleAnnualPlan, "the list names no object: it lists each object planned for attestation in %d", year)
		return nil, ps
	}
	if len(in.Rows) > MaxPlanRows {
		add("rows", ruleAnnualPlan, "at most %d objects in one list, got %d", MaxPlanRows, len(in.Rows))
		return nil, ps
	}
	seen := map[string]int{}
	rows := make([]PlannedObject, 0, len(in.Rows))
	for i, r := range in.Rows {
		f := func(name string) string { return fmt.Sprintf("rows[%d].%s", i, name) }
		o, ok := known[r.ObjectID]
		switch {
		case clean(r.ObjectID) == "":
			add(f("objectId"), ruleAnnualPlan, "required: the ID of one of your organisation's registered objects")
		case !ok || o.OrganizationBIN != bin:
			// Another organisation's object reads exactly like one that does not exist.
			add(f("objectId"), ruleAnnualPlan, "no object %q among your organisation's registered objects; register it first (POST /objects)", r.ObjectID)
		default:
			if j, dup := seen[r.ObjectID]; dup {
				add(f("objectId"), ruleAnnualPlan, "the object is already listed at rows[%d]: one row per object", j)
			} else {
				seen[r.ObjectID] = i
			}
		}
		if !r.LifeCycleStage.Valid() {
			add(f("lifeCycleStage"), ruleStage, "%q is not a life-cycle state; one of %s", r.LifeCycleStage, stageList())
		} else if r.LifeCycleStage == StageTerminated {
			add(f("lifeCycleStage"), ruleAnnualPlan, "an object whose operation has terminated is not planned for attestation")
		}
		if d, okDate := parseDate(r.PlannedDate); !okDate {
			add(f("plannedDate"), ruleAnnualPlan, "%q is not a date %s", r.PlannedDate, plannedDateFieldFmt)
		} else if d.Year() != year {
			add(f("plannedDate"), ruleAnnualPlan, "%s is not in %d: the list is of the objects planned for attestation in its year", r.PlannedDate, year)
		}
		switch act := r.TestingAct; {
		case act == nil:
			if r.LifeCycleStage == StageIndustrialOperation || r.LifeCycleStage == StageDevelopment {
				add(f("testingAct"), ruleTestingActRequired, "an object in %s has an act with a positive result of testing: give its number and date", r.LifeCycleStage)
			}
		case r.LifeCycleStage == StageCreation:
			add(f("testingAct"), ruleTestingAct, "an object in creation has no act of testing yet: leave testingAct out")
		default:
			if m := textProblem(act.Number, MaxActNumberLength); m != "" {
				add(f("testingAct.number"), ruleTestingAct, "the act's number is %s", m)
			}
			if _, okDate := parseDate(act.Date); !okDate {
				add(f("testingAct.date"), ruleTestingAct, "%q is not a date %s", act.Date, plannedDateFieldFmt)
			} else if act.Date > today {
				add(f("testingAct.date"), ruleTestingAct, "%s is after today (%s): an act is dated when it is drawn up", act.Date, today)
			}
		}
		row := PlannedObject{ObjectID: r.ObjectID, ObjectName: o.Name, Mandatory: o.Mandatory, LifeCycleStage: r.LifeCycleStage, PlannedDate: r.PlannedDate}
		if r.TestingAct != nil {
			row.TestingAct = &TestingAct{Number: clean(r.TestingAct.Number), Date: r.TestingAct.Date}
		}
		rows = append(rows, row)
	}
	return rows, ps
}
