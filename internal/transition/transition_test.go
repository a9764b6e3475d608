package transition

import (
	"strings"
	"testing"
)

// TestNewIssueTaskRefusesNoIssuer: the issuing task is built with its issuer or not at all (it
// replaces the task's fallback, without an issuer, to taking only the certificate's number).
func TestNewIssueTaskRefusesNoIssuer(t *testing.T) {
	if _, err := NewIssueTask(nil); err == nil || !strings.Contains(err.Error(), "Issuer is required") {
		t.Fatalf("err = %v, want it to name the Issuer", err)
	}
}
