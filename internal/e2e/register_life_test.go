package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"attestation/internal/calendar"
	"attestation/internal/dynamostore"
	"attestation/internal/localstack"
	"attestation/internal/policy"
	"attestation/internal/register"
	"attestation/internal/wiring"
	"attestation/internal/wiring/kmskey"
)

// Life after the certificate through the local stack (§40-§48): the owner's notices, the
// authority's decisions, their effect on the register's entry and its public verification, and
// the deadline check's watch, the clock moved through /_local/clock and the check run through
// /_local/deadline-check. Certificates are entered as the issue path enters them (revision 1,
// signed with the stack's KMS key), each of an organisation of its own; the duplicate is made of
// a certificate really issued.

// lifeSeeded numbers the entries lifeEntry makes: 2029/<n>, a year no case reaches.
var lifeSeeded atomic.Int64

// lifeSigner is the stack's register key (KMS in moto), as the functions build it.
func lifeSigner(tb testing.TB) register.Signer {
	tb.Helper()
	fn, _ := stack.Template.Function("ApiFunction")
	cfg, err := wiring.LoadConfig(func(k string) (string, bool) { v, ok := fn.Env[k]; return v, ok })
	if err != nil {
		tb.Fatal(err)
	}
	s, err := kmskey.Signer(localstack.AWSConfig(stack.MotoURL), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// lifeEntry enters a certificate of kind for the organisation bin, issued at issued, as the issue
// path does: monitoring for mandatory objects other than the platform (§42), a one-year term for
// the platform (§40). It returns the certificate's number.
func lifeEntry(t testing.TB, kind, bin string, issued time.Time) string {
	t.Helper()
	return lifeEntryUnder(t, policy.Default(), kind, bin, issued)
}

// lifeEntryUnder is lifeEntry of a certificate whose case was filed under the policy edition
// edition.
func lifeEntryUnder(t testing.TB, edition, kind, bin string, issued time.Time) string {
	t.Helper()
	ctx := context.Background()
	ed, err := policy.Load(edition)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := calendar.Kazakhstan()
	if err != nil {
		t.Fatal(err)
	}
	k, err := ed.Kind(kind)
	if err != nil {
		t.Fatal(err)
	}
	seq := int(lifeSeeded.Add(1))
	e := register.Entry{Number: fmt.Sprintf("2029/%05d", seq), Year: 2029, Seq: seq, CaseID: "A-life", Edition: ed.ID(),
		ObjectID: fmt.Sprintf("O-%016x", seq), ObjectName: fmt.Sprintf("Life system %d", seq), ObjectKind: kind, Mandatory: k.Mandatory,
		OwnerName: "Owner " + bin, OwnerBIN: bin, Developer: "National IT operator",
		Act:      register.Act{Number: fmt.Sprintf("AKT-LIFE-%d", seq), Date: issued.Add(-48 * time.Hour), Document: register.Document{Key: "acts/life.pdf", VersionID: "v", SHA256: strings.Repeat("a", 64)}},
		IssuedAt: issued.UTC(), Status: register.Valid,
		Certificate: register.Document{Key: fmt.Sprintf("certificates/2029-%05d.pdf", seq), VersionID: "v", SHA256: strings.Repeat("c", 64)}}
	obs, err := ed.ObligationsFor(kind)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range obs {
		if o.Step == policy.StepMonitoringConnection {
			d, err := ed.Due(cal, o.Step, issued)
			if err != nil {
				t.Fatal(err)
			}
			e.Monitoring = &register.Monitoring{DueAt: d.At.UTC()}
		}
	}
	if k.ValidityStep != "" {
		d, err := ed.Due(cal, k.ValidityStep, issued)
		if err != nil {
			t.Fatal(err)
		}
		until := d.At.UTC()
		e.ValidUntil = &until
	}
	e, err = register.Next(ctx, lifeSigner(t), register.Entry{}, e, issued)
	if err != nil {
		t.Fatal(err)
	}
	store := dynamostore.New(stack.Clients.DynamoDB, stack.Template.Tables[0].Name)
	if err := store.PutEntry(ctx, e, register.Revision{Number: 1, At: issued, Actor: "e2e", Role: "authority", What: "issued", Paragraph: "§28", Seal: e.Seal}); err != nil {
		t.Fatal(err)
	}
	return e.Number
}

// local posts to one of the local stack's own routes.
func local(t testing.TB, path string, body any) []byte {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(mustJSON(t, body))
	}
	resp, err := http.Post(stack.APIURL+path, "application/json", rd)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d %s", path, resp.StatusCode, raw)
	}
	return raw
}

// clockAt moves the stack's clock to at.
func clockAt(t testing.TB, at time.Time) {
	t.Helper()
	local(t, "/_local/clock", map[string]string{"now": at.Format(time.RFC3339)})
}

// registerCheck runs the deadline check at the clock's moment and answers what the register's
// watch flagged of the given certificates, as what/certificate[/id].
func registerCheck(t testing.TB, numbers ...string) []string {
	t.Helper()
	var outs map[string]json.RawMessage
	if err := json.Unmarshal(local(t, "/_local/deadline-check", nil), &outs); err != nil {
		t.Fatal(err)
	}
	var flags []string
	found := false
	for _, raw := range outs {
		var rep struct {
			Checks map[string]json.RawMessage `json:"checks"`
		}
		if err := json.Unmarshal(raw, &rep); err != nil || rep.Checks["register"] == nil {
			continue
		}
		var r register.CheckReport
		if err := json.Unmarshal(rep.Checks["register"], &r); err != nil {
			t.Fatalf("the register watch's report: %v: %s", err, rep.Checks["register"])
		}
		found = true
		for _, f := range r.Flagged {
			if slices.Contains(numbers, f.Certificate) {
				s := f.What + "/" + f.Certificate
				if f.ID != "" {
					s += "/" + f.ID
				}
				flags = append(flags, s)
			}
		}
	}
	if !found {
		t.Fatalf("the deadline check reports no register watch: %s", mustJSON(t, outs))
	}
	sort.Strings(flags)
	return flags
}

// certPath is a certificate's path with a suffix: /certificates/2029/00001/recall.
func certPath(number, suffix string) string { return "/certificates/" + number + suffix }

// certificateOf is the certificate as c lists it (GET /certificates; the authority names the
// organisation), or nil.
func certificateOf(t testing.TB, c client, bin, number string) map[string]any {
	t.Helper()
	path := "/certificates?limit=100"
	if c.user.Role != "applicant" {
		path += "&organization=" + bin
	}
	status, page := c.do("GET", path, nil)
	if status != http.StatusOK {
		t.Fatalf("list certificates: %d %v", status, page)
	}
	for _, x := range page["certificates"].([]any) {
		if m := x.(map[string]any); m["number"] == number {
			return m
		}
	}
	return nil
}

// verification is the public verification of a certificate (JSON, no token).
func verification(t testing.TB, number string) map[string]any {
	t.Helper()
	r := send(t, "GET", certPath(number, ""), "", nil, map[string]string{"Accept": "application/json"})
	if r.status != http.StatusOK {
		t.Fatalf("verify %s: %d %s", number, r.status, r.raw)
	}
	return r.body
}

// obligationsOf are the open obligations of the given certificates, as kind/certificate[/id or
// ground], the authority's view at the clock's moment.
func obligationsOf(t testing.TB, overdue bool, numbers ...string) []string {
	t.Helper()
	return obligationsAs(t, as(t, localstack.DemoAuthority), overdue, numbers...)
}

// obligationsAs is obligationsOf as c reads them: the authority every certificate's, an applicant
// its own organisation's.
func obligationsAs(t testing.TB, auth client, overdue bool, numbers ...string) []string {
	t.Helper()
	var out []string
	path := fmt.Sprintf("/register/obligations?limit=100&overdue=%t", overdue)
	for pages := 0; ; pages++ {
		status, page := auth.do("GET", path, nil)
		if status != http.StatusOK || pages > 100 {
			t.Fatalf("obligations: %d %v", status, page)
		}
		for _, x := range page["obligations"].([]any) {
			o := x.(map[string]any)
			if !slices.Contains(numbers, fmt.Sprint(o["certificate"])) {
				continue
			}
			s := fmt.Sprint(o["kind"]) + "/" + fmt.Sprint(o["certificate"])
			if id, _ := o["id"].(string); id != "" {
				s += "/" + id
			}
			if g, _ := o["ground"].(string); g != "" {
				s += "/" + g
			}
			out = append(out, s)
		}
		cursor, _ := page["cursor"].(string)
		if cursor == "" {
			break
		}
		path = fmt.Sprintf("/register/obligations?limit=100&overdue=%t&cursor=%s", overdue, cursor)
	}
	sort.Strings(out)
	return out
}

func mustStatus(t testing.TB, what string, status, want int, body map[string]any, names ...string) {
	t.Helper()
	if status != want {
		t.Fatalf("%s: %d %v, want %d", what, status, body, want)
	}
	text := strings.ToLower(fmt.Sprint(body))
	for _, n := range names {
		if !strings.Contains(text, strings.ToLower(n)) {
			t.Fatalf("%s: the answer does not name %q: %v", what, n, body)
		}
	}
}

func certificateIn(m map[string]any) map[string]any {
	c, _ := m["certificate"].(map[string]any)
	return c
}

func recallBody(ground string) map[string]any {
	return map[string]any{"ground": ground, "reasons": []string{"the decision of the authority of " + ground}}
}

func TestRegisterLifeRecallOnEachGroundPar45(t *testing.T) {
	decided := time.Date(2026, 11, 2, 10, 0, 0, 0, almaty) // Monday
	authority := as(t, localstack.DemoAuthority)
	for _, tc := range []struct {
		ground, kind string
		status       string
	}{
		{"owner_application", "state_is", "recalled"},      // §45(2)
		{"audit_noncompliance", "nonstate_is", "recalled"}, // §45(3), a voluntary object too
		{"changed_conditions", "critical_is", "recalled"},  // §45(4), a mandatory object
		{"operation_ceased", "state_web", "terminated"},    // §45(5), the termination mark
	} {
		t.Run("§45 "+tc.ground+" of a "+tc.kind, func(t *testing.T) {
			org := newOrganisation(t)
			number := lifeEntry(t, tc.kind, org.BIN, time.Date(2026, 3, 2, 10, 0, 0, 0, almaty))
			clockAt(t, decided)
			status, out := authority.do("POST", certPath(number, "/recall"), recallBody(tc.ground))
			mustStatus(t, "recall", status, http.StatusOK, out)
			c := certificateIn(out)
			r, _ := c["recall"].(map[string]any)
			// §46: 3 working days from the decision, whose copy reaches the owner at once: Tue 3,
			// Wed 4, Thu 5 November.
			if c["status"] != tc.status || r["ground"] != tc.ground || r["returnDueAt"] != "2026-11-05T18:59:59Z" || r["decision"] == nil {
				t.Fatalf("%v", c)
			}
			if (tc.status == "terminated") != (c["terminatedAt"] != nil) {
				t.Fatalf("terminatedAt %v for %s", c["terminatedAt"], tc.status)
			}
			// The owner sees it, with the copy of the decision pinned; anyone verifies it, signed.
			mine := certificateOf(t, as(t, org), org.BIN, number)
			if mine == nil || mine["status"] != tc.status || mine["recall"].(map[string]any)["decision"] == nil {
				t.Fatalf("the owner's view: %v", mine)
			}
			v := verification(t, number)
			if v["status"] != tc.status || v["signatureValid"] != true || v["recall"].(map[string]any)["ground"] != tc.ground {
				t.Fatalf("verification: %v", v)
			}
			// §45, §46: the owner downloads the copy of the decision, a PDF, the bytes the register
			// pinned; the decision as data stays beside it.
			pdf, _ := r["decisionPdf"].(map[string]any)
			if link, body := downloadCopy(t, as(t, org), number, "recall_decision"); pdf == nil || link["copy"] != "recall_decision" ||
				!bytes.HasPrefix(body, []byte("%PDF")) || link["document"].(map[string]any)["sha256"] != pdf["sha256"] {
				t.Fatalf("the decision's copy: %v (recall %v)", link, r)
			}
			// The same recall again answers the first; another is a conflict.
			status, again := authority.do("POST", certPath(number, "/recall"), recallBody(tc.ground))
			if mustStatus(t, "repeat", status, http.StatusOK, again); certificateIn(again)["revision"] != c["revision"] {
				t.Fatalf("a repeat wrote: %v -> %v", c["revision"], certificateIn(again)["revision"])
			}
			status, other := authority.do("POST", certPath(number, "/recall"), recallBody("owner_application"))
			if tc.ground == "owner_application" {
				status, other = authority.do("POST", certPath(number, "/recall"), recallBody("audit_noncompliance"))
			}
			mustStatus(t, "another ground", status, http.StatusConflict, other)
		})
	}
	t.Run("§45(4) and §45(5) concern the mandatory objects of §5: refused for a voluntary object", func(t *testing.T) {
		org := newOrganisation(t)
		number := lifeEntry(t, "nonstate_web", org.BIN, time.Date(2026, 3, 2, 10, 0, 0, 0, almaty))
		clockAt(t, decided)
		for _, g := range []string{"changed_conditions", "operation_ceased"} {
			status, out := authority.do("POST", certPath(number, "/recall"), recallBody(g))
			mustStatus(t, g, status, http.StatusUnprocessableEntity, out, "§5")
		}
		status, out := as(t, org).do("POST", certPath(number, "/cessation"), map[string]any{"ceasedOn": "2026-10-30"})
		mustStatus(t, "cessation of a voluntary object", status, http.StatusUnprocessableEntity, out, "§45(2)")
		if c := certificateOf(t, authority, org.BIN, number); c["status"] != "valid" || c["revision"] != float64(1) {
			t.Fatalf("a refused recall changed the entry: %v", c)
		}
	})
	t.Run("§45(5) the owner's notice of cessation is listed until the authority recalls", func(t *testing.T) {
		org := newOrganisation(t)
		number := lifeEntry(t, "state_is", org.BIN, time.Date(2026, 3, 2, 10, 0, 0, 0, almaty))
		clockAt(t, time.Date(2026, 10, 30, 11, 0, 0, 0, almaty))
		status, out := as(t, org).do("POST", certPath(number, "/cessation"), map[string]any{"ceasedOn": "2026-10-29"})
		if mustStatus(t, "cessation", status, http.StatusOK, out); certificateIn(out)["cessation"] == nil {
			t.Fatalf("%v", out)
		}
		if got := obligationsOf(t, false, number); !slices.Contains(got, "recall/"+number+"/operation_ceased") {
			t.Fatalf("obligations %v", got)
		}
		clockAt(t, decided)
		status, out = authority.do("POST", certPath(number, "/recall"), recallBody("operation_ceased"))
		if mustStatus(t, "recall", status, http.StatusOK, out); certificateIn(out)["status"] != "terminated" {
			t.Fatalf("%v", out)
		}
		if got := obligationsOf(t, false, number); slices.Contains(got, "recall/"+number+"/operation_ceased") {
			t.Fatalf("still listed for recall: %v", got)
		}
	})
	t.Run("§45(1) not attested again: refused before expiry (§41), recalled after", func(t *testing.T) {
		org := newOrganisation(t)
		// §40: the platform's certificate is issued for one year: until 2026-10-13 23:59:59.
		number := lifeEntry(t, "egov_platform", org.BIN, time.Date(2025, 10, 13, 10, 0, 0, 0, almaty))
		clockAt(t, time.Date(2026, 10, 13, 12, 0, 0, 0, almaty))
		status, out := authority.do("POST", certPath(number, "/recall"), recallBody("not_reattested"))
		mustStatus(t, "before expiry", status, http.StatusUnprocessableEntity, out, "§45(1)", "§41")
		clockAt(t, time.Date(2026, 10, 14, 9, 0, 0, 0, almaty))
		if got := registerCheck(t, number); !slices.Equal(got, []string{"expiry/" + number}) {
			t.Fatalf("flags %v", got)
		}
		status, out = authority.do("POST", certPath(number, "/recall"), recallBody("not_reattested"))
		mustStatus(t, "after expiry", status, http.StatusOK, out)
		if c := certificateIn(out); c["status"] != "recalled" || c["expiredAt"] == nil || c["recall"].(map[string]any)["number"] != float64(1) {
			t.Fatalf("%v", c)
		}
	})
}

func TestRegisterLifeReturnAndItsOverdueFlagPar46(t *testing.T) {
	org := newOrganisation(t)
	authority := as(t, localstack.DemoAuthority)
	number := lifeEntry(t, "state_is", org.BIN, time.Date(2026, 3, 2, 10, 0, 0, 0, almaty))
	clockAt(t, time.Date(2026, 11, 2, 10, 0, 0, 0, almaty)) // Monday
	status, out := as(t, localstack.DemoAuthority).do("POST", certPath(number, "/return"), nil)
	mustStatus(t, "return of a certificate in force", status, http.StatusUnprocessableEntity, out, "§46")
	status, out = authority.do("POST", certPath(number, "/recall"), recallBody("owner_application"))
	mustStatus(t, "recall", status, http.StatusOK, out)

	t.Run("§46 not overdue on its last working day", func(t *testing.T) {
		clockAt(t, time.Date(2026, 11, 5, 23, 0, 0, 0, almaty))
		if got := registerCheck(t, number); len(got) != 0 {
			t.Fatalf("flags %v", got)
		}
		if got := obligationsOf(t, true, number); len(got) != 0 {
			t.Fatalf("overdue %v", got)
		}
	})
	t.Run("§46 flagged overdue once after 3 working days", func(t *testing.T) {
		clockAt(t, time.Date(2026, 11, 6, 9, 0, 0, 0, almaty))
		if got := registerCheck(t, number); !slices.Equal(got, []string{"certificate_return/" + number}) {
			t.Fatalf("flags %v", got)
		}
		if got := registerCheck(t, number); len(got) != 0 {
			t.Fatalf("flagged again: %v", got)
		}
		if got := obligationsOf(t, true, number); !slices.Equal(got, []string{"certificate_return/" + number}) {
			t.Fatalf("overdue %v", got)
		}
		// The owner sees what it owes, and when it was due; another organisation does not.
		if got := obligationsAs(t, as(t, org), true, number); !slices.Equal(got, []string{"certificate_return/" + number}) {
			t.Fatalf("the owner's overdue obligations %v", got)
		}
		if got := obligationsAs(t, as(t, newOrganisation(t)), false, number); len(got) != 0 {
			t.Fatalf("another organisation sees %v", got)
		}
		if r := certificateOf(t, as(t, org), org.BIN, number)["recall"].(map[string]any); r["returnOverdue"] != true {
			t.Fatalf("%v", r)
		}
	})
	t.Run("§46 the authority records the return", func(t *testing.T) {
		clockAt(t, time.Date(2026, 11, 9, 11, 0, 0, 0, almaty))
		status, out := authority.do("POST", certPath(number, "/return"), map[string]any{})
		mustStatus(t, "return", status, http.StatusOK, out)
		if r := certificateIn(out)["recall"].(map[string]any); r["returnedAt"] != "2026-11-09T06:00:00Z" {
			t.Fatalf("%v", r)
		}
		if v := verification(t, number); v["returned"] != true || v["signatureValid"] != true {
			t.Fatalf("verification %v", v)
		}
		if got := obligationsOf(t, false, number); len(got) != 0 {
			t.Fatalf("obligations %v", got)
		}
	})
}

func TestRegisterLifeChangeNoticePar43Par44Par47(t *testing.T) {
	org := newOrganisation(t)
	owner, authority := as(t, org), as(t, localstack.DemoAuthority)
	system := lifeEntry(t, "state_is", org.BIN, time.Date(2026, 3, 2, 10, 0, 0, 0, almaty))
	platform := lifeEntry(t, "egov_platform", org.BIN, time.Date(2026, 3, 2, 10, 0, 0, 0, almaty))

	t.Run("§43 §44 a notice after office hours is received the next working morning; 3 working days to decide", func(t *testing.T) {
		clockAt(t, time.Date(2026, 10, 30, 18, 0, 0, 0, almaty)) // Friday, after 17:30
		status, out := owner.do("POST", certPath(system, "/changes"), map[string]any{"description": "Moved to a new data centre; a new VPN gateway."})
		mustStatus(t, "notice", status, http.StatusCreated, out)
		// Received Monday 11-02 09:00; Tue 3, Wed 4, Thu 5.
		if c := out["change"].(map[string]any); c["id"] != "c1" || c["receivedAt"] != "2026-11-02T04:00:00Z" || c["dueAt"] != "2026-11-05T18:59:59Z" {
			t.Fatalf("%v", c)
		}
		clockAt(t, time.Date(2026, 11, 5, 23, 0, 0, 0, almaty))
		if got := registerCheck(t, system); len(got) != 0 {
			t.Fatalf("flags %v", got)
		}
		clockAt(t, time.Date(2026, 11, 6, 9, 0, 0, 0, almaty))
		if got := registerCheck(t, system); !slices.Equal(got, []string{"change_decision/" + system + "/c1"}) {
			t.Fatalf("flags %v", got)
		}
		if got := obligationsOf(t, true, system); !slices.Equal(got, []string{"change_decision/" + system + "/c1"}) {
			t.Fatalf("overdue %v", got)
		}
	})
	t.Run("§44 the authority decides; the same again answers, another is a conflict", func(t *testing.T) {
		decision := map[string]any{"decision": "reattestation_required", "reasons": []string{"the network perimeter changed"}}
		status, out := authority.do("POST", certPath(system, "/changes/c1/decision"), decision)
		mustStatus(t, "decision", status, http.StatusOK, out)
		if c := out["change"].(map[string]any); c["decision"] != "reattestation_required" || c["overdue"] != true || c["decidedAt"] != "2026-11-06T04:00:00Z" {
			t.Fatalf("%v", c)
		}
		status, again := authority.do("POST", certPath(system, "/changes/c1/decision"), decision)
		if mustStatus(t, "repeat", status, http.StatusOK, again); certificateIn(again)["revision"] != certificateIn(out)["revision"] {
			t.Fatal("a repeat wrote")
		}
		status, other := authority.do("POST", certPath(system, "/changes/c1/decision"), map[string]any{"decision": "not_required", "reasons": []string{"x"}})
		mustStatus(t, "another decision", status, http.StatusConflict, other)
		status, missing := authority.do("POST", certPath(system, "/changes/c2/decision"), decision)
		mustStatus(t, "no such notice", status, http.StatusNotFound, missing, "change notice")
		if got := obligationsOf(t, false, system); slices.Contains(got, "change_decision/"+system+"/c1") {
			t.Fatalf("still open: %v", got)
		}
	})
	t.Run("§47 a service software change never recalls the e-government platform's certificate", func(t *testing.T) {
		clockAt(t, time.Date(2026, 11, 9, 10, 0, 0, 0, almaty))
		status, out := owner.do("POST", certPath(platform, "/changes"), map[string]any{"description": "A new e-service on the platform", "serviceSoftwareOnly": true})
		mustStatus(t, "notice", status, http.StatusCreated, out)
		status, out = authority.do("POST", certPath(platform, "/changes/c1/decision"), map[string]any{"decision": "reattestation_required", "reasons": []string{"new service"}})
		mustStatus(t, "re-attestation", status, http.StatusUnprocessableEntity, out, "§47")
		status, out = authority.do("POST", certPath(platform, "/recall"), map[string]any{"ground": "changed_conditions", "reasons": []string{"new service"}, "changeId": "c1"})
		mustStatus(t, "recall", status, http.StatusUnprocessableEntity, out, "§47")
		if v := verification(t, platform); v["status"] != "valid" || v["revision"] != float64(2) {
			t.Fatalf("the platform's certificate changed: %v", v)
		}
		status, out = authority.do("POST", certPath(platform, "/changes/c1/decision"), map[string]any{"decision": "not_required", "reasons": []string{"§47"}})
		mustStatus(t, "not required", status, http.StatusOK, out)
	})
}

func TestRegisterLifeMonitoringOverdueAfterAYearPar42(t *testing.T) {
	org := newOrganisation(t)
	// Issued Tuesday 2025-10-14: connected and notified by 2026-10-14 (a Wednesday).
	number := lifeEntry(t, "state_is", org.BIN, time.Date(2025, 10, 14, 10, 0, 0, 0, almaty))
	platform := lifeEntry(t, "egov_platform", org.BIN, time.Date(2025, 11, 14, 10, 0, 0, 0, almaty))
	clockAt(t, time.Date(2026, 10, 14, 23, 0, 0, 0, almaty))
	if got := registerCheck(t, number, platform); len(got) != 0 {
		t.Fatalf("flags on the last day %v", got)
	}
	if got := obligationsOf(t, false, number, platform); !slices.Equal(got, []string{"monitoring_connection/" + number}) {
		t.Fatalf("§42 the platform carries no monitoring obligation: %v", got)
	}
	clockAt(t, time.Date(2026, 10, 15, 9, 0, 0, 0, almaty))
	if got := registerCheck(t, number, platform); !slices.Equal(got, []string{"monitoring_connection/" + number}) {
		t.Fatalf("flags %v", got)
	}
	if got := registerCheck(t, number, platform); len(got) != 0 {
		t.Fatalf("flagged again: %v", got)
	}
	if got := obligationsOf(t, true, number); !slices.Equal(got, []string{"monitoring_connection/" + number}) {
		t.Fatalf("overdue %v", got)
	}
	status, out := as(t, org).do("POST", certPath(number, "/monitoring"), nil)
	mustStatus(t, "notice", status, http.StatusOK, out)
	if m := certificateIn(out)["monitoring"].(map[string]any); m["overdue"] != true || m["connectedAt"] != "2026-10-15T04:00:00Z" {
		t.Fatalf("%v", m)
	}
	if got := obligationsOf(t, false, number); len(got) != 0 {
		t.Fatalf("still open: %v", got)
	}
	status, out = as(t, org).do("POST", certPath(platform, "/monitoring"), nil)
	mustStatus(t, "the platform", status, http.StatusUnprocessableEntity, out, "§42")
}

func TestRegisterLifePlatformCertificateExpiresPar40Par41(t *testing.T) {
	org := newOrganisation(t)
	number := lifeEntry(t, "egov_platform", org.BIN, time.Date(2025, 10, 13, 10, 0, 0, 0, almaty))
	clockAt(t, time.Date(2026, 10, 13, 23, 0, 0, 0, almaty))
	if got := registerCheck(t, number); len(got) != 0 {
		t.Fatalf("flags before the end of the term: %v", got)
	}
	if v := verification(t, number); v["status"] != "valid" {
		t.Fatalf("%v", v)
	}
	clockAt(t, time.Date(2026, 10, 14, 0, 0, 1, 0, almaty))
	if got := registerCheck(t, number); !slices.Equal(got, []string{"expiry/" + number}) {
		t.Fatalf("flags %v", got)
	}
	if got := registerCheck(t, number); len(got) != 0 {
		t.Fatalf("again: %v", got)
	}
	// The expiry is a signed revision the published key verifies.
	v := verification(t, number)
	if v["status"] != "expired" || v["expiredAt"] != "2026-10-13T18:59:59Z" || v["signatureValid"] != true || v["revision"] != float64(2) {
		t.Fatalf("verification %v", v)
	}
	// §41, §45(1): listed for the authority to recall, the object not being attested again.
	if got := obligationsOf(t, false, number); !slices.Equal(got, []string{"recall/" + number + "/not_reattested"}) {
		t.Fatalf("obligations %v", got)
	}
}

// A duplicate of a certificate really issued: rendered again from its data, kept under Object
// Lock, published in the entry.
func TestRegisterLifeDuplicateOfAnIssuedCertificatePar48(t *testing.T) {
	p, number := issued(t, "Duplicated system")
	owner, authority := p.applicant, p.authority
	clockAt(t, time.Date(2026, 11, 23, 10, 0, 0, 0, almaty)) // Monday
	status, out := owner.do("POST", certPath(number, "/duplicates"), map[string]any{"reason": "lost"})
	mustStatus(t, "request", status, http.StatusCreated, out)
	// §48: 5 working days from Monday 11-23: Tue 24 - Mon 30 November.
	if d := out["duplicate"].(map[string]any); d["id"] != "d1" || d["dueAt"] != "2026-11-30T18:59:59Z" {
		t.Fatalf("%v", d)
	}
	status, out = owner.do("POST", certPath(number, "/duplicates"), map[string]any{"reason": "damaged"})
	mustStatus(t, "another reason while pending", status, http.StatusConflict, out)

	clockAt(t, time.Date(2026, 11, 30, 23, 0, 0, 0, almaty))
	if got := registerCheck(t, number); len(got) != 0 {
		t.Fatalf("flags on the last day %v", got)
	}
	clockAt(t, time.Date(2026, 12, 1, 9, 0, 0, 0, almaty))
	if got := registerCheck(t, number); !slices.Equal(got, []string{"duplicate/" + number + "/d1"}) {
		t.Fatalf("flags %v", got)
	}
	if got := obligationsOf(t, true, number); !slices.Contains(got, "duplicate/"+number+"/d1") {
		t.Fatalf("overdue %v", got)
	}
	// Until the duplicate is issued there is none to download, and the refusal says so.
	status, out = owner.do("GET", certPath(number, "/document?copy=duplicate"), nil)
	if mustStatus(t, "no duplicate yet", status, http.StatusNotFound, out); !strings.Contains(fmt.Sprint(out["detail"]), "no duplicate has been issued (§48)") {
		t.Fatalf("%v", out)
	}
	status, out = authority.do("POST", certPath(number, "/duplicates/d1/issue"), nil)
	mustStatus(t, "issue", status, http.StatusOK, out)
	d := out["duplicate"].(map[string]any)
	doc, _ := d["document"].(map[string]any)
	if d["issuedAt"] != "2026-12-01T04:00:00Z" || doc == nil || doc["versionId"] == "" || !strings.HasSuffix(fmt.Sprint(doc["key"]), "duplicate-d1.pdf") {
		t.Fatalf("%v", d)
	}
	v := verification(t, number)
	dups, _ := v["duplicates"].([]any)
	if v["signatureValid"] != true || len(dups) != 1 || dups[0].(map[string]any)["sha256"] != doc["sha256"] {
		t.Fatalf("verification %v", v)
	}
	status, again := authority.do("POST", certPath(number, "/duplicates/d1/issue"), nil)
	if mustStatus(t, "repeat", status, http.StatusOK, again); again["duplicate"].(map[string]any)["issuedAt"] != d["issuedAt"] {
		t.Fatalf("a repeat issued again: %v", again)
	}
	// The owner now holds the duplicate: it is the current copy; the certificate as issued stays.
	for _, which := range []string{"", "current", "duplicate"} {
		link, body := downloadCopy(t, owner, number, which)
		if link["copy"] != "duplicate" || link["issuedAt"] != d["issuedAt"] || link["document"].(map[string]any)["sha256"] != doc["sha256"] || !bytes.HasPrefix(body, []byte("%PDF")) {
			t.Fatalf("copy %q: %v", which, link)
		}
	}
	if link, _ := downloadCopy(t, authority, number, "original"); link["copy"] != "original" || link["document"].(map[string]any)["sha256"] == doc["sha256"] {
		t.Fatalf("the original: %v", link)
	}
}

// downloadCopy asks for a stored document of a certificate (copy "" for the default) and
// downloads it through the presigned GET, checking its bytes against the pinned SHA-256.
func downloadCopy(t *testing.T, c client, number, which string) (map[string]any, []byte) {
	t.Helper()
	path := certPath(number, "/document")
	if which != "" {
		path += "?copy=" + which
	}
	status, link := c.do("GET", path, nil)
	mustStatus(t, "document "+which, status, http.StatusOK, link)
	get := link["get"].(map[string]any)
	req, err := http.NewRequest(fmt.Sprint(get["method"]), fmt.Sprint(get["url"]), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	sum := sha256.Sum256(body)
	if resp.StatusCode != http.StatusOK || hex.EncodeToString(sum[:]) != link["document"].(map[string]any)["sha256"] {
		t.Fatalf("download of %s copy %q: %d, %d bytes not the pinned SHA-256", number, which, resp.StatusCode, len(body))
	}
	return link, body
}

// TestRegisterLifeAnotherOrganisationsCertificateIsNotFound: every applicant route answers
// another organisation's certificate exactly like one that does not exist, and changes nothing.
func TestRegisterLifeAnotherOrganisationsCertificateIsNotFound(t *testing.T) {
	org, strangerOrg := newOrganisation(t), newOrganisation(t)
	stranger := as(t, strangerOrg)
	number := lifeEntry(t, "state_is", org.BIN, time.Date(2026, 3, 2, 10, 0, 0, 0, almaty))
	missing := "2029/99999"
	clockAt(t, time.Date(2026, 11, 2, 10, 0, 0, 0, almaty))
	bodies := map[string]any{
		"POST /certificates/{year}/{seq}/monitoring": nil,
		"POST /certificates/{year}/{seq}/changes":    map[string]any{"description": "A change"},
		"POST /certificates/{year}/{seq}/duplicates": map[string]any{"reason": "lost"},
		"POST /certificates/{year}/{seq}/cessation":  map[string]any{"ceasedOn": "2026-10-30"},
		// §45(2), added with the route.
		"POST /certificates/{year}/{seq}/recall-application": map[string]any{"reasons": []string{"replaced"}},
	}
	n := 0
	for _, op := range apiOperations(t) {
		if !strings.HasPrefix(op.path, "/certificates/{year}/{seq}") || !op.allows("applicant") {
			continue
		}
		n++
		t.Run(op.key(), func(t *testing.T) {
			var body []byte
			if b, ok := bodies[op.key()]; ok && b != nil {
				body = mustJSON(t, b)
			}
			at := func(num string) string {
				return strings.NewReplacer("{year}/{seq}", num, "{changeId}", "c1", "{requestId}", "d1").Replace(op.path)
			}
			for _, headers := range []map[string]string{{"Accept": "application/json"}, {"Accept": "application/json", "Idempotency-Key": fmt.Sprintf("stranger-%d", time.Now().UnixNano())}} {
				if op.method == "GET" && len(headers) > 1 {
					continue
				}
				foreign := send(t, op.method, at(number), token(t, strangerOrg), body, headers)
				absent := send(t, op.method, at(missing), token(t, strangerOrg), body, headers)
				if foreign.status != http.StatusNotFound || absent.status != http.StatusNotFound || !bytes.Equal(foreign.raw, absent.raw) {
					t.Fatalf("another organisation's certificate: %d %s; a missing one: %d %s", foreign.status, foreign.raw, absent.status, absent.raw)
				}
			}
		})
	}
	if n < 5 {
		t.Fatalf("only %d applicant routes of a certificate", n)
	}
	if c := certificateOf(t, as(t, org), org.BIN, number); c["revision"] != float64(1) || len(c["changes"].([]any)) != 0 {
		t.Fatalf("the entry changed: %v", c)
	}
	if c := certificateOf(t, stranger, strangerOrg.BIN, number); c != nil {
		t.Fatalf("listed to a stranger: %v", c)
	}
	status, out := stranger.do("GET", "/certificates?organization="+org.BIN, nil)
	mustStatus(t, "another organisation's list", status, http.StatusForbidden, out)
}

// TestRegisterLifeBadInputsAreRefusedAndWriteNothing: each refusal names what is wrong, and the
// entry stays at its revision.
func TestRegisterLifeBadInputsAreRefusedAndWriteNothing(t *testing.T) {
	org := newOrganisation(t)
	owner, authority := as(t, org), as(t, localstack.DemoAuthority)
	number := lifeEntry(t, "state_is", org.BIN, time.Date(2026, 3, 2, 10, 0, 0, 0, almaty))
	clockAt(t, time.Date(2026, 11, 2, 10, 0, 0, 0, almaty))
	if status, out := owner.do("POST", certPath(number, "/changes"), map[string]any{"description": "Initial change"}); status != http.StatusCreated {
		t.Fatalf("%d %v", status, out)
	}
	for _, tc := range []struct {
		name   string
		c      client
		path   string
		body   string
		status int
		names  []string
	}{
		{"changes: empty description", owner, "/changes", `{"description":"  "}`, 422, []string{"description"}},
		{"changes: description as a number", owner, "/changes", `{"description":7}`, 400, []string{"description"}},
		{"changes: unknown field", owner, "/changes", `{"description":"x","colour":"red"}`, 400, []string{"colour"}},
		{"changes: not JSON", owner, "/changes", `{"description":`, 400, []string{"body"}},
		{"decision: unknown decision", authority, "/changes/c1/decision", `{"decision":"maybe","reasons":["x"]}`, 422, []string{"decision"}},
		{"decision: no reasons", authority, "/changes/c1/decision", `{"decision":"not_required","reasons":[]}`, 422, []string{"reasons"}},
		{"decision: a blank reason", authority, "/changes/c1/decision", `{"decision":"not_required","reasons":["ok"," "]}`, 422, []string{"reasons[1]"}},
		{"decision: malformed notice ID", authority, "/changes/c01/decision", `{"decision":"not_required","reasons":["x"]}`, 404, []string{"change notice"}},
		{"recall: unknown ground", authority, "/recall", `{"ground":"bad_weather","reasons":["x"]}`, 422, []string{"ground", "bad_weather"}},
		{"recall: no ground", authority, "/recall", `{"reasons":["x"]}`, 422, []string{"ground"}},
		{"recall: §46 a reason the copy cannot print", authority, "/recall", `{"ground":"owner_application","reasons":["ok","bell\u0007"]}`, 422, []string{"reasons[1]", "control character"}},
		{"recall: reasons as a string", authority, "/recall", `{"ground":"owner_application","reasons":"x"}`, 400, []string{"reasons"}},
		{"recall: a change notice with another ground", authority, "/recall", `{"ground":"owner_application","reasons":["x"],"changeId":"c1"}`, 422, []string{"changeId"}},
		{"recall: a change notice that does not exist", authority, "/recall", `{"ground":"changed_conditions","reasons":["x"],"changeId":"c9"}`, 422, []string{"changeId", "c9"}},
		{"return: unknown field", authority, "/return", `{"returnedOn":"2026-11-02"}`, 400, []string{"returnedOn"}},
		{"duplicates: unknown reason", owner, "/duplicates", `{"reason":"stolen"}`, 422, []string{"reason"}},
		{"duplicates: no body", owner, "/duplicates", ``, 400, []string{"body"}},
		{"duplicates: issue of a request that does not exist", authority, "/duplicates/d3/issue", ``, 404, []string{"duplicate request"}},
		{"cessation: not a date", owner, "/cessation", `{"ceasedOn":"30.10.2026"}`, 422, []string{"ceasedOn"}},
		{"cessation: in the future", owner, "/cessation", `{"ceasedOn":"2026-11-03"}`, 422, []string{"ceasedOn", "after today"}},
		{"cessation: before the certificate", owner, "/cessation", `{"ceasedOn":"2026-01-10"}`, 422, []string{"ceasedOn"}},
		{"monitoring: unknown field", owner, "/monitoring", `{"connectedOn":"2026-10-01"}`, 400, []string{"connectedOn"}},
		{"number: seq not digits", owner, "/monitoring", ``, 400, []string{"seq"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := certPath(number, tc.path)
			if strings.HasPrefix(tc.name, "number:") {
				path = "/certificates/2029/x1" + tc.path
			}
			var body []byte
			if tc.body != "" {
				body = []byte(tc.body)
			}
			r := send(t, "POST", path, token(t, *tc.c.user), body, nil)
			if r.status != tc.status || r.contentType != "application/problem+json" {
				t.Fatalf("%d %s %s, want %d", r.status, r.contentType, r.raw, tc.status)
			}
			text := strings.ToLower(string(r.raw))
			for _, n := range tc.names {
				if !strings.Contains(text, strings.ToLower(n)) {
					t.Fatalf("the refusal does not name %q: %s", n, r.raw)
				}
			}
			if c := certificateOf(t, authority, org.BIN, number); c["revision"] != float64(2) {
				t.Fatalf("the entry changed: revision %v", c["revision"])
			}
		})
	}
	for _, q := range []string{"?status=revoked", "?organization=120540001239", "?limit=0", "?cursor=Zm9yZ2Vk"} {
		if status, out := authority.do("GET", "/certificates"+q, nil); status != http.StatusBadRequest {
			t.Fatalf("GET /certificates%s: %d %v, want 400", q, status, out)
		}
	}
	if status, out := authority.do("GET", "/register/obligations?overdue=soon", nil); status != http.StatusBadRequest {
		t.Fatalf("%d %v", status, out)
	}
}

// issuedTB walks a case to its certificate (§14-§28), like issued, for a benchmark too.
func issuedTB(tb testing.TB, name string) (*path, string) {
	tb.Helper()
	p := toSurvey(tb, application(tb, name, false))
	p.act(p.sts, day(11, 16, 10), "survey", "act", p.docs("survey_act"))
	p.act(p.authority, day(11, 17, 10), "decision", "issue", nil)
	p.act(p.authority, day(11, 18, 10), "send_documents", "sent", nil)
	v := p.end("issued")
	n, _ := v["certificate"].(string)
	if n == "" {
		tb.Fatalf("§28: no certificate number on the case: %v", v)
	}
	return p, n
}
