package httpapi

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestEveryInstantIsAnsweredInUTC: moments computed in Asia/Almaty (+05:00) are answered in UTC
// with Z wherever they sit in a view (a field, a pointer, a slice, a map, an interface), the view
// itself is left unchanged, and every JSON body ends with a newline.
func TestEveryInstantIsAnsweredInUTC(t *testing.T) {
	almaty := time.FixedZone("+05", 5*3600)
	due := time.Date(2026, 3, 2, 23, 59, 59, 0, almaty)
	type step struct {
		DueAt  time.Time  `json:"dueAt"`
		Opened *time.Time `json:"openedAt,omitempty"`
		hidden time.Time
	}
	view := struct {
		Step  *step            `json:"step"`
		Steps []step           `json:"steps"`
		ByKey map[string]any   `json:"byKey"`
		Arr   [1]time.Time     `json:"arr"`
		Nil   *step            `json:"nil"`
		Days  map[string]int   `json:"days"`
		Plain map[string]*step `json:"plain"`
	}{
		Step: &step{DueAt: due, Opened: &due, hidden: due}, Steps: []step{{DueAt: due}},
		ByKey: map[string]any{"at": due}, Arr: [1]time.Time{due}, Days: map[string]int{"a": 1},
		Plain: map[string]*step{"x": {DueAt: due.UTC()}},
	}
	resp := jsonResponse(200, view)
	if !strings.HasSuffix(resp.Body, "}\n") {
		t.Errorf("body does not end with a newline: %q", resp.Body)
	}
	if strings.Contains(resp.Body, "+05:00") || strings.Count(resp.Body, `"2026-03-02T18:59:59Z"`) != 6 {
		t.Errorf("instants not in UTC: %s", resp.Body)
	}
	var back map[string]any
	if err := json.Unmarshal([]byte(resp.Body), &back); err != nil {
		t.Fatal(err)
	}
	if view.Step.DueAt.Location() != almaty || view.Steps[0].DueAt.Location() != almaty || view.ByKey["at"].(time.Time).Location() != almaty {
		t.Error("the view itself was changed")
	}
	if p := problemBody(Problem{Type: "about:blank", Title: "x", Status: 400}); !strings.HasSuffix(p.Body, "}\n") {
		t.Errorf("problem body does not end with a newline: %q", p.Body)
	}
}
