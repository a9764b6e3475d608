package e2e

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/attestation"
	"attestation/internal/calendar"
	"attestation/internal/identity"
	"attestation/internal/localstack"
)

// Objects of informatization and the annual list of objects planned for attestation (§5, §6, §11,
// Annex 1), through the local stack. Each test uses organisations of its own (random BINs), so
// that the tests can run again (-count=2) on the same table.

var objectIDPattern = regexp.MustCompile(`^O-[0-9a-f]{16}$`)

// newOrganisation is an applicant of an organisation no other run uses: a random legal entity's
// BIN (its structure and its check digit).
func newOrganisation(t testing.TB) localstack.User {
	t.Helper()
	for {
		b := make([]byte, 12)
		if _, err := rand.Read(b); err != nil {
			t.Fatal(err)
		}
		for i := range b {
			b[i] = '0' + b[i]%10
		}
		if bin := string(b); attestation.IsLegalEntityBIN(bin) {
			return localstack.User{Subject: "applicant-" + bin, Name: "Applicant " + bin, Role: identity.Applicant, BIN: bin}
		}
	}
}

func objectBody(name, kind, stage string) map[string]any {
	return map[string]any{"kind": kind, "name": name, "developer": "National IT operator", "lifeCycleStage": stage}
}

// registerObject registers an object of kind state_is in creation as c and returns its ID.
func registerObject(t testing.TB, c client, name string) string {
	t.Helper()
	status, body := c.do("POST", "/objects", objectBody(name, "state_is", "creation"))
	if status != http.StatusCreated {
		t.Fatalf("register %s: %d %v", name, status, body)
	}
	id, _ := body["id"].(string)
	if !objectIDPattern.MatchString(id) {
		t.Fatalf("object ID %q", id)
	}
	return id
}

// planRow is a row of the annual list; act is the act of testing (nil for none).
func planRow(objectID, stage, plannedDate string, act map[string]any) map[string]any {
	r := map[string]any{"objectId": objectID, "lifeCycleStage": stage, "plannedDate": plannedDate}
	if act != nil {
		r["testingAct"] = act
	}
	return r
}

func planOf(rows ...map[string]any) map[string]any {
	if rows == nil {
		rows = []map[string]any{}
	}
	return map[string]any{"rows": rows}
}

func testingAct(number, date string) map[string]any {
	return map[string]any{"number": number, "date": date}
}

func ids(list any) []string {
	var out []string
	for _, x := range list.([]any) {
		out = append(out, x.(map[string]any)["id"].(string))
	}
	return out
}

func TestObjectsAreRegisteredListedAndRead(t *testing.T) {
	at := time.Date(2026, 1, 20, 10, 0, 0, 0, almaty)
	stack.Clock.Freeze(at)
	org := newOrganisation(t)
	owner := as(t, org)
	authority, sts := as(t, localstack.DemoAuthority), as(t, localstack.DemoSTS)

	var registered []string // newest first
	for i, tc := range []struct {
		kind, stage string
		mandatory   bool
	}{
		{"state_is", "industrial_operation", true},      // §5(1)
		{"nonstate_web", "creation", false},             // §6
		{"critical_is", "trial_operation", true},        // §5(3)
		{"nonstate_is", "development", false},           // §6
		{"egov_platform", "industrial_operation", true}, // §5(4)
	} {
		stack.Clock.Freeze(at.Add(time.Duration(i) * time.Minute))
		status, o := owner.do("POST", "/objects", objectBody(fmt.Sprintf("System %d", i), tc.kind, tc.stage))
		if status != http.StatusCreated {
			t.Fatalf("register %s: %d %v", tc.kind, status, o)
		}
		if o["mandatory"] != tc.mandatory || o["kind"] != tc.kind || o["lifeCycleStage"] != tc.stage || o["organization"] != org.BIN ||
			!objectIDPattern.MatchString(fmt.Sprint(o["id"])) || o["registeredAt"] != at.Add(time.Duration(i)*time.Minute).UTC().Format(time.RFC3339) {
			t.Fatalf("§5/§6 %s: %v, want mandatory=%t", tc.kind, o, tc.mandatory)
		}
		registered = append([]string{o["id"].(string)}, registered...)
	}

	t.Run("the applicant pages through its objects, newest first", func(t *testing.T) {
		var got []string
		path := "/objects?limit=2"
		for pages := 0; pages < 5; pages++ {
			status, page := owner.do("GET", path, nil)
			if status != http.StatusOK {
				t.Fatalf("%d %v", status, page)
			}
			got = append(got, ids(page["objects"])...)
			cursor, _ := page["cursor"].(string)
			if cursor == "" {
				break
			}
			path = "/objects?limit=2&cursor=" + cursor
		}
		if strings.Join(got, ",") != strings.Join(registered, ",") {
			t.Fatalf("listed %v, want %v", got, registered)
		}
	})
	t.Run("the applicant reads each of its objects", func(t *testing.T) {
		status, o := owner.do("GET", "/objects/"+registered[0], nil)
		if status != http.StatusOK || o["id"] != registered[0] || o["kind"] != "egov_platform" {
			t.Fatalf("%d %v", status, o)
		}
	})
	t.Run("staff read any object and list an organisation's", func(t *testing.T) {
		for _, c := range []client{authority, sts} {
			if status, o := c.do("GET", "/objects/"+registered[2], nil); status != http.StatusOK || o["organization"] != org.BIN {
				t.Fatalf("%d %v", status, o)
			}
			status, page := c.do("GET", "/objects?organization="+org.BIN, nil)
			if status != http.StatusOK || len(page["objects"].([]any)) != len(registered) {
				t.Fatalf("%d %v", status, page)
			}
		}
		if status, _ := sts.do("GET", "/objects", nil); status != http.StatusBadRequest {
			t.Fatalf("staff without organization: %d, want 400", status)
		}
	})
	t.Run("an applicant naming another organisation is 403", func(t *testing.T) {
		if status, body := owner.do("GET", "/objects?organization="+localstack.DemoApplicant.BIN, nil); status != http.StatusForbidden {
			t.Fatalf("%d %v, want 403", status, body)
		}
	})
	t.Run("objects are not listed among the organisation's cases", func(t *testing.T) {
		status, page := owner.do("GET", "/cases", nil)
		if status != http.StatusOK || len(page["cases"].([]any)) != 0 {
			t.Fatalf("%d %v, want no case", status, page)
		}
	})
}

// TestAnotherOrganisationsObjectIsNotFound: another organisation's object reads exactly like one
// that does not exist, on every route that takes an object's ID, and nothing changes.
func TestAnotherOrganisationsObjectIsNotFound(t *testing.T) {
	stack.Clock.Freeze(time.Date(2026, 2, 10, 10, 0, 0, 0, almaty))
	owner, stranger := as(t, newOrganisation(t)), as(t, newOrganisation(t))
	id := registerObject(t, owner, "Owner's system")
	missing := "O-0000000000000000"
	_, before := owner.do("GET", "/objects/"+id, nil)

	foreign := send(t, "GET", "/objects/"+id, token(t, *stranger.user), nil, nil)
	absent := send(t, "GET", "/objects/"+missing, token(t, *stranger.user), nil, nil)
	if foreign.status != http.StatusNotFound || absent.status != http.StatusNotFound || string(foreign.raw) != string(absent.raw) {
		t.Fatalf("another organisation's object: %d %s; a missing one: %d %s; want the same 404", foreign.status, foreign.raw, absent.status, absent.raw)
	}

	// In a plan row, another organisation's object is refused like a missing one, with or without
	// an Idempotency-Key, and no plan is written.
	for _, headers := range []map[string]string{nil, {"Idempotency-Key": fmt.Sprintf("stranger-plan-%d", time.Now().UnixNano())}} {
		withForeign := send(t, "PUT", "/plans/2026", token(t, *stranger.user), mustJSON(t, planOf(planRow(id, "creation", "2026-09-01", nil))), headers)
		withMissing := send(t, "PUT", "/plans/2026", token(t, *stranger.user), mustJSON(t, planOf(planRow(missing, "creation", "2026-09-01", nil))), headers)
		if withForeign.status != http.StatusUnprocessableEntity || withMissing.status != http.StatusUnprocessableEntity {
			t.Fatalf("plan with another organisation's object: %d %s; with a missing one: %d %s; want 422", withForeign.status, withForeign.raw, withMissing.status, withMissing.raw)
		}
		if strings.ReplaceAll(string(withForeign.raw), id, "X") != strings.ReplaceAll(string(withMissing.raw), missing, "X") || !strings.Contains(string(withForeign.raw), "rows[0].objectId") {
			t.Fatalf("another organisation's object is told apart from a missing one:\n%s\n%s", withForeign.raw, withMissing.raw)
		}
	}
	if status, body := stranger.do("GET", "/plans/2026", nil); status != http.StatusNotFound {
		t.Fatalf("the stranger's plan after refused sends: %d %v, want 404", status, body)
	}
	if status, page := stranger.do("GET", "/objects", nil); status != http.StatusOK || len(page["objects"].([]any)) != 0 {
		t.Fatalf("the stranger's objects: %d %v, want none", status, page)
	}
	if status, page := stranger.do("GET", "/objects?organization="+owner.user.BIN, nil); status != http.StatusForbidden {
		t.Fatalf("the stranger listing the owner's objects: %d %v, want 403", status, page)
	}
	_, after := owner.do("GET", "/objects/"+id, nil)
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Fatalf("the object changed:\n%v\n%v", before, after)
	}
}

func TestAnnualPlanOnTimeAndLate(t *testing.T) {
	ctx := context.Background()
	// §11: March 1 2026 is a Sunday; the list is due by the end of Monday March 2 in Almaty (UTC+5).
	const due = "2026-03-02T18:59:59Z"
	authority := as(t, localstack.DemoAuthority)

	t.Run("§11 a list sent by March 1 is on time, and a correction after it keeps it on time", func(t *testing.T) {
		stack.Clock.Freeze(time.Date(2026, 2, 20, 11, 0, 0, 0, almaty))
		org := newOrganisation(t)
		owner := as(t, org)
		a, b := registerObject(t, owner, "Registry"), registerObject(t, owner, "Portal")
		status, p := owner.do("PUT", "/plans/2026", planOf(
			planRow(a, "industrial_operation", "2026-05-20", testingAct("TA-2025/17", "2025-12-20")),
			planRow(b, "creation", "2026-10-01", nil)))
		if status != http.StatusCreated || p["late"] != false || p["revision"] != 1.0 || p["dueAt"] != due ||
			p["submittedAt"] != "2026-02-20T06:00:00Z" || p["firstSubmittedAt"] != "2026-02-20T06:00:00Z" || p["organization"] != org.BIN {
			t.Fatalf("on time: %d %v", status, p)
		}
		rows := p["rows"].([]any)
		if len(rows) != 2 || rows[0].(map[string]any)["objectName"] != "Registry" || rows[0].(map[string]any)["mandatory"] != true {
			t.Fatalf("rows %v", rows)
		}

		stack.Clock.Freeze(time.Date(2026, 3, 10, 9, 30, 0, 0, almaty))
		status, p = owner.do("PUT", "/plans/2026", planOf(planRow(b, "trial_operation", "2026-11-02", nil)))
		if status != http.StatusOK || p["revision"] != 2.0 || p["late"] != false || p["revisionLate"] != true ||
			p["firstSubmittedAt"] != "2026-02-20T06:00:00Z" || p["submittedAt"] != "2026-03-10T04:30:00Z" || len(p["rows"].([]any)) != 1 {
			t.Fatalf("corrected: %d %v", status, p)
		}
		status, read := authority.do("GET", "/plans/2026?organization="+org.BIN, nil)
		if status != http.StatusOK || fmt.Sprint(read) != fmt.Sprint(p) {
			t.Fatalf("the authority reads %d %v, want %v", status, read, p)
		}
		if status, _ := authority.do("GET", "/plans/2026", nil); status != http.StatusBadRequest {
			t.Fatalf("staff without organization: %d, want 400", status)
		}
		if status, _ := authority.do("GET", "/plans/2027?organization="+org.BIN, nil); status != http.StatusNotFound {
			t.Fatalf("a year without a list: %d, want 404", status)
		}
		// One item, its revision a top-level attribute (docs/data-model.md).
		item, err := stack.Clients.DynamoDB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &stack.Template.Tables[0].Name,
			Key: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "PLAN#" + org.BIN + "#2026"}, "sk": &ddbtypes.AttributeValueMemberS{Value: "PLAN"}}})
		if err != nil || item.Item == nil {
			t.Fatalf("plan item: %v", err)
		}
		if v, _ := item.Item["revision"].(*ddbtypes.AttributeValueMemberN); v == nil || v.Value != "2" {
			t.Fatalf("revision attribute %v", item.Item["revision"])
		}
	})

	t.Run("§11 a list sent after March 1 is accepted and marked late, and stays late when sent again", func(t *testing.T) {
		stack.Clock.Freeze(time.Date(2026, 3, 3, 9, 0, 0, 0, almaty))
		owner := as(t, newOrganisation(t))
		a := registerObject(t, owner, "Late registry")
		status, p := owner.do("PUT", "/plans/2026", planOf(planRow(a, "testing", "2026-07-01", nil)))
		if status != http.StatusCreated || p["late"] != true || p["revisionLate"] != true || p["dueAt"] != due || p["submittedAt"] != "2026-03-03T04:00:00Z" {
			t.Fatalf("late: %d %v", status, p)
		}
		stack.Clock.Freeze(time.Date(2026, 4, 1, 9, 0, 0, 0, almaty))
		status, p = owner.do("PUT", "/plans/2026", planOf(planRow(a, "testing", "2026-08-01", testingAct("TA-9", "2026-03-30"))))
		if status != http.StatusOK || p["late"] != true || p["revision"] != 2.0 || p["firstSubmittedAt"] != "2026-03-03T04:00:00Z" || p["submittedAt"] != "2026-04-01T04:00:00Z" {
			t.Fatalf("sent again: %d %v", status, p)
		}
		status, read := owner.do("GET", "/plans/2026", nil)
		if status != http.StatusOK || fmt.Sprint(read) != fmt.Sprint(p) {
			t.Fatalf("read back %d %v", status, read)
		}
	})

	t.Run("§11 concurrent sends of the same list make one revision each", func(t *testing.T) {
		stack.Clock.Freeze(time.Date(2026, 2, 25, 10, 0, 0, 0, almaty))
		org := newOrganisation(t)
		owner := as(t, org)
		a := registerObject(t, owner, "Busy registry")
		tok := token(t, org)
		body := mustJSON(t, planOf(planRow(a, "creation", "2026-09-01", nil)))
		const n = 6
		var wg sync.WaitGroup
		answers := make([]sent, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				answers[i] = send(t, "PUT", "/plans/2026", tok, body, nil)
			}(i)
		}
		wg.Wait()
		created, revs := 0, map[float64]bool{}
		for _, r := range answers {
			if r.status != http.StatusCreated && r.status != http.StatusOK {
				t.Fatalf("%d %s", r.status, r.raw)
			}
			if r.status == http.StatusCreated {
				created++
			}
			revs[r.body["revision"].(float64)] = true
		}
		if created != 1 || len(revs) != n {
			t.Fatalf("%d first submissions and revisions %v, want 1 and %d distinct", created, revs, n)
		}
		if status, p := owner.do("GET", "/plans/2026", nil); status != http.StatusOK || p["revision"] != float64(n) {
			t.Fatalf("%d %v, want revision %d", status, p, n)
		}
	})
}

// TestObjectAndPlanBadInputsAreRefusedAndWriteNothing is the catalogue of requests about objects
// and plans the API must refuse: the status, the field or words the refusal names, and no write.
func TestObjectAndPlanBadInputsAreRefusedAndWriteNothing(t *testing.T) {
	at := time.Date(2026, 2, 20, 11, 0, 0, 0, almaty)
	stack.Clock.Freeze(at)
	org := newOrganisation(t)
	owner := as(t, org)
	a, b := registerObject(t, owner, "Catalogue registry"), registerObject(t, owner, "Catalogue portal")
	if status, p := owner.do("PUT", "/plans/2026", planOf(planRow(a, "creation", "2026-09-01", nil))); status != http.StatusCreated {
		t.Fatalf("the first list: %d %v", status, p)
	}
	cal, err := calendar.Kazakhstan()
	if err != nil {
		t.Fatal(err)
	}
	first, last := cal.Years()
	years := fmt.Sprintf("(%d-%d)", first, last)
	after := fmt.Sprint(last + 1)
	act := testingAct("TA-1", "2025-12-20")
	app, auth := *owner.user, localstack.DemoAuthority

	type bad struct {
		name         string
		method, path string
		user         localstack.User
		body         any // a string is sent as is
		status       int
		names        []string
	}
	plan := func(name string, status int, body any, names ...string) bad {
		return bad{name: "plan: " + name, method: "PUT", path: "/plans/2026", user: app, body: body, status: status, names: names}
	}
	object := func(name string, status int, body any, names ...string) bad {
		return bad{name: "object: " + name, method: "POST", path: "/objects", user: app, body: body, status: status, names: names}
	}
	get := func(name, path string, u localstack.User, status int, names ...string) bad {
		return bad{name: "get: " + name, method: "GET", path: path, user: u, status: status, names: names}
	}
	withField := func(m map[string]any, k string, v any) map[string]any {
		out := map[string]any{}
		for x, y := range m {
			out[x] = y
		}
		out[k] = v
		return out
	}
	good := objectBody("Catalogue system", "state_is", "creation")
	catalogue := []bad{
		plan("§11, Annex 1 a dangling objectId names its row", 422, planOf(planRow(a, "creation", "2026-09-01", nil), planRow(b, "creation", "2026-09-01", nil), planRow("O-ffffffffffffffff", "creation", "2026-09-01", nil)), "rows[2].objectId"),
		plan("§11, Annex 1 an object listed twice", 422, planOf(planRow(a, "creation", "2026-09-01", nil), planRow(a, "creation", "2026-10-01", nil)), "rows[1].objectId", "rows[0]"),
		plan("§11, Annex 1 an empty list", 422, planOf(), "rows"),
		plan("§11, Annex 1 a planned date in another year", 422, planOf(planRow(a, "creation", "2027-01-15", nil)), "rows[0].plannedDate", "2026"),
		plan("§11, Annex 1 a planned date that is not a date", 422, planOf(planRow(a, "creation", "15.09.2026", nil)), "rows[0].plannedDate"),
		plan("seed 004 §3 an unknown life-cycle state", 422, planOf(planRow(a, "operating", "2026-09-01", nil)), "rows[0].lifeCycleStage", "industrial_operation"),
		plan("§11 a terminated object is not planned", 422, planOf(planRow(a, "terminated", "2026-09-01", nil)), "rows[0].lifeCycleStage", "terminated"),
		plan("Law Art. 40.1 industrial operation without its act of testing", 422, planOf(planRow(a, "industrial_operation", "2026-09-01", nil)), "rows[0].testingAct"),
		plan("Annex 1 column 6 an object in creation with an act of testing", 422, planOf(planRow(a, "creation", "2026-09-01", act)), "rows[0].testingAct", "creation"),
		plan("Annex 1 column 6 an act dated after today", 422, planOf(planRow(a, "testing", "2026-09-01", testingAct("TA-1", "2026-02-21"))), "rows[0].testingAct.date"),
		plan("Annex 1 column 6 an act without a number", 422, planOf(planRow(a, "testing", "2026-09-01", testingAct("", "2026-01-21"))), "rows[0].testingAct.number"),
		{name: "plan: §11 a year after the calendar", method: "PUT", path: "/plans/" + after, user: app, body: planOf(planRow(a, "creation", after+"-09-01", nil)), status: 422, names: []string{"year", years}},
		{name: "plan: §11 a year before the calendar", method: "PUT", path: "/plans/2015", user: app, body: planOf(planRow(a, "creation", "2015-09-01", nil)), status: 422, names: []string{"year", years}},
		{name: "plan: §11 a past year", method: "PUT", path: "/plans/2025", user: app, body: planOf(planRow(a, "creation", "2025-09-01", nil)), status: 422, names: []string{"year", "current year"}},
		{name: "plan: a year that is not a year", method: "PUT", path: "/plans/20x6", user: app, body: planOf(planRow(a, "creation", "2026-09-01", nil)), status: 400, names: []string{"year"}},
		plan("an unknown field in a row", 400, map[string]any{"rows": []any{withField(planRow(a, "creation", "2026-09-01", nil), "priority", 1)}}, "priority"),
		plan("late sent by the client", 400, withField(planOf(planRow(a, "creation", "2026-09-01", nil)), "late", false), "late"),
		plan("not JSON", 400, `{"rows": [`, "body"),
		plan("rows as a string", 400, `{"rows": "all"}`, "rows"),
		{name: "plan: the authority does not send lists", method: "PUT", path: "/plans/2026", user: auth, body: planOf(planRow(a, "creation", "2026-09-01", nil)), status: 403, names: []string{"not open to the role authority"}},
		object("§5, §6 an unknown kind", 422, withField(good, "kind", "space_station"), "kind", "state_is"),
		object("seed 004 §3 an unknown life-cycle state", 422, withField(good, "lifeCycleStage", "alive"), "lifeCycleStage"),
		object("§29 a blank name", 422, withField(good, "name", " "), "name"),
		object("§29 no developer", 422, map[string]any{"kind": "state_is", "name": "x", "lifeCycleStage": "creation"}, "developer"),
		object("§5 mandatory sent by the client", 400, withField(good, "mandatory", false), "mandatory"),
		object("an ID sent by the client", 400, withField(good, "id", "O-0000000000000001"), "id"),
		{name: "object: staff do not register objects", method: "POST", path: "/objects", user: auth, body: good, status: 403, names: []string{"not open to the role authority"}},
		{name: "stage: seed 004 §3 an unknown life-cycle state", method: "PUT", path: "/objects/" + a + "/stage", user: app, body: map[string]any{"lifeCycleStage": "operating"}, status: 422, names: []string{"lifeCycleStage", "industrial_operation"}},
		{name: "stage: no life-cycle state", method: "PUT", path: "/objects/" + a + "/stage", user: app, body: map[string]any{}, status: 422, names: []string{"lifeCycleStage"}},
		{name: "stage: an unknown field", method: "PUT", path: "/objects/" + a + "/stage", user: app, body: map[string]any{"lifeCycleStage": "testing", "since": "2026-01-01"}, status: 400, names: []string{"since"}},
		{name: "stage: not JSON", method: "PUT", path: "/objects/" + a + "/stage", user: app, body: `{"lifeCycleStage": `, status: 400, names: []string{"body"}},
		{name: "stage: a missing object", method: "PUT", path: "/objects/O-ffffffffffffffff/stage", user: app, body: map[string]any{"lifeCycleStage": "testing"}, status: 404, names: []string{"no such object"}},
		{name: "stage: the authority does not change stages", method: "PUT", path: "/objects/" + a + "/stage", user: auth, body: map[string]any{"lifeCycleStage": "testing"}, status: 403, names: []string{"not open to the role authority"}},
		get("a list year after the calendar", "/plans/"+after, app, 422, years),
		get("staff list objects without organization", "/objects", auth, 400, "organization"),
		get("staff name an invalid BIN", "/objects?organization=120540001239", auth, 400, "organization", "check digit"),
		get("staff read a plan without organization", "/plans/2026", auth, 400, "organization"),
		get("objects limit zero", "/objects?limit=0", app, 400, "limit"),
		get("objects forged cursor", "/objects?cursor=Zm9yZ2Vk", app, 400, "cursor"),
	}
	countObjects := func() int {
		_, page := owner.do("GET", "/objects", nil)
		return len(page["objects"].([]any))
	}
	for _, in := range catalogue {
		t.Run(in.name, func(t *testing.T) {
			stack.Clock.Freeze(at)
			_, planBefore := owner.do("GET", "/plans/2026", nil)
			objectsBefore := countObjects()
			_, objectBefore := owner.do("GET", "/objects/"+a, nil)
			var raw []byte
			switch x := in.body.(type) {
			case nil:
			case string:
				raw = []byte(x)
			default:
				raw = mustJSON(t, x)
			}
			r := send(t, in.method, in.path, token(t, in.user), raw, nil)
			if r.status != in.status || r.contentType != "application/problem+json" {
				t.Fatalf("%d %s, want %d problem+json: %.600s", r.status, r.contentType, in.status, r.raw)
			}
			text := fmt.Sprint(r.body["detail"])
			if ps, _ := r.body["problems"].([]any); len(ps) > 0 {
				for _, x := range ps {
					m, _ := x.(map[string]any)
					text += "\n" + fmt.Sprint(m["field"]) + " [" + fmt.Sprint(m["rule"]) + "]: " + fmt.Sprint(m["message"])
				}
			}
			for _, want := range in.names {
				if !strings.Contains(strings.ToLower(text), strings.ToLower(want)) {
					t.Errorf("the refusal does not name %q:\n%s", want, text)
				}
			}
			_, planAfter := owner.do("GET", "/plans/2026", nil)
			if _, objectAfter := owner.do("GET", "/objects/"+a, nil); fmt.Sprint(objectBefore) != fmt.Sprint(objectAfter) {
				t.Fatalf("a refused request changed the object: %v -> %v", objectBefore, objectAfter)
			}
			if fmt.Sprint(planBefore) != fmt.Sprint(planAfter) || countObjects() != objectsBefore {
				t.Fatalf("a refused request wrote: plan %v -> %v", planBefore, planAfter)
			}
		})
	}
	t.Logf("%d bad inputs about objects and plans catalogued", len(catalogue))
}
