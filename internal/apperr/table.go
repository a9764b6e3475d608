package apperr

import "net/http"

// ProblemTypeBase prefixes every problem type URI: "urn:attestation:problem:not-found". A URN,
// since the system has no address of its own that every deployment shares; docs/errors.md and the
// OpenAPI document describe each one.
const ProblemTypeBase = "urn:attestation:problem:"

// The Step Functions error names a task's failure carries. statemachine/attestation.asl.json
// routes on exactly these (its Retry and Catch blocks); internal/transition gives each a Go type
// of that name, since aws-lambda-go reports an error's type name as its errorType.
const (
	StepCaseNotFound     = "CaseNotFound"     // caught: the execution ends as could-not-proceed
	StepCaseClosed       = "CaseClosed"       // caught: the execution goes to the case's end
	StepConflict         = "StepConflict"     // caught: the case is not where the task expects
	StepInvalidTaskInput = "InvalidTaskInput" // caught: the payload is malformed or not allowed
	StepTransient        = "TransientError"   // retried with backoff
)

// entry is one row of the table: how a kind reads and what each boundary makes of it.
type entry struct {
	word    string // the kind's word, the text of the bare Kind as an error
	status  int    // the HTTP status
	title   string // the problem body's title
	slug    string // the problem type, after ProblemTypeBase
	step    string // the Step Functions error name
	message string // what the caller reads when the error has no message of its own
}

// table is the one place that maps a kind to both boundaries.
var table = [...]entry{
	Internal: {"internal error", http.StatusInternalServerError, "internal error", "internal",
		StepTransient, "the request could not be completed; it is safe to retry"},
	Invalid: {"bad request", http.StatusBadRequest, "bad request", "bad-request",
		StepInvalidTaskInput, "the request is malformed"},
	Unauthorized: {"unauthenticated", http.StatusUnauthorized, "unauthenticated", "unauthenticated",
		StepInvalidTaskInput, "no usable identity came with the request: sign in again"},
	Forbidden: {"forbidden", http.StatusForbidden, "forbidden", "forbidden",
		StepInvalidTaskInput, "this identity may not do this"},
	NotFound: {"not found", http.StatusNotFound, "not found", "not-found",
		StepCaseNotFound, "no such record"},
	Conflict: {"conflict", http.StatusConflict, "conflict", "conflict",
		StepConflict, "the record changed meanwhile: read it again and retry"},
	Closed: {"case closed", http.StatusConflict, "case closed", "case-closed",
		StepCaseClosed, "the case has ended: nothing more happens to it"},
	TooLarge: {"too large", http.StatusRequestEntityTooLarge, "too large", "too-large",
		StepInvalidTaskInput, "the request is larger than its limit"},
	UnsupportedMediaType: {"unsupported media type", http.StatusUnsupportedMediaType, "unsupported media type", "unsupported-media-type",
		StepInvalidTaskInput, "the content type is not one this route takes"},
	Unprocessable: {"invalid", http.StatusUnprocessableEntity, "invalid request", "invalid-request",
		StepInvalidTaskInput, "a value in the request is wrong"},
	Rule: {"not allowed by the rules", http.StatusUnprocessableEntity, "not allowed by the rules", "not-allowed-by-the-rules",
		StepInvalidTaskInput, "the Rules do not allow this now"},
	Unavailable: {"unavailable", http.StatusServiceUnavailable, "service unavailable", "unavailable",
		StepTransient, "a service the request needs did not answer; retry later"},
}

func (k Kind) row() entry {
	if int(k) < len(table) {
		return table[k]
	}
	return table[Internal]
}

// HTTPStatus is the status the API answers an error of this kind with.
func (k Kind) HTTPStatus() int { return k.row().status }

// Title is the problem body's title for this kind.
func (k Kind) Title() string { return k.row().title }

// ProblemType is the RFC 9457 problem type URI of this kind.
func (k Kind) ProblemType() string { return ProblemTypeBase + k.row().slug }

// StepError is the Step Functions error name a task fails with for this kind.
func (k Kind) StepError() string { return k.row().step }

// DefaultMessage is what the caller reads of an error of this kind that has no message of its
// own (an adapter's wrapped sentinel): never the internal text.
func (k Kind) DefaultMessage() string { return k.row().message }

// Public is what the caller may read of an error: its kind, title, the message safe to show
// (for a not-found error, "no such <resource>"), and its field problems. Nothing of the cause.
type Public struct {
	Kind     Kind
	Status   int
	Type     string
	Title    string
	Detail   string
	Problems []Problem
}

// PublicOf is what the caller may read of err. An Internal error always reads as the table's
// message, whatever its text.
func PublicOf(err error) Public {
	e := As(err)
	k := e.Kind
	p := Public{Kind: k, Status: k.HTTPStatus(), Type: k.ProblemType(), Title: k.Title(), Problems: e.Problems}
	if e.Title != "" && k != Internal {
		p.Title = e.Title
	}
	switch {
	case k == Internal:
		p.Detail, p.Problems = k.DefaultMessage(), nil
	case k == NotFound && e.Resource != "":
		p.Detail = "no such " + e.Resource
	case e.Message != "":
		p.Detail = e.Message
	default:
		p.Detail = k.DefaultMessage()
	}
	return p
}
