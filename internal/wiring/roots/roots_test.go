package roots

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"attestation/internal/attestation"
	"attestation/internal/deadline"
	"attestation/internal/transition"
)

// inputs is the event type each function's handler takes.
var inputs = map[string]func() any{
	"api":                  func() any { return &events.APIGatewayV2HTTPRequest{} },
	"register-application": func() any { return &attestation.ExecutionInput{} },
	"open-step":            func() any { return &attestation.OpenStepInput{} },
	"close-case":           func() any { return &attestation.CloseInput{} },
	"case-needs-attention": func() any { return &transition.AttentionInput{} },
	"issue-certificate":    func() any { return &transition.IssueInput{} },
	"deadline-check":       func() any { return &deadline.Event{} },
	"notify":               func() any { return &events.DynamoDBEvent{} },
}

func TestEveryFunctionHasAConstructorAndTestdataEvents(t *testing.T) {
	dirs, err := filepath.Glob("../../../functions/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no functions: %v", err)
	}
	for _, d := range dirs {
		name := filepath.Base(d)
		t.Run(name, func(t *testing.T) {
			if _, ok := Functions[name]; !ok {
				t.Fatalf("functions/%s has no constructor in roots.Functions", name)
			}
			newInput, ok := inputs[name]
			if !ok {
				t.Fatalf("functions/%s: add its input type to this test", name)
			}
			files, _ := filepath.Glob(filepath.Join(d, "testdata", "*.json"))
			if len(files) == 0 {
				t.Fatalf("functions/%s has no testdata/*.json event (for sam local invoke -e)", name)
			}
			for _, f := range files {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				dec := json.NewDecoder(bytes.NewReader(b))
				dec.DisallowUnknownFields()
				if err := dec.Decode(newInput()); err != nil {
					t.Errorf("%s does not decode as the handler's input: %v", f, err)
				}
			}
		})
	}
}
