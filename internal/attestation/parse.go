package attestation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// The filing request's body (§13): strict JSON decoding of a package, and the problems that
// say why a body is not a package at all (Rule "request").

// ParsePackage decodes the JSON body of a filing strictly: one JSON object of at most
// MaxPackageBytes, no unknown fields, no trailing data. A body that cannot be decoded gives the
// problems that say why (Rule "request") and a zero Package; a decoded body gives no problems, and
// ValidatePackage then checks it.
func ParsePackage(data []byte) (Package, []Problem) {
	if len(data) > MaxPackageBytes {
		return Package{}, []Problem{{Rule: ruleRequest, Message: fmt.Sprintf("the body is %d bytes; a package is at most %d bytes", len(data), MaxPackageBytes)}}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return Package{}, []Problem{{Rule: ruleRequest, Message: "the body is empty: send the package as a JSON object"}}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p Package
	if err := dec.Decode(&p); err != nil {
		return Package{}, []Problem{decodeProblem(err)}
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Package{}, []Problem{{Rule: ruleRequest, Message: fmt.Sprintf("unexpected data after the package at byte %d: send one JSON object", end)}}
	}
	return p, nil
}

// decodeProblem turns a JSON decoding error into a Problem without Go type names.
func decodeProblem(err error) Problem {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return Problem{Rule: ruleRequest, Message: fmt.Sprintf("not valid JSON at byte %d: %s", syntax.Offset, strings.TrimPrefix(syntax.Error(), "json: "))}
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return Problem{Rule: ruleRequest, Message: fmt.Sprintf("the package must be a JSON object, not %s", jsonValueName(typ.Value))}
		}
		return Problem{Field: field, Rule: ruleRequest, Message: fmt.Sprintf("must be %s, not %s (byte %d)", jsonTypeName(typ.Type), jsonValueName(typ.Value), typ.Offset)}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return Problem{Rule: ruleRequest, Message: "the JSON ends too early: the package is incomplete"}
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if name, ok := strings.CutPrefix(msg, "unknown field "); ok {
		return Problem{Rule: ruleRequest, Message: fmt.Sprintf("unknown field %s: the package has no such field", name)}
	}
	return Problem{Rule: ruleRequest, Message: "the body is not a package: " + msg}
}

// jsonTypeName names what a Go type expects in JSON words.
func jsonTypeName(t reflect.Type) string {
	if t == nil {
		return "another JSON type"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number in range"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "another JSON type"
}

// jsonValueName names the JSON value the decoder found ("number", "string", "array"...).
func jsonValueName(v string) string {
	switch {
	case v == "array" || v == "object":
		return "an " + v
	case v == "":
		return "this value"
	case strings.HasPrefix(v, "number "):
		return "the number " + strings.TrimPrefix(v, "number ")
	}
	return "a " + v
}
