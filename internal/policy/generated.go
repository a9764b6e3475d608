package policy

import (
	"maps"
	"slices"

	"go.yaml.in/yaml/v3"
)

// The editions reach the functions as Go values: go generate writes editions_gen.go from the
// YAML files under editions/ (their decoded spec, and the order of the keys of each top-level
// mapping, which decides the order of periods, documents, kinds and so on), so a function does
// not decode YAML. The values are still checked, by the same validation as a file, on an
// edition's first Load. TestGeneratedEditionsMatchYAML fails when editions_gen.go is not what the
// files give; after editing a file run: go generate ./internal/policy/
//
//go:generate go test . -run TestGeneratedEditionsMatchYAML -update

// generatedEdition is one edition file as Go values.
type generatedEdition struct {
	spec *specFile
	keys map[string][]string // top-level key -> the keys of its mapping, in file order
}

// fromGenerated checks a generated edition and builds it, as Parse does from its file.
func fromGenerated(id string, g generatedEdition) (*Edition, error) {
	c := &checker{}
	e := validate(c, id, g.spec, g.skeleton())
	if len(c.problems) > 0 {
		return nil, &EditionError{Edition: id, Problems: c.problems}
	}
	return e, nil
}

// skeleton is the YAML tree validate reads the key order from: each top-level mapping with its
// keys (the values are left empty; validate reads them from the spec).
func (g generatedEdition) skeleton() *yaml.Node {
	root := &yaml.Node{Kind: yaml.MappingNode}
	for _, k := range slices.Sorted(maps.Keys(g.keys)) {
		m := &yaml.Node{Kind: yaml.MappingNode}
		for _, sub := range g.keys[k] {
			m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: sub}, &yaml.Node{})
		}
		root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, m)
	}
	return root
}

func intPtr(n int) *int    { return &n }
func boolPtr(b bool) *bool { return &b }
