package localstack

import (
	"net/http"
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
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxConnsPerHost = 64
	tr.MaxIdleConnsPerHost = 64
	return aws.Config{
		Region:           Region,
		Credentials:      credentials.NewStaticCredentialsProvider("local", "local", ""),
		BaseEndpoint:     aws.String(endpoint),
		HTTPClient:       &http.Client{Transport: serialWrites{next: tr}, Timeout: 60 * time.Second},
		RetryMaxAttempts: 3,
	}
}

// dynamoWrites serialises DynamoDB writes sent to moto. DynamoDB evaluates a write's conditions
// and applies it atomically (a transaction is serialisable); moto does not isolate concurrent
// requests, so two transactions conditional on the same value can both succeed there (measured:
// ten concurrent certificate issues gave one number twice). One write at a time restores what
// the project relies on in AWS.
var dynamoWrites sync.Mutex

type serialWrites struct{ next http.RoundTripper }

func (s serialWrites) RoundTrip(r *http.Request) (*http.Response, error) {
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
