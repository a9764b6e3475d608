// Package s3store keeps documents in S3: acts, certificates and receipts in the Object Lock
// bucket, each pinned by its version ID and SHA-256 (Object Lock protects versions, not keys).
package s3store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
)

// API is the part of the S3 client the store uses.
type API interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, opts ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, opts ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
}

// maxRecord bounds what Open reads into memory: a package, an act, a certificate.
const maxRecord = 64 << 20

// Open reads the given version of key (the current one when versionID is empty), at most 64 MiB.
// A missing key or version is attestation.ErrNotFound.
func (r *Records) Open(ctx context.Context, key, versionID string) ([]byte, error) {
	in := &s3.GetObjectInput{Bucket: &r.bucket, Key: &key}
	if versionID != "" {
		in.VersionId = &versionID
	}
	out, err := r.s3.GetObject(ctx, in)
	var api smithy.APIError
	if errors.As(err, &api) && (api.ErrorCode() == "NoSuchKey" || api.ErrorCode() == "NoSuchVersion") {
		return nil, apperr.Hidden(apperr.NotFound, "document", "get s3://%s/%s (version %q)", r.bucket, key, versionID)
	}
	if err != nil {
		return nil, fmt.Errorf("get s3://%s/%s (version %q): %w", r.bucket, key, versionID, err)
	}
	defer out.Body.Close()
	body, err := io.ReadAll(io.LimitReader(out.Body, maxRecord+1))
	if err != nil {
		return nil, fmt.Errorf("read s3://%s/%s: %w", r.bucket, key, err)
	}
	if len(body) > maxRecord {
		return nil, fmt.Errorf("read s3://%s/%s: larger than %d bytes", r.bucket, key, maxRecord)
	}
	return body, nil
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
// S3) and returns the version that pins it. A key is written once: the write is conditional on
// the key being new (If-None-Match), so a repeated delivery that writes the same bytes gets the
// version already stored instead of a second one, and different bytes are attestation.ErrConflict.
func (r *Records) Put(ctx context.Context, key, contentType string, body []byte) (attestation.Document, error) {
	sum := sha256.Sum256(body)
	b64 := base64.StdEncoding.EncodeToString(sum[:])
	out, err := r.s3.PutObject(ctx, &s3.PutObjectInput{
		Bucket: &r.bucket, Key: &key, Body: bytes.NewReader(body), ContentType: &contentType,
		ContentLength:     aws.Int64(int64(len(body))),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256,
		ChecksumSHA256:    aws.String(b64),
		IfNoneMatch:       aws.String("*"),
	})
	var api smithy.APIError
	if errors.As(err, &api) && api.ErrorCode() == "PreconditionFailed" {
		head, herr := r.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &r.bucket, Key: &key, ChecksumMode: types.ChecksumModeEnabled})
		if herr != nil {
			return attestation.Document{}, fmt.Errorf("head s3://%s/%s: %w", r.bucket, key, herr)
		}
		if aws.ToString(head.ChecksumSHA256) != b64 {
			return attestation.Document{}, apperr.Hidden(apperr.Conflict, "", "put s3://%s/%s: another content is stored under this key", r.bucket, key)
		}
		return attestation.Document{Key: key, VersionID: aws.ToString(head.VersionId), SHA256: hex.EncodeToString(sum[:])}, nil
	}
	if err != nil {
		return attestation.Document{}, fmt.Errorf("put s3://%s/%s: %w", r.bucket, key, err)
	}
	return attestation.Document{Key: key, VersionID: aws.ToString(out.VersionId), SHA256: hex.EncodeToString(sum[:])}, nil
}

// Discard permanently removes one version that no record refers to: the package kept for a filing
// that lost its race (internal/attestation). On a bucket under Object Lock, S3 refuses it.
func (r *Records) Discard(ctx context.Context, d attestation.Document) error {
	if d.Key == "" || d.VersionID == "" {
		return apperr.Hidden(apperr.Unprocessable, "", "discard s3://%s/%q: a version is required, never a whole key", r.bucket, d.Key)
	}
	_, err := r.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &r.bucket, Key: &d.Key, VersionId: &d.VersionID})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("discard s3://%s/%s version %s: %w", r.bucket, d.Key, d.VersionID, err)
	}
	return nil
}
