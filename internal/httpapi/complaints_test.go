package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
	"attestation/internal/complaints"
	"attestation/internal/identity"
)

// The complaint IDs the fake knows.
const (
	ownComplaint     = "C-000000000000000000000001" // the applicant's, to the service provider
	qualityComplaint = "C-000000000000000000000002" // the applicant's, to the quality authority
	missingComplaint = "C-0000000000000000000000ff"
	brokenComplaint  = "C-00000000000000000000dead"
)

var qualityClaims = map[string]string{"sub": "u-quality", "cognito:groups": "[quality_authority]", "aud": "attestation-web"}

// fakeComplaints stands in for the complaints service: it counts the writes and answers each
// known ID the way the service would.
type fakeComplaints struct {
	mu        sync.Mutex
	filed     int
	decisions int
	limit     int
	cursor    string
}

func (f *fakeComplaints) complaint(id string) complaints.Complaint {
	to := complaints.ServiceProvider
	if id == qualityComplaint {
		to = complaints.QualityAuthority
	}
	return complaints.Complaint{ID: id, Number: "C-2026/00001", Year: 2026, Seq: 1, OrganizationBIN: bin, ApplicantName: "Aigerim", Addressee: to,
		Subject: "Late", FiledAt: requestTime, RegisteredAt: requestTime, DueAt: time.Date(2026, 10, 22, 18, 59, 59, 0, time.UTC),
		Paragraph: "standard §11", Status: complaints.StatusRegistered, Version: 1}
}

func (f *fakeComplaints) File(ctx context.Context, actor identity.Actor, in complaints.Filing, now time.Time) (complaints.Complaint, error) {
	if !in.Addressee.Valid() {
		return complaints.Complaint{}, &attestation.SubmissionRefused{Problems: []attestation.Problem{{Field: "addressee", Rule: "standard §11", Message: "not an addressee"}}}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.filed++
	c := f.complaint(fmt.Sprintf("C-%024x", f.filed))
	c.Addressee, c.Subject, c.FiledAt = in.Addressee, in.Subject, now
	c.History = []complaints.Event{{Seq: 1, At: now, Actor: actor.Subject, Role: actor.Role, What: "registered as C-2026/00001"}}
	return c, nil
}

func (f *fakeComplaints) Get(ctx context.Context, actor identity.Actor, id string) (complaints.Complaint, error) {
	switch id {
	case ownComplaint, qualityComplaint:
		if actor.Role == identity.Applicant && actor.BIN != bin {
			return complaints.Complaint{}, complaints.ErrComplaintNotFound
		}
		if actor.Role == identity.STS {
			return complaints.Complaint{}, apperr.Errorf(apperr.Forbidden, "", "the STS reads only the complaints to its head")
		}
		return f.complaint(id), nil
	case brokenComplaint:
		return complaints.Complaint{}, errors.New("dynamodb: connection reset by peer at 10.0.0.7")
	}
	return complaints.Complaint{}, complaints.ErrComplaintNotFound
}

func (f *fakeComplaints) List(ctx context.Context, actor identity.Actor, limit int, cursor string) ([]complaints.Complaint, string, error) {
	f.mu.Lock()
	f.limit, f.cursor = limit, cursor
	f.mu.Unlock()
	if cursor == "forged" {
		return nil, "", attestation.ErrBadCursor
	}
	return []complaints.Complaint{f.complaint(ownComplaint)}, "", nil
}

func (f *fakeComplaints) Register(ctx context.Context, actor identity.Actor, in complaints.Registration, now time.Time) (complaints.Complaint, error) {
	if in.IncomingNumber == "" {
		return complaints.Complaint{}, &attestation.SubmissionRefused{Problems: []attestation.Problem{{Field: "incomingNumber", Rule: "standard §11", Message: "required"}}}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.filed++
	c := f.complaint(fmt.Sprintf("C-%024x", f.filed))
	c.Addressee, c.Subject, c.FiledAt, c.OrganizationBIN, c.ApplicantName = in.Addressee, in.Subject, in.ReceivedAt, in.Organization, in.ComplainantName
	c.Channel, c.IncomingNumber, c.RegisteredBy, c.RegisteredBySubject = in.Channel, in.IncomingNumber, in.RegisteredBy, actor.Subject
	return c, nil
}

func (f *fakeComplaints) ListFiledWith(ctx context.Context, actor identity.Actor, a complaints.Addressee, limit int, cursor string) ([]complaints.Complaint, string, error) {
	if a.Role() != actor.Role {
		return nil, "", apperr.Errorf(apperr.Forbidden, "", "list complaints: another body's")
	}
	c := f.complaint(ownComplaint)
	c.Addressee = a
	return []complaints.Complaint{c}, "", nil
}

func (f *fakeComplaints) Decide(ctx context.Context, actor identity.Actor, id string, in complaints.DecisionInput, now time.Time) (complaints.Complaint, error) {
	c, err := f.Get(ctx, actor, id)
	if err != nil {
		return c, err
	}
	if c.Addressee.Role() != actor.Role {
		return complaints.Complaint{}, apperr.Errorf(apperr.Forbidden, "", "decide complaint: addressed to another body")
	}
	if in.Outcome == complaints.Rejected {
		return complaints.Complaint{}, complaints.ErrAlreadyConsidered
	}
	f.mu.Lock()
	f.decisions++
	f.mu.Unlock()
	c.Status, c.Version = complaints.StatusConsidered, 2
	c.Decision = &complaints.Decision{Outcome: in.Outcome, Answer: in.Answer, Actor: actor.Subject, Role: actor.Role, At: now}
	return c, nil
}

func newComplaintsEnv() (*env, *fakeComplaints) {
	e := newEnv()
	f := &fakeComplaints{}
	e.rebuild(func(d *Deps) { d.Complaints = f })
	return e, f
}

func complaintParams(id string) map[string]string { return map[string]string{"complaintId": id} }

func TestFileComplaint(t *testing.T) {
	const body = `{"addressee":"service_provider","subject":"The completeness check took 9 working days"}`
	t.Run("standard §11 an applicant files a complaint: 201 with its number and due moment", func(t *testing.T) {
		e, f := newComplaintsEnv()
		resp, _ := e.do(t, req{routeKey: "POST /complaints", path: "/complaints", claims: applicantClaims, body: body})
		v := decodeBody(t, resp.Body)
		if resp.StatusCode != http.StatusCreated || v["number"] != "C-2026/00001" || v["dueAt"] != "2026-10-22T18:59:59Z" ||
			v["status"] != "registered" || v["addressee"] != "service_provider" || len(v["history"].([]any)) != 1 || f.filed != 1 {
			t.Fatalf("%d %v", resp.StatusCode, v)
		}
	})
	t.Run("an Idempotency-Key replays the first answer without a second complaint", func(t *testing.T) {
		e, f := newComplaintsEnv()
		r := req{routeKey: "POST /complaints", path: "/complaints", claims: applicantClaims, body: body, headers: map[string]string{"Idempotency-Key": "c-1"}}
		first, _ := e.do(t, r)
		again, _ := e.do(t, r)
		if first.StatusCode != 201 || again.Body != first.Body || again.Headers["Idempotent-Replayed"] != "true" || f.filed != 1 {
			t.Fatalf("first %d, again %d %s, %d filed", first.StatusCode, again.StatusCode, again.Body, f.filed)
		}
	})
	for _, tc := range []struct{ name, body, names string }{
		{"an unknown field", `{"addressee":"service_provider","subject":"x","number":"C-2026/00009"}`, "number"},
		{"the subject of the wrong type", `{"addressee":"service_provider","subject":7}`, "subject"},
		{"not JSON", `{"addressee":`, "body"},
	} {
		t.Run("a body that cannot be read: "+tc.name, func(t *testing.T) {
			e, f := newComplaintsEnv()
			resp, _ := e.do(t, req{routeKey: "POST /complaints", path: "/complaints", claims: applicantClaims, body: tc.body})
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(resp.Body, tc.names) || f.filed != 0 {
				t.Fatalf("%d %s, want 400 naming %s", resp.StatusCode, resp.Body, tc.names)
			}
		})
	}
	t.Run("standard §11 a refused filing answers its field-level problems", func(t *testing.T) {
		e, _ := newComplaintsEnv()
		resp, _ := e.do(t, req{routeKey: "POST /complaints", path: "/complaints", claims: applicantClaims, body: `{"addressee":"minister","subject":"x"}`})
		if resp.StatusCode != http.StatusUnprocessableEntity || !slices.Equal(fieldsOf(t, resp.Body), []string{"addressee"}) {
			t.Fatalf("%d %s", resp.StatusCode, resp.Body)
		}
	})
	t.Run("staff do not file complaints", func(t *testing.T) {
		e, f := newComplaintsEnv()
		for _, c := range []map[string]string{authorityClaims, stsClaims, qualityClaims} {
			if resp, _ := e.do(t, req{routeKey: "POST /complaints", path: "/complaints", claims: c, body: body}); resp.StatusCode != http.StatusForbidden {
				t.Fatalf("%v: %d, want 403", c["cognito:groups"], resp.StatusCode)
			}
		}
		if f.filed != 0 {
			t.Fatal("filed")
		}
	})
}

func TestReadComplaints(t *testing.T) {
	e, f := newComplaintsEnv()
	get := func(claims map[string]string, id string) (int, string) {
		resp, _ := e.do(t, req{routeKey: "GET /complaints/{complaintId}", path: "/complaints/" + id, params: complaintParams(id), claims: claims})
		return resp.StatusCode, resp.Body
	}
	for _, c := range []map[string]string{applicantClaims, authorityClaims, qualityClaims} {
		if status, body := get(c, ownComplaint); status != 200 || decodeBody(t, body)["id"] != ownComplaint {
			t.Fatalf("%v: %d %s", c["cognito:groups"], status, body)
		}
	}
	foreignStatus, foreign := get(strangerClaims, ownComplaint)
	missingStatus, missing := get(strangerClaims, missingComplaint)
	if foreignStatus != 404 || missingStatus != 404 || foreign != missing || !strings.Contains(foreign, "no such complaint") {
		t.Fatalf("another organisation's complaint: %d %s; a missing one: %d %s; want the same 404", foreignStatus, foreign, missingStatus, missing)
	}
	if status, _ := get(stsClaims, ownComplaint); status != http.StatusForbidden {
		t.Fatalf("the STS: %d, want 403", status)
	}
	if status, body := get(authorityClaims, brokenComplaint); status != 500 || strings.Contains(body, "10.0.0.7") {
		t.Fatalf("a store failure: %d %s", status, body)
	}
	resp, _ := e.do(t, req{routeKey: "GET /complaints", path: "/complaints", claims: qualityClaims, query: map[string]string{"limit": "7", "cursor": "abc"}})
	if resp.StatusCode != 200 || len(decodeBody(t, resp.Body)["complaints"].([]any)) != 1 || f.limit != 7 || f.cursor != "abc" {
		t.Fatalf("list: %d %s (limit %d cursor %q)", resp.StatusCode, resp.Body, f.limit, f.cursor)
	}
	for _, q := range []map[string]string{{"limit": "0"}, {"cursor": "forged"}} {
		if resp, _ := e.do(t, req{routeKey: "GET /complaints", path: "/complaints", claims: applicantClaims, query: q}); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("%v: %d %s, want 400", q, resp.StatusCode, resp.Body)
		}
	}
}

func TestDecideComplaint(t *testing.T) {
	const upheld = `{"outcome":"upheld","answer":"The check was late."}`
	decide := func(e *env, claims map[string]string, id, body string, headers map[string]string) (int, string, map[string]string) {
		resp, _ := e.do(t, req{routeKey: "POST /complaints/{complaintId}/decision", path: "/complaints/" + id + "/decision",
			params: complaintParams(id), claims: claims, body: body, headers: headers})
		return resp.StatusCode, resp.Body, resp.Headers
	}
	t.Run("standard §11 the addressee decides: the authority a complaint to the service provider, the quality authority one to itself", func(t *testing.T) {
		e, f := newComplaintsEnv()
		if status, body, _ := decide(e, authorityClaims, ownComplaint, upheld, nil); status != 200 || decodeBody(t, body)["decision"].(map[string]any)["role"] != "authority" {
			t.Fatalf("%d %s", status, body)
		}
		if status, body, _ := decide(e, qualityClaims, qualityComplaint, upheld, nil); status != 200 || decodeBody(t, body)["status"] != "considered" {
			t.Fatalf("%d %s", status, body)
		}
		for _, tc := range []struct {
			claims map[string]string
			id     string
		}{{qualityClaims, ownComplaint}, {authorityClaims, qualityComplaint}, {applicantClaims, ownComplaint}, {stsClaims, ownComplaint}} {
			if status, body, _ := decide(e, tc.claims, tc.id, upheld, nil); status != http.StatusForbidden {
				t.Fatalf("%v on %s: %d %s, want 403", tc.claims["cognito:groups"], tc.id, status, body)
			}
		}
		if f.decisions != 2 {
			t.Fatalf("%d decisions", f.decisions)
		}
	})
	t.Run("standard §11 another decision of a considered complaint is 409; a missing complaint 404", func(t *testing.T) {
		e, _ := newComplaintsEnv()
		if status, body, _ := decide(e, authorityClaims, ownComplaint, `{"outcome":"rejected","answer":"x"}`, nil); status != http.StatusConflict {
			t.Fatalf("%d %s", status, body)
		}
		if status, body, _ := decide(e, authorityClaims, missingComplaint, upheld, nil); status != http.StatusNotFound || !strings.Contains(body, "no such complaint") {
			t.Fatalf("%d %s", status, body)
		}
	})
	t.Run("an Idempotency-Key replays the first decision", func(t *testing.T) {
		e, f := newComplaintsEnv()
		h := map[string]string{"Idempotency-Key": "d-1"}
		s1, b1, _ := decide(e, authorityClaims, ownComplaint, upheld, h)
		s2, b2, h2 := decide(e, authorityClaims, ownComplaint, upheld, h)
		if s1 != 200 || s2 != 200 || b1 != b2 || h2["Idempotent-Replayed"] != "true" || f.decisions != 1 {
			t.Fatalf("%d %d %s, %d decisions", s1, s2, b2, f.decisions)
		}
	})
	t.Run("a decision body that cannot be read is 400 naming the field", func(t *testing.T) {
		e, f := newComplaintsEnv()
		if status, body, _ := decide(e, authorityClaims, ownComplaint, `{"outcome":"upheld","answer":"x","reasons":[]}`, nil); status != 400 || !strings.Contains(body, "reasons") {
			t.Fatalf("%d %s", status, body)
		}
		if f.decisions != 0 {
			t.Fatal("decided")
		}
	})
}

// TestStd11ComplaintRegistrationMark: an office registers a complaint it received on paper with its
// mark; every complaint shows its mark, an online one too; staff list by addressee.
func TestStd11ComplaintRegistrationMark(t *testing.T) {
	const reg = `{"addressee":"sts_head","channel":"post","organization":"120540001238","complainantName":"Aigerim","subject":"Late act",` +
		`"incomingNumber":"ВХ-412","registeredBy":"Serikbayev A.","receivedAt":"2026-10-15T04:00:00Z"}`
	t.Run("standard §11 the STS's office registers a complaint to its head received by post: 201 with the registration mark", func(t *testing.T) {
		e, f := newComplaintsEnv()
		resp, _ := e.do(t, req{routeKey: "POST /complaints/registrations", path: "/complaints/registrations", claims: stsClaims, body: reg})
		v := decodeBody(t, resp.Body)
		m, _ := v["registration"].(map[string]any)
		if resp.StatusCode != http.StatusCreated || v["addressee"] != "sts_head" || m["channel"] != "post" || m["incomingNumber"] != "ВХ-412" ||
			m["registeredBy"] != "Serikbayev A." || f.filed != 1 {
			t.Fatalf("%d %v", resp.StatusCode, v)
		}
	})
	t.Run("standard §11 an applicant does not register paper complaints; a mark without its incoming number is 422", func(t *testing.T) {
		e, _ := newComplaintsEnv()
		if resp, _ := e.do(t, req{routeKey: "POST /complaints/registrations", path: "/complaints/registrations", claims: applicantClaims, body: reg}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("%d %s", resp.StatusCode, resp.Body)
		}
		resp, _ := e.do(t, req{routeKey: "POST /complaints/registrations", path: "/complaints/registrations", claims: authorityClaims,
			body: strings.Replace(reg, `"ВХ-412"`, `""`, 1)})
		if resp.StatusCode != http.StatusUnprocessableEntity || !slices.Equal(fieldsOf(t, resp.Body), []string{"incomingNumber"}) {
			t.Fatalf("%d %s", resp.StatusCode, resp.Body)
		}
	})
	t.Run("standard §11 a complaint filed online shows the online channel and its number as the incoming number", func(t *testing.T) {
		e, _ := newComplaintsEnv()
		resp, _ := e.do(t, req{routeKey: "GET /complaints/{complaintId}", path: "/complaints/" + ownComplaint, params: complaintParams(ownComplaint), claims: authorityClaims})
		m, _ := decodeBody(t, resp.Body)["registration"].(map[string]any)
		if resp.StatusCode != 200 || m["channel"] != "online" || m["incomingNumber"] != "C-2026/00001" || m["registeredBy"] != nil {
			t.Fatalf("%d %s", resp.StatusCode, resp.Body)
		}
	})
	t.Run("standard §11 staff list the complaints to one of their addressees: the authority those to the head of the Ministry", func(t *testing.T) {
		e, _ := newComplaintsEnv()
		resp, _ := e.do(t, req{routeKey: "GET /complaints", path: "/complaints", claims: authorityClaims, query: map[string]string{"addressee": "ministry_head"}})
		list, _ := decodeBody(t, resp.Body)["complaints"].([]any)
		if resp.StatusCode != 200 || len(list) != 1 || list[0].(map[string]any)["addressee"] != "ministry_head" {
			t.Fatalf("%d %s", resp.StatusCode, resp.Body)
		}
		if resp, _ := e.do(t, req{routeKey: "GET /complaints", path: "/complaints", claims: authorityClaims, query: map[string]string{"addressee": "sts_head"}}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("%d %s", resp.StatusCode, resp.Body)
		}
	})
}

var pathParam = regexp.MustCompile(`\{[^}]+\}`)

// TestTheQualityAuthorityTakesOnlyTheComplaintRoutes: a token of the authority for the quality of
// state services is refused (403) on every route but those of complaints, of its cabinet (the
// notifications of the complaints addressed to it, issue 13) and the statistics of the service
// (GET /statistics, which an oversight body reads).
func TestTheQualityAuthorityTakesOnlyTheComplaintRoutes(t *testing.T) {
	e, _ := newComplaintsEnv()
	open := 0
	for key, rt := range e.h.routes() {
		if len(rt.roles) == 0 {
			continue
		}
		_, path, _ := strings.Cut(key, " ")
		allowed := slices.Contains(rt.roles, identity.QualityAuthority)
		if allowed != ((strings.HasPrefix(path, "/complaints") && key != "POST /complaints") || strings.HasPrefix(path, "/notifications") || key == "GET /statistics") {
			t.Errorf("%s lets the quality authority through: %t", key, allowed)
		}
		if allowed {
			open++
			continue
		}
		// A value in place of each path parameter: the role is refused before any is read.
		resp, _ := e.do(t, req{routeKey: key, path: pathParam.ReplaceAllString(path, "p-1"), claims: qualityClaims, body: "{}"})
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(resp.Body, "quality_authority") {
			t.Errorf("%s: %d %s, want 403", key, resp.StatusCode, resp.Body)
		}
	}
	if open != 7 {
		t.Fatalf("the quality authority takes %d routes, want 7 (4 of complaints, the registration of a paper one among them; 2 of its cabinet; the statistics)", open)
	}
}

// TestComplaintSchemasMatchTheGoTypes: each schema of complaints has the members its Go type
// encodes or decodes; an answer's schema requires exactly the members always encoded; a request's
// schema rejects unknown members, as the handler does.
func TestComplaintSchemasMatchTheGoTypes(t *testing.T) {
	doc, err := apiSpec()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		schema   string
		typ      any
		response bool
	}{
		{"ComplaintFiling", complaints.Filing{}, false},
		{"ComplaintRegistration", complaints.Registration{}, false},
		{"ComplaintRegistrationMark", ComplaintMarkView{}, true},
		{"ComplaintDecisionInput", complaints.DecisionInput{}, false},
		{"Complaint", ComplaintView{}, true},
		{"ComplaintDecision", ComplaintDecisionView{}, true},
		{"ComplaintEvent", complaints.Event{}, true},
		{"ComplaintPage", ComplaintPage{}, true},
	} {
		t.Run(tc.schema, func(t *testing.T) { schemaMatchesType(t, doc, tc.schema, tc.typ, tc.response) })
	}
	// The enums are the domain's.
	for _, tc := range []struct {
		schema string
		want   []string
	}{
		{"ComplaintAddressee", sorted(complaints.Addressees)},
		{"ComplaintOutcome", sorted(complaints.Outcomes)},
		{"ComplaintStatus", sorted([]complaints.Status{complaints.StatusRegistered, complaints.StatusConsidered})},
		{"ComplaintActorRole", sorted([]identity.Role{identity.Applicant, identity.Authority, identity.QualityAuthority, identity.STS, identity.Scheduler})},
		{"ComplaintChannel", sorted(complaints.Channels)},
	} {
		if got := enum(t, tc.schema); !slices.Equal(got, tc.want) {
			t.Errorf("%s: openapi.yaml %v, the domain %v", tc.schema, got, tc.want)
		}
	}
}
