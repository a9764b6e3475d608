// Package edstest is a test certificate authority shaped like the NCA of Kazakhstan: a root, an
// intermediate, and a delegated OCSP responder (golang.org/x/crypto/ocsp) served over HTTP,
// issuing certificates for an organisation's employee (subject OU "BIN…"), an individual
// (serialNumber "IIN…" alone), and expired or revoked ones; and a CMS/PKCS#7 signer that signs
// at a chosen moment, detached or attached. The local stack makes one at start and trusts it;
// the tests and the demo sign with it. Nothing here is trusted outside a test or the local stack.
package edstest

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"sort"
	"sync"
	"time"

	"golang.org/x/crypto/ocsp"
)

// CA is a root, an intermediate that issues the signers' certificates, and a delegated OCSP
// responder. Safe for concurrent use.
type CA struct {
	Root, Intermediate, Responder *x509.Certificate
	rootKey, interKey, respKey    crypto.Signer
	ocspURL                       string
	now                           func() time.Time

	mu      sync.Mutex
	serial  int64
	revoked map[string]time.Time // serial (decimal) -> revocation time
	down    bool                 // the responder answers 503
	// Requests counts the OCSP requests answered (the round trips a filing costs).
	requests int
}

// Options of a CA.
type Options struct {
	OCSPURL string           // the responder URL written into every certificate
	Now     func() time.Time // the responder's clock (default time.Now)
}

// The validity of the CA's own certificates and of a signer's certificate unless asked.
var (
	LongAgo  = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	FarAhead = time.Date(2099, 12, 31, 0, 0, 0, 0, time.UTC)
)

// New makes a CA with fresh keys.
func New(o Options) (*CA, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	ca := &CA{ocspURL: o.OCSPURL, now: o.Now, revoked: map[string]time.Time{}, serial: 1000}
	var err error
	if ca.rootKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, err
	}
	if ca.interKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, err
	}
	if ca.respKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, err
	}
	root := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "TEST ROOT CA (local stack, not the NCA)", Country: []string{"KZ"}},
		NotBefore: LongAgo, NotAfter: FarAhead, IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	if ca.Root, err = create(root, root, ca.rootKey.Public(), ca.rootKey); err != nil {
		return nil, err
	}
	inter := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "TEST NCA INTERMEDIATE (local stack)", Country: []string{"KZ"}},
		NotBefore: LongAgo, NotAfter: FarAhead, IsCA: true, BasicConstraintsValid: true, MaxPathLenZero: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	if ca.Intermediate, err = create(inter, ca.Root, ca.interKey.Public(), ca.rootKey); err != nil {
		return nil, err
	}
	resp := &x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "TEST OCSP RESPONDER (local stack)"},
		NotBefore: LongAgo, NotAfter: FarAhead, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}}
	if ca.Responder, err = create(resp, ca.Intermediate, ca.respKey.Public(), ca.interKey); err != nil {
		return nil, err
	}
	return ca, nil
}

func create(tmpl, parent *x509.Certificate, pub crypto.PublicKey, key crypto.Signer) (*x509.Certificate, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		return nil, fmt.Errorf("test CA: %w", err)
	}
	return x509.ParseCertificate(der)
}

// TrustPEM is the bundle a verifier trusts: the root and the intermediate.
func (ca *CA) TrustPEM() []byte {
	var b bytes.Buffer
	_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: ca.Root.Raw})
	_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: ca.Intermediate.Raw})
	return b.Bytes()
}

// Person is whom a certificate is for.
type Person struct {
	Name       string // CN: surname and name
	IIN        string // serialNumber "IIN…"
	BIN        string // OU "BIN…": an employee of that organisation; "" for an individual
	Org        string // O: the organisation's name
	NotBefore  time.Time
	NotAfter   time.Time // zero: LongAgo..FarAhead
	RSA        bool      // an RSA-2048 key instead of ECDSA P-256
	NoSigning  bool      // key usage keyEncipherment only (an authentication certificate)
	NoOCSPLink bool      // no responder URL in the certificate
	OCSPURL    string    // a responder URL instead of the CA's
}

// Identity is a certificate with its private key.
type Identity struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// Issue makes a certificate for p, issued by the intermediate.
func (ca *CA) Issue(p Person) (*Identity, error) {
	var key crypto.Signer
	var err error
	if p.RSA {
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	} else {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		return nil, err
	}
	ca.mu.Lock()
	ca.serial++
	serial := ca.serial
	ca.mu.Unlock()
	subject := pkix.Name{CommonName: p.Name, SerialNumber: "IIN" + p.IIN, Country: []string{"KZ"}}
	if p.BIN != "" {
		subject.OrganizationalUnit = []string{"BIN" + p.BIN}
		subject.Organization = []string{p.Org}
	}
	if p.NotAfter.IsZero() {
		p.NotBefore, p.NotAfter = LongAgo, FarAhead
	}
	usage := x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
	if p.NoSigning {
		usage = x509.KeyUsageKeyEncipherment
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: subject, NotBefore: p.NotBefore, NotAfter: p.NotAfter, KeyUsage: usage,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}}
	switch {
	case p.OCSPURL != "":
		tmpl.OCSPServer = []string{p.OCSPURL}
	case ca.ocspURL != "" && !p.NoOCSPLink:
		tmpl.OCSPServer = []string{ca.ocspURL}
	}
	cert, err := create(tmpl, ca.Intermediate, key.Public(), ca.interKey)
	if err != nil {
		return nil, err
	}
	return &Identity{Cert: cert, Key: key}, nil
}

// Revoke marks a certificate revoked at at.
func (ca *CA) Revoke(c *x509.Certificate, at time.Time) {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	ca.revoked[c.SerialNumber.String()] = at
}

// SetDown makes the responder answer 503 (down) or answer again.
func (ca *CA) SetDown(down bool) {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	ca.down = down
}

// Requests is how many OCSP requests the responder has answered.
func (ca *CA) Requests() int {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	return ca.requests
}

// ServeHTTP is the OCSP responder: POST application/ocsp-request (RFC 6960 A.1).
func (ca *CA) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ca.mu.Lock()
	down := ca.down
	ca.requests++
	ca.mu.Unlock()
	if down {
		http.Error(w, "responder down", http.StatusServiceUnavailable)
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, "POST an OCSP request", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<10))
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	req, err := ocsp.ParseRequest(body)
	if err != nil {
		w.Header().Set("Content-Type", "application/ocsp-response")
		_, _ = w.Write(ocsp.MalformedRequestErrorResponse)
		return
	}
	der, err := ca.Respond(req.SerialNumber)
	if err != nil {
		http.Error(w, "sign", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/ocsp-response")
	_, _ = w.Write(der)
}

// Respond makes the signed OCSP answer about serial.
func (ca *CA) Respond(serial *big.Int) ([]byte, error) {
	now := ca.now().UTC().Truncate(time.Second)
	ca.mu.Lock()
	at, revoked := ca.revoked[serial.String()]
	ca.mu.Unlock()
	tmpl := ocsp.Response{Status: ocsp.Good, SerialNumber: serial, ThisUpdate: now.Add(-time.Minute), NextUpdate: now.Add(time.Hour),
		Certificate: ca.Responder, IssuerHash: crypto.SHA256}
	if revoked {
		tmpl.Status, tmpl.RevokedAt, tmpl.RevocationReason = ocsp.Revoked, at, ocsp.KeyCompromise
	}
	return ocsp.CreateResponse(ca.Intermediate, ca.Responder, tmpl, ca.respKey)
}

// Chain is the certificates a signature carries beside the signer's: the intermediate.
func (ca *CA) Chain() []*x509.Certificate { return []*x509.Certificate{ca.Intermediate} }

// SignOptions say how Sign signs.
type SignOptions struct {
	At       time.Time // the signing time (required)
	Attached bool      // carry the content inside the signature
	NoChain  bool      // carry the signer's certificate alone
	// SignatureOID and DigestOID, when set, are written as the signer's algorithms instead of
	// the real ones (to make a signature that claims a GOST algorithm).
	SignatureOID, DigestOID asn1.ObjectIdentifier
	NoSigningTime           bool
}

// The object identifiers a signature uses.
var (
	oidData          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidSigningTime   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidSHA256        = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidRSA           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidECDSASHA256   = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	// OIDGOST34310 is Kazakhstan's GOST 34.310-2004 signature algorithm, and OIDGOST34311 its
	// hash, as NCALayer writes them in a GOST signature.
	OIDGOST34310 = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 1, 1, 2}
	OIDGOST34311 = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 3, 1}
)

type algorithm struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

type attribute struct {
	Type   asn1.ObjectIdentifier
	Values []asn1.RawValue `asn1:"set"`
}

type issuerAndSerial struct {
	Issuer asn1.RawValue
	Serial *big.Int
}

type signerInfo struct {
	Version            int
	SID                issuerAndSerial
	DigestAlgorithm    algorithm
	SignedAttrs        asn1.RawValue // [0] IMPLICIT SET OF Attribute
	SignatureAlgorithm algorithm
	Signature          []byte
}

type encapContent struct {
	Type    asn1.ObjectIdentifier
	Content asn1.RawValue `asn1:"optional,explicit,tag:0"`
}

type signedData struct {
	Version          int
	DigestAlgorithms []algorithm `asn1:"set"`
	Content          encapContent
	Certificates     asn1.RawValue // [0] IMPLICIT SET OF Certificate
	SignerInfos      []signerInfo  `asn1:"set"`
}

type contentInfo struct {
	Type    asn1.ObjectIdentifier
	Content asn1.RawValue `asn1:"explicit,tag:0"`
}

// Sign makes a CMS SignedData over content with id's key: RSA PKCS#1 v1.5 or ECDSA, SHA-256,
// with the signed attributes contentType, signingTime (o.At) and messageDigest. This signer is
// written here, not taken from the library that verifies, so the tests check one implementation
// against another.
func Sign(id *Identity, chain []*x509.Certificate, content []byte, o SignOptions) ([]byte, error) {
	if o.At.IsZero() {
		return nil, errors.New("sign: the signing time is required")
	}
	digest := sha256.Sum256(content)
	attr := func(t asn1.ObjectIdentifier, v any) (attribute, error) {
		b, err := asn1.Marshal(v)
		return attribute{Type: t, Values: []asn1.RawValue{{FullBytes: b}}}, err
	}
	var attrs []attribute
	for _, a := range []struct {
		t    asn1.ObjectIdentifier
		v    any
		skip bool
	}{{oidContentType, oidData, false}, {oidSigningTime, o.At.UTC(), o.NoSigningTime}, {oidMessageDigest, digest[:], false}} {
		if a.skip {
			continue
		}
		x, err := attr(a.t, a.v)
		if err != nil {
			return nil, err
		}
		attrs = append(attrs, x)
	}
	// DER: a SET OF sorted by encoding.
	enc := make([][]byte, len(attrs))
	for i, a := range attrs {
		b, err := asn1.Marshal(a)
		if err != nil {
			return nil, err
		}
		enc[i] = b
	}
	sort.Slice(enc, func(i, j int) bool { return bytes.Compare(enc[i], enc[j]) < 0 })
	set := bytes.Join(enc, nil)
	setDER, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: set})
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256(setDER)
	sigAlg := algorithm{Algorithm: oidECDSASHA256}
	var sig []byte
	switch k := id.Key.(type) {
	case *rsa.PrivateKey:
		sigAlg = algorithm{Algorithm: oidRSA, Parameters: asn1.NullRawValue}
		sig, err = rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, h[:])
	case *ecdsa.PrivateKey:
		sig, err = ecdsa.SignASN1(rand.Reader, k, h[:])
	default:
		err = fmt.Errorf("sign: key type %T", id.Key)
	}
	if err != nil {
		return nil, err
	}
	digestAlg := algorithm{Algorithm: oidSHA256}
	if o.SignatureOID != nil {
		sigAlg = algorithm{Algorithm: o.SignatureOID}
	}
	if o.DigestOID != nil {
		digestAlg = algorithm{Algorithm: o.DigestOID}
	}
	certs := id.Cert.Raw
	if !o.NoChain {
		for _, c := range chain {
			certs = append(bytes.Clone(certs), c.Raw...)
		}
	}
	sd := signedData{Version: 1, DigestAlgorithms: []algorithm{digestAlg}, Content: encapContent{Type: oidData},
		Certificates: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: certs},
		SignerInfos: []signerInfo{{Version: 1, SID: issuerAndSerial{Issuer: asn1.RawValue{FullBytes: id.Cert.RawIssuer}, Serial: id.Cert.SerialNumber},
			DigestAlgorithm: digestAlg, SignedAttrs: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: set},
			SignatureAlgorithm: sigAlg, Signature: sig}}}
	if o.Attached {
		oct, err := asn1.Marshal(content)
		if err != nil {
			return nil, err
		}
		sd.Content.Content = asn1.RawValue{FullBytes: mustExplicit0(oct)}
	}
	inner, err := asn1.Marshal(sd)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(contentInfo{Type: oidSignedData, Content: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: inner}})
}

// mustExplicit0 wraps DER in an [0] EXPLICIT tag.
func mustExplicit0(inner []byte) []byte {
	b, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: inner})
	return b
}
