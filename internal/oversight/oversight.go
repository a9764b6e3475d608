// Package oversight is what the authority sees across all organisations: the mandatory objects
// in industrial operation without a valid certificate (§4; Law Art. 40(1), 44(3), 51(4)), and the
// annual lists of objects planned for attestation against the applications filed (§11, Annex 1).
//
// It is domain code: it reads objects, plans, cases and register entries through the interfaces
// declared here and imports no AWS package.
package oversight

import (
	"context"
	"strings"
	"time"

	"attestation/internal/attestation"
	"attestation/internal/objects"
	"attestation/internal/register"
)

// ObjectsInStage reads the objects of every organisation in a life-cycle stage.
type ObjectsInStage interface {
	// ObjectsInStage returns every object whose life-cycle stage is stage, in any order.
	ObjectsInStage(ctx context.Context, stage objects.Stage) ([]objects.Object, error)
}

// PlansOfYear reads the annual lists of every organisation for a year.
type PlansOfYear interface {
	// PlansOf returns every organisation's list of objects planned for attestation in year (its
	// latest revision), in any order.
	PlansOf(ctx context.Context, year int) ([]objects.Plan, error)
}

// CasesFiledIn reads the applications filed in a year.
type CasesFiledIn interface {
	// CasesFiledIn returns every case submitted in year, the year counted in Asia/Almaty, in any
	// order. Only what identifies the application is needed: ID, OrganizationBIN, ObjectID,
	// ObjectName, ObjectKind, Edition, Stage and SubmittedAt.
	CasesFiledIn(ctx context.Context, year int) ([]attestation.Case, error)
}

// EntriesOfOwner reads the register entries of an owner.
type EntriesOfOwner interface {
	// EntriesOf returns the register entries (§29) of the certificates of the owner bin, each at
	// its current revision, in any order.
	EntriesOf(ctx context.Context, bin string) ([]register.Entry, error)
}

// Store is everything the oversight reports read (DynamoDB in AWS: internal/dynamostore).
type Store interface {
	ObjectsInStage
	PlansOfYear
	CasesFiledIn
	EntriesOfOwner
}

// Reason says why an object in industrial operation has no valid certificate.
type Reason string

// The reasons, from the certificate the register holds for the object (its latest, when several).
const (
	NoCertificate Reason = "no_certificate" // the register has no certificate of the object
	Recalled      Reason = "recalled"       // its certificate was recalled (§45)
	Expired       Reason = "expired"        // its certificate's term ended (§40-§41)
	Terminated    Reason = "terminated"     // the register marks its certificate terminated (§45(5))
)

// Reasons lists every Reason.
var Reasons = []Reason{NoCertificate, Recalled, Expired, Terminated}

// Unattested is a mandatory object in industrial operation without a valid certificate: one row
// of the report of §4.
type Unattested struct {
	ObjectID   string
	ObjectName string
	Kind       string
	OwnerBIN   string
	Stage      objects.Stage
	// Since is when the object is known to be in this stage: the registration that declared it
	// (an object's stage is declared when it is registered and not changed since).
	Since time.Time
	// Paragraph is the rule the row rests on: §4 (Law Art. 51(4) under the Law's edition) when
	// the kind's industrial operation needs a certificate, else the paragraph making the kind's
	// attestation mandatory (e.g. §5(2)), which does not condition its operation.
	Paragraph                    string
	OperationRequiresCertificate bool
	Reason                       Reason
	// Certificate is the number of the certificate the reason is about ("" for NoCertificate);
	// ReasonAt is when it was recalled, expired or terminated, when the register says.
	Certificate string
	ReasonAt    *time.Time
	Edition     string // the policy edition the object's kind was read from
}

// OperationReport is the report of §4 at a moment.
type OperationReport struct {
	At   time.Time
	Rows []Unattested
}

// PlannedWithoutApplication is a mandatory object an organisation planned for attestation in a
// year (a row of its Annex 1 list) for which no application was filed that year.
type PlannedWithoutApplication struct {
	OwnerBIN       string
	ObjectID       string
	ObjectName     string
	LifeCycleStage objects.Stage
	PlannedDate    string
	PlanRevision   int
	PlanLate       bool // the list's first submission came after its due moment (§11)
	Paragraph      string
}

// ApplicationWithoutPlan is an application filed in a year for a mandatory object that no list
// of that year names.
type ApplicationWithoutPlan struct {
	CaseID      string
	OwnerBIN    string
	ObjectID    string // "" when the filing did not name a registered object
	ObjectName  string
	ObjectKind  string
	SubmittedAt time.Time
	Stage       attestation.Stage
	// PlanSent says whether the organisation sent a list for the year at all (one that does not
	// name the object) or none.
	PlanSent  bool
	Paragraph string
}

// PlanReport is the year's lists of objects planned for attestation against the applications
// filed that year (§11, Annex 1).
type PlanReport struct {
	Year                      int
	PlannedWithoutApplication []PlannedWithoutApplication
	ApplicationsWithoutPlan   []ApplicationWithoutPlan
}

// normalName is how object names are compared when no object ID links two records: case does
// not matter and runs of white space count as one space.
func normalName(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }
