// Package metrics writes CloudWatch metrics as log lines in the embedded metric format (EMF):
// CloudWatch Logs extracts the metrics from a function's log group, so no PutMetricData call,
// permission or client is needed. The format is AWS's "Specification: Embedded metric format"
// (CloudWatch user guide); there is no AWS-maintained Go library for it, so this package writes
// the documented document, through the function's slog JSON logger: the root holds the _aws
// metadata object, each dimension's value and each metric's value, beside the logger's own
// members (time, level, msg, function...), which the specification allows.
//
// Every metric is in the namespace Namespace with the one dimension FunctionName, the function's
// physical name, so two stacks in one account (dev and prod) never mix their figures, and an
// alarm in template.yaml names the function by !Ref.
package metrics

import (
	"context"
	"log/slog"
	"time"
)

// Namespace is the CloudWatch namespace of the system's own metrics (template.yaml's alarms and
// dashboard read them there).
const Namespace = "Attestation"

// DimensionFunction is the one dimension of every metric: the function that emitted it.
const DimensionFunction = "FunctionName"

// The metrics the functions emit (docs/runbook.md says what each alarm on them means).
const (
	DeadlineCheckSucceeded = "DeadlineCheckSucceeded" // 1 per run of the deadline check that ended without error, 0 otherwise
	StepsOverdue           = "StepsOverdue"           // steps the run marked overdue
	StepsLapsed            = "StepsLapsed"            // applicants' steps whose lapse the run applied
	CasesNeedingAttention  = "CasesNeedingAttention"  // cases put in the authority's queue (case_needs_attention)
	// CasesOpen is a gauge: the open cases at one stage (dimension Stage) when the deadline check
	// counted them (its census, from the indexes), one value per stage per run.
	CasesOpen = "CasesOpen"
	// StepsPastDue is a gauge: the open steps past their due moment at the run's time.
	StepsPastDue = "StepsPastDue"
	// UploadsExpired: declarations of uploads never confirmed whose bytes and declaration the
	// run deleted (its sweep of expired uploads).
	UploadsExpired = "UploadsExpired"
	// The notify function's, per invocation (issue 13): the notifications it delivered (outcome
	// sent, or no_mail: published, no address registered), those whose mail an address refused
	// (bounced), and those it gave up on after their attempts (failed). A notification delivered
	// again by the stream is not counted again.
	NotificationsSent    = "NotificationsSent"
	NotificationsBounced = "NotificationsBounced"
	NotificationsFailed  = "NotificationsFailed"
)

// DimensionStage is the second dimension of CasesOpen: the stage counted.
const DimensionStage = "Stage"

// Unit is a CloudWatch unit the specification allows; the package uses these.
type Unit string

// Units used here.
const (
	Count Unit = "Count"
	None  Unit = "None"
)

// Value is one metric's value in a document.
type Value struct {
	Name  string
	Unit  Unit
	Value float64
}

// Emitter writes metric documents for one function.
type Emitter struct {
	log      *slog.Logger
	function string
	now      func() time.Time
}

// New returns an emitter writing through log, for the function with physical name function
// (aws-lambda-go's lambdacontext.FunctionName in Lambda), stamping documents with now.
func New(log *slog.Logger, function string, now func() time.Time) *Emitter {
	if now == nil {
		now = time.Now
	}
	return &Emitter{log: log, function: function, now: now}
}

// metadata is the specification's metadata object (the root member _aws).
type metadata struct {
	Timestamp         int64       `json:"Timestamp"` // milliseconds since the epoch
	CloudWatchMetrics []directive `json:"CloudWatchMetrics"`
}

// directive is a MetricDirective: the namespace, the dimension sets (each a list of root member
// names) and the metric definitions.
type directive struct {
	Namespace  string       `json:"Namespace"`
	Dimensions [][]string   `json:"Dimensions"`
	Metrics    []definition `json:"Metrics"`
}

// definition is a MetricDefinition: the name of a root member holding the value, and its unit.
type definition struct {
	Name string `json:"Name"`
	Unit Unit   `json:"Unit,omitempty"`
}

// maxMetrics is the specification's limit of metric definitions in one directive.
const maxMetrics = 100

// Emit writes one document with values (at most 100; more are written in further documents).
// It writes nothing for no values.
func (e *Emitter) Emit(ctx context.Context, values ...Value) {
	for len(values) > 0 {
		n := min(len(values), maxMetrics)
		e.emit(ctx, values[:n])
		values = values[n:]
	}
}

// EmitWith writes one document with values (at most 100) under the dimensions FunctionName and
// dimension, whose value is value (a gauge per stage: CasesOpen by DimensionStage).
func (e *Emitter) EmitWith(ctx context.Context, dimension, value string, values ...Value) {
	for len(values) > 0 {
		n := min(len(values), maxMetrics)
		e.emit(ctx, values[:n], slog.String(dimension, value))
		values = values[n:]
	}
}

func (e *Emitter) emit(ctx context.Context, values []Value, extra ...slog.Attr) {
	dims := []string{DimensionFunction}
	for _, a := range extra {
		dims = append(dims, a.Key)
	}
	d := directive{Namespace: Namespace, Dimensions: [][]string{dims}}
	attrs := make([]slog.Attr, 0, len(values)+2+len(extra))
	for _, v := range values {
		d.Metrics = append(d.Metrics, definition{Name: v.Name, Unit: v.Unit})
		attrs = append(attrs, slog.Float64(v.Name, v.Value))
	}
	attrs = append(attrs, extra...)
	attrs = append(attrs, slog.String(DimensionFunction, e.function),
		slog.Any("_aws", metadata{Timestamp: e.now().UnixMilli(), CloudWatchMetrics: []directive{d}}))
	e.log.LogAttrs(ctx, slog.LevelInfo, "metrics", attrs...)
}
