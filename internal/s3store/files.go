package s3store

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
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
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, opts ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	// The sweep of expired uploads (DeleteVersions).
	ListObjectVersions(ctx context.Context, in *s3.ListObjectVersionsInput, opts ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error)
	DeleteObjects(ctx context.Context, in *s3.DeleteObjectsInput, opts ...func(*s3.Options)) (*s3.DeleteObjectsOutput, error)
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

var (
	_ attestation.Files            = (*Files)(nil)
	_ attestation.DocumentVersions = (*Files)(nil)
)

// NewFiles returns the upload flow's store on bucket; client presigns and does the rest.
func NewFiles(client *s3.Client, bucket string) *Files {
	return &Files{s3: client, presign: s3.NewPresignClient(client), bucket: bucket}
}

// PresignPut returns a PUT of key whose content type, length and SHA-256 checksum are signed in:
// S3 refuses a request whose signed headers differ, and refuses bytes whose SHA-256 is not the
// checksum (400 BadDigest), so an object PUT through the URL has the declared SHA-256.
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

// Stat asks S3 for the facts of the current version of key (HeadObject with checksum mode): its
// size, content type, version, and the SHA-256 S3 computed when it was PUT, if it was PUT with one.
func (f *Files) Stat(ctx context.Context, key string) (attestation.ObjectFacts, error) {
	out, err := f.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &f.bucket, Key: &key, ChecksumMode: types.ChecksumModeEnabled})
	if isNotFound(err) {
		return attestation.ObjectFacts{}, apperr.Hidden(apperr.NotFound, "document", "s3://%s/%s", f.bucket, key)
	}
	if err != nil {
		return attestation.ObjectFacts{}, fmt.Errorf("head s3://%s/%s: %w", f.bucket, key, err)
	}
	facts := attestation.ObjectFacts{Size: aws.ToInt64(out.ContentLength), ContentType: aws.ToString(out.ContentType),
		VersionID: aws.ToString(out.VersionId)}
	if sum := aws.ToString(out.ChecksumSHA256); sum != "" {
		raw, err := base64.StdEncoding.DecodeString(sum)
		if err != nil {
			return attestation.ObjectFacts{}, fmt.Errorf("head s3://%s/%s: checksum %q: %w", f.bucket, key, sum, err)
		}
		facts.SHA256 = hex.EncodeToString(raw)
	}
	return facts, nil
}

// ReadHead reads the first n bytes of one version of key (a ranged GET): never the whole object.
func (f *Files) ReadHead(ctx context.Context, key, versionID string, n int) ([]byte, error) {
	in := &s3.GetObjectInput{Bucket: &f.bucket, Key: &key, Range: aws.String(fmt.Sprintf("bytes=0-%d", n-1))}
	if versionID != "" {
		in.VersionId = &versionID
	}
	out, err := f.s3.GetObject(ctx, in)
	var api smithy.APIError
	if errors.As(err, &api) && api.ErrorCode() == "InvalidRange" {
		return nil, nil // an empty object
	}
	if isNotFound(err) {
		return nil, apperr.Hidden(apperr.NotFound, "document", "s3://%s/%s version %s", f.bucket, key, versionID)
	}
	if err != nil {
		return nil, fmt.Errorf("get the first bytes of s3://%s/%s: %w", f.bucket, key, err)
	}
	defer out.Body.Close()
	head, err := io.ReadAll(io.LimitReader(out.Body, int64(n)))
	if err != nil {
		return nil, fmt.Errorf("get the first bytes of s3://%s/%s: %w", f.bucket, key, err)
	}
	return head, nil
}

// DeleteVersions deletes every version of key and every delete marker of it (the documents
// bucket is versioned and has no Object Lock, so a version can be deleted; the sweep of expired
// uploads calls this only for a key whose upload it marked expired). It lists the versions under
// the key as a prefix and keeps those of the key itself, then deletes them, at most 1,000 a
// request. A key with no versions deletes nothing.
func (f *Files) DeleteVersions(ctx context.Context, key string) (int, error) {
	var ids []types.ObjectIdentifier
	p := s3.NewListObjectVersionsPaginator(f.s3, &s3.ListObjectVersionsInput{Bucket: &f.bucket, Prefix: &key})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, fmt.Errorf("list the versions of s3://%s/%s: %w", f.bucket, key, err)
		}
		for _, v := range page.Versions {
			if aws.ToString(v.Key) == key {
				ids = append(ids, types.ObjectIdentifier{Key: v.Key, VersionId: v.VersionId})
			}
		}
		for _, m := range page.DeleteMarkers {
			if aws.ToString(m.Key) == key {
				ids = append(ids, types.ObjectIdentifier{Key: m.Key, VersionId: m.VersionId})
			}
		}
	}
	deleted := 0
	for len(ids) > 0 {
		batch := ids[:min(len(ids), 1000)]
		ids = ids[len(batch):]
		out, err := f.s3.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &f.bucket,
			Delete: &types.Delete{Objects: batch, Quiet: aws.Bool(true)}})
		if err != nil {
			return deleted, fmt.Errorf("delete %d versions of s3://%s/%s: %w", len(batch), f.bucket, key, err)
		}
		if len(out.Errors) > 0 {
			e := out.Errors[0]
			return deleted + len(batch) - len(out.Errors), fmt.Errorf("delete the versions of s3://%s/%s: %d failed, version %s: %s %s",
				f.bucket, key, len(out.Errors), aws.ToString(e.VersionId), aws.ToString(e.Code), aws.ToString(e.Message))
		}
		deleted += len(batch)
	}
	return deleted, nil
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
