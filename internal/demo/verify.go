package demo

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// verifyEntry checks a register entry offline, as `openssl dgst -sha256 -verify register.pem
// -signature entry.sig entry.json` does: the DER ECDSA signature over SHA-256 of the payload's
// exact bytes, with the PEM public key the register publishes (GET /register/public-key).
func verifyEntry(publicKeyPEM, payload, signature []byte) error {
	block, _ := pem.Decode(publicKeyPEM)
	if block == nil || block.Type != "PUBLIC KEY" {
		return errors.New("the register's public key is not a PEM PUBLIC KEY block")
	}
	key, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return fmt.Errorf("the register's public key: %w", err)
	}
	pub, ok := key.(*ecdsa.PublicKey)
	if !ok {
		return fmt.Errorf("the register's public key is a %T, want an ECDSA key", key)
	}
	digest := sha256.Sum256(payload)
	if !ecdsa.VerifyASN1(pub, digest[:], signature) {
		return errors.New("the entry's signature does not verify with the register's public key")
	}
	return nil
}
