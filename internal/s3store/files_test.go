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
// browser would, S3's own check of the checksum signed into a PUT, and what confirm asks S3.

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
	document := attestation.DocumentPrefix + id
	body := []byte("%PDF-1.7\n% the signed contract of " + id + "\n%%EOF\n")
	sum := sha256.Sum256(body)

	before := time.Now()
	put, err := f.PresignPut(ctx, document, "application/pdf", sum256(body), int64(len(body)), attestation.UploadURLExpiry)
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
	if _, err := f.PresignPut(ctx, document, "application/pdf", "not hex", 1, time.Minute); err == nil {
		t.Fatal("a PUT presigned with a SHA-256 that is not hex")
	}

	if status, resp := send(t, put, body); status != http.StatusOK {
		t.Fatalf("PUT to the presigned URL: %d %s", status, resp)
	}

	facts, err := f.Stat(ctx, document)
	if err != nil {
		t.Fatal(err)
	}
	if facts.Size != int64(len(body)) || facts.ContentType != "application/pdf" || facts.SHA256 != sum256(body) || facts.VersionID == "" {
		t.Fatalf("stat: %+v", facts)
	}
	version := facts.VersionID
	head, err := f.ReadHead(ctx, document, version, attestation.SniffBytes)
	if err != nil || !bytes.Equal(head, body[:attestation.SniffBytes]) {
		t.Fatalf("the first bytes: %q %v", head, err)
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
	missing := attestation.DocumentPrefix + uploadID(t)
	if _, err := f.Stat(ctx, missing); !errors.Is(err, attestation.ErrNotFound) {
		t.Fatalf("stat of a missing key: %v, want ErrNotFound", err)
	}
	if _, err := f.ReadHead(ctx, missing, "", 16); !errors.Is(err, attestation.ErrNotFound) {
		t.Fatalf("the first bytes of a missing key: %v, want ErrNotFound", err)
	}
}

// TestAPresignedPutOfOtherBytesIsRefusedByS3: the checksum signed into the URL makes S3 refuse
// bytes that are not the declared ones (400 BadDigest), and store nothing; the local stack's S3
// (infra/local/moto_launcher.py, patch 10) checks it as S3 does, whether the checksum comes as a
// header (the presigned PUT) or as a query parameter.
func TestAPresignedPutOfOtherBytesIsRefusedByS3(t *testing.T) {
	ctx := context.Background()
	f, bucket := filesStore(t)
	declared := []byte("%PDF-1.7\n% the declared bytes\n%%EOF\n")
	other := []byte("%PDF-1.7\n% the DECLARED bytes\n%%EOF\n")
	if len(other) != len(declared) {
		t.Fatalf("sizes %d and %d", len(other), len(declared))
	}
	key := attestation.DocumentPrefix + uploadID(t)
	put, err := f.PresignPut(ctx, key, "application/pdf", sum256(declared), int64(len(declared)), attestation.UploadURLExpiry)
	if err != nil {
		t.Fatal(err)
	}
	status, resp := send(t, put, other)
	if status != http.StatusBadRequest || !strings.Contains(string(resp), "BadDigest") {
		t.Fatalf("PUT of other bytes: %d %s, want 400 BadDigest", status, resp)
	}
	if _, err := f.Stat(ctx, key); !errors.Is(err, attestation.ErrNotFound) {
		t.Fatalf("after the refused PUT: %v, want nothing stored", err)
	}
	if status, resp := send(t, put, declared); status != http.StatusOK {
		t.Fatalf("PUT of the declared bytes: %d %s", status, resp)
	}
	if facts, err := f.Stat(ctx, key); err != nil || facts.SHA256 != sum256(declared) {
		t.Fatalf("after the PUT: %+v %v", facts, err)
	}

	t.Run("the checksum as a query parameter", func(t *testing.T) {
		key := attestation.DocumentPrefix + uploadID(t)
		sum := sha256.Sum256(declared)
		url := stack.MotoURL + "/" + bucket + "/" + key + "?x-amz-sdk-checksum-algorithm=SHA256&x-amz-checksum-sha256=" +
			strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(base64.StdEncoding.EncodeToString(sum[:]))
		for _, tc := range []struct {
			body []byte
			want int
		}{{other, http.StatusBadRequest}, {declared, http.StatusOK}} {
			status, resp := send(t, attestation.Presigned{URL: url, Method: http.MethodPut, Headers: map[string]string{"Content-Type": "application/pdf"}}, tc.body)
			if status != tc.want {
				t.Fatalf("PUT: %d %s, want %d", status, resp, tc.want)
			}
		}
		if facts, err := f.Stat(ctx, key); err != nil || facts.SHA256 != sum256(declared) {
			t.Fatalf("after the PUT: %+v %v", facts, err)
		}
	})
}

// TestReadHeadReadsTheVersionNamed: bytes PUT to the key after a version was checked (a second
// PUT to the same presigned URL) are not what ReadHead reads of that version; Stat reports the
// later one as current.
func TestReadHeadReadsTheVersionNamed(t *testing.T) {
	ctx := context.Background()
	f, bucket := filesStore(t)
	key := attestation.DocumentPrefix + uploadID(t)
	checked, swapped := []byte("%PDF-1.4 the checked bytes"), []byte("GIF89a bytes swapped in later")
	var versions []string
	for _, b := range [][]byte{checked, swapped} {
		out, err := stack.Clients.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(b),
			ContentType: aws.String("application/pdf")})
		if err != nil {
			t.Fatal(err)
		}
		versions = append(versions, aws.ToString(out.VersionId))
	}
	head, err := f.ReadHead(ctx, key, versions[0], 8)
	if err != nil || !bytes.Equal(head, checked[:8]) {
		t.Fatalf("the first bytes of the first version: %q %v", head, err)
	}
	if facts, err := f.Stat(ctx, key); err != nil || facts.VersionID != versions[1] || facts.SHA256 != "" && facts.SHA256 != sum256(swapped) {
		t.Fatalf("stat: %+v %v, want version %s", facts, err, versions[1])
	}
	if short, err := f.ReadHead(ctx, key, versions[0], 1000); err != nil || !bytes.Equal(short, checked) {
		t.Fatalf("more bytes than the object has: %q %v", short, err)
	}
}

// versionCount is how many versions and delete markers of exactly key the bucket holds.
func versionCount(t *testing.T, bucket, key string) int {
	t.Helper()
	out, err := stack.Clients.S3.ListObjectVersions(context.Background(), &s3.ListObjectVersionsInput{Bucket: &bucket, Prefix: &key})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, v := range out.Versions {
		if aws.ToString(v.Key) == key {
			n++
		}
	}
	for _, m := range out.DeleteMarkers {
		if aws.ToString(m.Key) == key {
			n++
		}
	}
	return n
}

// TestDeleteVersionsDeletesEveryVersionOfTheKeyAlone: the sweep of expired uploads deletes every
// version of an upload's key and its delete markers, and nothing of a key that only starts like it;
// a key with nothing under it deletes nothing.
func TestDeleteVersionsDeletesEveryVersionOfTheKeyAlone(t *testing.T) {
	ctx := context.Background()
	f, bucket := filesStore(t)
	key := attestation.DocumentPrefix + uploadID(t)
	longer := key + "-kept"
	for _, k := range []string{key, key, longer} {
		if _, err := stack.Clients.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String(k),
			Body: bytes.NewReader([]byte("%PDF-1.4 " + k)), ContentType: aws.String("application/pdf")}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := stack.Clients.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: &key}); err != nil {
		t.Fatal(err)
	}
	if n := versionCount(t, bucket, key); n != 3 {
		t.Fatalf("%d versions and markers before, want 3", n)
	}
	n, err := f.DeleteVersions(ctx, key)
	if err != nil || n != 3 {
		t.Fatalf("deleted %d: %v, want 3", n, err)
	}
	if n := versionCount(t, bucket, key); n != 0 {
		t.Fatalf("%d versions left", n)
	}
	if n := versionCount(t, bucket, longer); n != 1 {
		t.Fatalf("the other key has %d versions, want 1", n)
	}
	if n, err := f.DeleteVersions(ctx, key); err != nil || n != 0 {
		t.Fatalf("again: %d %v", n, err)
	}
}
