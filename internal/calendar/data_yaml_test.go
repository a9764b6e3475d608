package calendar

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"time"

	"go.yaml.in/yaml/v3"
)

// Reading the calendar data from YAML, for the tests and for go generate: the functions use the
// generated values of kz_gen.go.

// kazakhstanYAML is the calendar data of Kazakhstan; see the comments in the file.
//
//go:embed data/kz.yaml
var kazakhstanYAML []byte

// decodeSpec reads exactly one YAML document and rejects unknown keys.
func decodeSpec(data []byte) (*fileSpec, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var spec fileSpec
	if err := dec.Decode(&spec); err != nil {
		return nil, fmt.Errorf("calendar data: decode YAML: %w", err)
	}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, errors.New("calendar data: more than one YAML document")
	}
	return &spec, nil
}

// load decodes, validates and compiles calendar data.
func load(data []byte, loc *time.Location) (*Calendar, error) {
	spec, err := decodeSpec(data)
	if err != nil {
		return nil, err
	}
	return compile(spec, loc)
}
