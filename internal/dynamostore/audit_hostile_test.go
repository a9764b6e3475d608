package dynamostore_test

import (
	"context"
	"strings"
	"testing"
)

// TestAHostileCallIsRecorded: a call whose path holds a 2 KB case ID, or one in invalid UTF-8,
// is recorded (its key would exceed DynamoDB's limit if it held the ID as it is), and is found
// under that case and in its day.
func TestAHostileCallIsRecorded(t *testing.T) {
	ctx := context.Background()
	a := auditStore()
	for i, caseID := range []string{"A-" + strings.Repeat("x%2F", 512), strings.Repeat("z", 4096), "A-\xff\xfe%00"} {
		r := call(7, i, "hostile-"+string(rune('a'+i))+strings.Repeat("9", 1500), caseID, 400)
		if err := a.Record(ctx, r); err != nil {
			t.Fatalf("case ID of %d bytes: %v", len(caseID), err)
		}
		p, err := a.ByCase(ctx, caseID, 10, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Records) != 1 || p.Records[0].RequestID != r.RequestID || len(p.Records[0].CaseID) < 3 {
			t.Fatalf("case ID of %d bytes: %d records under the case", len(caseID), len(p.Records))
		}
	}
	p, err := a.ByDay(ctx, "2031-03-07", 10, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Records) != 3 {
		t.Fatalf("%d records in the day, want 3", len(p.Records))
	}
}
