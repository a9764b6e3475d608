package httpapi

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// At the HTTP boundary: a certificate past its term is expired in the owner's and the
// authority's lists before the deadline check marks it (§40), and a period the calendar cannot
// count is a 422 naming the years it covers, never a 500 (§44, §46, §48).

func TestCertificateListsDecideExpiryAtTheRequestPar40(t *testing.T) {
	e, _ := newLifeEnv(t)
	late := requestTime.AddDate(1, 1, 0) // 2026/00002 (the platform) is past its one-year term, unmarked
	list := func(claims map[string]string, query map[string]string) []string {
		t.Helper()
		resp, _ := e.do(t, req{routeKey: "GET /certificates", path: "/certificates", claims: claims, query: query, at: late})
		var page CertificatePage
		if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(resp.Body), &page) != nil {
			t.Fatalf("%d %s", resp.StatusCode, resp.Body)
		}
		var out []string
		for _, c := range page.Certificates {
			if c.Status == "expired" && c.ExpiredAt == nil {
				t.Fatalf("expired without expiredAt: %+v", c)
			}
			out = append(out, c.Number+"/"+string(c.Status))
		}
		return out
	}
	if got := list(authorityClaims, map[string]string{"status": "valid"}); !slices.Equal(got, []string{"2026/00001/valid"}) {
		t.Fatalf("status=valid: %v", got)
	}
	if got := list(authorityClaims, map[string]string{"status": "expired"}); !slices.Equal(got, []string{"2026/00002/expired"}) {
		t.Fatalf("status=expired: %v", got)
	}
	if got := list(applicantClaims, nil); !slices.Equal(got, []string{"2026/00002/expired", "2026/00001/valid"}) {
		t.Fatalf("the owner's: %v", got)
	}
}

func TestPeriodTheCalendarCannotCountIs422(t *testing.T) {
	e, store := newLifeEnv(t)
	late := time.Date(2027, time.December, 29, 5, 0, 0, 0, time.UTC) // 10:00 in Almaty, Wednesday
	cert := lifeParams("2026", "00001")
	for _, tc := range []struct {
		name, route, path, body string
		claims                  map[string]string
		paragraph               string
	}{
		{"§44 a change notice", "POST /certificates/{year}/{seq}/changes", "/certificates/2026/00001/changes", `{"description":"New VPN gateway"}`, applicantClaims, "§44"},
		{"§48 a notice of loss", "POST /certificates/{year}/{seq}/duplicates", "/certificates/2026/00001/duplicates", `{"reason":"lost"}`, applicantClaims, "§48"},
		{"§46 a recall", "POST /certificates/{year}/{seq}/recall", "/certificates/2026/00001/recall", `{"ground":"owner_application","reasons":["asked"]}`, authorityClaims, "§46"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, _ := e.do(t, req{routeKey: tc.route, path: tc.path, params: cert, claims: tc.claims, body: tc.body, at: late})
			var p struct{ Type, Detail string }
			_ = json.Unmarshal([]byte(resp.Body), &p)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.HasSuffix(p.Type, ":not-allowed-by-the-rules") ||
				!strings.Contains(p.Detail, "(2016-2027)") || !strings.Contains(p.Detail, tc.paragraph) || strings.Contains(p.Detail, "retry") {
				t.Fatalf("%d %s", resp.StatusCode, resp.Body)
			}
			if n := store.revs["2026/00001"]; n != 1 {
				t.Fatalf("%d revisions: a refused request wrote", n)
			}
		})
	}
}
