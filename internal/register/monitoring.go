package register

import (
	"context"
	"fmt"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/identity"
	"attestation/internal/policy"
)

// §42: the owner's notice that the object is connected to the security monitoring system.

// NotifyMonitoring records the owner's notice that the object is connected to the information
// security monitoring system (§42). Only a certificate that carries the obligation takes it
// (mandatory objects other than the e-government platform); a repeat answers the first notice.
func (s *Service) NotifyMonitoring(ctx context.Context, actor identity.Actor, number string, now time.Time) (Entry, error) {
	if err := applicantOnly(actor, "notify the monitoring connection"); err != nil {
		return Entry{}, err
	}
	return s.change(ctx, actor, number, now, ownerOf, func(e *Entry, ed *policy.Edition) (string, string, error) {
		paragraph := periodParagraph(ed, policy.StepMonitoringConnection, "§42")
		m := e.Monitoring
		if m == nil {
			return "", "", apperr.Errorf(apperr.Rule, "", "%s: certificate %s carries no obligation to connect to the monitoring system (mandatory objects other than the e-government platform only)", paragraph, e.Number)
		}
		if m.ConnectedAt != nil {
			return "", "", nil
		}
		if err := inForce(e, paragraph, "the connection to the monitoring system is notified"); err != nil {
			return "", "", err
		}
		at := now.UTC()
		m.ConnectedAt = &at
		what := "the owner notified the connection to the information security monitoring system"
		if m.Overdue || m.Runs() && now.After(m.DueAt) {
			what += fmt.Sprintf(" (after its due moment %s)", m.DueAt.UTC().Format(time.RFC3339))
		}
		return what, paragraph, nil
	})
}
