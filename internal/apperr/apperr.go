// Package apperr is the small closed set of error kinds every layer of the system speaks, in the
// manner of upspin's errors.Kind and the standard library's fs.ErrNotExist.
//
// A domain package returns an *Error: its Kind (what went wrong, in one word), the Resource it is
// about ("case", "draft", "certificate"), a Message that is safe to show the caller, and, apart
// from it, the internal Cause that only the log sees. Adapters translate their own errors into a
// kind (a failed DynamoDB condition is a Conflict). The two boundaries translate only through the
// table in table.go: the HTTP API into a status and an RFC 9457 problem type, a Step Functions
// task into the error name the definition routes on.
//
// Each Kind is itself an error, so errors.Is(err, apperr.NotFound) asks an error's kind wherever
// it was wrapped.
package apperr

import (
	"errors"
	"fmt"
	"strings"
)

// Kind is what went wrong, in one word. The zero Kind, Internal, is anything not classified: a
// bug or a dependency that failed in an unforeseen way.
type Kind uint8

// The kinds. Their order is not part of any contract; the table in table.go is.
const (
	// Internal: not one of the kinds below; the caller may retry, the operator must look.
	Internal Kind = iota
	// Invalid: the request is malformed as a whole (its syntax, a cursor the query did not issue,
	// a parameter that is not a number).
	Invalid
	// Unauthorized: no usable identity came with the request.
	Unauthorized
	// Forbidden: the identity may not do this (its role, or another organisation's record).
	Forbidden
	// NotFound: the resource does not exist, or is not the caller's to see.
	NotFound
	// Conflict: the record changed meanwhile, or the request repeats a completed one differently.
	Conflict
	// Closed: the case has ended; nothing more happens to it.
	Closed
	// TooLarge: a body, a document or a list is larger than its documented limit.
	TooLarge
	// UnsupportedMediaType: a body or a document of a type the route does not take.
	UnsupportedMediaType
	// Unprocessable: well-formed, but a value is wrong; Problems names each field.
	Unprocessable
	// Rule: well-formed and valid, but the Rules do not allow it now (e.g. a second rectification
	// order, §27).
	Rule
	// Unavailable: a dependency did not answer as it should; the same request may succeed later.
	Unavailable
)

// ErrBadCursor is the error of a paging cursor that the store did not issue for that query: the
// caller starts again without it.
var ErrBadCursor error = &Error{Kind: Invalid, Resource: "cursor", Title: "invalid cursor",
	Message: "cursor: not one this query issued; start again without it"}

// Kinds lists every kind, Internal first, for tables and tests.
var Kinds = []Kind{Internal, Invalid, Unauthorized, Forbidden, NotFound, Conflict, Closed, TooLarge,
	UnsupportedMediaType, Unprocessable, Rule, Unavailable}

// Error makes a Kind an error of its own, so that errors.Is(err, NotFound) matches any error of
// that kind. Its text is the kind's word, as the domain's sentinels read before this package.
func (k Kind) Error() string { return k.String() }

// String is the kind's word ("not found", "conflict").
func (k Kind) String() string {
	if int(k) < len(table) && table[k].word != "" {
		return table[k].word
	}
	return fmt.Sprintf("apperr.Kind(%d)", uint8(k))
}

// Problem is one thing wrong with a request. Field is a JSON-pointer-like path into the request
// body ("applicant.identityNumber", "documents.annex3_07"), empty for the request as a whole; Rule
// names the paragraph it breaks ("§13(6), Annex 5") or "request"; Message says what to do.
type Problem struct {
	Field   string `json:"field"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// String renders the problem for logs and error texts.
func (p Problem) String() string {
	if p.Field == "" {
		return fmt.Sprintf("[%s] %s", p.Rule, p.Message)
	}
	return fmt.Sprintf("%s [%s] %s", p.Field, p.Rule, p.Message)
}

// Error is an error of a kind, about a resource, with a message for the caller kept apart from
// its internal cause.
type Error struct {
	Kind Kind
	// Resource is what the error is about ("case", "draft", "document", "certificate"); a not-found
	// answer names it ("no such draft").
	Resource string
	// Message is safe to show the caller: it names what is wrong and where, never an internal
	// detail (a table, a bucket, an SDK's words).
	Message string
	// Title, if set, replaces the kind's title in a problem body ("submission refused").
	Title string
	// Problems names each field that is wrong (Unprocessable).
	Problems []Problem
	// Internal is what the log reads in place of a message, for an error whose words are not
	// for the caller (an adapter's "get s3://bucket/key"); the caller reads the kind's message.
	Internal string
	// Cause is the internal error behind this one: logged, never shown.
	Cause error
}

// Error reads as the message, then the kind's word, then the cause: "draft d-1: not found".
func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.Message != "":
		b.WriteString(e.Message)
		b.WriteString(": ")
	case e.Internal != "":
		b.WriteString(e.Internal)
		b.WriteString(": ")
	}
	b.WriteString(e.Kind.String())
	if e.Cause != nil {
		b.WriteString(": ")
		b.WriteString(e.Cause.Error())
	}
	return b.String()
}

// Unwrap returns the internal cause.
func (e *Error) Unwrap() error { return e.Cause }

// Is reports whether target is this error's kind, so errors.Is(err, apperr.Conflict) holds.
func (e *Error) Is(target error) bool {
	k, ok := target.(Kind)
	return ok && k == e.Kind
}

// New returns an error of kind about resource, with a message for the caller.
func New(kind Kind, resource, message string) *Error {
	return &Error{Kind: kind, Resource: resource, Message: message}
}

// Errorf returns an error of kind about resource, its message formatted. The message is shown to
// the caller: format only what the caller may read. To keep an internal cause, use Wrap.
func Errorf(kind Kind, resource, format string, args ...any) *Error {
	return &Error{Kind: kind, Resource: resource, Message: fmt.Sprintf(format, args...)}
}

// Hidden returns an error of kind about resource whose words (format) are for the log only: an
// adapter's error, which names tables, buckets and keys. The caller reads the kind's message (or
// "no such <resource>").
func Hidden(kind Kind, resource, format string, args ...any) *Error {
	return &Error{Kind: kind, Resource: resource, Internal: fmt.Sprintf(format, args...)}
}

// Wrap returns an error of kind about resource, with a message for the caller and cause kept for
// the log.
func Wrap(cause error, kind Kind, resource, message string) *Error {
	return &Error{Kind: kind, Resource: resource, Message: message, Cause: cause}
}

// Refused returns an Unprocessable error that lists its field problems under title ("submission
// refused"); message sums them up.
func Refused(title, message string, problems []Problem) *Error {
	return &Error{Kind: Unprocessable, Title: title, Message: message, Problems: problems}
}

// KindOf returns the kind of err: that of the first *Error in its chain, else the first Kind it
// wraps, else Internal (nil is Internal too; callers check for nil first).
func KindOf(err error) Kind {
	if err == nil {
		return Internal
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	var k Kind
	if errors.As(err, &k) {
		return k
	}
	return Internal
}

// As returns the first *Error in err's chain. An error that only wraps a Kind (an adapter's
// "put case c-1: conflict") comes back as an *Error of that kind with no message of its own, its
// cause err; anything else as an Internal one.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Kind: KindOf(err), Cause: err}
}
