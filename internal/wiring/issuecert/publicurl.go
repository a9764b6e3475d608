package issuecert

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"attestation/internal/wiring"
)

// ParameterReader reads one Systems Manager parameter (ssm.Client).
type ParameterReader interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, opts ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

// PublicBaseURL is the API's public address, printed in certificates' QR codes: PUBLIC_BASE_URL
// when set (a custom domain, or the local stack), otherwise the value of the parameter
// PUBLIC_BASE_URL_PARAMETER names, which the stack writes with the API's own address (a function
// cannot name its own API in its environment: the API's routes reference the function). ssmc
// builds the reader only when the parameter must be read.
func PublicBaseURL(ctx context.Context, cfg wiring.Config, ssmc func() ParameterReader) (string, error) {
	if cfg.PublicBaseURL != "" {
		return cfg.PublicBaseURL, nil
	}
	if cfg.PublicBaseURLParameter == "" {
		return "", fmt.Errorf("neither PUBLIC_BASE_URL nor PUBLIC_BASE_URL_PARAMETER is set (the address the certificate's QR code opens)")
	}
	out, err := ssmc().GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(cfg.PublicBaseURLParameter)})
	if err != nil {
		return "", fmt.Errorf("read parameter %s (PUBLIC_BASE_URL_PARAMETER): %w", cfg.PublicBaseURLParameter, err)
	}
	if out.Parameter == nil || aws.ToString(out.Parameter.Value) == "" {
		return "", fmt.Errorf("parameter %s (PUBLIC_BASE_URL_PARAMETER) is empty", cfg.PublicBaseURLParameter)
	}
	return aws.ToString(out.Parameter.Value), nil
}

// SSM is the Systems Manager client of a function, for PublicBaseURL.
func SSM(awsCfg aws.Config) func() ParameterReader {
	return func() ParameterReader { return ssm.NewFromConfig(awsCfg) }
}

// ReadParameter reads one parameter's value through the function's Systems Manager client, built
// on the first read (wiring.Signatures: the trust roots of electronic digital signatures).
func ReadParameter(awsCfg aws.Config) func(ctx context.Context, name string) (string, error) {
	return func(ctx context.Context, name string) (string, error) {
		out, err := ssm.NewFromConfig(awsCfg).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name)})
		if err != nil {
			return "", err
		}
		if out.Parameter == nil {
			return "", nil
		}
		return aws.ToString(out.Parameter.Value), nil
	}
}
