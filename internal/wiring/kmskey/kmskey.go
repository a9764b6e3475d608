// Package kmskey builds the register's signer on the KMS key SIGNING_KEY_ID names (§29), for the
// roots of the functions that sign register entries (the API, the issuing task, the deadline
// check) and for the tests that check their signatures.
package kmskey

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"attestation/internal/kmssign"
	"attestation/internal/wiring"
)

// Signer returns the signer of register entries (§29): the KMS key SIGNING_KEY_ID names.
func Signer(awsCfg aws.Config, cfg wiring.Config) (*kmssign.Signer, error) {
	if cfg.SigningKeyID == "" {
		return nil, fmt.Errorf("register signer: SIGNING_KEY_ID is not set (the KMS key that signs register entries)")
	}
	return kmssign.New(kms.NewFromConfig(awsCfg), cfg.SigningKeyID), nil
}
