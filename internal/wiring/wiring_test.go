package wiring

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"

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
	"issue-certificate":    func() any { return &transition.IssueInput{} },
	"deadline-check":       func() any { return &deadline.Event{} },
}

func TestEveryFunctionHasAConstructorAndTestdataEvents(t *testing.T) {
	dirs, err := filepath.Glob("../../functions/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no functions: %v", err)
	}
	for _, d := range dirs {
		name := filepath.Base(d)
		t.Run(name, func(t *testing.T) {
			if _, ok := Functions[name]; !ok {
				t.Fatalf("functions/%s has no constructor in wiring.Functions", name)
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

func TestLoadConfigNamesWhatIsMissing(t *testing.T) {
	_, err := LoadConfig(func(string) (string, bool) { return "", false })
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("TABLE_NAME")) {
		t.Fatalf("err = %v, want it to name TABLE_NAME", err)
	}
	env := map[string]string{"TABLE_NAME": "t", "DOCUMENTS_BUCKET": "d", "RECORDS_BUCKET": "r", "POLICY_EDITION": "e", "S3_PATH_STYLE": "maybe"}
	if _, err := LoadConfig(func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err == nil {
		t.Fatal("S3_PATH_STYLE=maybe accepted")
	}
}

func TestSigningKeyIsOptionalInTheConfigButTheSignerNeedsIt(t *testing.T) {
	env := map[string]string{"TABLE_NAME": "t", "DOCUMENTS_BUCKET": "d", "RECORDS_BUCKET": "r", "POLICY_EDITION": "e"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	cfg, err := LoadConfig(lookup)
	if err != nil || cfg.SigningKeyID != "" {
		t.Fatalf("without SIGNING_KEY_ID: %+v %v, want it accepted and empty", cfg, err)
	}
	if _, err := NewSigner(aws.Config{}, cfg); err == nil || !bytes.Contains([]byte(err.Error()), []byte("SIGNING_KEY_ID")) {
		t.Fatalf("NewSigner without a key: %v, want an error naming SIGNING_KEY_ID", err)
	}
	env["SIGNING_KEY_ID"] = "alias/attestation-register"
	if cfg, err = LoadConfig(lookup); err != nil || cfg.SigningKeyID != "alias/attestation-register" {
		t.Fatalf("with SIGNING_KEY_ID: %+v %v", cfg, err)
	}
	if s, err := NewSigner(aws.Config{}, cfg); err != nil || s == nil {
		t.Fatalf("NewSigner with a key: %v", err)
	}
}
