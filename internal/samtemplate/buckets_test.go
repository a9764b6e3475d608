package samtemplate

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestFunctionsMayTouchTheObjectsTheirCodeWrites checks that each function's policies allow the S3
// operations its composition root performs (internal/wiring): moto checks no IAM, so a missing grant
// would first show in AWS, as a failed certificate or a failed daily export. The table is what the
// code does; each row names the bucket's logical ID and a key prefix its statement must cover.
func TestFunctionsMayTouchTheObjectsTheirCodeWrites(t *testing.T) {
	raw := unprocessed(t)
	needs := []struct {
		function, action, bucket, prefix, why string
	}{
		{"IssueCertificateFunction", "s3:GetObject", "DocumentsBucket", "documents/", "the act kept beside the certificate (§28)"},
		{"IssueCertificateFunction", "s3:GetObjectVersion", "DocumentsBucket", "documents/", "the act's pinned version"},
		{"IssueCertificateFunction", "s3:PutObject", "RecordsBucket", "certificates/", "the certificate and its acts under Object Lock"},
		{"ApiFunction", "s3:PutObject", "RecordsBucket", "register/", "copies of recall decisions (§46)"},
		{"ApiFunction", "s3:PutObject", "RecordsBucket", "certificates/", "duplicates (§48)"},
		{"RegisterApplicationFunction", "s3:PutObject", "RecordsBucket", "cases/", "the receipt of the application (§14)"},
		{"DeadlineCheckFunction", "s3:PutObject", "RecordsBucket", "open-data/", "the daily open-data export (§29)"},
		{"DeadlineCheckFunction", "s3:PutObject", "RecordsBucket", "audit/", "the daily archive of the call records (seed 003 §7-§8)"},
		{"DeadlineCheckFunction", "s3:GetObject", "RecordsBucket", "audit/", "the previous day's manifest the archive links (seed 003 §8)"},
		{"DeadlineCheckFunction", "s3:DeleteObjectVersion", "DocumentsBucket", "documents/", "the sweep of expired uploads (every version of one never confirmed)"},
	}
	for _, n := range needs {
		if !grants(t, raw, n.function, n.action, n.bucket, n.prefix) {
			t.Errorf("%s may not %s on %s/%s*: it needs it for %s", n.function, n.action, n.bucket, n.prefix, n.why)
		}
	}
	// Operations on a bucket itself (listing), by the prefix they are limited to.
	listing := []struct {
		function, action, bucket, prefix, why string
	}{
		{"DeadlineCheckFunction", "s3:ListBucketVersions", "DocumentsBucket", "documents/", "the sweep of expired uploads lists the versions of a key"},
	}
	for _, n := range listing {
		if !grantsOnBucket(t, raw, n.function, n.action, n.bucket, n.prefix) {
			t.Errorf("%s may not %s on %s under %s: it needs it for %s", n.function, n.action, n.bucket, n.prefix, n.why)
		}
	}
}

// grantsOnBucket reports whether one of fn's inline statements allows action on bucket itself
// (!GetAtt <bucket>.Arn), unconditionally or for keys under prefix (a condition on s3:prefix
// that holds prefix* or *).
func grantsOnBucket(t *testing.T, raw map[string]any, fn, action, bucket, prefix string) bool {
	pols, _ := props(resource(t, raw, fn))["Policies"].([]any)
	for _, pol := range pols {
		m, _ := pol.(map[string]any)
		stmts, _ := m["Statement"].([]any)
		for _, s := range stmts {
			st, _ := s.(map[string]any)
			if st["Effect"] != "Allow" || !slices.Contains(strs(st["Action"]), action) {
				continue
			}
			onBucket := false
			for _, r := range list(st["Resource"]) {
				b, _ := json.Marshal(r)
				onBucket = onBucket || strings.Contains(string(b), `"`+bucket+`.Arn"`) || strings.Contains(string(b), `"${`+bucket+`.Arn}"`)
			}
			if !onBucket {
				continue
			}
			cond, _ := st["Condition"].(map[string]any)
			if cond == nil {
				return true
			}
			like, _ := cond["StringLike"].(map[string]any)
			for _, p := range strs(like["s3:prefix"]) {
				if p == "*" || p == prefix+"*" {
					return true
				}
			}
		}
	}
	return false
}

// grants reports whether one of fn's inline statements allows action on bucket's objects under
// prefix (a Fn::Sub of "${Bucket.Arn}/<prefix>*" or "${Bucket.Arn}/*").
func grants(t *testing.T, raw map[string]any, fn, action, bucket, prefix string) bool {
	pols, _ := props(resource(t, raw, fn))["Policies"].([]any)
	for _, pol := range pols {
		m, _ := pol.(map[string]any)
		stmts, _ := m["Statement"].([]any)
		for _, s := range stmts {
			st, _ := s.(map[string]any)
			if st["Effect"] != "Allow" || !slices.Contains(strs(st["Action"]), action) {
				continue
			}
			for _, r := range list(st["Resource"]) {
				b, _ := json.Marshal(r)
				arn := string(b)
				for _, p := range []string{prefix + "*", "*"} {
					if strings.Contains(arn, `${`+bucket+`.Arn}/`+p+`"`) {
						return true
					}
				}
			}
		}
	}
	return false
}

func list(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}
