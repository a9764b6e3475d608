package statistics

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
	"attestation/internal/calendar"
	"attestation/internal/identity"
	"attestation/internal/policy"
)

type store struct {
	cases   []attestation.Case
	history map[string][]attestation.Event
	asked   [2]time.Time
}

func (s *store) CasesFiledBetween(_ context.Context, from, to time.Time, limit int) ([]attestation.Case, error) {
	s.asked = [2]time.Time{from, to}
	var out []attestation.Case
	for _, c := range s.cases {
		if !c.SubmittedAt.Before(from) && c.SubmittedAt.Before(to) && len(out) < limit {
			out = append(out, c)
		}
	}
	return out, nil
}

func (s *store) History(_ context.Context, id string) ([]attestation.Event, error) {
	return s.history[id], nil
}

var almaty, _ = time.LoadLocation("Asia/Almaty")

func moment(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, almaty)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// done is a step's completion as attestation writes it (decide.go).
func done(step string, outcome attestation.Outcome, opened, due, at string) attestation.Event {
	return attestation.Event{At: moment(at), Step: step, Outcome: outcome,
		What: fmt.Sprintf("step completed: %s (%s opened %s, due %s)", outcome, step, moment(opened).Format(time.RFC3339), moment(due).Format(time.RFC3339))}
}

// withGrounds is ev naming the policy's ground codes (standard §10).
func withGrounds(ev attestation.Event, codes ...string) attestation.Event {
	ev.Grounds = codes
	return ev
}

func service(t *testing.T, s *store) *Service {
	t.Helper()
	cal, err := calendar.Kazakhstan()
	if err != nil {
		t.Fatal(err)
	}
	svc, err := NewService(s, cal)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// fixture: five applications filed in October 2026 and one in September.
func fixture() *store {
	ed := policy.Default()
	term := func(due string) *attestation.ServiceTerm {
		return &attestation.ServiceTerm{DueAt: moment(due), Paragraph: "standard §4"}
	}
	s := &store{history: map[string][]attestation.Event{}}
	add := func(c attestation.Case, evs ...attestation.Event) {
		c.Edition = ed
		s.cases = append(s.cases, c)
		s.history[c.ID] = append([]attestation.Event{{At: c.SubmittedAt, What: "application submitted"}}, evs...)
	}
	// Issued: the completeness check in 1 working day, the contract sent in 3 (Thu 15 → Tue 20).
	add(attestation.Case{ID: "a", ObjectKind: "state_is", Stage: attestation.StageIssued, SubmittedAt: moment("2026-10-15 10:00"), Term: term("2026-12-30 23:59")},
		done("completeness_check", attestation.OutcomeForward, "2026-10-15 10:01", "2026-10-20 23:59", "2026-10-16 11:00"),
		done("send_contract", attestation.OutcomeContractSent, "2026-10-16 11:00", "2026-10-21 23:59", "2026-10-21 09:00"),
		attestation.Event{At: moment("2026-12-01 10:00"), What: "case closed: issued"})
	// Returned (§15) after 5 working days of a 3-day check: late.
	add(attestation.Case{ID: "b", ObjectKind: "state_web", Stage: attestation.StageReturned, SubmittedAt: moment("2026-10-12 10:00"), Term: term("2026-12-24 23:59")},
		withGrounds(done("completeness_check", attestation.OutcomeReturn, "2026-10-12 10:01", "2026-10-15 23:59", "2026-10-19 12:00"),
			"incomplete_package", "expired_documents", "incomplete_package"))
	// Refused at the decision (§27(2)), closed after its service term.
	add(attestation.Case{ID: "c", ObjectKind: "state_is", Stage: attestation.StageRefused, SubmittedAt: moment("2026-10-01 10:00"), Term: term("2026-10-30 23:59")},
		done("completeness_check", attestation.OutcomeForward, "2026-10-01 10:01", "2026-10-06 23:59", "2026-10-02 10:00"),
		done("decision", attestation.OutcomeRefuse, "2026-10-20 10:00", "2026-10-23 23:59", "2026-10-22 10:00"),
		attestation.Event{At: moment("2026-11-02 10:00"), What: "case closed: refused"})
	// Open, its step and term past due at the moment of the statistics; a lapse recorded.
	add(attestation.Case{ID: "d", ObjectKind: "critical_is", Stage: attestation.StageSurvey, Distributed: true, SubmittedAt: moment("2026-10-02 10:00"),
		OpenStep: &attestation.Step{Name: "survey", DueAt: moment("2026-11-20 23:59")}, Term: term("2026-12-10 23:59")},
		done("completeness_check", attestation.OutcomeForward, "2026-10-02 10:01", "2026-10-07 23:59", "2026-10-05 10:00"),
		attestation.Event{At: moment("2026-10-20 00:05"), What: "ContractNotSigned: sign_contract lapsed, due 2026-10-19T18:59:59Z (§17)"})
	// Its term cannot be counted yet.
	add(attestation.Case{ID: "e", ObjectKind: "state_is", Stage: attestation.StageCompletenessCheck, SubmittedAt: moment("2026-10-30 16:00"),
		Term: &attestation.ServiceTerm{Uncountable: "the calendar of 2027", Year: 2027}})
	// Filed in September: outside the period.
	add(attestation.Case{ID: "f", ObjectKind: "nonstate_is", Stage: attestation.StageIssued, SubmittedAt: moment("2026-09-30 17:00")})
	return s
}

func TestStatisticsCountsApplicationsByOutcomeKindAndGround(t *testing.T) {
	s := fixture()
	rep, err := service(t, s).Compute(context.Background(), "2026-10-01", "2026-10-31", moment("2026-12-15 00:05"))
	if err != nil {
		t.Fatal(err)
	}
	if !s.asked[0].Equal(moment("2026-10-01 00:00")) || !s.asked[1].Equal(moment("2026-11-01 00:00")) {
		t.Errorf("the period read is %v, want the Almaty days from and to included", s.asked)
	}
	if rep.Applications != 5 {
		t.Fatalf("applications %d, want 5", rep.Applications)
	}
	want := map[string]int{"issued": 1, "returned": 1, "refused": 1, "open": 2}
	for k, n := range want {
		if rep.ByOutcome[k] != n {
			t.Errorf("by outcome %s: %d, want %d (%v)", k, rep.ByOutcome[k], n, rep.ByOutcome)
		}
	}
	if rep.ByObjectKind["state_is"] != 3 || rep.ByObjectKind["state_web"] != 1 || rep.ByObjectKind["critical_is"] != 1 {
		t.Errorf("by object kind: %v", rep.ByObjectKind)
	}
	t.Run("Std10 Par15 Par27 grounds of return and refusal", func(t *testing.T) {
		if len(rep.ByGround) != 2 {
			t.Fatalf("%+v", rep.ByGround)
		}
		if g := rep.ByGround[0]; g.Step != "completeness_check" || g.Outcome != "return" || g.Paragraph != "§15, standard §10" || g.Count != 1 {
			t.Errorf("%+v", g)
		}
		// By the codes the return named, each once however often it was named.
		if g := rep.ByGround[0]; len(g.Grounds) != 2 || g.Grounds["incomplete_package"] != 1 || g.Grounds["expired_documents"] != 1 {
			t.Errorf("the return's ground codes: %v", g.Grounds)
		}
		if g := rep.ByGround[1]; g.Step != "decision" || g.Outcome != "refuse" || g.Paragraph != "§27(2)" || g.Count != 1 || len(g.Grounds) != 0 {
			t.Errorf("%+v", g)
		}
	})
}

func TestStatisticsPar14Par17Par19StageDurationsInWorkingDaysAgainstPeriods(t *testing.T) {
	rep, err := service(t, fixture()).Compute(context.Background(), "2026-10-01", "2026-10-31", moment("2026-12-15 00:05"))
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]StageFigures{}
	var order []string
	for _, f := range rep.Stages {
		by[f.Step] = f
		order = append(order, f.Step)
	}
	if strings.Join(order, ",") != "completeness_check,send_contract,sign_contract,survey_distributed,decision" {
		t.Errorf("stages in the order of the procedure: %v", order)
	}
	cc := by["completeness_check"]
	// Durations 1 (Thu→Fri), 5 (Mon 12 → Mon 19), 1 (Thu 1 → Fri 2), 1 (Fri 2 → Mon 5).
	if cc.Completed != 4 || *cc.Median != 1 || *cc.P90 != 5 || *cc.Max != 5 || cc.Late != 1 {
		t.Errorf("§14 completeness check: %+v median %d p90 %d max %d", cc, *cc.Median, *cc.P90, *cc.Max)
	}
	if cc.PeriodWorkingDays != 3 || cc.Paragraph != "§14" || cc.Period != "3 working days" {
		t.Errorf("§14 the statutory period: %+v", cc)
	}
	if sc := by["send_contract"]; sc.Completed != 1 || *sc.Max != 3 || sc.Late != 0 {
		t.Errorf("§17 contract sent: %+v", sc)
	}
	if sg := by["sign_contract"]; sg.Lapsed != 1 || sg.Completed != 0 || sg.Median != nil {
		t.Errorf("§17 a lapsed signature: %+v", sg)
	}
	if sv := by["survey_distributed"]; sv.OpenOverdue != 1 || sv.PeriodWorkingDays != 40 {
		t.Errorf("§19 the distributed survey open past due: %+v", sv)
	}
}

func TestStatisticsStd4ServiceTermBreaches(t *testing.T) {
	rep, err := service(t, fixture()).Compute(context.Background(), "2026-10-01", "2026-10-31", moment("2026-12-15 00:05"))
	if err != nil {
		t.Fatal(err)
	}
	// c ended after its term; d is open past it; a and b ended in time; e cannot be counted.
	want := TermFigures{Paragraph: rep.ServiceTerm.Paragraph, Counted: 4, Breached: 2, BreachedEnded: 1, BreachedOpen: 1, Uncountable: 1}
	if rep.ServiceTerm != want || !strings.Contains(want.Paragraph, "§4") {
		t.Errorf("standard §4: %+v, want %+v", rep.ServiceTerm, want)
	}
}

func TestStatisticsPeriodIsBoundedWithAProblemNamingTheField(t *testing.T) {
	svc := service(t, fixture())
	for _, c := range []struct{ from, to, field string }{
		{"2026-10-1", "2026-10-31", "from"},
		{"2026-10-01", "", "to"},
		{"2026-10-31", "2026-10-01", "to"},
		{"2025-01-01", "2026-10-31", "to"},
	} {
		_, err := svc.Compute(context.Background(), c.from, c.to, moment("2026-12-15 00:05"))
		p := apperr.PublicOf(err)
		if apperr.KindOf(err) != apperr.Unprocessable || len(p.Problems) == 0 || p.Problems[0].Field != c.field {
			t.Errorf("%s..%s: %v %+v", c.from, c.to, err, p.Problems)
		}
	}
	if _, err := svc.Compute(context.Background(), "2025-01-01", "2025-12-31", moment("2026-12-15 00:05")); err != nil {
		t.Errorf("a year is a period: %v", err)
	}
	big := &store{history: map[string][]attestation.Event{}}
	for i := range MaxCases + 1 {
		big.cases = append(big.cases, attestation.Case{ID: fmt.Sprint(i), SubmittedAt: moment("2026-10-15 10:00")})
	}
	_, err := service(t, big).Compute(context.Background(), "2026-10-01", "2026-10-31", moment("2026-12-15 00:05"))
	if p := apperr.PublicOf(err); apperr.KindOf(err) != apperr.Unprocessable || len(p.Problems) != 1 || !strings.Contains(p.Problems[0].Message, "shorter period") {
		t.Errorf("more than %d applications: %v", MaxCases, err)
	}
}

func TestStatisticsAreForTheAuthorityAndTheQualityAuthority(t *testing.T) {
	svc := service(t, fixture())
	for _, r := range []identity.Role{identity.Authority, identity.QualityAuthority} {
		if _, err := svc.Period(context.Background(), identity.Actor{Subject: "x", Role: r}, "2026-10-01", "2026-10-31", moment("2026-12-15 00:05")); err != nil {
			t.Errorf("%s: %v", r, err)
		}
	}
	for _, r := range []identity.Role{identity.Applicant, identity.STS} {
		if _, err := svc.Period(context.Background(), identity.Actor{Subject: "x", Role: r}, "2026-10-01", "2026-10-31", moment("2026-12-15 00:05")); apperr.KindOf(err) != apperr.Forbidden {
			t.Errorf("%s: %v", r, err)
		}
	}
}

type records struct{ files map[string][]byte }

func (r *records) Put(_ context.Context, key, _ string, body []byte) (attestation.Document, error) {
	if old, ok := r.files[key]; ok && !bytes.Equal(old, body) {
		return attestation.Document{}, apperr.Hidden(apperr.Conflict, "", "put %s", key)
	}
	r.files[key] = body
	s := sha256.Sum256(body)
	return attestation.Document{Key: key, VersionID: "v", SHA256: hex.EncodeToString(s[:])}, nil
}

func TestStatisticsOpenDataOfTheYearNamesNoOrganisation(t *testing.T) {
	s := fixture()
	for i := range s.cases {
		s.cases[i].OrganizationBIN, s.cases[i].ApplicantName, s.cases[i].ObjectName = "123456789012", "Applicant LLP", "Secret object"
	}
	rec := &records{files: map[string][]byte{}}
	o := NewOpenData(service(t, s), rec)
	now := moment("2026-12-15 00:05")
	out, err := o.Check(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	rep := out.(OpenDataReport)
	if rep.Key != "open-data/2026-12-15/statistics.json" || rep.From != "2026-01-01" || rep.To != "2026-12-14" || rep.Stands {
		t.Fatalf("%+v", rep)
	}
	body := rec.files[rep.Key]
	for _, leak := range []string{"123456789012", "Applicant LLP", "Secret object", `"a"`, "caseId"} {
		if bytes.Contains(body, []byte(leak)) {
			t.Errorf("the open data names %q: %s", leak, body)
		}
	}
	var doc Document
	if err := json.Unmarshal(body, &doc); err != nil || doc.Applications != 6 {
		t.Fatalf("%v %+v", err, doc)
	}
	// Later the same day the figures are judged at another moment: the day's file stands.
	if out, err := o.Check(context.Background(), now.Add(time.Hour)); err != nil || !out.(OpenDataReport).Stands {
		t.Errorf("a second run the same day: %+v %v", out, err)
	}
	if out, err := o.Check(context.Background(), now); err != nil || out.(OpenDataReport).Stands || out.(OpenDataReport).SHA256 != rep.SHA256 {
		t.Errorf("the same moment again writes the same bytes: %+v %v", out, err)
	}
}
