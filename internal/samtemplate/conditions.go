package samtemplate

import (
	"encoding/json"
	"fmt"

	"github.com/awslabs/goformation/v7/intrinsics"
)

// withConditions resolves the template's Conditions with the parameter values (params over the
// parameters' defaults), drops the resources and outputs whose condition is false, and takes the
// Condition key off the others, returning the template as JSON. goformation's own
// EvaluateConditions cannot be used: it mistakes a resource's Condition key for the intrinsic and
// replaces the whole resource with the condition's value. Fn::If then reads the booleans left in
// Conditions.
func withConditions(src []byte, params map[string]any) ([]byte, error) {
	js, err := intrinsics.ProcessYAML(src, &intrinsics.ProcessorOptions{NoProcess: true})
	if err != nil {
		return nil, err
	}
	var raw map[string]any
	if err := json.Unmarshal(js, &raw); err != nil {
		return nil, err
	}
	e := condEvaluator{params: map[string]any{}, exprs: map[string]any{}, values: map[string]bool{}, busy: map[string]bool{}}
	if ps, ok := raw["Parameters"].(map[string]any); ok {
		for name, p := range ps {
			if pm, ok := p.(map[string]any); ok {
				e.params[name] = pm["Default"]
			}
		}
	}
	for name, v := range params {
		e.params[name] = v
	}
	if cs, ok := raw["Conditions"].(map[string]any); ok {
		e.exprs = cs
	}
	resolved := map[string]any{}
	for name := range e.exprs {
		v, err := e.condition(name)
		if err != nil {
			return nil, err
		}
		resolved[name] = v
	}
	if len(resolved) > 0 {
		raw["Conditions"] = resolved
	}
	for _, section := range []string{"Resources", "Outputs"} {
		entries, _ := raw[section].(map[string]any)
		for id, r := range entries {
			rm, ok := r.(map[string]any)
			if !ok {
				continue
			}
			name, ok := rm["Condition"].(string)
			if !ok {
				continue
			}
			v, err := e.condition(name)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", section, id, err)
			}
			if !v {
				delete(entries, id)
				continue
			}
			delete(rm, "Condition")
		}
	}
	return json.Marshal(raw)
}

type condEvaluator struct {
	params map[string]any
	exprs  map[string]any
	values map[string]bool
	busy   map[string]bool
}

func (e condEvaluator) condition(name string) (bool, error) {
	if v, ok := e.values[name]; ok {
		return v, nil
	}
	expr, ok := e.exprs[name]
	if !ok {
		return false, fmt.Errorf("condition %s is not defined", name)
	}
	if e.busy[name] {
		return false, fmt.Errorf("condition %s refers to itself", name)
	}
	e.busy[name] = true
	v, err := e.boolean(expr)
	if err != nil {
		return false, fmt.Errorf("condition %s: %w", name, err)
	}
	e.values[name] = v
	return v, nil
}

// boolean evaluates Fn::Equals, Fn::Not, Fn::And, Fn::Or and {"Condition": name}.
func (e condEvaluator) boolean(expr any) (bool, error) {
	m, ok := expr.(map[string]any)
	if !ok || len(m) != 1 {
		return false, fmt.Errorf("not a condition function: %v", expr)
	}
	for fn, arg := range m {
		if fn == "Condition" {
			name, _ := arg.(string)
			return e.condition(name)
		}
		args, _ := arg.([]any)
		switch fn {
		case "Fn::Equals":
			if len(args) != 2 {
				return false, fmt.Errorf("Fn::Equals takes two values")
			}
			a, err := e.scalar(args[0])
			if err != nil {
				return false, err
			}
			b, err := e.scalar(args[1])
			if err != nil {
				return false, err
			}
			return a == b, nil
		case "Fn::Not", "Fn::And", "Fn::Or":
			if len(args) == 0 || (fn == "Fn::Not" && len(args) != 1) {
				return false, fmt.Errorf("%s: wrong number of conditions", fn)
			}
			all, some := true, false
			for _, a := range args {
				v, err := e.boolean(a)
				if err != nil {
					return false, err
				}
				all, some = all && v, some || v
			}
			switch fn {
			case "Fn::Not":
				return !all, nil
			case "Fn::And":
				return all, nil
			}
			return some, nil
		}
		return false, fmt.Errorf("%s is not a condition function", fn)
	}
	return false, nil
}

// scalar is a literal or a parameter's value, as a string.
func (e condEvaluator) scalar(v any) (string, error) {
	if m, ok := v.(map[string]any); ok {
		name, isRef := m["Ref"].(string)
		if !isRef || len(m) != 1 {
			return "", fmt.Errorf("only Ref of a parameter is compared: %v", v)
		}
		p, ok := e.params[name]
		if !ok {
			return "", fmt.Errorf("the Ref of %s is not a parameter", name)
		}
		v = p
	}
	if v == nil {
		return "", nil
	}
	return fmt.Sprint(v), nil
}
