package policy

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Reading an edition file: Parse, the YAML decoding, the keys the spec types do not have, and
// the field each line of the file holds, so every problem names its path. Only the tests and go
// generate read the files (generated.go): the functions load the generated values and link no
// YAML decoder.

// Parse checks an edition file and builds the Edition. name is the edition id the file must
// declare (the embedded files are named <id>.yaml). Every problem is reported, each naming its
// field path; the error is an *EditionError.
func Parse(name string, data []byte) (*Edition, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, &EditionError{Edition: name, Problems: []Problem{{Path: "(file)", Message: err.Error()}}}
	}
	c := &checker{}
	lines := &lineIndex{path: map[int]string{}, scalar: map[int]bool{}}
	checkKeys(c, docRoot(&root), reflect.TypeFor[specFile](), "", lines)

	// The spec is decoded from the tree already parsed (checkKeys has reported unknown keys);
	// only an empty document goes through the decoder again, for its error.
	var spec specFile
	decode := func() error { return docRoot(&root).Decode(&spec) }
	if root.Kind == 0 {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		decode = func() error { return dec.Decode(&spec) }
	}
	if err := decode(); err != nil {
		addDecodeError(c, err, lines)
		// Unknown keys are already reported with their path; the decoder's own message adds nothing.
		return nil, &EditionError{Edition: name, Problems: c.problems}
	}
	if len(c.problems) > 0 {
		return nil, &EditionError{Edition: name, Problems: c.problems}
	}
	e := validate(c, name, &spec, mappingKeys(docRoot(&root)))
	if len(c.problems) > 0 {
		return nil, &EditionError{Edition: name, Problems: c.problems}
	}
	return e, nil
}

func docRoot(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		return n.Content[0]
	}
	return n
}

// checkKeys walks the YAML tree along the spec type and reports every key the type does not have,
// with its path; it records the path of every value's line so decoder errors can name the field.
func checkKeys(c *checker, n *yaml.Node, t reflect.Type, path string, lines *lineIndex) {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	lines.record(n, path)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return
		}
		fields := map[string]reflect.Type{}
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name != "" && name != "-" {
				fields[name] = f.Type
			}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			ft, ok := fields[key]
			if !ok {
				c.add(join(path, key), "unknown key")
				continue
			}
			checkKeys(c, n.Content[i+1], ft, join(path, key), lines)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			checkKeys(c, n.Content[i+1], t.Elem(), join(path, n.Content[i].Value), lines)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return
		}
		for i, item := range n.Content {
			checkKeys(c, item, t.Elem(), fmt.Sprintf("%s[%d]", path, i), lines)
		}
	}
}

// lineIndex names the field on each line of a file, for decoder errors that give only a line.
type lineIndex struct {
	path   map[int]string
	scalar map[int]bool
}

// record names line n.Line after path: the first scalar value on the line wins, else the first
// collection that starts on it.
func (l *lineIndex) record(n *yaml.Node, path string) {
	if path == "" || l.scalar[n.Line] {
		return
	}
	if _, seen := l.path[n.Line]; seen && n.Kind != yaml.ScalarNode {
		return
	}
	l.path[n.Line] = path
	l.scalar[n.Line] = n.Kind == yaml.ScalarNode
}

var lineRE = regexp.MustCompile(`^line (\d+): (.*)$`)

// addDecodeError reports a decoder error, naming the field of each line it mentions.
func addDecodeError(c *checker, err error, lines *lineIndex) {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		c.add("(file)", "%v", err)
		return
	}
	for _, msg := range te.Errors {
		m := lineRE.FindStringSubmatch(msg)
		if m == nil {
			c.add("(file)", "%s", msg)
			continue
		}
		if strings.Contains(m[2], " not found in type ") {
			continue // an unknown key, reported by checkKeys with its path
		}
		n, _ := strconv.Atoi(m[1])
		path, ok := lines.path[n]
		if !ok {
			path = "line " + m[1]
		}
		c.add(path, "%s", m[2])
	}
}

// mappingKeys are the keys of each top-level mapping of an edition file, in file order.
func mappingKeys(root *yaml.Node) keyOrders {
	out := keyOrders{}
	if root.Kind != yaml.MappingNode {
		return out
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		m := root.Content[i+1]
		if m.Kind != yaml.MappingNode {
			continue
		}
		var keys []string
		for j := 0; j+1 < len(m.Content); j += 2 {
			keys = append(keys, m.Content[j].Value)
		}
		out[root.Content[i].Value] = keys
	}
	return out
}
