package aslgen

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// DiagramCommand is the command that rewrites docs/statemachine.md from the ASL definition.
const DiagramCommand = "make diagram"

// state is what the diagram reads of one ASL state.
type state struct {
	Name       string
	Type       string    `yaml:"Type"`
	Comment    string    `yaml:"Comment"`
	Resource   string    `yaml:"Resource"`
	Next       string    `yaml:"Next"`
	End        bool      `yaml:"End"`
	Default    string    `yaml:"Default"`
	Error      string    `yaml:"Error"`
	Choices    []rule    `yaml:"Choices"`
	Catch      []catcher `yaml:"Catch"`
	Parameters struct {
		FunctionName string `yaml:"FunctionName"`
		Payload      struct {
			Step string `yaml:"step"`
		} `yaml:"Payload"`
	} `yaml:"Parameters"`
}

// catcher is one entry of a Task's Catch.
type catcher struct {
	ErrorEquals []string `yaml:"ErrorEquals"`
	Next        string   `yaml:"Next"`
}

// rule is a Choice rule: a comparison of a variable, or And, Or, Not over rules.
type rule struct {
	Next     string         `yaml:"Next"`
	Variable string         `yaml:"Variable"`
	And      []rule         `yaml:"And"`
	Or       []rule         `yaml:"Or"`
	Not      *rule          `yaml:"Not"`
	Compare  map[string]any `yaml:",inline"`
}

// human reports whether the state is a callback task: a step a person completes.
func (s state) human() bool {
	return s.Type == "Task" && strings.HasSuffix(s.Resource, ".waitForTaskToken")
}

// Diagram renders an ASL definition (the JSON Generate writes) as a Markdown page holding a Mermaid
// flowchart of its states and transitions, and a table of its states. A catcher that every Task
// state has (but the one it leads to) is drawn once, from a node standing for every task; one that
// every callback task has, from a node standing for every human step; a catcher back to its own
// state is drawn as a loop on that node. A family of per-task states (each task's own copy, named
// after it, which its task catches into and which leads back to it: the generator's perTask) is
// drawn as one node and one row of the table. The page ends in a newline; the same input gives the
// same bytes.
func Diagram(asl []byte) ([]byte, error) {
	comment, states, err := readStates(asl)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("# The state machine\n\n")
	b.WriteString("<!-- Generated from statemachine/attestation.asl.json by `" + DiagramCommand + "`. Do not edit by hand. -->\n\n")
	b.WriteString(comment + "\n\n")
	b.WriteString("One execution runs per case. Rounded boxes are human steps (callback tasks: the step opens on the case, " +
		"a person completes it through the API, and the deadline check fails it with a named error when a lapse has a " +
		"legal effect); square boxes are automatic tasks; diamonds are choices; circles are ends (double circles end in " +
		"failure); flags are Pass states, which only reshape the case's data; slanted boxes stand for many states. Dotted arrows are catchers, labelled with the errors they catch; a dotted loop on a node " +
		"standing for many states leads each of them back to itself. The ASL file is itself generated " +
		"from `statemachine/attestation.src.yaml` by `make asl`.\n\n")
	b.WriteString("```mermaid\n")
	if err := flowchart(&b, states); err != nil {
		return nil, err
	}
	b.WriteString("```\n\n")
	table(&b, states)
	return b.Bytes(), nil
}

// readStates parses the definition and returns its Comment and its states in the file's order.
func readStates(asl []byte) (string, []state, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(asl, &doc); err != nil {
		return "", nil, fmt.Errorf("read the definition: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return "", nil, errors.New("read the definition: it must be one JSON object")
	}
	top, err := pairs(doc.Content[0], "the definition")
	if err != nil {
		return "", nil, err
	}
	var comment, start string
	var statesNode *yaml.Node
	for _, p := range top {
		switch p.key {
		case "Comment":
			comment = p.value.Value
		case "StartAt":
			start = p.value.Value
		case "States":
			statesNode = p.value
		}
	}
	if statesNode == nil || statesNode.Kind != yaml.MappingNode {
		return "", nil, errors.New("the definition has no States object")
	}
	list, err := pairs(statesNode, "States")
	if err != nil {
		return "", nil, err
	}
	names := map[string]bool{}
	var states []state
	for _, p := range list {
		var s state
		if err := p.value.Decode(&s); err != nil {
			return "", nil, fmt.Errorf("state %s: %w", p.key, err)
		}
		s.Name = p.key
		names[s.Name] = true
		states = append(states, s)
	}
	if !names[start] {
		return "", nil, fmt.Errorf("StartAt names %q, not a state", start)
	}
	for _, s := range states {
		switch s.Type {
		case "Task", "Pass", "Choice", "Succeed", "Fail", "Wait":
		default:
			return "", nil, fmt.Errorf("state %s: the diagram cannot draw a %s state", s.Name, s.Type)
		}
		for _, to := range targets(s) {
			if !names[to] {
				return "", nil, fmt.Errorf("state %s leads to %q, not a state", s.Name, to)
			}
		}
	}
	// The start state goes first, so the diagram reads from the top.
	i := slices.IndexFunc(states, func(s state) bool { return s.Name == start })
	first := states[i]
	states = append([]state{first}, slices.Delete(states, i, i+1)...)
	return comment, states, nil
}

// targets lists every state s can lead to.
func targets(s state) []string {
	var out []string
	for _, n := range []string{s.Next, s.Default} {
		if n != "" {
			out = append(out, n)
		}
	}
	for _, r := range s.Choices {
		out = append(out, r.Next)
	}
	for _, c := range s.Catch {
		out = append(out, c.Next)
	}
	return out
}

// Node ids of the nodes that stand for many states.
const (
	startNode     = "start"
	everyTaskNode = "everyTask"
	everyStepNode = "everyHumanStep"
)

// taskName stands for a task's name in a family's label.
const taskName = "‹task›"

// family is the per-task states of one kind: each task's own copy.
type family struct {
	id      string  // the node id standing for them all: eachTask + suffix
	suffix  string  // what follows the task's name in each one's name
	members []state // in the file's order
}

// families finds the per-task states: a Task state named after a task T (T's name and a suffix)
// whose Next is T, and which T catches into. Two or more with one suffix are a family; it returns
// them in order, and the family of each member.
func families(states []state) ([]*family, map[string]*family) {
	byName := map[string]state{}
	for _, s := range states {
		byName[s.Name] = s
	}
	var order []*family
	bySuffix := map[string]*family{}
	for _, s := range states {
		t, ok := byName[s.Next]
		if s.Type != "Task" || !ok || t.Type != "Task" || !strings.HasPrefix(s.Name, t.Name) || s.Name == t.Name ||
			!slices.ContainsFunc(t.Catch, func(c catcher) bool { return c.Next == s.Name }) {
			continue
		}
		suffix := strings.TrimPrefix(s.Name, t.Name)
		f := bySuffix[suffix]
		if f == nil {
			f = &family{id: "eachTask" + suffix, suffix: suffix}
			bySuffix[suffix] = f
			order = append(order, f)
		}
		f.members = append(f.members, s)
	}
	of := map[string]*family{}
	var out []*family
	for _, f := range order {
		if len(f.members) < 2 {
			continue
		}
		out = append(out, f)
		for _, m := range f.members {
			of[m.Name] = f
		}
	}
	return out, of
}

// text is a member's text (its Comment) with its task's name as ‹task›.
func (f *family) text(s string) string { return strings.ReplaceAll(s, f.members[0].Next, taskName) }

// flowchart writes the Mermaid flowchart of states.
func flowchart(b *bytes.Buffer, states []state) error {
	b.WriteString("flowchart TD\n")
	fmt.Fprintf(b, "  %s((start))\n", startNode)
	fams, of := families(states)
	for _, s := range states {
		if f := of[s.Name]; f != nil {
			if f.members[0].Name == s.Name {
				fmt.Fprintf(b, "  %s([%s])\n", f.id, label(taskName+f.suffix+", one per task"))
			}
			continue
		}
		fmt.Fprintf(b, "  %s\n", node(s))
	}
	fmt.Fprintf(b, "  %s --> %s\n", startNode, states[0].Name)
	for _, s := range states {
		if of[s.Name] != nil {
			continue
		}
		if s.Next != "" {
			fmt.Fprintf(b, "  %s --> %s\n", s.Name, s.Next)
		}
		for _, r := range s.Choices {
			fmt.Fprintf(b, "  %s -->|%s| %s\n", s.Name, label(condition(r)), r.Next)
		}
		if s.Default != "" {
			fmt.Fprintf(b, "  %s -->|otherwise| %s\n", s.Name, s.Default)
		}
	}
	catchers(b, states, of)
	for _, f := range fams {
		fmt.Fprintf(b, "  %s -->|%s| %s\n", f.id, label("back to its task"), everyTaskNode)
	}
	b.WriteString("  classDef human fill:#fff3c4,stroke:#b8860b\n")
	b.WriteString("  classDef auto fill:#e3f0ff,stroke:#3a6ea5\n")
	b.WriteString("  classDef group fill:#f4f4f4,stroke:#888,stroke-dasharray:4\n")
	var human, auto []string
	for _, s := range states {
		switch f := of[s.Name]; {
		case f != nil:
			if f.members[0].Name == s.Name {
				human = append(human, f.id)
			}
		case s.human():
			human = append(human, s.Name)
		case s.Type == "Task":
			auto = append(auto, s.Name)
		}
	}
	if len(human) > 0 {
		fmt.Fprintf(b, "  class %s human\n", strings.Join(human, ","))
	}
	if len(auto) > 0 {
		fmt.Fprintf(b, "  class %s auto\n", strings.Join(auto, ","))
	}
	return nil
}

// node is the Mermaid declaration of a state, its shape saying its type.
func node(s state) string {
	switch {
	case s.human():
		return fmt.Sprintf("%s(%s)", s.Name, label(s.Name))
	case s.Type == "Task":
		return fmt.Sprintf("%s[%s]", s.Name, label(s.Name))
	case s.Type == "Choice":
		return fmt.Sprintf("%s{%s}", s.Name, label(s.Name))
	case s.Type == "Succeed":
		return fmt.Sprintf("%s((%s))", s.Name, label(s.Name))
	case s.Type == "Fail":
		return fmt.Sprintf("%s(((%s)))", s.Name, label(s.Name))
	}
	return fmt.Sprintf("%s>%s]", s.Name, label(s.Name)) // Pass, Wait
}

// label quotes text for Mermaid.
func label(text string) string {
	return `"` + strings.ReplaceAll(text, `"`, "#quot;") + `"`
}

// condition reads a Choice rule as text: "step.outcome = forward".
func condition(r rule) string {
	join := func(rs []rule, op string) string {
		parts := make([]string, len(rs))
		for i, x := range rs {
			parts[i] = condition(x)
		}
		return "(" + strings.Join(parts, " "+op+" ") + ")"
	}
	switch {
	case len(r.And) > 0:
		return join(r.And, "and")
	case len(r.Or) > 0:
		return join(r.Or, "or")
	case r.Not != nil:
		return "not " + condition(*r.Not)
	}
	v := strings.TrimPrefix(r.Variable, "$.")
	ops := make([]string, 0, len(r.Compare))
	for op := range r.Compare {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	var parts []string
	for _, op := range ops {
		if op == "Comment" {
			continue
		}
		sym, val := op, fmt.Sprint(r.Compare[op])
		for _, o := range []struct{ suffix, sym string }{
			{"GreaterThanEquals", "≥"}, {"LessThanEquals", "≤"}, {"GreaterThan", ">"}, {"LessThan", "<"},
			{"Equals", "="}, {"Matches", "matches"},
		} {
			if strings.HasSuffix(op, o.suffix) && !strings.HasSuffix(op, "Path") {
				sym = o.sym
				break
			}
		}
		parts = append(parts, v+" "+sym+" "+val)
	}
	return strings.Join(parts, " and ")
}

// catchKey is one catcher as the diagram groups it: its errors and where it leads, "" when back to
// the state itself.
type catchKey struct {
	errors string
	next   string
}

// catchers writes the dotted edges of every Catch, grouping those every task or every human step
// has; a family's members catch and are caught as their family's node.
func catchers(b *bytes.Buffer, states []state, of map[string]*family) {
	var tasks, steps []string
	carriers := map[catchKey][]string{}
	var order []catchKey
	for _, s := range states {
		if s.Type != "Task" {
			continue
		}
		name := s.Name
		if f := of[s.Name]; f != nil {
			if f.members[0].Name != s.Name {
				continue // the family's first member speaks for it
			}
			name = f.id
		} else {
			tasks = append(tasks, s.Name)
			if s.human() {
				steps = append(steps, s.Name)
			}
		}
		for _, c := range s.Catch {
			k := catchKey{errors: strings.Join(c.ErrorEquals, ", "), next: c.Next}
			if f := of[c.Next]; f != nil {
				k.next = f.id
			}
			if c.Next == s.Name {
				k.next = ""
			}
			if _, ok := carriers[k]; !ok {
				order = append(order, k)
			}
			carriers[k] = append(carriers[k], name)
		}
	}
	// covers reports whether from holds every one of want but the state the catcher leads to.
	covers := func(from, want []string, next string) bool {
		for _, w := range want {
			if w != next && !slices.Contains(from, w) {
				return false
			}
		}
		return len(want) > 1
	}
	declared := map[string]bool{}
	group := func(id, text string) string {
		if !declared[id] {
			fmt.Fprintf(b, "  %s[/%s/]\n  class %s group\n", id, label(text), id)
			declared[id] = true
		}
		return id
	}
	for _, k := range order {
		from := carriers[k]
		switch {
		case covers(from, tasks, k.next):
			from = []string{group(everyTaskNode, "every task")}
		case covers(from, steps, k.next):
			rest := slices.DeleteFunc(slices.Clone(from), func(n string) bool { return slices.Contains(steps, n) })
			from = append([]string{group(everyStepNode, "every human step")}, rest...)
		}
		for _, f := range from {
			to := k.next
			if to == "" {
				to = f
			}
			fmt.Fprintf(b, "  %s -.->|%s| %s\n", f, label(k.errors), to)
		}
	}
}

// table writes the states as a Markdown table: type, what it does, the policy step it opens, the
// function it invokes.
func table(b *bytes.Buffer, states []state) {
	b.WriteString("| state | type | policy step | function | what happens |\n|---|---|---|---|---|\n")
	_, of := families(states)
	for _, s := range states {
		f := of[s.Name]
		if f != nil && f.members[0].Name != s.Name {
			continue
		}
		name := "`" + s.Name + "`"
		if f != nil {
			name = fmt.Sprintf("`%s%s` (one per task, %d states)", taskName, f.suffix, len(f.members))
		}
		kind := s.Type
		switch {
		case s.human():
			kind = "human step"
		case s.Type == "Task":
			kind = "task"
		}
		step, fn := "—", "—"
		if s.Parameters.Payload.Step != "" {
			step = "`" + s.Parameters.Payload.Step + "`"
		}
		if f := s.Parameters.FunctionName; f != "" {
			fn = "`" + strings.TrimSuffix(strings.TrimPrefix(f, "${"), "}") + "`"
		}
		what := s.Comment
		if what == "" && s.Type == "Fail" && s.Error != "" {
			what = "ends the execution with the error `" + s.Error + "`"
		}
		if what == "" {
			what = "—"
		}
		if f != nil {
			kind, what = "callback task", f.text(what)
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", name, kind, step, fn, strings.ReplaceAll(what, "|", `\|`))
	}
}
