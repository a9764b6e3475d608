package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"testing"
)

// TestEveryFunctionGivesTheSDKTheMendedHTTPClient: each bootstrap main loads its AWS config with
// config.WithHTTPClient(awshttp.Client()), so that no function can send again a request AWS has
// already carried out because of the SDK's closed request bodies (internal/wiring/awshttp).
func TestEveryFunctionGivesTheSDKTheMendedHTTPClient(t *testing.T) {
	mains, err := filepath.Glob("../../functions/*/main.go")
	if err != nil || len(mains) == 0 {
		t.Fatalf("no mains found: %v", err)
	}
	for _, path := range mains {
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		loads, mended := 0, 0
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || selector(call.Fun) != "config.LoadDefaultConfig" {
				return true
			}
			loads++
			for _, arg := range call.Args {
				if opt, ok := arg.(*ast.CallExpr); ok && selector(opt.Fun) == "config.WithHTTPClient" && len(opt.Args) == 1 {
					if client, ok := opt.Args[0].(*ast.CallExpr); ok && selector(client.Fun) == "awshttp.Client" {
						mended++
					}
				}
			}
			return true
		})
		fn := filepath.Base(filepath.Dir(path))
		if loads == 0 {
			t.Errorf("%s: no config.LoadDefaultConfig (how does it reach AWS?)", fn)
		}
		if mended != loads {
			t.Errorf("%s: %d of %d config.LoadDefaultConfig calls without config.WithHTTPClient(awshttp.Client())", fn, loads-mended, loads)
		}
	}
}

func selector(e ast.Expr) string {
	s, ok := e.(*ast.SelectorExpr)
	if !ok {
		return ""
	}
	x, ok := s.X.(*ast.Ident)
	if !ok {
		return ""
	}
	return x.Name + "." + s.Sel.Name
}
