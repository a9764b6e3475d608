// Package objects keeps an organisation's objects of informatization (the systems, platform and
// Internet resources it owns or holds, §5, §6) and its annual list of objects planned for
// attestation (§11, Annex 1). It is domain code: it declares the Store it needs and imports no
// AWS package.
package objects

import (
	"context"
	"time"

	"attestation/internal/apperr"
)

// Stage is a life-cycle state of an object of informatization (seed 004 §3, Law Art. 39).
type Stage string

// The life-cycle states, in their order (seed 004 §3; Law Art. 39).
const (
	StageCreation            Stage = "creation"
	StageTrialOperation      Stage = "trial_operation"
	StageTesting             Stage = "testing"
	StageIndustrialOperation Stage = "industrial_operation"
	StageDevelopment         Stage = "development"
	StageTerminated          Stage = "terminated"
)

// Stages lists every life-cycle state, in order.
var Stages = []Stage{StageCreation, StageTrialOperation, StageTesting, StageIndustrialOperation, StageDevelopment, StageTerminated}

// Valid reports whether s is one of Stages.
func (s Stage) Valid() bool {
	for _, x := range Stages {
		if s == x {
			return true
		}
	}
	return false
}

// Object is an object of informatization an organisation registered.
type Object struct {
	ID              string
	OrganizationBIN string // the owner or holder (Annex 1, column 2)
	Kind            string // a kind of the policy edition (§5, §6)
	Name            string
	Developer       string // the register records it (§29)
	LifeCycleStage  Stage
	Mandatory       bool   // from the policy's kind: §5 mandatory, else §6 voluntary
	Edition         string // the policy edition the kind was read from
	RegisteredAt    time.Time
	RegisteredBy    string // the person (token subject)
	// StageSince is when the owner recorded the current life-cycle state: the registration, or
	// its latest change (ChangeStage). Zero on objects stored before it was kept: RegisteredAt.
	StageSince time.Time
	// Stages are the life-cycle states the owner recorded, oldest first, the current one last.
	Stages []StageRecord
}

// StageRecord is one life-cycle state of an object as its owner recorded it.
type StageRecord struct {
	Stage      Stage
	Since      time.Time
	RecordedBy string // the person (token subject)
}

// MaxStageRecords bounds an object's recorded states (they are kept in its item).
const MaxStageRecords = 100

// Since is when the object entered its current life-cycle state, as far as the system knows.
func (o Object) Since() time.Time {
	if o.StageSince.IsZero() {
		return o.RegisteredAt
	}
	return o.StageSince
}

// History is the object's recorded life-cycle states, oldest first; an object stored before they
// were kept answers its current state alone.
func (o Object) History() []StageRecord {
	if len(o.Stages) == 0 {
		return []StageRecord{{Stage: o.LifeCycleStage, Since: o.Since(), RecordedBy: o.RegisteredBy}}
	}
	return o.Stages
}

// StageChange is the owner's record that its object moved to another life-cycle state (seed 004
// §3, Law Art. 39): an object put into industrial operation needs a certificate (§4).
type StageChange struct {
	LifeCycleStage Stage `json:"lifeCycleStage"`
}

// Registration is what an applicant sends to register an object.
type Registration struct {
	Kind           string `json:"kind"`
	Name           string `json:"name"`
	Developer      string `json:"developer"`
	LifeCycleStage Stage  `json:"lifeCycleStage"`
}

// TestingAct is the act of testing of an object (Annex 1, column 6): its number and date.
type TestingAct struct {
	Number string `json:"number"`
	Date   string `json:"date"` // YYYY-MM-DD
}

// PlanRow is one row of the annual list as the applicant sends it (Annex 1, columns 3-6).
type PlanRow struct {
	ObjectID       string      `json:"objectId"`
	LifeCycleStage Stage       `json:"lifeCycleStage"`
	PlannedDate    string      `json:"plannedDate"` // YYYY-MM-DD, within the plan's year
	TestingAct     *TestingAct `json:"testingAct,omitempty"`
}

// PlanInput is the body of the annual list.
type PlanInput struct {
	Rows []PlanRow `json:"rows"`
}

// PlannedObject is a row of a stored plan: the row as sent with the object's name and kind at the
// time (Annex 1, column 3).
type PlannedObject struct {
	ObjectID       string
	ObjectName     string
	Mandatory      bool
	LifeCycleStage Stage
	PlannedDate    string
	TestingAct     *TestingAct
}

// Plan is an organisation's list of objects planned for attestation in a year (§11, Annex 1).
//
// Sending it again replaces the rows and the revision's time, and keeps the first submission's
// time: whether the plan was late is decided by its first submission, so a correction in June of
// a list sent in February does not make it late, and a late list stays late.
type Plan struct {
	OrganizationBIN  string
	Year             int
	Rows             []PlannedObject
	Revision         int       // 1 for the first submission; writes are conditional on it
	DueAt            time.Time // §11: March 1 (next working day), 23:59:59 Asia/Almaty
	Paragraph        string
	FirstSubmittedAt time.Time
	SubmittedAt      time.Time // this revision's
	SubmittedBy      string
	Edition          string
}

// Late reports whether the plan's first submission came after its due moment (§11).
func (p Plan) Late() bool { return p.FirstSubmittedAt.After(p.DueAt) }

// RevisionLate reports whether this revision came after the due moment.
func (p Plan) RevisionLate() bool { return p.SubmittedAt.After(p.DueAt) }

// Store keeps objects and plans (DynamoDB in AWS: internal/dynamostore).
type Store interface {
	// CreateObject stores a new object; ErrConflict (attestation) if its ID is taken.
	CreateObject(ctx context.Context, o Object) error
	// Object returns an object by ID; apperr.NotFound if there is none.
	Object(ctx context.Context, id string) (Object, error)
	// Objects returns the objects of ids that exist, by ID (missing ones are absent).
	Objects(ctx context.Context, ids []string) (map[string]Object, error)
	// ObjectsOf returns an organisation's objects, newest first, a page at a time (cursor "" for
	// the first; the next cursor, "" after the last page); apperr.ErrBadCursor for a cursor
	// it did not issue for that organisation.
	ObjectsOf(ctx context.Context, bin string, limit int, cursor string) ([]Object, string, error)
	// ReplaceObject stores o in place of the stored object, conditional on the stored object's
	// life-cycle state still being from; apperr.Conflict otherwise.
	ReplaceObject(ctx context.Context, o Object, from Stage) error
	// Plan returns an organisation's plan of a year; apperr.NotFound if there is none.
	Plan(ctx context.Context, bin string, year int) (Plan, error)
	// PutPlan stores p if the stored plan's revision is p.Revision-1 (no plan when p.Revision is
	// 1), in one conditional write; apperr.Conflict otherwise.
	PutPlan(ctx context.Context, p Plan) error
}

// Errors of this package; each matches an attestation sentinel, so the HTTP boundary maps it.
var (
	// ErrObjectNotFound: no such object, or (for an applicant) another organisation's.
	ErrObjectNotFound = apperr.Errorf(apperr.NotFound, "object", "no such object")
	// ErrPlanNotFound: the organisation sent no plan for the year.
	ErrPlanNotFound = apperr.Errorf(apperr.NotFound, "plan", "no plan for the year")
)
