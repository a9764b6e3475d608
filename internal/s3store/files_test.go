package s3store_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"attestation/internal/attestation"
	"attestation/internal/s3store"
)

// The upload flow's store against the documents bucket of template.yaml in the local stack
// (versioned, no Object Lock): presigned PUTs and GETs sent with a plain HTTP client, as a
// browser would, and the move out of quarantine.

// documentsBucket is the bucket the functions get as DOCUMENTS_BUCKET.
func documentsBucket(t *testing.T) string {
	t.Helper()
	for _, b := range stack.Template.Buckets {
		if b.LogicalID == "DocumentsBucket" {
			return b.Name
		}
	}
	t.Fatal("template.yaml has no DocumentsBucket")
	return ""
}

func filesStore(t *testing.T) (*s3store.Files, string) {
	b := documentsBucket(t)
	return s3store.NewFiles(stack.Clients.S3, b), b
}

// uploadID is a new upload ID, so that every run (-count=2) uses new keys.
func uploadID(t *testing.T) string {
	t.Helper()
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "U-" + hex.EncodeToString(b)
}

func sum256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// send sends a presigned request with exactly its signed headers and body.
func send(t *testing.T, p attestation.Presigned, body []byte) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(p.Method, p.URL, r)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range p.Headers {
		if strings.EqualFold(k, "Content-Length") {
			continue // the client sets it from the body
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", p.Method, p.URL, err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, got
}

func header(p attestation.Presigned, name string) string {
	for k, v := range p.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

func TestFilesUploadFlow(t *testing.T) {
	ctx := context.Background()
	f, bucket := filesStore(t)
	id := uploadID(t)
	quarantine, document := attestation.QuarantinePrefix+id, attestation.DocumentPrefix+id
	body := []byte("%PDF-1.7\n% the signed contract of " + id + "\n%%EOF\n")
	sum := sha256.Sum256(body)

	before := time.Now()
	put, err := f.PresignPut(ctx, quarantine, "application/pdf", sum256(body), int64(len(body)), attestation.UploadURLExpiry)
	if err != nil {
		t.Fatal(err)
	}
	if put.Method != http.MethodPut || !strings.Contains(put.URL, bucket) || !strings.Contains(put.URL, id) || !strings.Contains(put.URL, "X-Amz-Signature=") {
		t.Fatalf("presigned PUT %+v", put)
	}
	if got := header(put, "Content-Type"); got != "application/pdf" {
		t.Fatalf("Content-Type header %q in %v", got, put.Headers)
	}
	if got, want := header(put, "X-Amz-Checksum-Sha256"), base64.StdEncoding.EncodeToString(sum[:]); got != want {
		t.Fatalf("checksum header %q, want %q, in %v", got, want, put.Headers)
	}
	if got, want := header(put, "Content-Length"), strconv.Itoa(len(body)); got != want {
		t.Fatalf("Content-Length header %q, want %q, in %v", got, want, put.Headers)
	}
	if header(put, "Host") != "" {
		t.Fatalf("the Host header is given: %v", put.Headers)
	}
	if lo, hi := before.Add(attestation.UploadURLExpiry-2*time.Second), time.Now().Add(attestation.UploadURLExpiry+time.Second); put.ExpiresAt.Before(lo) || put.ExpiresAt.After(hi) {
		t.Fatalf("expires at %s, want about %s", put.ExpiresAt, before.Add(attestation.UploadURLExpiry))
	}
	if _, err := f.PresignPut(ctx, quarantine, "application/pdf", "not hex", 1, time.Minute); err == nil {
		t.Fatal("a PUT presigned with a SHA-256 that is not hex")
	}

	if status, resp := send(t, put, body); status != http.StatusOK {
		t.Fatalf("PUT to the presigned URL: %d %s", status, resp)
	}

	opened, err := f.Open(ctx, quarantine)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(opened.Body)
	opened.Body.Close()
	if err != nil || !bytes.Equal(got, body) || opened.Size != int64(len(body)) || opened.ContentType != "application/pdf" || opened.VersionID == "" {
		t.Fatalf("open: %q %+v %v", got, opened, err)
	}

	version, err := f.Promote(ctx, quarantine, opened.VersionID, document)
	if err != nil {
		t.Fatal(err)
	}
	if version == "" {
		t.Fatal("the promoted document has no version ID")
	}
	if again, err := f.Open(ctx, document); err != nil || again.VersionID != version {
		t.Fatalf("open of the document: %+v %v, want version %s", again, err, version)
	} else {
		again.Body.Close()
	}
	if _, err := f.Open(ctx, quarantine); !errors.Is(err, attestation.ErrNotFound) {
		t.Fatalf("open of the quarantine key after the move: %v, want ErrNotFound", err)
	}
	head, err := stack.Clients.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &document})
	if err != nil || aws.ToString(head.VersionId) != version || aws.ToInt64(head.ContentLength) != int64(len(body)) ||
		aws.ToString(head.ContentType) != "application/pdf" {
		t.Fatalf("the document: %+v %v", head, err)
	}

	get, err := f.PresignGet(ctx, document, version, attestation.UploadURLExpiry)
	if err != nil {
		t.Fatal(err)
	}
	if get.Method != http.MethodGet || !strings.Contains(get.URL, "versionId=") {
		t.Fatalf("presigned GET %+v", get)
	}
	status, downloaded := send(t, get, nil)
	if status != http.StatusOK || !bytes.Equal(downloaded, body) {
		t.Fatalf("GET of the document's version: %d %q", status, downloaded)
	}

	// A later version under the key does not change what the link of the first one gives.
	if _, err := stack.Clients.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &document, Body: bytes.NewReader([]byte("%PDF-1.7 other")),
		ContentType: aws.String("application/pdf")}); err != nil {
		t.Fatal(err)
	}
	if status, again := send(t, get, nil); status != http.StatusOK || !bytes.Equal(again, body) {
		t.Fatalf("GET of the first version after another was put: %d %q", status, again)
	}
}

func TestFilesMissingKeys(t *testing.T) {
	ctx := context.Background()
	f, _ := filesStore(t)
	missing := attestation.QuarantinePrefix + uploadID(t)
	if err := f.Delete(ctx, missing); err != nil {
		t.Fatalf("delete of a missing key: %v", err)
	}
	if _, err := f.Open(ctx, missing); !errors.Is(err, attestation.ErrNotFound) {
		t.Fatalf("open of a missing key: %v, want ErrNotFound", err)
	}
	if _, err := f.Promote(ctx, missing, "", attestation.DocumentPrefix+uploadID(t)); err == nil {
		t.Fatal("a promote of a missing key succeeded")
	}
}

func TestFilesDeleteRemovesTheObject(t *testing.T) {
	ctx := context.Background()
	f, bucket := filesStore(t)
	key := attestation.QuarantinePrefix + uploadID(t)
	if _, err := stack.Clients.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader([]byte("<html>")),
		ContentType: aws.String("text/html")}); err != nil {
		t.Fatal(err)
	}
	if err := f.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Open(ctx, key); !errors.Is(err, attestation.ErrNotFound) {
		t.Fatalf("open after delete: %v, want ErrNotFound", err)
	}
	if err := f.Delete(ctx, key); err != nil {
		t.Fatalf("a second delete: %v", err)
	}
}

// TestPromoteMovesTheVersionChecked: bytes PUT to the quarantine key after a version was read
// (a second PUT to the same presigned URL) are not what Promote moves: the document is the
// version named.
func TestPromoteMovesTheVersionChecked(t *testing.T) {
	ctx := context.Background()
	f, bucket := filesStore(t)
	quarantine, document := attestation.QuarantinePrefix+uploadID(t), attestation.DocumentPrefix+uploadID(t)
	checked, swapped := []byte("%PDF-1.4 the checked bytes"), []byte("%PDF-1.4 bytes swapped in later")
	for _, b := range [][]byte{checked} {
		if _, err := stack.Clients.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &quarantine, Body: bytes.NewReader(b),
			ContentType: aws.String("application/pdf")}); err != nil {
			t.Fatal(err)
		}
	}
	opened, err := f.Open(ctx, quarantine)
	if err != nil {
		t.Fatal(err)
	}
	opened.Body.Close()
	if _, err := stack.Clients.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &quarantine, Body: bytes.NewReader(swapped),
		ContentType: aws.String("application/pdf")}); err != nil {
		t.Fatal(err)
	}
	version, err := f.Promote(ctx, quarantine, opened.VersionID, document)
	if err != nil {
		t.Fatal(err)
	}
	out, err := stack.Clients.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &document, VersionId: &version})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if !bytes.Equal(got, checked) {
		t.Fatalf("the document holds %q, want the checked %q", got, checked)
	}
	if _, err := f.Promote(ctx, attestation.QuarantinePrefix+uploadID(t), opened.VersionID, attestation.DocumentPrefix+uploadID(t)); !errors.Is(err, attestation.ErrNotFound) {
		t.Fatalf("a promote of a version of another key: %v, want ErrNotFound", err)
	}
}
