package archtest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestTaskFunctionsCompileNoRegexpAtStart: no package of this module that a task function links
// compiles a regular expression in a package-level variable (issue 15: task functions start within
// 1.15× of the SDK's floor). Such a variable is compiled at every cold start, used or not, and the
// first one pulls regexp's code and tables into memory: about 35 page faults of the 900 a task
// function takes to its first event. Compile on first use instead (sync.OnceValue).
func TestTaskFunctionsCompileNoRegexpAtStart(t *testing.T) {
	args := []string{"list", "-tags", "lambda.norpc", "-deps", "-f", "{{if not .Standard}}{{.Dir}} {{.ImportPath}} {{join .GoFiles \",\"}}{{end}}"}
	for _, fn := range []string{"register-application", "open-step", "close-case", "case-needs-attention"} {
		args = append(args, "../../functions/"+fn)
	}
	out, err := exec.Command("go", args...).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	listed := 0
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		if len(f) < 3 || !strings.HasPrefix(f[1], "attestation/") {
			continue
		}
		listed++
		for _, name := range strings.Split(f[2], ",") {
			for _, at := range regexpsAtInit(t, filepath.Join(f[0], name)) {
				t.Errorf("%s (linked by a task function): a regular expression compiled at start; compile it on first use", at)
			}
		}
	}
	if listed == 0 {
		t.Fatal("no package of the module listed")
	}
}

// regexpsAtInit gives file:line of each package-level variable of path whose value calls
// regexp.MustCompile or regexp.Compile directly (not inside a function literal).
func regexpsAtInit(t *testing.T, path string) []string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var at []string
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR {
			continue
		}
		for _, spec := range gd.Specs {
			for _, v := range spec.(*ast.ValueSpec).Values {
				ast.Inspect(v, func(n ast.Node) bool {
					switch n := n.(type) {
					case *ast.FuncLit:
						return false // runs when called, not at start
					case *ast.CallExpr:
						if s := selector(n.Fun); s == "regexp.MustCompile" || s == "regexp.Compile" {
							p := fset.Position(n.Pos())
							at = append(at, fmt.Sprintf("%s/%s:%d", filepath.Base(filepath.Dir(path)), filepath.Base(path), p.Line))
						}
					}
					return true
				})
			}
		}
	}
	return at
}
