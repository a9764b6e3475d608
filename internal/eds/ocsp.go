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
	"sync"
	"time"

	"golang.org/x/crypto/ocsp"
)

// OCSPClient asks a certificate's OCSP responder (RFC 6960) over HTTP POST: the responder named
// in the certificate (Authority Information Access), or the one configured instead.
type OCSPClient struct {
	URL     string // overrides the certificate's responder when set
	Timeout time.Duration
	HTTP    *http.Client
	// CacheFor keeps a good or revoked answer about a certificate this long (never past the
	// answer's nextUpdate), counted on the verifier's now: the documents of one filing, signed
	// with one certificate, cost one round trip. 0 asks every time.
	CacheFor time.Duration

	mu    sync.Mutex
	cache map[string]ocspAnswer // by issuer and serial
	// asking holds a lock per certificate being asked about: the documents of a filing are
	// confirmed side by side (a batch), and the first answer serves the others.
	asking map[string]*keyLock
}

// keyLock is the lock of one certificate's question, with the number of callers holding or
// waiting on it (the lock is dropped when none is left).
type keyLock struct {
	mu sync.Mutex
	n  int
}

// lockKey waits for any question about key in flight and returns the unlock of this one.
func (o *OCSPClient) lockKey(key string) (unlock func()) {
	o.mu.Lock()
	if o.asking == nil {
		o.asking = map[string]*keyLock{}
	}
	l := o.asking[key]
	if l == nil {
		l = &keyLock{}
		o.asking[key] = l
	}
	l.n++
	o.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		o.mu.Lock()
		if l.n--; l.n == 0 {
			delete(o.asking, key)
		}
		o.mu.Unlock()
	}
}

// ocspAnswer is a cached answer and until when it may be used.
type ocspAnswer struct {
	status              string
	produced, revokedAt time.Time
	from, until         time.Time
}

// NewOCSPClient returns a client with an override URL ("" for the certificate's own) and a
// timeout per request.
func NewOCSPClient(url string, timeout time.Duration) *OCSPClient {
	return &OCSPClient{URL: url, Timeout: timeout, HTTP: &http.Client{Timeout: timeout}, CacheFor: DefaultOCSPCache}
}

// DefaultOCSPCache is how long an OCSP answer is reused unless configured otherwise.
const DefaultOCSPCache = 5 * time.Minute

// cached returns a usable cached answer about cert at now.
func (o *OCSPClient) cached(key string, now time.Time) (ocspAnswer, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	a, ok := o.cache[key]
	if !ok || now.Before(a.from.Add(-ClockSkew)) || !now.Before(a.until) {
		return ocspAnswer{}, false
	}
	return a, true
}

func (o *OCSPClient) keep(key string, a ocspAnswer, nextUpdate time.Time) {
	if o.CacheFor <= 0 {
		return
	}
	a.until = a.from.Add(o.CacheFor)
	if !nextUpdate.IsZero() && nextUpdate.Before(a.until) {
		a.until = nextUpdate
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.cache == nil || len(o.cache) >= maxOCSPCache {
		o.cache = map[string]ocspAnswer{} // a bounded cache: start again rather than grow
	}
	o.cache[key] = a
}

// maxOCSPCache bounds the certificates whose answers are kept.
const maxOCSPCache = 10000

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
	key := string(issuer.RawSubjectPublicKeyInfo) + "|" + cert.SerialNumber.String()
	if a, ok := o.cached(key, now); ok {
		return a.status, a.produced, a.revokedAt, nil
	}
	if o.CacheFor > 0 {
		// One question per certificate at a time: those waiting take the answer it leaves.
		unlock := o.lockKey(key)
		defer unlock()
		if a, ok := o.cached(key, now); ok {
			return a.status, a.produced, a.revokedAt, nil
		}
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
		o.keep(key, ocspAnswer{status: OCSPGood, produced: r.ProducedAt, from: now}, r.NextUpdate)
		return OCSPGood, r.ProducedAt, time.Time{}, nil
	case ocsp.Revoked:
		o.keep(key, ocspAnswer{status: "revoked", produced: r.ProducedAt, revokedAt: r.RevokedAt, from: now}, r.NextUpdate)
		return "revoked", r.ProducedAt, r.RevokedAt, nil
	default:
		return "unknown", r.ProducedAt, time.Time{}, nil
	}
}
