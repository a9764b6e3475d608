// Package signing signs and verifies the entries of the public register of certificates (§29),
// so that anyone holding the published public key can check an entry offline. The key lives in
// AWS KMS (internal/kmssign); this package holds the contract, the offline check and an
// in-process signer, and imports no AWS package.
package signing

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// AlgorithmECDSASHA256 is ECDSA over SHA-256 with a P-256 key, named as KMS names it
// (SigningAlgorithmSpec). The message is hashed locally and the digest is signed.
const AlgorithmECDSASHA256 = "ECDSA_SHA_256"

// ErrBadSignature means the signature does not match the message under the given key: the
// message was changed, or another key signed it.
var ErrBadSignature = errors.New("signature does not match")

// Signature is a signature over a message, with the key and algorithm that made it.
type Signature struct {
	KeyID     string `json:"keyId"`     // the key's ARN or ID as the signer reports it
	Algorithm string `json:"algorithm"` // e.g. AlgorithmECDSASHA256
	Value     []byte `json:"value"`     // DER (ASN.1) ECDSA signature; base64 in JSON
}

// Signer signs messages and publishes the public key that verifies them. The register declares
// its own copy of the part it uses; this is the documented contract that implementations keep.
type Signer interface {
	// Sign signs sha256(message) with AlgorithmECDSASHA256.
	Sign(ctx context.Context, message []byte) (Signature, error)
	// PublicKeyPEM is the verifying key: a "PUBLIC KEY" PEM block of the DER SubjectPublicKeyInfo.
	PublicKeyPEM(ctx context.Context) ([]byte, error)
}

// Verify checks sig over message with the public key in publicKeyPEM, offline. A signature that
// does not match answers an error wrapping ErrBadSignature; an unknown algorithm or a key that is
// not a PEM P-256 ECDSA public key answers a plain error saying so.
func Verify(publicKeyPEM []byte, message []byte, sig Signature) error {
	if sig.Algorithm != AlgorithmECDSASHA256 {
		return fmt.Errorf("verify: unknown signing algorithm %q (want %s)", sig.Algorithm, AlgorithmECDSASHA256)
	}
	pub, err := ParsePublicKeyPEM(publicKeyPEM)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	digest := sha256.Sum256(message)
	if !ecdsa.VerifyASN1(pub, digest[:], sig.Value) {
		return fmt.Errorf("verify with key %s: %w", sig.KeyID, ErrBadSignature)
	}
	return nil
}

// ParsePublicKeyPEM reads a "PUBLIC KEY" PEM block holding a P-256 ECDSA SubjectPublicKeyInfo.
func ParsePublicKeyPEM(publicKeyPEM []byte) (*ecdsa.PublicKey, error) {
	block, _ := pem.Decode(publicKeyPEM)
	if block == nil {
		return nil, errors.New("public key: no PEM block found")
	}
	if block.Type != "PUBLIC KEY" {
		return nil, fmt.Errorf("public key: PEM block is %q, want \"PUBLIC KEY\"", block.Type)
	}
	key, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("public key: %w", err)
	}
	pub, ok := key.(*ecdsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("public key: %T, want an ECDSA key", key)
	}
	if pub.Curve.Params().Name != "P-256" {
		return nil, fmt.Errorf("public key: curve %s, want P-256 for %s", pub.Curve.Params().Name, AlgorithmECDSASHA256)
	}
	return pub, nil
}

// EncodePublicKeyPEM encodes a DER SubjectPublicKeyInfo (what KMS GetPublicKey returns) as a
// "PUBLIC KEY" PEM block.
func EncodePublicKeyPEM(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// Local signs in process with a key it holds: for tests of other packages and for anything that
// must run without KMS. It is safe for concurrent use.
type Local struct {
	key   *ecdsa.PrivateKey
	keyID string
}

var _ Signer = (*Local)(nil)

// NewLocal returns a signer with key (a P-256 key) that reports keyID in its signatures.
func NewLocal(key *ecdsa.PrivateKey, keyID string) *Local {
	return &Local{key: key, keyID: keyID}
}

// Sign signs sha256(message) with AlgorithmECDSASHA256.
func (l *Local) Sign(ctx context.Context, message []byte) (Signature, error) {
	digest := sha256.Sum256(message)
	v, err := ecdsa.SignASN1(rand.Reader, l.key, digest[:])
	if err != nil {
		return Signature{}, fmt.Errorf("sign with local key %s: %w", l.keyID, err)
	}
	return Signature{KeyID: l.keyID, Algorithm: AlgorithmECDSASHA256, Value: v}, nil
}

// PublicKeyPEM returns the public half of the key as a "PUBLIC KEY" PEM block.
func (l *Local) PublicKeyPEM(ctx context.Context) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(&l.key.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("public key of local key %s: %w", l.keyID, err)
	}
	return EncodePublicKeyPEM(der), nil
}
