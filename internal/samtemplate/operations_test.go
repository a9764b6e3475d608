package samtemplate

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7/intrinsics"

	"attestation/internal/identity"
)

// unprocessed is template.yaml as goformation's parser reads it, intrinsics left in place.
func unprocessed(t *testing.T) map[string]any {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	js, err := intrinsics.ProcessYAML(src, &intrinsics.ProcessorOptions{NoProcess: true})
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(js, &raw); err != nil {
		t.Fatal(err)
	}
	return raw
}

func resource(t *testing.T, raw map[string]any, id string) map[string]any {
	t.Helper()
	r, ok := raw["Resources"].(map[string]any)[id].(map[string]any)
	if !ok {
		t.Fatalf("resource %s is missing", id)
	}
	return r
}

func props(r map[string]any) map[string]any { p, _ := r["Properties"].(map[string]any); return p }

// makeCommands runs make -n with args in the project root and returns its commands, each on one
// line (continuations joined).
func makeCommands(t *testing.T, args ...string) []string {
	t.Helper()
	out, err := exec.Command("make", append([]string{"-n", "-s", "-C", root}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("make -n %v: %v\n%s", args, err, out)
	}
	var cmds []string
	for _, l := range strings.Split(strings.ReplaceAll(string(out), "\\\n", ""), "\n") {
		if l = strings.Join(strings.Fields(l), " "); l != "" && !strings.HasPrefix(l, "make") {
			cmds = append(cmds, l)
		}
	}
	return cmds
}

// TestSamBuildRunsWhatMakeBuildRuns: every function is built by sam's makefile builder
// (Metadata BuildMethod: makefile, the Makefile and the Go module at the project root), whose
// build-<LogicalId> target prints the very go build command make build runs for that function,
// into ARTIFACTS_DIR/bootstrap, from the function's CodeUri.
func TestSamBuildRunsWhatMakeBuildRuns(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	raw := unprocessed(t)
	all := makeCommands(t, "build")
	fns := load(t).Functions
	if len(all) != len(fns) {
		t.Errorf("make build runs %d commands for %d functions: %q", len(all), len(fns), all)
	}
	for _, f := range fns {
		meta, _ := resource(t, raw, f.LogicalID)["Metadata"].(map[string]any)
		if meta["BuildMethod"] != "makefile" || meta["ContextPath"] != "." || meta["ProjectRootDirectory"] != "." {
			t.Errorf("%s: Metadata %v, want BuildMethod makefile with ContextPath and ProjectRootDirectory '.'", f.LogicalID, meta)
		}
		sam := makeCommands(t, "build-"+f.LogicalID, "ARTIFACTS_DIR=/sam/artifacts")
		want := fmt.Sprintf("-o /sam/artifacts/bootstrap ./functions/%s", f.Dir())
		if len(sam) != 1 || !strings.HasSuffix(sam[0], want) || !strings.Contains(sam[0], "GOOS=linux GOARCH=arm64 CGO_ENABLED=0") {
			t.Errorf("make -n build-%s: %q, want one arm64 go build ending %q", f.LogicalID, sam, want)
			continue
		}
		local := strings.Replace(sam[0], "/sam/artifacts/", ".aws-sam/build/"+f.LogicalID+"/", 1)
		found := false
		for _, c := range all {
			found = found || c == local
		}
		if !found {
			t.Errorf("make build does not run %q (what sam build runs for %s)", local, f.LogicalID)
		}
	}
}

// TestProtection pins issue 18's protections: the API's default route throttling from parameters,
// the deadline schedule's dead-letter queue beside its retry policy, the deadline check's reserved
// concurrency, the table's deletion protection, and the logs kept when the stack goes.
func TestProtection(t *testing.T) {
	raw := unprocessed(t)
	api := props(resource(t, raw, "HttpApi"))
	rs, _ := api["DefaultRouteSettings"].(map[string]any)
	if fmt.Sprint(rs["ThrottlingBurstLimit"]) != "map[Ref:ApiThrottlingBurstLimit]" || fmt.Sprint(rs["ThrottlingRateLimit"]) != "map[Ref:ApiThrottlingRateLimit]" {
		t.Errorf("HttpApi DefaultRouteSettings %v, want throttling from ApiThrottlingBurstLimit and ApiThrottlingRateLimit", rs)
	}
	t.Run("standard §13 the public status look-up by receipt number has its own, tighter route throttling", func(t *testing.T) {
		var found int
		for _, f := range load(t).Functions {
			for _, r := range f.Routes {
				if r.Method != "GET" || r.Path != "/status/{caseId}" {
					continue
				}
				found++
				ev := props(resource(t, raw, f.LogicalID))["Events"].(map[string]any)[r.EventName].(map[string]any)["Properties"].(map[string]any)
				st, _ := ev["RouteSettings"].(map[string]any)
				if fmt.Sprint(st["ThrottlingBurstLimit"]) != "map[Ref:ApiStatusThrottlingBurstLimit]" || fmt.Sprint(st["ThrottlingRateLimit"]) != "map[Ref:ApiStatusThrottlingRateLimit]" {
					t.Errorf("%s %s: RouteSettings %v, want throttling from ApiStatusThrottlingBurstLimit and ApiStatusThrottlingRateLimit", f.LogicalID, r.EventName, st)
				}
				if !r.Public {
					t.Errorf("%s %s: the status look-up takes a token", f.LogicalID, r.EventName)
				}
			}
		}
		if found != 1 {
			t.Fatalf("GET /status/{caseId} is declared %d times, want once", found)
		}
		params, _ := raw["Parameters"].(map[string]any)
		def := func(name string) float64 {
			p, _ := params[name].(map[string]any)
			v, ok := p["Default"].(float64)
			if !ok {
				t.Fatalf("parameter %s has no numeric default: %v", name, p)
			}
			return v
		}
		if def("ApiStatusThrottlingBurstLimit") >= def("ApiThrottlingBurstLimit") || def("ApiStatusThrottlingRateLimit") >= def("ApiThrottlingRateLimit") {
			t.Errorf("the status look-up's limits (%v, %v) are not below the default route's (%v, %v)", def("ApiStatusThrottlingBurstLimit"),
				def("ApiStatusThrottlingRateLimit"), def("ApiThrottlingBurstLimit"), def("ApiThrottlingRateLimit"))
		}
	})
	var schedules int
	for _, f := range load(t).Functions {
		fn := props(resource(t, raw, f.LogicalID))
		for _, s := range f.Schedules {
			schedules++
			ev := fn["Events"].(map[string]any)[s.EventName].(map[string]any)["Properties"].(map[string]any)
			retry, _ := ev["RetryPolicy"].(map[string]any)
			dlq, _ := ev["DeadLetterConfig"].(map[string]any)
			if retry == nil || !strings.Contains(fmt.Sprint(dlq["Arn"]), "DeadlineScheduleDeadLetterQueue") {
				t.Errorf("%s %s: RetryPolicy %v DeadLetterConfig %v, want both (the queue DeadlineScheduleDeadLetterQueue)", f.LogicalID, s.EventName, retry, dlq)
			}
		}
		rc, reserved := fn["ReservedConcurrentExecutions"]
		if f.LogicalID == "DeadlineCheckFunction" {
			if fmt.Sprint(rc) != "1" {
				t.Errorf("DeadlineCheckFunction: ReservedConcurrentExecutions %v, want 1 (never starved, never overlapping)", rc)
			}
		} else if reserved {
			t.Errorf("%s: ReservedConcurrentExecutions %v; only the deadline check takes a reservation (template.yaml says why)", f.LogicalID, rc)
		}
	}
	if schedules != 1 {
		t.Errorf("%d schedules, want the deadline check's", schedules)
	}
	if q := resource(t, raw, "DeadlineScheduleDeadLetterQueue"); q["Type"] != "AWS::SQS::Queue" {
		t.Errorf("DeadlineScheduleDeadLetterQueue is a %v", q["Type"])
	}
	if v := props(resource(t, raw, "AttestationTable"))["DeletionProtectionEnabled"]; v != true {
		t.Errorf("AttestationTable DeletionProtectionEnabled %v, want true", v)
	}
	for _, id := range []string{"AttestationTable", "ApiAccessLogGroup", "StateMachineLogGroup", "UserPool"} {
		r := resource(t, raw, id)
		if r["DeletionPolicy"] != "Retain" || r["UpdateReplacePolicy"] != "Retain" {
			t.Errorf("%s: DeletionPolicy %v UpdateReplacePolicy %v, want Retain", id, r["DeletionPolicy"], r["UpdateReplacePolicy"])
		}
	}
}

// allowedWildcards are the statements that may name a wildcard action or resource, because AWS
// requires it: action prefix -> why.
var allowedWildcards = map[string]string{
	// CloudWatch Logs' log delivery actions support no resource-level permission; a state machine
	// that logs needs them on "*" (Step Functions' logging documentation).
	"AttestationStateMachine logs:": "log delivery for the state machine's execution log",
	// A KMS key policy's Resource "*" means the key itself, and the account root holding kms:* is the
	// default key policy, without which the key could become unmanageable.
	"RegisterSigningKey kms:": "the key policy's administrator statement",
}

// TestNoWildcardGrants: no IAM statement in the template grants a "*" action (or "service:*") or
// a "*" resource, except where AWS requires it (allowedWildcards).
func TestNoWildcardGrants(t *testing.T) {
	raw := unprocessed(t)
	var problems []string
	check := func(owner string, stmt map[string]any) {
		if stmt["Effect"] == "Deny" {
			return
		}
		actions := strs(stmt["Action"])
		wildAction, wildResource := false, false
		for _, a := range actions {
			wildAction = wildAction || a == "*" || strings.HasSuffix(a, ":*")
		}
		for _, r := range strs(stmt["Resource"]) {
			wildResource = wildResource || r == "*"
		}
		if !wildAction && !wildResource {
			return
		}
		for _, a := range actions {
			ok := false
			for prefix := range allowedWildcards {
				p := strings.SplitN(prefix, " ", 2)
				ok = ok || (p[0] == owner && strings.HasPrefix(a, p[1]))
			}
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: %s on %v", owner, a, stmt["Resource"]))
			}
		}
	}
	ids := sortedKeys(raw["Resources"].(map[string]any))
	seen := 0
	for _, id := range ids {
		r := resource(t, raw, id)
		p := props(r)
		var docs []any
		switch r["Type"] {
		case "AWS::Serverless::Function", "AWS::Serverless::StateMachine":
			pols, _ := p["Policies"].([]any)
			for _, pol := range pols {
				if m, ok := pol.(map[string]any); ok && m["Statement"] != nil {
					docs = append(docs, m)
				}
			}
		case "AWS::KMS::Key":
			docs = append(docs, p["KeyPolicy"])
		case "AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy":
			if d, ok := p["PolicyDocument"]; ok {
				docs = append(docs, d)
			}
			pols, _ := p["Policies"].([]any)
			for _, pol := range pols {
				docs = append(docs, pol.(map[string]any)["PolicyDocument"])
			}
		}
		for _, d := range docs {
			dm, _ := d.(map[string]any)
			stmts, _ := dm["Statement"].([]any)
			for _, s := range stmts {
				seen++
				check(id, s.(map[string]any))
			}
		}
	}
	if seen < 10 {
		t.Fatalf("only %d statements found: the walk misses the template's policies", seen)
	}
	if len(problems) > 0 {
		t.Errorf("wildcard grants AWS does not require:\n  %s", strings.Join(problems, "\n  "))
	}
}

func strs(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// alarmEmail matches the one parameter that may go without a default: where alarms are e-mailed.
var alarmEmail = regexp.MustCompile(`(?i)e-?mail`)

// TestEveryParameterHasAWorkingDefault: a deployment with no parameter edited works. Every
// parameter but the alarm e-mail has a default its own constraints accept and that is no
// example placeholder; with the defaults the API accepts the created user pool's tokens and
// certificates' QR codes carry the API's own address.
func TestEveryParameterHasAWorkingDefault(t *testing.T) {
	raw := unprocessed(t)
	for name, p := range raw["Parameters"].(map[string]any) {
		pm := p.(map[string]any)
		def, ok := pm["Default"]
		if !ok {
			if !alarmEmail.MatchString(name) {
				t.Errorf("parameter %s has no default", name)
			}
			continue
		}
		s := fmt.Sprint(def)
		if strings.Contains(s, "example") {
			t.Errorf("parameter %s defaults to an example value %q", name, s)
		}
		if pat, ok := pm["AllowedPattern"].(string); ok && !regexp.MustCompile(pat).MatchString(s) {
			t.Errorf("parameter %s: default %q does not match its AllowedPattern %s", name, s, pat)
		}
		if vals, ok := pm["AllowedValues"].([]any); ok {
			found := false
			for _, v := range vals {
				found = found || fmt.Sprint(v) == s
			}
			if !found {
				t.Errorf("parameter %s: default %q is not among its AllowedValues", name, s)
			}
		}
		if ml, ok := pm["MaxLength"]; ok && float64(len(s)) > num(t, ml) {
			t.Errorf("parameter %s: default longer than its MaxLength", name)
		}
		if pm["Type"] == "Number" {
			n, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Errorf("parameter %s: default %q is not a number", name, s)
				continue
			}
			if mv, ok := pm["MinValue"]; ok && n < num(t, mv) {
				t.Errorf("parameter %s: default %v below MinValue", name, n)
			}
			if mv, ok := pm["MaxValue"]; ok && n > num(t, mv) {
				t.Errorf("parameter %s: default %v above MaxValue", name, n)
			}
		}
	}

	tpl, err := Load(filepath.Join(root, "template.yaml"), Names{Region: "eu-central-1", AccountID: "123456789012", Prefix: "t-"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a := tpl.Authorizer; a.Issuer != "https://cognito-idp.eu-central-1.amazonaws.com/t-userpool" || len(a.Audience) != 1 || a.Audience[0] != "t-portalclient" {
		t.Errorf("default authorizer %+v, want the created user pool's issuer and its portal client", a)
	}
	for _, f := range tpl.Functions {
		if _, set := f.Env["PUBLIC_BASE_URL"]; set || f.Env["PUBLIC_BASE_URL_PARAMETER"] != "/t/public-base-url" {
			t.Errorf("%s: PUBLIC_BASE_URL %q, PUBLIC_BASE_URL_PARAMETER %q; by default the address comes from the stack's parameter", f.LogicalID, f.Env["PUBLIC_BASE_URL"], f.Env["PUBLIC_BASE_URL_PARAMETER"])
		}
	}
	v := fmt.Sprint(props(resource(t, raw, "PublicBaseUrlParameter"))["Value"])
	if !strings.Contains(v, "https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}") || !strings.Contains(v, "HasPublicBaseUrl") {
		t.Errorf("PublicBaseUrlParameter value %s, want PublicBaseUrl or the API's own address", v)
	}

	custom, err := Load(filepath.Join(root, "template.yaml"), Names{Region: "eu-central-1", AccountID: "123456789012", Prefix: "t-"},
		map[string]any{"PublicBaseUrl": "https://attestation.gov.kz", "JwtIssuer": "https://idp.gov.kz", "JwtAudience": "portal"})
	if err != nil {
		t.Fatal(err)
	}
	if a := custom.Authorizer; a.Issuer != "https://idp.gov.kz" || a.Audience[0] != "portal" {
		t.Errorf("authorizer with an existing provider: %+v", a)
	}
	if f, _ := custom.Function("IssueCertificateFunction"); f.Env["PUBLIC_BASE_URL"] != "https://attestation.gov.kz" {
		t.Errorf("PUBLIC_BASE_URL %q with a custom domain", f.Env["PUBLIC_BASE_URL"])
	}
}

func num(t *testing.T, v any) float64 {
	t.Helper()
	n, err := strconv.ParseFloat(fmt.Sprint(v), 64)
	if err != nil {
		t.Fatalf("%v is not a number", v)
	}
	return n
}

// TestUserPool: the created pool has one group per role of internal/identity, the custom:bin
// attribute immutable, and a portal client using the code flow without a secret that cannot write
// custom:bin; with an existing provider nothing of it is created.
func TestUserPool(t *testing.T) {
	raw := unprocessed(t)
	groups := map[string]bool{}
	for _, id := range sortedKeys(raw["Resources"].(map[string]any)) {
		r := resource(t, raw, id)
		if r["Type"] == "AWS::Cognito::UserPoolGroup" {
			groups[fmt.Sprint(props(r)["GroupName"])] = true
		}
	}
	for _, role := range []identity.Role{identity.Applicant, identity.Authority, identity.STS, identity.QualityAuthority, identity.Office} {
		if !groups[string(role)] {
			t.Errorf("no user pool group %q", role)
		}
	}
	if len(groups) != 5 {
		t.Errorf("groups %v, want exactly the five roles", groups)
	}
	var bin map[string]any
	for _, a := range props(resource(t, raw, "UserPool"))["Schema"].([]any) {
		if a.(map[string]any)["Name"] == "bin" {
			bin = a.(map[string]any)
		}
	}
	if bin == nil || bin["Mutable"] != false {
		t.Errorf("UserPool custom attribute bin %v, want Mutable false", bin)
	}
	c := props(resource(t, raw, "PortalClient"))
	if c["GenerateSecret"] != false || fmt.Sprint(c["AllowedOAuthFlows"]) != "[code]" {
		t.Errorf("PortalClient: GenerateSecret %v AllowedOAuthFlows %v, want a public client with the code flow (PKCE)", c["GenerateSecret"], c["AllowedOAuthFlows"])
	}
	for _, w := range strs(c["WriteAttributes"]) {
		if w == "custom:bin" {
			t.Error("PortalClient may write custom:bin; only an administrator sets it")
		}
	}
	for _, out := range []string{"JwtIssuerUrl", "JwtAudienceId", "SignInUrl"} {
		if _, ok := raw["Outputs"].(map[string]any)[out]; !ok {
			t.Errorf("output %s is missing", out)
		}
	}

	src, _ := os.ReadFile(filepath.Join(root, "template.yaml"))
	js, err := withConditions(src, map[string]any{"JwtIssuer": "https://idp.gov.kz"})
	if err != nil {
		t.Fatal(err)
	}
	var existing struct{ Resources, Outputs map[string]any }
	if err := json.Unmarshal(js, &existing); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"UserPool", "PortalClient", "SignInDomain", "ApplicantGroup"} {
		if _, ok := existing.Resources[id]; ok {
			t.Errorf("%s is created although JwtIssuer names an existing provider", id)
		}
	}
	if _, ok := existing.Outputs["SignInUrl"]; ok {
		t.Error("output SignInUrl without a created user pool")
	}
}

// accountWideNames are the properties that name a resource uniquely in an account and region:
// resource type (or "ScheduleV2" for a function's schedule event) -> property.
var accountWideNames = map[string]string{
	"ScheduleV2":                       "Name",
	"AWS::KMS::Alias":                  "AliasName",
	"AWS::CloudWatch::Dashboard":       "DashboardName",
	"AWS::SSM::Parameter":              "Name",
	"AWS::Cognito::UserPool":           "UserPoolName",
	"AWS::Scheduler::Schedule":         "Name",
	"AWS::Logs::LogGroup":              "LogGroupName",
	"AWS::Serverless::StateMachine":    "Name",
	"AWS::StepFunctions::StateMachine": "StateMachineName",
}

// TestTwoStacksInOneAccountDoNotClash: every name that is unique in an account and region (a
// schedule, a KMS alias, a dashboard, a parameter, a log group...) is written or left to
// CloudFormation, never a literal: each carries ${AWS::StackName} or a resource's generated name,
// so that a dev and a prod stack can live in one account. In particular the deadline check's
// schedule is named (SAM's default name, DeadlineCheckFunctionDaily, is the same in every stack).
func TestTwoStacksInOneAccountDoNotClash(t *testing.T) {
	raw := unprocessed(t)
	scoped := func(v any) bool {
		s := fmt.Sprint(v)
		// !Sub with the stack's name or a resource's generated name (a ${LogicalId} of the template).
		return strings.Contains(s, "Fn::Sub") && (strings.Contains(s, "${AWS::StackName}") || regexp.MustCompile(`\$\{[A-Z][A-Za-z]+\}`).MatchString(s))
	}
	checked := map[string]bool{}
	resources := raw["Resources"].(map[string]any)
	for _, id := range sortedKeys(resources) {
		r := resource(t, raw, id)
		typ := fmt.Sprint(r["Type"])
		if prop, ok := accountWideNames[typ]; ok {
			if v, set := props(r)[prop]; set {
				checked[typ] = true
				if !scoped(v) {
					t.Errorf("%s (%s): %s %v is the same in every stack; put ${AWS::StackName} in it", id, typ, prop, v)
				}
			}
		}
		evs, _ := props(r)["Events"].(map[string]any)
		for _, name := range sortedKeys(evs) {
			ev, _ := evs[name].(map[string]any)
			if ev["Type"] != "ScheduleV2" {
				continue
			}
			checked["ScheduleV2"] = true
			if v := props(ev)["Name"]; !strings.Contains(fmt.Sprint(v), "${AWS::StackName}") {
				t.Errorf("%s event %s: Name %v; SAM's default (%s%s) is the same in every stack", id, name, v, id, name)
			}
		}
	}
	for _, want := range []string{"ScheduleV2", "AWS::KMS::Alias", "AWS::CloudWatch::Dashboard"} {
		if !checked[want] {
			t.Errorf("no %s name was checked: the test no longer sees the template's names", want)
		}
	}
}
