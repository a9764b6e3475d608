// Command aslgen writes statemachine/attestation.asl.json from statemachine/attestation.src.yaml
// (run from the module's root, as `make asl` does); see internal/aslgen for the source's form.
// With -diagram it also writes the definition as a Mermaid flowchart page (`make diagram`:
// docs/statemachine.md).
package main

import (
	"flag"
	"fmt"
	"os"

	"attestation/internal/aslgen"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "aslgen:", err)
		os.Exit(1)
	}
}

func run() error {
	src := flag.String("src", "statemachine/attestation.src.yaml", "the definition's source")
	out := flag.String("out", "statemachine/attestation.asl.json", "the ASL file to write")
	diagram := flag.String("diagram", "", "also write the definition's Mermaid flowchart page to this file")
	flag.Parse()
	b, err := os.ReadFile(*src)
	if err != nil {
		return fmt.Errorf("read the source: %w", err)
	}
	def, err := aslgen.Generate(b)
	if err != nil {
		return fmt.Errorf("generate from %s: %w", *src, err)
	}
	if err := os.WriteFile(*out, def, 0o644); err != nil {
		return fmt.Errorf("write the definition: %w", err)
	}
	if *diagram == "" {
		return nil
	}
	page, err := aslgen.Diagram(def)
	if err != nil {
		return fmt.Errorf("draw %s: %w", *out, err)
	}
	if err := os.WriteFile(*diagram, page, 0o644); err != nil {
		return fmt.Errorf("write the diagram: %w", err)
	}
	return nil
}
