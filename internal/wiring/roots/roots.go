// Package roots maps each Lambda function to its composition root, for the local stack, which
// runs every function in one process. A bootstrap main imports its own root only.
package roots

import (
	"attestation/internal/wiring"
	"attestation/internal/wiring/api"
	"attestation/internal/wiring/deadlinecheck"
	"attestation/internal/wiring/issuecert"
	"attestation/internal/wiring/notify"
	"attestation/internal/wiring/tasks"
)

// Functions maps each function's directory under functions/ to its constructor.
var Functions = map[string]wiring.Constructor{
	"api":                  api.New,
	"register-application": tasks.RegisterApplication,
	"open-step":            tasks.OpenStep,
	"close-case":           tasks.CloseCase,
	"case-needs-attention": tasks.NeedsAttention,
	"issue-certificate":    issuecert.New,
	"deadline-check":       deadlinecheck.New,
	"notify":               notify.New,
}
