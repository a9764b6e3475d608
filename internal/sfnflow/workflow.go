// Package sfnflow drives cases on AWS Step Functions: one execution per case, named by the case
// ID, and the callbacks of its human steps.
package sfnflow

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"attestation/internal/attestation"
)

// API is the part of the Step Functions client the workflow uses.
type API interface {
	StartExecution(ctx context.Context, in *sfn.StartExecutionInput, opts ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
	SendTaskSuccess(ctx context.Context, in *sfn.SendTaskSuccessInput, opts ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error)
	SendTaskFailure(ctx context.Context, in *sfn.SendTaskFailureInput, opts ...func(*sfn.Options)) (*sfn.SendTaskFailureOutput, error)
	DescribeExecution(ctx context.Context, in *sfn.DescribeExecutionInput, opts ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error)
}

// Workflow is the Step Functions Workflow of one state machine.
type Workflow struct {
	sfn             API
	stateMachineARN string
}

var _ attestation.Workflow = (*Workflow)(nil)

// New returns a Workflow on the state machine stateMachineARN.
func New(api API, stateMachineARN string) *Workflow {
	return &Workflow{sfn: api, stateMachineARN: stateMachineARN}
}

// Start starts the execution named caseID; an execution of that name that already exists is
// taken as started (a repeated request).
func (w *Workflow) Start(ctx context.Context, caseID string, input []byte) error {
	_, err := w.sfn.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: &w.stateMachineARN,
		Name: aws.String(caseID), Input: aws.String(string(input))})
	var exists *types.ExecutionAlreadyExists
	if errors.As(err, &exists) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("start execution %s: %w", caseID, err)
	}
	return nil
}

// Succeed sends a task success for token.
func (w *Workflow) Succeed(ctx context.Context, token string, output []byte) error {
	_, err := w.sfn.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: &token, Output: aws.String(string(output))})
	return closed("send task success", err)
}

// Fail sends a task failure with a named error for token.
func (w *Workflow) Fail(ctx context.Context, token, errorName, cause string) error {
	_, err := w.sfn.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: &token, Error: &errorName, Cause: &cause})
	return closed("send task failure "+errorName, err)
}

// closed turns the engine's "this token no longer waits" answers into attestation.ErrStepClosed.
func closed(what string, err error) error {
	if err == nil {
		return nil
	}
	var timedOut *types.TaskTimedOut
	var invalid *types.InvalidToken
	var notFound *types.TaskDoesNotExist
	if errors.As(err, &timedOut) || errors.As(err, &invalid) || errors.As(err, &notFound) {
		return fmt.Errorf("%s: %w: %v", what, attestation.ErrStepClosed, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// ExecutionMissing is the status Execution reports for a case that has no execution (its start
// failed, or the execution's history has expired).
const ExecutionMissing = "MISSING"

// Execution is what the engine says of a case's execution: its status (RUNNING, SUCCEEDED,
// FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE, or ExecutionMissing) and, once it failed, its
// error and cause.
type Execution struct {
	Status string
	Error  string
	Cause  string
}

// Execution describes the execution named caseID (DescribeExecution on its ARN).
func (w *Workflow) Execution(ctx context.Context, caseID string) (Execution, error) {
	arn := w.ExecutionARN(caseID)
	out, err := w.sfn.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: &arn})
	var missing *types.ExecutionDoesNotExist
	if errors.As(err, &missing) {
		return Execution{Status: ExecutionMissing}, nil
	}
	if err != nil {
		return Execution{}, fmt.Errorf("describe execution %s: %w", caseID, err)
	}
	return Execution{Status: string(out.Status), Error: aws.ToString(out.Error), Cause: aws.ToString(out.Cause)}, nil
}

// ExecutionARN is the ARN of the execution named caseID of the state machine
// (arn:…:stateMachine:<name> → arn:…:execution:<name>:<caseID>).
func (w *Workflow) ExecutionARN(caseID string) string {
	return strings.Replace(w.stateMachineARN, ":stateMachine:", ":execution:", 1) + ":" + caseID
}
