// Package logs is every function's logger: slog JSON lines, each carrying the Lambda request ID
// of the invocation it was written in (aws-lambda-go's lambdacontext) and, when the invocation
// concerns one case, that case's ID.
//
// aws-lambda-go v1.55 has its own handler (lambdacontext.NewLogHandler). It is not used as is
// because it writes JSON only when the function's log format is set to JSON
// (AWS_LAMBDA_LOG_FORMAT, read once at start-up) and text otherwise, always to os.Stdout, and it
// names its attribute requestId, which the API already uses for API Gateway's request ID (the
// key the access log is searched by). This handler reads the same lambdacontext.FromContext,
// always writes JSON to the writer it is given, and names the Lambda request ID awsRequestId.
package logs

import (
	"context"
	"io"
	"log/slog"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Keys of the attributes the handler adds.
const (
	RequestIDKey = "awsRequestId" // the Lambda invocation's request ID
	CaseIDKey    = "caseId"       // the case the invocation concerns
)

// New returns the logger of the function named function: JSON lines on w, each with the
// attribute function, the invocation's request ID and the case ID of its context (WithCaseID).
func New(w io.Writer, function string) *slog.Logger {
	return slog.New(NewHandler(slog.NewJSONHandler(w, nil))).With("function", function)
}

// NewHandler wraps next so that every record logged with a context carries that context's
// Lambda request ID and case ID (when the record does not already carry one).
func NewHandler(next slog.Handler) slog.Handler { return &handler{next: next} }

type caseKey struct{}

// WithCaseID returns ctx carrying the case ID id, which every log line written with it carries.
func WithCaseID(ctx context.Context, id string) context.Context {
	if id == "" {
		return ctx
	}
	return context.WithValue(ctx, caseKey{}, id)
}

// CaseID is the case ID ctx carries, or "".
func CaseID(ctx context.Context) string {
	id, _ := ctx.Value(caseKey{}).(string)
	return id
}

type handler struct {
	next slog.Handler
	// hasRequestID and hasCaseID: the logger already carries the attribute (With), so the
	// handler does not write it a second time.
	hasRequestID, hasCaseID bool
}

func (h *handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	if ctx == nil {
		return h.next.Handle(ctx, r)
	}
	hasReq, hasCase := h.hasRequestID, h.hasCaseID
	r.Attrs(func(a slog.Attr) bool {
		hasReq = hasReq || a.Key == RequestIDKey
		hasCase = hasCase || a.Key == CaseIDKey
		return true
	})
	if lc, ok := lambdacontext.FromContext(ctx); ok && !hasReq && lc.AwsRequestID != "" {
		r.AddAttrs(slog.String(RequestIDKey, lc.AwsRequestID))
	}
	if id := CaseID(ctx); id != "" && !hasCase {
		r.AddAttrs(slog.String(CaseIDKey, id))
	}
	return h.next.Handle(ctx, r)
}

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	for _, a := range attrs {
		c.hasRequestID = c.hasRequestID || a.Key == RequestIDKey
		c.hasCaseID = c.hasCaseID || a.Key == CaseIDKey
	}
	c.next = h.next.WithAttrs(attrs)
	return &c
}

func (h *handler) WithGroup(name string) slog.Handler {
	c := *h
	c.next = h.next.WithGroup(name)
	return &c
}

// PerCase wraps a Step Functions task handler so that every log line of its invocation carries
// the case ID of its input (caseID), and a failure is logged with it before the engine's Retry
// or Catch takes it. The error itself, and so its errorType, is returned unchanged.
func PerCase[In, Out any](log *slog.Logger, caseID func(In) string, h func(context.Context, In) (Out, error)) func(context.Context, In) (Out, error) {
	return func(ctx context.Context, in In) (Out, error) {
		ctx = WithCaseID(ctx, caseID(in))
		out, err := h(ctx, in)
		if err != nil {
			log.ErrorContext(ctx, "task failed", "error", err)
		}
		return out, err
	}
}
