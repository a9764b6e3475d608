package archtest

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestArchitectureDocNamesEveryLayerRow: docs/architecture.md's table of layers names every
// package of the table of layers, in its layer's row, so a package added to the house is added to
// its description too.
func TestArchitectureDocNamesEveryLayerRow(t *testing.T) {
	b, err := os.ReadFile("../../docs/architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[layer]string{}
	for _, line := range strings.Split(string(b), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 3 {
			continue
		}
		name := strings.Trim(strings.TrimSpace(cells[1]), "*")
		rows[layer(name)] = cells[2]
	}
	for _, l := range layers {
		base, _ := strings.CutSuffix(l.pkg, "/...")
		row, ok := rows[l.layer]
		if !ok {
			t.Errorf("docs/architecture.md has no row for the layer %s", l.layer)
			continue
		}
		if !strings.Contains(row, "`"+base) {
			t.Errorf("docs/architecture.md's row of the layer %s does not name %s", l.layer, base)
		}
	}
}

// TestDocLinksStayInTheRepository: every Markdown link of the repository's pages is a public web
// page or a file of the repository that exists, so a fresh clone carries everything its pages
// point at (no link to a sibling directory of the checkout).
func TestDocLinksStayInTheRepository(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	pages := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "build", ".aws-sam":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".md") {
			return nil
		}
		pages++
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		for _, m := range link.FindAllStringSubmatch(string(b), -1) {
			target := m[1]
			if strings.HasPrefix(target, "https://") || strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "#") {
				continue
			}
			file, _, _ := strings.Cut(target, "#")
			abs := filepath.Join(filepath.Dir(path), file)
			if inside, _ := filepath.Rel(root, abs); strings.HasPrefix(inside, "..") || filepath.IsAbs(file) {
				t.Errorf("%s links to %s, outside the repository", rel, target)
				continue
			}
			if _, err := os.Stat(abs); err != nil {
				t.Errorf("%s links to %s, which does not exist", rel, target)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if pages == 0 {
		t.Fatal("no Markdown page found")
	}
}
