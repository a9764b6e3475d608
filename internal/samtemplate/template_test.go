package samtemplate

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7"
	"github.com/awslabs/goformation/v7/intrinsics"
)

const root = "../.."

var placeholder = regexp.MustCompile(`\$\{([A-Za-z0-9_]+)\}`)

// checkWithGoformation parses a template with goformation (the parser SAM tooling is built on)
// and returns every way it breaks the project's rules: each function's CodeUri holds a main.go,
// and each state machine's ${...} placeholders and DefinitionSubstitutions match one to one.
func checkWithGoformation(dir string) []string {
	src, err := os.ReadFile(filepath.Join(dir, "template.yaml"))
	if err != nil {
		return []string{"read: " + err.Error()}
	}
	js, err := withoutAccessLogSettings(src)
	if err != nil {
		return []string{"parse: " + err.Error()}
	}
	tpl, err := goformation.ParseJSONWithOptions(js, &intrinsics.ProcessorOptions{NoProcess: true})
	if err != nil {
		return []string{"parse: " + err.Error()}
	}
	var problems []string
	fns := tpl.GetAllServerlessFunctionResources()
	if len(fns) == 0 {
		problems = append(problems, "no functions")
	}
	for name, fn := range fns {
		if fn.CodeUri == nil || fn.CodeUri.String == nil {
			problems = append(problems, name+": CodeUri is not a local directory")
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, *fn.CodeUri.String, "main.go")); err != nil {
			problems = append(problems, fmt.Sprintf("%s: no main.go in CodeUri %s", name, *fn.CodeUri.String))
		}
	}
	sms := tpl.GetAllServerlessStateMachineResources()
	if len(sms) == 0 {
		problems = append(problems, "no state machine")
	}
	for name, sm := range sms {
		if sm.DefinitionUri == nil || sm.DefinitionUri.String == nil {
			problems = append(problems, name+": DefinitionUri is not a local file")
			continue
		}
		asl, err := os.ReadFile(filepath.Join(dir, *sm.DefinitionUri.String))
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", name, err))
			continue
		}
		used := map[string]bool{}
		for _, m := range placeholder.FindAllStringSubmatch(string(asl), -1) {
			used[m[1]] = true
			if _, ok := sm.DefinitionSubstitutions[m[1]]; !ok {
				problems = append(problems, fmt.Sprintf("%s: ${%s} in the definition has no DefinitionSubstitution", name, m[1]))
			}
		}
		for k := range sm.DefinitionSubstitutions {
			if !used[k] {
				problems = append(problems, fmt.Sprintf("%s: DefinitionSubstitution %s is not used by the definition", name, k))
			}
		}
		if strings.Contains(string(asl), "arn:aws:lambda:") || regexp.MustCompile(`\b\d{12}\b`).Match(asl) {
			problems = append(problems, name+": the definition holds a literal ARN or account")
		}
	}
	sort.Strings(problems)
	return problems
}

// withoutAccessLogSettings resolves the template's intrinsics and drops the HTTP API's
// AccessLogSettings: goformation v7.14.9 knows only the old singular AccessLogSetting and refuses
// the property SAM (and cfn-lint) require.
func withoutAccessLogSettings(src []byte) ([]byte, error) {
	js, err := intrinsics.ProcessYAML(src, nil)
	if err != nil {
		return nil, err
	}
	var raw map[string]any
	if err := json.Unmarshal(js, &raw); err != nil {
		return nil, err
	}
	resources, _ := raw["Resources"].(map[string]any)
	for _, r := range resources {
		res, _ := r.(map[string]any)
		if props, ok := res["Properties"].(map[string]any); ok && res["Type"] == "AWS::Serverless::HttpApi" {
			delete(props, "AccessLogSettings")
		}
	}
	return json.Marshal(raw)
}

func TestTemplateFunctionsAndSubstitutions(t *testing.T) {
	if p := checkWithGoformation(root); len(p) > 0 {
		t.Fatalf("template.yaml:\n  %s", strings.Join(p, "\n  "))
	}
}

// copyProject copies the template, the definition and the functions' mains to a temporary
// directory, applying edit to one file, so the checks can be shown to fail.
func copyProject(t *testing.T, edit func(path string, b []byte) []byte) string {
	t.Helper()
	var files []string
	files = append(files, "template.yaml")
	aslFiles, _ := filepath.Glob(filepath.Join(root, "statemachine", "*.json"))
	mains, _ := filepath.Glob(filepath.Join(root, "functions", "*", "main.go"))
	for _, f := range append(aslFiles, mains...) {
		rel, _ := filepath.Rel(root, f)
		files = append(files, rel)
	}
	return copyFiles(t, files, edit)
}

// copyFiles copies the files named relative to the repository root into a temporary directory,
// each as edit returns it (a nil result leaves the file out), and returns the directory.
func copyFiles(t *testing.T, files []string, edit func(rel string, b []byte) []byte) string {
	t.Helper()
	dir := t.TempDir()
	for _, rel := range files {
		b, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			t.Fatal(err)
		}
		if b = edit(rel, b); b == nil {
			continue
		}
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, rel), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestTemplateChecksCatchBreakage(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(path string, b []byte) []byte
		want string
	}{
		{"placeholder without substitution", func(p string, b []byte) []byte {
			if strings.HasSuffix(p, ".asl.json") {
				return []byte(strings.Replace(string(b), "${CloseCaseFunctionArn}", "${ClosingFunctionArn}", 1))
			}
			return b
		}, "${ClosingFunctionArn} in the definition has no DefinitionSubstitution"},
		{"unused substitution", func(p string, b []byte) []byte {
			if p == "template.yaml" {
				return []byte(strings.Replace(string(b), "      DefinitionSubstitutions:\n", "      DefinitionSubstitutions:\n        SpareArn: !GetAtt OpenStepFunction.Arn\n", 1))
			}
			return b
		}, "DefinitionSubstitution SpareArn is not used"},
		{"function without main.go", func(p string, b []byte) []byte {
			if p == filepath.Join("functions", "close-case", "main.go") {
				return nil
			}
			return b
		}, "no main.go in CodeUri functions/close-case/"},
		{"literal ARN in the definition", func(p string, b []byte) []byte {
			if strings.HasSuffix(p, ".asl.json") {
				return []byte(strings.Replace(string(b), "${OpenStepFunctionArn}", "arn:aws:lambda:us-east-1:123456789012:function:x", 1))
			}
			return b
		}, "literal ARN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := checkWithGoformation(copyProject(t, tc.edit))
			if !strings.Contains(strings.Join(p, "\n"), tc.want) {
				t.Fatalf("problems %q do not include %q", p, tc.want)
			}
		})
	}
}

func load(t *testing.T) *Template {
	t.Helper()
	tpl, err := Load(filepath.Join(root, "template.yaml"), Names{Region: "us-east-1", AccountID: "123456789012", Prefix: "t-"},
		map[string]any{"JwtIssuer": "http://issuer", "JwtAudience": "aud"})
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

func TestLoadResolvesWhatTheLocalStackNeeds(t *testing.T) {
	tpl := load(t)
	if len(tpl.Tables) != 1 || tpl.Tables[0].TTLAttribute == "" || !tpl.Tables[0].PointInTimeRecovery || tpl.Tables[0].BillingMode != "PAY_PER_REQUEST" {
		t.Fatalf("table: %+v", tpl.Tables)
	}
	var locked, docs int
	for _, b := range tpl.Buckets {
		if !b.Versioning || !b.BlockPublicAccess || b.Encryption == "" {
			t.Errorf("bucket %s: versioning, encryption and a public access block are required: %+v", b.LogicalID, b)
		}
		if b.LogicalID == "PortalBucket" { // the web portal's static files, behind CloudFront (TestPortalDistribution)
			continue
		}
		if b.ObjectLock {
			locked++
			if b.LockMode != "COMPLIANCE" || b.LockRetentionDays < 1 {
				t.Errorf("bucket %s: Object Lock must be in compliance mode with a retention: %+v", b.LogicalID, b)
			}
		} else {
			docs++
		}
	}
	if locked != 1 || docs != 1 {
		t.Errorf("want one documents bucket and one Object Lock bucket, got %d and %d", docs, locked)
	}
	if a := tpl.Authorizer; a.Issuer != "http://issuer" || len(a.Audience) != 1 || a.Audience[0] != "aud" {
		t.Errorf("authorizer: %+v (issuer and audience must come from the parameters)", a)
	}
	sm := tpl.StateMachines[0]
	if sm.Type != "STANDARD" {
		t.Errorf("state machine type %q, want STANDARD", sm.Type)
	}
	def, err := sm.Definition(root)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(def, "arn:aws:lambda:us-east-1:123456789012:function:OpenStepFunction") {
		t.Errorf("substituted definition does not name the local function ARNs")
	}
	var schedules int
	for _, f := range tpl.Functions {
		if f.Env["TABLE_NAME"] != "t-attestationtable" {
			t.Errorf("%s: TABLE_NAME=%q; Globals must be merged into each function", f.LogicalID, f.Env["TABLE_NAME"])
		}
		for _, s := range f.Schedules {
			schedules++
			if s.TimeZone != "Asia/Almaty" || !strings.Contains(s.Input, "<aws.scheduler.scheduled-time>") {
				t.Errorf("schedule %s: %+v (Asia/Almaty, and the scheduled time in its input)", s.EventName, s)
			}
		}
	}
	if schedules != 1 {
		t.Errorf("want exactly one schedule (the deadline check), got %d", schedules)
	}
}

// TestEveryRouteButHealthNeedsAToken: only the health check and the public register (§29: anyone
// reads the register and verifies a certificate) answer without a token.
func TestEveryRouteButHealthNeedsAToken(t *testing.T) {
	public := map[string]bool{
		"GET /health":                            true,
		"GET /certificates/{year}/{seq}":         true,
		"GET /certificates/{year}/{seq}/history": true,
		"GET /register":                          true,
		"GET /register/public-key":               true,
		"GET /status/{caseId}":                   true, // standard §13: the status by receipt number
	}
	seen := 0
	for _, f := range load(t).Functions {
		for _, r := range f.Routes {
			if r.Public != public[r.Key()] {
				t.Errorf("%s: public=%v", r.Key(), r.Public)
			}
			if r.Public {
				seen++
			}
		}
	}
	if seen != len(public) {
		t.Errorf("%d public routes in the template, want %d", seen, len(public))
	}
}

func TestEveryFunctionDirectoryIsInTheTemplate(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join(root, "functions", "*"))
	declared := map[string]bool{}
	for _, f := range load(t).Functions {
		declared[f.Dir()] = true
		if f.BuildMethod != "go1.x" && f.BuildMethod != "makefile" {
			t.Errorf("%s: Metadata.BuildMethod %q", f.LogicalID, f.BuildMethod)
		}
	}
	for _, d := range dirs {
		if !declared[filepath.Base(d)] {
			t.Errorf("functions/%s is not declared in template.yaml", filepath.Base(d))
		}
	}
}

func TestTemplateGrantsNoCallbackOnEveryStateMachine(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?s)states:SendTask[^\n]*\n\s*Resource:\s*['"]?\*`)
	if re.Match(b) {
		t.Fatal("template.yaml grants states:SendTask* on '*'; scope it to the state machine")
	}
}

func TestRegisterSigningKeyResolvesToTheCreatedKeysID(t *testing.T) {
	tpl := load(t)
	if len(tpl.Keys) != 1 {
		t.Fatalf("keys: %+v, want the register's signing key", tpl.Keys)
	}
	k := tpl.Keys[0]
	if k.LogicalID != "RegisterSigningKey" || k.KeySpec != "ECC_NIST_P256" || k.KeyUsage != "SIGN_VERIFY" || k.Ref == "" {
		t.Fatalf("key %+v, want RegisterSigningKey, ECC_NIST_P256, SIGN_VERIFY (§29 entries are signed)", k)
	}
	for _, f := range tpl.Functions {
		if f.Env["SIGNING_KEY_ID"] != k.Ref {
			t.Fatalf("%s: SIGNING_KEY_ID=%q before the key exists, want its Ref %q", f.LogicalID, f.Env["SIGNING_KEY_ID"], k.Ref)
		}
	}
	tpl.SetKeyID("OtherKey", "nope")
	tpl.SetKeyID(k.LogicalID, "1234abcd-12ab-34cd-56ef-1234567890ab")
	for _, f := range tpl.Functions {
		if f.Env["SIGNING_KEY_ID"] != "1234abcd-12ab-34cd-56ef-1234567890ab" || f.Env["TABLE_NAME"] != "t-attestationtable" {
			t.Errorf("%s: SIGNING_KEY_ID=%q TABLE_NAME=%q after SetKeyID", f.LogicalID, f.Env["SIGNING_KEY_ID"], f.Env["TABLE_NAME"])
		}
	}
}
