package s3store_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"attestation/internal/attestation"
)

// Issue 17: a signature is verified over the version confirm pins, not whatever is current.
func TestReadVersionReadsThePinnedVersion(t *testing.T) {
	ctx := context.Background()
	f, bucket := filesStore(t)
	key := attestation.DocumentPrefix + uploadID(t)
	var versions []string
	for _, b := range [][]byte{[]byte("%PDF-1.4 signed bytes"), []byte("%PDF-1.4 bytes PUT later")} {
		out, err := stack.Clients.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(b), ContentType: aws.String("application/pdf")})
		if err != nil {
			t.Fatal(err)
		}
		versions = append(versions, aws.ToString(out.VersionId))
	}
	got, err := f.ReadVersion(ctx, key, versions[0], 1<<20)
	if err != nil || string(got) != "%PDF-1.4 signed bytes" {
		t.Fatalf("ReadVersion = %q, %v; want the first version", got, err)
	}
	if _, err := f.ReadVersion(ctx, key, versions[1], 4); err == nil {
		t.Fatal("an object over max was read")
	}
	if _, err := f.ReadVersion(ctx, attestation.DocumentPrefix+uploadID(t), "", 1<<20); !errors.Is(err, attestation.ErrNotFound) {
		t.Fatalf("a missing key: %v, want ErrNotFound", err)
	}
}
