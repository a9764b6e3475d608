package samtemplate

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// plainResources are template.yaml's resources as YAML decodes them: an intrinsic function's tag
// is dropped and its argument kept (!GetAtt ApiFunctionRole.Arn reads "ApiFunctionRole.Arn").
func plainResources(t *testing.T) map[string]map[string]any {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Resources map[string]map[string]any `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(src, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Resources
}

func flatStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, flatStrings(x)...)
		}
		return out
	}
	return nil
}

// TestUploadedDocumentsAreReadOnlyByTheFunctionsThatCheckThem: an upload's bytes land at
// documents/<uploadId> and stay there pending until a confirm checks them, so the documents
// bucket's policy denies reading any version under documents/ to every principal but the API
// function (which checks a pending upload and presigns GETs of confirmed ones' pinned versions)
// and the issue function (a confirmed act, by version). moto ignores bucket policies, so this
// test holds the document. No function may delete an upload (confirm neither moves nor deletes
// one) but the deadline check, whose sweep deletes the versions of a declaration that expired
// unconfirmed (s3:DeleteObjectVersion alone); and no lifecycle rule may expire a version under
// documents/ (a pinned one may be noncurrent).
func TestUploadedDocumentsAreReadOnlyByTheFunctionsThatCheckThem(t *testing.T) {
	res := plainResources(t)
	var statements []map[string]any
	for _, r := range res {
		if r["Type"] != "AWS::S3::BucketPolicy" {
			continue
		}
		props := r["Properties"].(map[string]any)
		if props["Bucket"] != "DocumentsBucket" {
			continue
		}
		for _, s := range props["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			statements = append(statements, s.(map[string]any))
		}
	}
	found := false
	for _, s := range statements {
		if s["Effect"] != "Deny" || s["Principal"] != "*" {
			continue
		}
		actions := flatStrings(s["Action"])
		if !slices.Contains(actions, "s3:GetObject") || !slices.Contains(actions, "s3:GetObjectVersion") {
			continue
		}
		if r := flatStrings(s["Resource"]); len(r) != 1 || r[0] != "${DocumentsBucket.Arn}/documents/*" {
			t.Errorf("the deny covers %v, want exactly the uploads, ${DocumentsBucket.Arn}/documents/*", r)
		}
		cond, _ := s["Condition"].(map[string]any)
		ne, _ := cond["ArnNotEquals"].(map[string]any)
		allowed := flatStrings(ne["aws:PrincipalArn"])
		slices.Sort(allowed)
		if len(cond) != 1 || !slices.Equal(allowed, []string{"ApiFunctionRole.Arn", "IssueCertificateFunctionRole.Arn"}) {
			t.Errorf("the deny spares %v (condition %v), want only the API and the issue functions' roles", allowed, cond)
		}
		found = true
	}
	if !found {
		t.Fatalf("no statement of the documents bucket's policy denies reading documents/* (statements %v)", statements)
	}

	for name, r := range res {
		if r["Type"] != "AWS::Serverless::Function" {
			continue
		}
		props := r["Properties"].(map[string]any)
		pols, _ := props["Policies"].([]any)
		for _, p := range pols {
			pm, _ := p.(map[string]any)
			sts, _ := pm["Statement"].([]any)
			for _, s := range sts {
				sm := s.(map[string]any)
				for _, a := range flatStrings(sm["Action"]) {
					if name == "DeadlineCheckFunction" && a == "s3:DeleteObjectVersion" {
						continue // the sweep of expired uploads (attestation.UploadSweep)
					}
					if strings.HasPrefix(a, "s3:Delete") && slices.ContainsFunc(flatStrings(sm["Resource"]), func(r string) bool {
						return strings.Contains(r, "DocumentsBucket") && (strings.Contains(r, "/documents/") || strings.Contains(r, "/quarantine/"))
					}) {
						t.Errorf("%s may %s an upload (%v): confirm neither moves nor deletes one", name, a, sm["Resource"])
					}
				}
			}
		}
	}
	bucket := res["DocumentsBucket"]["Properties"].(map[string]any)
	lc, _ := bucket["LifecycleConfiguration"].(map[string]any)
	rules, _ := lc["Rules"].([]any)
	for _, r := range rules {
		rm := r.(map[string]any)
		prefix, _ := rm["Prefix"].(string)
		if filter, ok := rm["Filter"].(map[string]any); ok {
			prefix, _ = filter["Prefix"].(string)
		}
		if strings.HasPrefix("documents/", prefix) {
			t.Errorf("lifecycle rule %v reaches documents/: a version an upload pins must stay", rm["Id"])
		}
	}
}
