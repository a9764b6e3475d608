package dynamostore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/audit"
	"attestation/internal/dynamostore"
)

func auditStore() *dynamostore.Audit {
	return dynamostore.NewAudit(stack.Clients.DynamoDB, stack.Template.Tables[0].Name)
}

// call is a record at minute m of 2031-03-0d (days no other test uses).
func call(d, m int, reqID, caseID string, status int) audit.Record {
	return audit.Record{Time: time.Date(2031, 3, d, 9, m, 0, 0, time.UTC), RequestID: reqID, User: "u-1", Role: "applicant",
		Organization: "120540001238", SourceIP: "203.0.113.9", RouteKey: "GET /cases/{caseId}", Path: "/cases/" + caseID,
		CaseID: caseID, Operation: "GET /cases/{caseId}", Status: status, Origin: audit.OriginAPI}
}

func readAll(t *testing.T, read func(limit int, cursor string) (audit.Page, error), limit int) ([]audit.Record, int) {
	t.Helper()
	var all []audit.Record
	pages := 0
	cursor := ""
	for {
		p, err := read(limit, cursor)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		all = append(all, p.Records...)
		if p.Cursor == "" {
			return all, pages
		}
		if len(p.Records) != limit {
			t.Fatalf("a page with a cursor holds %d records, want %d", len(p.Records), limit)
		}
		cursor = p.Cursor
	}
}

func TestCallRecordsByDayAndByCaseInPages(t *testing.T) {
	ctx := context.Background()
	a := auditStore()
	for m := 0; m < 7; m++ {
		caseID := "AUD-1"
		if m%2 == 1 {
			caseID = "AUD-2"
		}
		if err := a.Record(ctx, call(1, m, fmt.Sprintf("r-%d", m), caseID, 200)); err != nil {
			t.Fatal(err)
		}
	}
	noCase := call(1, 30, "r-nocase", "", 404)
	if err := a.Record(ctx, noCase); err != nil {
		t.Fatal(err)
	}
	if err := a.Record(ctx, call(2, 0, "r-next-day", "AUD-1", 200)); err != nil {
		t.Fatal(err)
	}

	day, pages := readAll(t, func(l int, c string) (audit.Page, error) { return a.ByDay(ctx, "2031-03-01", l, c) }, 3)
	if len(day) != 8 || pages != 3 {
		t.Fatalf("day: %d records in %d pages, want 8 in 3", len(day), pages)
	}
	for i := 1; i < len(day); i++ {
		if !day[i].Time.After(day[i-1].Time) {
			t.Fatalf("day records out of order at %d: %v then %v", i, day[i-1].Time, day[i].Time)
		}
	}
	if got := day[0]; got.Organization != "120540001238" || got.SourceIP != "203.0.113.9" || got.User != "u-1" || got.Status != 200 ||
		!got.Time.Equal(time.Date(2031, 3, 1, 9, 0, 0, 0, time.UTC)) || got.Origin != audit.OriginAPI {
		t.Fatalf("stored record came back as %+v", got)
	}
	byCase, _ := readAll(t, func(l int, c string) (audit.Page, error) { return a.ByCase(ctx, "AUD-1", l, c) }, 2)
	if len(byCase) != 5 || byCase[4].RequestID != "r-next-day" {
		t.Fatalf("case AUD-1: %+v", byCase)
	}
	// A page that ends exactly at the last record has no cursor: no empty page follows.
	if p, err := a.ByCase(ctx, "AUD-2", 3, ""); err != nil || len(p.Records) != 3 || p.Cursor != "" {
		t.Fatalf("case AUD-2: %+v %v", p, err)
	}
	if p, err := a.ByDay(ctx, "2031-03-09", 10, ""); err != nil || len(p.Records) != 0 || p.Cursor != "" {
		t.Fatalf("an empty day: %+v %v", p, err)
	}
}

func TestACallRecordIsNeverOverwritten(t *testing.T) {
	ctx := context.Background()
	a := auditStore()
	first := call(3, 0, "r-once", "AUD-3", 201)
	if err := a.Record(ctx, first); err != nil {
		t.Fatal(err)
	}
	second := first
	second.Status, second.Reason = 500, "told twice, differently"
	if err := a.Record(ctx, second); err != nil {
		t.Fatalf("a repeated record: %v, want no error", err)
	}
	p, err := a.ByDay(ctx, "2031-03-03", 10, "")
	if err != nil || len(p.Records) != 1 || p.Records[0].Status != 201 || p.Records[0].Reason != "" {
		t.Fatalf("after a repeat: %+v %v", p, err)
	}
	if err := a.Record(ctx, audit.Record{Time: first.Time}); !errors.Is(err, audit.ErrInvalid) {
		t.Fatalf("a record without request ID: %v", err)
	}
	// The item's keys, as docs/data-model.md describes them.
	out, err := stack.Clients.DynamoDB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &stack.Template.Tables[0].Name,
		Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "AUDIT#2031-03-03"},
			"sk": &types.AttributeValueMemberS{Value: "2031-03-03T09:00:00.000Z#r-once"}}})
	if err != nil || out.Item == nil {
		t.Fatalf("item by its key: %v %v", out, err)
	}
	if v, _ := out.Item["gsi1pk"].(*types.AttributeValueMemberS); v == nil || v.Value != "AUDITCASE#AUD-3" {
		t.Fatalf("gsi1pk %v", out.Item["gsi1pk"])
	}
}

func TestABadCursorIsRefused(t *testing.T) {
	ctx := context.Background()
	a := auditStore()
	for m := 0; m < 3; m++ {
		if err := a.Record(ctx, call(4, m, fmt.Sprintf("r-c%d", m), "AUD-4", 200)); err != nil {
			t.Fatal(err)
		}
	}
	p, err := a.ByDay(ctx, "2031-03-04", 1, "")
	if err != nil || p.Cursor == "" {
		t.Fatalf("%+v %v", p, err)
	}
	pc, err := a.ByCase(ctx, "AUD-4", 1, "")
	if err != nil || pc.Cursor == "" {
		t.Fatalf("%+v %v", pc, err)
	}
	for name, read := range map[string]func() error{
		"garbage":                func() error { _, err := a.ByDay(ctx, "2031-03-04", 1, "%%%"); return err },
		"another day's cursor":   func() error { _, err := a.ByDay(ctx, "2031-03-01", 1, p.Cursor); return err },
		"a day cursor on a case": func() error { _, err := a.ByCase(ctx, "AUD-4", 1, p.Cursor); return err },
		"another case's cursor":  func() error { _, err := a.ByCase(ctx, "AUD-1", 1, pc.Cursor); return err },
	} {
		if err := read(); !errors.Is(err, audit.ErrBadCursor) {
			t.Errorf("%s: %v, want ErrBadCursor", name, err)
		}
	}
	if _, err := a.ByDay(ctx, "2031-3-4", 1, ""); !errors.Is(err, audit.ErrInvalid) {
		t.Errorf("a malformed day: %v", err)
	}
	// The cursor works where it was issued.
	if next, err := a.ByDay(ctx, "2031-03-04", 1, p.Cursor); err != nil || len(next.Records) != 1 || next.Records[0].RequestID != "r-c1" {
		t.Fatalf("second page: %+v %v", next, err)
	}
}
