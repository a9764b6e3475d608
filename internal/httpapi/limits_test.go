package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// Every string and list of every request schema of openapi.yaml declares its limit (maxLength,
// maxItems; maxProperties for a map), and the handler refuses a value one over it with 422 naming
// the field and the limit, before the route's service is called (the services of these tests
// panic when called). Table-driven over the document itself: a property added without a limit, or
// a limit the code does not hold, fails here.

// limitLeaf is one limited value of a request schema: where it is, and its limit.
type limitLeaf struct {
	route string   // "POST /drafts"
	path  []string // property names; "[]" an element of a list, "{}" a member of a map
	kind  string   // "string", "array" or "object" (a map)
	limit int
}

func (l limitLeaf) field() string {
	var b strings.Builder
	for _, p := range l.path {
		switch p {
		case "[]":
			b.WriteString("[0]")
		case "{}":
			if b.Len() > 0 {
				b.WriteString(".")
			}
			b.WriteString("m")
		default:
			if b.Len() > 0 {
				b.WriteString(".")
			}
			b.WriteString(p)
		}
	}
	return b.String()
}

// overLimit is a body holding only this value, one over its limit.
func (l limitLeaf) body() any {
	var v any
	switch l.kind {
	case "string":
		v = strings.Repeat("a", l.limit+1)
	case "array":
		list := make([]any, l.limit+1)
		for i := range list {
			list[i] = nil
		}
		v = list
	case "object":
		m := map[string]any{}
		for i := range l.limit + 1 {
			m[fmt.Sprintf("k%d", i)] = nil
		}
		v = m
	}
	for i := len(l.path) - 1; i >= 0; i-- {
		switch l.path[i] {
		case "[]":
			v = []any{v}
		case "{}":
			v = map[string]any{"m": v}
		default:
			v = map[string]any{l.path[i]: v}
		}
	}
	return v
}

// requestLimits walks every JSON request schema of the document, failing t for each string,
// list or map that declares no limit.
func requestLimits(t *testing.T) []limitLeaf {
	doc, err := apiSpec()
	if err != nil {
		t.Fatal(err)
	}
	var out []limitLeaf
	var walk func(route string, s *openapi3.Schema, path []string, depth int)
	walk = func(route string, s *openapi3.Schema, path []string, depth int) {
		if s == nil || depth > 12 {
			return
		}
		where := route + " " + strings.Join(path, ".")
		switch {
		case s.Type.Is("string"):
			if len(s.Enum) > 0 {
				return // refused unless one of the values (each route's own check)
			}
			if s.MaxLength == nil {
				t.Errorf("%s: a string without maxLength", where)
				return
			}
			out = append(out, limitLeaf{route: route, path: path, kind: "string", limit: int(*s.MaxLength)})
		case s.Type.Is("array"):
			if s.MaxItems == nil {
				t.Errorf("%s: a list without maxItems", where)
			} else {
				out = append(out, limitLeaf{route: route, path: path, kind: "array", limit: int(*s.MaxItems)})
			}
			if s.Items != nil {
				walk(route, s.Items.Value, append(append([]string(nil), path...), "[]"), depth+1)
			}
		case s.Type.Is("object") || len(s.Properties) > 0:
			names := make([]string, 0, len(s.Properties))
			for n := range s.Properties {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				walk(route, s.Properties[n].Value, append(append([]string(nil), path...), n), depth+1)
			}
			if ap := s.AdditionalProperties.Schema; ap != nil {
				if s.MaxProps == nil {
					t.Errorf("%s: a map without maxProperties", where)
				} else {
					out = append(out, limitLeaf{route: route, path: path, kind: "object", limit: int(*s.MaxProps)})
				}
				walk(route, ap.Value, append(append([]string(nil), path...), "{}"), depth+1)
			}
		}
	}
	for p, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody == nil || op.RequestBody.Value == nil {
				continue
			}
			mt := op.RequestBody.Value.Content.Get("application/json")
			if mt == nil || mt.Schema == nil {
				continue
			}
			walk(method+" "+p, mt.Schema.Value, nil, 0)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].route+out[i].field() < out[j].route+out[j].field() })
	return out
}

var limitPathParam = regexp.MustCompile(`\{([^}]+)\}`)

func TestEveryRequestLimitIsDeclaredAndRefused(t *testing.T) {
	doc, err := apiSpec()
	if err != nil {
		t.Fatal(err)
	}
	claimsOf := map[string]map[string]string{"applicant": applicantClaims, "authority": authorityClaims, "sts": stsClaims,
		"quality_authority": qualityClaims, "office": officeClaims}
	leaves := requestLimits(t)
	if len(leaves) < 40 {
		t.Fatalf("only %d limited values found in the request schemas", len(leaves))
	}
	e := newEnv()
	for _, l := range leaves {
		t.Run(l.route+" "+l.field(), func(t *testing.T) {
			method, p, _ := strings.Cut(l.route, " ")
			op := doc.Paths.Find(p).GetOperation(method)
			roles, _ := op.Extensions["x-roles"].([]any)
			var claims map[string]string
			if len(roles) > 0 {
				claims = claimsOf[fmt.Sprint(roles[0])]
			}
			params := map[string]string{}
			for _, m := range limitPathParam.FindAllStringSubmatch(p, -1) {
				params[m[1]] = wellFormedParams[m[1]]
			}
			body, err := json.Marshal(l.body())
			if err != nil {
				t.Fatal(err)
			}
			resp, _ := e.do(t, req{routeKey: l.route, path: p, params: params, claims: claims, body: string(body)})
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("%d %s, want 422", resp.StatusCode, resp.Body)
			}
			var pb struct {
				Problems []struct{ Field, Message string } `json:"problems"`
			}
			if err := json.Unmarshal([]byte(resp.Body), &pb); err != nil {
				t.Fatal(err)
			}
			for _, x := range pb.Problems {
				if x.Field == l.field() && strings.Contains(x.Message, fmt.Sprint(l.limit)) {
					return
				}
			}
			t.Fatalf("no problem names %s and %d: %s", l.field(), l.limit, resp.Body)
		})
	}
}
