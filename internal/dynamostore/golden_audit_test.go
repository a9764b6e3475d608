package dynamostore

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/audit"
)

// goldenCall is a call record as the API writes it, every field set.
func goldenCall() audit.Record {
	return audit.Record{Time: goldenAt(20, 9), RequestID: "Jx1a2bC3dEFg-xA=", User: "u-applicant", System: "attestation-web",
		Role: "applicant", Organization: "120540001238", SourceIP: "203.0.113.9", UserAgent: "Mozilla/5.0",
		RouteKey: "POST /cases/{caseId}/step", Path: "/cases/A-20260320-9f1c2a7b3d4e5f60/step", CaseID: "A-20260320-9f1c2a7b3d4e5f60",
		Operation: "POST /cases/{caseId}/step", Status: 409, Reason: "the case has moved on", Replayed: true, Origin: audit.OriginAPI}
}

// goldenLongCall is the record of a hostile call the gateway refused: a path parameter of 2 KB
// (with an encoded slash) that a key cannot hold as it is, and a request ID longer than any
// API Gateway issues. Its keys hold SHA-256 hashes; its attributes the values whole.
func goldenLongCall() audit.Record {
	long := "A-" + strings.Repeat("x%2F", 512)
	return audit.Record{Time: goldenAt(20, 10), RequestID: "local-" + strings.Repeat("9", 250), SourceIP: "203.0.113.9",
		UserAgent: "curl/8.5.0", RouteKey: "GET /cases/{caseId}", Path: "/cases/" + long, CaseID: long,
		Operation: "GET /cases/{caseId}", Status: 401, Reason: "authorizer: no token", Origin: audit.OriginGateway}
}

// goldenCallItems are the call records' golden items, read and written again by TestGoldenItems.
func goldenCallItems() []goldenItem {
	item := func(r audit.Record) func() (map[string]types.AttributeValue, error) {
		return func() (map[string]types.AttributeValue, error) { return attributevalue.MarshalMap(toAuditItem(r)) }
	}
	read := func(av map[string]types.AttributeValue) (any, error) {
		var it auditItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, err
		}
		return fromAuditItem(it)
	}
	return []goldenItem{
		{"call", goldenCall(), item(goldenCall()), read},
		{"call_long_path", goldenLongCall(), item(goldenLongCall()), read},
	}
}

// TestCallRecordKeysAreBounded: whatever the case ID and the request ID, the keys stay far below
// DynamoDB's limits (2,048 bytes for a partition key, 1,024 for a sort key); the IDs the system
// issues are kept as they are.
func TestCallRecordKeysAreBounded(t *testing.T) {
	for _, tc := range []struct {
		name, caseID, requestID string
		hashed                  bool
	}{
		{"issued IDs", "A-20260320-9f1c2a7b3d4e5f60", "Jx1a2bC3dEFg-xA=", false},
		{"a case ID at the bound", "A-" + strings.Repeat("1", maxKeyPart-2), "r", false},
		{"a case ID one byte over", "A-" + strings.Repeat("1", maxKeyPart-1), "r", true},
		{"a 2 KB case ID", strings.Repeat("a", 2048), "r", true},
		{"a 64 KB case ID", strings.Repeat("%2F", 1<<14), "r", true},
		{"invalid UTF-8", "A-\xff\xfe", "r", true},
		{"a 2 KB request ID", "A-1", strings.Repeat("r", 2048), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			it := toAuditItem(audit.Record{Time: goldenAt(20, 9), RequestID: tc.requestID, CaseID: tc.caseID})
			if len(it.PK) > 2048 || len(it.GSI1PK) > 2048 || len(it.SK) > 1024 || len(it.GSI1SK) > 1024 {
				t.Fatalf("keys of %d, %d, %d, %d bytes", len(it.PK), len(it.GSI1PK), len(it.SK), len(it.GSI1SK))
			}
			if got := strings.Contains(it.GSI1PK+it.SK, "sha256:"); got != tc.hashed {
				t.Fatalf("hashed %v, want %v: %.80s / %.80s", got, tc.hashed, it.GSI1PK, it.SK)
			}
			if it.CaseID != tc.caseID || it.RequestID != tc.requestID {
				t.Fatal("the record does not keep the IDs whole")
			}
		})
	}
}
