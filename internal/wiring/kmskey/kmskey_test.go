package kmskey

import (
	"bytes"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"attestation/internal/wiring"
)

func TestSigningKeyIsOptionalInTheConfigButTheSignerNeedsIt(t *testing.T) {
	env := map[string]string{"TABLE_NAME": "t", "DOCUMENTS_BUCKET": "d", "RECORDS_BUCKET": "r", "POLICY_EDITION": "e"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	cfg, err := wiring.LoadConfig(lookup)
	if err != nil || cfg.SigningKeyID != "" {
		t.Fatalf("without SIGNING_KEY_ID: %+v %v, want it accepted and empty", cfg, err)
	}
	if _, err := Signer(aws.Config{}, cfg); err == nil || !bytes.Contains([]byte(err.Error()), []byte("SIGNING_KEY_ID")) {
		t.Fatalf("Signer without a key: %v, want an error naming SIGNING_KEY_ID", err)
	}
	env["SIGNING_KEY_ID"] = "alias/attestation-register"
	if cfg, err = wiring.LoadConfig(lookup); err != nil || cfg.SigningKeyID != "alias/attestation-register" {
		t.Fatalf("with SIGNING_KEY_ID: %+v %v", cfg, err)
	}
	if s, err := Signer(aws.Config{}, cfg); err != nil || s == nil {
		t.Fatalf("Signer with a key: %v", err)
	}
}
