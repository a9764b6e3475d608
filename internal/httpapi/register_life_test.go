package httpapi

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"attestation/internal/attestation"
	"attestation/internal/calendar"
	"attestation/internal/register"
	"attestation/internal/signing"
)

// The routes of life after the certificate, on the register's service over an in-memory store:
// what each route answers, against openapi.yaml.

// lifeStore is the register's store in memory, with the real one's conditions.
type lifeStore struct {
	mu      sync.Mutex
	entries map[string]register.Entry
	revs    map[string]int
}

func copyEntry(e register.Entry) register.Entry {
	b, _ := json.Marshal(e)
	var out register.Entry
	_ = json.Unmarshal(b, &out)
	return out
}

func (s *lifeStore) Entry(_ context.Context, number string) (register.Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[number]
	if !ok {
		return register.Entry{}, attestation.ErrNotFound
	}
	return copyEntry(e), nil
}

func (s *lifeStore) PutEntry(_ context.Context, e register.Entry, rev register.Revision) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if prev, ok := s.entries[e.Number]; (ok && prev.Revision != e.Revision-1) || (!ok && e.Revision != 1) {
		return attestation.ErrConflict
	}
	s.entries[e.Number] = copyEntry(e)
	s.revs[e.Number]++
	return nil
}

func (s *lifeStore) Revisions(context.Context, string) ([]register.Revision, error) {
	return nil, attestation.ErrNotFound
}

func (s *lifeStore) all(keep func(register.Entry) bool) []register.Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []register.Entry
	for _, e := range s.entries {
		if keep(e) {
			out = append(out, copyEntry(e))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number > out[j].Number })
	return out
}

func (s *lifeStore) DueEntries(_ context.Context, before time.Time, limit int) ([]register.Entry, error) {
	return s.all(func(e register.Entry) bool { t, ok := e.NextCheck(); return ok && !t.After(before) }), nil
}

func (s *lifeStore) WatchedEntries(_ context.Context, limit int, cursor string) ([]register.Entry, string, error) {
	if cursor != "" {
		return nil, "", attestation.ErrBadCursor
	}
	return s.all(register.Entry.Watched), "", nil
}

func (s *lifeStore) ListEntries(_ context.Context, q register.CertificateQuery, limit int, cursor string) ([]register.Entry, string, error) {
	if cursor != "" {
		return nil, "", attestation.ErrBadCursor
	}
	return s.all(func(e register.Entry) bool {
		return (q.OwnerBIN == "" || e.OwnerBIN == q.OwnerBIN) && (len(q.StoredStatuses()) == 0 || slices.Contains(q.StoredStatuses(), e.Status))
	}), "", nil
}

type lifeRecords struct{}

func (lifeRecords) Put(_ context.Context, key, _ string, body []byte) (attestation.Document, error) {
	return attestation.Document{Key: key, VersionID: "v1", SHA256: strings.Repeat("e", 64)}, nil
}

// lifeRenderer renders the copy of a recall decision as a few bytes.
func lifeRenderer(c register.RecallCopy) ([]byte, error) {
	return []byte("%PDF-1.7 recall of " + c.Certificate), nil
}

type lifeDuplicator struct{}

func (lifeDuplicator) Duplicate(_ context.Context, e register.Entry, req register.DuplicateRequest, _ time.Time) (register.Document, error) {
	return register.Document{Key: "certificates/dup.pdf", VersionID: "v1", SHA256: strings.Repeat("d", 64)}, nil
}

// newLifeEnv is the handler with the register's service, holding certificate 2026/00001 of the
// applicant's organisation (state_is, issued the day before the requests) and 2026/00002, an
// e-government platform's.
func newLifeEnv(t *testing.T) (*env, *lifeStore) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer := signing.NewLocal(key, "k")
	cal, err := calendar.Kazakhstan()
	if err != nil {
		t.Fatal(err)
	}
	store := &lifeStore{entries: map[string]register.Entry{}, revs: map[string]int{}}
	svc, err := register.NewService(register.Deps{Store: store, Signer: signer, Calendar: cal, Log: slog.New(slog.NewJSONHandler(io.Discard, nil)),
		Records: lifeRecords{}, Render: lifeRenderer, Duplicator: lifeDuplicator{}})
	if err != nil {
		t.Fatal(err)
	}
	issued := requestTime.Add(-24 * time.Hour)
	until := issued.AddDate(1, 0, 0)
	for i, kind := range []string{"state_is", "egov_platform"} {
		e := register.Entry{Number: fmt.Sprintf("2026/%05d", i+1), Year: 2026, Seq: i + 1, CaseID: "A-1", Edition: "rules-2016-amended-2018",
			ObjectName: "Registry", ObjectKind: kind, Mandatory: true, OwnerName: "Ministry", OwnerBIN: bin,
			Act: register.Act{Number: "ACT-1", Date: issued, Document: register.Document{Key: "a", VersionID: "v", SHA256: strings.Repeat("a", 64)}}, IssuedAt: issued,
			Certificate: register.Document{Key: "c", VersionID: "v", SHA256: strings.Repeat("c", 64)}, Status: register.Valid}
		if kind == "egov_platform" {
			e.ValidUntil = &until
		} else {
			e.Monitoring = &register.Monitoring{DueAt: until}
		}
		e, err := register.Next(context.Background(), signer, register.Entry{}, e, issued)
		if err != nil {
			t.Fatal(err)
		}
		if err := store.PutEntry(context.Background(), e, register.Revision{Number: 1}); err != nil {
			t.Fatal(err)
		}
	}
	env := newEnv()
	env.rebuild(func(d *Deps) { d.Register = svc })
	return env, store
}

func lifeParams(year, seq string, extra ...string) map[string]string {
	p := map[string]string{"year": year, "seq": seq}
	for i := 0; i+1 < len(extra); i += 2 {
		p[extra[i]] = extra[i+1]
	}
	return p
}

func TestRegisterLifeRoutes(t *testing.T) {
	e, store := newLifeEnv(t)
	cert := lifeParams("2026", "00001")
	post := func(route, path string, claims map[string]string, params map[string]string, body string) (int, map[string]any, string) {
		t.Helper()
		resp, _ := e.do(t, req{routeKey: route, path: path, params: params, claims: claims, body: body})
		var m map[string]any
		_ = json.Unmarshal([]byte(resp.Body), &m)
		return resp.StatusCode, m, resp.Body
	}
	certOf := func(m map[string]any) map[string]any { c, _ := m["certificate"].(map[string]any); return c }

	t.Run("§42 the owner notifies the monitoring connection, with or without a body", func(t *testing.T) {
		status, m, raw := post("POST /certificates/{year}/{seq}/monitoring", "/certificates/2026/00001/monitoring", applicantClaims, cert, "")
		mon, _ := certOf(m)["monitoring"].(map[string]any)
		if status != http.StatusOK || mon["connectedAt"] != "2026-10-15T05:00:00Z" {
			t.Fatalf("%d %s", status, raw)
		}
		if status, _, raw := post("POST /certificates/{year}/{seq}/monitoring", "/certificates/2026/1/monitoring", applicantClaims, lifeParams("2026", "1"), "{}"); status != http.StatusOK {
			t.Fatalf("repeat: %d %s", status, raw)
		}
		if status, _, raw := post("POST /certificates/{year}/{seq}/monitoring", "/certificates/2026/00001/monitoring", applicantClaims, cert, `{"connectedAt":"x"}`); status != http.StatusBadRequest || !strings.Contains(raw, "connectedAt") {
			t.Fatalf("unknown field: %d %s", status, raw)
		}
		if status, _, raw := post("POST /certificates/{year}/{seq}/monitoring", "/certificates/2026/00002/monitoring", applicantClaims, lifeParams("2026", "00002"), ""); status != http.StatusUnprocessableEntity || !strings.Contains(raw, "§42") {
			t.Fatalf("the platform: %d %s", status, raw)
		}
	})
	t.Run("§43 §44 a change notice is 201 with its ID and due moment; the decision names it", func(t *testing.T) {
		status, m, raw := post("POST /certificates/{year}/{seq}/changes", "/certificates/2026/00001/changes", applicantClaims, cert, `{"description":"New VPN gateway"}`)
		ch, _ := m["change"].(map[string]any)
		if status != http.StatusCreated || ch["id"] != "c1" || ch["dueAt"] != "2026-10-20T18:59:59Z" {
			t.Fatalf("%d %s", status, raw)
		}
		status, m, raw = post("POST /certificates/{year}/{seq}/changes/{changeId}/decision", "/certificates/2026/00001/changes/c1/decision", authorityClaims,
			lifeParams("2026", "00001", "changeId", "c1"), `{"decision":"not_required","reasons":["minor"]}`)
		if ch, _ := m["change"].(map[string]any); status != http.StatusOK || ch["decision"] != "not_required" {
			t.Fatalf("%d %s", status, raw)
		}
		status, _, raw = post("POST /certificates/{year}/{seq}/changes/{changeId}/decision", "/certificates/2026/00001/changes/c7/decision", authorityClaims,
			lifeParams("2026", "00001", "changeId", "c7"), `{"decision":"not_required","reasons":["minor"]}`)
		if status != http.StatusNotFound || !strings.Contains(raw, "change notice") {
			t.Fatalf("%d %s", status, raw)
		}
		status, _, raw = post("POST /certificates/{year}/{seq}/changes", "/certificates/2026/00001/changes", applicantClaims, cert, `{"description":"  "}`)
		if status != http.StatusUnprocessableEntity || !slices.Contains(fieldsOf(t, raw), "description") {
			t.Fatalf("%d %s", status, raw)
		}
	})
	t.Run("§47 requiring re-attestation of the platform for a service software change is 422", func(t *testing.T) {
		p := lifeParams("2026", "00002")
		if status, _, raw := post("POST /certificates/{year}/{seq}/changes", "/certificates/2026/00002/changes", applicantClaims, p, `{"description":"New e-service","serviceSoftwareOnly":true}`); status != http.StatusCreated {
			t.Fatalf("%d %s", status, raw)
		}
		status, _, raw := post("POST /certificates/{year}/{seq}/changes/{changeId}/decision", "/certificates/2026/00002/changes/c1/decision", authorityClaims,
			lifeParams("2026", "00002", "changeId", "c1"), `{"decision":"reattestation_required","reasons":["x"]}`)
		if status != http.StatusUnprocessableEntity || !strings.Contains(raw, "§47") {
			t.Fatalf("%d %s", status, raw)
		}
	})
	t.Run("§48 a duplicate is asked for (201) and issued", func(t *testing.T) {
		status, m, raw := post("POST /certificates/{year}/{seq}/duplicates", "/certificates/2026/00001/duplicates", applicantClaims, cert, `{"reason":"lost"}`)
		if d, _ := m["duplicate"].(map[string]any); status != http.StatusCreated || d["id"] != "d1" {
			t.Fatalf("%d %s", status, raw)
		}
		status, m, raw = post("POST /certificates/{year}/{seq}/duplicates/{requestId}/issue", "/certificates/2026/00001/duplicates/d1/issue", authorityClaims,
			lifeParams("2026", "00001", "requestId", "d1"), "")
		if d, _ := m["duplicate"].(map[string]any); status != http.StatusOK || d["issuedAt"] == nil || d["document"] == nil {
			t.Fatalf("%d %s", status, raw)
		}
		status, _, raw = post("POST /certificates/{year}/{seq}/duplicates", "/certificates/2026/00001/duplicates", applicantClaims, cert, `{"reason":"stolen"}`)
		if status != http.StatusUnprocessableEntity || !slices.Contains(fieldsOf(t, raw), "reason") {
			t.Fatalf("%d %s", status, raw)
		}
	})
	t.Run("§48 a register service without a maker of duplicates is not built", func(t *testing.T) {
		_, err := register.NewService(register.Deps{Store: store, Signer: signing.NewLocal(nil, "k"), Calendar: &calendar.Calendar{},
			Log: slog.New(slog.DiscardHandler), Records: lifeRecords{}, Render: lifeRenderer})
		if err == nil || !strings.Contains(err.Error(), "Duplicator is required") {
			t.Fatalf("err = %v, want it to name the Duplicator", err)
		}
	})
	t.Run("§45 §46 the authority recalls; a repeat with the key replays; the return is recorded", func(t *testing.T) {
		body := `{"ground":"owner_application","reasons":["the owner asked"]}`
		r := req{routeKey: "POST /certificates/{year}/{seq}/recall", path: "/certificates/2026/00001/recall", params: cert, claims: authorityClaims, body: body,
			headers: map[string]string{IdempotencyKeyHeader: "recall-1"}}
		first, _ := e.do(t, r)
		again, _ := e.do(t, r)
		c := certOf(decodeBody(t, first.Body))
		rc, _ := c["recall"].(map[string]any)
		if first.StatusCode != http.StatusOK || c["status"] != "recalled" || rc["returnDueAt"] != "2026-10-20T18:59:59Z" || rc["decision"] == nil ||
			again.Body != first.Body || again.Headers["Idempotent-Replayed"] != "true" || store.revs["2026/00001"] != 7 {
			t.Fatalf("%d %s / %s; %d revisions", first.StatusCode, first.Body, again.Headers, store.revs["2026/00001"])
		}
		status, _, raw := post("POST /certificates/{year}/{seq}/recall", "/certificates/2026/00001/recall", authorityClaims, cert, `{"ground":"audit_noncompliance","reasons":["x"]}`)
		if status != http.StatusConflict {
			t.Fatalf("another ground: %d %s", status, raw)
		}
		status, m, raw := post("POST /certificates/{year}/{seq}/return", "/certificates/2026/00001/return", authorityClaims, cert, "")
		if rc, _ := certOf(m)["recall"].(map[string]any); status != http.StatusOK || rc["returnedAt"] == nil {
			t.Fatalf("%d %s", status, raw)
		}
		status, _, raw = post("POST /certificates/{year}/{seq}/recall", "/certificates/2026/00002/recall", authorityClaims, lifeParams("2026", "00002"), `{"ground":"not_reattested","reasons":["x"]}`)
		if status != http.StatusUnprocessableEntity || !strings.Contains(raw, "§41") {
			t.Fatalf("ground 1 before expiry: %d %s", status, raw)
		}
	})
	t.Run("§45(5) the owner notifies cessation", func(t *testing.T) {
		status, m, raw := post("POST /certificates/{year}/{seq}/cessation", "/certificates/2026/00002/cessation", applicantClaims, lifeParams("2026", "00002"), `{"ceasedOn":"2026-10-15"}`)
		if cs, _ := certOf(m)["cessation"].(map[string]any); status != http.StatusOK || cs["ceasedOn"] != "2026-10-15" {
			t.Fatalf("%d %s", status, raw)
		}
	})
	t.Run("the lists: the applicant's certificates and the authority's obligations", func(t *testing.T) {
		resp, _ := e.do(t, req{routeKey: "GET /certificates", path: "/certificates", claims: applicantClaims})
		if m := decodeBody(t, resp.Body); resp.StatusCode != http.StatusOK || len(m["certificates"].([]any)) != 2 {
			t.Fatalf("%d %s", resp.StatusCode, resp.Body)
		}
		resp, _ = e.do(t, req{routeKey: "GET /certificates", path: "/certificates", claims: applicantClaims, query: map[string]string{"organization": "990340001230"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("another organisation: %d %s", resp.StatusCode, resp.Body)
		}
		resp, _ = e.do(t, req{routeKey: "GET /certificates", path: "/certificates", claims: authorityClaims, query: map[string]string{"status": "recalled"}})
		if m := decodeBody(t, resp.Body); resp.StatusCode != http.StatusOK || len(m["certificates"].([]any)) != 1 {
			t.Fatalf("%d %s", resp.StatusCode, resp.Body)
		}
		for _, q := range []map[string]string{{"status": "lost"}, {"organization": "12"}, {"limit": "x"}} {
			if resp, _ := e.do(t, req{routeKey: "GET /certificates", path: "/certificates", claims: authorityClaims, query: q}); resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("%v: %d %s", q, resp.StatusCode, resp.Body)
			}
		}
		resp, _ = e.do(t, req{routeKey: "GET /register/obligations", path: "/register/obligations", claims: authorityClaims})
		m := decodeBody(t, resp.Body)
		obs, _ := m["obligations"].([]any)
		// The platform's cessation to act on (§45(5)) and its undecided change notice (§44).
		if resp.StatusCode != http.StatusOK || len(obs) != 2 || obs[0].(map[string]any)["ground"] != "operation_ceased" || obs[1].(map[string]any)["id"] != "c1" {
			t.Fatalf("%d %s", resp.StatusCode, resp.Body)
		}
		if resp, _ := e.do(t, req{routeKey: "GET /register/obligations", path: "/register/obligations", claims: authorityClaims, query: map[string]string{"overdue": "yes"}}); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("%d %s", resp.StatusCode, resp.Body)
		}
		if resp, _ := e.do(t, req{routeKey: "GET /register/obligations", path: "/register/obligations", claims: stsClaims}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("sts: %d %s", resp.StatusCode, resp.Body)
		}
	})
	t.Run("a certificate number that is not one is 400", func(t *testing.T) {
		for _, p := range [][2]string{{"26", "00001"}, {"2026", "x1"}, {"2026", "0"}, {"2026", "123456"}} {
			status, _, raw := post("POST /certificates/{year}/{seq}/recall", "/certificates/"+p[0]+"/"+p[1]+"/recall", authorityClaims, lifeParams(p[0], p[1]), `{"ground":"owner_application","reasons":["x"]}`)
			if status != http.StatusBadRequest || !strings.Contains(raw, "certificate number") {
				t.Fatalf("%v: %d %s", p, status, raw)
			}
		}
	})
}

// TestAnotherOrganisationsCertificateIsNotFoundOnEveryApplicantRoute: a stranger's certificate
// answers exactly like a missing one, and nothing is written.
func TestAnotherOrganisationsCertificateIsNotFoundOnEveryApplicantRoute(t *testing.T) {
	e, store := newLifeEnv(t)
	bodies := map[string]string{
		"POST /certificates/{year}/{seq}/monitoring": "",
		"POST /certificates/{year}/{seq}/changes":    `{"description":"x"}`,
		"POST /certificates/{year}/{seq}/duplicates": `{"reason":"lost"}`,
		"POST /certificates/{year}/{seq}/cessation":  `{"ceasedOn":"2026-10-15"}`,
	}
	n := 0
	for key, rt := range e.h.registerRoutes() {
		if !allowedRole(rt, "applicant") || !strings.Contains(key, "{seq}") {
			continue
		}
		n++
		_, path, _ := strings.Cut(key, " ")
		at := func(seq string) string { return strings.NewReplacer("{year}", "2026", "{seq}", seq).Replace(path) }
		foreign, _ := e.do(t, req{routeKey: key, path: at("00001"), params: lifeParams("2026", "00001"), claims: strangerClaims, body: bodies[key]})
		missing, _ := e.do(t, req{routeKey: key, path: at("00099"), params: lifeParams("2026", "00099"), claims: strangerClaims, body: bodies[key]})
		if foreign.StatusCode != http.StatusNotFound || foreign.Body != missing.Body {
			t.Errorf("%s: another organisation's %d %s; a missing one %d %s", key, foreign.StatusCode, foreign.Body, missing.StatusCode, missing.Body)
		}
	}
	if n != len(bodies) || store.revs["2026/00001"] != 1 {
		t.Fatalf("%d applicant routes checked; %d revisions", n, store.revs["2026/00001"])
	}
}

func allowedRole(rt route, role string) bool {
	for _, r := range rt.roles {
		if string(r) == role {
			return true
		}
	}
	return false
}

// TestRegisterLifeSchemasMatchTheGoTypes: each schema of these routes has the members its Go type
// encodes or decodes; an answer's schema requires exactly those always encoded.
func TestRegisterLifeSchemasMatchTheGoTypes(t *testing.T) {
	doc, err := apiSpec()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		schema   string
		typ      any
		response bool
	}{
		{"Certificate", CertificateView{}, true},
		{"CertificateAct", CertificateActView{}, true},
		{"PinnedDocument", register.Document{}, true},
		{"CertificateRecall", register.Recall{}, true},
		{"CertificateMonitoring", register.Monitoring{}, true},
		{"ChangeNotice", register.ChangeNotice{}, true},
		{"DuplicateRequest", register.DuplicateRequest{}, true},
		{"Cessation", register.Cessation{}, true},
		{"CertificateAction", CertificateAction{}, true},
		{"CertificatePage", CertificatePage{}, true},
		{"Obligation", register.Obligation{}, true},
		{"ObligationPage", ObligationPage{}, true},
		{"ChangeNoticeInput", register.ChangeInput{}, false},
		{"ChangeDecisionInput", register.ChangeDecision{}, false},
		{"RecallInput", register.RecallInput{}, false},
		{"DuplicateRequestInput", register.DuplicateInput{}, false},
		{"CessationNoticeInput", register.CessationNotice{}, false},
	} {
		t.Run(tc.schema, func(t *testing.T) { schemaMatchesType(t, doc, tc.schema, tc.typ, tc.response) })
	}
	// The enums the document names are the service's.
	for schema, want := range map[string][]string{
		"CertificateStatus": {string(register.Valid), string(register.Recalled), string(register.Expired), string(register.Terminated)},
	} {
		if got := enum(t, schema); !slices.Equal(got, sorted(want)) {
			t.Errorf("%s: %v, want %v", schema, got, want)
		}
	}
}
