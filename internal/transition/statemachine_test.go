package transition

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
)

// TestNamedErrorTypes pins the errorType each domain error reaches Step Functions with: the Go
// type name of the error the handler returns (aws-lambda-go's rule).
func TestNamedErrorTypes(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{attestation.ErrNotFound, "CaseNotFound"},
		{attestation.ErrClosed, "CaseClosed"},
		{attestation.ErrConflict, "StepConflict"},
		{attestation.ErrInvalid, "InvalidTaskInput"},
		{attestation.ErrForbidden, "InvalidTaskInput"},
		{attestation.ErrRule, "InvalidTaskInput"},
		{errors.New("throttled"), "TransientError"},
	} {
		got := reflect.TypeOf(Named(fmt.Errorf("wrapped: %w", tc.err))).Elem().Name()
		if got != tc.want {
			t.Errorf("%v: errorType %s, want %s", tc.err, got, tc.want)
		}
	}
}

type state struct {
	Type               string
	Resource           string
	Parameters         map[string]any
	TimeoutSeconds     *int
	TimeoutSecondsPath string
	ResultPath         string
	Next               string
	Default            string
	Choices            []struct{ Variable, StringEquals, Next string }
	Retry              []struct{ ErrorEquals []string }
	Catch              []struct {
		ErrorEquals []string
		Next        string
	}
}

func definition(t *testing.T) (map[string]state, string) {
	t.Helper()
	raw, err := os.ReadFile("../../statemachine/attestation.asl.json")
	if err != nil {
		t.Fatal(err)
	}
	var def struct {
		QueryLanguage string
		States        map[string]state
	}
	if err := json.Unmarshal(raw, &def); err != nil {
		t.Fatal(err)
	}
	if def.QueryLanguage != "" || strings.Contains(string(raw), `"Assign"`) {
		t.Fatal("the definition must be JSONPath without variables (the local engine lacks JSONata and Assign)")
	}
	return def.States, string(raw)
}

// TestDefinitionFollowsTheProcedure: every callback state is a step of the domain's Procedure with
// its timeout from the input, a Catch that re-opens it on timeout and routes its lapse; every
// Choice after a step routes only outcomes the step allows; every Lambda task retries the
// transient Lambda errors and nothing else.
func TestDefinitionFollowsTheProcedure(t *testing.T) {
	states, raw := definition(t)
	transient := []string{"Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException", "TransientError"}
	known := append(slices.Clone(transient), "States.Timeout", "CaseNotFound", "InvalidTaskInput", "StepConflict", "CaseClosed",
		attestation.ErrorWithdrawn, attestation.ErrorContractNotSigned, attestation.ErrorRectificationLapsed, attestation.ErrorDiscontinued, "States.ALL")
	seen := map[attestation.Stage]bool{}
	for name, st := range states {
		if st.Type != "Task" {
			continue
		}
		for _, r := range st.Retry {
			if !slices.Equal(r.ErrorEquals, transient) {
				t.Errorf("%s retries %v; only the transient errors %v are retried", name, r.ErrorEquals, transient)
			}
		}
		if len(st.Retry) != 1 {
			t.Errorf("%s has %d Retry clauses, want 1", name, len(st.Retry))
		}
		for _, c := range st.Catch {
			for _, e := range c.ErrorEquals {
				if !slices.Contains(known, e) {
					t.Errorf("%s catches %s, which no handler or callback raises", name, e)
				}
			}
		}
		if !strings.HasSuffix(st.Resource, ".waitForTaskToken") || isAttentionState(st) {
			continue
		}
		payload, _ := st.Parameters["Payload"].(map[string]any)
		stage := attestation.Stage(fmt.Sprint(payload["step"]))
		rule, ok := attestation.Procedure[stage]
		if !ok {
			t.Errorf("%s waits on step %q, which the Procedure does not know", name, stage)
			continue
		}
		seen[stage] = true
		if st.TimeoutSeconds != nil || st.TimeoutSecondsPath == "" {
			t.Errorf("%s: the timeout must come from the input (TimeoutSecondsPath), never a literal", name)
		}
		catches := map[string]string{}
		for _, c := range st.Catch {
			for _, e := range c.ErrorEquals {
				catches[e] = c.Next
			}
		}
		if catches["States.Timeout"] != name {
			t.Errorf("%s: a timeout must re-open the same step (Catch States.Timeout → %s), got → %q", name, name, catches["States.Timeout"])
		}
		if catches[attestation.ErrorWithdrawn] == "" {
			t.Errorf("%s: no Catch for %s", name, attestation.ErrorWithdrawn)
		}
		if rule.Lapse != nil && catches[rule.Lapse.Error] == "" {
			t.Errorf("%s: the lapse %s (%s) is not routed", name, rule.Lapse.Error, rule.Lapse.Paragraph)
		}
		if rule.Lapse == nil && (catches[attestation.ErrorContractNotSigned] != "" || catches[attestation.ErrorRectificationLapsed] != "") {
			t.Errorf("%s: a staff step's lapse has no legal effect, yet it is caught", name)
		}
		if next, ok := states[st.Next]; ok && next.Type == "Choice" {
			for _, ch := range next.Choices {
				if ch.Variable == "$.step.outcome" {
					if _, ok := rule.Outcomes[attestation.Outcome(ch.StringEquals)]; !ok {
						t.Errorf("%s → %s routes outcome %q, which %s does not allow", name, st.Next, ch.StringEquals, stage)
					}
				}
			}
		}
	}
	for stage := range attestation.Procedure {
		if !seen[stage] {
			t.Errorf("the Procedure's step %s has no callback state", stage)
		}
	}
	if strings.Contains(raw, "States.TaskFailed") {
		t.Error("no blanket States.TaskFailed handling")
	}
	if n, tasks := strings.Count(raw, `"States.ALL"`), countTasks(states)/2; n != tasks {
		t.Errorf("States.ALL appears %d times; want once per task but the attention states (%d)", n, tasks)
	}
}

// isAttentionState reports whether st is a task's attention state (it invokes case-needs-attention).
func isAttentionState(st state) bool {
	return st.Type == "Task" && st.Parameters["FunctionName"] == "${CaseNeedsAttentionFunctionArn}"
}

// TestEveryTaskEndsInItsOwnAttentionState: States.ALL is caught exactly once per task, alone, as
// its last catcher, leading to the task's own attention state <Task>NeedsAttention: a callback on
// case-needs-attention that passes the token, the case, the task's name and the failure, keeps
// the task's input (its result goes to $.attention) and goes back to the task once the authority
// hands the case back; it has no catch-all (it would catch into another), and the authority's
// closing (CaseDiscontinued) and a withdrawal end the execution.
func TestEveryTaskEndsInItsOwnAttentionState(t *testing.T) {
	states, _ := definition(t)
	tasks := 0
	for name, st := range states {
		if st.Type != "Task" || isAttentionState(st) {
			continue
		}
		tasks++
		attention := name + "NeedsAttention"
		for i, c := range st.Catch {
			if slices.Contains(c.ErrorEquals, "States.ALL") && (i != len(st.Catch)-1 || len(c.ErrorEquals) != 1 || c.Next != attention) {
				t.Errorf("%s: States.ALL must be alone in the last catcher, leading to %s; got catcher %d of %d %v → %s",
					name, attention, i+1, len(st.Catch), c.ErrorEquals, c.Next)
			}
		}
		if n := len(st.Catch); n == 0 || !slices.Equal(st.Catch[n-1].ErrorEquals, []string{"States.ALL"}) {
			t.Errorf("%s has no catch-all as its last catcher", name)
		}
		at, ok := states[attention]
		if !ok || !isAttentionState(at) || !strings.HasSuffix(at.Resource, ".waitForTaskToken") {
			t.Errorf("%s: no attention state %s (a callback on case-needs-attention)", name, attention)
			continue
		}
		payload, _ := at.Parameters["Payload"].(map[string]any)
		if at.Next != name || payload["task"] != name || payload["taskToken.$"] != "$$.Task.Token" || payload["failure.$"] != "$.failure" ||
			at.ResultPath != "$.attention" {
			t.Errorf("%s: Next %q, payload %v, ResultPath %q; want back to %s with the token, the task and the failure, result in $.attention",
				attention, at.Next, payload, at.ResultPath, name)
		}
		catches := map[string]string{}
		for _, c := range at.Catch {
			for _, e := range c.ErrorEquals {
				catches[e] = c.Next
			}
		}
		if _, all := catches["States.ALL"]; all {
			t.Errorf("%s catches States.ALL", attention)
		}
		if end := states[catches[attestation.ErrorDiscontinued]]; end.Type != "Fail" {
			t.Errorf("%s: %s → %q, want a Fail state", attention, attestation.ErrorDiscontinued, catches[attestation.ErrorDiscontinued])
		}
		if catches[attestation.ErrorWithdrawn] == "" || catches["CaseClosed"] == "" {
			t.Errorf("%s: a withdrawal or a closed case is not routed: %v", attention, catches)
		}
	}
	if tasks == 0 || countTasks(states) != 2*tasks {
		t.Errorf("%d tasks, %d Task states: want one attention state per task", tasks, countTasks(states))
	}
}

func countTasks(states map[string]state) int {
	n := 0
	for _, st := range states {
		if st.Type == "Task" {
			n++
		}
	}
	return n
}

// TestEveryKindReachesTheEngineByItsTableName walks every apperr kind through the Step Functions
// boundary: the errorType is the table's name for the kind, and the definition routes on it.
func TestEveryKindReachesTheEngineByItsTableName(t *testing.T) {
	def, err := os.ReadFile("../../statemachine/attestation.asl.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range apperr.Kinds {
		t.Run(k.String(), func(t *testing.T) {
			for _, e := range []error{fmt.Errorf("task: %w", k), fmt.Errorf("task: %w", apperr.Errorf(k, "case", "case c-1"))} {
				got := reflect.TypeOf(Named(e)).Elem().Name()
				if got != k.StepError() {
					t.Errorf("%v: errorType %s, want the table's %s", e, got, k.StepError())
				}
				if !strings.Contains(string(def), `"`+got+`"`) {
					t.Errorf("the definition never routes on %s", got)
				}
			}
		})
	}
}
