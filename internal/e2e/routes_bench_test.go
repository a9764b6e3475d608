package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"attestation/internal/attestation"
	"attestation/internal/httpapi"
	"attestation/internal/localstack"
	"attestation/internal/register"
)

// routeCall is one measured call of a route: prepare makes what the call needs (outside the
// measurement) and returns the request.
type routeCall struct {
	route   string // the route key, as openapi.yaml and the template name it
	user    localstack.User
	status  int
	prepare func(b *testing.B) (method, path string, body any)
}

// BenchmarkRoutes measures each route of the API through the local stack, one call at a time.
// Per call it reports the API function's DynamoDB requests that do the work (reads: GetItem,
// Query, BatchGetItem; transactional writes; other writes), those that record the call (seed 003
// §8) and claim its Idempotency-Key, and the function's time against the round trips of its own
// DynamoDB, S3, Step Functions and KMS requests in the same call, each from its sending to the last
// byte of its response (x-roundtrips = function time / round trips). Targets: at most 2 reads and 1 transactional write per call besides the call record
// and the idempotency claim; the call within 1.2x its own round trips.
//
// Run it with `make bench`; a case is filed for each call of the routes that change one.
// stageTurn alternates the state the benchmark of PUT /objects/{objectId}/stage sends.
var stageTurn bool

func BenchmarkRoutes(b *testing.B) {
	applicant, authority, sts := localstack.DemoApplicant, localstack.DemoAuthority, localstack.DemoSTS
	stack.Clock.Freeze(day(10, 15, 10))
	app := as(b, applicant)
	// Shared state for the routes that read.
	p := file(b, day(10, 15, 10), application(b, "Benchmark system", false))
	draftID := app.draft(application(b, "Benchmark draft", false))
	// uploadDraft is a draft with room for n more upload declarations: a draft takes at most 200,
	// and an upload route's benchmark declares on every call, as many calls as b.N asks.
	var upDraft string
	upDeclared := 0
	uploadDraft := func(b *testing.B, n int) string {
		if upDraft == "" || upDeclared+n > attestation.MaxDraftUploads {
			upDraft, upDeclared = app.draft(draftBody(b, "Benchmark upload draft")), 0
		}
		upDeclared += n
		return upDraft
	}
	// uploadCase likewise: a case takes at most 200 upload declarations.
	upCase, upCaseDeclared := p.id, 0
	uploadCase := func(b *testing.B) string {
		if upCaseDeclared+1 > attestation.MaxCaseUploads {
			upCase, upCaseDeclared = file(b, day(10, 15, 10), application(b, "Benchmark upload case", false)).id, 0
		}
		upCaseDeclared++
		return upCase
	}
	objectID := registerObject(b, app, "Benchmark object")
	var docKey string // a document of the package, as the case lists it
	for _, d := range p.view(as(b, authority))["documents"].([]any) {
		if d := d.(map[string]any); d["kind"] == "annex3_01" {
			docKey = d["key"].(string)
		}
	}
	// The year's list (its first revision, or a later one when a test before this one in the same
	// stack sent it).
	if status, out := app.do("PUT", "/plans/2026", planOf(planRow(objectID, "creation", "2026-11-20", nil))); status != http.StatusCreated && status != http.StatusOK {
		b.Fatalf("first plan: %d %v", status, out)
	}
	stack.Clock.Freeze(day(10, 15, 10))
	fresh := func(b *testing.B) *path { return file(b, day(10, 15, 10), application(b, "Benchmark case", false)) }
	declare := func(kind string) map[string]any {
		return map[string]any{"document": kind, "contentType": "application/pdf", "size": 100, "sha256": strings.Repeat("ab", 32)}
	}
	calls := []routeCall{
		{"GET /health", applicant, 200, func(*testing.B) (string, string, any) { return "GET", "/health", nil }},
		{"POST /drafts", applicant, 201, func(b *testing.B) (string, string, any) {
			body := application(b, "Benchmark draft", false)
			delete(body, "documents")
			return "POST", "/drafts", body
		}},
		{"GET /drafts/{draftId}", applicant, 200, func(*testing.B) (string, string, any) { return "GET", "/drafts/" + draftID, nil }},
		{"PUT /drafts/{draftId}", applicant, 200, func(b *testing.B) (string, string, any) {
			body := application(b, "Benchmark draft, renamed", false)
			delete(body, "documents")
			return "PUT", "/drafts/" + draftID, body
		}},
		{"POST /drafts/{draftId}/uploads", applicant, 201, func(b *testing.B) (string, string, any) {
			return "POST", "/drafts/" + uploadDraft(b, 1) + "/uploads", map[string]any{"document": "annex3_01", "contentType": "application/pdf", "size": 100, "sha256": strings.Repeat("cd", 32)}
		}},
		{"POST /uploads/{uploadId}/confirm", applicant, 200, func(b *testing.B) (string, string, any) {
			content := pdf("benchmark " + time.Now().String())
			status, out := app.do("POST", "/drafts/"+uploadDraft(b, 1)+"/uploads", map[string]any{"document": "annex3_02", "contentType": "application/pdf", "size": len(content), "sha256": sha(content)})
			if status != http.StatusCreated || put(b, out["put"].(map[string]any), content) != http.StatusOK {
				b.Fatalf("declare and put: %d %v", status, out)
			}
			return "POST", "/uploads/" + out["upload"].(map[string]any)["id"].(string) + "/confirm", nil
		}},
		{"POST /drafts/{draftId}/submit", applicant, 201, func(b *testing.B) (string, string, any) {
			// Filed inside the year's window (§12: until November 1): the routes measured before
			// this one, and the setup, leave the clock where their own cases needed it.
			stack.Clock.Freeze(day(10, 15, 10))
			return "POST", "/drafts/" + app.draft(application(b, "Benchmark filing", false)) + "/submit", nil
		}},
		{"GET /cases", applicant, 200, func(*testing.B) (string, string, any) { return "GET", "/cases?limit=20", nil }},
		{"GET /cases/{caseId}", applicant, 200, func(*testing.B) (string, string, any) { return "GET", "/cases/" + p.id, nil }},
		{"POST /cases/{caseId}/uploads", authority, 201, func(b *testing.B) (string, string, any) {
			return "POST", "/cases/" + uploadCase(b) + "/uploads", declare("contract")
		}},
		{"GET /cases/{caseId}/documents", authority, 200, func(*testing.B) (string, string, any) {
			return "GET", "/cases/" + p.id + "/documents?key=" + docKey, nil
		}},
		{"POST /cases/{caseId}/step", authority, 200, func(b *testing.B) (string, string, any) {
			c := fresh(b)
			return "POST", "/cases/" + c.id + "/step", map[string]any{"step": "completeness_check", "outcome": "forward"}
		}},
		{"POST /cases/{caseId}/withdraw", applicant, 200, func(b *testing.B) (string, string, any) {
			return "POST", "/cases/" + fresh(b).id + "/withdraw", nil
		}},
		{"GET /queue", authority, 200, func(*testing.B) (string, string, any) { return "GET", "/queue?limit=20", nil }},
		{"POST /drafts/{draftId}/uploads/batch", applicant, 201, func(b *testing.B) (string, string, any) {
			return "POST", "/drafts/" + uploadDraft(b, 2) + "/uploads/batch", map[string]any{"uploads": []any{declare("annex3_03"), declare("annex3_04")}}
		}},
		{"POST /drafts/{draftId}/uploads/confirm", applicant, 200, func(b *testing.B) (string, string, any) {
			content := pdf("benchmark batch " + time.Now().String())
			d := uploadDraft(b, 1)
			status, out := app.do("POST", "/drafts/"+d+"/uploads", map[string]any{"document": "annex3_05", "contentType": "application/pdf", "size": len(content), "sha256": sha(content)})
			if status != http.StatusCreated || put(b, out["put"].(map[string]any), content) != http.StatusOK {
				b.Fatalf("declare and put: %d %v", status, out)
			}
			return "POST", "/drafts/" + d + "/uploads/confirm", map[string]any{"uploads": []string{out["upload"].(map[string]any)["id"].(string)}}
		}},
		// A case that needs no attention: the hand-back's refusal (409) is what a repeated or
		// mistaken hand-back costs; faults_test.go measures nothing and drives the real one.
		{"POST /cases/{caseId}/attention/resume", authority, 409, func(*testing.B) (string, string, any) {
			return "POST", "/cases/" + p.id + "/attention/resume", map[string]any{}
		}},
		{"POST /cases/{caseId}/attention/close", authority, 409, func(*testing.B) (string, string, any) {
			return "POST", "/cases/" + p.id + "/attention/close", map[string]any{"reasons": []string{"benchmark"}}
		}},
		{"POST /complaints/registrations", authority, 201, func(*testing.B) (string, string, any) {
			return "POST", "/complaints/registrations", map[string]any{"addressee": "service_provider", "channel": "post", "organization": localstack.DemoApplicant.BIN,
				"complainantName": "A. Aigerim", "subject": "Benchmark registered complaint", "incomingNumber": "ВХ-2026/0001", "registeredBy": "Serikbayev A.",
				"receivedAt": "2026-10-15T04:00:00Z"}
		}},
		// §20: publishing the same version again answers the version as first published (201).
		{"POST /survey-methodology", authority, 201, func(*testing.B) (string, string, any) {
			return "POST", "/survey-methodology", map[string]any{"version": "2026.7", "title": "Benchmark methodology", "text": "1. Scope."}
		}},
		{"GET /survey-methodology", sts, 200, func(*testing.B) (string, string, any) { return "GET", "/survey-methodology", nil }},
		{"GET /survey-methodology/{version}", applicant, 200, func(*testing.B) (string, string, any) { return "GET", "/survey-methodology/2026.7", nil }},
		{"POST /office/filings", localstack.DemoOffice, 201, func(b *testing.B) (string, string, any) {
			return "POST", "/office/filings", officeFilingBody(b, "Benchmark paper registry")
		}},
		// A paper draft whose scans are not uploaded yet: the receipt's refusal (422) reads the draft
		// and checks the package, which is most of a receipt's work; office_test.go drives the whole one.
		{"POST /office/filings/{draftId}/receipt", localstack.DemoOffice, 422, func(b *testing.B) (string, string, any) {
			status, d := as(b, localstack.DemoOffice).do("POST", "/office/filings", officeFilingBody(b, "Benchmark paper receipt"))
			if status != http.StatusCreated {
				b.Fatalf("paper filing: %d %v", status, d)
			}
			return "POST", "/office/filings/" + d["id"].(string) + "/receipt", nil
		}},
		// An online case: the office hands over only a paper case's documents (404).
		{"POST /office/cases/{caseId}/handovers", localstack.DemoOffice, 404, func(*testing.B) (string, string, any) {
			return "POST", "/office/cases/" + p.id + "/handovers", map[string]any{"document": "certificate", "representative": representative()}
		}},
		{"PUT /contacts", applicant, 200, func(*testing.B) (string, string, any) {
			return "PUT", "/contacts", map[string]any{"addresses": []string{"benchmark@example.kz"}, "language": "kk"}
		}},
		{"GET /contacts", applicant, 200, func(*testing.B) (string, string, any) { return "GET", "/contacts", nil }},
		{"GET /notifications", applicant, 200, func(*testing.B) (string, string, any) { return "GET", "/notifications?limit=20", nil }},
		{"POST /notifications/{notificationId}/read", applicant, 200, func(b *testing.B) (string, string, any) {
			return "POST", "/notifications/" + firstNotification(b, app) + "/read", nil
		}},
		{"GET /status/{caseId}", applicant, 200, func(*testing.B) (string, string, any) { return "GET", "/status/" + p.id, nil }},
		{"GET /statistics", authority, 200, func(*testing.B) (string, string, any) {
			return "GET", "/statistics?from=2026-10-01&to=2026-10-31", nil
		}},
		{"GET /audit/archive/{day}", authority, 200, func(b *testing.B) (string, string, any) {
			// The daily run archives the last whole UTC day before the clock (seed 003 §7).
			if _, err := stack.RunScheduled(context.Background()); err != nil {
				b.Fatal(err)
			}
			return "GET", "/audit/archive/" + stack.Clock.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly), nil
		}},
		{"GET /audit/cases/{caseId}", authority, 200, func(*testing.B) (string, string, any) { return "GET", "/audit/cases/" + p.id, nil }},
		{"GET /audit/days/{day}", sts, 200, func(*testing.B) (string, string, any) { return "GET", "/audit/days/2026-10-15?limit=50", nil }},
		{"POST /objects", applicant, 201, func(*testing.B) (string, string, any) {
			return "POST", "/objects", objectBody("Benchmark object", "state_is", "creation")
		}},
		{"GET /objects", applicant, 200, func(*testing.B) (string, string, any) { return "GET", "/objects?limit=20", nil }},
		{"GET /objects/{objectId}", applicant, 200, func(*testing.B) (string, string, any) { return "GET", "/objects/" + objectID, nil }},
		{"PUT /objects/{objectId}/stage", applicant, 200, func(*testing.B) (string, string, any) {
			// A change each time: testing and creation in turn.
			stageTurn = !stageTurn
			stage := "creation"
			if stageTurn {
				stage = "testing"
			}
			return "PUT", "/objects/" + objectID + "/stage", map[string]any{"lifeCycleStage": stage}
		}},
		{"PUT /plans/{year}", applicant, 200, func(*testing.B) (string, string, any) {
			return "PUT", "/plans/2026", planOf(planRow(objectID, "creation", "2026-11-20", nil))
		}},
		{"GET /plans/{year}", applicant, 200, func(*testing.B) (string, string, any) { return "GET", "/plans/2026", nil }},
		{"GET /oversight/operation-without-certificate", authority, 200, func(b *testing.B) (string, string, any) {
			// One more mandatory object in industrial operation without a certificate: the report
			// reads the objects in that stage and the register entries of their owner.
			registerIn(b, app, "Benchmark object in operation", "state_is", "industrial_operation")
			return "GET", "/oversight/operation-without-certificate", nil
		}},
		{"GET /oversight/plans/{year}", authority, 200, func(*testing.B) (string, string, any) { return "GET", "/oversight/plans/2026", nil }},
	}
	// Complaints (standard §11): one to read, and a fresh one for each decision.
	complaintID := fileComplaint(b, app, complaintBody("service_provider", "Benchmark complaint"))["id"].(string)
	calls = append(calls,
		routeCall{"POST /complaints", applicant, 201, func(*testing.B) (string, string, any) {
			return "POST", "/complaints", complaintBody("service_provider", "Benchmark complaint")
		}},
		routeCall{"GET /complaints", authority, 200, func(*testing.B) (string, string, any) { return "GET", "/complaints?limit=20", nil }},
		routeCall{"GET /complaints/{complaintId}", applicant, 200, func(*testing.B) (string, string, any) {
			return "GET", "/complaints/" + complaintID, nil
		}},
		routeCall{"POST /complaints/{complaintId}/decision", authority, 200, func(b *testing.B) (string, string, any) {
			id := fileComplaint(b, app, complaintBody("service_provider", "Benchmark complaint to decide"))["id"].(string)
			return "POST", "/complaints/" + id + "/decision", map[string]any{"outcome": "rejected", "answer": "No breach found."}
		}},
	)
	// The public register (§29): a certificate entered as the issue path enters it, without a
	// token on the public routes (the token the loop sends is not read).
	certificate := certificatePath(enterCertificate(b, "Benchmark register system", applicant.BIN))
	calls = append(calls,
		routeCall{"GET /certificates/{year}/{seq}", applicant, 200, func(*testing.B) (string, string, any) { return "GET", certificate, nil }},
		routeCall{"GET /certificates/{year}/{seq}/history", applicant, 200, func(*testing.B) (string, string, any) {
			return "GET", certificate + "/history", nil
		}},
		routeCall{"GET /certificates/{year}/{seq}/document", applicant, 200, func(*testing.B) (string, string, any) {
			return "GET", certificate + "/document", nil
		}},
		routeCall{"GET /register", applicant, 200, func(*testing.B) (string, string, any) {
			return "GET", "/register?objectName=benchmark+register&limit=20", nil
		}},
		routeCall{"GET /register/public-key", applicant, 200, func(*testing.B) (string, string, any) { return "GET", "/register/public-key", nil }},
	)
	// Life after the certificate (register_life_test.go): a fresh certificate of the applicant's
	// organisation for each notice or decision, entered as the issue path enters it; duplicates of
	// one certificate really issued.
	lifeIssued := time.Date(2026, 3, 2, 10, 0, 0, 0, almaty)
	freshCert := func(b *testing.B) string { return lifeEntry(b, "state_is", applicant.BIN, lifeIssued) }
	lifeEntry(b, "state_is", applicant.BIN, lifeIssued)
	_, duplicated := issuedTB(b, "Benchmark duplicated system")
	// §48: a certificate holds at most register.MaxDuplicates requests for a duplicate; a run of the
	// benchmark long enough to fill one goes on with another certificate, really issued.
	duplicateRequests, duplicatedSystems := 0, 1
	calls = append(calls,
		routeCall{"GET /certificates", applicant, 200, func(*testing.B) (string, string, any) { return "GET", "/certificates?limit=20", nil }},
		routeCall{"GET /register/obligations", authority, 200, func(*testing.B) (string, string, any) { return "GET", "/register/obligations?limit=20", nil }},
		routeCall{"POST /certificates/{year}/{seq}/monitoring", applicant, 200, func(b *testing.B) (string, string, any) {
			return "POST", certPath(freshCert(b), "/monitoring"), nil
		}},
		routeCall{"POST /certificates/{year}/{seq}/changes", applicant, 201, func(b *testing.B) (string, string, any) {
			return "POST", certPath(freshCert(b), "/changes"), map[string]any{"description": "Benchmark change"}
		}},
		routeCall{"POST /certificates/{year}/{seq}/changes/{changeId}/decision", authority, 200, func(b *testing.B) (string, string, any) {
			n := freshCert(b)
			if status, out := as(b, applicant).do("POST", certPath(n, "/changes"), map[string]any{"description": "Benchmark change"}); status != http.StatusCreated {
				b.Fatalf("notice: %d %v", status, out)
			}
			return "POST", certPath(n, "/changes/c1/decision"), map[string]any{"decision": "not_required", "reasons": []string{"benchmark"}}
		}},
		routeCall{"POST /certificates/{year}/{seq}/recall", authority, 200, func(b *testing.B) (string, string, any) {
			return "POST", certPath(freshCert(b), "/recall"), recallBody("owner_application")
		}},
		routeCall{"POST /certificates/{year}/{seq}/return", authority, 200, func(b *testing.B) (string, string, any) {
			n := freshCert(b)
			if status, out := as(b, authority).do("POST", certPath(n, "/recall"), recallBody("owner_application")); status != http.StatusOK {
				b.Fatalf("recall: %d %v", status, out)
			}
			return "POST", certPath(n, "/return"), nil
		}},
		routeCall{"POST /certificates/{year}/{seq}/duplicates", applicant, 201, func(b *testing.B) (string, string, any) {
			return "POST", certPath(freshCert(b), "/duplicates"), map[string]any{"reason": "lost"}
		}},
		routeCall{"POST /certificates/{year}/{seq}/duplicates/{requestId}/issue", authority, 200, func(b *testing.B) (string, string, any) {
			if duplicateRequests == register.MaxDuplicates {
				duplicatedSystems++
				_, duplicated = issuedTB(b, fmt.Sprintf("Benchmark duplicated system %d", duplicatedSystems))
				duplicateRequests = 0
			}
			duplicateRequests++
			status, out := as(b, applicant).do("POST", certPath(duplicated, "/duplicates"), map[string]any{"reason": "damaged"})
			if status != http.StatusCreated {
				b.Fatalf("request: %d %v", status, out)
			}
			return "POST", certPath(duplicated, "/duplicates/"+out["duplicate"].(map[string]any)["id"].(string)+"/issue"), nil
		}},
		routeCall{"POST /certificates/{year}/{seq}/recall-application", applicant, 200, func(b *testing.B) (string, string, any) {
			return "POST", certPath(freshCert(b), "/recall-application"), map[string]any{"reasons": []string{"Benchmark"}}
		}},
		routeCall{"POST /certificates/{year}/{seq}/cessation", applicant, 200, func(b *testing.B) (string, string, any) {
			return "POST", certPath(freshCert(b), "/cessation"), map[string]any{"ceasedOn": "2026-10-01"}
		}},
	)
	// Every route of the API is measured.
	measured := map[string]bool{}
	for _, c := range calls {
		measured[c.route] = true
	}
	doc, err := openapi3.NewLoader().LoadFromData(httpapi.OpenAPI())
	if err != nil {
		b.Fatal(err)
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if key := strings.ToUpper(method) + " " + path; !measured[key] {
				b.Errorf("route %s has no benchmark", key)
			}
		}
	}
	api := ""
	for _, f := range stack.Template.Functions {
		if f.Dir() == "api" {
			api = f.Name
		}
	}
	for _, rc := range calls {
		b.Run(strings.NewReplacer("/", "_", " ", "_", "{", "", "}", "").Replace(rc.route), func(b *testing.B) {
			var reads, tx, writes, records, claims int
			var fnTime, trips time.Duration
			for i := 0; i < b.N; i++ {
				method, path, body := rc.prepare(b)
				c := as(b, rc.user)
				headers := map[string]string{"Accept": "application/json"} // the routes that negotiate answer JSON
				if method != "GET" {
					headers["Idempotency-Key"] = "bench-" + time.Now().Format("150405.000000000")
				}
				stack.Requests.Reset()
				if status, out := c.doWith(method, path, body, headers); status != rc.status {
					b.Fatalf("%s %s: %d %v", method, path, status, out)
				}
				waitFor(b, "the call to be counted", func() bool { return stack.Requests.Invocations(api).N > 0 })
				for op, n := range stack.Requests.Snapshot()["ApiFunction"] {
					switch {
					case strings.HasSuffix(op, "(call record)"):
						records += n
					case strings.HasSuffix(op, "(idempotency)"):
						claims += n
					case op == "DynamoDB.GetItem", op == "DynamoDB.Query", op == "DynamoDB.BatchGetItem":
						reads += n
					case op == "DynamoDB.TransactWriteItems":
						tx += n
					case strings.HasPrefix(op, "DynamoDB."):
						writes += n
					}
				}
				fnTime += stack.Requests.Invocations(api).Time
				trips += stack.Requests.RoundTrips("ApiFunction")
			}
			n := float64(b.N)
			b.ReportMetric(float64(reads)/n, "reads/call")
			b.ReportMetric(float64(tx)/n, "txwrites/call")
			b.ReportMetric(float64(writes)/n, "writes/call")
			b.ReportMetric(float64(records)/n, "records/call")
			b.ReportMetric(float64(claims)/n, "claims/call")
			b.ReportMetric(float64(fnTime.Microseconds())/1000/n, "fn-ms/call")
			b.ReportMetric(float64(trips.Microseconds())/1000/n, "roundtrip-ms/call")
			if trips > 0 {
				b.ReportMetric(float64(fnTime)/float64(trips), "x-roundtrips")
			}
		})
	}
}
