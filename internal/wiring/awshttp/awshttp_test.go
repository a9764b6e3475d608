package awshttp

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// lateCheck plays net/http's transport when the response overtakes its last look at the body: it
// sends the body's Content-Length bytes and answers; the transport's check that nothing is left
// (io.Copy to io.Discard) runs only after the SDK has the response, and so has closed the body.
type lateCheck struct {
	kept []*http.Request
}

func (l *lateCheck) Do(r *http.Request) (*http.Response, error) {
	if _, err := io.Copy(io.Discard, io.LimitReader(r.Body, r.ContentLength)); err != nil {
		return nil, err
	}
	l.kept = append(l.kept, r)
	return &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": {"application/x-amz-json-1.0"}},
		Body:       io.NopCloser(strings.NewReader("{}")),
		Request:    r,
	}, nil
}

func (l *lateCheck) RoundTrip(r *http.Request) (*http.Response, error) { return l.Do(r) }

// putItem sends one PutItem through the real SDK (its request body as the SDK builds it) and
// returns the error of the transport's late check of that body.
func putItem(t *testing.T, httpClient aws.HTTPClient, sent *lateCheck) error {
	t.Helper()
	db := dynamodb.NewFromConfig(aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("k", "s", ""),
		BaseEndpoint:     aws.String("http://127.0.0.1:1"),
		HTTPClient:       httpClient,
		RetryMaxAttempts: 1,
	})
	_, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{
		TableName: aws.String("cases"),
		Item:      map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "CASE#1"}},
	})
	if err != nil {
		t.Fatalf("PutItem: %v", err)
	}
	if len(sent.kept) != 1 {
		t.Fatalf("%d requests sent, want 1", len(sent.kept))
	}
	_, err = io.Copy(io.Discard, sent.kept[0].Body)
	return err
}

func TestABodyTheSDKHasClosedEndsWithoutAnError(t *testing.T) {
	t.Run("the SDK's own body: the late check fails, and net/http would close the connection", func(t *testing.T) {
		// If this ever passes, the SDK has mended its body and this package can go.
		sent := &lateCheck{}
		if err := putItem(t, sent, sent); !errors.Is(err, io.EOF) {
			t.Fatalf("late check of the SDK's body: %v, want io.EOF (the defect this package mends)", err)
		}
	})
	t.Run("through Client", func(t *testing.T) {
		sent := &lateCheck{}
		if err := putItem(t, client{next: sent}, sent); err != nil {
			t.Fatalf("late check: %v, want none", err)
		}
	})
	t.Run("through Transport", func(t *testing.T) {
		sent := &lateCheck{}
		if err := putItem(t, &http.Client{Transport: Transport(sent)}, sent); err != nil {
			t.Fatalf("late check: %v, want none", err)
		}
	})
}

func TestTheCallersRequestIsNotChanged(t *testing.T) {
	r, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:1/", strings.NewReader("abc"))
	if err != nil {
		t.Fatal(err)
	}
	body := r.Body
	out := WithReadOnlyBody(r)
	if r.Body != body {
		t.Fatal("the caller's request has another body")
	}
	if _, ok := out.Body.(io.WriterTo); ok {
		t.Fatal("the body sent still offers WriteTo")
	}
	again, err := out.GetBody()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := again.(io.WriterTo); ok {
		t.Fatal("a body made again for a resend offers WriteTo")
	}
	if got, _ := io.ReadAll(again); string(got) != "abc" {
		t.Fatalf("a body made again reads %q, want abc", got)
	}
	if none, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:1/", nil); WithReadOnlyBody(none) != none {
		t.Fatal("a request without a body is copied")
	}
}
