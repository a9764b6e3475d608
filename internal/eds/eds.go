// Package eds verifies electronic digital signatures (EDS) of the national certification centre
// (NCA) of Kazakhstan: a CMS/PKCS#7 SignedData, detached or attached, made over a document's
// exact stored bytes by the signer's own key. Online, such a signature is the legal equivalent
// of "signature and seal" (issue 17).
//
// A signature is accepted only when all of these hold:
//   - it parses as SignedData with exactly one signer, made with an algorithm this package
//     verifies (RSA or ECDSA with SHA-2); any other (the national GOST algorithms) is refused
//     with a refusal naming the algorithm's OID, never accepted unverified;
//   - its message digest is the digest of the stored bytes (an attached signature's content is
//     those bytes exactly), and the signature over its signed attributes verifies;
//   - it carries a signing time, at which the signer's certificate chains to the configured
//     trust roots and is valid; and it is valid and chains now;
//   - the certificate may sign (key usage digitalSignature or nonRepudiation);
//   - the certificate is not revoked, as its OCSP responder (or the configured one) says; when
//     no responder answers, the configuration chooses: refuse, or accept with the mark
//     "unavailable";
//   - the signer belongs to the organisation that acts: the NCA writes the person's IIN in the
//     subject's serialNumber ("IIN" and 12 digits) and, for an employee, the organisation's BIN
//     in the subject's OU ("BIN" and 12 digits); a legal entity's document needs an employee
//     certificate with its BIN, an individual's a certificate with its IIN.
//
// The trust roots come from configuration (a PEM bundle: the NCA's roots and intermediates),
// never from the binary. The CMS parsing and signature checks are github.com/smallstep/pkcs7's;
// OCSP is golang.org/x/crypto/ocsp.
package eds

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/smallstep/pkcs7"
)

// MaxSignatureBytes is the largest signature (DER) accepted: a CMS with its signer's certificate
// and a chain of intermediates is a few kilobytes.
const MaxSignatureBytes = 32 << 10

// ClockSkew is how far in the future of the verifier's now a signing time may lie.
const ClockSkew = 5 * time.Minute

// Reason says why a signature is refused: one word a test or a client can switch on.
type Reason string

// The reasons of a refusal.
const (
	Malformed      Reason = "malformed"             // not a CMS SignedData this package reads
	Unsupported    Reason = "unsupported-algorithm" // an algorithm this package does not verify (GOST)
	Tampered       Reason = "tampered"              // the signature is not over the stored bytes
	NoSigningTime  Reason = "no-signing-time"       // no signing time among the signed attributes
	Untrusted      Reason = "untrusted"             // the certificate does not chain to the trust roots
	Expired        Reason = "expired"               // not valid at the signing time, or not now
	KeyUsage       Reason = "key-usage"             // the certificate may not sign
	Revoked        Reason = "revoked"               // OCSP says revoked (or unknown)
	OCSPUnreached  Reason = "ocsp-unavailable"      // no OCSP answer and the policy refuses then
	WrongSigner    Reason = "wrong-signer"          // the signer does not belong to the organisation that acts
	NoOrganization Reason = "no-organization"       // no organisation is configured for the acting role
)

// Refusal is why a signature is not accepted. Its message is for the caller: it never repeats
// an identity number in full.
type Refusal struct {
	Reason  Reason
	Message string
	OID     string // for Unsupported: the algorithm's object identifier
}

func (r *Refusal) Error() string { return "signature refused (" + string(r.Reason) + "): " + r.Message }

func refuse(reason Reason, format string, args ...any) *Refusal {
	return &Refusal{Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// OCSP statuses recorded on a verified signature.
const (
	OCSPGood        = "good"        // the responder says the certificate is good
	OCSPUnavailable = "unavailable" // no responder answered and the policy accepts that, marked
)

// Signer is what was verified: who signed, with which certificate, when, and what OCSP said.
type Signer struct {
	Name        string    // the subject's CN (and GIVENNAME: the patronymic), as the NCA writes it
	IIN         string    // the person's IIN; never shown publicly, masked in logs
	BIN         string    // the organisation's BIN for an employee certificate; "" for an individual's
	Serial      string    // the certificate's serial number, hexadecimal
	Issuer      string    // the certificate issuer's distinguished name
	SigningTime time.Time // the signed attribute signingTime
	OCSPStatus  string    // OCSPGood or OCSPUnavailable
	OCSPAt      time.Time // the responder's producedAt, or when it was tried
	Algorithm   string    // e.g. "ECDSA-SHA256"
}

// Want says whose signature is acceptable: the organisation (BIN, or an individual's IIN) that
// acts. For staff, Organization may be "" and Role names the role whose configured organisation
// applies.
type Want struct {
	Organization string
	Role         string
}

// Policy chooses what happens when no OCSP responder answers.
type Policy string

// The choices when OCSP cannot be reached.
const (
	RefuseUnreachable Policy = "refuse" // refuse the signature (the default)
	AcceptMarked      Policy = "accept" // accept it, recorded with OCSP status "unavailable"
)

// Config is a verifier's configuration.
type Config struct {
	TrustPEM      []byte            // the trust roots (self-signed) and intermediates, PEM
	OCSPURL       string            // overrides the responder URL of every certificate when set
	OCSPTimeout   time.Duration     // per OCSP request; default 5 s
	OCSPCache     time.Duration     // how long an answer is reused (DefaultOCSPCache when 0; negative: never)
	OnUnreachable Policy            // default RefuseUnreachable
	Organizations map[string]string // the BIN of each staff role's organisation ("sts", "authority")
	Revocation    Revocation        // default: OCSP over HTTP (NewOCSPClient)
}

// Revocation asks whether a certificate is revoked (OCSP in production; a stand-in in tests).
type Revocation interface {
	// Status returns the OCSP status of cert issued by issuer, checked and fresh at now, and the
	// moment it was produced. ErrUnreachable when no responder answered usably.
	Status(ctx context.Context, cert, issuer *x509.Certificate, now time.Time) (status string, producedAt time.Time, revokedAt time.Time, err error)
}

// ErrUnreachable: no OCSP responder gave a usable answer.
var ErrUnreachable = errors.New("OCSP responder unreachable")

// Verifier verifies signatures against one configuration. It is safe for concurrent use.
type Verifier struct {
	roots, intermediates *x509.CertPool
	extra                []*x509.Certificate
	cfg                  Config
	rev                  Revocation
}

// New builds a verifier. The PEM bundle must hold at least one self-signed root.
func New(cfg Config) (*Verifier, error) {
	v := &Verifier{roots: x509.NewCertPool(), intermediates: x509.NewCertPool(), cfg: cfg}
	rest := cfg.TrustPEM
	nroots := 0
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("eds trust roots: %w", err)
		}
		if bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignatureFrom(c) == nil {
			v.roots.AddCert(c)
			nroots++
		} else {
			v.intermediates.AddCert(c)
			v.extra = append(v.extra, c)
		}
	}
	if nroots == 0 {
		return nil, errors.New("eds trust roots: the PEM bundle holds no self-signed root certificate")
	}
	switch cfg.OnUnreachable {
	case "":
		v.cfg.OnUnreachable = RefuseUnreachable
	case RefuseUnreachable, AcceptMarked:
	default:
		return nil, fmt.Errorf("eds: OCSP policy %q: want %q or %q", cfg.OnUnreachable, RefuseUnreachable, AcceptMarked)
	}
	if v.cfg.OCSPTimeout <= 0 {
		v.cfg.OCSPTimeout = 5 * time.Second
	}
	v.rev = cfg.Revocation
	if v.rev == nil {
		c := NewOCSPClient(v.cfg.OCSPURL, v.cfg.OCSPTimeout)
		if cfg.OCSPCache != 0 {
			c.CacheFor = max(cfg.OCSPCache, 0)
		}
		v.rev = c
	}
	return v, nil
}

// Check parses a signature and refuses early what can be refused without the document: bad
// encoding, several signers, an algorithm this package does not verify. Verify repeats it.
func Check(p7s []byte) error {
	_, _, err := parse(p7s)
	return err
}

// Verify checks p7s, a detached or attached signature, over content, the document's exact
// stored bytes, at now; want says whose signature is acceptable. A signature that is not
// accepted is a *Refusal; any other error is the verifier's own failure.
func (v *Verifier) Verify(ctx context.Context, p7s, content []byte, want Want, now time.Time) (Signer, error) {
	p7, alg, err := parse(p7s)
	if err != nil {
		return Signer{}, err
	}
	if len(p7.Content) > 0 {
		if !bytes.Equal(p7.Content, content) {
			return Signer{}, refuse(Tampered, "the signed content is not the stored document (an attached signature must carry exactly the uploaded bytes)")
		}
	} else {
		p7.Content = content
	}
	ee := p7.GetOnlySigner()
	if ee == nil {
		return Signer{}, refuse(Malformed, "the signer's certificate is not in the signature: include it (openssl cms -sign includes it unless -nocerts)")
	}
	if oid, unknown := publicKeyOID(ee); unknown {
		return Signer{}, unsupported(oid, "the signer's key")
	}
	var signingTime time.Time
	if err := p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeSigningTime, &signingTime); err != nil {
		return Signer{}, refuse(NoSigningTime, "the signature has no signing time among its signed attributes")
	}
	if signingTime.After(now.Add(ClockSkew)) {
		return Signer{}, refuse(NoSigningTime, "the signing time %s is in the future", signingTime.UTC().Format(time.RFC3339))
	}
	// The library chains through the signature's own certificates: add the configured
	// intermediates, since a signature often carries the signer's certificate alone.
	p7.Certificates = append(p7.Certificates, v.extra...)
	if err := p7.VerifyWithChainAtTime(v.roots, signingTime); err != nil {
		return Signer{}, v.libraryRefusal(err, ee, signingTime)
	}
	chains, err := ee.Verify(x509.VerifyOptions{Roots: v.roots, Intermediates: v.pool(p7.Certificates),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}, CurrentTime: now})
	if err != nil {
		if now.After(ee.NotAfter) || now.Before(ee.NotBefore) {
			return Signer{}, refuse(Expired, "the signer's certificate is valid from %s to %s, not now", day(ee.NotBefore), day(ee.NotAfter))
		}
		return Signer{}, refuse(Expired, "the signer's certificate does not chain to the trust roots now (a certificate of its chain has expired)")
	}
	if ee.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		return Signer{}, refuse(KeyUsage, "the signer's certificate is not for signing (key usage has neither digitalSignature nor nonRepudiation): sign with the signing key (RSA or GOST \"signature\" certificate), not the authentication one")
	}
	s := Signer{Name: subjectName(ee), IIN: subjectIIN(ee), BIN: subjectBIN(ee), Serial: hex.EncodeToString(ee.SerialNumber.Bytes()),
		Issuer: ee.Issuer.String(), SigningTime: signingTime.UTC(), Algorithm: alg}
	if err := v.organisation(s, want); err != nil {
		return Signer{}, err
	}
	issuer := chains[0][0]
	if len(chains[0]) > 1 {
		issuer = chains[0][1]
	}
	status, produced, revokedAt, err := v.rev.Status(ctx, ee, issuer, now)
	switch {
	case errors.Is(err, ErrUnreachable) && v.cfg.OnUnreachable == AcceptMarked:
		s.OCSPStatus, s.OCSPAt = OCSPUnavailable, now.UTC()
	case errors.Is(err, ErrUnreachable):
		return Signer{}, refuse(OCSPUnreached, "the revocation status of the signer's certificate could not be checked (%v); try again later", errors.Unwrap(err))
	case err != nil:
		return Signer{}, fmt.Errorf("eds: OCSP: %w", err)
	case status == OCSPGood:
		s.OCSPStatus, s.OCSPAt = OCSPGood, produced.UTC()
	case !revokedAt.IsZero():
		return Signer{}, refuse(Revoked, "the signer's certificate (serial %s) was revoked on %s", s.Serial, revokedAt.UTC().Format(time.RFC3339))
	default:
		return Signer{}, refuse(Revoked, "the OCSP responder does not know the signer's certificate (status %s)", status)
	}
	return s, nil
}

func (v *Verifier) pool(certs []*x509.Certificate) *x509.CertPool {
	p := v.intermediates.Clone()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}

// libraryRefusal turns the library's verification error into a refusal.
func (v *Verifier) libraryRefusal(err error, ee *x509.Certificate, signingTime time.Time) error {
	var mismatch *pkcs7.MessageDigestMismatchError
	var outside *pkcs7.SigningTimeNotValidError
	switch {
	case errors.As(err, &mismatch):
		return refuse(Tampered, "the signature is not over the stored document: its digest differs (the file changed after signing, or another file was signed)")
	case errors.As(err, &outside):
		return refuse(Expired, "the signing time %s is outside the certificate's validity, %s to %s", signingTime.UTC().Format(time.RFC3339), day(ee.NotBefore), day(ee.NotAfter))
	case strings.Contains(err.Error(), "certificate chain"):
		if signingTime.After(ee.NotAfter) || signingTime.Before(ee.NotBefore) {
			return refuse(Expired, "the signer's certificate is not valid at the signing time")
		}
		return refuse(Untrusted, "the signer's certificate does not chain to the trusted roots of the national certification centre at the signing time")
	default:
		return refuse(Tampered, "the signature does not verify over the stored document")
	}
}

// organisation checks that the signer belongs to the organisation that acts.
func (v *Verifier) organisation(s Signer, want Want) error {
	org := want.Organization
	if org == "" {
		org = v.cfg.Organizations[want.Role]
		if org == "" {
			return refuse(NoOrganization, "no organisation is configured whose employees sign for the role %s", want.Role)
		}
	}
	switch {
	case s.BIN == org:
		return nil
	case s.BIN == "" && s.IIN == org:
		return nil // an individual signs with a personal certificate
	case s.BIN != "":
		return refuse(WrongSigner, "the signer is an employee of another organisation (BIN %s), not of %s", mask(s.BIN), mask(org))
	default:
		return refuse(WrongSigner, "the signer's certificate is an individual's: a legal entity's document needs an employee certificate with its BIN (%s)", mask(org))
	}
}

// mask keeps the last four digits of an identity number.
func mask(n string) string {
	if len(n) <= 4 {
		return strings.Repeat("*", len(n))
	}
	return strings.Repeat("*", len(n)-4) + n[len(n)-4:]
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

// The algorithms this package verifies: the signer's digest and signature algorithms.
var (
	digests = map[string]string{
		"2.16.840.1.101.3.4.2.1": "SHA256", "2.16.840.1.101.3.4.2.2": "SHA384", "2.16.840.1.101.3.4.2.3": "SHA512",
	}
	signatures = map[string]string{
		"1.2.840.113549.1.1.1":  "RSA", // rsaEncryption with the digest algorithm beside it
		"1.2.840.113549.1.1.11": "RSA", "1.2.840.113549.1.1.12": "RSA", "1.2.840.113549.1.1.13": "RSA",
		"1.2.840.10045.2.1":   "ECDSA", // id-ecPublicKey, as some signers write it
		"1.2.840.10045.4.3.2": "ECDSA", "1.2.840.10045.4.3.3": "ECDSA", "1.2.840.10045.4.3.4": "ECDSA",
	}
	// known names the algorithms a refusal is likely to meet.
	known = map[string]string{
		"1.2.398.3.10.1.1.1.1":   "GOST 34.310-2004 (Kazakhstan)",
		"1.2.398.3.10.1.1.1.2":   "GOST 34.310-2004 with GOST 34.311-95 (Kazakhstan)",
		"1.2.398.3.10.1.3.1":     "GOST 34.311-95 (Kazakhstan)",
		"1.2.643.7.1.1.1.1":      "GOST R 34.10-2012 256-bit",
		"1.2.643.7.1.1.1.2":      "GOST R 34.10-2012 512-bit",
		"1.2.643.7.1.1.2.2":      "GOST R 34.11-2012 256-bit (Streebog)",
		"1.2.643.7.1.1.2.3":      "GOST R 34.11-2012 512-bit (Streebog)",
		"1.2.643.7.1.1.3.2":      "GOST R 34.10-2012 with GOST R 34.11-2012 256-bit",
		"1.2.643.7.1.1.3.3":      "GOST R 34.10-2012 with GOST R 34.11-2012 512-bit",
		"1.2.643.2.2.19":         "GOST R 34.10-2001",
		"1.2.643.2.2.3":          "GOST R 34.10-2001 with GOST R 34.11-94",
		"1.3.14.3.2.26":          "SHA-1",
		"1.2.840.113549.1.1.5":   "SHA-1 with RSA",
		"1.2.840.10045.4.1":      "ECDSA with SHA-1",
		"2.16.840.1.101.3.4.2.4": "SHA-224",
	}
)

func unsupported(oid, what string) *Refusal {
	name := known[oid]
	if name == "" {
		name = "an algorithm"
	}
	r := refuse(Unsupported, "%s uses %s (OID %s), which this service cannot verify; sign with an RSA or ECDSA key and SHA-256", what, name, oid)
	r.OID = oid
	return r
}

// parse reads a SignedData with one signer and the algorithm it uses, or refuses it.
func parse(p7s []byte) (*pkcs7.PKCS7, string, error) {
	if len(p7s) == 0 {
		return nil, "", refuse(Malformed, "the signature is empty")
	}
	if len(p7s) > MaxSignatureBytes {
		return nil, "", refuse(Malformed, "the signature has %d bytes; at most %d are accepted", len(p7s), MaxSignatureBytes)
	}
	if b, _ := pem.Decode(p7s); b != nil {
		p7s = b.Bytes // openssl cms -sign -outform PEM
	}
	p7, err := pkcs7.Parse(p7s)
	if err != nil {
		return nil, "", refuse(Malformed, "the signature is not a CMS/PKCS#7 SignedData in DER or PEM")
	}
	if len(p7.Signers) != 1 {
		return nil, "", refuse(Malformed, "the signature has %d signers; exactly one is accepted per signature", len(p7.Signers))
	}
	si := p7.Signers[0]
	d := si.DigestAlgorithm.Algorithm.String()
	if _, ok := digests[d]; !ok {
		return nil, "", unsupported(d, "the signature's digest")
	}
	e := si.DigestEncryptionAlgorithm.Algorithm.String()
	kind, ok := signatures[e]
	if !ok {
		return nil, "", unsupported(e, "the signature")
	}
	if len(si.AuthenticatedAttributes) == 0 {
		return nil, "", refuse(NoSigningTime, "the signature has no signed attributes (no signing time, no message digest)")
	}
	return p7, kind + "-" + digests[d], nil
}

// publicKeyOID returns the algorithm OID of the certificate's key and whether Go cannot use it.
func publicKeyOID(c *x509.Certificate) (string, bool) {
	if c.PublicKeyAlgorithm != x509.UnknownPublicKeyAlgorithm {
		return "", false
	}
	var spki struct {
		Algorithm struct {
			OID    asn1.ObjectIdentifier
			Params asn1.RawValue `asn1:"optional"`
		}
		Key asn1.BitString
	}
	if _, err := asn1.Unmarshal(c.RawSubjectPublicKeyInfo, &spki); err != nil {
		return "unknown", true
	}
	return spki.Algorithm.OID.String(), true
}
