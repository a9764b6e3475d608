package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"attestation/internal/attestation"
	"attestation/internal/dynamostore"
	"attestation/internal/localstack"
)

// day is a moment in Almaty of the autumn 2026 the paths run in.
func day(month time.Month, d, hour int) time.Time {
	return time.Date(2026, month, d, hour, 0, 0, 0, almaty)
}

// endOfDay is 23:59:59 in Almaty: when a period in working days ends.
func endOfDay(month time.Month, d int) time.Time {
	return time.Date(2026, month, d, 23, 59, 59, 0, almaty)
}

// path follows one case through the procedure, as the applicant, the authority and the STS.
type path struct {
	t                    testing.TB
	id                   string
	applicant, authority client
	sts                  client
}

// application is a complete package (internal/attestation/testdata/packages/valid.json) for an
// object of the given name; distributed sets the §19 flag.
func application(t testing.TB, name string, distributed bool) map[string]any {
	t.Helper()
	b, err := os.ReadFile("../attestation/testdata/packages/valid.json")
	if err != nil {
		t.Fatal(err)
	}
	var pkg map[string]any
	if err := json.Unmarshal(b, &pkg); err != nil {
		t.Fatal(err)
	}
	pkg["object"].(map[string]any)["name"] = name
	pkg["flags"].(map[string]any)["geographicallyDistributed"] = distributed
	return pkg
}

// file starts a case at the given moment and waits for the authority's completeness check.
func file(t testing.TB, at time.Time, app map[string]any) *path {
	t.Helper()
	stack.Clock.Freeze(at)
	p := &path{t: t, applicant: as(t, localstack.DemoApplicant), authority: as(t, localstack.DemoAuthority), sts: as(t, localstack.DemoSTS)}
	status, body := p.applicant.file(app)
	if status != http.StatusCreated {
		t.Fatalf("submit: %d %v", status, body)
	}
	p.id = body["id"].(string)
	p.open("completeness_check")
	return p
}

// view is the case as the applicant (or another client) sees it.
func (p *path) view(c client) map[string]any {
	p.t.Helper()
	status, v := c.do("GET", "/cases/"+p.id, nil)
	if status != http.StatusOK {
		p.t.Fatalf("get case: %d %v", status, v)
	}
	return v
}

// open waits until step is the case's open step and returns it. It reads the table directly, so
// that waiting adds no calls to the API's counts.
func (p *path) open(step string) attestation.Step {
	p.t.Helper()
	store := dynamostore.New(stack.Clients.DynamoDB, stack.Template.Tables[0].Name)
	var st *attestation.Step
	waitFor(p.t, "step "+step+" to open", func() bool {
		c, err := store.Get(context.Background(), p.id)
		st = c.OpenStep
		return err == nil && st != nil && st.Name == step
	})
	return *st
}

// dueAt is the open step's due moment.
func (p *path) dueAt(step string) time.Time { return p.open(step).DueAt }

// act completes step at moment at with outcome; extra adds reasons, documents and the like.
func (p *path) act(c client, at time.Time, step, outcome string, extra map[string]any) {
	p.t.Helper()
	p.open(step)
	stack.Clock.Freeze(at)
	body := map[string]any{"step": step, "outcome": outcome}
	// §24, §35: an act comes with its number and date; §27(1), §37: a decision to issue with the
	// certificate's terms (Annex 7).
	if outcome == "act" {
		body["act"] = actDetails(step, at)
	}
	if outcome == "issue" {
		body["certificate"] = certificateTerms()
	}
	// Standard §6, §10: a return or a refusal names its grounds.
	if g := defaultGrounds(outcome); g != nil {
		body["grounds"] = g
	}
	for k, v := range extra {
		if kinds, ok := v.(docKinds); ok {
			v = p.attach(c, kinds)
		}
		body[k] = v
	}
	if status, out := c.do("POST", "/cases/"+p.id+"/step", body); status != http.StatusOK {
		p.t.Fatalf("%s %s: %d %v", step, outcome, status, out)
	}
}

// defaultGrounds are the grounds a return or refusal names when the test gives none (standard
// §10): an incomplete package refuses the acceptance, non-compliance with the Rules the service.
func defaultGrounds(outcome string) []string {
	switch outcome {
	case "return":
		return []string{"incomplete_package"}
	case "refuse":
		return []string{"noncompliance_with_rules"}
	}
	return nil
}

// actDetails are the number and date of the act a survey step hands over.
func actDetails(step string, at time.Time) map[string]any {
	loc, _ := time.LoadLocation("Asia/Almaty")
	return map[string]any{"number": "AKT-" + strings.ToUpper(step[:3]) + "-" + at.In(loc).Format("0102"), "date": at.In(loc).Format(time.DateOnly)}
}

// certificateTerms are the terms an authority writes into a certificate (Annex 7).
func certificateTerms() map[string]any {
	return map[string]any{
		"informationCategory": "restricted",
		"prohibitions": []map[string]string{
			{"kk": "Объектіні Интернет желісіне қосуға тыйым салынады", "ru": "Запрещается подключение объекта к сети Интернет", "en": "Connecting the object to the Internet is prohibited"},
		},
		"notifiableChanges": []map[string]string{
			{"kk": "Серверлердің желілік мекенжайлары", "ru": "Сетевые адреса серверов", "en": "The network addresses of the servers"},
			{"kk": "Ақпаратты қорғау құралдарының құрамы", "ru": "Состав средств защиты информации", "en": "The composition of the means of information protection"},
		},
		"chairman": map[string]any{"name": "Әлібеков Серік Қанатұлы",
			"position": map[string]string{"kk": "Ақпараттық қауіпсіздік комитетінің төрағасы", "ru": "Председатель Комитета по информационной безопасности", "en": "Chairman of the Information Security Committee"}},
	}
}

// docs are documents of the given kinds, uploaded to the case by whoever acts (see act).
func (p *path) docs(kinds ...string) map[string]any {
	return map[string]any{"documents": docKinds(kinds)}
}

func reasons(r ...string) map[string]any { return map[string]any{"reasons": r} }

// end waits for the execution to end and checks its status and the case's end stage.
func (p *path) end(stage string) map[string]any {
	p.t.Helper()
	arn := fmt.Sprintf("arn:aws:states:%s:%s:execution:%s:%s", localstack.Region, localstack.AccountID, stack.Template.StateMachines[0].Name, p.id)
	var d *sfn.DescribeExecutionOutput
	waitFor(p.t, "the execution to end", func() bool {
		var err error
		d, err = stack.Clients.SFN.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: &arn})
		return err == nil && d.Status != sfntypes.ExecutionStatusRunning
	})
	if d.Status != sfntypes.ExecutionStatusSucceeded {
		p.t.Fatalf("execution %s: %s (%s: %s)", p.id, d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	v := p.view(p.applicant)
	if v["stage"] != stage {
		p.t.Fatalf("stage %v, want %s", v["stage"], stage)
	}
	return v
}

// history is the case's history as "what" lines.
func history(v map[string]any) []string {
	var out []string
	for _, e := range v["history"].([]any) {
		out = append(out, fmt.Sprint(e.(map[string]any)["what"]))
	}
	return out
}

func hasEvent(t testing.TB, v map[string]any, prefix string) {
	t.Helper()
	for _, h := range history(v) {
		if strings.HasPrefix(h, prefix) {
			return
		}
	}
	t.Fatalf("history has no event %q:\n  %s", prefix, strings.Join(history(v), "\n  "))
}

func wantDue(t testing.TB, step string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Fatalf("%s due %s, want %s", step, got.In(almaty).Format(time.RFC3339), want.Format(time.RFC3339))
	}
}

// toSurvey runs a case from filing to the STS's survey: forwarded (§16), contract sent (§17),
// signed on Monday 2026-10-19 (§17), the survey running from the contract's entry into force (§19).
func toSurvey(t testing.TB, app map[string]any) *path {
	p := file(t, day(10, 15, 10), app)
	wantDue(t, "completeness_check", p.dueAt("completeness_check"), endOfDay(10, 20)) // §14: Fri 16, Mon 19, Tue 20
	p.act(p.authority, day(10, 16, 10), "completeness_check", "forward", nil)
	p.act(p.sts, day(10, 16, 11), "send_contract", "contract_sent", p.docs("contract"))
	// §17: 5 working days from Friday 10-16: Oct 19-23.
	wantDue(t, "sign_contract", p.dueAt("sign_contract"), endOfDay(10, 23))
	p.act(p.applicant, day(10, 19, 10), "sign_contract", "signed", p.docs("signed_contract"))
	return p
}

// toDecision continues to the authority's decision: the act delivered on Monday 2026-11-16.
func toDecision(t testing.TB) *path {
	p := toSurvey(t, application(t, "E-licensing", false))
	p.act(p.sts, day(11, 16, 10), "survey", "act", p.docs("survey_act"))
	return p
}

// toRectification continues to the applicant's rectification notice: rectification ordered on
// Tuesday 11-17 and sent with the act on Wednesday 11-18.
func toRectification(t testing.TB) *path {
	p := toDecision(t)
	p.act(p.authority, day(11, 17, 10), "decision", "rectify", reasons("No backup procedure (Annex 3 document 9) in force"))
	// §25: the act is not the applicant's until the authority sends it.
	for _, d := range docsOf(p.view(p.applicant)) {
		if d == "survey_act" {
			t.Fatalf("the applicant sees the act before the authority sent it")
		}
	}
	p.act(p.authority, day(11, 18, 10), "send_documents", "sent", nil)
	if !contains(docsOf(p.view(p.applicant)), "survey_act") {
		t.Fatalf("the applicant does not see the act the authority sent")
	}
	// §31: 20 working days from Wednesday 11-18: Nov 19-20, 23-27, Nov 30-Dec 4, Dec 7-11, Dec 14-15
	// (Dec 16 Independence Day), Dec 17 → Thursday 12-17.
	wantDue(t, "rectification_notice", p.dueAt("rectification_notice"), endOfDay(12, 17))
	return p
}

func docsOf(v map[string]any) []string {
	var out []string
	ds, _ := v["documents"].([]any)
	for _, d := range ds {
		out = append(out, fmt.Sprint(d.(map[string]any)["kind"]))
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func TestPathPar28Issued(t *testing.T) {
	p := toSurvey(t, application(t, "E-licensing", false))
	// §19: 30 working days from the contract's entry into force on Monday 10-19 (Oct 26 is off:
	// Republic Day fell on Sunday) → Tuesday 12-01.
	wantDue(t, "survey", p.dueAt("survey"), endOfDay(12, 1))
	p.act(p.sts, day(11, 16, 10), "survey", "act", p.docs("survey_act"))
	wantDue(t, "decision", p.dueAt("decision"), endOfDay(11, 19)) // §27: 3 working days
	p.act(p.authority, day(11, 17, 10), "decision", "issue", nil)
	wantDue(t, "send_documents", p.dueAt("send_documents"), endOfDay(11, 20)) // §28: 3 working days
	p.act(p.authority, day(11, 18, 10), "send_documents", "sent", nil)
	v := p.end("issued")
	hasEvent(t, v, "certificate 2026/")
	if n, _ := v["certificate"].(string); !strings.HasPrefix(n, "2026/") {
		t.Fatalf("§28: the case shows no certificate number: %v", v["certificate"])
	}
	if !contains(docsOf(v), "survey_act") {
		t.Fatalf("§28: the applicant must see the act sent with the certificate")
	}
}

func TestPathPar15ReturnedAtCompletenessCheck(t *testing.T) {
	p := file(t, day(10, 15, 10), application(t, "Portal", false))
	// standard §10: a return needs its reasons.
	stack.Clock.Freeze(day(10, 16, 10))
	if status, body := p.authority.do("POST", "/cases/"+p.id+"/step", map[string]any{"step": "completeness_check", "outcome": "return"}); status != http.StatusUnprocessableEntity {
		t.Fatalf("a return without reasons: %d %v, want 422", status, body)
	}
	p.act(p.authority, day(10, 16, 10), "completeness_check", "return", reasons("The hardware list (Annex 5) has no IP addresses"))
	v := p.end("returned")
	hasEvent(t, v, "step completed: return")
}

func TestPathPar17ContractNotSignedCancels(t *testing.T) {
	p := file(t, day(10, 15, 10), application(t, "Portal", false))
	p.act(p.authority, day(10, 16, 10), "completeness_check", "forward", nil)
	p.act(p.sts, day(10, 16, 11), "send_contract", "contract_sent", p.docs("contract"))
	due := p.dueAt("sign_contract")
	wantDue(t, "sign_contract", due, endOfDay(10, 23))
	// The deadline check on the last day changes nothing; the one after it cancels (§17).
	stack.Clock.Freeze(day(10, 23, 18))
	if _, err := stack.RunScheduled(context.Background()); err != nil {
		t.Fatal(err)
	}
	p.open("sign_contract")
	stack.Clock.Freeze(time.Date(2026, 10, 24, 0, 5, 0, 0, almaty))
	if _, err := stack.RunScheduled(context.Background()); err != nil {
		t.Fatal(err)
	}
	v := p.end("cancelled")
	hasEvent(t, v, "ContractNotSigned: sign_contract lapsed")
	// A second run of the deadline check for the same moment changes nothing.
	n := len(history(v))
	if _, err := stack.RunScheduled(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := len(history(p.view(p.applicant))); got != n {
		t.Fatalf("a second deadline check changed the history: %d events, was %d", got, n)
	}
}

func TestPathPar27RefusedAtFirstDecision(t *testing.T) {
	p := toDecision(t)
	p.act(p.authority, day(11, 17, 10), "decision", "refuse", reasons("Instrumental examination found open administrative interfaces"))
	p.act(p.authority, day(11, 18, 10), "send_documents", "sent", nil)
	v := p.end("refused")
	hasEvent(t, v, "step completed: refuse")
	// §12: the window of 2026 closed on Monday 11-02, so a new filing now is refused with that reason...
	status, body := p.applicant.file(application(t, "E-licensing", false))
	if status != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(body["problems"]), "§12") {
		t.Fatalf("a filing after the window: %d %v, want 422 naming §12", status, body)
	}
	// ...and §30, §39: the applicant may apply again, in the next year's window.
	stack.Clock.Freeze(time.Date(2027, 1, 15, 10, 0, 0, 0, almaty))
	if status, body := p.applicant.file(application(t, "E-licensing", false)); status != http.StatusCreated {
		t.Fatalf("a new application after a refusal: %d %v", status, body)
	}
}

func TestPathPar31To37RectifiedAndIssued(t *testing.T) {
	p := toRectification(t)
	p.act(p.applicant, day(12, 1, 10), "rectification_notice", "notified", p.docs("rectification_documents"))
	wantDue(t, "inform_sts", p.dueAt("inform_sts"), endOfDay(12, 4)) // §33: 3 working days
	p.act(p.authority, day(12, 2, 10), "inform_sts", "informed", nil)
	// §34: 15 working days from Wednesday 12-02: Dec 3-4, 7-11, 14-15, 17-18 (Dec 16 off), 21-24.
	wantDue(t, "additional_survey", p.dueAt("additional_survey"), endOfDay(12, 24))
	p.act(p.sts, day(12, 10, 10), "additional_survey", "act", p.docs("additional_survey_act"))
	p.act(p.authority, day(12, 11, 10), "second_decision", "issue", nil)
	p.act(p.authority, day(12, 14, 10), "second_send_documents", "sent", nil)
	v := p.end("issued")
	hasEvent(t, v, "certificate 2026/")
}

func TestPathPar32RectificationLapsedThenRefused(t *testing.T) {
	p := toRectification(t)
	stack.Clock.Freeze(time.Date(2026, 12, 18, 0, 5, 0, 0, almaty))
	if _, err := stack.RunScheduled(context.Background()); err != nil {
		t.Fatal(err)
	}
	// §32: the lapse is grounds for refusal; the authority decides within 3 working days counted from
	// the end of the missed period (Thursday 12-17), whenever the check ran: Fri 12-18, Mon 12-21, Tue 12-22.
	wantDue(t, "lapse_decision", p.dueAt("lapse_decision"), endOfDay(12, 22))
	p.act(p.authority, day(12, 21, 10), "lapse_decision", "refuse", reasons("§32: no notice of rectification within 20 working days"))
	v := p.end("refused")
	hasEvent(t, v, "RectificationLapsed: rectification_notice lapsed")
}

func TestPathPar37RectifiedAndRefused(t *testing.T) {
	p := toRectification(t)
	p.act(p.applicant, day(12, 1, 10), "rectification_notice", "notified", p.docs("rectification_documents"))
	p.act(p.authority, day(12, 2, 10), "inform_sts", "informed", nil)
	p.act(p.sts, day(12, 10, 10), "additional_survey", "act", p.docs("additional_survey_act"))
	p.act(p.authority, day(12, 11, 10), "second_decision", "refuse", reasons("The deficiencies remain"))
	p.act(p.authority, day(12, 14, 10), "second_send_documents", "sent", nil)
	v := p.end("refused")
	hasEvent(t, v, "step completed: rectify")
	hasEvent(t, v, "step completed: refuse (second_decision")
	if !contains(docsOf(v), "additional_survey_act") {
		t.Fatalf("§38: the additional act is sent with the refusal")
	}
}

func TestPathPar27SecondRectificationRejected(t *testing.T) {
	p := toRectification(t)
	p.act(p.applicant, day(12, 1, 10), "rectification_notice", "notified", p.docs("rectification_documents"))
	p.act(p.authority, day(12, 2, 10), "inform_sts", "informed", nil)
	p.act(p.sts, day(12, 10, 10), "additional_survey", "act", p.docs("additional_survey_act"))
	p.open("second_decision")
	stack.Clock.Freeze(day(12, 11, 10))
	status, body := p.authority.do("POST", "/cases/"+p.id+"/step", map[string]any{"step": "second_decision", "outcome": "rectify", "reasons": []string{"again"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(body["detail"]), "§27") {
		t.Fatalf("a second rectification order: %d %v, want 422 naming §27", status, body)
	}
	p.act(p.authority, day(12, 11, 11), "second_decision", "issue", nil)
	p.act(p.authority, day(12, 14, 10), "second_send_documents", "sent", nil)
	v := p.end("issued")
	hasEvent(t, v, "certificate 2026/")
}

func TestPathWithdrawnAtApplicantStep(t *testing.T) {
	p := file(t, day(10, 15, 10), application(t, "Portal", false))
	p.act(p.authority, day(10, 16, 10), "completeness_check", "forward", nil)
	p.act(p.sts, day(10, 16, 11), "send_contract", "contract_sent", p.docs("contract"))
	p.open("sign_contract")
	stack.Clock.Freeze(day(10, 19, 9))
	if status, body := p.applicant.do("POST", "/cases/"+p.id+"/withdraw", nil); status != http.StatusOK {
		t.Fatalf("withdraw: %d %v", status, body)
	}
	v := p.end("withdrawn")
	hasEvent(t, v, "application withdrawn")
	// The withdrawal is not a decision anyone may repeat on the step.
	if status, body := p.applicant.do("POST", "/cases/"+p.id+"/step", map[string]any{"step": "sign_contract", "outcome": "withdrawn"}); status != http.StatusConflict {
		t.Fatalf("posting the withdrawal as a step outcome: %d %v, want 409", status, body)
	}
}

func TestPathWithdrawnAtStaffStep(t *testing.T) {
	p := toSurvey(t, application(t, "Portal", false))
	p.open("survey")
	stack.Clock.Freeze(day(10, 20, 9))
	if status, body := p.sts.do("POST", "/cases/"+p.id+"/withdraw", nil); status != http.StatusForbidden {
		t.Fatalf("the STS withdrawing: %d %v, want 403", status, body)
	}
	if status, body := p.applicant.do("POST", "/cases/"+p.id+"/withdraw", nil); status != http.StatusOK {
		t.Fatalf("withdraw: %d %v", status, body)
	}
	v := p.end("withdrawn")
	hasEvent(t, v, "application withdrawn")
	// A closed case takes no more decisions.
	status, _ := p.sts.do("POST", "/cases/"+p.id+"/step", map[string]any{"step": "survey", "outcome": "act"})
	if status != http.StatusConflict {
		t.Fatalf("acting on a withdrawn case: %d, want 409", status)
	}
}

func TestPathPar19DistributedSystemSurveyFortyDays(t *testing.T) {
	p := toSurvey(t, application(t, "Regional network", true))
	// §19: 40 working days from Monday 10-19 → Tuesday 12-15 (Dec 16 is Independence Day).
	wantDue(t, "survey", p.dueAt("survey"), endOfDay(12, 15))
	p.act(p.sts, day(11, 16, 10), "survey", "act", p.docs("survey_act"))
	p.act(p.authority, day(11, 17, 10), "decision", "issue", nil)
	p.act(p.authority, day(11, 18, 10), "send_documents", "sent", nil)
	v := p.end("issued")
	hasEvent(t, v, "step completed: act (survey opened")
}

func TestPathPar19SurveyRunsFromTheDateTheContractStates(t *testing.T) {
	p := file(t, day(10, 15, 10), application(t, "Portal", false))
	p.act(p.authority, day(10, 16, 10), "completeness_check", "forward", nil)
	p.act(p.sts, day(10, 16, 11), "send_contract", "contract_sent", p.docs("contract"))
	extra := p.docs("signed_contract")
	extra["entryIntoForce"] = day(10, 26, 0).Format(time.RFC3339)
	p.act(p.applicant, day(10, 19, 10), "sign_contract", "signed", extra)
	// 30 working days from Monday 10-26 (itself a day off): Oct 27-30, Nov 2-6, 9-13, 16-20, 23-27,
	// Nov 30-Dec 4, Dec 7 → Monday 12-07.
	wantDue(t, "survey", p.dueAt("survey"), endOfDay(12, 7))
}

func TestRepeatedCompletionChangesStateOnce(t *testing.T) {
	p := file(t, day(10, 15, 10), application(t, "Portal", false))
	stack.Clock.Freeze(day(10, 16, 10))
	body := map[string]any{"step": "completeness_check", "outcome": "return", "reasons": []string{"incomplete"}, "grounds": defaultGrounds("return")}
	for i := 0; i < 2; i++ {
		if status, out := p.authority.do("POST", "/cases/"+p.id+"/step", body); status != http.StatusOK {
			t.Fatalf("completion %d: %d %v", i+1, status, out)
		}
	}
	body["outcome"] = "forward"
	if status, _ := p.authority.do("POST", "/cases/"+p.id+"/step", body); status != http.StatusConflict {
		t.Fatalf("a different decision on a completed step: %d, want 409", status)
	}
	v := p.end("returned")
	n := 0
	for _, h := range history(v) {
		if strings.HasPrefix(h, "step completed") {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d completion events, want 1", n)
	}
}

func executions(t testing.TB) int {
	t.Helper()
	out, err := stack.Clients.SFN.ListExecutions(context.Background(), &sfn.ListExecutionsInput{StateMachineArn: aws.String(stack.StateMachineARN()), MaxResults: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.Executions)
}

func TestSubmissionChecksStopAFilingBeforeAnyCaseStarts(t *testing.T) {
	stack.Clock.Freeze(day(10, 15, 10))
	applicant := as(t, localstack.DemoApplicant)
	pkg := application(t, "Secret registry", false)
	pkg["stateSecret"] = true
	delete(pkg["documents"].(map[string]any), "annex3_01")
	before := executions(t)
	id := applicant.draft(pkg)
	// The machine check of the draft lists every problem with its paragraph before filing.
	status, d := applicant.do("GET", "/drafts/"+id, nil)
	check, _ := d["check"].(map[string]any)
	if status != http.StatusOK || check["complete"] != false {
		t.Fatalf("check: %d %v", status, d)
	}
	status, body := applicant.do("POST", "/drafts/"+id+"/submit", nil)
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("submit: %d %v, want 422", status, body)
	}
	problems := fmt.Sprint(body["problems"])
	for _, want := range []string{"§2", "annex3_01"} {
		if !strings.Contains(problems, want) {
			t.Errorf("the problems do not name %s: %s", want, problems)
		}
	}
	if fmt.Sprint(check["problems"]) != problems {
		t.Errorf("the check and the refusal differ:\n%v\n%s", check["problems"], problems)
	}
	if executions(t) != before {
		t.Fatalf("a refused submission started an execution")
	}
	if status, d := applicant.do("GET", "/drafts/"+id, nil); status != http.StatusOK || d["state"] != "open" {
		t.Fatalf("the refused draft: %d %v, want it open", status, d)
	}
	// Drafting for another organisation is refused.
	other := application(t, "Registry", false)
	delete(other, "documents")
	other["applicant"].(map[string]any)["identityNumber"] = "990340001230"
	if status, body := applicant.do("POST", "/drafts", other); status != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(body["problems"]), "own organisation") {
		t.Fatalf("filing for another organisation: %d %v", status, body)
	}
}

// queueHas reports whether the caller's work queue (with query) lists the case, and its item.
func queueHas(t testing.TB, c client, query, caseID string) (map[string]any, bool) {
	t.Helper()
	cursor := ""
	for page := 0; page < 50; page++ {
		q := "/queue?limit=100" + query
		if cursor != "" {
			q += "&cursor=" + cursor
		}
		status, body := c.do("GET", q, nil)
		if status != http.StatusOK {
			t.Fatalf("GET %s: %d %v", q, status, body)
		}
		items, _ := body["items"].([]any)
		for _, it := range items {
			if m := it.(map[string]any); m["caseId"] == caseID {
				return m, true
			}
		}
		if cursor, _ = body["cursor"].(string); cursor == "" {
			return nil, false
		}
	}
	t.Fatal("the queue did not end in 50 pages")
	return nil, false
}

func TestStaffWorkQueueByDueMomentWithOverdueFlags(t *testing.T) {
	p := file(t, day(10, 15, 10), application(t, "Queue test", false))
	stack.Clock.Freeze(day(10, 16, 10))
	item, ok := queueHas(t, p.authority, "", p.id)
	if !ok || item["step"] != "completeness_check" || item["overdue"] != false || item["paragraph"] != "§14" {
		t.Fatalf("the authority's queue: %v %v", item, ok)
	}
	if _, ok := queueHas(t, p.sts, "", p.id); ok {
		t.Fatal("the STS's queue lists the authority's step")
	}
	if _, ok := queueHas(t, p.authority, "&overdue=true", p.id); ok {
		t.Fatal("a step not yet due is listed as overdue")
	}
	// §14: due at the end of Tuesday 10-20; on Wednesday it is overdue.
	stack.Clock.Freeze(day(10, 21, 10))
	if item, ok := queueHas(t, p.authority, "&overdue=true&step=completeness_check", p.id); !ok || item["overdue"] != true {
		t.Fatalf("the overdue step is not flagged: %v %v", item, ok)
	}
	if status, _ := p.applicant.do("GET", "/queue", nil); status != http.StatusForbidden {
		t.Fatalf("an applicant's queue: %d, want 403", status)
	}
	if status, _ := p.authority.do("GET", "/queue?step=survey", nil); status != http.StatusUnprocessableEntity {
		t.Fatalf("the authority filtering on the STS's step: %d, want 422", status)
	}
	if status, _ := p.authority.do("GET", "/queue?cursor=bm90LWEtY3Vyc29y", nil); status != http.StatusBadRequest {
		t.Fatalf("a forged cursor: %d, want 400", status)
	}
}

func TestApplicantListsOnlyItsOwnCases(t *testing.T) {
	p := file(t, day(10, 15, 10), application(t, "Listed registry", false))
	other := localstack.DemoApplicant
	other.Subject, other.BIN = "other-applicant", "990340001230"
	stranger := as(t, other)
	found := func(c client) bool {
		cursor := ""
		for page := 0; page < 50; page++ {
			q := "/cases?limit=100"
			if cursor != "" {
				q += "&cursor=" + cursor
			}
			status, body := c.do("GET", q, nil)
			if status != http.StatusOK {
				t.Fatalf("GET %s: %d %v", q, status, body)
			}
			for _, it := range body["cases"].([]any) {
				if it.(map[string]any)["id"] == p.id {
					return true
				}
			}
			if cursor, _ = body["cursor"].(string); cursor == "" {
				return false
			}
		}
		t.Fatal("the list did not end in 50 pages")
		return false
	}
	if !found(p.applicant) {
		t.Fatal("the applicant's own case is not in its list")
	}
	if found(stranger) {
		t.Fatal("another organisation's case is in an applicant's list")
	}
	if status, _ := p.authority.do("GET", "/cases", nil); status != http.StatusForbidden {
		t.Fatalf("staff listing applicants' cases: %d, want 403 (staff use the work queue)", status)
	}
	// Newest first, paged: a page of one gives the newest case and a cursor to the next (filed
	// later than any other test's case, inside the 2027 window).
	stack.Clock.Freeze(time.Date(2027, 6, 1, 10, 0, 0, 0, almaty))
	status, newer := p.applicant.file(application(t, "Newer registry", false))
	if status != http.StatusCreated {
		t.Fatalf("second filing: %d %v", status, newer)
	}
	status, body := p.applicant.do("GET", "/cases?limit=1", nil)
	if status != http.StatusOK || len(body["cases"].([]any)) != 1 || body["cursor"] == nil ||
		body["cases"].([]any)[0].(map[string]any)["id"] != newer["id"] {
		t.Fatalf("a page of one: %d %v, want the newest case %v and a cursor", status, body, newer["id"])
	}
}
