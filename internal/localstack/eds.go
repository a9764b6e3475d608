package localstack

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"time"

	"attestation/internal/eds/edstest"
)

// The local stack's electronic digital signatures (issue 17): a test certificate authority made
// at start, like the JWT issuer's key, shaped like the NCA's (internal/eds/edstest), which the api
// function trusts (EDS_TRUST_ROOTS) and whose OCSP responder the stack serves at /_local/ocsp. It
// issues a certificate to each local signer; POST /_local/sign signs a document with one of them
// at the stack clock's now, and GET /_local/eds/identity hands out one's certificate and key for
// `openssl cms -sign`. Nothing here is trusted outside the local stack.

// The organisations of the local signers.
const (
	LocalSTSBIN       = "990140001234" // the State Technical Service
	LocalAuthorityBIN = "990240005671" // the authorised body
	LocalOtherBIN     = "990340005977" // another organisation, whose employee may not sign for the applicant
)

// The local signers, by name: each holds an NCA-shaped certificate of the local test CA.
const (
	SignerApplicant   = "applicant"   // an employee of DemoApplicant's organisation (OU BIN)
	SignerSTS         = "sts"         // an employee of the STS (LocalSTSBIN)
	SignerAuthority   = "authority"   // an employee of the authority (LocalAuthorityBIN)
	SignerOther       = "other"       // an employee of another organisation (LocalOtherBIN)
	SignerIndividual  = "individual"  // a person with no organisation (IIN alone)
	SignerExpired     = "expired"     // an applicant's employee whose certificate expired in 2021
	SignerRevoked     = "revoked"     // an applicant's employee whose certificate is revoked
	SignerUnreachable = "unreachable" // an applicant's employee whose certificate names an OCSP responder that never answers
	SignerGOST        = "gost"        // the applicant's employee, the signature claiming GOST 34.310 (which nothing here verifies)
)

// eds is the stack's test CA and the certificates of its signers.
type localEDS struct {
	ca      *edstest.CA
	signers map[string]*edstest.Identity
}

// newLocalEDS makes the CA, its responder at ocspURL, and a certificate for each signer.
func newLocalEDS(ocspURL string, clock *Clock) (*localEDS, error) {
	ca, err := edstest.New(edstest.Options{OCSPURL: ocspURL, Now: clock.Now})
	if err != nil {
		return nil, fmt.Errorf("local test CA: %w", err)
	}
	app := DemoApplicant.BIN
	people := map[string]edstest.Person{
		SignerApplicant:  {Name: "APPLICANT AIGERIM", IIN: "850101300123", BIN: app, Org: "Demo applicant LLP"},
		SignerSTS:        {Name: "STS SAULE", IIN: "800505400231", BIN: LocalSTSBIN, Org: "State Technical Service JSC", RSA: true},
		SignerAuthority:  {Name: "AUTHORITY DANIYAR", IIN: "790707300342", BIN: LocalAuthorityBIN, Org: "Authorised body"},
		SignerOther:      {Name: "OTHER BOLAT", IIN: "900202300456", BIN: LocalOtherBIN, Org: "Other LLP"},
		SignerIndividual: {Name: "PERSON CHINGIZ", IIN: "770303300789"},
		SignerExpired: {Name: "APPLICANT AIGERIM", IIN: "850101300123", BIN: app, Org: "Demo applicant LLP",
			NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)},
		SignerRevoked: {Name: "APPLICANT AIGERIM", IIN: "850101300123", BIN: app, Org: "Demo applicant LLP"},
		// A responder nobody answers at: port 9 (discard) of the loopback refuses the connection.
		SignerUnreachable: {Name: "APPLICANT AIGERIM", IIN: "850101300123", BIN: app, Org: "Demo applicant LLP", OCSPURL: "http://127.0.0.1:9/ocsp"},
	}
	e := &localEDS{ca: ca, signers: map[string]*edstest.Identity{}}
	for name, p := range people {
		id, err := ca.Issue(p)
		if err != nil {
			return nil, fmt.Errorf("local test CA: %s: %w", name, err)
		}
		e.signers[name] = id
	}
	ca.Revoke(e.signers[SignerRevoked].Cert, time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC))
	e.signers[SignerGOST] = e.signers[SignerApplicant]
	return e, nil
}

// Signers lists the local signers' names.
func (e *localEDS) names() []string {
	var out []string
	for n := range e.signers {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Sign signs content as the named local signer at at, detached unless attached.
func (s *Stack) Sign(signer string, content []byte, attached bool) ([]byte, error) {
	id, ok := s.eds.signers[signer]
	if !ok {
		return nil, fmt.Errorf("signer %q: want one of %v", signer, s.eds.names())
	}
	o := edstest.SignOptions{At: s.Clock.Now().Add(-time.Minute), Attached: attached}
	if signer == SignerGOST {
		o.SignatureOID, o.DigestOID = edstest.OIDGOST34310, edstest.OIDGOST34311
	}
	return edstest.Sign(id, s.eds.ca.Chain(), content, o)
}

// TrustPEM is the PEM bundle the local stack's api function trusts.
func (s *Stack) TrustPEM() []byte { return s.eds.ca.TrustPEM() }

// OCSPRequests is how many OCSP requests the local responder has answered.
func (s *Stack) OCSPRequests() int { return s.eds.ca.Requests() }

// SetOCSPDown makes the local OCSP responder answer 503 (down) or answer again.
func (s *Stack) SetOCSPDown(down bool) { s.eds.ca.SetDown(down) }

// edsRoutes are the control routes of signatures.
func (s *Stack) edsRoutes(mux *http.ServeMux) {
	mux.Handle("POST /_local/ocsp", s.eds.ca)
	mux.HandleFunc("POST /_local/sign", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Signer   string `json:"signer"`
			Content  string `json:"content"` // base64
			Attached bool   `json:"attached"`
		}
		dec := json.NewDecoder(io.LimitReader(r.Body, 80<<20))
		dec.DisallowUnknownFields()
		content, err := []byte(nil), dec.Decode(&in)
		if err == nil {
			content, err = base64.StdEncoding.DecodeString(in.Content)
		}
		if err != nil || !slices.Contains(s.eds.names(), in.Signer) {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf(`send {"signer":"applicant","content":"<the document, base64>"}; signers: %v`, s.eds.names())})
			return
		}
		sig, err := s.Sign(in.Signer, content, in.Attached)
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"signature": base64.StdEncoding.EncodeToString(sig)})
	})
	mux.HandleFunc("GET /_local/eds/trust.pem", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-pem-file")
		w.Write(s.TrustPEM())
	})
	mux.HandleFunc("GET /_local/eds/identity", func(w http.ResponseWriter, r *http.Request) {
		id, ok := s.eds.signers[r.URL.Query().Get("signer")]
		if !ok {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("signer: want one of %v", s.eds.names())})
			return
		}
		key, err := x509.MarshalPKCS8PrivateKey(id.Key)
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
		var b bytes.Buffer
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: id.Cert.Raw})
		_ = pem.Encode(&b, &pem.Block{Type: "PRIVATE KEY", Bytes: key})
		w.Header().Set("Content-Type", "application/x-pem-file")
		w.Write(b.Bytes())
	})
}
