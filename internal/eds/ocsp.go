package eds

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"golang.org/x/crypto/ocsp"
)

// OCSPClient asks a certificate's OCSP responder (RFC 6960) over HTTP POST: the responder named
// in the certificate (Authority Information Access), or the one configured instead.
type OCSPClient struct {
	URL     string // overrides the certificate's responder when set
	Timeout time.Duration
	HTTP    *http.Client
}

// NewOCSPClient returns a client with an override URL ("" for the certificate's own) and a
// timeout per request.
func NewOCSPClient(url string, timeout time.Duration) *OCSPClient {
	return &OCSPClient{URL: url, Timeout: timeout, HTTP: &http.Client{Timeout: timeout}}
}

// maxOCSPResponse bounds what is read from a responder.
const maxOCSPResponse = 64 << 10

// Status implements Revocation: one POST, the answer checked (signed by the issuer or by a
// responder it delegated with id-kp-OCSPSigning, about this certificate, current at now).
func (o *OCSPClient) Status(ctx context.Context, cert, issuer *x509.Certificate, now time.Time) (string, time.Time, time.Time, error) {
	url := o.URL
	if url == "" && len(cert.OCSPServer) > 0 {
		url = cert.OCSPServer[0]
	}
	if url == "" {
		return "", time.Time{}, time.Time{}, fmt.Errorf("%w: the certificate names no OCSP responder and none is configured", ErrUnreachable)
	}
	req, err := ocsp.CreateRequest(cert, issuer, &ocsp.RequestOptions{Hash: crypto.SHA256})
	if err != nil {
		return "", time.Time{}, time.Time{}, fmt.Errorf("OCSP request: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(req))
	if err != nil {
		return "", time.Time{}, time.Time{}, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	hreq.Header.Set("Content-Type", "application/ocsp-request")
	hreq.Header.Set("Accept", "application/ocsp-response")
	res, err := o.HTTP.Do(hreq)
	if err != nil {
		return "", time.Time{}, time.Time{}, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxOCSPResponse))
	if err != nil {
		return "", time.Time{}, time.Time{}, fmt.Errorf("%w: read: %v", ErrUnreachable, err)
	}
	if res.StatusCode != http.StatusOK {
		return "", time.Time{}, time.Time{}, fmt.Errorf("%w: HTTP %d", ErrUnreachable, res.StatusCode)
	}
	r, err := ocsp.ParseResponseForCert(body, cert, issuer)
	if err != nil {
		return "", time.Time{}, time.Time{}, fmt.Errorf("%w: the answer is not usable: %v", ErrUnreachable, err)
	}
	if r.Certificate != nil && !bytes.Equal(r.Certificate.Raw, issuer.Raw) && !slices.Contains(r.Certificate.ExtKeyUsage, x509.ExtKeyUsageOCSPSigning) {
		return "", time.Time{}, time.Time{}, fmt.Errorf("%w: the responder's certificate is not for OCSP signing", ErrUnreachable)
	}
	if r.ThisUpdate.After(now.Add(ClockSkew)) || (!r.NextUpdate.IsZero() && r.NextUpdate.Before(now.Add(-ClockSkew))) {
		return "", time.Time{}, time.Time{}, fmt.Errorf("%w: the answer is not current (this update %s, next update %s)", ErrUnreachable,
			r.ThisUpdate.UTC().Format(time.RFC3339), r.NextUpdate.UTC().Format(time.RFC3339))
	}
	switch r.Status {
	case ocsp.Good:
		return OCSPGood, r.ProducedAt, time.Time{}, nil
	case ocsp.Revoked:
		return "revoked", r.ProducedAt, r.RevokedAt, nil
	default:
		return "unknown", r.ProducedAt, time.Time{}, nil
	}
}
