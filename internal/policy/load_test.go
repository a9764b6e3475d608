package policy_test

import (
	"slices"
	"testing"

	"attestation/internal/policy"
)

func mustLoad(t *testing.T, id string) *policy.Edition {
	t.Helper()
	e, err := policy.Load(id)
	if err != nil {
		t.Fatalf("Load(%q): %v", id, err)
	}
	return e
}

func TestBothEmbeddedEditionsLoad(t *testing.T) {
	got := policy.Editions()
	want := []string{"law-2015-art51", "rules-2016-amended-2018"}
	if !slices.Equal(got, want) {
		t.Fatalf("Editions() = %v, want %v", got, want)
	}
	for _, id := range want {
		e := mustLoad(t, id)
		if e.ID() != id {
			t.Errorf("Load(%q).ID() = %q", id, e.ID())
		}
		if len(e.Periods()) != len(policy.StepKeys()) {
			t.Errorf("%s: %d periods, want %d", id, len(e.Periods()), len(policy.StepKeys()))
		}
	}
	if policy.Default() != "rules-2016-amended-2018" {
		t.Errorf("Default() = %q", policy.Default())
	}
}
