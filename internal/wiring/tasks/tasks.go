// Package tasks is the composition root of the state machine's tasks on a case that need only
// the attestation service: register-application, open-step, close-case and case-needs-attention.
package tasks

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"

	"attestation/internal/transition"
	"attestation/internal/wiring"
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
	return h.RegisterApplication, nil
}

// OpenStep builds the handler every human step's callback state invokes (wiring.Constructor).
func OpenStep(ctx context.Context, awsCfg aws.Config, cfg wiring.Config, log *slog.Logger) (any, error) {
	h, err := handlers(awsCfg, cfg, log, "open-step")
	if err != nil {
		return nil, err
	}
	return h.OpenStep, nil
}

// CloseCase builds the handler of the closing tasks (wiring.Constructor).
func CloseCase(ctx context.Context, awsCfg aws.Config, cfg wiring.Config, log *slog.Logger) (any, error) {
	h, err := handlers(awsCfg, cfg, log, "close-case")
	if err != nil {
		return nil, err
	}
	return h.CloseCase, nil
}

// NeedsAttention builds the handler of the definition's catch-all, CaseNeedsAttention
// (wiring.Constructor).
func NeedsAttention(ctx context.Context, awsCfg aws.Config, cfg wiring.Config, log *slog.Logger) (any, error) {
	h, err := handlers(awsCfg, cfg, log, "case-needs-attention")
	if err != nil {
		return nil, err
	}
	return h.NeedsAttention, nil
}
