package eds_test

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"attestation/internal/eds"
	"attestation/internal/eds/edstest"
)

// The organisations and people of the tests, NCA-shaped: an employee of the applicant (its BIN
// in OU), an employee of another organisation, an individual (an IIN alone).
const (
	orgBIN   = "120540001238"
	otherBIN = "990340005977"
	iinA     = "850101300123"
	iinB     = "900202400456"
	iinC     = "770303500789"
)

var now = time.Date(2026, 10, 15, 10, 0, 0, 0, time.UTC)

type fixture struct {
	ca                                                *edstest.CA
	srv                                               *httptest.Server
	employee, employeeRSA, other, individual, expired *edstest.Identity
	revoked, authOnly                                 *edstest.Identity
	doc                                               []byte
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{doc: []byte("%PDF-1.7\nthe application, Annex 2\n")}
	mux := http.NewServeMux()
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	ca, err := edstest.New(edstest.Options{OCSPURL: f.srv.URL + "/ocsp", Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/ocsp", ca)
	f.ca = ca
	issue := func(p edstest.Person) *edstest.Identity {
		id, err := ca.Issue(p)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	f.employee = issue(edstest.Person{Name: "APPLICANT AIGERIM", IIN: iinA, BIN: orgBIN, Org: "TOO Example"})
	f.employeeRSA = issue(edstest.Person{Name: "APPLICANT AIGERIM", IIN: iinA, BIN: orgBIN, Org: "TOO Example", RSA: true})
	f.other = issue(edstest.Person{Name: "OTHER BOLAT", IIN: iinB, BIN: otherBIN, Org: "TOO Other"})
	f.individual = issue(edstest.Person{Name: "PERSON CHINGIZ", IIN: iinC})
	f.expired = issue(edstest.Person{Name: "APPLICANT AIGERIM", IIN: iinA, BIN: orgBIN, Org: "TOO Example",
		NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)})
	f.revoked = issue(edstest.Person{Name: "APPLICANT AIGERIM", IIN: iinA, BIN: orgBIN, Org: "TOO Example"})
	ca.Revoke(f.revoked.Cert, now.Add(-48*time.Hour))
	f.authOnly = issue(edstest.Person{Name: "APPLICANT AIGERIM", IIN: iinA, BIN: orgBIN, Org: "TOO Example", NoSigning: true})
	return f
}

func (f *fixture) verifier(t testing.TB, mod func(*eds.Config)) *eds.Verifier {
	t.Helper()
	cfg := eds.Config{TrustPEM: f.ca.TrustPEM(), OCSPTimeout: 2 * time.Second, Organizations: map[string]string{"sts": otherBIN}}
	if mod != nil {
		mod(&cfg)
	}
	v, err := eds.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (f *fixture) sign(t testing.TB, id *edstest.Identity, content []byte, o edstest.SignOptions) []byte {
	t.Helper()
	if o.At.IsZero() {
		o.At = now.Add(-time.Hour)
	}
	sig, err := edstest.Sign(id, f.ca.Chain(), content, o)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

func TestVerifyAccepts(t *testing.T) {
	f := newFixture(t)
	v := f.verifier(t, nil)
	for _, tc := range []struct {
		name string
		id   *edstest.Identity
		o    edstest.SignOptions
		want eds.Want
		alg  string
	}{
		{"ECDSA detached, an employee of the organisation", f.employee, edstest.SignOptions{}, eds.Want{Organization: orgBIN}, "ECDSA-SHA256"},
		{"RSA detached", f.employeeRSA, edstest.SignOptions{}, eds.Want{Organization: orgBIN}, "RSA-SHA256"},
		{"attached", f.employee, edstest.SignOptions{Attached: true}, eds.Want{Organization: orgBIN}, "ECDSA-SHA256"},
		{"the signer's certificate alone: the configured intermediate completes the chain", f.employee, edstest.SignOptions{NoChain: true}, eds.Want{Organization: orgBIN}, "ECDSA-SHA256"},
		{"an individual signs for itself with its IIN", f.individual, edstest.SignOptions{}, eds.Want{Organization: iinC}, "ECDSA-SHA256"},
		{"staff: the role's configured organisation", f.other, edstest.SignOptions{}, eds.Want{Role: "sts"}, "ECDSA-SHA256"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := v.Verify(context.Background(), f.sign(t, tc.id, f.doc, tc.o), f.doc, tc.want, now)
			if err != nil {
				t.Fatal(err)
			}
			if s.OCSPStatus != eds.OCSPGood || s.OCSPAt.IsZero() || s.Algorithm != tc.alg || s.Serial == "" || !strings.Contains(s.Issuer, "INTERMEDIATE") {
				t.Errorf("signer = %+v", s)
			}
			if !s.SigningTime.Equal(now.Add(-time.Hour)) {
				t.Errorf("signing time = %s", s.SigningTime)
			}
		})
	}
	s, err := v.Verify(context.Background(), f.sign(t, f.employee, f.doc, edstest.SignOptions{}), f.doc, eds.Want{Organization: orgBIN}, now)
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "APPLICANT AIGERIM" || s.IIN != iinA || s.BIN != orgBIN {
		t.Errorf("NCA subject read as %q IIN %q BIN %q", s.Name, s.IIN, s.BIN)
	}
}

// Every refusal names its reason; none is accepted unverified.
func TestVerifyRefuses(t *testing.T) {
	f := newFixture(t)
	v := f.verifier(t, nil)
	tampered := append([]byte(nil), f.doc...)
	tampered[len(tampered)-2] ^= 1
	strangerCA, err := edstest.New(edstest.Options{OCSPURL: f.srv.URL + "/ocsp"})
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := strangerCA.Issue(edstest.Person{Name: "STRANGER", IIN: iinA, BIN: orgBIN})
	if err != nil {
		t.Fatal(err)
	}
	strangerSig, err := edstest.Sign(stranger, strangerCA.Chain(), f.doc, edstest.SignOptions{At: now.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		sig     []byte
		content []byte
		want    eds.Want
		reason  eds.Reason
		says    string
	}{
		{"another organisation's employee", f.sign(t, f.other, f.doc, edstest.SignOptions{}), f.doc, eds.Want{Organization: orgBIN}, eds.WrongSigner, "another organisation"},
		{"an individual's certificate on a legal entity's document", f.sign(t, f.individual, f.doc, edstest.SignOptions{}), f.doc, eds.Want{Organization: orgBIN}, eds.WrongSigner, "employee certificate"},
		{"revoked", f.sign(t, f.revoked, f.doc, edstest.SignOptions{}), f.doc, eds.Want{Organization: orgBIN}, eds.Revoked, "revoked"},
		{"expired at the signing time", f.sign(t, f.expired, f.doc, edstest.SignOptions{}), f.doc, eds.Want{Organization: orgBIN}, eds.Expired, "validity"},
		{"valid when signed, expired now", f.sign(t, f.expired, f.doc, edstest.SignOptions{At: time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC)}), f.doc, eds.Want{Organization: orgBIN}, eds.Expired, "not now"},
		{"tampered bytes", f.sign(t, f.employee, f.doc, edstest.SignOptions{}), tampered, eds.Want{Organization: orgBIN}, eds.Tampered, "digest differs"},
		{"attached content is another document", f.sign(t, f.employee, tampered, edstest.SignOptions{Attached: true}), f.doc, eds.Want{Organization: orgBIN}, eds.Tampered, "not the stored document"},
		{"GOST: named by its OID", f.sign(t, f.employee, f.doc, edstest.SignOptions{SignatureOID: edstest.OIDGOST34310}), f.doc, eds.Want{Organization: orgBIN}, eds.Unsupported, "1.2.398.3.10.1.1.1.2"},
		{"GOST digest", f.sign(t, f.employee, f.doc, edstest.SignOptions{DigestOID: edstest.OIDGOST34311}), f.doc, eds.Want{Organization: orgBIN}, eds.Unsupported, "1.2.398.3.10.1.3.1"},
		{"an authentication certificate", f.sign(t, f.authOnly, f.doc, edstest.SignOptions{}), f.doc, eds.Want{Organization: orgBIN}, eds.KeyUsage, "not for signing"},
		{"a certificate of another CA", strangerSig, f.doc, eds.Want{Organization: orgBIN}, eds.Untrusted, "trusted roots"},
		{"no signing time", f.sign(t, f.employee, f.doc, edstest.SignOptions{NoSigningTime: true}), f.doc, eds.Want{Organization: orgBIN}, eds.NoSigningTime, "signing time"},
		{"signed in the future", f.sign(t, f.employee, f.doc, edstest.SignOptions{At: now.Add(time.Hour)}), f.doc, eds.Want{Organization: orgBIN}, eds.NoSigningTime, "future"},
		{"not a signature", []byte("hello"), f.doc, eds.Want{Organization: orgBIN}, eds.Malformed, "SignedData"},
		{"too large", make([]byte, eds.MaxSignatureBytes+1), f.doc, eds.Want{Organization: orgBIN}, eds.Malformed, "at most"},
		{"a staff role with no organisation configured", f.sign(t, f.other, f.doc, edstest.SignOptions{}), f.doc, eds.Want{Role: "authority"}, eds.NoOrganization, "authority"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), tc.sig, tc.content, tc.want, now)
			var r *eds.Refusal
			if !errors.As(err, &r) {
				t.Fatalf("err = %v, want a refusal", err)
			}
			if r.Reason != tc.reason || !strings.Contains(r.Message, tc.says) {
				t.Errorf("refusal = %s %q, want %s saying %q", r.Reason, r.Message, tc.reason, tc.says)
			}
			if strings.Contains(r.Message, iinA) || strings.Contains(r.Message, otherBIN) {
				t.Errorf("the message repeats an identity number: %q", r.Message)
			}
		})
	}
}

// When no OCSP responder answers, the policy chooses: refuse (the default), or accept marked.
func TestVerifyOCSPUnreachable(t *testing.T) {
	f := newFixture(t)
	f.ca.SetDown(true)
	sig := f.sign(t, f.employee, f.doc, edstest.SignOptions{})
	_, err := f.verifier(t, nil).Verify(context.Background(), sig, f.doc, eds.Want{Organization: orgBIN}, now)
	var r *eds.Refusal
	if !errors.As(err, &r) || r.Reason != eds.OCSPUnreached {
		t.Fatalf("responder down, policy refuse: err = %v", err)
	}
	s, err := f.verifier(t, func(c *eds.Config) { c.OnUnreachable = eds.AcceptMarked }).Verify(context.Background(), sig, f.doc, eds.Want{Organization: orgBIN}, now)
	if err != nil || s.OCSPStatus != eds.OCSPUnavailable {
		t.Fatalf("responder down, policy accept: %+v, %v", s, err)
	}
	// A closed port, through the configured override URL, with a short timeout.
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	f.ca.SetDown(false)
	_, err = f.verifier(t, func(c *eds.Config) { c.OCSPURL = dead.URL; c.OCSPTimeout = 200 * time.Millisecond }).
		Verify(context.Background(), sig, f.doc, eds.Want{Organization: orgBIN}, now)
	if !errors.As(err, &r) || r.Reason != eds.OCSPUnreached {
		t.Fatalf("override to a closed port: err = %v", err)
	}
}

func TestOneOCSPRoundTripPerSignature(t *testing.T) {
	f := newFixture(t)
	v := f.verifier(t, nil)
	before := f.ca.Requests()
	if _, err := v.Verify(context.Background(), f.sign(t, f.employee, f.doc, edstest.SignOptions{}), f.doc, eds.Want{Organization: orgBIN}, now); err != nil {
		t.Fatal(err)
	}
	if n := f.ca.Requests() - before; n != 1 {
		t.Errorf("OCSP requests per signature = %d, want 1", n)
	}
}

// An answer is reused for the documents of one filing signed with one certificate, until the
// cache's span or the answer's nextUpdate; a revoked answer is reused as revoked; a disabled
// cache asks every time.
func TestOCSPAnswersAreCached(t *testing.T) {
	f := newFixture(t)
	verify := func(v *eds.Verifier, id *edstest.Identity, at time.Time) error {
		_, err := v.Verify(context.Background(), f.sign(t, id, f.doc, edstest.SignOptions{At: at.Add(-time.Hour)}), f.doc, eds.Want{Organization: orgBIN}, at)
		return err
	}
	cached := f.verifier(t, func(c *eds.Config) { c.OCSPCache = 5 * time.Minute })
	before := f.ca.Requests()
	for range 3 {
		if err := verify(cached, f.employee, now); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.ca.Requests() - before; n != 1 {
		t.Fatalf("three signatures with one certificate: %d round trips, want 1", n)
	}
	for range 2 {
		var r *eds.Refusal
		if err := verify(cached, f.revoked, now); !errors.As(err, &r) || r.Reason != eds.Revoked {
			t.Fatalf("revoked, cached: %v", err)
		}
	}
	if n := f.ca.Requests() - before; n != 2 {
		t.Fatalf("the revoked answer was not reused: %d round trips", n)
	}
	// Past the cache's span the responder is asked again (its answers run an hour from now: the
	// fixture's responder keeps its clock).
	if err := verify(cached, f.employee, now.Add(6*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n := f.ca.Requests() - before; n != 3 {
		t.Fatalf("an expired cache entry was used: %d round trips", n)
	}
	uncached := f.verifier(t, func(c *eds.Config) { c.OCSPCache = -1 })
	before = f.ca.Requests()
	for range 2 {
		if err := verify(uncached, f.employee, now); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.ca.Requests() - before; n != 2 {
		t.Fatalf("no cache: %d round trips, want 2", n)
	}
}

// The documents of a filing are confirmed side by side (a batch): signatures with one certificate
// verified at once still cost one OCSP round trip, the first answer serving those that waited.
func TestOCSPOneRoundTripForSignaturesVerifiedAtOnce(t *testing.T) {
	f := newFixture(t)
	v := f.verifier(t, func(c *eds.Config) { c.OCSPCache = 5 * time.Minute })
	sigs := make([][]byte, 16)
	for i := range sigs {
		sigs[i] = f.sign(t, f.employee, f.doc, edstest.SignOptions{At: now.Add(-time.Hour)})
	}
	before := f.ca.Requests()
	var wg sync.WaitGroup
	errs := make([]error, len(sigs))
	for i, sig := range sigs {
		wg.Go(func() {
			_, errs[i] = v.Verify(context.Background(), sig, f.doc, eds.Want{Organization: orgBIN}, now)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if n := f.ca.Requests() - before; n != 1 {
		t.Fatalf("%d signatures with one certificate verified at once: %d round trips, want 1", len(sigs), n)
	}
}

func TestNewRefusesABundleWithoutRoot(t *testing.T) {
	if _, err := eds.New(eds.Config{TrustPEM: []byte("no certificates")}); err == nil {
		t.Fatal("a bundle with no root was accepted")
	}
	f := newFixture(t)
	if _, err := eds.New(eds.Config{TrustPEM: f.ca.TrustPEM(), OnUnreachable: "maybe"}); err == nil {
		t.Fatal("an unknown OCSP policy was accepted")
	}
}

// BenchmarkVerify is the verification time per signature: parse, digest, signature, both chain
// checks and one OCSP round trip to a local responder.
func BenchmarkVerify(b *testing.B) {
	f := newFixture(b)
	v := f.verifier(b, func(c *eds.Config) { c.OCSPCache = -1 }) // every verification asks the responder
	for _, tc := range []struct {
		name string
		id   *edstest.Identity
	}{{"ECDSA-P256", f.employee}, {"RSA-2048", f.employeeRSA}} {
		sig := f.sign(b, tc.id, f.doc, edstest.SignOptions{})
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := v.Verify(context.Background(), sig, f.doc, eds.Want{Organization: orgBIN}, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The README's recipe: a signature made by `openssl cms -sign` (detached, DER, SHA-256) with an
// NCA-shaped certificate and key verifies. Skipped where openssl is not installed.
func TestOpenSSLCMSSignRecipe(t *testing.T) {
	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl is not installed")
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	ca, err := edstest.New(edstest.Options{OCSPURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/", ca)
	for _, rsa := range []bool{false, true} {
		id, err := ca.Issue(edstest.Person{Name: "APPLICANT AIGERIM", IIN: iinA, BIN: orgBIN, Org: "TOO Example", RSA: rsa})
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		key, err := x509.MarshalPKCS8PrivateKey(id.Key)
		if err != nil {
			t.Fatal(err)
		}
		signer := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: id.Cert.Raw})
		signer = append(signer, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key})...)
		doc := []byte("%PDF-1.4\n% signed with openssl\n%%EOF\n")
		for name, b := range map[string][]byte{"signer.pem": signer, "app.pdf": doc} {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		cmd := exec.Command(bin, "cms", "-sign", "-binary", "-md", "sha256", "-in", "app.pdf", "-signer", "signer.pem", "-outform", "DER", "-out", "app.p7s")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("openssl cms -sign: %v: %s", err, out)
		}
		p7s, err := os.ReadFile(filepath.Join(dir, "app.p7s"))
		if err != nil {
			t.Fatal(err)
		}
		v, err := eds.New(eds.Config{TrustPEM: ca.TrustPEM()})
		if err != nil {
			t.Fatal(err)
		}
		s, err := v.Verify(context.Background(), p7s, doc, eds.Want{Organization: orgBIN}, time.Now())
		if err != nil {
			t.Fatalf("RSA %v: %v", rsa, err)
		}
		if s.BIN != orgBIN || s.OCSPStatus != eds.OCSPGood {
			t.Fatalf("signer = %+v", s)
		}
	}
}

// goodStatus answers every OCSP question "good" without a round trip.
type goodStatus struct{}

func (goodStatus) Status(ctx context.Context, cert, issuer *x509.Certificate, now time.Time) (string, time.Time, time.Time, error) {
	return eds.OCSPGood, now, time.Time{}, nil
}

// BenchmarkVerifyCryptoOnly is the verification time per signature without the OCSP round trip:
// the cost of the cryptography and the checks alone.
func BenchmarkVerifyCryptoOnly(b *testing.B) {
	f := newFixture(b)
	v := f.verifier(b, func(c *eds.Config) { c.Revocation = goodStatus{} })
	for _, tc := range []struct {
		name string
		id   *edstest.Identity
	}{{"ECDSA-P256", f.employee}, {"RSA-2048", f.employeeRSA}} {
		sig := f.sign(b, tc.id, f.doc, edstest.SignOptions{})
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := v.Verify(context.Background(), sig, f.doc, eds.Want{Organization: orgBIN}, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
