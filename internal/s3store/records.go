// Package s3store keeps documents in S3: acts, certificates and receipts in the Object Lock
// bucket, each pinned by its version ID and SHA-256 (Object Lock protects versions, not keys).
package s3store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"attestation/internal/attestation"
)

// API is the part of the S3 client the store uses.
type API interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// Records is the S3 Records store of one bucket.
type Records struct {
	s3     API
	bucket string
}

var _ attestation.Records = (*Records)(nil)

// NewRecords returns a Records store on bucket.
func NewRecords(api API, bucket string) *Records { return &Records{s3: api, bucket: bucket} }

// Put stores body under key with its SHA-256 checksum (required by Object Lock and checked by
// S3) and returns the version that pins it.
func (r *Records) Put(ctx context.Context, key, contentType string, body []byte) (attestation.Document, error) {
	sum := sha256.Sum256(body)
	out, err := r.s3.PutObject(ctx, &s3.PutObjectInput{
		Bucket: &r.bucket, Key: &key, Body: bytes.NewReader(body), ContentType: &contentType,
		ContentLength:     aws.Int64(int64(len(body))),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256,
		ChecksumSHA256:    aws.String(base64.StdEncoding.EncodeToString(sum[:])),
	})
	if err != nil {
		return attestation.Document{}, fmt.Errorf("put s3://%s/%s: %w", r.bucket, key, err)
	}
	return attestation.Document{Key: key, VersionID: aws.ToString(out.VersionId), SHA256: hex.EncodeToString(sum[:])}, nil
}
