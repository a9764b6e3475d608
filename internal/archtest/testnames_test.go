package archtest

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestRegulationTestNamesCannotCollide: a test names its paragraph so that paragraphs of the three
// acts cannot be mistaken for one another: the standard's as Std11, the Law's as Art51 (its items
// as Art51Item11), the Rules' as Par11. A "StandardPar", "LawArt" or "Art51Par" name reads as a
// paragraph of the Rules and is refused here.
func TestRegulationTestNamesCannotCollide(t *testing.T) {
	bad := regexp.MustCompile(`(?m)^func (Test\w*(?:StandardPar|LawArt|Art51Par)\d*\w*)\(`)
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range bad.FindAllStringSubmatch(string(b), -1) {
			t.Errorf("%s: %s: name the standard's paragraphs StdN, the Law's Art51 (items Art51ItemN), the Rules' ParN", path, m[1])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
