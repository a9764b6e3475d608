package attestation

import (
	"context"
	"errors"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/identity"
)

// The kinds of error the domain returns are apperr's (internal/apperr): these names are the
// kinds, kept so that the domain reads as it always has. Adapters translate their own errors into
// them, and the HTTP and Step Functions boundaries map each through apperr's one table.
var (
	ErrNotFound  error = apperr.NotFound
	ErrConflict  error = apperr.Conflict
	ErrForbidden error = apperr.Forbidden
	// ErrInvalid: a value in the request is wrong (422).
	ErrInvalid error = apperr.Unprocessable
	// ErrRule: the request is well-formed but the Rules do not allow it (e.g. a second
	// rectification order, §27).
	ErrRule error = apperr.Rule
	// ErrClosed: the case has ended; nothing more happens to it.
	ErrClosed error = apperr.Closed
	// ErrBadCursor: a paging cursor the store did not issue for that query.
	ErrBadCursor = apperr.ErrBadCursor
)

// LeanCaseReader is a CaseStore that can also read a case without its documents, a smaller read
// for the steps of the workflow that never touch them (registering the receipt, opening a step,
// closing, marking for attention). Its Update of a case with no documents keeps the stored ones.
type LeanCaseReader interface {
	GetWithoutDocuments(ctx context.Context, id string) (Case, error)
}

// CaseStore keeps cases and their history (DynamoDB in AWS).
type CaseStore interface {
	// Create stores a new case with its first history events; ErrConflict if the ID is taken.
	Create(ctx context.Context, c Case, events ...Event) error
	// Get returns a case; ErrNotFound if there is none.
	Get(ctx context.Context, id string) (Case, error)
	// History returns a case's events in order.
	History(ctx context.Context, id string) ([]Event, error)
	// Update replaces a case whose stored version is c.Version-1 and appends events, in one
	// transaction; ErrConflict if the stored version differs.
	Update(ctx context.Context, c Case, events ...Event) error
	// MarkCallback records the callback state of the last decision if its token is still token.
	MarkCallback(ctx context.Context, id, token, state string) error
	// MarkHandback records the callback state of the hand-back of the case's attention if its
	// token is still token.
	MarkHandback(ctx context.Context, id, token, state string) error
	// CertificateSeq returns the last certificate sequence given in year (0 if none).
	CertificateSeq(ctx context.Context, year int) (int, error)
	// IssueCertificate stores the certificate's register entry, takes its sequence number
	// (conditional on it following the last one given), and updates the case, in one transaction;
	// ErrConflict if the case or the sequence moved.
	IssueCertificate(ctx context.Context, c Case, cert Certificate, events ...Event) error
	// ByOrganization returns an organisation's cases, newest first, a page at a time.
	ByOrganization(ctx context.Context, bin string, limit int, cursor string) ([]Case, string, error)
	// Queue returns the cases whose open step a role acts on, by due moment, a page at a time
	// (cursor "" for the first; the next cursor, "" after the last page).
	Queue(ctx context.Context, role identity.Role, limit int, cursor string) ([]Case, string, error)
	// DueSteps returns cases whose open step is due at or before t and not yet marked overdue.
	DueSteps(ctx context.Context, t time.Time, limit int) ([]Case, error)
}

// Records keeps documents that must never change (S3 with Object Lock in AWS).
type Records interface {
	// Put stores body under key and returns the pinned version and its SHA-256.
	Put(ctx context.Context, key, contentType string, body []byte) (Document, error)
}

// Workflow is the engine that drives a case (Step Functions in AWS).
type Workflow interface {
	// Start starts the case's execution, named by the case ID; starting it again is not an error.
	Start(ctx context.Context, caseID string, input []byte) error
	// Succeed completes a waiting step with output.
	Succeed(ctx context.Context, token string, output []byte) error
	// Fail fails a waiting step with a named error.
	Fail(ctx context.Context, token, errorName, cause string) error
}

// ErrStepClosed is returned by a Workflow when the engine no longer waits on a token (it timed
// out, or was already completed); the caller reconciles the case instead of failing.
var ErrStepClosed = errors.New("step no longer waits on this token")
