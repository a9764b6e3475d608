package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"attestation/internal/attestation"
	"attestation/internal/localstack"
)

// documentVersions is how many versions and delete markers of exactly key the documents bucket
// holds (a test's own look, through the SDK).
func documentVersions(t *testing.T, key string) int {
	t.Helper()
	bucket := documentsBucket(t)
	out, err := stack.Clients.S3.ListObjectVersions(context.Background(), &s3.ListObjectVersionsInput{Bucket: &bucket, Prefix: &key})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, v := range out.Versions {
		if aws.ToString(v.Key) == key {
			n++
		}
	}
	for _, m := range out.DeleteMarkers {
		if aws.ToString(m.Key) == key {
			n++
		}
	}
	return n
}

// uploadItemState is the state of an upload's item in the table, "" if there is none.
func uploadItemState(t testing.TB, id string) string {
	t.Helper()
	out, err := stack.Clients.DynamoDB.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(stack.Template.Tables[0].Name),
		Key: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "UPLOAD#" + id},
			"sk": &ddbtypes.AttributeValueMemberS{Value: "UPLOAD"}}, ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if out.Item == nil {
		return ""
	}
	s, _ := out.Item["state"].(*ddbtypes.AttributeValueMemberS)
	if s == nil {
		return "?"
	}
	return s.Value
}

// sweepReport runs the deadline check at the clock's moment and returns its sweep's report.
func sweepReport(t testing.TB) attestation.UploadSweepReport {
	t.Helper()
	out, err := stack.RunScheduled(context.Background())
	if err != nil {
		t.Fatalf("deadline check: %v", err)
	}
	for name, raw := range out {
		if !strings.HasPrefix(name, "DeadlineCheckFunction") {
			continue
		}
		var rep struct {
			Checks map[string]json.RawMessage `json:"checks"`
		}
		if err := json.Unmarshal(raw, &rep); err != nil || rep.Checks["uploads"] == nil {
			t.Fatalf("the deadline check's report has no sweep of uploads: %v %s", err, raw)
		}
		var sw attestation.UploadSweepReport
		if err := json.Unmarshal(rep.Checks["uploads"], &sw); err != nil {
			t.Fatal(err)
		}
		return sw
	}
	t.Fatalf("no deadline check ran: %v", out)
	return attestation.UploadSweepReport{}
}

// TestAnUploadNeverConfirmedIsDeletedByTheDeadlineCheck: a document declared to a draft and PUT
// (twice: two versions) but never confirmed stays until its declaration expires (a day); then
// confirm refuses it, and the daily deadline check deletes every version of its key and its
// declaration, once. The confirmed document of another draft, in the same bucket and prefix, is
// left as it is. It runs in July 2026, a month no other test's deadline check runs in.
func TestAnUploadNeverConfirmedIsDeletedByTheDeadlineCheck(t *testing.T) {
	declared := time.Date(2026, 7, 6, 10, 0, 0, 0, almaty)
	stack.Clock.Freeze(declared)
	defer stack.Clock.Freeze(day(10, 15, 10))
	app := as(t, localstack.DemoApplicant)

	status, d := app.do("POST", "/drafts", draftBody(t, "Abandoned upload"))
	if status != http.StatusCreated {
		t.Fatalf("draft: %d %v", status, d)
	}
	abandonedDraft := d["id"].(string)
	body := pdf("declared, PUT, never confirmed")
	status, out := app.do("POST", "/drafts/"+abandonedDraft+"/uploads", map[string]any{"document": "application",
		"contentType": "application/pdf", "size": len(body), "sha256": sha(body)})
	if status != http.StatusCreated {
		t.Fatalf("declare: %d %v", status, out)
	}
	id := out["upload"].(map[string]any)["id"].(string)
	key := attestation.DocumentPrefix + id
	for range 2 {
		if s := put(t, out["put"].(map[string]any), body); s != http.StatusOK {
			t.Fatalf("PUT: %d", s)
		}
	}

	status, k := app.do("POST", "/drafts", draftBody(t, "Kept upload"))
	if status != http.StatusCreated {
		t.Fatalf("draft: %d %v", status, k)
	}
	keptDraft := k["id"].(string)
	app.uploadAll(keptDraft, "Kept upload", []string{"application"})
	_, v := app.do("GET", "/drafts/"+keptDraft, nil)
	kept, _ := v["package"].(map[string]any)["documents"].(map[string]any)["application"].(map[string]any)
	keptKey, _ := kept["key"].(string)
	keptID := strings.TrimPrefix(keptKey, attestation.DocumentPrefix)
	if keptKey == "" || documentVersions(t, keptKey) != 1 || uploadItemState(t, keptID) != "confirmed" {
		t.Fatalf("the kept draft's document: %v", kept)
	}
	if n := documentVersions(t, key); n != 2 || uploadItemState(t, id) != "pending" {
		t.Fatalf("before: %d versions of %s, declaration %q", n, key, uploadItemState(t, id))
	}

	// A minute before the declaration expires, the deadline check leaves it alone.
	stack.Clock.Freeze(declared.Add(attestation.PendingUploadTTL - time.Minute))
	sweepReport(t)
	if n := documentVersions(t, key); n != 2 || uploadItemState(t, id) != "pending" {
		t.Fatalf("swept before it expired: %d versions, declaration %q", n, uploadItemState(t, id))
	}

	// Once it has expired, confirm refuses it and the deadline check deletes it.
	stack.Clock.Freeze(declared.Add(attestation.PendingUploadTTL + time.Hour))
	if status, refused := app.do("POST", "/uploads/"+id+"/confirm", nil); status != http.StatusUnprocessableEntity ||
		!strings.Contains(refused["detail"].(string)+refusedMessages(refused), "declare the file again") {
		t.Fatalf("confirm after the declaration expired: %d %v, want 422", status, refused)
	}
	rep := sweepReport(t)
	if rep.Expired < 1 || rep.Versions < 2 {
		t.Fatalf("the sweep's report %+v, want at least this upload and its 2 versions", rep)
	}
	if n := documentVersions(t, key); n != 0 {
		t.Fatalf("%d versions of %s left", n, key)
	}
	if s := uploadItemState(t, id); s != "" {
		t.Fatalf("the declaration is still there, %s", s)
	}
	if status, _ := app.do("POST", "/uploads/"+id+"/confirm", nil); status != http.StatusNotFound {
		t.Fatalf("confirm after the sweep: %d, want 404", status)
	}

	// The other draft's confirmed document is untouched, and a second run changes nothing.
	if again := sweepReport(t); again.Expired != 0 {
		t.Fatalf("a second run swept %+v", again)
	}
	if documentVersions(t, keptKey) != 1 || uploadItemState(t, keptID) != "confirmed" {
		t.Fatalf("the confirmed document of the other draft was touched: %d versions, %q", documentVersions(t, keptKey), uploadItemState(t, keptID))
	}
	_, v = app.do("GET", "/drafts/"+keptDraft, nil)
	if again, _ := v["package"].(map[string]any)["documents"].(map[string]any)["application"].(map[string]any); again["versionId"] != kept["versionId"] {
		t.Fatalf("the kept draft's document changed: %v, was %v", again, kept)
	}
}

// refusedMessages joins the messages of a problem+json body's problems.
func refusedMessages(body map[string]any) string {
	var b strings.Builder
	ps, _ := body["problems"].([]any)
	for _, p := range ps {
		if m, ok := p.(map[string]any); ok {
			b.WriteString(" " + m["message"].(string))
		}
	}
	return b.String()
}
