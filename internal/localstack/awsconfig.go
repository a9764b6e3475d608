package localstack

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
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
	return serialWrites{next: tr}
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

// dynamoWrites serialises DynamoDB writes (and conditional S3 writes) sent to moto. DynamoDB evaluates a write's conditions
// and applies it atomically (a transaction is serialisable); moto does not isolate concurrent
// requests, so two transactions conditional on the same value can both succeed there (measured:
// ten concurrent certificate issues gave one number twice). One write at a time restores what
// the project relies on in AWS.
var dynamoWrites sync.Mutex

type serialWrites struct{ next http.RoundTripper }

func (s serialWrites) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPut && r.Header.Get("If-None-Match") != "" {
		// A conditional S3 write: S3 checks and writes atomically, moto does not.
		dynamoWrites.Lock()
		defer dynamoWrites.Unlock()
		return s.next.RoundTrip(r)
	}
	switch r.Header.Get("X-Amz-Target") {
	case "DynamoDB_20120810.TransactWriteItems", "DynamoDB_20120810.PutItem", "DynamoDB_20120810.UpdateItem",
		"DynamoDB_20120810.DeleteItem", "DynamoDB_20120810.BatchWriteItem":
		dynamoWrites.Lock()
		defer dynamoWrites.Unlock()
	}
	return s.next.RoundTrip(r)
}

// Clients are SDK clients on the local stack.
type Clients struct {
	DynamoDB *dynamodb.Client
	S3       *s3.Client
	SFN      *sfn.Client
}

// NewClients builds the clients the tests and the provisioning use.
func NewClients(cfg aws.Config) Clients {
	return Clients{
		DynamoDB: dynamodb.NewFromConfig(cfg),
		S3: s3.NewFromConfig(cfg, func(o *s3.Options) {
			o.UsePathStyle = true
			o.DisableLogOutputChecksumValidationSkipped = true
		}),
		SFN: sfn.NewFromConfig(cfg),
	}
}

// Requests counts the AWS requests each function made, by service operation
// ("DynamoDB.GetItem", "DynamoDB.TransactWriteItems", "S3.PUT", "SFN.SendTaskSuccess").
type Requests struct {
	mu     sync.Mutex
	counts map[string]map[string]int
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

// Reset sets every count to zero.
func (r *Requests) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.counts = map[string]map[string]int{}
}

func (r *Requests) add(fn, op string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.counts == nil {
		r.counts = map[string]map[string]int{}
	}
	if r.counts[fn] == nil {
		r.counts[fn] = map[string]int{}
	}
	r.counts[fn][op]++
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
	case strings.HasPrefix(op, "AWSStepFunctions."):
		op = "SFN." + strings.TrimPrefix(op, "AWSStepFunctions.")
	case op == "":
		op = "S3." + r.Method
	}
	c.reqs.add(c.fn, op)
	return c.next.RoundTrip(r)
}
