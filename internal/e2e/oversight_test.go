package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"attestation/internal/dynamostore"
	"attestation/internal/localstack"
	"attestation/internal/register"
	"attestation/internal/signing"
)

// The authority's oversight through the local stack: the mandatory objects in industrial
// operation without a valid certificate (§4; Law Art. 40.1, 44.3, 51.4), and the year's plans
// against the applications (§11, Annex 1). The reports span every organisation of the shared
// table; each test looks at the rows of its own organisations (random BINs).

// registerIn registers an object of kind in stage as c and returns its ID.
func registerIn(t testing.TB, c client, name, kind, stage string) string {
	t.Helper()
	status, body := c.do("POST", "/objects", objectBody(name, kind, stage))
	if status != http.StatusCreated {
		t.Fatalf("register %s: %d %v", name, status, body)
	}
	return body["id"].(string)
}

// seedEntry puts a register entry (§29) of the owner bin in the table, revision 1, signed by an
// in-process key: the reports read its status, not its signature.
func seedEntry(t testing.TB, bin, objectID, name string, edit func(*register.Entry)) register.Entry {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	seq, err := rand.Int(rand.Reader, big.NewInt(99999))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 5, 12, 5, 0, 0, 0, time.UTC)
	e := register.Entry{Number: fmt.Sprintf("2025/%05d", seq.Int64()+1), Year: 2025, Seq: int(seq.Int64()) + 1, CaseID: "A-seeded",
		Edition: "rules-2016-amended-2018", ObjectID: objectID, ObjectName: name, ObjectKind: "state_is", Mandatory: true,
		OwnerName: "Owner " + bin, OwnerBIN: bin, Act: register.Act{Number: "ACT-1", Date: at}, IssuedAt: at, Status: register.Valid}
	if edit != nil {
		edit(&e)
	}
	e, err = register.Next(context.Background(), signing.NewLocal(key, "seed-key"), register.Entry{}, e, at)
	if err != nil {
		t.Fatal(err)
	}
	store := dynamostore.New(stack.Clients.DynamoDB, stack.Template.Tables[0].Name)
	if err := store.PutEntry(context.Background(), e, register.Revision{Number: 1, At: at, Actor: "seed", Role: "authority", What: "issued", Seal: e.Seal}); err != nil {
		t.Fatal(err)
	}
	return e
}

// rowsOf are the rows of list (a report's array) whose organization is one of bins, by key.
func rowsOf(t testing.TB, list any, key string, bins ...string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, x := range list.([]any) {
		row := x.(map[string]any)
		if slices.Contains(bins, fmt.Sprint(row["organization"])) {
			out[fmt.Sprint(row[key])] = row
		}
	}
	return out
}

func TestOversightPar4OperationWithoutCertificate(t *testing.T) {
	at := time.Date(2026, 10, 15, 10, 0, 0, 0, almaty)
	stack.Clock.Freeze(at)
	org := newOrganisation(t)
	owner, authority := as(t, org), as(t, localstack.DemoAuthority)

	none := registerIn(t, owner, "Register of permits", "state_is", "industrial_operation")
	valid := registerIn(t, owner, "Critical dispatch system", "critical_is", "industrial_operation")
	recalled := registerIn(t, owner, "Ministry portal", "state_web", "industrial_operation")
	expired := registerIn(t, owner, "E-government platform", "egov_platform", "industrial_operation")
	byName := registerIn(t, owner, "Licensing  Archive", "state_is", "industrial_operation")
	entity := registerIn(t, owner, "State enterprise accounting", "state_entity_is", "industrial_operation")
	voluntary := registerIn(t, owner, "Online shop", "nonstate_web", "industrial_operation")
	inTesting := registerIn(t, owner, "Registry under test", "state_is", "testing")

	seedEntry(t, org.BIN, valid, "Critical dispatch system", nil)
	rec := seedEntry(t, org.BIN, recalled, "Ministry portal", func(e *register.Entry) {
		e.Status = register.Recalled
		e.Recall = &register.Recall{Ground: "breach", Number: 3, Paragraph: "§45(3)", DecidedAt: time.Date(2026, 9, 1, 11, 0, 0, 0, almaty)}
	})
	until := time.Date(2026, 9, 30, 23, 59, 59, 0, almaty)
	exp := seedEntry(t, org.BIN, expired, "E-government platform", func(e *register.Entry) { e.ValidUntil = &until })
	// An entry that names no object is the object's by owner and name.
	seedEntry(t, org.BIN, "", "licensing archive", nil)

	status, rep := authority.do("GET", "/oversight/operation-without-certificate", nil)
	if status != http.StatusOK {
		t.Fatalf("%d %v", status, rep)
	}
	if rep["at"] != at.UTC().Format(time.RFC3339) {
		t.Fatalf("report at %v, want the request's moment %v", rep["at"], at.UTC())
	}
	rows := rowsOf(t, rep["objects"], "objectId", org.BIN)
	t.Run("§4 a mandatory object in industrial operation without a valid certificate is listed", func(t *testing.T) {
		r := rows[none]
		if r == nil || r["reason"] != "no_certificate" || r["paragraph"] != "§4" || r["operationRequiresCertificate"] != true ||
			r["since"] != at.UTC().Format(time.RFC3339) || r["kind"] != "state_is" || r["lifeCycleStage"] != "industrial_operation" || r["certificate"] != nil {
			t.Fatalf("row %v", r)
		}
	})
	t.Run("§45 an object whose certificate was recalled is listed, with the certificate", func(t *testing.T) {
		r := rows[recalled]
		if r == nil || r["reason"] != "recalled" || r["certificate"] != rec.Number || r["reasonAt"] != "2026-09-01T06:00:00Z" {
			t.Fatalf("row %v, want recalled %s", r, rec.Number)
		}
	})
	t.Run("§40-§41 an object whose certificate's term has passed is listed as expired", func(t *testing.T) {
		r := rows[expired]
		if r == nil || r["reason"] != "expired" || r["certificate"] != exp.Number || r["reasonAt"] != until.UTC().Format(time.RFC3339) {
			t.Fatalf("row %v, want expired %s", r, exp.Number)
		}
	})
	t.Run("§5(2) a mandatory kind whose operation §4 does not condition is listed under its own paragraph", func(t *testing.T) {
		if r := rows[entity]; r == nil || r["paragraph"] != "§5(2)" || r["operationRequiresCertificate"] != false {
			t.Fatalf("row %v", r)
		}
	})
	t.Run("§4 exactly those: not the certified, the voluntary, nor an object in testing", func(t *testing.T) {
		var got []string
		for id := range rows {
			got = append(got, id)
		}
		want := []string{none, recalled, expired, entity}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("listed %v, want %v (not %s valid, %s certified by name, %s voluntary, %s in testing)", got, want, valid, byName, voluntary, inTesting)
		}
		if rep["count"] != float64(len(rep["objects"].([]any))) {
			t.Fatalf("count %v for %d objects", rep["count"], len(rep["objects"].([]any)))
		}
	})
	t.Run("§4 an object put into industrial operation is listed from the moment of the change", func(t *testing.T) {
		moved := at.Add(26 * time.Hour)
		stack.Clock.Freeze(moved)
		defer stack.Clock.Freeze(at)
		status, o := owner.do("PUT", "/objects/"+inTesting+"/stage", map[string]any{"lifeCycleStage": "industrial_operation"})
		if status != http.StatusOK || o["lifeCycleStage"] != "industrial_operation" || o["stageSince"] != moved.UTC().Format(time.RFC3339) ||
			o["registeredAt"] != at.UTC().Format(time.RFC3339) {
			t.Fatalf("%d %v", status, o)
		}
		// Both states are kept, each from when the owner recorded it.
		if got := fmt.Sprint(o["stages"]); got != fmt.Sprintf("[map[since:%s stage:testing] map[since:%s stage:industrial_operation]]",
			at.UTC().Format(time.RFC3339), moved.UTC().Format(time.RFC3339)) {
			t.Fatalf("stages %s", got)
		}
		// Another organisation's applicant: 404, and the object stays as it is.
		stranger := as(t, newOrganisation(t))
		if status, body := stranger.do("PUT", "/objects/"+inTesting+"/stage", map[string]any{"lifeCycleStage": "terminated"}); status != http.StatusNotFound {
			t.Fatalf("another organisation: %d %v", status, body)
		}
		_, rep := authority.do("GET", "/oversight/operation-without-certificate", nil)
		r := rowsOf(t, rep["objects"], "objectId", org.BIN)[inTesting]
		if r == nil || r["reason"] != "no_certificate" || r["since"] != moved.UTC().Format(time.RFC3339) || r["lifeCycleStage"] != "industrial_operation" {
			t.Fatalf("row %v", r)
		}
		// Terminated, it leaves the report, and stays terminated.
		if status, body := owner.do("PUT", "/objects/"+inTesting+"/stage", map[string]any{"lifeCycleStage": "terminated"}); status != http.StatusOK {
			t.Fatalf("terminate: %d %v", status, body)
		}
		_, rep = authority.do("GET", "/oversight/operation-without-certificate", nil)
		if r := rowsOf(t, rep["objects"], "objectId", org.BIN)[inTesting]; r != nil {
			t.Fatalf("a terminated object is listed: %v", r)
		}
		status, body := owner.do("PUT", "/objects/"+inTesting+"/stage", map[string]any{"lifeCycleStage": "industrial_operation"})
		if status != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(body["detail"]), "terminated") {
			t.Fatalf("a terminated object changed: %d %v", status, body)
		}
	})
	t.Run("§4 the report is the authority's", func(t *testing.T) {
		for _, c := range []client{owner, as(t, localstack.DemoSTS)} {
			if status, body := c.do("GET", "/oversight/operation-without-certificate", nil); status != http.StatusForbidden {
				t.Fatalf("%d %v, want 403", status, body)
			}
		}
	})
}

// fileAs files a complete application of org for an object of the given name and kind, naming the
// registered object objectID when it is not "", and returns the case's ID.
func fileAs(t testing.TB, c client, org localstack.User, name, kind, objectID string) string {
	t.Helper()
	app := application(t, name, false)
	applicant := app["applicant"].(map[string]any)
	applicant["identityNumber"], applicant["name"] = org.BIN, org.Name
	object := app["object"].(map[string]any)
	object["kind"] = kind
	if objectID != "" {
		object["id"] = objectID
	}
	status, body := c.file(app)
	if status != http.StatusCreated {
		t.Fatalf("file %s: %d %v", name, status, body)
	}
	return body["id"].(string)
}

func TestOversightAnnex1PlansAgainstApplications(t *testing.T) {
	stack.Clock.Freeze(time.Date(2026, 10, 15, 10, 0, 0, 0, almaty))
	org, other := newOrganisation(t), newOrganisation(t)
	owner, stranger, authority := as(t, org), as(t, other), as(t, localstack.DemoAuthority)

	filedByID := registerIn(t, owner, "Planned and filed", "state_is", "creation")
	filedByName := registerIn(t, owner, "Planned, Filed by Name", "critical_is", "creation")
	notFiled := registerIn(t, owner, "Planned, not filed", "state_web", "creation")
	voluntary := registerIn(t, owner, "Planned shop", "nonstate_web", "creation")
	notPlanned := registerIn(t, owner, "Filed, not planned", "state_is", "creation")
	plan := planOf(planRow(filedByID, "creation", "2026-11-20", nil), planRow(filedByName, "creation", "2026-11-20", nil),
		planRow(notFiled, "creation", "2026-12-01", nil), planRow(voluntary, "creation", "2026-12-01", nil))
	if status, body := owner.do("PUT", "/plans/2026", plan); status != http.StatusCreated {
		t.Fatalf("plan: %d %v", status, body)
	}

	fileAs(t, owner, org, "Planned and filed", "state_is", filedByID)
	fileAs(t, owner, org, "planned,   filed by NAME", "critical_is", "")
	unplanned := fileAs(t, owner, org, "Filed, not planned", "state_is", notPlanned)
	fileAs(t, owner, org, "A voluntary filing", "nonstate_is", "")
	noList := fileAs(t, stranger, other, "Filed without any list", "state_is", "")

	status, rep := authority.do("GET", "/oversight/plans/2026", nil)
	if status != http.StatusOK || rep["year"] != 2026.0 {
		t.Fatalf("%d %v", status, rep)
	}
	planned := rowsOf(t, rep["plannedWithoutApplication"], "objectId", org.BIN, other.BIN)
	filed := rowsOf(t, rep["applicationsWithoutPlan"], "caseId", org.BIN, other.BIN)
	t.Run("§11 Annex 1 a mandatory object planned with no application filed that year is listed, and only it", func(t *testing.T) {
		r := planned[notFiled]
		if len(planned) != 1 || r == nil || r["objectName"] != "Planned, not filed" || r["plannedDate"] != "2026-12-01" ||
			r["planLate"] != true || r["paragraph"] != "§11, Annex 1" {
			t.Fatalf("planned without application %v, want only %s", planned, notFiled)
		}
	})
	t.Run("§11 Annex 1 applications for mandatory objects no list names are listed, and only they", func(t *testing.T) {
		r, s := filed[unplanned], filed[noList]
		if len(filed) != 2 || r == nil || s == nil {
			t.Fatalf("applications without plan %v, want %s and %s", filed, unplanned, noList)
		}
		if r["objectId"] != notPlanned || r["planSent"] != true || r["objectKind"] != "state_is" || r["stage"] == nil {
			t.Fatalf("row %v: the organisation sent a list that does not name the object", r)
		}
		if _, named := s["objectId"]; named || s["planSent"] != false || s["organization"] != other.BIN {
			t.Fatalf("row %v: the organisation sent no list", s)
		}
	})
	t.Run("§11 Annex 1 another year holds none of them", func(t *testing.T) {
		status, rep := authority.do("GET", "/oversight/plans/2027", nil)
		if status != http.StatusOK {
			t.Fatalf("%d %v", status, rep)
		}
		if p, f := rowsOf(t, rep["plannedWithoutApplication"], "objectId", org.BIN, other.BIN), rowsOf(t, rep["applicationsWithoutPlan"], "caseId", org.BIN, other.BIN); len(p)+len(f) != 0 {
			t.Fatalf("2027: %v %v", p, f)
		}
	})
	t.Run("§11 the report is the authority's", func(t *testing.T) {
		if status, body := owner.do("GET", "/oversight/plans/2026", nil); status != http.StatusForbidden {
			t.Fatalf("%d %v, want 403", status, body)
		}
	})
}
