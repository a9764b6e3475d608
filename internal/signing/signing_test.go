package signing_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	"attestation/internal/signing"
)

func newKey(t testing.TB, c elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func publicPEM(t testing.TB, s signing.Signer) []byte {
	t.Helper()
	p, err := s.PublicKeyPEM(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func sign(t testing.TB, s signing.Signer, msg []byte) signing.Signature {
	t.Helper()
	sig, err := s.Sign(context.Background(), msg)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// An entry of the register (§29) as the register signs it.
var entry = []byte(`{"number":"KZ-2026-0001","object":"Registry","ownerBin":"120540001238","status":"valid","validUntil":"2029-10-15"}`)

func TestPar29SignedEntryVerifiesOffline(t *testing.T) {
	s := signing.NewLocal(newKey(t, elliptic.P256()), "local-key-1")
	sig := sign(t, s, entry)
	if sig.KeyID != "local-key-1" || sig.Algorithm != signing.AlgorithmECDSASHA256 || len(sig.Value) == 0 {
		t.Fatalf("signature %+v", sig)
	}
	pub := publicPEM(t, s)
	if !strings.HasPrefix(string(pub), "-----BEGIN PUBLIC KEY-----\n") {
		t.Fatalf("public key is not a PUBLIC KEY PEM block:\n%s", pub)
	}
	if err := signing.Verify(pub, entry, sig); err != nil {
		t.Fatalf("verify the signed entry: %v", err)
	}

	t.Run("the signature survives JSON, its value as base64", func(t *testing.T) {
		js, err := json.Marshal(sig)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(js), `"keyId":"local-key-1"`) || !strings.Contains(string(js), `"algorithm":"ECDSA_SHA_256"`) {
			t.Fatalf("JSON %s", js)
		}
		var back signing.Signature
		if err := json.Unmarshal(js, &back); err != nil {
			t.Fatal(err)
		}
		if err := signing.Verify(pub, entry, back); err != nil {
			t.Fatalf("verify after JSON: %v", err)
		}
	})
}

func TestPar29TamperedEntryFailsVerification(t *testing.T) {
	s := signing.NewLocal(newKey(t, elliptic.P256()), "k")
	sig := sign(t, s, entry)
	pub := publicPEM(t, s)
	for i := range entry {
		changed := append([]byte(nil), entry...)
		changed[i] ^= 0x01
		if err := signing.Verify(pub, changed, sig); !errors.Is(err, signing.ErrBadSignature) {
			t.Fatalf("byte %d changed: %v, want ErrBadSignature", i, err)
		}
	}
	t.Run("a changed signature fails", func(t *testing.T) {
		bad := sig
		bad.Value = append([]byte(nil), sig.Value...)
		bad.Value[len(bad.Value)-1] ^= 0x01
		if err := signing.Verify(pub, entry, bad); !errors.Is(err, signing.ErrBadSignature) {
			t.Fatalf("%v, want ErrBadSignature", err)
		}
	})
	t.Run("a signature that is not DER fails", func(t *testing.T) {
		bad := sig
		bad.Value = []byte("not a signature")
		if err := signing.Verify(pub, entry, bad); !errors.Is(err, signing.ErrBadSignature) {
			t.Fatalf("%v, want ErrBadSignature", err)
		}
	})
}

func TestSignatureOfAnotherKeyFails(t *testing.T) {
	mine := signing.NewLocal(newKey(t, elliptic.P256()), "mine")
	other := signing.NewLocal(newKey(t, elliptic.P256()), "other")
	sig := sign(t, other, entry)
	if err := signing.Verify(publicPEM(t, mine), entry, sig); !errors.Is(err, signing.ErrBadSignature) {
		t.Fatalf("another key's signature: %v, want ErrBadSignature", err)
	}
}

func TestVerifyRefusesWhatItCannotCheck(t *testing.T) {
	s := signing.NewLocal(newKey(t, elliptic.P256()), "k")
	sig := sign(t, s, entry)
	pub := publicPEM(t, s)

	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsaDER, err := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	p384DER, err := x509.MarshalPKIXPublicKey(&newKey(t, elliptic.P384()).PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(pub)

	for _, c := range []struct {
		name string
		pem  []byte
		alg  string
		want string
	}{
		{"garbage instead of a PEM key", []byte("garbage"), signing.AlgorithmECDSASHA256, "no PEM block"},
		{"an empty key", nil, signing.AlgorithmECDSASHA256, "no PEM block"},
		{"a PEM block of another type", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: block.Bytes}), signing.AlgorithmECDSASHA256, `"CERTIFICATE"`},
		{"a PEM block with garbage inside", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte("garbage")}), signing.AlgorithmECDSASHA256, "public key:"},
		{"an RSA key", signing.EncodePublicKeyPEM(rsaDER), signing.AlgorithmECDSASHA256, "want an ECDSA key"},
		{"a P-384 key", signing.EncodePublicKeyPEM(p384DER), signing.AlgorithmECDSASHA256, "want P-256"},
		{"an unknown algorithm", pub, "RSASSA_PSS_SHA_256", `unknown signing algorithm "RSASSA_PSS_SHA_256"`},
		{"no algorithm", pub, "", `unknown signing algorithm ""`},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := sig
			s.Algorithm = c.alg
			err := signing.Verify(c.pem, entry, s)
			if err == nil || errors.Is(err, signing.ErrBadSignature) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("%v, want an error saying %q that is not ErrBadSignature", err, c.want)
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	s := signing.NewLocal(newKey(b, elliptic.P256()), "k")
	sig := sign(b, s, entry)
	pub := publicPEM(b, s)
	b.ReportAllocs()
	for b.Loop() {
		if err := signing.Verify(pub, entry, sig); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLocalSign(b *testing.B) {
	s := signing.NewLocal(newKey(b, elliptic.P256()), "k")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Sign(ctx, entry); err != nil {
			b.Fatal(err)
		}
	}
}
