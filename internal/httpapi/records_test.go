package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
	"attestation/internal/calendar"
	"attestation/internal/callarchive"
	"attestation/internal/statistics"
)

// archiveBucket holds manifests by key, for the manifest route.
type archiveBucket map[string][]byte

func (b archiveBucket) Open(_ context.Context, key, _ string) ([]byte, error) {
	if body, ok := b[key]; ok {
		return body, nil
	}
	return nil, apperr.Hidden(apperr.NotFound, "document", "get %s", key)
}

// noCases is a statistics store with one returned application.
type noCases struct{}

func (noCases) CasesFiledBetween(context.Context, time.Time, time.Time, int) ([]attestation.Case, error) {
	return []attestation.Case{{ID: "A-1", OrganizationBIN: bin, ObjectKind: "state_is", Stage: attestation.StageReturned,
		SubmittedAt: requestTime.Add(-48 * time.Hour)}}, nil
}

func (noCases) History(context.Context, string) ([]attestation.Event, error) {
	return []attestation.Event{{At: requestTime.Add(-24 * time.Hour), Step: "completeness_check", Outcome: attestation.OutcomeReturn,
		What: "step completed: return (completeness_check opened " + requestTime.Add(-47*time.Hour).Format(time.RFC3339) + ", due " + requestTime.Format(time.RFC3339) + ")"}}, nil
}

func TestCallRecordArchiveSeed003Par8ManifestRouteForStaff(t *testing.T) {
	e := newEnv()
	day := "2026-10-14"
	manifest := []byte(`{"archive":"x","day":"2026-10-14","file":"audit/2026/10/14.jsonl","records":2,"bytes":10,"sha256":"ab","previous":null}` + "\n")
	e.rebuild(func(d *Deps) {
		d.Archive = callarchive.NewReader(archiveBucket{callarchive.ManifestKey(day): manifest})
	})
	for _, c := range []struct {
		day    string
		claims map[string]string
		status int
	}{
		{day, authorityClaims, 200}, {day, stsClaims, 200}, {day, applicantClaims, 403}, {day, qualityClaims, 403},
		{"2026-10-13", authorityClaims, 404}, {"2026-1-13", authorityClaims, 400},
	} {
		resp, _ := e.do(t, req{routeKey: "GET /audit/archive/{day}", path: "/audit/archive/" + c.day, params: map[string]string{"day": c.day}, claims: c.claims})
		if resp.StatusCode != c.status {
			t.Errorf("%s as %s: %d %s, want %d", c.day, c.claims["cognito:groups"], resp.StatusCode, resp.Body, c.status)
		}
		if resp.StatusCode == 200 {
			var v ArchiveManifestView
			if err := json.Unmarshal([]byte(resp.Body), &v); err != nil || v.Manifest.Records != 2 || v.Key != "audit/2026/10/14.manifest.json" || len(v.ManifestSHA256) != 64 {
				t.Errorf("%v %s", err, resp.Body)
			}
		}
	}
}

func TestStatisticsRouteForTheAuthorityAndTheQualityAuthority(t *testing.T) {
	e := newEnv()
	cal, err := calendar.Kazakhstan()
	if err != nil {
		t.Fatal(err)
	}
	svc, err := statistics.NewService(noCases{}, cal)
	if err != nil {
		t.Fatal(err)
	}
	e.rebuild(func(d *Deps) { d.Statistics = svc })
	q := map[string]string{"from": "2026-10-01", "to": "2026-10-31"}
	for _, c := range []struct {
		claims map[string]string
		query  map[string]string
		status int
		field  string
	}{
		{authorityClaims, q, 200, ""}, {qualityClaims, q, 200, ""}, {stsClaims, q, 403, ""}, {applicantClaims, q, 403, ""},
		{authorityClaims, map[string]string{"to": "2026-10-31"}, 422, "from"},
		{authorityClaims, map[string]string{"from": "2024-10-01", "to": "2026-10-31"}, 422, "to"},
	} {
		resp, _ := e.do(t, req{routeKey: "GET /statistics", path: "/statistics", query: c.query, claims: c.claims})
		if resp.StatusCode != c.status {
			t.Errorf("%v as %s: %d %s, want %d", c.query, c.claims["cognito:groups"], resp.StatusCode, resp.Body, c.status)
			continue
		}
		if c.field != "" && !strings.Contains(resp.Body, `"field":"`+c.field+`"`) {
			t.Errorf("the problem names %s: %s", c.field, resp.Body)
		}
		if resp.StatusCode == http.StatusOK {
			var rep statistics.Report
			if err := json.Unmarshal([]byte(resp.Body), &rep); err != nil || rep.Applications != 1 || rep.ByOutcome["returned"] != 1 || len(rep.ByGround) != 1 {
				t.Errorf("%v %s", err, resp.Body)
			}
			if strings.Contains(resp.Body, bin) || strings.Contains(resp.Body, "A-1") {
				t.Errorf("the statistics name an organisation or a case: %s", resp.Body)
			}
		}
	}
}
