package dynamostore

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"
	_ "time/tzdata" // Asia/Almaty wherever the process runs (AWS Lambda provided.al2023 has no zone files)

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/attestation"
	"attestation/internal/objects"
	"attestation/internal/oversight"
	"attestation/internal/register"
)

// The authority's oversight reports (§4; §11, Annex 1) read across all organisations from the
// sparse index gsi4, which only objects, plans and cases carry (docs/data-model.md):
//
//	object  gsi4 STAGE#<stage> / <bin>#<objectId>       the objects in a life-cycle stage
//	plan    gsi4 PLAN#<year>   / <bin>                  every organisation's list of a year
//	case    gsi4 YEAR#<yyyy>   / <submittedAt>#<caseId> the applications filed in a year (Asia/Almaty)
//
// and the register entries of an owner from the by-owner index (gsi1 ORG#<bin>, CERT#<number>).
// Items written before the index existed are not in it.

// IndexOversight is the sparse index of the oversight reports.
const IndexOversight = "gsi4"

// OversightAPI is the part of the DynamoDB client the oversight reads use.
type OversightAPI interface {
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Oversight reads what the authority's oversight reports need.
type Oversight struct {
	db    OversightAPI
	table string
}

var _ oversight.Store = (*Oversight)(nil)

// NewOversight returns the oversight reads on table.
func NewOversight(db OversightAPI, table string) *Oversight { return &Oversight{db: db, table: table} }

// kazakhstanTime is the zone years of filing are counted in. time/tzdata is linked in, so loading
// it does not fail; the fixed offset is Kazakhstan's single zone since 2024-03-01.
var kazakhstanTime = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("Asia/Almaty")
	if err != nil {
		return time.FixedZone("Asia/Almaty", 5*60*60)
	}
	return loc
})

// stageKeys are an object's keys in the oversight index.
func stageKeys(o objects.Object) (pk, sk string) {
	return "STAGE#" + string(o.LifeCycleStage), o.OrganizationBIN + "#" + o.ID
}

// planYearKeys are a plan's keys in the oversight index.
func planYearKeys(p objects.Plan) (pk, sk string) {
	return "PLAN#" + strconv.Itoa(p.Year), p.OrganizationBIN
}

// filedYearPK is the oversight index partition of the applications filed in year.
func filedYearPK(year int) string { return "YEAR#" + strconv.Itoa(year) }

// filedKeys are a case's keys in the oversight index: the year of its filing in Kazakhstan.
func filedKeys(c attestation.Case) (pk, sk string) {
	return filedYearPK(c.SubmittedAt.In(kazakhstanTime()).Year()), sortTime(c.SubmittedAt) + "#" + c.ID
}

func (s *Oversight) partition(pk string) *dynamodb.QueryInput {
	return &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(IndexOversight),
		KeyConditionExpression:    aws.String("gsi4pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}}}
}

// ObjectsInStage reads every organisation's objects in stage from the oversight index.
func (s *Oversight) ObjectsInStage(ctx context.Context, stage objects.Stage) ([]objects.Object, error) {
	pk, _ := stageKeys(objects.Object{LifeCycleStage: stage})
	var out []objects.Object
	err := queryAll(ctx, s.db, "objects in "+string(stage), s.partition(pk), func(it objectItem) bool { out = append(out, it.domain()); return true })
	return out, err
}

// PlansOf reads every organisation's list of year from the oversight index.
func (s *Oversight) PlansOf(ctx context.Context, year int) ([]objects.Plan, error) {
	pk, _ := planYearKeys(objects.Plan{Year: year})
	var out []objects.Plan
	err := queryAll(ctx, s.db, fmt.Sprintf("plans of %d", year), s.partition(pk), func(it planItem) bool { out = append(out, it.domain()); return true })
	return out, err
}

// filedFields are the members of a case the plans report reads: the rest of the case (its
// package, documents, steps) is left on the table.
var filedFields = []string{"ID", "OrganizationBIN", "ObjectID", "ObjectName", "ObjectKind", "Edition", "Stage", "SubmittedAt"}

// CasesFiledIn reads the applications filed in year (Asia/Almaty) from the oversight index, only
// the members that identify each.
func (s *Oversight) CasesFiledIn(ctx context.Context, year int) ([]attestation.Case, error) {
	in := s.partition(filedYearPK(year))
	in.ExpressionAttributeNames = map[string]string{"#c": "case"}
	projection := ""
	for i, f := range filedFields {
		name := "#f" + strconv.Itoa(i)
		in.ExpressionAttributeNames[name] = f
		if i > 0 {
			projection += ", "
		}
		projection += "#c." + name
	}
	in.ProjectionExpression = aws.String(projection)
	var out []attestation.Case
	err := queryAll(ctx, s.db, fmt.Sprintf("cases filed in %d", year), in, func(it caseItem) bool { out = append(out, fromItem(it)); return true })
	return out, err
}

// EntriesOf reads the register entries of the owner bin from the by-owner index: the entry items
// among its certificates (an item that carries no entry map is not one).
func (s *Oversight) EntriesOf(ctx context.Context, bin string) ([]register.Entry, error) {
	in := &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(IndexByOwner),
		KeyConditionExpression:   aws.String("gsi1pk = :pk AND begins_with(gsi1sk, :cert)"),
		FilterExpression:         aws.String("attribute_exists(#entry)"),
		ExpressionAttributeNames: map[string]string{"#entry": "entry"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: "ORG#" + bin}, ":cert": &types.AttributeValueMemberS{Value: registerPK}}}
	var out []register.Entry
	err := queryAll(ctx, s.db, "register entries of an owner", in, func(it entryItem) bool { out = append(out, it.Entry.domain()); return true })
	return out, err
}
