package dynamostore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/attestation"
	"attestation/internal/calendar"
	"attestation/internal/dynamostore"
	"attestation/internal/identity"
	"attestation/internal/objects"
)

// uniqueHex is n random hexadecimal digits, so that every run (-count=2) writes new items.
func uniqueHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, (n+1)/2)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)[:n]
}

// uniqueBIN is a 12-digit number no other run uses (the store does not check the check digit).
func uniqueBIN(t *testing.T) string {
	t.Helper()
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	for i := range b {
		b[i] = '0' + b[i]%10
	}
	return string(b)
}

func objectsStore() *dynamostore.Objects {
	return dynamostore.NewObjects(stack.Clients.DynamoDB, stack.Template.Tables[0].Name)
}

func newObject(t *testing.T, bin string, at time.Time) objects.Object {
	return objects.Object{ID: "O-" + uniqueHex(t, 16), OrganizationBIN: bin, Kind: "state_is", Name: "Registry", Developer: "Operator",
		LifeCycleStage: objects.StageIndustrialOperation, Mandatory: true, Edition: "rules-2016-amended-2018", RegisteredAt: at.UTC(), RegisteredBy: "u-1"}
}

func TestObjectCreateIsConditionalAndReadsBack(t *testing.T) {
	ctx := context.Background()
	s := objectsStore()
	o := newObject(t, uniqueBIN(t), time.Date(2026, 1, 15, 5, 0, 0, 0, time.UTC))
	if err := s.CreateObject(ctx, o); err != nil {
		t.Fatal(err)
	}
	dup := o
	dup.Name = "Another"
	if err := s.CreateObject(ctx, dup); !errors.Is(err, attestation.ErrConflict) {
		t.Fatalf("a second object with the same ID: %v, want ErrConflict", err)
	}
	got, err := s.Object(ctx, o.ID)
	if err != nil || !reflect.DeepEqual(got, o) {
		t.Fatalf("read back %+v %v, want %+v", got, err, o)
	}
	if _, err := s.Object(ctx, "O-"+uniqueHex(t, 16)); !errors.Is(err, attestation.ErrNotFound) {
		t.Fatalf("a missing object: %v, want ErrNotFound", err)
	}
	// The item's keys are the documented ones (docs/data-model.md).
	item, err := stack.Clients.DynamoDB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &stack.Template.Tables[0].Name,
		Key: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "OBJ#" + o.ID}, "sk": &ddbtypes.AttributeValueMemberS{Value: "OBJ"}}})
	if err != nil || item.Item == nil {
		t.Fatalf("raw item: %v", err)
	}
	for k, want := range map[string]string{"type": "object", "gsi1pk": "ORGOBJ#" + o.OrganizationBIN, "gsi1sk": "OBJ#2026-01-15T05:00:00Z#" + o.ID} {
		if v, _ := item.Item[k].(*ddbtypes.AttributeValueMemberS); v == nil || v.Value != want {
			t.Errorf("%s = %v, want %s", k, item.Item[k], want)
		}
	}
	for _, k := range []string{"gsi2pk", "gsi3pk"} {
		if _, ok := item.Item[k]; ok {
			t.Errorf("an object carries %s", k)
		}
	}
}

func TestObjectsByIDReadsManyAndSkipsMissing(t *testing.T) {
	ctx := context.Background()
	s := objectsStore()
	bin := uniqueBIN(t)
	var ids []string
	at := time.Date(2026, 1, 15, 5, 0, 0, 0, time.UTC)
	for i := 0; i < 130; i++ { // more than one BatchGetItem
		o := newObject(t, bin, at.Add(time.Duration(i)*time.Second))
		if err := s.CreateObject(ctx, o); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, o.ID)
	}
	missing := "O-" + uniqueHex(t, 16)
	got, err := s.Objects(ctx, append(append([]string{missing}, ids...), ids[0]))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ids) {
		t.Fatalf("%d objects, want %d", len(got), len(ids))
	}
	if _, ok := got[missing]; ok {
		t.Fatal("a missing object was returned")
	}
	if got[ids[7]].ID != ids[7] || got[ids[7]].OrganizationBIN != bin {
		t.Fatalf("object %+v", got[ids[7]])
	}
	if none, err := s.Objects(ctx, nil); err != nil || len(none) != 0 {
		t.Fatalf("no IDs: %v %v", none, err)
	}
}

func TestObjectsOfAnOrganisationNewestFirstAndApartFromItsCases(t *testing.T) {
	ctx := context.Background()
	s := objectsStore()
	bin := uniqueBIN(t)
	at := time.Date(2026, 1, 15, 5, 0, 0, 0, time.UTC)
	var want []string
	for i := 0; i < 5; i++ {
		o := newObject(t, bin, at.Add(time.Duration(i)*time.Minute))
		if err := s.CreateObject(ctx, o); err != nil {
			t.Fatal(err)
		}
		want = append([]string{o.ID}, want...)
	}
	// Another organisation's object, a case and a plan of the same organisation: none is listed
	// among its objects, and no object among its cases.
	if err := s.CreateObject(ctx, newObject(t, uniqueBIN(t), at)); err != nil {
		t.Fatal(err)
	}
	c := newCase("S-objects-"+uniqueHex(t, 8), at.Add(72*time.Hour))
	c.OrganizationBIN, c.OpenStep = bin, nil // no open step: nothing in the due or role indexes
	if err := store.Create(ctx, c, event(1, "submitted")); err != nil {
		t.Fatal(err)
	}
	if err := s.PutPlan(ctx, objects.Plan{OrganizationBIN: bin, Year: 2026, Revision: 1, FirstSubmittedAt: at, SubmittedAt: at}); err != nil {
		t.Fatal(err)
	}

	var got []string
	cursor := ""
	for pages := 0; pages < 10; pages++ {
		page, next, err := s.ObjectsOf(ctx, bin, 2, cursor)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page {
			got = append(got, o.ID)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("objects %v, want %v (newest first)", got, want)
	}
	cases, _, err := store.ByOrganization(ctx, bin, 50, "")
	if err != nil || len(cases) != 1 || cases[0].ID != c.ID {
		t.Fatalf("the organisation's cases: %+v %v, want only its case", cases, err)
	}

	t.Run("a cursor of another query is refused", func(t *testing.T) {
		_, next, err := s.ObjectsOf(ctx, bin, 2, "")
		if err != nil || next == "" {
			t.Fatalf("first page: %q %v", next, err)
		}
		if _, _, err := s.ObjectsOf(ctx, uniqueBIN(t), 2, next); !errors.Is(err, attestation.ErrBadCursor) {
			t.Fatalf("another organisation's cursor: %v, want ErrBadCursor", err)
		}
		_, caseCursor, err := store.ByOrganization(ctx, bin, 1, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, cur := range []string{"Zm9yZ2Vk", caseCursor} {
			if cur == "" {
				continue
			}
			if _, _, err := s.ObjectsOf(ctx, bin, 2, cur); !errors.Is(err, attestation.ErrBadCursor) {
				t.Fatalf("cursor %q: %v, want ErrBadCursor", cur, err)
			}
		}
	})
}

func plan(bin string, rev int, at time.Time) objects.Plan {
	return objects.Plan{OrganizationBIN: bin, Year: 2026, Revision: rev, Paragraph: "§11", Edition: "rules-2016-amended-2018",
		DueAt: time.Date(2026, 3, 2, 18, 59, 59, 0, time.UTC), FirstSubmittedAt: at, SubmittedAt: at, SubmittedBy: "u-1",
		Rows: []objects.PlannedObject{{ObjectID: "O-0123456789abcdef", ObjectName: "Registry", Mandatory: true,
			LifeCycleStage: objects.StageIndustrialOperation, PlannedDate: "2026-06-15", TestingAct: &objects.TestingAct{Number: "TA-1", Date: "2025-12-20"}},
			{ObjectID: "O-fedcba9876543210", ObjectName: "Portal", LifeCycleStage: objects.StageCreation, PlannedDate: "2026-09-01"}}}
}

func TestPlanWritesAreConditionalOnTheRevision(t *testing.T) {
	ctx := context.Background()
	s := objectsStore()
	bin := uniqueBIN(t)
	at := time.Date(2026, 2, 20, 6, 0, 0, 0, time.UTC)
	if _, err := s.Plan(ctx, bin, 2026); !errors.Is(err, attestation.ErrNotFound) {
		t.Fatalf("no plan yet: %v, want ErrNotFound", err)
	}
	first := plan(bin, 1, at)
	if err := s.PutPlan(ctx, first); err != nil {
		t.Fatal(err)
	}
	if err := s.PutPlan(ctx, plan(bin, 1, at)); !errors.Is(err, attestation.ErrConflict) {
		t.Fatalf("a second first revision: %v, want ErrConflict", err)
	}
	if err := s.PutPlan(ctx, plan(bin, 3, at)); !errors.Is(err, attestation.ErrConflict) {
		t.Fatalf("a revision that skips one: %v, want ErrConflict", err)
	}
	got, err := s.Plan(ctx, bin, 2026)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Rows, first.Rows) || got.Revision != 1 || !got.DueAt.Equal(first.DueAt) ||
		!got.FirstSubmittedAt.Equal(at) || got.Paragraph != "§11" || got.Rows[0].TestingAct.Number != "TA-1" || got.Rows[1].TestingAct != nil {
		t.Fatalf("read back %+v, want %+v", got, first)
	}
	second := plan(bin, 2, at.Add(time.Hour))
	second.FirstSubmittedAt = at
	second.Rows = second.Rows[:1]
	if err := s.PutPlan(ctx, second); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Plan(ctx, bin, 2026)
	if got.Revision != 2 || len(got.Rows) != 1 || !got.FirstSubmittedAt.Equal(at) || !got.SubmittedAt.Equal(at.Add(time.Hour)) {
		t.Fatalf("second revision %+v", got)
	}
	if _, err := s.Plan(ctx, bin, 2027); !errors.Is(err, attestation.ErrNotFound) {
		t.Fatalf("another year: %v, want ErrNotFound", err)
	}
	item, err := stack.Clients.DynamoDB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &stack.Template.Tables[0].Name,
		Key: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "PLAN#" + bin + "#2026"}, "sk": &ddbtypes.AttributeValueMemberS{Value: "PLAN"}}})
	if err != nil || item.Item == nil {
		t.Fatalf("raw plan item: %v", err)
	}
	if v, _ := item.Item["revision"].(*ddbtypes.AttributeValueMemberN); v == nil || v.Value != "2" {
		t.Fatalf("revision attribute %v", item.Item["revision"])
	}
	if v, _ := item.Item["gsi1pk"].(*ddbtypes.AttributeValueMemberS); v == nil || v.Value != "ORGOBJ#"+bin {
		t.Fatalf("gsi1pk %v", item.Item["gsi1pk"])
	}
}

// TestConcurrentPlanWritesChangeItOnceEach: writers racing on the same revision — one wins, the
// others are told; through the service, every send becomes its own revision.
func TestConcurrentPlanWritesChangeItOnceEach(t *testing.T) {
	ctx := context.Background()
	s := objectsStore()
	at := time.Date(2026, 2, 20, 6, 0, 0, 0, time.UTC)

	t.Run("the same revision written at once is stored once", func(t *testing.T) {
		bin := uniqueBIN(t)
		if err := s.PutPlan(ctx, plan(bin, 1, at)); err != nil {
			t.Fatal(err)
		}
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				errs[i] = s.PutPlan(ctx, plan(bin, 2, at.Add(time.Duration(i)*time.Second)))
			}(i)
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, attestation.ErrConflict):
				t.Fatalf("unexpected error %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d writers of revision 2 succeeded, want exactly 1", won)
		}
	})

	t.Run("§11 concurrent sends through the service make one revision each", func(t *testing.T) {
		cal := calendarForTest(t)
		svc, err := objects.NewService(s, cal, "rules-2016-amended-2018")
		if err != nil {
			t.Fatal(err)
		}
		bin := validBIN(t)
		actor := applicantOf(bin)
		o, err := svc.Register(ctx, actor, objects.Registration{Kind: "state_is", Name: "Registry", Developer: "Operator", LifeCycleStage: objects.StageCreation}, at)
		if err != nil {
			t.Fatal(err)
		}
		const n = 8
		var wg sync.WaitGroup
		revs := make([]int, n)
		errs := make([]error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				p, err := svc.PutPlan(ctx, actor, 2026, objects.PlanInput{Rows: []objects.PlanRow{{ObjectID: o.ID, LifeCycleStage: objects.StageCreation, PlannedDate: "2026-10-01"}}}, at.Add(time.Duration(i)*time.Second))
				revs[i], errs[i] = p.Revision, err
			}(i)
		}
		wg.Wait()
		seen := map[int]bool{}
		for i := range revs {
			if errs[i] != nil {
				t.Fatalf("send %d: %v", i, errs[i])
			}
			if seen[revs[i]] {
				t.Fatalf("revision %d given twice: %v", revs[i], revs)
			}
			seen[revs[i]] = true
		}
		got, err := s.Plan(ctx, bin, 2026)
		if err != nil || got.Revision != n {
			t.Fatalf("stored revision %d (%v), want %d", got.Revision, err, n)
		}
	})
}

// TestTheOrganisationsObjectPartitionHoldsObjectsAndPlansOnly: the by-owner index partition
// ORGOBJ#<bin> holds an organisation's objects and plans, nothing else (docs/data-model.md).
func TestTheOrganisationsObjectPartitionHoldsObjectsAndPlansOnly(t *testing.T) {
	ctx := context.Background()
	s := objectsStore()
	bin := uniqueBIN(t)
	at := time.Date(2026, 1, 15, 5, 0, 0, 0, time.UTC)
	if err := s.CreateObject(ctx, newObject(t, bin, at)); err != nil {
		t.Fatal(err)
	}
	if err := s.PutPlan(ctx, plan(bin, 1, at)); err != nil {
		t.Fatal(err)
	}
	out, err := stack.Clients.DynamoDB.Query(ctx, &dynamodb.QueryInput{TableName: &stack.Template.Tables[0].Name, IndexName: aws.String(dynamostore.IndexByOwner),
		KeyConditionExpression:    aws.String("gsi1pk = :pk"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":pk": &ddbtypes.AttributeValueMemberS{Value: "ORGOBJ#" + bin}}})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, it := range out.Items {
		if v, ok := it["type"].(*ddbtypes.AttributeValueMemberS); ok {
			kinds[v.Value]++
		}
	}
	if len(out.Items) != 2 || kinds["object"] != 1 || kinds["plan"] != 1 {
		t.Fatalf("partition ORGOBJ#<bin> holds %v", kinds)
	}
}

func calendarForTest(t *testing.T) *calendar.Calendar {
	t.Helper()
	cal, err := calendar.Kazakhstan()
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

// validBIN is a random BIN with its check digit, for an organisation no other run uses.
func validBIN(t *testing.T) string {
	t.Helper()
	for {
		if b := uniqueBIN(t); attestation.ValidIdentityNumber(b) == nil {
			return b
		}
	}
}

func applicantOf(bin string) identity.Actor {
	return identity.Actor{Subject: "u-" + bin, Role: identity.Applicant, BIN: bin}
}

// TestARepeatedCreateOfTheSameObjectIsNoConflict: the SDK repeats a PutItem whose answer it lost;
// the repeat finds the very item it wrote, which is no conflict (another object under the ID is).
func TestARepeatedCreateOfTheSameObjectIsNoConflict(t *testing.T) {
	ctx := context.Background()
	s := objectsStore()
	o := newObject(t, uniqueBIN(t), time.Date(2026, 1, 15, 5, 0, 0, 0, time.UTC))
	for i := 0; i < 2; i++ {
		if err := s.CreateObject(ctx, o); err != nil {
			t.Fatalf("create %d: %v", i+1, err)
		}
	}
}
