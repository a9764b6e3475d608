package main

import (
	"strings"
	"testing"
)

// TestReadyTextSaysToFetchFreshTokensAfterAClockMove: the printed tokens live 24 hours of the
// local clock; the ready text says how to fetch fresh ones for every role after moving it.
func TestReadyTextSaysToFetchFreshTokensAfterAClockMove(t *testing.T) {
	text := freshTokens("http://127.0.0.1:3000")
	if !strings.Contains(text, "After every clock move") {
		t.Errorf("the ready text does not say when to fetch fresh tokens:\n%s", text)
	}
	for _, want := range []string{
		"export APPLICANT_TOKEN=$(curl -s 'http://127.0.0.1:3000/_local/token?role=applicant&format=text')",
		"export AUTHORITY_TOKEN=", "export STS_TOKEN=", "export QUALITY_AUTHORITY_TOKEN=",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("ready text lacks %q:\n%s", want, text)
		}
	}
}
