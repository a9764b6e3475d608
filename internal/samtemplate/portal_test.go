package samtemplate

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// leaves are the strings of v, intrinsics and all, in order: a CSP written as a !Join of
// directives yields each directive (and each source of a nested !Join) as a leaf.
func leaves(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, leaves(e)...)
		}
		return out
	case map[string]any:
		var out []string
		for _, k := range sortedKeys(x) {
			out = append(out, leaves(x[k])...)
		}
		return out
	}
	return nil
}

// TestPortalDistribution: the web portal's bucket is private and read by its CloudFront
// distribution only, through origin access control (SigV4, always signed, the distribution's ARN
// in the bucket policy's AWS:SourceArn); the distribution answers over HTTPS only with a
// response headers policy whose CSP allows scripts and styles from the portal itself and no
// inline or evaluated code, no frames, no plugins; the API and the documents bucket accept the
// portal's origin (CORS) and the app client its callback.
func TestPortalDistribution(t *testing.T) {
	raw := unprocessed(t)

	bucket := props(resource(t, raw, "PortalBucket"))
	pab, _ := bucket["PublicAccessBlockConfiguration"].(map[string]any)
	for _, k := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
		if pab[k] != true {
			t.Errorf("PortalBucket: %s is %v, want true", k, pab[k])
		}
	}

	oac := props(resource(t, raw, "PortalOriginAccessControl"))["OriginAccessControlConfig"].(map[string]any)
	if oac["OriginAccessControlOriginType"] != "s3" || oac["SigningBehavior"] != "always" || oac["SigningProtocol"] != "sigv4" {
		t.Errorf("PortalOriginAccessControl: %v, want s3, always, sigv4", oac)
	}

	dist := props(resource(t, raw, "PortalDistribution"))["DistributionConfig"].(map[string]any)
	origins, _ := dist["Origins"].([]any)
	if len(origins) != 1 {
		t.Fatalf("PortalDistribution: %d origins, want the portal bucket only", len(origins))
	}
	origin := origins[0].(map[string]any)
	if got := fmt.Sprint(origin["OriginAccessControlId"]); !strings.Contains(got, "PortalOriginAccessControl") {
		t.Errorf("the portal origin's OriginAccessControlId is %s, want PortalOriginAccessControl's", got)
	}
	if s3c, _ := origin["S3OriginConfig"].(map[string]any); s3c == nil || s3c["OriginAccessIdentity"] != "" {
		t.Errorf("the portal origin's S3OriginConfig %v: origin access control replaces the legacy identity (empty)", origin["S3OriginConfig"])
	}
	if got := fmt.Sprint(origin["DomainName"]); !strings.Contains(got, "PortalBucket") {
		t.Errorf("the portal origin is %s, want the portal bucket", got)
	}
	behavior := dist["DefaultCacheBehavior"].(map[string]any)
	if behavior["ViewerProtocolPolicy"] != "redirect-to-https" {
		t.Errorf("ViewerProtocolPolicy %v, want redirect-to-https", behavior["ViewerProtocolPolicy"])
	}
	if got := fmt.Sprint(behavior["ResponseHeadersPolicyId"]); !strings.Contains(got, "PortalHeadersPolicy") {
		t.Errorf("ResponseHeadersPolicyId %s, want PortalHeadersPolicy", got)
	}

	policy, _ := json.Marshal(props(resource(t, raw, "PortalBucketPolicy"))["PolicyDocument"])
	for _, want := range []string{`"Service":"cloudfront.amazonaws.com"`, `"AWS:SourceArn"`, `distribution/${PortalDistribution}`, `"aws:SecureTransport":"false"`} {
		if !strings.Contains(string(policy), want) {
			t.Errorf("PortalBucketPolicy lacks %s: %s", want, policy)
		}
	}

	headers := props(resource(t, raw, "PortalHeadersPolicy"))["ResponseHeadersPolicyConfig"].(map[string]any)["SecurityHeadersConfig"].(map[string]any)
	cspConfig := headers["ContentSecurityPolicy"].(map[string]any)
	if cspConfig["Override"] != true {
		t.Error("the CSP must override whatever the origin sends")
	}
	csp := leaves(cspConfig["ContentSecurityPolicy"])
	directives := map[string]bool{}
	for _, d := range csp {
		directives[d] = true
		if strings.Contains(d, "unsafe-") || strings.Contains(d, "data: ") && strings.HasPrefix(d, "script-src") {
			t.Errorf("CSP directive %q allows inline or evaluated code", d)
		}
	}
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "base-uri 'none'",
		"frame-ancestors 'none'", "object-src 'none'", "form-action 'self'", "connect-src 'self'"} {
		if !directives[want] {
			t.Errorf("CSP lacks %q: %q", want, csp)
		}
	}
	for _, k := range []string{"StrictTransportSecurity", "ContentTypeOptions", "FrameOptions", "ReferrerPolicy"} {
		if _, ok := headers[k]; !ok {
			t.Errorf("the portal's security headers lack %s", k)
		}
	}

	// The portal's origin, PortalUrl, is where the API and the documents bucket take calls from and
	// where the hosted sign-in returns.
	api := props(resource(t, raw, "HttpApi"))["CorsConfiguration"].(map[string]any)
	if got := fmt.Sprint(api["AllowOrigins"]); got != "[map[Ref:PortalUrl]]" {
		t.Errorf("HttpApi CORS origins %s, want PortalUrl only", got)
	}
	docs := props(resource(t, raw, "DocumentsBucket"))["CorsConfiguration"].(map[string]any)["CorsRules"].([]any)
	if got := fmt.Sprint(docs[0].(map[string]any)["AllowedOrigins"]); got != "[map[Ref:PortalUrl]]" {
		t.Errorf("DocumentsBucket CORS origins %s, want PortalUrl only", got)
	}
	for _, out := range []string{"PortalBucketName", "PortalDistributionUrl", "PortalDistributionId"} {
		if _, ok := raw["Outputs"].(map[string]any)[out]; !ok {
			t.Errorf("output %s is missing (make web-deploy reads it)", out)
		}
	}
}
