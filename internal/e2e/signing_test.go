package e2e

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"attestation/internal/localstack"
	"attestation/internal/signing"
	"attestation/internal/wiring"
	"attestation/internal/wiring/kmskey"
)

// §29: the local stack creates template.yaml's RegisterSigningKey in KMS and hands its ID to the
// functions as SIGNING_KEY_ID; the signer wiring builds from a function's environment signs with
// it, and the published public key verifies the entry offline.
func TestPar29ProvisionedKeySignsRegisterEntriesThroughWiring(t *testing.T) {
	ctx := context.Background()
	fn, ok := stack.Template.Function("IssueCertificateFunction")
	if !ok {
		t.Fatal("template.yaml has no IssueCertificateFunction")
	}
	cfg, err := wiring.LoadConfig(func(k string) (string, bool) { v, ok := fn.Env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range stack.Template.Functions {
		if f.Env["SIGNING_KEY_ID"] != cfg.SigningKeyID {
			t.Errorf("%s: SIGNING_KEY_ID=%q, want the one key %q", f.LogicalID, f.Env["SIGNING_KEY_ID"], cfg.SigningKeyID)
		}
	}
	key, err := stack.Clients.KMS.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(cfg.SigningKeyID)})
	if err != nil {
		t.Fatalf("SIGNING_KEY_ID=%q is not a key in the stack's KMS: %v", cfg.SigningKeyID, err)
	}
	if m := key.KeyMetadata; m.KeySpec != kmstypes.KeySpecEccNistP256 || m.KeyUsage != kmstypes.KeyUsageTypeSignVerify {
		t.Fatalf("key %s: %s %s, want ECC_NIST_P256 SIGN_VERIFY", cfg.SigningKeyID, m.KeySpec, m.KeyUsage)
	}

	signer, err := kmskey.Signer(localstack.AWSConfig(stack.MotoURL), cfg)
	if err != nil {
		t.Fatal(err)
	}
	entry := []byte(`{"number":"KZ-2026-0001","status":"valid"}`)
	sig, err := signer.Sign(ctx, entry)
	if err != nil {
		t.Fatal(err)
	}
	if sig.KeyID != aws.ToString(key.KeyMetadata.Arn) {
		t.Errorf("signature names key %q, want the key's ARN %q", sig.KeyID, aws.ToString(key.KeyMetadata.Arn))
	}
	pub, err := signer.PublicKeyPEM(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := signing.Verify(pub, entry, sig); err != nil {
		t.Fatalf("the published key does not verify the entry: %v", err)
	}
	if err := signing.Verify(pub, []byte(`{"number":"KZ-2026-0001","status":"recalled"}`), sig); !errors.Is(err, signing.ErrBadSignature) {
		t.Fatalf("a changed entry: %v, want ErrBadSignature", err)
	}
}
