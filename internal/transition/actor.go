package transition

import "attestation/internal/identity"

// systemActor is the workflow itself reading a case.
var systemActor = identity.Actor{Subject: "workflow", Role: identity.Scheduler}
