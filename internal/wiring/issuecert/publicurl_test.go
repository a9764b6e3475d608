package issuecert

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"attestation/internal/wiring"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

type fakeParameters struct {
	values map[string]string
	reads  int
}

func (f *fakeParameters) GetParameter(_ context.Context, in *ssm.GetParameterInput, _ ...func(*ssm.Options)) (*ssm.GetParameterOutput, error) {
	f.reads++
	v, ok := f.values[aws.ToString(in.Name)]
	if !ok {
		return nil, errors.New("ParameterNotFound")
	}
	return &ssm.GetParameterOutput{Parameter: &ssmtypes.Parameter{Value: aws.String(v)}}, nil
}

// TestPublicBaseURL: the environment's address wins (a custom domain, the local stack) without a
// read; otherwise the stack's parameter holds the API's own address.
func TestPublicBaseURL(t *testing.T) {
	params := &fakeParameters{values: map[string]string{"/stack/public-base-url": "https://abc123.execute-api.eu-central-1.amazonaws.com"}}
	reader := func() ParameterReader { return params }
	for _, tc := range []struct {
		name      string
		cfg       wiring.Config
		want      string
		wantErr   string
		wantReads int
	}{
		{"custom domain", wiring.Config{PublicBaseURL: "https://attestation.gov.kz", PublicBaseURLParameter: "/stack/public-base-url"}, "https://attestation.gov.kz", "", 0},
		{"the API's own address", wiring.Config{PublicBaseURLParameter: "/stack/public-base-url"}, "https://abc123.execute-api.eu-central-1.amazonaws.com", "", 1},
		{"parameter missing", wiring.Config{PublicBaseURLParameter: "/other/public-base-url"}, "", "read parameter /other/public-base-url", 1},
		{"nothing set", wiring.Config{}, "", "neither PUBLIC_BASE_URL nor PUBLIC_BASE_URL_PARAMETER", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			params.reads = 0
			got, err := PublicBaseURL(context.Background(), tc.cfg, reader)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
			} else if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
			if params.reads != tc.wantReads {
				t.Errorf("%d parameter reads, want %d", params.reads, tc.wantReads)
			}
		})
	}
}
