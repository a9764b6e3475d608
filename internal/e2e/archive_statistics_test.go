package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"attestation/internal/callarchive"
	"attestation/internal/dynamostore"
	"attestation/internal/localstack"
	"attestation/internal/s3store"
	"attestation/internal/statistics"
)

// checks runs the deadline check at the frozen moment and returns its report of the check name.
func checks(t *testing.T, name string, into any) {
	t.Helper()
	out, err := stack.RunScheduled(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for fn, raw := range out {
		var rep struct {
			Checks map[string]json.RawMessage `json:"checks"`
		}
		if strings.HasPrefix(fn, "DeadlineCheckFunction") && json.Unmarshal(raw, &rep) == nil && rep.Checks[name] != nil {
			if err := json.Unmarshal(rep.Checks[name], into); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("no %s report in the deadline check's run: %s", name, out)
}

// TestCallRecordArchiveSeed003Par8ChangedOrMissingDayDetectedE2E: calls on two UTC days of
// February 2027 (no other test calls then), archived by the deadline check's daily runs into the
// Object Lock bucket, hash-chained, verified against the bucket and the table; then a new version
// of one day's file and a deleted manifest are each detected.
func TestCallRecordArchiveSeed003Par8ChangedOrMissingDayDetectedE2E(t *testing.T) {
	ctx := context.Background()
	defer stack.Clock.Freeze(day(10, 15, 10))
	authority := as(t, localstack.DemoAuthority)
	calls := map[string]int{"2027-02-16": 3, "2027-02-17": 2}
	for d, n := range calls {
		at, _ := time.ParseInLocation("2006-01-02 15:04", d+" 11:00", almaty) // 06:00 UTC, the same UTC day
		for i := range n {
			stack.Clock.Freeze(at.Add(time.Duration(i) * time.Minute))
			if status, body := authority.do("GET", "/queue", nil); status != http.StatusOK {
				t.Fatalf("queue: %d %v", status, body)
			}
		}
	}
	// Art. 40(2)(4), §7: the daily run at 00:05 in Almaty archives the last whole UTC day.
	var first, second callarchive.Report
	stack.Clock.Freeze(time.Date(2027, 2, 18, 0, 5, 0, 0, almaty))
	checks(t, "call-archive", &first)
	stack.Clock.Freeze(time.Date(2027, 2, 19, 0, 5, 0, 0, almaty))
	checks(t, "call-archive", &second)
	if first.Day != "2027-02-16" || len(first.Archived) != 1 || first.Archived[0].Records != 3 {
		t.Fatalf("the first run: %+v", first)
	}
	if second.Day != "2027-02-17" || len(second.Archived) != 1 || second.Archived[0].Restarts || second.Archived[0].Records != 2 {
		t.Fatalf("the second run links the first: %+v", second)
	}
	var again callarchive.Report
	checks(t, "call-archive", &again)
	if again.Stands == nil || again.Stands.Differs || len(again.Archived) != 0 {
		t.Fatalf("a repeated run finds the day archived and compares: %+v", again)
	}

	// A day's manifest for staff.
	status, body := authority.do("GET", "/audit/archive/2027-02-17", nil)
	m, _ := body["manifest"].(map[string]any)
	prev, _ := m["previous"].(map[string]any)
	if status != http.StatusOK || m["records"] != float64(2) || prev["day"] != "2027-02-16" {
		t.Fatalf("GET /audit/archive/2027-02-17: %d %v", status, body)
	}
	if status, body := as(t, localstack.DemoApplicant).do("GET", "/audit/archive/2027-02-17", nil); status != http.StatusForbidden {
		t.Fatalf("an applicant reads the archive: %d %v", status, body)
	}

	bucket := recordsBucket(t)
	objects := s3store.NewRecords(stack.Clients.S3, bucket)
	table := dynamostore.NewAudit(stack.Clients.DynamoDB, stack.Template.Tables[0].Name)
	rep, err := callarchive.Verify(ctx, objects, table, "2027-02-16", "2027-02-17")
	if err != nil || !rep.OK() || rep.Records != 5 {
		t.Fatalf("§8 the archive verifies against the bucket and the table: %+v %v", rep, err)
	}

	// §8: a new version of a day's file (Object Lock keeps the old one; the current one changed).
	key := callarchive.FileKey("2027-02-16")
	o, err := stack.Clients.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(o.Body)
	o.Body.Close()
	changed := bytes.Replace(b, []byte(`"status":200`), []byte(`"status":403`), 1)
	if _, err := stack.Clients.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(changed),
		ContentLength: aws.Int64(int64(len(changed))), ChecksumAlgorithm: s3types.ChecksumAlgorithmSha256}); err != nil {
		t.Fatal(err)
	}
	// and a deleted manifest (a delete marker over it).
	mkey := callarchive.ManifestKey("2027-02-17")
	if _, err := stack.Clients.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: &mkey}); err != nil {
		t.Fatal(err)
	}
	rep, err = callarchive.Verify(ctx, objects, nil, "2027-02-16", "2027-02-17")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range rep.Problems {
		got[p.Day] = p.Kind
	}
	if len(rep.Problems) != 2 || got["2027-02-16"] != callarchive.ProblemChanged || got["2027-02-17"] != callarchive.ProblemMissing {
		t.Fatalf("§8 a changed and a missing day are detected: %+v", rep.Problems)
	}
}

// TestStatisticsStd4Par15ByOutcomeGroundAndStageE2E: two applications filed on Wednesday
// 2026-10-07 (no other test files then): one returned (§15), one forwarded; the statistics of
// that day for the authority and the quality authority, and the open data of the year to date.
func TestStatisticsStd4Par15ByOutcomeGroundAndStageE2E(t *testing.T) {
	defer stack.Clock.Freeze(day(10, 15, 10))
	returned := file(t, day(10, 7, 10), application(t, "Statistics returned", false))
	returned.act(returned.authority, day(10, 8, 11), "completeness_check", "return",
		map[string]any{"reasons": []string{"The hardware list (Annex 5) has no IP addresses"}, "grounds": []string{"incomplete_package"}})
	returned.end("returned")
	open := file(t, day(10, 7, 11), application(t, "Statistics forwarded", false))
	open.act(open.authority, day(10, 9, 11), "completeness_check", "forward", nil)
	open.open("send_contract")

	stack.Clock.Freeze(day(10, 9, 15))
	for _, u := range []localstack.User{localstack.DemoAuthority, localstack.DemoQualityAuthority} {
		status, body := as(t, u).do("GET", "/statistics?from=2026-10-07&to=2026-10-07", nil)
		if status != http.StatusOK {
			t.Fatalf("%s: %d %v", u.Role, status, body)
		}
		raw, _ := json.Marshal(body)
		var rep statistics.Report
		if err := json.Unmarshal(raw, &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Applications != 2 || rep.ByOutcome["returned"] != 1 || rep.ByOutcome["open"] != 1 || len(rep.ByObjectKind) != 1 {
			t.Fatalf("%s: %s", u.Role, raw)
		}
		if len(rep.ByGround) != 1 || rep.ByGround[0].Paragraph != "§15, standard §10" || rep.ByGround[0].Grounds["incomplete_package"] != 1 {
			t.Errorf("standard §10, §15 the ground of the return: %+v", rep.ByGround)
		}
		if len(rep.Stages) == 0 || rep.Stages[0].Step != "completeness_check" || rep.Stages[0].Completed != 2 ||
			rep.Stages[0].Max == nil || *rep.Stages[0].Max != 2 || *rep.Stages[0].Median != 1 || rep.Stages[0].PeriodWorkingDays != 3 {
			t.Errorf("§14 the completeness check's durations (1 and 2 working days) against its 3: %s", raw)
		}
		if rep.ServiceTerm.Counted != 2 || rep.ServiceTerm.Breached != 0 || !strings.Contains(rep.ServiceTerm.Paragraph, "§4") {
			t.Errorf("standard §4: %+v", rep.ServiceTerm)
		}
		if strings.Contains(string(raw), localstack.DemoApplicant.BIN) || strings.Contains(string(raw), returned.id) {
			t.Errorf("the statistics name the organisation or a case: %s", raw)
		}
	}
	if status, body := as(t, localstack.DemoSTS).do("GET", "/statistics?from=2026-10-07&to=2026-10-07", nil); status != http.StatusForbidden {
		t.Errorf("the STS reads the statistics: %d %v", status, body)
	}
	if status, body := as(t, localstack.DemoAuthority).do("GET", "/statistics?from=2025-01-01&to=2026-10-07", nil); status != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(body), "to") {
		t.Errorf("a period over 366 days: %d %v", status, body)
	}

	// The daily open data of the year to date, beside the register's export.
	stack.Clock.Freeze(time.Date(2026, 10, 10, 0, 5, 0, 0, almaty))
	var od statistics.OpenDataReport
	checks(t, "open-data-statistics", &od)
	if od.Key != "open-data/2026-10-10/statistics.json" || od.From != "2026-01-01" || od.To != "2026-10-09" {
		t.Fatalf("the open data: %+v", od)
	}
	bucket := recordsBucket(t)
	o, err := stack.Clients.S3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: &bucket, Key: &od.Key})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(o.Body)
	o.Body.Close()
	var doc statistics.Document
	if err := json.Unmarshal(b, &doc); err != nil || doc.Applications < 2 || doc.ByGround == nil {
		t.Fatalf("%v %s", err, b)
	}
	if bytes.Contains(b, []byte(localstack.DemoApplicant.BIN)) || bytes.Contains(b, []byte("Statistics returned")) {
		t.Errorf("the open data names the organisation or an object: %s", b)
	}
}
