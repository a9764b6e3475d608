// Package deadlinecheck is the composition root of the scheduled deadline check: the cases'
// open steps, the reconciliation of executions that stopped while their case had not, the
// register's watch (§40-§48), complaints (standard §11), the daily open-data export of the
// register (§29) and the daily archive of the call records (seed 003 §7-§8, Law Art. 40), and the
// reminders before the periods that hurt when missed (issue 13: §17, §31, §46, the §12 renewal,
// the annual list of §11), and the sweep of uploads whose declaration expired unconfirmed.
package deadlinecheck

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"attestation/internal/attestation"
	"attestation/internal/calendar"
	"attestation/internal/callarchive"
	"attestation/internal/deadline"
	"attestation/internal/dynamostore"
	"attestation/internal/notice"
	"attestation/internal/objects"
	"attestation/internal/register"
	"attestation/internal/s3store"
	"attestation/internal/sfnflow"
	"attestation/internal/statistics"
	"attestation/internal/wiring"
	"attestation/internal/wiring/complaintsvc"
	"attestation/internal/wiring/kmskey"
	"attestation/internal/wiring/metrics"
)

// New builds the scheduled deadline check's handler (wiring.Constructor).
func New(ctx context.Context, awsCfg aws.Config, cfg wiring.Config, log *slog.Logger) (any, error) {
	db := dynamodb.NewFromConfig(awsCfg) // one client for every watch of the table
	svc, err := wiring.Cases(awsCfg, cfg, log)
	if err != nil {
		return nil, fmt.Errorf("deadline-check: %w", err)
	}
	comps, err := complaintsvc.New(awsCfg, cfg, log)
	if err != nil {
		return nil, fmt.Errorf("deadline-check: %w", err)
	}
	exports, err := openData(awsCfg, db, cfg)
	if err != nil {
		return nil, fmt.Errorf("deadline-check: %w", err)
	}
	watch, err := registerWatch(awsCfg, db, cfg, log)
	if err != nil {
		return nil, fmt.Errorf("deadline-check: %w", err)
	}
	archive, err := callarchive.New(dynamostore.NewAudit(db, cfg.TableName),
		s3store.NewRecords(wiring.NewS3(awsCfg, cfg), cfg.RecordsBucket))
	if err != nil {
		return nil, fmt.Errorf("deadline-check: %w", err)
	}
	execs, err := deadline.NewExecutions(deadline.ExecutionsDeps{Waiting: dynamostore.New(db, cfg.TableName),
		Engine: engine{sfnflow.New(sfn.NewFromConfig(awsCfg), cfg.StateMachineARN)}, Marker: svc})
	if err != nil {
		return nil, fmt.Errorf("deadline-check: %w", err)
	}
	census, err := deadline.NewCensus(dynamostore.New(db, cfg.TableName), 0)
	if err != nil {
		return nil, fmt.Errorf("deadline-check: %w", err)
	}
	reminderCal, err := calendar.Kazakhstan()
	if err != nil {
		return nil, fmt.Errorf("deadline-check: calendar: %w", err)
	}
	stats, err := statistics.NewService(dynamostore.NewStatistics(db, cfg.TableName), reminderCal)
	if err != nil {
		return nil, fmt.Errorf("deadline-check: %w", err)
	}
	statsExport := statistics.NewOpenData(stats, s3store.NewRecords(wiring.NewS3(awsCfg, cfg), cfg.RecordsBucket))
	plans, err := objects.NewPlanReminders(dynamostore.NewOversight(db, cfg.TableName),
		dynamostore.NewNotices(db, cfg.TableName), reminderCal, cfg.PolicyEdition)
	if err != nil {
		return nil, fmt.Errorf("deadline-check: %w", err)
	}
	sweep, err := attestation.NewUploadSweep(dynamostore.NewExpiredUploads(dynamodb.NewFromConfig(awsCfg), cfg.TableName),
		s3store.NewFiles(wiring.NewS3(awsCfg, cfg), cfg.DocumentsBucket), log)
	if err != nil {
		return nil, fmt.Errorf("deadline-check: %w", err)
	}
	h, err := deadline.New(deadline.Deps{Cases: svc, Checks: []deadline.Named{
		{Name: "executions", Checker: execs}, {Name: "census", Checker: census},
		{Name: "reminders", Checker: attestation.NewReminderCheck(svc)},
		{Name: "register-reminders", Checker: register.NewReminders(dynamostore.New(db, cfg.TableName),
			dynamostore.NewNotices(db, cfg.TableName), reminderCal)},
		{Name: "plan-reminders", Checker: plans},
		{Name: "service-term", Checker: attestation.NewTermCheck(svc, dynamostore.New(db, cfg.TableName))},
		{Name: "register", Checker: watch}, {Name: "complaints", Checker: comps}, {Name: "open-data", Checker: exports},
		{Name: "call-archive", Checker: archive}, {Name: "open-data-statistics", Checker: statsExport},
		{Name: "notifications", Checker: notice.NewRedelivery(dynamostore.NewNotices(db, cfg.TableName))},
		{Name: "uploads", Checker: sweep}}})
	if err != nil {
		return nil, fmt.Errorf("deadline-check: %w", err)
	}
	return counted(h.Handle, metrics.New(log, lambdacontext.FunctionName, nil)), nil
}

// counted wraps the run so that it reports its outcome as metrics (template.yaml's alarms):
// DeadlineCheckSucceeded (1 when the run ended without error, else 0; the alarm
// DeadlineCheckNotSucceededAlarm fires after 26 hours without a 1), the steps it marked overdue
// and lapsed, the cases whose stopped execution it put in the authority's queue
// (checks.executions.needsAttention of the report), and the expired uploads it swept
// (checks.uploads.expired).
func counted(run func(context.Context, deadline.Event) (deadline.Report, error), emf *metrics.Emitter) func(context.Context, deadline.Event) (deadline.Report, error) {
	return func(ctx context.Context, ev deadline.Event) (deadline.Report, error) {
		rep, err := run(ctx, ev)
		emf.Emit(ctx, Figures(rep, err)...)
		for _, g := range Gauges(rep) {
			emf.EmitWith(ctx, metrics.DimensionStage, g.Stage, g.Value)
		}
		return rep, err
	}
}

// Figures are the metrics of one run with report rep and error err.
func Figures(rep deadline.Report, err error) []metrics.Value {
	ok := 1.0
	if err != nil {
		ok = 0
	}
	attention := 0
	if ex, found := rep.Checks["executions"].(deadline.ExecutionsReport); found {
		attention = len(ex.NeedsAttention)
	}
	out := []metrics.Value{
		{Name: metrics.DeadlineCheckSucceeded, Unit: metrics.Count, Value: ok},
		{Name: metrics.StepsOverdue, Unit: metrics.Count, Value: float64(len(rep.Overdue))},
		{Name: metrics.StepsLapsed, Unit: metrics.Count, Value: float64(len(rep.Lapsed))},
		{Name: metrics.CasesNeedingAttention, Unit: metrics.Count, Value: float64(attention)},
	}
	if c, found := rep.Checks["census"].(deadline.CensusReport); found {
		out = append(out, metrics.Value{Name: metrics.StepsPastDue, Unit: metrics.Count, Value: float64(c.Overdue)})
	}
	if u, found := rep.Checks["uploads"].(attestation.UploadSweepReport); found {
		out = append(out, metrics.Value{Name: metrics.UploadsExpired, Unit: metrics.Count, Value: float64(u.Expired)})
	}
	return out
}

// Gauge is one stage's figure of the census.
type Gauge struct {
	Stage string
	Value metrics.Value
}

// Gauges are the census's figures of one run (the dashboard's "cases by stage"): CasesOpen for
// every stage the census names, in its order; none when the census did not report. The census's
// overdue count goes out with Figures (StepsPastDue).
func Gauges(rep deadline.Report) []Gauge {
	c, ok := rep.Checks["census"].(deadline.CensusReport)
	if !ok {
		return nil
	}
	var out []Gauge
	for _, s := range deadline.CensusStages() {
		out = append(out, Gauge{Stage: s, Value: metrics.Value{Name: metrics.CasesOpen, Unit: metrics.Count, Value: float64(c.Open[s])}})
	}
	return out
}

// engine is the Step Functions workflow as the reconciliation of executions asks it.
type engine struct{ wf *sfnflow.Workflow }

func (e engine) Execution(ctx context.Context, caseID string) (deadline.Execution, error) {
	ex, err := e.wf.Execution(ctx, caseID)
	return deadline.Execution{Status: ex.Status, Error: ex.Error, Cause: ex.Cause}, err
}

// registerWatch builds the register's watch (§40-§48): entries on the table, every revision
// signed with the KMS key SIGNING_KEY_ID.
func registerWatch(awsCfg aws.Config, db *dynamodb.Client, cfg wiring.Config, log *slog.Logger) (*register.Watcher, error) {
	signer, err := kmskey.Signer(awsCfg, cfg)
	if err != nil {
		return nil, fmt.Errorf("register watch: %w", err)
	}
	cal, err := calendar.Kazakhstan()
	if err != nil {
		return nil, fmt.Errorf("register watch: calendar: %w", err)
	}
	return register.NewWatcher(register.WatcherDeps{Store: dynamostore.New(db, cfg.TableName),
		Signer: signer, Calendar: cal, Log: log})
}

// openData builds the daily open-data export of the register (§29) into the records bucket.
func openData(awsCfg aws.Config, db *dynamodb.Client, cfg wiring.Config) (*register.OpenData, error) {
	almaty, err := time.LoadLocation("Asia/Almaty")
	if err != nil {
		return nil, fmt.Errorf("open-data export: %w", err)
	}
	return register.NewOpenData(dynamostore.New(db, cfg.TableName),
		s3store.NewRecords(wiring.NewS3(awsCfg, cfg), cfg.RecordsBucket), almaty), nil
}
