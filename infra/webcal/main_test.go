package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestCommittedCalendarIsTheCalendar: the portal's copy of the working-day calendar is what
// internal/calendar holds (go run ./infra/webcal rewrites it).
func TestCommittedCalendarIsTheCalendar(t *testing.T) {
	want, err := render()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join("..", "..", "web", "src", "generated", "calendar.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("web/src/generated/calendar.json differs from internal/calendar: run go run ./infra/webcal and commit the result")
	}
}
