package s3store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"attestation/internal/attestation"
	"attestation/internal/localstack"
	"attestation/internal/s3store"
)

// The store is tested against S3 in the local stack, on the Object Lock bucket of template.yaml.
var (
	stack  *localstack.Stack
	bucket string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	root, err := localstack.FindRoot(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if stack, err = localstack.Start(ctx, localstack.Options{Root: root}); err != nil {
		fmt.Fprintln(os.Stderr, "local stack:", err)
		return 1
	}
	defer stack.Close()
	for _, b := range stack.Template.Buckets {
		if b.ObjectLock {
			bucket = b.Name
		}
	}
	return m.Run()
}

// TestPutWritesAKeyOnce: concurrent deliveries of the same record leave one version; different
// bytes under a stored key are a conflict; the stored version is locked.
func TestPutWritesAKeyOnce(t *testing.T) {
	ctx := context.Background()
	rec := s3store.NewRecords(stack.Clients.S3, bucket)
	body := []byte(`{"caseId":"A-1"}`)
	docs := make([]attestation.Document, 10)
	errs := make([]error, 10)
	var wg sync.WaitGroup
	for i := range docs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			docs[i], errs[i] = rec.Put(ctx, "cases/A-1/receipt.json", "application/json", body)
		}(i)
	}
	wg.Wait()
	for i := range docs {
		if errs[i] != nil {
			t.Fatalf("delivery %d: %v", i, errs[i])
		}
		if docs[i] != docs[0] {
			t.Fatalf("delivery %d got %+v, delivery 0 %+v: one version for all", i, docs[i], docs[0])
		}
	}
	versions, err := stack.Clients.S3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: &bucket, Prefix: aws.String("cases/A-1/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(versions.Versions) != 1 {
		t.Fatalf("%d versions stored, want 1", len(versions.Versions))
	}
	if _, err := rec.Put(ctx, "cases/A-1/receipt.json", "application/json", []byte(`{"caseId":"A-2"}`)); !errors.Is(err, attestation.ErrConflict) {
		t.Fatalf("different bytes under a stored key: %v, want ErrConflict", err)
	}
	if _, err := stack.Clients.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: aws.String("cases/A-1/receipt.json"), VersionId: aws.String(docs[0].VersionID)}); err == nil {
		t.Fatal("a version under Object Lock (compliance mode) was deleted")
	}
}

// TestOpenReadsThePinnedVersion reads a record back by its version; an unknown key or version is
// ErrNotFound.
func TestOpenReadsThePinnedVersion(t *testing.T) {
	ctx := context.Background()
	rec := s3store.NewRecords(stack.Clients.S3, bucket)
	body := []byte("%PDF-1.7 certificate")
	doc, err := rec.Put(ctx, "certificates/2026/00042/certificate.pdf", "application/pdf", body)
	if err != nil {
		t.Fatal(err)
	}
	got, err := rec.Open(ctx, doc.Key, doc.VersionID)
	if err != nil || string(got) != string(body) {
		t.Fatalf("open: %q, %v", got, err)
	}
	if _, err := rec.Open(ctx, "certificates/none", ""); !errors.Is(err, attestation.ErrNotFound) {
		t.Errorf("a missing key: %v, want ErrNotFound", err)
	}
	if _, err := rec.Open(ctx, doc.Key, "no-such-version"); err == nil {
		t.Error("an unknown version was read")
	}
}

// TestDiscardRemovesOneVersionOutsideObjectLock: a package kept for a filing that lost its race
// is removed from the documents bucket, that version only; under Object Lock S3 refuses.
func TestDiscardRemovesOneVersionOutsideObjectLock(t *testing.T) {
	ctx := context.Background()
	rec := s3store.NewRecords(stack.Clients.S3, documentsBucket(t))
	key := fmt.Sprintf("cases/A-discard-%d/package.json", time.Now().UnixNano())
	doc, err := rec.Put(ctx, key, "application/json", []byte(`{"lost":"the race"}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := rec.Discard(ctx, doc); err != nil {
		t.Fatal(err)
	}
	if _, err := rec.Open(ctx, key, doc.VersionID); !errors.Is(err, attestation.ErrNotFound) {
		t.Fatalf("open of the discarded version: %v, want ErrNotFound", err)
	}
	if err := rec.Discard(ctx, doc); err != nil {
		t.Fatalf("a repeated discard: %v", err)
	}
	if err := rec.Discard(ctx, attestation.Document{Key: key}); !errors.Is(err, attestation.ErrInvalid) {
		t.Fatalf("a discard without a version: %v, want ErrInvalid", err)
	}

	locked := s3store.NewRecords(stack.Clients.S3, bucket)
	kept, err := locked.Put(ctx, fmt.Sprintf("receipts/discard-%d.json", time.Now().UnixNano()), "application/json", []byte(`{"kept":true}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := locked.Discard(ctx, kept); err == nil {
		t.Fatal("a version under Object Lock was discarded")
	}
	if _, err := locked.Open(ctx, kept.Key, kept.VersionID); err != nil {
		t.Fatalf("the locked version after a refused discard: %v", err)
	}
}
