package policy_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"attestation/internal/policy"
)

var update = flag.Bool("update", false, "rewrite docs/policy.md from the policy data")

// docPath is docs/policy.md at the module root, seen from internal/policy.
var docPath = filepath.Join("..", "..", "docs", "policy.md")

// TestDocDrift fails when docs/policy.md no longer matches the policy data; -update rewrites it.
func TestDocDrift(t *testing.T) {
	def := mustLoad(t, policy.Default())
	var others []*policy.Edition
	for _, id := range policy.Editions() {
		if id != policy.Default() {
			others = append(others, mustLoad(t, id))
		}
	}
	want := def.Markdown(others...)
	if *update {
		if err := os.WriteFile(docPath, want, 0o644); err != nil {
			t.Fatalf("write %s: %v", docPath, err)
		}
		return
	}
	got, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatalf("read %s: %v; regenerate it with: %s", docPath, err, policy.RegenerateCommand)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is out of date with the policy data; regenerate it with: %s", docPath, policy.RegenerateCommand)
	}
}
