// Package awshttp is the HTTP client every function gives the AWS SDK: the SDK's own client, with
// one defect of the SDK's request bodies mended so that a request AWS has carried out is never
// sent again for it.
//
// The defect (smithy-go v1.28, aws-sdk-go-v2's HTTP layer): the SDK closes a request's body as
// soon as the response's headers are back, and a closed body's WriteTo returns io.EOF as an error.
// net/http's transport, once it has sent the body's Content-Length bytes, reads the body once more
// to check that nothing is left over, and it does so through WriteTo. When the response comes back
// between those two steps (a fast answer, or a goroutine descheduled for a moment, as Lambda's CPU
// share does), the transport takes that io.EOF for a failed write and closes the connection under
// the response it has just handed over. The SDK then fails to read the response's body ("use of
// closed network connection") and retries the whole request, which AWS has already carried out:
// an item written twice (the second time refused by its condition, so a write that succeeded is
// reported as a conflict), an event put on the bus twice, a mail sent twice.
//
// The mend: the body the transport sees is the SDK's body without WriteTo, so its check reads
// through Read, which ends a closed body with io.EOF as Read should. Nothing else changes.
package awshttp

import (
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkhttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// Client returns the SDK's default HTTP client with the mend (config.WithHTTPClient).
func Client() aws.HTTPClient {
	return client{next: sdkhttp.NewBuildableClient()}
}

type client struct{ next aws.HTTPClient }

func (c client) Do(r *http.Request) (*http.Response, error) {
	return c.next.Do(WithReadOnlyBody(r))
}

// Transport wraps an http.RoundTripper with the mend (the local stack's clients).
func Transport(next http.RoundTripper) http.RoundTripper { return transport{next: next} }

type transport struct{ next http.RoundTripper }

func (t transport) RoundTrip(r *http.Request) (*http.Response, error) {
	return t.next.RoundTrip(WithReadOnlyBody(r))
}

// WithReadOnlyBody returns r, or a shallow copy of it whose body (and the bodies GetBody makes
// again for a resend) offer Read and Close only. The caller's request is not changed.
func WithReadOnlyBody(r *http.Request) *http.Request {
	if r.Body == nil || r.Body == http.NoBody {
		return r
	}
	out := r.WithContext(r.Context()) // a shallow copy
	out.Body = readOnly{r.Body}
	if getBody := r.GetBody; getBody != nil {
		out.GetBody = func() (io.ReadCloser, error) {
			body, err := getBody()
			if err != nil || body == nil || body == http.NoBody {
				return body, err
			}
			return readOnly{body}, nil
		}
	}
	return out
}

// readOnly hides every method of the body but Read and Close (WriteTo above all).
type readOnly struct{ body io.ReadCloser }

func (b readOnly) Read(p []byte) (int, error) { return b.body.Read(p) }
func (b readOnly) Close() error               { return b.body.Close() }
