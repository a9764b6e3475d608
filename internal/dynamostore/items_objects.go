package dynamostore

import (
	"strconv"
	"time"

	"attestation/internal/objects"
)

// The objects family (§5, §6, §11, Annex 1): objects of informatization and annual plans.

// objectItem is an object of informatization as stored. ReplaceObject's condition reads
// object.LifeCycleStage.
type objectItem struct {
	keys
	Type   string       `dynamodbav:"type"` // "object"
	Object storedObject `dynamodbav:"object"`
}

// storedObject is the object item's map attribute object (objects.Object).
type storedObject struct {
	ID              string           `dynamodbav:"ID"`
	OrganizationBIN string           `dynamodbav:"OrganizationBIN"`
	Kind            string           `dynamodbav:"Kind"`
	Name            string           `dynamodbav:"Name"`
	Developer       string           `dynamodbav:"Developer"`
	LifeCycleStage  string           `dynamodbav:"LifeCycleStage"`
	Mandatory       bool             `dynamodbav:"Mandatory"`
	Edition         string           `dynamodbav:"Edition"`
	RegisteredAt    time.Time        `dynamodbav:"RegisteredAt"`
	RegisteredBy    string           `dynamodbav:"RegisteredBy"`
	StageSince      time.Time        `dynamodbav:"StageSince"` // absent on objects stored before it was kept
	Stages          []storedLifeStep `dynamodbav:"Stages"`     // absent likewise
}

// storedLifeStep is one recorded life-cycle state of an object (objects.StageRecord).
type storedLifeStep struct {
	Stage      string    `dynamodbav:"Stage"`
	Since      time.Time `dynamodbav:"Since"`
	RecordedBy string    `dynamodbav:"RecordedBy"`
}

// toObjectItem is o as stored, in the owner's ORGOBJ partition of the by-owner index and in the
// oversight index under its life-cycle stage.
func toObjectItem(o objects.Object) objectItem {
	it := objectItem{keys: keys{PK: objectPK(o.ID), SK: "OBJ",
		GSI1PK: orgObjectsPK(o.OrganizationBIN), GSI1SK: "OBJ#" + sortTime(o.RegisteredAt) + "#" + o.ID},
		Type: "object",
		Object: storedObject{ID: o.ID, OrganizationBIN: o.OrganizationBIN, Kind: o.Kind, Name: o.Name, Developer: o.Developer,
			LifeCycleStage: string(o.LifeCycleStage), Mandatory: o.Mandatory, Edition: o.Edition, RegisteredAt: o.RegisteredAt,
			RegisteredBy: o.RegisteredBy, StageSince: o.StageSince,
			Stages: mapSlice(o.Stages, func(r objects.StageRecord) storedLifeStep {
				return storedLifeStep{Stage: string(r.Stage), Since: r.Since, RecordedBy: r.RecordedBy}
			})}}
	it.GSI4PK, it.GSI4SK = stageKeys(o)
	return it
}

func (it objectItem) domain() objects.Object {
	s := it.Object
	return objects.Object{ID: s.ID, OrganizationBIN: s.OrganizationBIN, Kind: s.Kind, Name: s.Name, Developer: s.Developer,
		LifeCycleStage: objects.Stage(s.LifeCycleStage), Mandatory: s.Mandatory, Edition: s.Edition, RegisteredAt: s.RegisteredAt,
		RegisteredBy: s.RegisteredBy, StageSince: s.StageSince,
		Stages: mapSlice(s.Stages, func(r storedLifeStep) objects.StageRecord {
			return objects.StageRecord{Stage: objects.Stage(r.Stage), Since: r.Since, RecordedBy: r.RecordedBy}
		})}
}

// planItem is an organisation's list of a year as stored; revision is the plan's, for the
// conditional writes.
type planItem struct {
	keys
	Type     string     `dynamodbav:"type"` // "plan"
	Revision int        `dynamodbav:"revision"`
	Plan     storedPlan `dynamodbav:"plan"`
}

// storedPlan is the plan item's map attribute plan (objects.Plan).
type storedPlan struct {
	OrganizationBIN  string              `dynamodbav:"OrganizationBIN"`
	Year             int                 `dynamodbav:"Year"`
	Rows             []storedPlannedItem `dynamodbav:"Rows"`
	Revision         int                 `dynamodbav:"Revision"`
	DueAt            time.Time           `dynamodbav:"DueAt"`
	Paragraph        string              `dynamodbav:"Paragraph"`
	FirstSubmittedAt time.Time           `dynamodbav:"FirstSubmittedAt"`
	SubmittedAt      time.Time           `dynamodbav:"SubmittedAt"`
	SubmittedBy      string              `dynamodbav:"SubmittedBy"`
	Edition          string              `dynamodbav:"Edition"`
}

// storedPlannedItem is a row of a plan (objects.PlannedObject).
type storedPlannedItem struct {
	ObjectID       string            `dynamodbav:"ObjectID"`
	ObjectName     string            `dynamodbav:"ObjectName"`
	Mandatory      bool              `dynamodbav:"Mandatory"`
	LifeCycleStage string            `dynamodbav:"LifeCycleStage"`
	PlannedDate    string            `dynamodbav:"PlannedDate"` // YYYY-MM-DD
	TestingAct     *storedTestingAct `dynamodbav:"TestingAct"`
}

// storedTestingAct is the act of testing of a planned object (objects.TestingAct).
type storedTestingAct struct {
	Number string `dynamodbav:"Number"`
	Date   string `dynamodbav:"Date"` // YYYY-MM-DD
}

// toPlanItem is p as stored, in the owner's ORGOBJ partition of the by-owner index and in the
// oversight index under its year.
func toPlanItem(p objects.Plan) planItem {
	it := planItem{keys: keys{PK: planPK(p.OrganizationBIN, p.Year), SK: "PLAN",
		GSI1PK: orgObjectsPK(p.OrganizationBIN), GSI1SK: "PLAN#" + strconv.Itoa(p.Year)},
		Type: "plan", Revision: p.Revision,
		Plan: storedPlan{OrganizationBIN: p.OrganizationBIN, Year: p.Year, Revision: p.Revision, DueAt: p.DueAt, Paragraph: p.Paragraph,
			FirstSubmittedAt: p.FirstSubmittedAt, SubmittedAt: p.SubmittedAt, SubmittedBy: p.SubmittedBy, Edition: p.Edition,
			Rows: mapSlice(p.Rows, func(r objects.PlannedObject) storedPlannedItem {
				return storedPlannedItem{ObjectID: r.ObjectID, ObjectName: r.ObjectName, Mandatory: r.Mandatory,
					LifeCycleStage: string(r.LifeCycleStage), PlannedDate: r.PlannedDate,
					TestingAct: mapPtr(r.TestingAct, func(a objects.TestingAct) storedTestingAct {
						return storedTestingAct{Number: a.Number, Date: a.Date}
					})}
			})}}
	it.GSI4PK, it.GSI4SK = planYearKeys(p)
	return it
}

func (it planItem) domain() objects.Plan {
	s := it.Plan
	return objects.Plan{OrganizationBIN: s.OrganizationBIN, Year: s.Year, Revision: s.Revision, DueAt: s.DueAt, Paragraph: s.Paragraph,
		FirstSubmittedAt: s.FirstSubmittedAt, SubmittedAt: s.SubmittedAt, SubmittedBy: s.SubmittedBy, Edition: s.Edition,
		Rows: mapSlice(s.Rows, func(r storedPlannedItem) objects.PlannedObject {
			return objects.PlannedObject{ObjectID: r.ObjectID, ObjectName: r.ObjectName, Mandatory: r.Mandatory,
				LifeCycleStage: objects.Stage(r.LifeCycleStage), PlannedDate: r.PlannedDate,
				TestingAct: mapPtr(r.TestingAct, func(a storedTestingAct) objects.TestingAct {
					return objects.TestingAct{Number: a.Number, Date: a.Date}
				})}
		})}
}
