package aslgen

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestCommittedDiagramIsGenerated: docs/statemachine.md is exactly what Diagram draws from the
// committed ASL definition, so the picture of the state machine never drifts from it.
func TestCommittedDiagramIsGenerated(t *testing.T) {
	asl, err := os.ReadFile("../../statemachine/attestation.asl.json")
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("../../docs/statemachine.md")
	if err != nil {
		t.Fatalf("%v; write it with `%s`", err, DiagramCommand)
	}
	drawn, err := Diagram(asl)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(committed, drawn) {
		a, b := strings.Split(string(committed), "\n"), strings.Split(string(drawn), "\n")
		line := 0
		for line < len(a) && line < len(b) && a[line] == b[line] {
			line++
		}
		t.Fatalf("docs/statemachine.md is not the diagram of statemachine/attestation.asl.json "+
			"(first difference at line %d); run `%s`", line+1, DiagramCommand)
	}
}

// TestDiagramEveryStateAndEdge: every state of the committed definition is a node and every
// Next, Choice and Default an edge, so nothing of the definition is left out of the picture.
func TestDiagramEveryStateAndEdge(t *testing.T) {
	asl, err := os.ReadFile("../../statemachine/attestation.asl.json")
	if err != nil {
		t.Fatal(err)
	}
	_, states, err := readStates(asl)
	if err != nil {
		t.Fatal(err)
	}
	page, err := Diagram(asl)
	if err != nil {
		t.Fatal(err)
	}
	text := string(page)
	_, of := families(states)
	if len(of) == 0 {
		t.Error("no family of per-task states found (each task's NeedsAttention state)")
	}
	for _, s := range states {
		if f := of[s.Name]; f != nil {
			// A family's member is drawn as its family's node, leading back to every task, and is
			// one row of the table.
			if !strings.Contains(text, "\n  "+f.id+"([") || !strings.Contains(text, "\n  "+f.id+" -->|"+label("back to its task")+"| "+everyTaskNode+"\n") ||
				!strings.Contains(text, "| `"+taskName+f.suffix+"` (one per task") {
				t.Errorf("state %s: its family %s is not drawn", s.Name, f.id)
			}
			continue
		}
		if !strings.Contains(text, "\n  "+node(s)+"\n") {
			t.Errorf("state %s is not a node of the diagram", s.Name)
		}
		if s.Next != "" && !strings.Contains(text, "\n  "+s.Name+" --> "+s.Next+"\n") {
			t.Errorf("the edge %s --> %s is missing", s.Name, s.Next)
		}
		for _, r := range s.Choices {
			if !strings.Contains(text, "\n  "+s.Name+" -->|"+label(condition(r))+"| "+r.Next+"\n") {
				t.Errorf("the choice %s --> %s is missing", s.Name, r.Next)
			}
		}
		if !strings.Contains(text, "| `"+s.Name+"` |") {
			t.Errorf("state %s is not in the table", s.Name)
		}
	}
}

const small = `{
  "Comment": "A small machine.",
  "StartAt": "Receive",
  "States": {
    "Receive": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "${ReceiveArn}"},
      "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Broken"}], "Next": "Check"},
    "Check": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
      "Parameters": {"FunctionName": "${OpenArn}", "Payload": {"step": "completeness_check"}},
      "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "Check"}, {"ErrorEquals": ["Withdrawn"], "Next": "Gone"},
                {"ErrorEquals": ["States.ALL"], "Next": "Broken"}], "Next": "Decide"},
    "Sign": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
      "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "Sign"}, {"ErrorEquals": ["Withdrawn"], "Next": "Gone"},
                {"ErrorEquals": ["Lapsed"], "Next": "Gone"}, {"ErrorEquals": ["States.ALL"], "Next": "Broken"}], "Next": "Done"},
    "Decide": {"Type": "Choice", "Choices": [{"Variable": "$.step.outcome", "StringEquals": "forward", "Next": "Sign"},
      {"And": [{"Variable": "$.a", "IsPresent": true}, {"Not": {"Variable": "$.b", "NumericGreaterThan": 2}}], "Next": "Gone"}],
      "Default": "Broken"},
    "Gone": {"Type": "Pass", "Next": "Done"},
    "Done": {"Type": "Succeed"},
    "Broken": {"Type": "Fail", "Error": "CaseNeedsAttention"}
  }
}`

func TestDiagram(t *testing.T) {
	page, err := Diagram([]byte(small))
	if err != nil {
		t.Fatal(err)
	}
	text := string(page)
	for _, want := range []string{
		"A small machine.",
		"  start --> Receive\n",
		`  Receive["Receive"]` + "\n",
		`  Check("Check")` + "\n",
		`  Decide{"Decide"}` + "\n",
		`  Gone>"Gone"]` + "\n",
		`  Done(("Done"))` + "\n",
		`  Broken((("Broken")))` + "\n",
		`  Decide -->|"step.outcome = forward"| Sign` + "\n",
		`  Decide -->|"(a IsPresent true and not b > 2)"| Gone` + "\n",
		"  Decide -->|otherwise| Broken\n",
		// Caught by every task: drawn once.
		`  everyTask -.->|"States.ALL"| Broken` + "\n",
		// Caught by every human step, back to itself: a loop on the group.
		`  everyHumanStep -.->|"States.Timeout"| everyHumanStep` + "\n",
		`  everyHumanStep -.->|"Withdrawn"| Gone` + "\n",
		// Caught by one state: drawn from it.
		`  Sign -.->|"Lapsed"| Gone` + "\n",
		"| `Check` | human step | `completeness_check` | `OpenArn` | — |\n",
		"| `Broken` | Fail | — | — | ends the execution with the error `CaseNeedsAttention` |\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the diagram lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Receive -.->") || strings.Contains(text, "Check -.->") {
		t.Errorf("a grouped catcher is drawn from its states too:\n%s", text)
	}
	again, _ := Diagram([]byte(small))
	if !bytes.Equal(page, again) {
		t.Error("the same definition drew two different pages")
	}
}

func TestDiagramRefusesWhatItCannotDraw(t *testing.T) {
	for _, tc := range []struct{ name, asl, want string }{
		{"not JSON", `{`, "read the definition"},
		{"no states", `{"StartAt": "A"}`, "no States"},
		{"bad start", `{"StartAt": "B", "States": {"A": {"Type": "Succeed"}}}`, `StartAt names "B"`},
		{"parallel", `{"StartAt": "A", "States": {"A": {"Type": "Parallel", "End": true}}}`, "cannot draw a Parallel state"},
		{"dangling", `{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Z"}}}`, `leads to "Z"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Diagram([]byte(tc.asl))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
