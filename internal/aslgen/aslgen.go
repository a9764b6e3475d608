// Package aslgen writes the state machine's Amazon States Language definition
// (statemachine/attestation.asl.json) from its compact source (statemachine/attestation.src.yaml),
// where each Task state names its retry policy and its catchers instead of repeating them.
//
// The source is a YAML mapping with these keys:
//   - retry: named retry policies, each a list of ASL retriers;
//   - catchers: named ASL catchers; one without a Next goes back to the task it is on;
//   - catchOnEveryTask: named catchers every Task state has after its own, in order (but the
//     state a catcher leads to, which does not catch into itself);
//   - perTask (optional): states every Task state gets its own copy of, written right after it, with
//     {task} in the copy's name and strings (and in a catcher of catchOnEveryTask) standing for the
//     task's name; a copy has no catcher that leads to a copy;
//   - definition: the ASL definition, where a Task's Retry is a policy name and its Catch a list of
//     catcher names.
//
// The output keeps the key order of the source, indented by two spaces like json.MarshalIndent.
//
// Diagram draws the definition as a Mermaid flowchart page (docs/statemachine.md, `make diagram`).
package aslgen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// source is the parsed source: its policies and the definition they are spliced into.
type source struct {
	retry      map[string]*yaml.Node // policy name → sequence of retriers
	catchers   map[string]*yaml.Node // catcher name → catcher mapping
	everyTask  []*yaml.Node          // catcher mappings, in order
	perTask    []pair                // state name with {task} → state mapping, in order
	definition *yaml.Node            // the ASL definition, a mapping
}

// Generate returns the ASL definition the source describes, as indented JSON ending in a newline.
func Generate(src []byte) ([]byte, error) {
	s, err := parse(src)
	if err != nil {
		return nil, err
	}
	if err := s.expand(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := writeJSON(&buf, s.definition, 0); err != nil {
		return nil, fmt.Errorf("write the definition: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

func parse(src []byte) (*source, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("read the source: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("read the source: it must be one YAML mapping")
	}
	s := &source{retry: map[string]*yaml.Node{}, catchers: map[string]*yaml.Node{}}
	var everyNames []string
	top, err := pairs(doc.Content[0], "the source")
	if err != nil {
		return nil, err
	}
	for _, p := range top {
		switch p.key {
		case "retry":
			if s.retry, err = named(p.value, "retry", yaml.SequenceNode); err != nil {
				return nil, err
			}
		case "catchers":
			if s.catchers, err = named(p.value, "catchers", yaml.MappingNode); err != nil {
				return nil, err
			}
		case "catchOnEveryTask":
			every, err := named(p.value, "catchOnEveryTask", yaml.MappingNode)
			if err != nil {
				return nil, err
			}
			for i := 0; i < len(p.value.Content); i += 2 {
				name := p.value.Content[i].Value
				if !hasKey(every[name], "Next") {
					return nil, fmt.Errorf("catchOnEveryTask: %s has no Next", name)
				}
				everyNames = append(everyNames, name)
				s.everyTask = append(s.everyTask, every[name])
			}
		case "perTask":
			if s.perTask, err = pairs(p.value, "perTask"); err != nil {
				return nil, err
			}
			for _, pt := range s.perTask {
				if !strings.Contains(pt.key, taskPlaceholder) || pt.value.Kind != yaml.MappingNode {
					return nil, fmt.Errorf("perTask: %s must be a state whose name holds %s", pt.key, taskPlaceholder)
				}
			}
		case "definition":
			if p.value.Kind != yaml.MappingNode {
				return nil, errors.New("definition: must be a mapping")
			}
			s.definition = p.value
		default:
			return nil, fmt.Errorf("the source: unknown key %q (want retry, catchers, catchOnEveryTask, perTask, definition)", p.key)
		}
	}
	if s.definition == nil {
		return nil, errors.New("the source has no definition")
	}
	for _, name := range everyNames {
		if _, ok := s.catchers[name]; ok {
			return nil, fmt.Errorf("catchOnEveryTask: %s is also the name of a catcher a task names", name)
		}
	}
	return s, nil
}

// expand replaces each Task state's Retry policy name and Catch names with the blocks they name.
func (s *source) expand() error {
	defs, err := pairs(s.definition, "definition")
	if err != nil {
		return err
	}
	var states *yaml.Node
	for _, p := range defs {
		if p.key == "States" {
			states = p.value
		}
	}
	if states == nil || states.Kind != yaml.MappingNode {
		return errors.New("definition: no States mapping")
	}
	list, err := pairs(states, "States")
	if err != nil {
		return err
	}
	names := map[string]bool{}
	for _, st := range list {
		names[st.key] = true
	}
	out := make([]*yaml.Node, 0, len(states.Content))
	for i, st := range list {
		if err := s.expandState(st.key, st.value, false); err != nil {
			return fmt.Errorf("state %s: %w", st.key, err)
		}
		out = append(out, states.Content[2*i], st.value)
		if !isTask(st.value) {
			continue
		}
		// The task's own copies of the perTask states, right after it.
		for _, pt := range s.perTask {
			name := strings.ReplaceAll(pt.key, taskPlaceholder, st.key)
			if names[name] {
				return fmt.Errorf("perTask %s: the state %s exists already", pt.key, name)
			}
			names[name] = true
			c := forTask(clone(pt.value), st.key)
			if err := s.expandState(name, c, true); err != nil {
				return fmt.Errorf("state %s: %w", name, err)
			}
			out = append(out, scalar(name), c)
		}
	}
	states.Content = out
	return nil
}

// taskPlaceholder stands for a task's name in perTask and in catchOnEveryTask.
const taskPlaceholder = "{task}"

// forTask puts task for every {task} in n's strings (keys and values), and returns n.
func forTask(n *yaml.Node, task string) *yaml.Node {
	if n.Kind == yaml.ScalarNode {
		n.Value = strings.ReplaceAll(n.Value, taskPlaceholder, task)
	}
	for _, c := range n.Content {
		forTask(c, task)
	}
	return n
}

func isTask(st *yaml.Node) bool {
	for i := 0; i+1 < len(st.Content); i += 2 {
		if st.Content[i].Value == "Type" && st.Content[i+1].Value == "Task" {
			return true
		}
	}
	return false
}

// expandState expands one state; perTask says it is a copy of a perTask state.
func (s *source) expandState(name string, st *yaml.Node, perTask bool) error {
	fields, err := pairs(st, "the state")
	if err != nil {
		return err
	}
	isTask := false
	for _, f := range fields {
		if f.key == "Type" && f.value.Value == "Task" {
			isTask = true
		}
	}
	var retry, catch bool
	for _, f := range fields {
		switch f.key {
		case "Retry":
			if !isTask {
				return errors.New("only a Task state names a Retry policy here")
			}
			policy, ok := s.retry[f.value.Value]
			if f.value.Kind != yaml.ScalarNode || !ok {
				return fmt.Errorf("the field Retry must name one policy of retry (%s)", known(s.retry))
			}
			*f.value = *clone(policy)
			retry = true
		case "Catch":
			if !isTask {
				return errors.New("only a Task state names its catchers here")
			}
			if f.value.Kind != yaml.SequenceNode {
				return fmt.Errorf("the field Catch must list names of catchers (%s)", known(s.catchers))
			}
			block := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
			for _, n := range f.value.Content {
				c, ok := s.catchers[n.Value]
				if n.Kind != yaml.ScalarNode || !ok {
					return fmt.Errorf("the field Catch names %q, not a catcher (%s)", n.Value, known(s.catchers))
				}
				c = clone(c)
				if !hasKey(c, "Next") {
					c.Content = append(c.Content, scalar("Next"), scalar(name))
				}
				block.Content = append(block.Content, c)
			}
			for _, c := range s.everyTask {
				if perTask && strings.Contains(next(c), taskPlaceholder) {
					continue // a copy does not catch into another copy
				}
				c = forTask(clone(c), name)
				if next(c) == name {
					continue // a catcher every task has is left off the state it leads to (no loop)
				}
				block.Content = append(block.Content, c)
			}
			*f.value = *block
			catch = true
		}
	}
	if isTask && !retry {
		return errors.New("a Task names no Retry policy")
	}
	if isTask && !catch {
		return errors.New("a Task names no Catch (write Catch: [] for only the catchers every task has)")
	}
	return nil
}

// pair is one key and its value in a YAML mapping.
type pair struct {
	key   string
	value *yaml.Node
}

// pairs lists a mapping's keys and values in order, refusing duplicate keys, merge keys and
// non-string keys.
func pairs(m *yaml.Node, where string) ([]pair, error) {
	if m.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: must be a mapping", where)
	}
	var out []pair
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if k.Kind != yaml.ScalarNode || k.ShortTag() != "!!str" {
			return nil, fmt.Errorf("%s: key %q at line %d is not a string", where, k.Value, k.Line)
		}
		if seen[k.Value] {
			return nil, fmt.Errorf("%s: key %s twice (line %d)", where, k.Value, k.Line)
		}
		seen[k.Value] = true
		out = append(out, pair{k.Value, m.Content[i+1]})
	}
	return out, nil
}

// named reads a mapping of names to nodes of one kind.
func named(m *yaml.Node, where string, kind yaml.Kind) (map[string]*yaml.Node, error) {
	ps, err := pairs(m, where)
	if err != nil {
		return nil, err
	}
	out := map[string]*yaml.Node{}
	for _, p := range ps {
		if p.value.Kind != kind {
			return nil, fmt.Errorf("%s: %s has the wrong shape", where, p.key)
		}
		out[p.key] = p.value
	}
	return out, nil
}

// next is a catcher's Next ("" without one).
func next(m *yaml.Node) string {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == "Next" {
			return m.Content[i+1].Value
		}
	}
	return ""
}

func hasKey(m *yaml.Node, key string) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return true
		}
	}
	return false
}

func known(m map[string]*yaml.Node) string {
	return strings.Join(slices.Sorted(maps.Keys(m)), ", ")
}

func scalar(v string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
}

// clone copies a node deeply, so that each state gets its own block.
func clone(n *yaml.Node) *yaml.Node {
	c := *n
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, x := range n.Content {
		c.Content[i] = clone(x)
	}
	return &c
}

// writeJSON writes a node as JSON, keys in the source's order, two spaces per level.
func writeJSON(buf *bytes.Buffer, n *yaml.Node, depth int) error {
	indent := strings.Repeat("  ", depth+1)
	switch n.Kind {
	case yaml.AliasNode:
		return writeJSON(buf, n.Alias, depth)
	case yaml.MappingNode:
		ps, err := pairs(n, fmt.Sprintf("line %d", n.Line))
		if err != nil {
			return err
		}
		if len(ps) == 0 {
			buf.WriteString("{}")
			return nil
		}
		buf.WriteString("{\n")
		for i, p := range ps {
			buf.WriteString(indent)
			writeString(buf, p.key)
			buf.WriteString(": ")
			if err := writeJSON(buf, p.value, depth+1); err != nil {
				return err
			}
			if i < len(ps)-1 {
				buf.WriteByte(',')
			}
			buf.WriteByte('\n')
		}
		buf.WriteString(indent[2:] + "}")
	case yaml.SequenceNode:
		if len(n.Content) == 0 {
			buf.WriteString("[]")
			return nil
		}
		buf.WriteString("[\n")
		for i, x := range n.Content {
			buf.WriteString(indent)
			if err := writeJSON(buf, x, depth+1); err != nil {
				return err
			}
			if i < len(n.Content)-1 {
				buf.WriteByte(',')
			}
			buf.WriteByte('\n')
		}
		buf.WriteString(indent[2:] + "]")
	case yaml.ScalarNode:
		return writeScalar(buf, n)
	default:
		return fmt.Errorf("line %d: a node of kind %v has no JSON form", n.Line, n.Kind)
	}
	return nil
}

func writeScalar(buf *bytes.Buffer, n *yaml.Node) error {
	switch n.ShortTag() {
	case "!!str":
		writeString(buf, n.Value)
	case "!!int":
		i, err := strconv.ParseInt(n.Value, 0, 64)
		if err != nil {
			return fmt.Errorf("line %d: integer %q: %w", n.Line, n.Value, err)
		}
		buf.WriteString(strconv.FormatInt(i, 10))
	case "!!float":
		f, err := strconv.ParseFloat(n.Value, 64)
		if err != nil {
			return fmt.Errorf("line %d: number %q: %w", n.Line, n.Value, err)
		}
		b, err := json.Marshal(f)
		if err != nil {
			return fmt.Errorf("line %d: number %q: %w", n.Line, n.Value, err)
		}
		buf.Write(b)
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return fmt.Errorf("line %d: boolean %q: %w", n.Line, n.Value, err)
		}
		buf.WriteString(strconv.FormatBool(b))
	case "!!null":
		buf.WriteString("null")
	default:
		return fmt.Errorf("line %d: %q has tag %s, which has no JSON form", n.Line, n.Value, n.Tag)
	}
	return nil
}

// writeString writes s as a JSON string, leaving <, > and & as they are.
func writeString(buf *bytes.Buffer, s string) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	buf.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}
