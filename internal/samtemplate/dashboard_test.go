package samtemplate

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"attestation/internal/attestation"
)

// dashboardWidgets reads the operations dashboard's widgets from its DashboardBody (a !Sub whose
// ${...} placeholders are taken as they are).
func dashboardWidgets(t *testing.T) []map[string]any {
	t.Helper()
	body := props(resource(t, unprocessed(t), "OperationsDashboard"))["DashboardBody"]
	sub, _ := body.(map[string]any)["Fn::Sub"].(string)
	var d struct{ Widgets []map[string]any }
	if err := json.Unmarshal([]byte(sub), &d); err != nil {
		t.Fatalf("the dashboard's body is not JSON: %v", err)
	}
	return d.Widgets
}

// TestDashboardShowsCasesByStageAndStepsPastDue: the operations dashboard has a widget of open
// cases by stage, one row of CasesOpen (namespace Attestation, the deadline check's function and
// the stage) for every stage the deadline check's census counts (submitted, every step of the
// Procedure, case_needs_attention), and one of the open steps past their due moment
// (StepsPastDue); every metric the dashboard reads in Attestation is one the code emits, and no
// two widgets overlap.
func TestDashboardShowsCasesByStageAndStepsPastDue(t *testing.T) {
	widgets := dashboardWidgets(t)
	emitted, err := emittedMetrics(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{string(attestation.StageSubmitted), attestation.QueueNeedsAttention}
	for st := range attestation.Procedure {
		want = append(want, string(st))
	}
	var byStage []string
	pastDue := false
	type cell struct{ x, y int }
	taken := map[cell]string{}
	for _, w := range widgets {
		p, _ := w["properties"].(map[string]any)
		title := fmt.Sprint(p["title"])
		x, y, wd, ht := int(w["x"].(float64)), int(w["y"].(float64)), int(w["width"].(float64)), int(w["height"].(float64))
		for i := x; i < x+wd; i++ {
			for j := y; j < y+ht; j++ {
				if other, ok := taken[cell{i, j}]; ok {
					t.Fatalf("widgets %q and %q overlap at (%d,%d)", other, title, i, j)
				}
				taken[cell{i, j}] = title
			}
		}
		rows, _ := p["metrics"].([]any)
		for _, r := range rows {
			row, _ := r.([]any)
			if len(row) < 2 || row[0] != "Attestation" {
				continue
			}
			name := fmt.Sprint(row[1])
			if !emitted[name] {
				t.Errorf("widget %q reads Attestation %s, which internal/wiring/metrics does not emit", title, name)
			}
			switch name {
			case "CasesOpen":
				if len(row) != 6 || row[2] != "FunctionName" || row[3] != "${DeadlineCheckFunction}" || row[4] != "Stage" {
					t.Errorf("widget %q: row %v, want FunctionName ${DeadlineCheckFunction} Stage <stage>", title, row)
					continue
				}
				byStage = append(byStage, fmt.Sprint(row[5]))
			case "StepsPastDue":
				pastDue = len(row) == 4 && row[3] == "${DeadlineCheckFunction}"
			}
		}
		if strings.HasPrefix(title, "Open cases by stage") && !regexp.MustCompile(`census`).MatchString(title) {
			t.Errorf("widget %q does not say where its figures come from", title)
		}
	}
	slices.Sort(want)
	slices.Sort(byStage)
	if !slices.Equal(byStage, want) {
		t.Errorf("cases by stage: the dashboard shows %v, want every stage the census counts %v", byStage, want)
	}
	if !pastDue {
		t.Error("no widget of StepsPastDue (the deadline check's function)")
	}
}

// TestDashboardShowsNotificationsSentAndFailed: the operations dashboard has a widget "Notifications
// sent and failed" reading notify's NotificationsSent, NotificationsBounced and NotificationsFailed
// (namespace Attestation, dimension FunctionName ${NotifyFunction}, metrics the code emits) and
// notify's on-failure queue; an alarm fires on the first NotificationsFailed (issue 13, issue 18).
func TestDashboardShowsNotificationsSentAndFailed(t *testing.T) {
	emitted, err := emittedMetrics(root)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	queue := false
	for _, w := range dashboardWidgets(t) {
		p, _ := w["properties"].(map[string]any)
		if !strings.HasPrefix(fmt.Sprint(p["title"]), "Notifications sent and failed") {
			continue
		}
		rows, _ := p["metrics"].([]any)
		for _, r := range rows {
			row, _ := r.([]any)
			switch {
			case len(row) >= 4 && row[0] == "Attestation" && row[2] == "FunctionName" && row[3] == "${NotifyFunction}":
				name := fmt.Sprint(row[1])
				if !emitted[name] {
					t.Errorf("the widget reads %s, which internal/wiring/metrics does not emit", name)
				}
				found = append(found, name)
			case len(row) >= 4 && row[0] == "AWS/SQS" && row[3] == "${NotifyFailureQueue.QueueName}":
				queue = true
			}
		}
	}
	if want := []string{"NotificationsSent", "NotificationsBounced", "NotificationsFailed"}; !slices.Equal(found, want) {
		t.Fatalf("the notifications widget reads %v, want %v of ${NotifyFunction}", found, want)
	}
	if !queue {
		t.Error("the notifications widget does not show notify's on-failure queue")
	}
	alarm := props(resource(t, unprocessed(t), "NotificationsFailedAlarm"))
	dims := fmt.Sprint(alarm["Dimensions"])
	if alarm["Namespace"] != "Attestation" || alarm["MetricName"] != "NotificationsFailed" || !strings.Contains(dims, "NotifyFunction") ||
		fmt.Sprint(alarm["Threshold"]) != "0" || alarm["ComparisonOperator"] != "GreaterThanThreshold" {
		t.Fatalf("NotificationsFailedAlarm: %v", alarm)
	}
}
