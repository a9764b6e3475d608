package attestation

import (
	"fmt"
	"slices"
	"time"
)

// Law Art. 51(6): the authority decides "on the basis of the protocol of the attestation
// commission". Under an edition whose step is taken on the commission's protocol
// (DocCommissionProtocol in the period's requires), the decision also records the commission:
// its members, its meeting and the protocol's number; the protocol document itself is attached
// (attachments.go). The Law sets no composition: the rules below are the project's.

// DocCommissionProtocol is the document kind of the attestation commission's protocol (Law Art. 51(6)).
const DocCommissionProtocol = "commission_protocol"

// The roles of a commission's members.
const (
	MemberChair     = "chair"
	MemberSecretary = "secretary"
	MemberMember    = "member"
)

// Limits of a commission.
const (
	minCommissionMembers = 3 // project rule: a chair and at least two members
	maxCommissionMembers = 30
)

// Commission is the attestation commission that met on a decision (Law Art. 51(6)).
type Commission struct {
	Meeting        string             `json:"meeting"`        // YYYY-MM-DD, the meeting's date
	ProtocolNumber string             `json:"protocolNumber"` // the protocol's number
	Members        []CommissionMember `json:"members"`
	Step           string             `json:"step,omitempty"` // the decision it met for (set by the service)
}

// CommissionMember is one member of the commission.
type CommissionMember struct {
	Name     string `json:"name"`
	Position string `json:"position"`
	Role     string `json:"role"` // chair | secretary | member
}

// takenOnProtocol reports whether the case's edition takes step on the commission's protocol.
func (s *Service) takenOnProtocol(c Case, step string) bool {
	ed, err := s.rules.edition(c.Edition)
	if err != nil {
		return false
	}
	p, err := ed.Period(step)
	return err == nil && slices.Contains(p.Requires, DocCommissionProtocol)
}

// checkCommission checks the commission of a decision taken on its protocol: the meeting on a
// real day, not before the step opened nor after now; the protocol's number; 3 to 30 members,
// each named with a position and a role, exactly one chair and at most one secretary.
func checkCommission(cm *Commission, opened, now time.Time) error {
	if cm == nil {
		return fmt.Errorf("commission: Law Art. 51(6): the decision is taken on the protocol of the attestation commission: give its meeting, protocol number and members")
	}
	d, err := time.ParseInLocation(time.DateOnly, cm.Meeting, almatyLoc())
	if err != nil {
		return fmt.Errorf("commission.meeting: %q is not a date YYYY-MM-DD", cm.Meeting)
	}
	if d.After(now.In(almatyLoc())) {
		return fmt.Errorf("commission.meeting: %s is after today", cm.Meeting)
	}
	if y, m, dd := opened.In(almatyLoc()).Date(); d.Before(time.Date(y, m, dd, 0, 0, 0, 0, almatyLoc())) {
		return fmt.Errorf("commission.meeting: %s is before the step opened (the act reached the authority)", cm.Meeting)
	}
	if err := checkLine("commission.protocolNumber", cm.ProtocolNumber, maxActNumber); err != nil {
		return err
	}
	if n := len(cm.Members); n < minCommissionMembers || n > maxCommissionMembers {
		return fmt.Errorf("commission.members: %d members: a commission has %d to %d (a chair and at least two members; project rule)", n, minCommissionMembers, maxCommissionMembers)
	}
	chairs, secretaries := 0, 0
	for i, m := range cm.Members {
		f := fmt.Sprintf("commission.members[%d]", i)
		if err := checkLine(f+".name", m.Name, maxNameLength); err != nil {
			return err
		}
		if err := checkLine(f+".position", m.Position, maxNameLength); err != nil {
			return err
		}
		switch m.Role {
		case MemberChair:
			chairs++
		case MemberSecretary:
			secretaries++
		case MemberMember:
		default:
			return fmt.Errorf("%s.role: %q: want chair, secretary or member", f, m.Role)
		}
	}
	if chairs != 1 || secretaries > 1 {
		return fmt.Errorf("commission.members: %d chairs and %d secretaries: a commission has one chair and at most one secretary", chairs, secretaries)
	}
	return nil
}

// recordCommission adds the commission of a decision to the case.
func recordCommission(c *Case, cm *Commission, step string) {
	rec := *cm
	rec.Members = slices.Clone(cm.Members)
	rec.Step = step
	c.Commissions = append(slices.Clone(c.Commissions), rec)
}
