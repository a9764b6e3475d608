package policy

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
	keys keyOrders
}

// fromGenerated checks a generated edition and builds it, as Parse does from its file.
func fromGenerated(id string, g generatedEdition) (*Edition, error) {
	c := &checker{}
	e := validate(c, id, g.spec, g.keys)
	if len(c.problems) > 0 {
		return nil, &EditionError{Edition: id, Problems: c.problems}
	}
	return e, nil
}

// keyOrders are the keys of each top-level mapping of an edition, in file order, by the
// mapping's key: the order of periods, documents, kinds and so on.
type keyOrders map[string][]string

// keyOrder returns the keys of the mapping under top-level key, in file order.
func keyOrder(root keyOrders, key string) []string { return root[key] }

func intPtr(n int) *int    { return &n }
func boolPtr(b bool) *bool { return &b }
