// Package tasks is the composition root of the state machine's tasks on a case that need only
// the attestation service: register-application, open-step, close-case and case-needs-attention.
package tasks

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"

	"attestation/internal/attestation"
	"attestation/internal/transition"
	"attestation/internal/wiring"
	"attestation/internal/wiring/logs"
	"attestation/internal/wiring/metrics"
)

// handlers builds the task handlers over the attestation service, for the function name.
func handlers(awsCfg aws.Config, cfg wiring.Config, log *slog.Logger, name string) (*transition.Handlers, error) {
	svc, err := wiring.Cases(awsCfg, cfg, log)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return transition.New(svc), nil
}

// RegisterApplication builds the RecordApplicationReceipt task's handler (wiring.Constructor).
func RegisterApplication(ctx context.Context, awsCfg aws.Config, cfg wiring.Config, log *slog.Logger) (any, error) {
	h, err := handlers(awsCfg, cfg, log, "register-application")
	if err != nil {
		return nil, err
	}
	return logs.PerCase(log, func(in attestation.ExecutionInput) string { return in.CaseID }, h.RegisterApplication), nil
}

// OpenStep builds the handler every human step's callback state invokes (wiring.Constructor).
func OpenStep(ctx context.Context, awsCfg aws.Config, cfg wiring.Config, log *slog.Logger) (any, error) {
	h, err := handlers(awsCfg, cfg, log, "open-step")
	if err != nil {
		return nil, err
	}
	return logs.PerCase(log, func(in attestation.OpenStepInput) string { return in.CaseID }, h.OpenStep), nil
}

// CloseCase builds the handler of the closing tasks (wiring.Constructor).
func CloseCase(ctx context.Context, awsCfg aws.Config, cfg wiring.Config, log *slog.Logger) (any, error) {
	h, err := handlers(awsCfg, cfg, log, "close-case")
	if err != nil {
		return nil, err
	}
	return logs.PerCase(log, func(in attestation.CloseInput) string { return in.CaseID }, h.CloseCase), nil
}

// NeedsAttention builds the handler of the definition's catch-all, CaseNeedsAttention
// (wiring.Constructor).
func NeedsAttention(ctx context.Context, awsCfg aws.Config, cfg wiring.Config, log *slog.Logger) (any, error) {
	h, err := handlers(awsCfg, cfg, log, "case-needs-attention")
	if err != nil {
		return nil, err
	}
	emf := metrics.New(log, lambdacontext.FunctionName, nil)
	// Each case put in the authority's queue counts once in CasesNeedingAttention (the alarm
	// CasesNeedingAttentionAlarm in template.yaml).
	counted := func(ctx context.Context, in transition.AttentionInput) (transition.AttentionResult, error) {
		out, err := h.NeedsAttention(ctx, in)
		if err == nil {
			emf.Emit(ctx, metrics.Value{Name: metrics.CasesNeedingAttention, Unit: metrics.Count, Value: 1})
		}
		return out, err
	}
	return logs.PerCase(log, func(in transition.AttentionInput) string { return in.CaseID }, counted), nil
}
