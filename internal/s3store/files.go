package s3store

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
)

// FilesAPI is the part of the S3 client the documents bucket's upload flow uses.
type FilesAPI interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	CopyObject(ctx context.Context, in *s3.CopyObjectInput, opts ...func(*s3.Options)) (*s3.CopyObjectOutput, error)
	DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, opts ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
}

// Presigner is the part of the S3 presign client the store uses (*s3.PresignClient).
type Presigner interface {
	PresignPutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.PresignOptions)) (*signedRequest, error)
	PresignGetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.PresignOptions)) (*signedRequest, error)
}

type signedRequest = v4.PresignedHTTPRequest

// Files is the documents bucket as the upload flow uses it (attestation.Files).
type Files struct {
	s3      FilesAPI
	presign Presigner
	bucket  string
}

var _ attestation.Files = (*Files)(nil)

// NewFiles returns the upload flow's store on bucket; client presigns and does the rest.
func NewFiles(client *s3.Client, bucket string) *Files {
	return &Files{s3: client, presign: s3.NewPresignClient(client), bucket: bucket}
}

// PresignPut returns a PUT of key whose content type, length and SHA-256 checksum are signed in:
// S3 refuses a request whose signed headers differ, and checks the checksum against the bytes.
func (f *Files) PresignPut(ctx context.Context, key, contentType, sha256Hex string, size int64, expiry time.Duration) (attestation.Presigned, error) {
	sum, err := hex.DecodeString(sha256Hex)
	if err != nil {
		return attestation.Presigned{}, fmt.Errorf("presign put %s: sha256: %w", key, err)
	}
	req, err := f.presign.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: &f.bucket, Key: &key, ContentType: &contentType,
		ContentLength: aws.Int64(size), ChecksumAlgorithm: types.ChecksumAlgorithmSha256,
		ChecksumSHA256: aws.String(base64.StdEncoding.EncodeToString(sum))},
		s3.WithPresignExpires(expiry))
	if err != nil {
		return attestation.Presigned{}, fmt.Errorf("presign put %s: %w", key, err)
	}
	return presigned(req, expiry), nil
}

// PresignGet returns a GET of one version of key.
func (f *Files) PresignGet(ctx context.Context, key, versionID string, expiry time.Duration) (attestation.Presigned, error) {
	in := &s3.GetObjectInput{Bucket: &f.bucket, Key: &key}
	if versionID != "" {
		in.VersionId = &versionID
	}
	req, err := f.presign.PresignGetObject(ctx, in, s3.WithPresignExpires(expiry))
	if err != nil {
		return attestation.Presigned{}, fmt.Errorf("presign get %s: %w", key, err)
	}
	return presigned(req, expiry), nil
}

// presigned turns a signed request into what the caller is told: the URL, the method, and the
// signed headers it must send (Host is the URL's own, and the HTTP client sets it).
func presigned(req *signedRequest, expiry time.Duration) attestation.Presigned {
	h := map[string]string{}
	for k, v := range req.SignedHeader {
		if strings.EqualFold(k, "Host") || len(v) == 0 {
			continue
		}
		h[http.CanonicalHeaderKey(k)] = v[0]
	}
	at := time.Now().Add(expiry).UTC()
	if u, err := url.Parse(req.URL); err == nil {
		if d, err := time.Parse("20060102T150405Z", u.Query().Get("X-Amz-Date")); err == nil {
			at = d.Add(expiry)
		}
	}
	return attestation.Presigned{URL: req.URL, Method: req.Method, Headers: h, ExpiresAt: at.Truncate(time.Second)}
}

// Open reads the current version of key.
func (f *Files) Open(ctx context.Context, key string) (attestation.StoredFile, error) {
	out, err := f.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: &f.bucket, Key: &key})
	if isNotFound(err) {
		return attestation.StoredFile{}, apperr.Hidden(apperr.NotFound, "document", "s3://%s/%s", f.bucket, key)
	}
	if err != nil {
		return attestation.StoredFile{}, fmt.Errorf("get s3://%s/%s: %w", f.bucket, key, err)
	}
	return attestation.StoredFile{Body: out.Body, Size: aws.ToInt64(out.ContentLength), ContentType: aws.ToString(out.ContentType),
		VersionID: aws.ToString(out.VersionId)}, nil
}

// Promote copies version of from to to, then deletes from; it returns the version of to. The
// copy names the version (CopySource's versionId), so an object PUT to from after that version
// was read and checked is never what is copied. An empty version copies the current one (a
// bucket without versioning).
func (f *Files) Promote(ctx context.Context, from, version, to string) (string, error) {
	source := f.bucket + "/" + url.PathEscape(from)
	if version != "" {
		source += "?versionId=" + url.QueryEscape(version)
	}
	out, err := f.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: &f.bucket, Key: &to,
		CopySource: aws.String(source), ChecksumAlgorithm: types.ChecksumAlgorithmSha256})
	if isNotFound(err) {
		return "", apperr.Hidden(apperr.NotFound, "document", "copy s3://%s/%s", f.bucket, from)
	}
	if err != nil {
		return "", fmt.Errorf("copy s3://%s/%s to %s: %w", f.bucket, from, to, err)
	}
	if err := f.Delete(ctx, from); err != nil {
		return "", err
	}
	return aws.ToString(out.VersionId), nil
}

// Delete removes key. In a versioned bucket this leaves a delete marker; the quarantine prefix's
// lifecycle rule removes the old versions.
func (f *Files) Delete(ctx context.Context, key string) error {
	if _, err := f.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &f.bucket, Key: &key}); err != nil && !isNotFound(err) {
		return fmt.Errorf("delete s3://%s/%s: %w", f.bucket, key, err)
	}
	return nil
}

func isNotFound(err error) bool {
	var nsk *types.NoSuchKey
	var nf *types.NotFound
	if errors.As(err, &nsk) || errors.As(err, &nf) {
		return true
	}
	var api smithy.APIError
	return errors.As(err, &api) && (api.ErrorCode() == "NoSuchKey" || api.ErrorCode() == "NotFound" || api.ErrorCode() == "NoSuchVersion")
}
