package localstack

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"attestation/internal/wiring/awshttp"
)

// Region and AccountID are what the local stack pretends to be (moto's defaults).
const (
	Region    = "us-east-1"
	AccountID = "123456789012"
)

// AWSConfig returns an SDK config for the local endpoint: static credentials, the local region,
// and an HTTP client limited to 64 connections per host (moto resets connections beyond that).
func AWSConfig(endpoint string) aws.Config {
	return awsConfig(endpoint, newTransport())
}

func newTransport() http.RoundTripper {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxConnsPerHost = 64
	tr.MaxIdleConnsPerHost = 64
	return serialWrites{next: awshttp.Transport(tr)} // the SDK's request bodies mended as in AWS
}

func awsConfig(endpoint string, tr http.RoundTripper) aws.Config {
	return aws.Config{
		Region:           Region,
		Credentials:      credentials.NewStaticCredentialsProvider("local", "local", ""),
		BaseEndpoint:     aws.String(endpoint),
		HTTPClient:       &http.Client{Transport: tr, Timeout: 60 * time.Second},
		RetryMaxAttempts: 3,
	}
}

// conditionalPuts serialises conditional S3 writes (If-None-Match) sent to moto: S3 checks and
// writes atomically, moto does not. DynamoDB's atomic conditions and transactions the launcher
// restores for every client (patch 9: one DynamoDB request at a time).
var conditionalPuts sync.Mutex

type serialWrites struct{ next http.RoundTripper }

func (s serialWrites) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPut && r.Header.Get("If-None-Match") != "" {
		conditionalPuts.Lock()
		defer conditionalPuts.Unlock()
	}
	return s.next.RoundTrip(r)
}

// Clients are SDK clients on the local stack.
type Clients struct {
	DynamoDB *dynamodb.Client
	S3       *s3.Client
	SFN      *sfn.Client
	KMS      *kms.Client
	Events   *eventbridge.Client // the notifications' bus (issue 13)
	SES      *sesv2.Client       // the notifications' mail
}

// NewClients builds the clients the tests and the provisioning use.
func NewClients(cfg aws.Config) Clients {
	return Clients{
		DynamoDB: dynamodb.NewFromConfig(cfg),
		S3: s3.NewFromConfig(cfg, func(o *s3.Options) {
			o.UsePathStyle = true
			o.DisableLogOutputChecksumValidationSkipped = true
		}),
		SFN:    sfn.NewFromConfig(cfg),
		KMS:    kms.NewFromConfig(cfg),
		Events: eventbridge.NewFromConfig(cfg),
		SES:    sesv2.NewFromConfig(cfg),
	}
}

// Requests counts the AWS requests each function made, by service operation
// ("DynamoDB.GetItem", "DynamoDB.TransactWriteItems", "S3.PUT", "SFN.SendTaskSuccess"), times
// their round trips, and times each function's invocations, so that a benchmark can set a
// call's time against the time its own requests took. The API function's call records (seed 003
// §8) and Idempotency-Key claims are counted apart, as "DynamoDB.PutItem (call record)" and
// "DynamoDB.<op> (idempotency)".
type Requests struct {
	mu     sync.Mutex
	counts map[string]map[string]int
	trips  map[string]time.Duration // round-trip time of the requests, by function
	calls  map[string]Calls         // invocations, by function name
}

// Calls is the number of a function's invocations and their total time.
type Calls struct {
	N    int
	Time time.Duration
}

// Snapshot returns the counts so far, by function.
func (r *Requests) Snapshot() map[string]map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]map[string]int{}
	for fn, ops := range r.counts {
		out[fn] = map[string]int{}
		for op, n := range ops {
			out[fn][op] = n
		}
	}
	return out
}

// RoundTrips returns the total round-trip time of a function's AWS requests so far (function
// by logical ID, as Snapshot).
func (r *Requests) RoundTrips(fn string) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.trips[fn]
}

// Invocations returns a function's invocations so far (function by its name).
func (r *Requests) Invocations(name string) Calls {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[name]
}

// Reset sets every count to zero.
func (r *Requests) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.counts = map[string]map[string]int{}
	r.trips = map[string]time.Duration{}
	r.calls = map[string]Calls{}
}

func (r *Requests) add(fn, op string, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.counts == nil {
		r.counts, r.trips, r.calls = map[string]map[string]int{}, map[string]time.Duration{}, map[string]Calls{}
	}
	r.trips[fn] += d
	if op == "" { // the rest of a request's time, already counted
		return
	}
	if r.counts[fn] == nil {
		r.counts[fn] = map[string]int{}
	}
	r.counts[fn][op]++
}

func (r *Requests) invoked(name string, d time.Duration) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.calls == nil {
		r.counts, r.trips, r.calls = map[string]map[string]int{}, map[string]time.Duration{}, map[string]Calls{}
	}
	c := r.calls[name]
	c.N++
	c.Time += d
	r.calls[name] = c
}

// classifyDynamoDB names a DynamoDB request (op is "DynamoDB.<operation>") by its operation
// and the keys of its body: a write of a call record (seed 003 §8; partition AUDIT#<day>) is
// "DynamoDB.<op> (call record)", any request on an Idempotency-Key claim (IDEMP#) "DynamoDB.<op>
// (idempotency)". A read of the call records (GET /audit/days/{day} queries AUDIT#<day>) is the
// route's work, not a call record, and keeps its plain name.
func classifyDynamoDB(op string, body []byte) string {
	switch {
	case bytes.Contains(body, []byte(`"S":"IDEMP#`)):
		return op + " (idempotency)"
	case bytes.Contains(body, []byte(`"S":"AUDIT#`)) && dynamoDBWrite(op):
		return op + " (call record)"
	}
	return op
}

// dynamoDBWrite reports whether op ("DynamoDB.<operation>") writes items.
func dynamoDBWrite(op string) bool {
	switch strings.TrimPrefix(op, "DynamoDB.") {
	case "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems":
		return true
	}
	return false
}

type counting struct {
	fn   string
	reqs *Requests
	next http.RoundTripper
}

func (c counting) RoundTrip(r *http.Request) (*http.Response, error) {
	op := r.Header.Get("X-Amz-Target")
	switch {
	case strings.HasPrefix(op, "DynamoDB_20120810."):
		op = "DynamoDB." + strings.TrimPrefix(op, "DynamoDB_20120810.")
		if r.Body != nil {
			// Tell the call records and idempotency claims from the work by their keys.
			body, err := io.ReadAll(r.Body)
			r.Body.Close()
			if err != nil {
				return nil, err
			}
			r = r.Clone(r.Context())
			r.Body = io.NopCloser(bytes.NewReader(body))
			op = classifyDynamoDB(op, body)
		}
	case strings.HasPrefix(op, "AWSStepFunctions."):
		op = "SFN." + strings.TrimPrefix(op, "AWSStepFunctions.")
	case strings.HasPrefix(op, "TrentService."):
		op = "KMS." + strings.TrimPrefix(op, "TrentService.")
	case op == "":
		op = "S3." + r.Method
	}
	start := time.Now()
	resp, err := c.next.RoundTrip(r)
	if err != nil || resp.Body == nil || resp.Body == http.NoBody {
		c.reqs.add(c.fn, op, time.Since(start))
		return resp, err
	}
	// The round trip ends with the response's last byte, not with its headers: the time until
	// the body is read to its end (or closed, whichever comes first) is the request's too.
	c.reqs.add(c.fn, op, 0)
	resp.Body = &timedBody{ReadCloser: resp.Body, done: func() { c.reqs.add(c.fn, "", time.Since(start)) }}
	return resp, err
}

// timedBody calls done once, when the body has been read to its end or closed.
type timedBody struct {
	io.ReadCloser
	once sync.Once
	done func()
}

func (b *timedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.once.Do(b.done)
	}
	return n, err
}

func (b *timedBody) Close() error {
	b.once.Do(b.done)
	return b.ReadCloser.Close()
}
