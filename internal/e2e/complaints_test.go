package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"attestation/internal/identity"
	"attestation/internal/localstack"
)

// Complaints (standard §11) through the local stack: filed by an applicant, registered with a
// number, seen and decided by their addressee, and watched by the deadline check.

var (
	complaintIDPattern     = regexp.MustCompile(`^C-[0-9a-f]{24}$`)
	complaintNumberPattern = regexp.MustCompile(`^C-2026/[0-9]{5}$`)
)

// complaintBody is a filing to addressee about subject.
func complaintBody(addressee, subject string) map[string]any {
	return map[string]any{"addressee": addressee, "subject": subject}
}

// fileComplaint files a complaint as c and returns it.
func fileComplaint(t testing.TB, c client, body map[string]any) map[string]any {
	t.Helper()
	status, out := c.do("POST", "/complaints", body)
	if status != http.StatusCreated {
		t.Fatalf("file a complaint: %d %v", status, out)
	}
	if !complaintIDPattern.MatchString(fmt.Sprint(out["id"])) {
		t.Fatalf("complaint ID %v", out["id"])
	}
	return out
}

// listedComplaints pages through c's list of complaints and returns every ID, in order.
func listedComplaints(t testing.TB, c client) []string {
	t.Helper()
	var out []string
	path := "/complaints?limit=100"
	for pages := 0; pages < 100; pages++ {
		status, page := c.do("GET", path, nil)
		if status != http.StatusOK {
			t.Fatalf("list complaints: %d %v", status, page)
		}
		for _, x := range page["complaints"].([]any) {
			out = append(out, x.(map[string]any)["id"].(string))
		}
		cursor, _ := page["cursor"].(string)
		if cursor == "" {
			return out
		}
		path = "/complaints?limit=100&cursor=" + cursor
	}
	t.Fatalf("more than 100 pages of complaints")
	return nil
}

// decide sends a decision of complaint id as c.
func decide(c client, id, outcome, answer string) (int, map[string]any) {
	c.t.Helper()
	return c.do("POST", "/complaints/"+id+"/decision", map[string]any{"outcome": outcome, "answer": answer})
}

// qualityAuthority is a person of the authority for the quality of state services, with a token
// the local stack mints on request, as a walkthrough gets it.
func qualityAuthority(t *testing.T) client {
	t.Helper()
	_, out := client{t: t}.do("GET", "/_local/token?role=quality_authority", nil)
	tok, _ := out["token"].(string)
	if tok == "" {
		t.Fatalf("no quality authority token: %v", out)
	}
	return client{t: t, token: tok}
}

func TestStd11ComplaintToTheServiceProviderIsFiledSeenAndDecided(t *testing.T) {
	stack.Clock.Freeze(day(10, 15, 10)) // Thursday 2026-10-15, 10:00 Almaty
	org := newOrganisation(t)
	owner, authority := as(t, org), as(t, localstack.DemoAuthority)
	quality := as(t, localstack.DemoQualityAuthority)
	c := fileComplaint(t, owner, complaintBody("service_provider", "The completeness check took 9 working days instead of 3"))
	id := c["id"].(string)

	t.Run("standard §11 it is registered with a number and considered within 5 working days", func(t *testing.T) {
		// Fri 16, Mon 19, Tue 20, Wed 21, Thu 22: the end of Thursday in Almaty (UTC+5).
		if c["dueAt"] != "2026-10-22T18:59:59Z" || c["registeredAt"] != "2026-10-15T05:00:00Z" || c["status"] != "registered" ||
			c["overdue"] != false || c["organization"] != org.BIN || c["paragraph"] != "standard §11" ||
			!complaintNumberPattern.MatchString(fmt.Sprint(c["number"])) || len(c["history"].([]any)) != 1 {
			t.Fatalf("%v", c)
		}
	})
	t.Run("the applicant and the authority see it; the quality authority's list does not hold it", func(t *testing.T) {
		for _, who := range []client{owner, authority, quality} {
			if status, got := who.do("GET", "/complaints/"+id, nil); status != http.StatusOK || got["number"] != c["number"] {
				t.Fatalf("%d %v", status, got)
			}
		}
		if !contains(listedComplaints(t, owner), id) || !contains(listedComplaints(t, authority), id) {
			t.Fatalf("not listed for its organisation or its addressee")
		}
		if contains(listedComplaints(t, quality), id) {
			t.Fatalf("a complaint to the service provider is on the quality authority's list")
		}
	})
	t.Run("standard §11 only the addressee decides it, once", func(t *testing.T) {
		stack.Clock.Freeze(day(10, 19, 11))
		if status, out := decide(quality, id, "upheld", "x"); status != http.StatusForbidden {
			t.Fatalf("the quality authority deciding a complaint to the service provider: %d %v", status, out)
		}
		if status, out := decide(owner, id, "upheld", "x"); status != http.StatusForbidden {
			t.Fatalf("the applicant deciding: %d %v", status, out)
		}
		status, first := decide(authority, id, "partially_upheld", "The check was late; the official responsible is reprimanded.")
		d, _ := first["decision"].(map[string]any)
		if status != http.StatusOK || first["status"] != "considered" || d["outcome"] != "partially_upheld" || d["role"] != "authority" || d["at"] != "2026-10-19T06:00:00Z" {
			t.Fatalf("%d %v", status, first)
		}
		stack.Clock.Freeze(day(10, 19, 12))
		if status, again := decide(authority, id, "partially_upheld", "The check was late; the official responsible is reprimanded."); status != http.StatusOK || fmt.Sprint(again) != fmt.Sprint(first) {
			t.Fatalf("the same decision again: %d %v, want the first %v", status, again, first)
		}
		if status, out := decide(authority, id, "rejected", "Nothing was late."); status != http.StatusConflict {
			t.Fatalf("another decision: %d %v, want 409", status, out)
		}
		_, got := owner.do("GET", "/complaints/"+id, nil)
		if h := got["history"].([]any); len(h) != 2 || got["decision"] == nil {
			t.Fatalf("the applicant reads %v", got)
		}
	})
}

func TestStd11ComplaintToTheQualityAuthorityIsDecidedByIt(t *testing.T) {
	stack.Clock.Freeze(day(10, 15, 10))
	owner, authority, quality := as(t, newOrganisation(t)), as(t, localstack.DemoAuthority), qualityAuthority(t)
	c := fileComplaint(t, owner, complaintBody("quality_authority", "We disagree with the results of the state service"))
	id := c["id"].(string)
	// 15 working days from Thursday 2026-10-15; Republic Day (Sunday Oct 25) moves to Monday Oct 26.
	if c["dueAt"] != "2026-11-06T18:59:59Z" || c["addressee"] != "quality_authority" {
		t.Fatalf("standard §11: %v, want due 2026-11-06 23:59:59 Almaty", c)
	}
	if !contains(listedComplaints(t, quality), id) || contains(listedComplaints(t, authority), id) {
		t.Fatalf("the complaint is not on its addressee's list alone")
	}
	stack.Clock.Freeze(day(10, 20, 10))
	quality = qualityAuthority(t) // a token of the new day
	if status, out := decide(authority, id, "rejected", "x"); status != http.StatusForbidden {
		t.Fatalf("the authority deciding a complaint to the quality authority: %d %v", status, out)
	}
	status, out := decide(quality, id, "rejected", "The service was rendered within its term.")
	if d, _ := out["decision"].(map[string]any); status != http.StatusOK || d["role"] != "quality_authority" || out["version"] != 2.0 {
		t.Fatalf("%d %v", status, out)
	}
	// The quality authority takes no route but those of complaints.
	for _, r := range []struct{ method, path string }{{"GET", "/cases"}, {"GET", "/queue"}, {"GET", "/objects"}, {"POST", "/complaints"}} {
		if status, out := quality.do(r.method, r.path, complaintBody("service_provider", "x")); status != http.StatusForbidden {
			t.Fatalf("%s %s as the quality authority: %d %v, want 403", r.method, r.path, status, out)
		}
	}
}

// deadlineCheckFlagged moves the local clock to at, runs the deadline check through the local
// stack's control routes, and returns the numbers of the complaints it flagged overdue.
func deadlineCheckFlagged(t *testing.T, at time.Time) []string {
	t.Helper()
	ctl := client{t: t}
	if status, out := ctl.do("POST", "/_local/clock", map[string]string{"now": at.Format(time.RFC3339)}); status != http.StatusOK {
		t.Fatalf("clock: %d %v", status, out)
	}
	status, out := ctl.do("POST", "/_local/deadline-check", nil)
	if status != http.StatusOK {
		t.Fatalf("deadline check: %d %v", status, out)
	}
	var flagged []string
	found := false
	for name, raw := range out {
		b, _ := json.Marshal(raw)
		var rep struct {
			Checks struct {
				Complaints *struct {
					Flagged []string `json:"flagged"`
				} `json:"complaints"`
			} `json:"checks"`
		}
		if err := json.Unmarshal(b, &rep); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if rep.Checks.Complaints != nil {
			found = true
			flagged = append(flagged, rep.Checks.Complaints.Flagged...)
		}
	}
	if !found {
		t.Fatalf("the deadline check reports no complaints: %v", out)
	}
	return flagged
}

func TestStd11DeadlineCheckFlagsAComplaintNotConsideredWithin5WorkingDays(t *testing.T) {
	stack.Clock.Freeze(day(10, 15, 10))
	owner, authority := as(t, newOrganisation(t)), as(t, localstack.DemoAuthority)
	waiting := fileComplaint(t, owner, complaintBody("service_provider", "No answer to our letter"))
	answered := fileComplaint(t, owner, complaintBody("service_provider", "A rude official"))
	toQuality := fileComplaint(t, owner, complaintBody("quality_authority", "The result is wrong"))
	stack.Clock.Freeze(day(10, 21, 10))
	if status, out := decide(authority, answered["id"].(string), "rejected", "No breach found."); status != http.StatusOK {
		t.Fatalf("%d %v", status, out)
	}

	// On the fifth working day, late in the evening: not yet overdue.
	if flagged := deadlineCheckFlagged(t, time.Date(2026, 10, 22, 23, 30, 0, 0, almaty)); contains(flagged, waiting["number"].(string)) {
		t.Fatalf("flagged %v before the period ended", flagged)
	}
	if _, got := owner.do("GET", "/complaints/"+waiting["id"].(string), nil); got["overdue"] != false {
		t.Fatalf("overdue before its due moment: %v", got)
	}
	// Five minutes past midnight after it: flagged, and reported by its number.
	flagged := deadlineCheckFlagged(t, time.Date(2026, 10, 23, 0, 5, 0, 0, almaty))
	if !contains(flagged, waiting["number"].(string)) || contains(flagged, answered["number"].(string)) || contains(flagged, toQuality["number"].(string)) {
		t.Fatalf("flagged %v; want %v and neither the considered complaint nor the one to the quality authority", flagged, waiting["number"])
	}
	_, got := authority.do("GET", "/complaints/"+waiting["id"].(string), nil)
	h := got["history"].([]any)
	last := h[len(h)-1].(map[string]any)
	if got["overdue"] != true || got["status"] != "registered" || len(h) != 2 || last["role"] != string(identity.Scheduler) || !strings.Contains(fmt.Sprint(last["what"]), "overdue") {
		t.Fatalf("%v", got)
	}
	// Once: the next run does not flag it again.
	if flagged := deadlineCheckFlagged(t, time.Date(2026, 10, 24, 0, 5, 0, 0, almaty)); contains(flagged, waiting["number"].(string)) {
		t.Fatalf("flagged again: %v", flagged)
	}
	// Still considered afterwards, and the complaint stays marked overdue.
	stack.Clock.Freeze(time.Date(2026, 10, 27, 10, 0, 0, 0, almaty))
	status, out := decide(authority, waiting["id"].(string), "upheld", "Answered late; we apologise.")
	if status != http.StatusOK || out["overdue"] != true || out["status"] != "considered" {
		t.Fatalf("%d %v", status, out)
	}
}

// TestAnotherOrganisationsComplaintIsNotFound: an applicant reaches only its own organisation's
// complaints and cases: another's complaint reads exactly like a missing one, is not listed, and
// another's case cannot be named in a complaint.
func TestAnotherOrganisationsComplaintIsNotFound(t *testing.T) {
	stack.Clock.Freeze(day(10, 15, 10))
	p := file(t, day(10, 15, 10), application(t, "Complained-about system", false)) // the demo applicant's case
	demo := as(t, localstack.DemoApplicant)
	strangerUser := newOrganisation(t)
	stranger := as(t, strangerUser)
	body := complaintBody("service_provider", "The check of our case is late")
	body["caseId"] = p.id
	mine := fileComplaint(t, demo, body)
	if mine["caseId"] != p.id {
		t.Fatalf("the case reference: %v", mine)
	}
	id := mine["id"].(string)
	missing := "C-000000000000000000000000"
	foreign := send(t, "GET", "/complaints/"+id, token(t, strangerUser), nil, nil)
	absent := send(t, "GET", "/complaints/"+missing, token(t, strangerUser), nil, nil)
	if foreign.status != http.StatusNotFound || absent.status != http.StatusNotFound || string(foreign.raw) != string(absent.raw) {
		t.Fatalf("another organisation's complaint: %d %s; a missing one: %d %s; want the same 404", foreign.status, foreign.raw, absent.status, absent.raw)
	}
	if contains(listedComplaints(t, stranger), id) {
		t.Fatalf("another organisation's complaint is listed")
	}
	// Another organisation's case is refused exactly like a case that does not exist.
	withForeign := send(t, "POST", "/complaints", token(t, strangerUser), mustJSON(t, body), nil)
	body["caseId"] = "A-20261015-0000000000000000"
	withMissing := send(t, "POST", "/complaints", token(t, strangerUser), mustJSON(t, body), nil)
	if withForeign.status != http.StatusUnprocessableEntity || withMissing.status != http.StatusUnprocessableEntity ||
		strings.ReplaceAll(string(withForeign.raw), p.id, "X") != strings.ReplaceAll(string(withMissing.raw), "A-20261015-0000000000000000", "X") ||
		!strings.Contains(string(withForeign.raw), "caseId") {
		t.Fatalf("another organisation's case: %d %s; a missing one: %d %s", withForeign.status, withForeign.raw, withMissing.status, withMissing.raw)
	}
	if ids := listedComplaints(t, stranger); len(ids) != 0 {
		t.Fatalf("refused filings wrote %v", ids)
	}
}

func TestStd11ConcurrentComplaintsTakeConsecutiveNumbers(t *testing.T) {
	stack.Clock.Freeze(day(10, 15, 10))
	org := newOrganisation(t)
	tok := token(t, org)
	const n = 5
	answers := make([]sent, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			answers[i] = send(t, "POST", "/complaints", tok, mustJSON(t, complaintBody("service_provider", fmt.Sprintf("complaint %d", i))), nil)
		}(i)
	}
	wg.Wait()
	var seqs []int
	for _, a := range answers {
		if a.status != http.StatusCreated {
			t.Fatalf("%d %s", a.status, a.raw)
		}
		var seq int
		if _, err := fmt.Sscanf(fmt.Sprint(a.body["number"]), "C-2026/%d", &seq); err != nil {
			t.Fatalf("number %v: %v", a.body["number"], err)
		}
		seqs = append(seqs, seq)
	}
	sort.Ints(seqs)
	for i := 1; i < n; i++ {
		if seqs[i] != seqs[i-1]+1 {
			t.Fatalf("numbers %v are not distinct and consecutive", seqs)
		}
	}
}

// TestComplaintBadInputsAreRefusedAndWriteNothing is the catalogue of requests about complaints
// the API must refuse: the status, the field or words the refusal names, and no write.
func TestComplaintBadInputsAreRefusedAndWriteNothing(t *testing.T) {
	at := day(10, 15, 10)
	stack.Clock.Freeze(at)
	org := newOrganisation(t)
	owner := as(t, org)
	toProvider := fileComplaint(t, owner, complaintBody("service_provider", "Catalogue complaint"))["id"].(string)
	app, auth, quality := *owner.user, localstack.DemoAuthority, localstack.DemoQualityAuthority
	type bad struct {
		name         string
		method, path string
		user         localstack.User
		body         any // a string is sent as is
		status       int
		names        []string
	}
	filing := func(name string, status int, body any, names ...string) bad {
		return bad{name: "file: " + name, method: "POST", path: "/complaints", user: app, body: body, status: status, names: names}
	}
	decision := func(name string, status int, u localstack.User, body any, names ...string) bad {
		return bad{name: "decide: " + name, method: "POST", path: "/complaints/" + toProvider + "/decision", user: u, body: body, status: status, names: names}
	}
	with := func(k string, v any) map[string]any {
		m := complaintBody("service_provider", "Late")
		m[k] = v
		return m
	}
	catalogue := []bad{
		filing("standard §11 an unknown addressee", 422, with("addressee", "minister"), "addressee", "service_provider, quality_authority"),
		filing("standard §11 no addressee", 422, map[string]any{"subject": "x"}, "addressee"),
		filing("standard §11 a blank subject", 422, with("subject", "   "), "subject", "required"),
		filing("standard §11 a subject over 4000 characters", 422, with("subject", strings.Repeat("ж", 4001)), "subject", "4000"),
		filing("a case ID of another shape", 422, with("caseId", "case-1"), "caseId", "not a case ID"),
		filing("a certificate number of another shape", 422, with("certificateNumber", "No. 7"), "certificateNumber"),
		filing("standard §11 a certificate not in the register", 422, with("certificateNumber", "2029/99998"), "certificateNumber", "in the register"),
		filing("an unknown field", 400, with("priority", "high"), "priority"),
		filing("a number sent by the client", 400, with("number", "C-2026/00001"), "number"),
		filing("the subject as a number", 400, `{"addressee":"service_provider","subject":7}`, "subject"),
		filing("not JSON", 400, `{"addressee":`, "body"),
		filing("an array", 400, `[]`, "body"),
		{name: "file: staff do not file complaints", method: "POST", path: "/complaints", user: auth, body: complaintBody("service_provider", "x"), status: 403, names: []string{"not open to the role authority"}},
		{name: "file: the quality authority does not file complaints", method: "POST", path: "/complaints", user: quality, body: complaintBody("service_provider", "x"), status: 403, names: []string{"quality_authority"}},
		decision("standard §11 an unknown outcome", 422, auth, map[string]any{"outcome": "approve", "answer": "x"}, "outcome", "upheld, partially_upheld, rejected"),
		decision("standard §11 no answer", 422, auth, map[string]any{"outcome": "upheld"}, "answer", "required"),
		decision("standard §11 an answer over 4000 characters", 422, auth, map[string]any{"outcome": "upheld", "answer": strings.Repeat("a", 4001)}, "answer", "4000"),
		decision("an unknown field", 400, auth, map[string]any{"outcome": "upheld", "answer": "x", "reasons": []string{}}, "reasons"),
		decision("not JSON", 400, auth, `{"outcome":`, "body"),
		decision("standard §11 the quality authority does not consider a complaint to the service provider", 403, quality, map[string]any{"outcome": "upheld", "answer": "x"}, "service provider"),
		decision("the applicant does not decide", 403, app, map[string]any{"outcome": "upheld", "answer": "x"}, "not open to the role applicant"),
		// The STS sees only the complaints to its head (standard §11): another is not found.
		decision("the STS does not decide", 404, localstack.DemoSTS, map[string]any{"outcome": "upheld", "answer": "x"}, "no such complaint"),
		{name: "decide: a complaint that does not exist", method: "POST", path: "/complaints/C-000000000000000000000000/decision", user: auth, body: map[string]any{"outcome": "upheld", "answer": "x"}, status: 404, names: []string{"no such complaint"}},
		{name: "get: limit zero", method: "GET", path: "/complaints?limit=0", user: app, status: 400, names: []string{"limit"}},
		{name: "get: a forged cursor", method: "GET", path: "/complaints?cursor=Zm9yZ2Vk", user: auth, status: 400, names: []string{"cursor"}},
		// Standard §11: the STS reads only the complaints to its head; another is not found.
		{name: "get: the STS reads no complaints but its head's", method: "GET", path: "/complaints/" + toProvider, user: localstack.DemoSTS, status: 404, names: []string{"no such complaint"}},
	}
	state := func() string {
		_, c := owner.do("GET", "/complaints/"+toProvider, nil)
		return fmt.Sprint(c["version"], c["status"], len(c["history"].([]any)), len(listedComplaints(t, owner)))
	}
	for _, in := range catalogue {
		t.Run(in.name, func(t *testing.T) {
			stack.Clock.Freeze(at)
			before := state()
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
			if after := state(); after != before {
				t.Fatalf("a refused request wrote: %s -> %s", before, after)
			}
		})
	}
	t.Logf("%d bad inputs about complaints catalogued", len(catalogue))
}

// TestStd11AComplaintNamesOnlyTheOrganisationsOwnCertificate: a complaint about a certificate
// names one of the organisation's certificates in the register; another organisation's reads like
// one that is not there, and nothing is filed.
func TestStd11AComplaintNamesOnlyTheOrganisationsOwnCertificate(t *testing.T) {
	org, other := newOrganisation(t), newOrganisation(t)
	number := lifeEntry(t, "state_is", org.BIN, time.Date(2026, 3, 2, 10, 0, 0, 0, almaty))
	stack.Clock.Freeze(time.Date(2026, 10, 15, 10, 0, 0, 0, almaty))
	body := complaintBody("service_provider", "The duplicate was late")
	body["certificateNumber"] = number
	if c := fileComplaint(t, as(t, org), body); c["certificateNumber"] != number {
		t.Fatalf("%v", c)
	}
	foreign := send(t, "POST", "/complaints", token(t, other), mustJSON(t, body), nil)
	body["certificateNumber"] = "2029/99997"
	absent := send(t, "POST", "/complaints", token(t, other), mustJSON(t, body), nil)
	if foreign.status != http.StatusUnprocessableEntity || absent.status != http.StatusUnprocessableEntity ||
		!strings.Contains(string(foreign.raw), "no certificate "+number+" of your organisation in the register") {
		t.Fatalf("another organisation's certificate: %d %s; a missing one: %d %s", foreign.status, foreign.raw, absent.status, absent.raw)
	}
	if got := listedComplaints(t, as(t, other)); len(got) != 0 {
		t.Fatalf("refused complaints were filed: %v", got)
	}
}

// TestStd11ComplaintsToTheHeadsAndOnPaperCarryTheirRegistrationMark: standard §11 names the head
// of the Ministry and the heads of both service providers as addressees, and a written complaint
// by post, e-mail or at the office is registered with a mark (incoming number, date, who
// registered it). On the main branch before issue 16 neither addressee nor the registration
// route existed.
func TestStd11ComplaintsToTheHeadsAndOnPaperCarryTheirRegistrationMark(t *testing.T) {
	stack.Clock.Freeze(day(10, 15, 10)) // Thursday 2026-10-15, 10:00 Almaty
	org := newOrganisation(t)
	owner, authority, sts := as(t, org), as(t, localstack.DemoAuthority), as(t, localstack.DemoSTS)

	t.Run("standard §11 a complaint filed online to the head of the Ministry is the authority's, marked online", func(t *testing.T) {
		c := fileComplaint(t, owner, complaintBody("ministry_head", "The Committee did not answer our letter"))
		m, _ := c["registration"].(map[string]any)
		if c["addressee"] != "ministry_head" || c["dueAt"] != "2026-10-22T18:59:59Z" || m["channel"] != "online" || m["incomingNumber"] != c["number"] {
			t.Fatalf("%v", c)
		}
		status, page := authority.do("GET", "/complaints?addressee=ministry_head", nil)
		if status != http.StatusOK || !strings.Contains(fmt.Sprint(page), c["id"].(string)) {
			t.Fatalf("the authority's list of complaints to the Ministry: %d %v", status, page)
		}
		if status, out := sts.do("GET", "/complaints/"+c["id"].(string), nil); status != http.StatusNotFound {
			t.Fatalf("the STS reads a complaint to the Ministry: %d %v", status, out)
		}
	})
	t.Run("standard §11 the STS's office registers a complaint to its head received by post; the STS considers it", func(t *testing.T) {
		stack.Clock.Freeze(day(10, 16, 11)) // registered Friday, received Thursday at 10:00
		status, c := sts.do("POST", "/complaints/registrations", map[string]any{
			"addressee": "sts_head", "channel": "post", "organization": org.BIN, "complainantName": "A. Aigerim",
			"subject": "The act of the survey reached us late", "incomingNumber": "ВХ-2026/0412", "registeredBy": "Serikbayev A.",
			"receivedAt": "2026-10-15T05:00:00Z"})
		m, _ := c["registration"].(map[string]any)
		if status != http.StatusCreated || c["addressee"] != "sts_head" || c["organization"] != org.BIN || m["channel"] != "post" ||
			m["incomingNumber"] != "ВХ-2026/0412" || m["registeredBy"] != "Serikbayev A." || m["date"] != "2026-10-15T05:00:00Z" ||
			c["dueAt"] != "2026-10-22T18:59:59Z" {
			t.Fatalf("%d %v", status, c)
		}
		id := c["id"].(string)
		if !contains(listedComplaints(t, owner), id) || !contains(listedComplaints(t, sts), id) || contains(listedComplaints(t, authority), id) {
			t.Fatal("the registered complaint is not on its organisation's and the STS's lists alone")
		}
		if status, out := decide(authority, id, "upheld", "x"); status != http.StatusForbidden {
			t.Fatalf("the authority deciding a complaint to the STS's head: %d %v", status, out)
		}
		status, out := decide(sts, id, "upheld", "The act is sent again by courier.")
		if d, _ := out["decision"].(map[string]any); status != http.StatusOK || d["role"] != "sts" {
			t.Fatalf("%d %v", status, out)
		}
	})
	t.Run("standard §11 a registration without its mark is refused, naming each field; an applicant registers nothing", func(t *testing.T) {
		status, out := authority.do("POST", "/complaints/registrations", map[string]any{
			"addressee": "service_provider", "channel": "pigeon", "organization": org.BIN, "complainantName": "A. Aigerim",
			"subject": "x", "incomingNumber": " ", "registeredBy": "", "receivedAt": "2026-10-17T05:00:00Z"})
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("%d %v", status, out)
		}
		for _, f := range []string{"channel", "incomingNumber", "registeredBy", "receivedAt"} {
			if !strings.Contains(fmt.Sprint(out["problems"]), "field:"+f) {
				t.Errorf("no problem of %s: %v", f, out["problems"])
			}
		}
		if status, out := owner.do("POST", "/complaints/registrations", map[string]any{"addressee": "service_provider"}); status != http.StatusForbidden {
			t.Fatalf("an applicant registering: %d %v", status, out)
		}
	})
}
