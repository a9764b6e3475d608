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

	"github.com/awslabs/goformation/v7/intrinsics"
)

// rawResource is a resource of the template with its intrinsics left as written ({"Ref": id}).
type rawResource struct {
	Type       string
	Condition  string
	Properties map[string]any
}

// rawResources parses src with goformation's intrinsics processor, resolving nothing, so a Ref
// still names the resource it refers to.
func rawResources(src []byte) (map[string]rawResource, error) {
	js, err := intrinsics.ProcessYAML(src, &intrinsics.ProcessorOptions{NoProcess: true})
	if err != nil {
		return nil, err
	}
	var t struct{ Resources map[string]rawResource }
	if err := json.Unmarshal(js, &t); err != nil {
		return nil, err
	}
	return t.Resources, nil
}

// refOf is the logical ID v refers to by Ref, by GetAtt (with the attribute), or "".
func refOf(v any) (id, attr string) {
	m, ok := v.(map[string]any)
	if !ok {
		return "", ""
	}
	if r, ok := m["Ref"].(string); ok {
		return r, ""
	}
	switch g := m["Fn::GetAtt"].(type) {
	case []any:
		if len(g) == 2 {
			id, _ := g[0].(string)
			attr, _ := g[1].(string)
			return id, attr
		}
	case string:
		id, attr, _ := strings.Cut(g, ".")
		return id, attr
	}
	return "", ""
}

// dimensionTargets says, for each namespace and dimension an alarm may use, which resource type
// the dimension's value must name and how (Ref, or GetAtt of an attribute).
var dimensionTargets = map[string]struct{ resourceType, attr string }{
	"AWS/Lambda FunctionName":    {"AWS::Serverless::Function", ""},
	"AWS/States StateMachineArn": {"AWS::Serverless::StateMachine", ""},
	"AWS/ApiGateway ApiId":       {"AWS::Serverless::HttpApi", ""},
	"AWS/SQS QueueName":          {"AWS::SQS::Queue", "QueueName"},
	"Attestation FunctionName":   {"AWS::Serverless::Function", ""}, // internal/wiring/metrics: the emitting function
}

// knownMetrics are the metrics each AWS namespace publishes that the alarms may use.
var knownMetrics = map[string][]string{
	"AWS/Lambda":     {"Errors", "Throttles"},
	"AWS/States":     {"ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"},
	"AWS/ApiGateway": {"5xx", "Count", "Latency"},
	"AWS/SQS":        {"ApproximateNumberOfMessagesVisible"},
}

// emittedMetrics are the metric names internal/wiring/metrics declares (the code emits them in
// namespace Attestation).
func emittedMetrics(dir string) (map[string]bool, error) {
	src, err := os.ReadFile(filepath.Join(dir, "internal", "wiring", "metrics", "metrics.go"))
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\s*([A-Z][A-Za-z]+)\s*=\s*"([A-Za-z]+)"`).FindAllStringSubmatch(string(src), -1) {
		if m[1] == m[2] {
			out[m[2]] = true
		}
	}
	return out, nil
}

// alarmMetrics are the metrics an alarm reads: its own, or each MetricStat of its Metrics.
func alarmMetrics(props map[string]any) []map[string]any {
	if _, ok := props["MetricName"]; ok {
		return []map[string]any{props}
	}
	var out []map[string]any
	list, _ := props["Metrics"].([]any)
	for _, q := range list {
		qm, _ := q.(map[string]any)
		ms, _ := qm["MetricStat"].(map[string]any)
		if m, ok := ms["Metric"].(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// checkOperations returns every way the template at dir breaks the operations rules (issue 18):
// every function has its own log group with a retention, and an Errors and a Throttles alarm;
// the state machine has failed, timed-out and aborted alarms; every queue has an alarm; every
// alarm's metric is one its namespace publishes (or the code emits) and each dimension names a
// resource of the template of the right type; every alarm notifies the alarm topic.
func checkOperations(dir string) []string {
	src, err := os.ReadFile(filepath.Join(dir, "template.yaml"))
	if err != nil {
		return []string{"read: " + err.Error()}
	}
	res, err := rawResources(src)
	if err != nil {
		return []string{"parse: " + err.Error()}
	}
	emitted, err := emittedMetrics(dir)
	if err != nil {
		return []string{"metrics: " + err.Error()}
	}
	var p []string
	logGroupOf := map[string]bool{}         // function logical ID -> has a log group with retention
	alarmed := map[string]map[string]bool{} // logical ID -> metric names alarmed on
	for id, r := range res {
		switch r.Type {
		case "AWS::Logs::LogGroup":
			sub, _ := r.Properties["LogGroupName"].(map[string]any)
			name, _ := sub["Fn::Sub"].(string)
			fn, ok := strings.CutPrefix(name, "/aws/lambda/${")
			if !ok {
				continue
			}
			fn = strings.TrimSuffix(fn, "}")
			if _, ok := r.Properties["RetentionInDays"]; !ok {
				p = append(p, fmt.Sprintf("%s: the log group of %s has no RetentionInDays", id, fn))
				continue
			}
			logGroupOf[fn] = true
		case "AWS::CloudWatch::Alarm":
			if topic, _ := refOf(first(r.Properties["AlarmActions"])); res[topic].Type != "AWS::SNS::Topic" {
				p = append(p, id+": AlarmActions does not notify the template's SNS topic")
			}
			ms := alarmMetrics(r.Properties)
			if len(ms) == 0 {
				p = append(p, id+": the alarm reads no metric")
			}
			for _, m := range ms {
				ns, _ := m["Namespace"].(string)
				name, _ := m["MetricName"].(string)
				switch {
				case ns == "Attestation":
					if !emitted[name] {
						p = append(p, fmt.Sprintf("%s: metric %s is not one internal/wiring/metrics emits", id, name))
					}
				case knownMetrics[ns] == nil:
					p = append(p, fmt.Sprintf("%s: namespace %s is not one the alarms may use", id, ns))
				default:
					if !contains(knownMetrics[ns], name) {
						p = append(p, fmt.Sprintf("%s: %s does not publish metric %s", id, ns, name))
					}
				}
				dims, _ := m["Dimensions"].([]any)
				if len(dims) == 0 {
					p = append(p, fmt.Sprintf("%s: metric %s has no dimension naming a resource", id, name))
				}
				for _, d := range dims {
					dm, _ := d.(map[string]any)
					dn, _ := dm["Name"].(string)
					want, ok := dimensionTargets[ns+" "+dn]
					if !ok {
						p = append(p, fmt.Sprintf("%s: dimension %s of %s %s is not checked by this test", id, dn, ns, name))
						continue
					}
					target, attr := refOf(dm["Value"])
					if got := res[target].Type; got != want.resourceType || attr != want.attr {
						p = append(p, fmt.Sprintf("%s: dimension %s names %q (%s, attribute %q), want a %s of the template (attribute %q)",
							id, dn, target, got, attr, want.resourceType, want.attr))
						continue
					}
					if alarmed[target] == nil {
						alarmed[target] = map[string]bool{}
					}
					alarmed[target][name] = true
				}
			}
		}
	}
	required := map[string][]string{
		"AWS::Serverless::Function":     {"Errors", "Throttles"},
		"AWS::Serverless::StateMachine": {"ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"},
		"AWS::SQS::Queue":               {"ApproximateNumberOfMessagesVisible"},
	}
	for id, r := range res {
		for _, m := range required[r.Type] {
			if !alarmed[id][m] {
				p = append(p, fmt.Sprintf("%s: no alarm on its %s", id, m))
			}
		}
		if r.Type == "AWS::Serverless::Function" && !logGroupOf[id] {
			p = append(p, fmt.Sprintf("%s: no log group /aws/lambda/${%s} with a retention", id, id))
		}
	}
	sort.Strings(p)
	return p
}

func first(v any) any {
	if l, ok := v.([]any); ok && len(l) > 0 {
		return l[0]
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// copyOperations copies what checkOperations reads, applying edit to the template.
func copyOperations(t *testing.T, edit func(string) string) string {
	t.Helper()
	files := []string{"template.yaml", filepath.Join("internal", "wiring", "metrics", "metrics.go")}
	return copyFiles(t, files, func(rel string, b []byte) []byte {
		if rel == "template.yaml" {
			return []byte(edit(string(b)))
		}
		return b
	})
}

func TestEveryFunctionQueueAndExecutionIsWatched(t *testing.T) {
	if p := checkOperations(root); len(p) > 0 {
		t.Fatalf("template.yaml:\n  %s", strings.Join(p, "\n  "))
	}
}

func TestOperationsChecksCatchBreakage(t *testing.T) {
	replace := func(old, new string) func(string) string {
		return func(s string) string {
			if !strings.Contains(s, old) {
				t.Fatalf("the template no longer holds %q", old)
			}
			return strings.Replace(s, old, new, 1)
		}
	}
	for _, tc := range []struct {
		name string
		edit func(string) string
		want string
	}{
		{"a function without a log group", replace(`LogGroupName: !Sub "/aws/lambda/${OpenStepFunction}"`, `LogGroupName: open-step`),
			"OpenStepFunction: no log group"},
		{"a log group without retention", replace("      LogGroupName: !Sub \"/aws/lambda/${CloseCaseFunction}\"\n      RetentionInDays: !Ref FunctionLogRetentionDays\n",
			"      LogGroupName: !Sub \"/aws/lambda/${CloseCaseFunction}\"\n"), "the log group of CloseCaseFunction has no RetentionInDays"},
		{"a function without an errors alarm", replace("      MetricName: Errors\n      Dimensions:\n        - { Name: FunctionName, Value: !Ref IssueCertificateFunction }",
			"      MetricName: Errors\n      Dimensions:\n        - { Name: FunctionName, Value: !Ref CloseCaseFunction }"), "IssueCertificateFunction: no alarm on its Errors"},
		{"a dimension naming no resource", replace("Value: !Ref DeadlineCheckFunction }", "Value: !Ref DeadlineFunction }"),
			`dimension FunctionName names "DeadlineFunction"`},
		{"a dimension naming the wrong kind of resource", replace("- { Name: ApiId, Value: !Ref HttpApi }", "- { Name: ApiId, Value: !Ref ApiFunction }"),
			`dimension ApiId names "ApiFunction" (AWS::Serverless::Function`},
		{"a metric the code does not emit", replace("MetricName: DeadlineCheckSucceeded", "MetricName: DeadlineCheckSuccess"),
			"metric DeadlineCheckSuccess is not one internal/wiring/metrics emits"},
		{"a metric AWS does not publish", replace("MetricName: ExecutionsAborted", "MetricName: ExecutionsStopped"),
			"AWS/States does not publish metric ExecutionsStopped"},
		{"a queue without an alarm", replace("\nOutputs:\n", "\n  SpareQueue:\n    Type: AWS::SQS::Queue\n\nOutputs:\n"),
			"SpareQueue: no alarm on its ApproximateNumberOfMessagesVisible"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := checkOperations(copyOperations(t, tc.edit))
			if !strings.Contains(strings.Join(p, "\n"), tc.want) {
				t.Fatalf("problems %q do not include %q", p, tc.want)
			}
		})
	}
}

// An empty AlarmEmail (the default) creates no subscription; any address creates one.
func TestAlarmEmailIsOptional(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ email string }{{""}, {"ops@example.kz"}} {
		opts := &intrinsics.ProcessorOptions{} // the default: the template's own
		if tc.email != "" {
			opts.ParameterOverrides = map[string]any{"AlarmEmail": tc.email}
		}
		js, err := intrinsics.ProcessYAML(src, opts)
		if err != nil {
			t.Fatal(err)
		}
		var tpl struct {
			Parameters map[string]struct{ Default any }
			Conditions map[string]any
			Resources  map[string]rawResource
		}
		if err := json.Unmarshal(js, &tpl); err != nil {
			t.Fatal(err)
		}
		if d, ok := tpl.Parameters["AlarmEmail"].Default.(string); tc.email == "" && (!ok || d != "") {
			t.Errorf("AlarmEmail's default = %v, want the empty string", tpl.Parameters["AlarmEmail"].Default)
		}
		if sub := tpl.Resources["AlarmEmailSubscription"]; sub.Condition != "HasAlarmEmail" {
			t.Errorf("AlarmEmailSubscription's condition = %q, want HasAlarmEmail", sub.Condition)
		}
		if got := tpl.Conditions["HasAlarmEmail"]; got != (tc.email != "") {
			t.Errorf("AlarmEmail=%q: HasAlarmEmail = %v, want %v", tc.email, got, tc.email != "")
		}
	}
}
