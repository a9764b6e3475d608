package httpapi

import (
	"fmt"
	"regexp"
	"sort"
	"sync"

	"github.com/aws/aws-lambda-go/events"

	"attestation/internal/apperr"
)

// paramShape is the shape a path parameter must have before any work is done for a request: at
// most maxLength bytes matching pattern. The table below is the one place these shapes live;
// TestEveryPathParameterHasAShape keeps it equal to openapi.yaml's path parameters.
type paramShape struct {
	pattern   lazyRegexp
	maxLength int
	want      string // what the caller is told is expected
}

func shape(pattern string, maxLength int, want string) paramShape {
	re := sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
	return paramShape{pattern: lazyRegexp{expr: pattern, re: re}, maxLength: maxLength, want: want}
}

// lazyRegexp is a regular expression compiled on its first match, not at the API's cold start.
type lazyRegexp struct {
	expr string
	re   func() *regexp.Regexp
}

func (l lazyRegexp) MatchString(s string) bool { return l.re().MatchString(s) }

func (l lazyRegexp) String() string { return l.expr }

// pathShapes are the shapes of every path parameter of every route, by name. A shape is a
// bound, not a lookup: an ID of the right shape may still name nothing (404).
var pathShapes = map[string]paramShape{
	"caseId":         shape(`^A-[0-9A-Za-z-]{1,40}$`, 42, "a case ID, A-<filing date YYYYMMDD>-<16 hexadecimal digits>"),
	"draftId":        shape(`^D-[0-9a-f]{24}$`, 26, "a draft ID, D- and 24 hexadecimal digits"),
	"uploadId":       shape(`^U-[0-9a-f]{32}$`, 34, "an upload ID, U- and 32 hexadecimal digits"),
	"day":            shape(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`, 10, "a UTC day, YYYY-MM-DD"),
	"objectId":       shape(`^O-[0-9a-f]{16}$`, 18, "an object ID, O- and 16 hexadecimal digits"),
	"complaintId":    shape(`^C-[0-9a-f]{24}$`, 26, "a complaint ID, C- and 24 hexadecimal digits"),
	"year":           shape(`^[0-9]{4}$`, 4, "a year of four digits (YYYY), as a plan's year or a certificate number's"),
	"seq":            shape(`^[0-9]{1,9}$`, 9, "the sequence of a certificate number, 1 to 9 digits"),
	"changeId":       shape(`^c[0-9]{1,9}$`, 10, "a change notice's ID, c and digits"),
	"requestId":      shape(`^d[0-9]{1,9}$`, 10, "a duplicate request's ID, d and digits"),
	"version":        shape(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`, 32, "a version of the survey methodology: letters, digits, dots, dashes, underscores"),
	"notificationId": shape(`^[0-9A-Za-z][0-9A-Za-z.-]{2,79}$`, 80, "a notification's ID: letters, digits, dots and hyphens"),
}

// checkPathParams refuses a request whose path parameters are not of their shapes (400, naming
// the first such parameter in name order). The value itself is never echoed: it may be kilobytes
// of anything.
func checkPathParams(params map[string]string) error {
	names := make([]string, 0, len(params))
	for n := range params {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		v := params[n]
		rule, ok := pathShapes[n]
		if !ok {
			return badRequest(apperr.Invalid, fmt.Sprintf("%s: not a path parameter of this API", shortName(n)))
		}
		if len(v) > rule.maxLength || !rule.pattern.MatchString(v) {
			return badRequest(apperr.Invalid, fmt.Sprintf("%s: want %s (at most %d characters)", n, rule.want, rule.maxLength))
		}
	}
	return nil
}

// pathRefusal answers a request refused by checkPathParams: a problem, or for a person's browser
// on the verification page (§29) the problem page it shows for any number that is not one.
func pathRefusal(r *request, err error) events.APIGatewayV2HTTPResponse {
	if r.RouteKey == "GET /certificates/{year}/{seq}" && wantsHTML(r) {
		pub := apperr.PublicOf(err)
		if status, page, perr := problemPage(pub.Status, pub.Detail); perr == nil {
			if raw, ok := page.(rawResponse); ok {
				return raw.response(status)
			}
		}
	}
	return fromError(err)
}

// shortName is a parameter name fit to repeat to the caller.
func shortName(n string) string {
	if len(n) > 40 {
		return n[:40] + "…"
	}
	return n
}
