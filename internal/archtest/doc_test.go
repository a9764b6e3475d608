package archtest

import (
	"os"
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
