package kmssign_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"attestation/internal/kmssign"
	"attestation/internal/localstack"
	"attestation/internal/signing"
)

// The signer is tested against KMS in the local stack (moto, through the project's launcher),
// with keys made here: the SDK's requests and KMS's answers are the real ones.
var (
	stack  *localstack.Stack
	client *kms.Client
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	root, err := localstack.FindRoot(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	stack, err = localstack.Start(ctx, localstack.Options{Root: root})
	if err != nil {
		fmt.Fprintln(os.Stderr, "local stack:", err)
		return 1
	}
	defer stack.Close()
	client = kms.NewFromConfig(localstack.AWSConfig(stack.MotoURL))
	return m.Run()
}

// newKey creates an asymmetric signing key of spec and returns its metadata.
func newKey(t testing.TB, spec types.KeySpec) *types.KeyMetadata {
	t.Helper()
	out, err := client.CreateKey(context.Background(), &kms.CreateKeyInput{KeySpec: spec, KeyUsage: types.KeyUsageTypeSignVerify,
		Description: aws.String("register signing key of a kmssign test")})
	if err != nil {
		t.Fatal(err)
	}
	return out.KeyMetadata
}

// kmsVerify asks KMS itself whether sig is a signature over sha256(message). KMS answers a bad
// signature with KMSInvalidSignatureException (moto with SignatureValid false).
func kmsVerify(t *testing.T, keyID string, message []byte, sig signing.Signature) bool {
	t.Helper()
	digest := sha256.Sum256(message)
	out, err := client.Verify(context.Background(), &kms.VerifyInput{KeyId: aws.String(keyID), Message: digest[:],
		MessageType: types.MessageTypeDigest, Signature: sig.Value, SigningAlgorithm: types.SigningAlgorithmSpec(sig.Algorithm)})
	var invalid *types.KMSInvalidSignatureException
	if errors.As(err, &invalid) {
		return false
	}
	if err != nil {
		t.Fatalf("kms verify: %v", err)
	}
	return out.SignatureValid
}

// counting counts the signer's calls to KMS; failGetPublicKey makes the next n GetPublicKey calls fail.
type counting struct {
	next             kmssign.API
	signs, getPubs   atomic.Int64
	failGetPublicKey atomic.Int64
}

func (c *counting) Sign(ctx context.Context, in *kms.SignInput, opt ...func(*kms.Options)) (*kms.SignOutput, error) {
	c.signs.Add(1)
	return c.next.Sign(ctx, in, opt...)
}

func (c *counting) GetPublicKey(ctx context.Context, in *kms.GetPublicKeyInput, opt ...func(*kms.Options)) (*kms.GetPublicKeyOutput, error) {
	c.getPubs.Add(1)
	if c.failGetPublicKey.Add(-1) >= 0 {
		return nil, errors.New("connection reset")
	}
	return c.next.GetPublicKey(ctx, in, opt...)
}

var entry = []byte(`{"number":"KZ-2026-0001","object":"Registry","ownerBin":"120540001238","status":"valid","validUntil":"2029-10-15"}`)

func TestPar29EntrySignedInKMSVerifiesOfflineAndInKMS(t *testing.T) {
	ctx := context.Background()
	key := newKey(t, types.KeySpecEccNistP256)
	s := kmssign.New(client, aws.ToString(key.KeyId))

	sig, err := s.Sign(ctx, entry)
	if err != nil {
		t.Fatal(err)
	}
	if sig.KeyID != aws.ToString(key.Arn) || sig.Algorithm != signing.AlgorithmECDSASHA256 || len(sig.Value) == 0 {
		t.Fatalf("signature %+v, want the key's ARN %s and %s", sig, aws.ToString(key.Arn), signing.AlgorithmECDSASHA256)
	}
	pub, err := s.PublicKeyPEM(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(pub), "-----BEGIN PUBLIC KEY-----\n") {
		t.Fatalf("public key is not a PUBLIC KEY PEM block:\n%s", pub)
	}
	if err := signing.Verify(pub, entry, sig); err != nil {
		t.Fatalf("offline verification of KMS's signature: %v", err)
	}
	if !kmsVerify(t, aws.ToString(key.KeyId), entry, sig) {
		t.Fatal("KMS Verify says its own signature is invalid")
	}

	t.Run("a tampered entry fails offline and in KMS", func(t *testing.T) {
		tampered := []byte(strings.Replace(string(entry), `"valid"`, `"recalled"`, 1))
		if err := signing.Verify(pub, tampered, sig); !errors.Is(err, signing.ErrBadSignature) {
			t.Fatalf("offline: %v, want ErrBadSignature", err)
		}
		if kmsVerify(t, aws.ToString(key.KeyId), tampered, sig) {
			t.Fatal("KMS Verify accepts a tampered entry")
		}
	})
	t.Run("another KMS key's public key does not verify it", func(t *testing.T) {
		other, err := kmssign.New(client, aws.ToString(newKey(t, types.KeySpecEccNistP256).KeyId)).PublicKeyPEM(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := signing.Verify(other, entry, sig); !errors.Is(err, signing.ErrBadSignature) {
			t.Fatalf("%v, want ErrBadSignature", err)
		}
	})
	t.Run("the alias signs with the same key", func(t *testing.T) {
		alias := "alias/kmssign-test-" + aws.ToString(key.KeyId)
		if _, err := client.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: &alias, TargetKeyId: key.KeyId}); err != nil {
			t.Fatal(err)
		}
		sig, err := kmssign.New(client, alias).Sign(ctx, entry)
		if err != nil {
			t.Fatal(err)
		}
		if sig.KeyID != aws.ToString(key.Arn) {
			t.Fatalf("signed through the alias: key %s, want %s", sig.KeyID, aws.ToString(key.Arn))
		}
		if err := signing.Verify(pub, entry, sig); err != nil {
			t.Fatal(err)
		}
	})
}

func TestPublicKeyIsFetchedOnceAcrossConcurrentSigns(t *testing.T) {
	ctx := context.Background()
	key := newKey(t, types.KeySpecEccNistP256)
	api := &counting{next: client}
	s := kmssign.New(api, aws.ToString(key.KeyId))

	const n = 16
	sigs := make([]signing.Signature, n)
	pubs := make([][]byte, n)
	errs := make([]error, 2*n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { sigs[i], errs[i] = s.Sign(ctx, entry) })
		wg.Go(func() { pubs[i], errs[n+i] = s.PublicKeyPEM(ctx) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if got := api.getPubs.Load(); got != 1 {
		t.Fatalf("GetPublicKey called %d times for %d concurrent callers, want once", got, n)
	}
	if got := api.signs.Load(); got != n {
		t.Fatalf("Sign called %d times, want %d", got, n)
	}
	for i := range n {
		if string(pubs[i]) != string(pubs[0]) {
			t.Fatalf("caller %d got another public key", i)
		}
		if err := signing.Verify(pubs[0], entry, sigs[i]); err != nil {
			t.Fatalf("signature %d: %v", i, err)
		}
	}
	pubs[0][0] = 'X' // a caller changing its copy changes nobody else's
	again, err := s.PublicKeyPEM(ctx)
	if err != nil || string(again) != string(pubs[1]) || api.getPubs.Load() != 1 {
		t.Fatalf("after a caller changed its copy: %q %v, %d calls", again[:16], err, api.getPubs.Load())
	}
}

func TestFailedPublicKeyFetchIsNotRemembered(t *testing.T) {
	ctx := context.Background()
	key := newKey(t, types.KeySpecEccNistP256)
	api := &counting{next: client}
	api.failGetPublicKey.Store(1)
	s := kmssign.New(api, aws.ToString(key.KeyId))
	if _, err := s.PublicKeyPEM(ctx); err == nil || !strings.Contains(err.Error(), "kms get public key "+aws.ToString(key.KeyId)) {
		t.Fatalf("first call: %v, want the failure with the key's ID", err)
	}
	if _, err := s.PublicKeyPEM(ctx); err != nil {
		t.Fatalf("second call: %v", err)
	}
	if got := api.getPubs.Load(); got != 2 {
		t.Fatalf("GetPublicKey called %d times, want 2", got)
	}
}

func TestKeysThatCannotSignRegisterEntriesAreRefused(t *testing.T) {
	ctx := context.Background()
	t.Run("a key that does not exist", func(t *testing.T) {
		s := kmssign.New(client, "00000000-0000-0000-0000-000000000000")
		_, err := s.Sign(ctx, entry)
		var nf *types.NotFoundException
		if !errors.As(err, &nf) || !strings.Contains(err.Error(), "kms sign with key 00000000-0000-0000-0000-000000000000") {
			t.Fatalf("sign: %v, want NotFoundException with the key's ID", err)
		}
		if _, err := s.PublicKeyPEM(ctx); !errors.As(err, &nf) {
			t.Fatalf("public key: %v, want NotFoundException", err)
		}
	})
	t.Run("an RSA key", func(t *testing.T) {
		s := kmssign.New(client, aws.ToString(newKey(t, types.KeySpecRsa2048).KeyId))
		if _, err := s.Sign(ctx, entry); err == nil {
			t.Fatal("an RSA key signed with ECDSA_SHA_256")
		}
		if _, err := s.PublicKeyPEM(ctx); err == nil || !strings.Contains(err.Error(), "must be ECC_NIST_P256") {
			t.Fatalf("public key of an RSA key: %v, want a refusal", err)
		}
	})
}

// BenchmarkSign is one KMS Sign round trip to the local stack's KMS (moto).
func BenchmarkSign(b *testing.B) {
	ctx := context.Background()
	s := kmssign.New(client, aws.ToString(newKey(b, types.KeySpecEccNistP256).KeyId))
	for b.Loop() {
		if _, err := s.Sign(ctx, entry); err != nil {
			b.Fatal(err)
		}
	}
}
