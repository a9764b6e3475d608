package metrics

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"attestation/internal/wiring/logs"
)

// units are the units the specification allows in a MetricDefinition (CloudWatch's StandardUnit).
var units = map[string]bool{"Seconds": true, "Microseconds": true, "Milliseconds": true, "Bytes": true, "Kilobytes": true,
	"Megabytes": true, "Gigabytes": true, "Terabytes": true, "Bits": true, "Kilobits": true, "Megabits": true, "Gigabits": true,
	"Terabits": true, "Percent": true, "Count": true, "Bytes/Second": true, "Kilobytes/Second": true, "Megabytes/Second": true,
	"Gigabytes/Second": true, "Terabytes/Second": true, "Bits/Second": true, "Kilobits/Second": true, "Megabits/Second": true,
	"Gigabits/Second": true, "Terabits/Second": true, "Count/Second": true, "None": true}

// checkDocument checks line against the documented shape of an embedded metric format document
// ("Specification: Embedded metric format", CloudWatch user guide) and returns every way it
// departs from it.
func checkDocument(line []byte) []string {
	var root map[string]json.RawMessage
	if err := json.Unmarshal(line, &root); err != nil {
		return []string{"the log event is not one JSON object: " + err.Error()}
	}
	var p []string
	var meta struct {
		Timestamp         *json.Number
		CloudWatchMetrics *[]struct {
			Namespace  *string
			Dimensions *[][]string
			Metrics    *[]struct {
				Name              *string
				Unit              *string
				StorageResolution *int
			}
		}
	}
	raw, ok := root["_aws"]
	if !ok {
		return []string{"the root has no _aws member"}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&meta); err != nil {
		return []string{"_aws is not the metadata object: " + err.Error()}
	}
	if meta.Timestamp == nil {
		p = append(p, "_aws.Timestamp is missing")
	} else if _, err := meta.Timestamp.Int64(); err != nil {
		p = append(p, "_aws.Timestamp is not a whole number of milliseconds")
	}
	if meta.CloudWatchMetrics == nil {
		return append(p, "_aws.CloudWatchMetrics is missing")
	}
	for i, d := range *meta.CloudWatchMetrics {
		at := fmt.Sprintf("CloudWatchMetrics[%d]", i)
		if d.Namespace == nil || len(*d.Namespace) < 1 || len(*d.Namespace) > 1024 {
			p = append(p, at+": Namespace must be a string of 1 to 1024 characters")
		}
		if d.Dimensions == nil {
			p = append(p, at+": Dimensions is missing")
		} else {
			for _, set := range *d.Dimensions {
				if len(set) > 30 {
					p = append(p, at+": a DimensionSet holds more than 30 keys")
				}
				for _, k := range set {
					var s string
					if err := json.Unmarshal(root[k], &s); err != nil {
						p = append(p, fmt.Sprintf("%s: dimension %s is not a string member of the root", at, k))
					}
				}
			}
		}
		if d.Metrics == nil || len(*d.Metrics) == 0 || len(*d.Metrics) > 100 {
			p = append(p, at+": Metrics must hold 1 to 100 definitions")
			continue
		}
		for _, m := range *d.Metrics {
			if m.Name == nil || len(*m.Name) == 0 || len(*m.Name) > 1024 {
				p = append(p, at+": a metric has no Name of 1 to 1024 characters")
				continue
			}
			var v float64
			if err := json.Unmarshal(root[*m.Name], &v); err != nil {
				p = append(p, fmt.Sprintf("%s: metric %s is not a number member of the root", at, *m.Name))
			}
			if m.Unit != nil && !units[*m.Unit] {
				p = append(p, fmt.Sprintf("%s: metric %s has unit %q, not a CloudWatch unit", at, *m.Name, *m.Unit))
			}
			if m.StorageResolution != nil && *m.StorageResolution != 1 && *m.StorageResolution != 60 {
				p = append(p, fmt.Sprintf("%s: metric %s has StorageResolution %d", at, *m.Name, *m.StorageResolution))
			}
		}
	}
	return p
}

func TestEmittedLinesAreEmbeddedMetricFormatDocuments(t *testing.T) {
	at := time.Date(2025, 3, 1, 19, 5, 0, 0, time.UTC)
	many := make([]Value, 101)
	for i := range many {
		many[i] = Value{Name: fmt.Sprintf("M%d", i), Unit: Count, Value: float64(i)}
	}
	tests := []struct {
		name   string
		values []Value
		lines  int
	}{
		{"the deadline check's run", []Value{{DeadlineCheckSucceeded, Count, 1}, {StepsOverdue, Count, 3}, {CasesNeedingAttention, Count, 0}}, 1},
		{"one case needs attention", []Value{{CasesNeedingAttention, Count, 1}}, 1},
		{"more than 100 metrics are split", many, 2},
		{"nothing", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			New(logs.New(&buf, "deadline-check"), "stack-DeadlineCheckFunction-abc", func() time.Time { return at }).Emit(context.Background(), tt.values...)
			got := strings.Split(strings.TrimSpace(buf.String()), "\n")
			if buf.Len() == 0 {
				got = nil
			}
			if len(got) != tt.lines {
				t.Fatalf("lines = %d, want %d", len(got), tt.lines)
			}
			seen := 0
			for _, l := range got {
				if p := checkDocument([]byte(l)); len(p) > 0 {
					t.Errorf("not an EMF document:\n  %s\n%s", strings.Join(p, "\n  "), l)
				}
				var doc struct {
					Aws struct {
						Timestamp         int64
						CloudWatchMetrics []struct {
							Namespace  string
							Dimensions [][]string
							Metrics    []struct{ Name string }
						}
					} `json:"_aws"`
					FunctionName string
				}
				if err := json.Unmarshal([]byte(l), &doc); err != nil {
					t.Fatal(err)
				}
				d := doc.Aws.CloudWatchMetrics[0]
				if doc.Aws.Timestamp != at.UnixMilli() || d.Namespace != Namespace || doc.FunctionName != "stack-DeadlineCheckFunction-abc" ||
					len(d.Dimensions) != 1 || len(d.Dimensions[0]) != 1 || d.Dimensions[0][0] != DimensionFunction {
					t.Errorf("document %s: want timestamp %d, namespace %s, dimension %s", l, at.UnixMilli(), Namespace, DimensionFunction)
				}
				seen += len(d.Metrics)
			}
			if seen != len(tt.values) {
				t.Errorf("metrics written = %d, want %d", seen, len(tt.values))
			}
		})
	}
}

// The checker itself refuses what the specification refuses, so a passing test means something.
func TestCheckDocumentRefusesWhatTheSpecificationRefuses(t *testing.T) {
	tests := map[string]string{
		"not JSON":                `metrics 1`,
		"no _aws":                 `{"M":1}`,
		"no timestamp":            `{"_aws":{"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[],"Metrics":[{"Name":"M"}]}]},"M":1}`,
		"timestamp in seconds.ms": `{"_aws":{"Timestamp":1.5,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[],"Metrics":[{"Name":"M"}]}]},"M":1}`,
		"metric not at the root":  `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[],"Metrics":[{"Name":"M"}]}]}}`,
		"metric a string":         `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[],"Metrics":[{"Name":"M"}]}]},"M":"1"}`,
		"dimension not at root":   `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["D"]],"Metrics":[{"Name":"M"}]}]},"M":1}`,
		"unknown unit":            `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[],"Metrics":[{"Name":"M","Unit":"Cases"}]}]},"M":1}`,
		"no namespace":            `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Dimensions":[],"Metrics":[{"Name":"M"}]}]},"M":1}`,
		"no dimensions":           `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Metrics":[{"Name":"M"}]}]},"M":1}`,
	}
	for name, doc := range tests {
		t.Run(name, func(t *testing.T) {
			if p := checkDocument([]byte(doc)); len(p) == 0 {
				t.Errorf("accepted %s", doc)
			}
		})
	}
}

// TestAGaugePerStageHasTheStageDimension: EmitWith writes a valid EMF document whose dimension
// set is FunctionName and Stage, both at the root.
func TestAGaugePerStageHasTheStageDimension(t *testing.T) {
	var buf bytes.Buffer
	New(logs.New(&buf, "deadline-check"), "stack-DeadlineCheckFunction-abc", nil).
		EmitWith(context.Background(), DimensionStage, "survey", Value{CasesOpen, Count, 7})
	line := bytes.TrimSpace(buf.Bytes())
	if p := checkDocument(line); len(p) > 0 {
		t.Fatalf("not an EMF document:\n  %s\n%s", strings.Join(p, "\n  "), line)
	}
	var doc struct {
		Aws struct {
			CloudWatchMetrics []struct{ Dimensions [][]string }
		} `json:"_aws"`
		FunctionName, Stage string
		CasesOpen           float64
	}
	if err := json.Unmarshal(line, &doc); err != nil {
		t.Fatal(err)
	}
	if d := doc.Aws.CloudWatchMetrics[0].Dimensions; len(d) != 1 || strings.Join(d[0], ",") != DimensionFunction+","+DimensionStage ||
		doc.Stage != "survey" || doc.CasesOpen != 7 || doc.FunctionName == "" {
		t.Fatalf("document: %s", line)
	}
}
