package httpapi

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"attestation/internal/identity"
)

// TestEveryPathParameterHasAShape: every path parameter of every operation of openapi.yaml has
// its shape in pathShapes, the document's pattern and maxLength are the table's, and the table
// holds no shape no route uses.
func TestEveryPathParameterHasAShape(t *testing.T) {
	doc, err := apiSpec()
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			params := append(openapi3.Parameters{}, item.Parameters...)
			params = append(params, op.Parameters...)
			for _, ref := range params {
				p := ref.Value
				if p.In != openapi3.ParameterInPath {
					continue
				}
				used[p.Name] = true
				where := method + " " + path + " {" + p.Name + "}"
				rule, ok := pathShapes[p.Name]
				if !ok {
					t.Errorf("%s: no shape in pathShapes", where)
					continue
				}
				s := p.Schema.Value
				switch {
				case s.Type.Is(openapi3.TypeString):
					if s.Pattern != rule.pattern.String() {
						t.Errorf("%s: openapi.yaml's pattern %q, the table's %q", where, s.Pattern, rule.pattern)
					}
					if s.MaxLength == nil || int(*s.MaxLength) != rule.maxLength {
						t.Errorf("%s: openapi.yaml's maxLength %v, the table's %d", where, s.MaxLength, rule.maxLength)
					}
				case s.Type.Is(openapi3.TypeInteger):
					if s.Min == nil || s.Max == nil {
						t.Errorf("%s: an integer without minimum and maximum", where)
						continue
					}
					lo, hi := strconv.Itoa(int(*s.Min)), strconv.Itoa(int(*s.Max))
					if checkPathParams(map[string]string{p.Name: lo}) != nil || checkPathParams(map[string]string{p.Name: hi}) != nil ||
						checkPathParams(map[string]string{p.Name: strconv.Itoa(int(*s.Max) + 1)}) == nil || rule.maxLength != len(hi) {
						t.Errorf("%s: the table's shape %s (%d) is not openapi.yaml's %s..%s", where, rule.pattern, rule.maxLength, lo, hi)
					}
				default:
					t.Errorf("%s: a path parameter of type %v", where, s.Type)
				}
			}
		}
	}
	for name := range pathShapes {
		if !used[name] {
			t.Errorf("pathShapes has %s, which no route of openapi.yaml has", name)
		}
	}
}

// unusedCases is a case service any call of which panics (and is answered 500).
type unusedCases struct{ Service }

// TestHostilePathParametersAreRefusedBeforeAnyWork: on every route of the handler with path
// parameters, a parameter of 2 KB, one with odd bytes, one with an encoded slash or a dot
// segment is refused 400 naming it, before any service is called (every service here panics),
// and the call is recorded.
func TestHostilePathParametersAreRefusedBeforeAnyWork(t *testing.T) {
	e := newEnv()
	e.rebuild(func(d *Deps) { d.Cases = unusedCases{} })
	claims := map[identity.Role]map[string]string{identity.Applicant: applicantClaims, identity.Authority: authorityClaims,
		identity.STS: stsClaims, identity.QualityAuthority: qualityClaims, identity.Office: officeClaims}
	good := map[string]string{"caseId": "A-20261015-9f1c2a7b3d4e5f60", "draftId": "D-" + strings.Repeat("a", 24),
		"uploadId": "U-" + strings.Repeat("b", 32), "day": "2026-10-15", "objectId": "O-" + strings.Repeat("c", 16),
		"complaintId": "C-" + strings.Repeat("d", 24), "year": "2026", "seq": "00001", "changeId": "c1", "requestId": "d1"}
	hostile := map[string]string{
		"2 KB":             strings.Repeat("9", 2048),
		"NUL and 0xff":     "A-1\x00\xff",
		"an encoded slash": "A-1%2F..%2Fx",
		"a dot segment":    "..",
		"a space":          "2026 ",
		"right-to-left":    "A-1\u202e",
		"empty":            "",
	}
	var keys []string
	for k := range e.h.routes() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	n := 0
	for _, key := range keys {
		rt := e.h.routes()[key]
		_, path, _ := strings.Cut(key, " ")
		var names []string
		for _, seg := range strings.Split(path, "/") {
			if strings.HasPrefix(seg, "{") {
				names = append(names, strings.Trim(seg, "{}"))
			}
		}
		if len(names) == 0 {
			continue
		}
		c := claims[identity.Applicant]
		if len(rt.roles) > 0 {
			c = claims[rt.roles[0]]
		}
		for _, name := range names {
			for what, v := range hostile {
				t.Run(key+" "+name+" "+what, func(t *testing.T) {
					params := map[string]string{}
					for _, m := range names {
						params[m] = good[m]
					}
					params[name] = v
					before := len(e.calls.records)
					resp, _ := e.do(t, req{routeKey: key, path: path, params: params, claims: c, body: "{}"})
					if resp.StatusCode != http.StatusBadRequest || !strings.Contains(resp.Body, `"detail":"`+name+`: want`) {
						t.Fatalf("%d %s", resp.StatusCode, resp.Body)
					}
					if strings.Contains(resp.Body, "9999999999") {
						t.Fatalf("the refusal echoes the value: %.200s", resp.Body)
					}
					if len(e.calls.records) != before+1 {
						t.Fatalf("%d call records written, want 1", len(e.calls.records)-before)
					}
				})
				n++
			}
		}
	}
	if n < 100 {
		t.Fatalf("only %d hostile parameters tried", n)
	}
}
