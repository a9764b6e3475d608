package aslgen

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestCommittedDefinitionIsGenerated: the committed ASL file is exactly what the generator writes
// from its source, so nobody edits the JSON by hand and the source never drifts from it.
func TestCommittedDefinitionIsGenerated(t *testing.T) {
	src, err := os.ReadFile("../../statemachine/attestation.src.yaml")
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("../../statemachine/attestation.asl.json")
	if err != nil {
		t.Fatal(err)
	}
	generated, err := Generate(src)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(committed, generated) {
		a, b := strings.Split(string(committed), "\n"), strings.Split(string(generated), "\n")
		line := 0
		for line < len(a) && line < len(b) && a[line] == b[line] {
			line++
		}
		t.Fatalf("statemachine/attestation.asl.json is not the output of statemachine/attestation.src.yaml "+
			"(first difference at line %d); edit the source and run `make asl`", line+1)
	}
}

const policies = `
retry:
  transient:
    - {ErrorEquals: [TransientError], IntervalSeconds: 1, MaxAttempts: 4, BackoffRate: 2, JitterStrategy: FULL}
catchers:
  reopen: {ErrorEquals: [States.Timeout], ResultPath: $.timeout}
  withdrawn: {ErrorEquals: [Withdrawn], ResultPath: $.failure, Next: Gone}
catchOnEveryTask:
  closed: {ErrorEquals: [CaseClosed], Next: Closed}
`

func TestGenerate(t *testing.T) {
	for _, tc := range []struct {
		name, definition string
		want             string // the definition's JSON, compared after parsing
	}{
		{"a task gets its retriers, its own catchers with a missing Next as itself, then every task's",
			`
definition:
  StartAt: Wait
  States:
    Wait: {Type: Task, Resource: "arn:x", Retry: transient, Catch: [reopen, withdrawn], Next: Gone}
    Gone: {Type: Succeed}
`, `{"StartAt": "Wait", "States": {
  "Wait": {"Type": "Task", "Resource": "arn:x",
    "Retry": [{"ErrorEquals": ["TransientError"], "IntervalSeconds": 1, "MaxAttempts": 4, "BackoffRate": 2, "JitterStrategy": "FULL"}],
    "Catch": [
      {"ErrorEquals": ["States.Timeout"], "ResultPath": "$.timeout", "Next": "Wait"},
      {"ErrorEquals": ["Withdrawn"], "ResultPath": "$.failure", "Next": "Gone"},
      {"ErrorEquals": ["CaseClosed"], "Next": "Closed"}],
    "Next": "Gone"},
  "Gone": {"Type": "Succeed"}}}`},
		{"an empty Catch still gets every task's catchers; other states pass through unchanged",
			`
definition:
  StartAt: Do
  States:
    Do: {Type: Task, Resource: "arn:x", Retry: transient, Catch: [], Next: Ask}
    Ask:
      Type: Choice
      Choices: [{Variable: $.n, NumericEquals: 1.5, Next: Gone}, {Variable: $.b, BooleanEquals: true, Next: Gone}]
      Default: Gone
    Gone: {Type: Pass, Result: null, End: true}
`, `{"StartAt": "Do", "States": {
  "Do": {"Type": "Task", "Resource": "arn:x",
    "Retry": [{"ErrorEquals": ["TransientError"], "IntervalSeconds": 1, "MaxAttempts": 4, "BackoffRate": 2, "JitterStrategy": "FULL"}],
    "Catch": [{"ErrorEquals": ["CaseClosed"], "Next": "Closed"}],
    "Next": "Ask"},
  "Ask": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 1.5, "Next": "Gone"}, {"Variable": "$.b", "BooleanEquals": true, "Next": "Gone"}], "Default": "Gone"},
  "Gone": {"Type": "Pass", "Result": null, "End": true}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := Generate([]byte(policies + tc.definition))
			if err != nil {
				t.Fatal(err)
			}
			var got, want any
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, out)
			}
			if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
				t.Fatal(err)
			}
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			if !bytes.Equal(g, w) {
				t.Errorf("got\n%s\nwant\n%s", out, w)
			}
		})
	}
}

// TestGenerateKeepsOrderAndText: keys come out in the source's order, two spaces per level, and
// text is written as it is (no \u escapes for <, > or &; non-ASCII kept).
func TestGenerateKeepsOrderAndText(t *testing.T) {
	out, err := Generate([]byte(`
definition:
  Comment: "§27: a <b> & c"
  StartAt: Z
  States:
    Z: {Type: Succeed}
    A: {Type: Succeed}
`))
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "Comment": "§27: a <b> & c",
  "StartAt": "Z",
  "States": {
    "Z": {
      "Type": "Succeed"
    },
    "A": {
      "Type": "Succeed"
    }
  }
}
`
	if string(out) != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

func TestGenerateRefusesWhatItCannotWrite(t *testing.T) {
	for _, tc := range []struct {
		name, source, want string
	}{
		{"unknown retry policy", policies + `
definition: {States: {T: {Type: Task, Retry: slow, Catch: []}}}`, "Retry must name one policy of retry (transient)"},
		{"unknown catcher", policies + `
definition: {States: {T: {Type: Task, Retry: transient, Catch: [lapsed]}}}`, `Catch names "lapsed", not a catcher (reopen, withdrawn)`},
		{"a task without Retry", policies + `
definition: {States: {T: {Type: Task, Catch: []}}}`, "state T: a Task names no Retry policy"},
		{"a task without Catch", policies + `
definition: {States: {T: {Type: Task, Retry: transient}}}`, "state T: a Task names no Catch"},
		{"Retry outside a task", policies + `
definition: {States: {P: {Type: Pass, Retry: transient}}}`, "only a Task state"},
		{"every task's catcher without Next", `
catchOnEveryTask: {closed: {ErrorEquals: [CaseClosed]}}
definition: {States: {}}`, "catchOnEveryTask: closed has no Next"},
		{"a name both a catcher and every task's", `
catchers: {closed: {ErrorEquals: [CaseClosed], Next: C}}
catchOnEveryTask: {closed: {ErrorEquals: [CaseClosed], Next: C}}
definition: {States: {}}`, "closed is also the name of a catcher"},
		{"duplicate key", policies + `
definition: {States: {T: {Type: Succeed, Type: Pass}}}`, "key Type twice"},
		{"unknown top-level key", `
retries: {}
definition: {States: {}}`, `unknown key "retries"`},
		{"no definition", policies, "no definition"},
		{"no States", policies + `
definition: {StartAt: T}`, "no States mapping"},
		{"a value with no JSON form", policies + `
definition: {States: {T: {Type: Succeed, Comment: !!binary aGk=}}}`, "has no JSON form"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Generate([]byte(tc.source))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestOneLineAddsACatcherToEveryTask: one line appended to catchOnEveryTask in the real source puts
// that catcher last on every Task state, and changes nothing else.
func TestOneLineAddsACatcherToEveryTask(t *testing.T) {
	src, err := os.ReadFile("../../statemachine/attestation.src.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const last = "  couldNotProceed: {ErrorEquals: [CaseNotFound, InvalidTaskInput, StepConflict], ResultPath: $.failure, Next: CaseCouldNotProceed}\n"
	if !bytes.Contains(src, []byte(last)) {
		t.Fatal("the source's last catcher of catchOnEveryTask moved; update this test")
	}
	edited := bytes.Replace(src, []byte(last), []byte(last+"  unexpected: {ErrorEquals: [States.ALL], ResultPath: $.failure, Next: CaseCouldNotProceed}\n"), 1)
	type catcher struct {
		ErrorEquals []string
		Next        string
	}
	type state struct {
		Type  string
		Catch []catcher
	}
	read := func(src []byte) map[string]state {
		t.Helper()
		out, err := Generate(src)
		if err != nil {
			t.Fatal(err)
		}
		var def struct{ States map[string]state }
		if err := json.Unmarshal(out, &def); err != nil {
			t.Fatal(err)
		}
		return def.States
	}
	before, after := read(src), read(edited)
	tasks := 0
	for name, st := range after {
		if st.Type != "Task" {
			continue
		}
		tasks++
		n := len(st.Catch)
		if n != len(before[name].Catch)+1 || st.Catch[n-1].ErrorEquals[0] != "States.ALL" {
			t.Errorf("%s: catchers %+v, want those of before and States.ALL last", name, st.Catch)
		}
	}
	if tasks == 0 {
		t.Error("no Task state in the generated definition")
	}
}

// TestACatcherOfEveryTaskIsLeftOffTheStateItLeadsTo: the catch-all's own task does not catch
// into itself (a loop), while every other task gets it last.
func TestACatcherOfEveryTaskIsLeftOffTheStateItLeadsTo(t *testing.T) {
	src := `
retry:
  transient:
    - {ErrorEquals: [TransientError], MaxAttempts: 2}
catchOnEveryTask:
  closed: {ErrorEquals: [CaseClosed], Next: Closed}
  all: {ErrorEquals: [States.ALL], ResultPath: $.failure, Next: Attention}
definition:
  StartAt: Work
  States:
    Work: {Type: Task, Resource: "arn:x", Retry: transient, Catch: [], Next: Closed}
    Attention: {Type: Task, Resource: "arn:y", Retry: transient, Catch: [], Next: Closed}
    Closed: {Type: Succeed}
`
	out, err := Generate([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var def struct {
		States map[string]struct{ Catch []struct{ Next string } }
	}
	if err := json.Unmarshal(out, &def); err != nil {
		t.Fatal(err)
	}
	next := func(state string) []string {
		var n []string
		for _, c := range def.States[state].Catch {
			n = append(n, c.Next)
		}
		return n
	}
	if got := strings.Join(next("Work"), ","); got != "Closed,Attention" {
		t.Errorf("Work catches into %s, want Closed,Attention", got)
	}
	if got := strings.Join(next("Attention"), ","); got != "Closed" {
		t.Errorf("Attention catches into %s, want Closed only", got)
	}
}

// TestEveryTaskGetsItsOwnCopyOfAPerTaskState: a perTask state is written right after each Task
// state with {task} as the task's name (name, strings, and the catcher of catchOnEveryTask that
// leads to it); the copy keeps its own catchers and those of every task, but none that leads to a
// copy; a copy whose name is taken is refused.
func TestEveryTaskGetsItsOwnCopyOfAPerTaskState(t *testing.T) {
	src := `
retry:
  transient:
    - {ErrorEquals: [TransientError], MaxAttempts: 2}
catchers:
  gone: {ErrorEquals: [Gone], Next: Closed}
catchOnEveryTask:
  closed: {ErrorEquals: [CaseClosed], Next: Closed}
  all: {ErrorEquals: [States.ALL], ResultPath: $.failure, Next: "{task}Waits"}
perTask:
  "{task}Waits":
    Comment: "{task} failed."
    Type: Task
    Resource: "arn:y"
    Parameters: {task: "{task}"}
    Retry: transient
    Catch: [gone]
    Next: "{task}"
definition:
  StartAt: Work
  States:
    Work: {Type: Task, Resource: "arn:x", Retry: transient, Catch: [], Next: More}
    More: {Type: Task, Resource: "arn:x", Retry: transient, Catch: [], Next: Closed}
    Closed: {Type: Succeed}
`
	out, err := Generate([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"StartAt": "Work", "States": {
  "Work": {"Type": "Task", "Resource": "arn:x", "Retry": [{"ErrorEquals": ["TransientError"], "MaxAttempts": 2}],
    "Catch": [{"ErrorEquals": ["CaseClosed"], "Next": "Closed"}, {"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "WorkWaits"}],
    "Next": "More"},
  "WorkWaits": {"Comment": "Work failed.", "Type": "Task", "Resource": "arn:y", "Parameters": {"task": "Work"},
    "Retry": [{"ErrorEquals": ["TransientError"], "MaxAttempts": 2}],
    "Catch": [{"ErrorEquals": ["Gone"], "Next": "Closed"}, {"ErrorEquals": ["CaseClosed"], "Next": "Closed"}],
    "Next": "Work"},
  "More": {"Type": "Task", "Resource": "arn:x", "Retry": [{"ErrorEquals": ["TransientError"], "MaxAttempts": 2}],
    "Catch": [{"ErrorEquals": ["CaseClosed"], "Next": "Closed"}, {"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "MoreWaits"}],
    "Next": "Closed"},
  "MoreWaits": {"Comment": "More failed.", "Type": "Task", "Resource": "arn:y", "Parameters": {"task": "More"},
    "Retry": [{"ErrorEquals": ["TransientError"], "MaxAttempts": 2}],
    "Catch": [{"ErrorEquals": ["Gone"], "Next": "Closed"}, {"ErrorEquals": ["CaseClosed"], "Next": "Closed"}],
    "Next": "More"},
  "Closed": {"Type": "Succeed"}}}`
	var got, exp any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatal(err)
	}
	g, _ := json.Marshal(got)
	e, _ := json.Marshal(exp)
	if !bytes.Equal(g, e) {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	// Written right after its task, in the file's order.
	if i, j, k := bytes.Index(out, []byte(`"Work":`)), bytes.Index(out, []byte(`"WorkWaits":`)), bytes.Index(out, []byte(`"More":`)); !(i < j && j < k) {
		t.Errorf("WorkWaits is not right after Work:\n%s", out)
	}
	taken := strings.Replace(src, "    Closed: {Type: Succeed}", "    Closed: {Type: Succeed}\n    MoreWaits: {Type: Succeed}", 1)
	if _, err := Generate([]byte(taken)); err == nil || !strings.Contains(err.Error(), "MoreWaits exists already") {
		t.Errorf("a copy over an existing state: %v", err)
	}
	if _, err := Generate([]byte(strings.Replace(src, `"{task}Waits":`, `"Waits":`, 1))); err == nil {
		t.Error("a perTask state whose name has no {task} was accepted")
	}
}
