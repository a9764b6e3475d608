// Package kmssign signs the entries of the public register of certificates (§29) with an AWS KMS
// asymmetric key (ECC_NIST_P256, SIGN_VERIFY). The message is hashed with SHA-256 here and KMS
// signs the digest (MessageType DIGEST), so an entry of any size is one Sign call; anyone holding
// the public key verifies offline with signing.Verify.
package kmssign

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"attestation/internal/signing"
)

// API is the part of the KMS client the signer uses (*kms.Client implements it).
type API interface {
	Sign(ctx context.Context, in *kms.SignInput, optFns ...func(*kms.Options)) (*kms.SignOutput, error)
	GetPublicKey(ctx context.Context, in *kms.GetPublicKeyInput, optFns ...func(*kms.Options)) (*kms.GetPublicKeyOutput, error)
}

var _ API = (*kms.Client)(nil)

// Signer signs with one KMS key. It is safe for concurrent use.
type Signer struct {
	api   API
	keyID string

	mu        sync.Mutex
	publicKey []byte // the PEM, once GetPublicKey has answered
}

var _ signing.Signer = (*Signer)(nil)

// New returns a signer for the key keyID (a key ID, key ARN, alias name or alias ARN).
func New(api API, keyID string) *Signer {
	return &Signer{api: api, keyID: keyID}
}

// Sign signs sha256(message) with ECDSA_SHA_256. The signature's KeyID is the key's ARN as KMS
// reports it (the key ID when KMS reports no ARN).
func (s *Signer) Sign(ctx context.Context, message []byte) (signing.Signature, error) {
	digest := sha256.Sum256(message)
	out, err := s.api.Sign(ctx, &kms.SignInput{
		KeyId:            aws.String(s.keyID),
		Message:          digest[:],
		MessageType:      types.MessageTypeDigest,
		SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256,
	})
	if err != nil {
		return signing.Signature{}, fmt.Errorf("kms sign with key %s: %w", s.keyID, err)
	}
	if len(out.Signature) == 0 {
		return signing.Signature{}, fmt.Errorf("kms sign with key %s: empty signature", s.keyID)
	}
	if out.SigningAlgorithm != types.SigningAlgorithmSpecEcdsaSha256 {
		return signing.Signature{}, fmt.Errorf("kms sign with key %s: signed with %q, asked %s", s.keyID, out.SigningAlgorithm, signing.AlgorithmECDSASHA256)
	}
	keyID := aws.ToString(out.KeyId)
	if keyID == "" {
		keyID = s.keyID
	}
	return signing.Signature{KeyID: keyID, Algorithm: signing.AlgorithmECDSASHA256, Value: out.Signature}, nil
}

// PublicKeyPEM returns the key's public half as a "PUBLIC KEY" PEM block (the DER
// SubjectPublicKeyInfo KMS returns). The first successful call asks KMS; later calls answer from
// memory. A failed call is not remembered, so the next one asks again.
func (s *Signer) PublicKeyPEM(ctx context.Context) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.publicKey != nil {
		return clone(s.publicKey), nil
	}
	out, err := s.api.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: aws.String(s.keyID)})
	if err != nil {
		return nil, fmt.Errorf("kms get public key %s: %w", s.keyID, err)
	}
	if out.KeyUsage != "" && out.KeyUsage != types.KeyUsageTypeSignVerify {
		return nil, fmt.Errorf("kms get public key %s: key usage %s, want %s", s.keyID, out.KeyUsage, types.KeyUsageTypeSignVerify)
	}
	p := signing.EncodePublicKeyPEM(out.PublicKey)
	if _, err := signing.ParsePublicKeyPEM(p); err != nil {
		return nil, fmt.Errorf("kms get public key %s: the key must be ECC_NIST_P256: %w", s.keyID, err)
	}
	s.publicKey = p
	return clone(p), nil
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }
