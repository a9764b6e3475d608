// Command case-needs-attention is the state machine's catch-all task: it records on the case that a task kept
// failing after its retries, and puts the case in the authority's queue.
// It is built as the function's bootstrap (provided.al2023, arm64); see template.yaml.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"

	"attestation/internal/wiring"
	"attestation/internal/wiring/awshttp"
	"attestation/internal/wiring/logs"
	"attestation/internal/wiring/tasks"
)

func main() {
	log := logs.New(os.Stdout, "case-needs-attention")
	if err := run(log); err != nil {
		log.Error("cold start failed", "error", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	ctx := context.Background()
	cfg, err := wiring.LoadConfig(os.LookupEnv)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, config.WithHTTPClient(awshttp.Client()))
	if err != nil {
		return fmt.Errorf("aws config: %w", err)
	}
	handler, err := tasks.NeedsAttention(ctx, awsCfg, cfg, log)
	if err != nil {
		return err
	}
	lambda.Start(handler)
	return nil
}
