package s3store

import (
	"context"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"attestation/internal/apperr"
)

// ReadVersion reads one version of key in full, at most max bytes (a longer object is an error):
// the exact bytes an electronic digital signature is verified over (issue 17). An empty version
// reads the current one (a bucket without versioning).
func (f *Files) ReadVersion(ctx context.Context, key, versionID string, max int64) ([]byte, error) {
	in := &s3.GetObjectInput{Bucket: &f.bucket, Key: &key}
	if versionID != "" {
		in.VersionId = aws.String(versionID)
	}
	out, err := f.s3.GetObject(ctx, in)
	if isNotFound(err) {
		return nil, apperr.Hidden(apperr.NotFound, "document", "s3://%s/%s?versionId=%s", f.bucket, key, versionID)
	}
	if err != nil {
		return nil, fmt.Errorf("get s3://%s/%s?versionId=%s: %w", f.bucket, key, versionID, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(io.LimitReader(out.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("read s3://%s/%s: %w", f.bucket, key, err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("read s3://%s/%s: over %d bytes", f.bucket, key, max)
	}
	return b, nil
}
