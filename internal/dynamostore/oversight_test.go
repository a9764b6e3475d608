package dynamostore_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/attestation"
	"attestation/internal/dynamostore"
	"attestation/internal/objects"
	"attestation/internal/register"
	"attestation/internal/signing"
)

// The oversight reads (§4; §11, Annex 1) against DynamoDB in the local stack: the sparse index
// gsi4 as the template creates it, written by the objects, plans and cases stores.

func oversightStore() *dynamostore.Oversight {
	return dynamostore.NewOversight(stack.Clients.DynamoDB, stack.Template.Tables[0].Name)
}

var kazakhstan = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Almaty")
	if err != nil {
		panic(err)
	}
	return loc
}()

// storedItem reads an item as stored.
func storedItem(t *testing.T, pk, sk string) map[string]ddbtypes.AttributeValue {
	t.Helper()
	out, err := stack.Clients.DynamoDB.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: &stack.Template.Tables[0].Name,
		Key: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: pk}, "sk": &ddbtypes.AttributeValueMemberS{Value: sk}}})
	if err != nil || out.Item == nil {
		t.Fatalf("raw item %s %s: %v", pk, sk, err)
	}
	return out.Item
}

func wantKeys(t *testing.T, item map[string]ddbtypes.AttributeValue, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got, _ := item[k].(*ddbtypes.AttributeValueMemberS); got == nil || got.Value != v {
			t.Errorf("%s = %v, want %s", k, item[k], v)
		}
	}
}

func TestOversightObjectsByStage(t *testing.T) {
	ctx := context.Background()
	s, o := objectsStore(), oversightStore()
	bin := uniqueBIN(t)
	at := time.Date(2026, 1, 15, 5, 0, 0, 0, time.UTC)
	want := map[objects.Stage][]string{}
	for i, st := range []objects.Stage{objects.StageIndustrialOperation, objects.StageTesting, objects.StageIndustrialOperation, objects.StageCreation} {
		obj := newObject(t, bin, at.Add(time.Duration(i)*time.Minute))
		obj.LifeCycleStage = st
		if err := s.CreateObject(ctx, obj); err != nil {
			t.Fatal(err)
		}
		want[st] = append(want[st], obj.ID)
		if i == 0 {
			wantKeys(t, storedItem(t, "OBJ#"+obj.ID, "OBJ"), map[string]string{"gsi4pk": "STAGE#industrial_operation", "gsi4sk": bin + "#" + obj.ID})
		}
	}
	for _, st := range objects.Stages {
		list, err := o.ObjectsInStage(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, x := range list {
			if x.OrganizationBIN == bin {
				if x.LifeCycleStage != st || x.Name != "Registry" || !x.Mandatory {
					t.Fatalf("%s: object %+v", st, x)
				}
				got = append(got, x.ID)
			}
		}
		slices.Sort(got)
		slices.Sort(want[st])
		if !slices.Equal(got, want[st]) {
			t.Errorf("%s: objects %v, want %v", st, got, want[st])
		}
	}
}

func TestOversightPlansOfAYear(t *testing.T) {
	ctx := context.Background()
	s, o := objectsStore(), oversightStore()
	binA, binB := uniqueBIN(t), uniqueBIN(t)
	at := time.Date(2026, 2, 20, 6, 0, 0, 0, time.UTC)
	for _, p := range []objects.Plan{plan(binA, 1, at), plan(binB, 1, at)} {
		if err := s.PutPlan(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	// A revision replaces the list: the year still holds one list of the organisation.
	second := plan(binA, 2, at.Add(time.Hour))
	second.Rows = second.Rows[:1]
	if err := s.PutPlan(ctx, second); err != nil {
		t.Fatal(err)
	}
	next := plan(binA, 1, at)
	next.Year = 2027
	if err := s.PutPlan(ctx, next); err != nil {
		t.Fatal(err)
	}
	wantKeys(t, storedItem(t, "PLAN#"+binA+"#2026", "PLAN"), map[string]string{"gsi4pk": "PLAN#2026", "gsi4sk": binA})

	plans, err := o.PlansOf(ctx, 2026)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]objects.Plan{}
	for _, p := range plans {
		if p.OrganizationBIN == binA || p.OrganizationBIN == binB {
			if _, twice := got[p.OrganizationBIN]; twice {
				t.Fatalf("two lists of %s in 2026", p.OrganizationBIN)
			}
			got[p.OrganizationBIN] = p
		}
	}
	if len(got) != 2 || got[binA].Revision != 2 || len(got[binA].Rows) != 1 || got[binB].Revision != 1 || len(got[binB].Rows) != 2 || got[binA].Year != 2026 {
		t.Fatalf("2026 lists %+v", got)
	}
	plans, err = o.PlansOf(ctx, 2027)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range plans {
		if p.OrganizationBIN == binA && p.Year == 2027 {
			n++
		} else if p.OrganizationBIN == binB {
			t.Fatalf("2027 holds %s's list of %d", binB, p.Year)
		}
	}
	if n != 1 {
		t.Fatalf("%d lists of %s in 2027, want 1", n, binA)
	}
}

func TestOversightCasesFiledInAYearCountedInAlmaty(t *testing.T) {
	ctx := context.Background()
	o := oversightStore()
	prefix := "S-ov-" + uniqueHex(t, 8) + "-"
	filed := func(id string, at time.Time, objectID string) attestation.Case {
		c := newCase(prefix+id, at.AddDate(0, 0, 10))
		c.SubmittedAt, c.ObjectID, c.ObjectKind = at.UTC(), objectID, "state_is"
		if err := store.Create(ctx, c, event(1, "submitted")); err != nil {
			t.Fatal(err)
		}
		return c
	}
	spring := filed("spring", time.Date(2026, 4, 10, 10, 0, 0, 0, kazakhstan), "O-0123456789abcdef")
	// 2027-01-01 01:00 in Almaty is 2026-12-31 20:00 UTC: filed in 2027.
	newYear := filed("new-year", time.Date(2027, 1, 1, 1, 0, 0, 0, kazakhstan), "")
	// 2026-12-31 23:30 in Almaty: filed in 2026.
	lastDay := filed("last-day", time.Date(2026, 12, 31, 23, 30, 0, 0, kazakhstan), "")
	wantKeys(t, storedItem(t, "CASE#"+newYear.ID, "CASE"), map[string]string{"gsi4pk": "YEAR#2027", "gsi4sk": "2026-12-31T20:00:00Z#" + newYear.ID})

	// A change of the case keeps it in its year.
	moved := spring
	moved.Version, moved.Stage, moved.OpenStep = 2, attestation.StageWithdrawn, nil
	if err := store.Update(ctx, moved); err != nil {
		t.Fatal(err)
	}
	for year, want := range map[int][]string{2026: {spring.ID, lastDay.ID}, 2027: {newYear.ID}, 2025: nil} {
		cases, err := o.CasesFiledIn(ctx, year)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range cases {
			if !strings.HasPrefix(c.ID, prefix) {
				continue
			}
			got = append(got, c.ID)
			if c.ID == spring.ID {
				// Only what identifies the application is read.
				want := attestation.Case{ID: spring.ID, OrganizationBIN: spring.OrganizationBIN, ObjectID: "O-0123456789abcdef", ObjectName: "Registry",
					ObjectKind: "state_is", Edition: spring.Edition, Stage: attestation.StageWithdrawn, SubmittedAt: spring.SubmittedAt}
				if fmt.Sprint(c) != fmt.Sprint(want) {
					t.Errorf("case as read\n%+v\nwant\n%+v", c, want)
				}
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%d: cases %v, want %v", year, got, want)
		}
	}
}

// oversightEntry stores the first revision of a register entry of bin, signed by a local key.
func oversightEntry(t *testing.T, bin, objectID, name string, status register.Status) register.Entry {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	seq, err := rand.Int(rand.Reader, big.NewInt(99999))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2031, 3, 2, 6, 0, 0, 0, time.UTC)
	e := register.Entry{Number: fmt.Sprintf("2031/%05d", seq.Int64()+1), Year: 2031, Seq: int(seq.Int64()) + 1, CaseID: "A-oversight",
		Edition: "rules-2016-amended-2018", ObjectID: objectID, ObjectName: name, ObjectKind: "state_is", Mandatory: true,
		OwnerName: "Owner", OwnerBIN: bin, Act: register.Act{Number: "ACT", Date: at}, IssuedAt: at, Status: status}
	e, err = register.Next(context.Background(), signing.NewLocal(k, "test-key"), register.Entry{}, e, at)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.PutEntry(context.Background(), e, register.Revision{Number: 1, At: at, Actor: "t", Role: "authority", What: "issued", Seal: e.Seal}); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestOversightEntriesOfAnOwner(t *testing.T) {
	ctx := context.Background()
	bin, other := uniqueBIN(t), uniqueBIN(t)
	valid := oversightEntry(t, bin, "O-0123456789abcdef", "Registry", register.Valid)
	recalled := oversightEntry(t, bin, "", "Portal", register.Recalled)
	oversightEntry(t, other, "", "Registry", register.Valid)
	// A certificate item of the owner that is not a register entry (no entry map) is not read.
	av, err := attributevalue.MarshalMap(map[string]any{"pk": "CERT#legacy-" + bin, "sk": "CERT", "gsi1pk": "ORG#" + bin, "gsi1sk": "CERT#legacy-" + bin,
		"type": "certificate", "certificate": map[string]any{"Number": "legacy"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stack.Clients.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(stack.Template.Tables[0].Name), Item: av}); err != nil {
		t.Fatal(err)
	}
	entries, err := oversightStore().EntriesOf(ctx, bin)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]register.Entry{}
	for _, e := range entries {
		got[e.Number] = e
	}
	if len(got) != 2 || got[valid.Number].ObjectID != "O-0123456789abcdef" || got[valid.Number].Status != register.Valid ||
		got[recalled.Number].Status != register.Recalled || got[recalled.Number].ObjectName != "Portal" {
		t.Fatalf("entries %v, want %s and %s", slices.Collect(maps.Keys(got)), valid.Number, recalled.Number)
	}
	if none, err := oversightStore().EntriesOf(ctx, uniqueBIN(t)); err != nil || len(none) != 0 {
		t.Fatalf("an owner without certificates: %v %v", none, err)
	}
}

// TestObjectStageChangeMovesItInTheOversightIndex: a replaced object is found under its new
// life-cycle state only (§4), and a replacement conditional on a state it no longer has is a
// conflict that writes nothing.
func TestObjectStageChangeMovesItInTheOversightIndex(t *testing.T) {
	ctx := context.Background()
	s, o := objectsStore(), oversightStore()
	bin := uniqueBIN(t)
	obj := newObject(t, bin, time.Date(2026, 2, 2, 5, 0, 0, 0, time.UTC))
	obj.LifeCycleStage = objects.StageTrialOperation
	if err := s.CreateObject(ctx, obj); err != nil {
		t.Fatal(err)
	}
	moved := obj
	moved.LifeCycleStage, moved.StageSince = objects.StageIndustrialOperation, obj.RegisteredAt.Add(72*time.Hour)
	if err := s.ReplaceObject(ctx, moved, objects.StageTrialOperation); err != nil {
		t.Fatal(err)
	}
	if err := s.ReplaceObject(ctx, obj, objects.StageTrialOperation); !errors.Is(err, attestation.ErrConflict) {
		t.Fatalf("a replacement on a stale state: %v, want ErrConflict", err)
	}
	if got, err := s.Object(ctx, obj.ID); err != nil || !reflect.DeepEqual(got, moved) {
		t.Fatalf("stored %+v %v, want %+v", got, err, moved)
	}
	wantKeys(t, storedItem(t, "OBJ#"+obj.ID, "OBJ"), map[string]string{"gsi4pk": "STAGE#industrial_operation", "gsi4sk": bin + "#" + obj.ID,
		"gsi1pk": "ORGOBJ#" + bin})
	in := func(st objects.Stage) bool {
		list, err := o.ObjectsInStage(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(list, func(x objects.Object) bool { return x.ID == obj.ID })
	}
	if !in(objects.StageIndustrialOperation) || in(objects.StageTrialOperation) {
		t.Fatalf("in industrial operation %v, in trial operation %v", in(objects.StageIndustrialOperation), in(objects.StageTrialOperation))
	}
}
