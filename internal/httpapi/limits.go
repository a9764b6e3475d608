package httpapi

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
)

// Every text and list a request carries has a documented limit (openapi.yaml: maxLength,
// maxItems, maxProperties on the request schemas), and this is where the handler enforces the
// document itself, before any route's work and so before any write: a body with a string longer
// than its maxLength (in characters), a list longer than its maxItems or a map with more members
// than its maxProperties is 422 with one problem per value, naming the field and the limit. A
// body over MaxBody is 413 (rawBody). The services keep their own checks of what the document
// cannot say (a description's bytes, a list's meaning).

// schemaNode is a piece of a JSON Schema of the document, as YAML decodes it.
type schemaNode = map[string]any

// requestSchemas are the JSON request schemas of the document by route key ("POST /drafts"),
// with the document's component schemas to resolve references in.
type requestSchemas struct {
	byRoute    map[string]schemaNode
	components map[string]schemaNode
}

var loadRequestSchemas = sync.OnceValues(func() (*requestSchemas, error) {
	var doc struct {
		Paths      map[string]map[string]any `yaml:"paths"`
		Components struct {
			Schemas map[string]schemaNode `yaml:"schemas"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(openAPI, &doc); err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	out := &requestSchemas{byRoute: map[string]schemaNode{}, components: doc.Components.Schemas}
	for path, item := range doc.Paths {
		for method, op := range item {
			o, ok := op.(schemaNode)
			if !ok {
				continue
			}
			body, _ := o["requestBody"].(schemaNode)
			content, _ := body["content"].(schemaNode)
			media, _ := content["application/json"].(schemaNode)
			if s, ok := media["schema"].(schemaNode); ok {
				out.byRoute[strings.ToUpper(method)+" "+path] = s
			}
		}
	}
	return out, nil
})

// resolve follows a $ref to a component schema.
func (rs *requestSchemas) resolve(s schemaNode) schemaNode {
	for range 8 {
		ref, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		s = rs.components[strings.TrimPrefix(ref, "#/components/schemas/")]
	}
	return s
}

// limitOf is a schema's integer keyword, or -1.
func limitOf(s schemaNode, key string) int {
	if n, ok := s[key].(int); ok {
		return n
	}
	return -1
}

// check walks v (decoded JSON) along schema s at field, adding a problem for each value over its
// limit.
func (rs *requestSchemas) check(s schemaNode, v any, field string, problems *[]apperr.Problem) {
	s = rs.resolve(s)
	if s == nil {
		return
	}
	over := func(format string, args ...any) {
		*problems = append(*problems, apperr.Problem{Field: field, Rule: "limit", Message: fmt.Sprintf(format, args...)})
	}
	switch x := v.(type) {
	case string:
		if n := limitOf(s, "maxLength"); n >= 0 && utf8.RuneCountInString(x) > n {
			over("at most %d characters; this one has %d", n, utf8.RuneCountInString(x))
		}
	case []any:
		if n := limitOf(s, "maxItems"); n >= 0 && len(x) > n {
			over("at most %d items; this list has %d", n, len(x))
			return
		}
		items, _ := s["items"].(schemaNode)
		for i, e := range x {
			rs.check(items, e, fmt.Sprintf("%s[%d]", field, i), problems)
		}
	case map[string]any:
		if n := limitOf(s, "maxProperties"); n >= 0 && len(x) > n {
			over("at most %d members; this one has %d", n, len(x))
			return
		}
		props, _ := s["properties"].(schemaNode)
		extra, _ := s["additionalProperties"].(schemaNode)
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			name := k
			if field != "" {
				name = field + "." + k
			}
			if p, ok := props[k].(schemaNode); ok {
				rs.check(p, x[k], name, problems)
			} else if extra != nil {
				rs.check(extra, x[k], name, problems)
			}
		}
	}
}

// checkLimits refuses a request whose JSON body holds a value over a limit its route's request
// schema documents. A body that is not JSON is left to the route's own decoding.
func checkLimits(r *request) error {
	rs, err := loadRequestSchemas()
	if err != nil {
		return err
	}
	s, ok := rs.byRoute[r.RouteKey]
	if !ok {
		return nil
	}
	body, err := rawBody(r)
	if err != nil || len(body) == 0 {
		return err
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	var problems []apperr.Problem
	rs.check(s, v, "", &problems)
	if len(problems) > 0 {
		return &attestation.SubmissionRefused{Problems: problems}
	}
	return nil
}
