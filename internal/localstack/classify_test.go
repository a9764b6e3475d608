package localstack

import "testing"

// TestClassifyDynamoDB: the request counter files a request by its operation and key; the
// audit-day read is the route's work, the call record's write is a call record.
func TestClassifyDynamoDB(t *testing.T) {
	for _, tc := range []struct {
		op, body, want string
	}{
		{"DynamoDB.PutItem", `{"Item":{"pk":{"S":"AUDIT#2026-10-15"},"sk":{"S":"2026-10-15T10:00:00Z#r1"}},"TableName":"t"}`, "DynamoDB.PutItem (call record)"},
		{"DynamoDB.Query", `{"ExpressionAttributeValues":{":pk":{"S":"AUDIT#2026-10-15"}},"KeyConditionExpression":"pk = :pk","TableName":"t"}`, "DynamoDB.Query"},
		{"DynamoDB.Query", `{"ExpressionAttributeValues":{":pk":{"S":"AUDITCASE#C-1"}},"IndexName":"gsi1","TableName":"t"}`, "DynamoDB.Query"},
		{"DynamoDB.PutItem", `{"Item":{"pk":{"S":"IDEMP#k"}},"TableName":"t"}`, "DynamoDB.PutItem (idempotency)"},
		{"DynamoDB.GetItem", `{"Key":{"pk":{"S":"IDEMP#k"}},"TableName":"t"}`, "DynamoDB.GetItem (idempotency)"},
		{"DynamoDB.GetItem", `{"Key":{"pk":{"S":"CASE#C-1"}},"TableName":"t"}`, "DynamoDB.GetItem"},
		{"DynamoDB.TransactWriteItems", `{"TransactItems":[{"Put":{"Item":{"pk":{"S":"CASE#C-1"}}}}]}`, "DynamoDB.TransactWriteItems"},
	} {
		if got := classifyDynamoDB(tc.op, []byte(tc.body)); got != tc.want {
			t.Errorf("%s %s: filed as %q, want %q", tc.op, tc.body, got, tc.want)
		}
	}
}
