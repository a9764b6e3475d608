package httpapi

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"attestation/internal/attestation"
	"attestation/internal/calendar"
	"attestation/internal/objects"
	"attestation/internal/oversight"
	"attestation/internal/register"
)

// oversightStore is an in-memory oversight.Store behind the real service: one object in
// industrial operation with a recalled certificate, one plan of 2026 and one application.
type oversightStore struct{ broken bool }

func (s oversightStore) ObjectsInStage(ctx context.Context, stage objects.Stage) ([]objects.Object, error) {
	if s.broken {
		return nil, errors.New("dynamodb: connection reset by peer at 10.0.0.7")
	}
	return []objects.Object{{ID: ownObject, OrganizationBIN: bin, Kind: "state_is", Name: "Registry", LifeCycleStage: objects.StageIndustrialOperation,
		Mandatory: true, Edition: "rules-2016-amended-2018", RegisteredAt: time.Date(2026, 1, 20, 5, 0, 0, 0, time.UTC)}}, nil
}

func (s oversightStore) EntriesOf(ctx context.Context, owner string) ([]register.Entry, error) {
	return []register.Entry{{Number: "2025/00001", ObjectID: ownObject, ObjectName: "Registry", OwnerBIN: owner, Status: register.Recalled,
		Recall: &register.Recall{DecidedAt: time.Date(2026, 6, 3, 4, 0, 0, 0, time.UTC)}}}, nil
}

func (s oversightStore) PlansOf(ctx context.Context, year int) ([]objects.Plan, error) {
	return []objects.Plan{{OrganizationBIN: bin, Year: year, Revision: 1, Paragraph: "§11", DueAt: time.Date(year, 3, 2, 18, 59, 59, 0, time.UTC),
		FirstSubmittedAt: time.Date(year, 2, 20, 5, 0, 0, 0, time.UTC), Rows: []objects.PlannedObject{
			{ObjectID: ownObject, ObjectName: "Registry", Mandatory: true, LifeCycleStage: objects.StageTesting, PlannedDate: "2026-06-15"}}}}, nil
}

func (s oversightStore) CasesFiledIn(ctx context.Context, year int) ([]attestation.Case, error) {
	return []attestation.Case{{ID: "A-1", OrganizationBIN: bin, ObjectName: "Portal", ObjectKind: "state_web", Edition: "rules-2016-amended-2018",
		Stage: attestation.StageSurvey, SubmittedAt: time.Date(year, 4, 1, 5, 0, 0, 0, time.UTC)}}, nil
}

func newOversightEnv(t *testing.T, store oversight.Store) *env {
	t.Helper()
	cal, err := calendar.Kazakhstan()
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv()
	e.rebuild(func(d *Deps) { d.Oversight = oversight.NewService(store, cal) })
	return e
}

func TestOperationWithoutCertificateRoute(t *testing.T) {
	get := func(e *env, claims map[string]string) (int, string) {
		resp, _ := e.do(t, req{routeKey: "GET /oversight/operation-without-certificate", path: "/oversight/operation-without-certificate", claims: claims})
		return resp.StatusCode, resp.Body
	}
	t.Run("§4 the authority reads the objects in industrial operation without a valid certificate", func(t *testing.T) {
		status, body := get(newOversightEnv(t, oversightStore{}), authorityClaims)
		v := decodeBody(t, body)
		if status != http.StatusOK || v["at"] != "2026-10-15T05:00:00Z" || v["count"] != 1.0 {
			t.Fatalf("%d %s", status, body)
		}
		row := v["objects"].([]any)[0].(map[string]any)
		for k, want := range map[string]any{"objectId": ownObject, "organization": bin, "reason": "recalled", "certificate": "2025/00001",
			"reasonAt": "2026-06-03T04:00:00Z", "paragraph": "§4", "operationRequiresCertificate": true, "since": "2026-01-20T05:00:00Z",
			"lifeCycleStage": "industrial_operation", "kind": "state_is"} {
			if row[k] != want {
				t.Errorf("%s = %v, want %v", k, row[k], want)
			}
		}
	})
	t.Run("§4 the report is the authority's alone", func(t *testing.T) {
		for _, claims := range []map[string]string{applicantClaims, stsClaims} {
			if status, body := get(newOversightEnv(t, oversightStore{}), claims); status != http.StatusForbidden {
				t.Fatalf("%d %s, want 403", status, body)
			}
		}
	})
	t.Run("a store failure is 500 without its text", func(t *testing.T) {
		if status, body := get(newOversightEnv(t, oversightStore{broken: true}), authorityClaims); status != 500 || strings.Contains(body, "10.0.0.7") {
			t.Fatalf("%d %s", status, body)
		}
	})
}

func TestPlansAgainstApplicationsRoute(t *testing.T) {
	get := func(e *env, claims map[string]string, year string) (int, string) {
		resp, _ := e.do(t, req{routeKey: "GET /oversight/plans/{year}", path: "/oversight/plans/" + year, params: yearParams(year), claims: claims})
		return resp.StatusCode, resp.Body
	}
	t.Run("§11 Annex 1 the authority reads the year's plans against its applications", func(t *testing.T) {
		status, body := get(newOversightEnv(t, oversightStore{}), authorityClaims, "2026")
		v := decodeBody(t, body)
		if status != http.StatusOK || v["year"] != 2026.0 {
			t.Fatalf("%d %s", status, body)
		}
		planned := v["plannedWithoutApplication"].([]any)
		filed := v["applicationsWithoutPlan"].([]any)
		if len(planned) != 1 || planned[0].(map[string]any)["objectId"] != ownObject || planned[0].(map[string]any)["paragraph"] != "§11, Annex 1" {
			t.Fatalf("planned without application %v", planned)
		}
		if len(filed) != 1 || filed[0].(map[string]any)["caseId"] != "A-1" || filed[0].(map[string]any)["planSent"] != true {
			t.Fatalf("applications without plan %v", filed)
		}
		if _, ok := filed[0].(map[string]any)["objectId"]; ok {
			t.Fatalf("an application that names no object answers an objectId: %v", filed[0])
		}
	})
	t.Run("a year that is not four digits is 400 naming year; one the calendar does not cover is 422 naming it", func(t *testing.T) {
		e := newOversightEnv(t, oversightStore{})
		for _, y := range []string{"26", "20261", "year", "-202", "0999"} {
			if status, body := get(e, authorityClaims, y); status != http.StatusBadRequest || !strings.Contains(body, "year") {
				t.Errorf("%q: %d %s, want 400 naming year", y, status, body)
			}
		}
		if status, body := get(e, authorityClaims, "2200"); status != http.StatusUnprocessableEntity || !strings.Contains(body, "year: 2200") {
			t.Errorf("2200: %d %s, want 422 naming year", status, body)
		}
	})
	t.Run("§11 the report is the authority's alone", func(t *testing.T) {
		for _, claims := range []map[string]string{applicantClaims, stsClaims} {
			if status, body := get(newOversightEnv(t, oversightStore{}), claims, "2026"); status != http.StatusForbidden {
				t.Fatalf("%d %s, want 403", status, body)
			}
		}
	})
}

// TestOversightSchemasMatchTheGoTypes: each answer's schema has exactly the members its view
// encodes, requires those always encoded, and admits no other.
func TestOversightSchemasMatchTheGoTypes(t *testing.T) {
	doc, err := apiSpec()
	if err != nil {
		t.Fatal(err)
	}
	for name, typ := range map[string]any{"OperationReport": OperationReportView{}, "UnattestedObject": UnattestedView{},
		"PlanReport": PlanReportView{}, "PlannedWithoutApplication": PlannedWithoutApplicationView{}, "ApplicationWithoutPlan": ApplicationWithoutPlanView{}} {
		t.Run(name, func(t *testing.T) {
			ref := doc.Components.Schemas[name]
			if ref == nil {
				t.Fatalf("no schema %s", name)
			}
			all, always := jsonFields(reflect.TypeOf(typ))
			var props []string
			for p := range ref.Value.Properties {
				props = append(props, p)
			}
			sort.Strings(props)
			req := slices.Clone(ref.Value.Required)
			sort.Strings(req)
			if !slices.Equal(props, all) || !slices.Equal(req, always) {
				t.Errorf("properties %v required %v; the Go type has %v, always %v", props, req, all, always)
			}
			if ref.Value.AdditionalProperties.Has == nil || *ref.Value.AdditionalProperties.Has {
				t.Errorf("additionalProperties is not false")
			}
		})
	}
	reasons := doc.Components.Schemas["UnattestedObject"].Value.Properties["reason"].Value.Enum
	var got []string
	for _, r := range reasons {
		got = append(got, r.(string))
	}
	var want []string
	for _, r := range oversight.Reasons {
		want = append(want, string(r))
	}
	if !slices.Equal(got, want) {
		t.Errorf("reason enum %v, the domain %v", got, want)
	}
}
