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
		attestation.ErrorWithdrawn, attestation.ErrorContractNotSigned, attestation.ErrorRectificationLapsed, "States.ALL")
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
		if !strings.HasSuffix(st.Resource, ".waitForTaskToken") {
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
	if n, tasks := strings.Count(raw, `"States.ALL"`), countTasks(states); n != tasks-1 {
		t.Errorf("States.ALL appears %d times; want once per task but the catch-all's own (%d)", n, tasks-1)
	}
}

// TestEveryTaskEndsInTheOneCatchAll: States.ALL is allowed exactly once per task, alone, as its
// last catcher, leading to CaseNeedsAttention (which records the failure on the case and puts it
// in the authority's queue); that state itself has no catch-all (it would catch into itself), and
// ends the execution failed.
func TestEveryTaskEndsInTheOneCatchAll(t *testing.T) {
	states, _ := definition(t)
	const attention = "CaseNeedsAttention"
	at, ok := states[attention]
	if !ok || at.Type != "Task" {
		t.Fatalf("no Task state %s", attention)
	}
	if end, ok := states[at.Next]; !ok || end.Type != "Fail" {
		t.Errorf("%s → %q, want a Fail state (the execution ends failed, the case waits in the queue)", attention, at.Next)
	}
	for name, st := range states {
		if st.Type != "Task" {
			continue
		}
		for i, c := range st.Catch {
			if !slices.Contains(c.ErrorEquals, "States.ALL") {
				continue
			}
			if name == attention {
				t.Errorf("%s catches States.ALL: it would catch into itself", name)
			}
			if i != len(st.Catch)-1 || len(c.ErrorEquals) != 1 || c.Next != attention {
				t.Errorf("%s: States.ALL must be alone in the last catcher, leading to %s; got catcher %d of %d %v → %s",
					name, attention, i+1, len(st.Catch), c.ErrorEquals, c.Next)
			}
		}
		if name == attention {
			continue
		}
		if n := len(st.Catch); n == 0 || !slices.Equal(st.Catch[n-1].ErrorEquals, []string{"States.ALL"}) {
			t.Errorf("%s has no catch-all as its last catcher", name)
		}
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
