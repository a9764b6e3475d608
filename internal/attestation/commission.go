package attestation

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"attestation/internal/policy"
)

// Law Art. 51(6): the authority decides "on the basis of the protocol of the attestation
// commission". Under an edition whose step is taken on the commission's protocol
// (DocCommissionProtocol in the period's requires), the decision also records the commission:
// its members, its meeting and the protocol's number; the protocol document itself is attached
// (attachments.go). Law Art. 51(11): the decision on re-attestation after the owner's notice of
// changes is the commission's too (internal/register, changes.go: TakenOnProtocol and
// CheckCommission). The Law sets no composition: the rules below are the project's.

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
	return TakenOnProtocol(ed, step)
}

// TakenOnProtocol reports whether edition ed takes step on the attestation commission's protocol:
// the step's period requires DocCommissionProtocol (the Law's edition: the decisions of Art. 51(6)
// and the decision on re-attestation of Art. 51(11)).
func TakenOnProtocol(ed *policy.Edition, step string) bool {
	p, err := ed.Period(step)
	return err == nil && slices.Contains(p.Requires, DocCommissionProtocol)
}

// checkCommission checks the commission of a decision of a case taken on its protocol (Law Art.
// 51(6)): it met no earlier than the day the step opened.
func checkCommission(cm *Commission, opened, now time.Time) error {
	if p := CheckCommission(cm, "Law Art. 51(6)", opened, "the step opened (the act reached the authority)", now); p != nil {
		return fmt.Errorf("%s: %s", p.Field, p.Message)
	}
	return nil
}

// CheckCommission checks the commission of a decision taken on its protocol under paragraph: the
// meeting on a real day, not before the day of since (sinceWhat says what happened then) nor
// after now; the protocol's number; 3 to 30 members, each named with a position and a role,
// exactly one chair and at most one secretary. It returns the first problem, naming its field
// (commission, commission.meeting, commission.members[i].name, ...), or nil.
func CheckCommission(cm *Commission, paragraph string, since time.Time, sinceWhat string, now time.Time) *Problem {
	if err := commissionError(cm, paragraph, since, sinceWhat, now); err != nil {
		field, msg, _ := strings.Cut(err.Error(), ": ")
		return &Problem{Field: field, Rule: paragraph, Message: msg}
	}
	return nil
}

// commissionError is CheckCommission's check; each error names its field first ("field: what").
func commissionError(cm *Commission, paragraph string, since time.Time, sinceWhat string, now time.Time) error {
	if cm == nil {
		return fmt.Errorf("commission: %s: the decision is taken on the protocol of the attestation commission: give its meeting, protocol number and members", paragraph)
	}
	d, err := time.ParseInLocation(time.DateOnly, cm.Meeting, almatyLoc())
	if err != nil {
		return fmt.Errorf("commission.meeting: %q is not a date YYYY-MM-DD", clip(cm.Meeting))
	}
	if d.After(now.In(almatyLoc())) {
		return fmt.Errorf("commission.meeting: %s is after today", cm.Meeting)
	}
	if y, m, dd := since.In(almatyLoc()).Date(); d.Before(time.Date(y, m, dd, 0, 0, 0, 0, almatyLoc())) {
		return fmt.Errorf("commission.meeting: %s is before %s", cm.Meeting, sinceWhat)
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
			return fmt.Errorf("%s.role: %q: want chair, secretary or member", f, clip(m.Role))
		}
	}
	if chairs != 1 || secretaries > 1 {
		return fmt.Errorf("commission.members: %d chairs and %d secretaries: a commission has one chair and at most one secretary", chairs, secretaries)
	}
	return nil
}

// RecordOf is the commission as recorded with the decision it met for (step): its members copied.
func (cm Commission) RecordOf(step string) Commission {
	cm.Members = slices.Clone(cm.Members)
	cm.Step = step
	return cm
}

// recordCommission adds the commission of a decision to the case.
func recordCommission(c *Case, cm *Commission, step string) {
	c.Commissions = append(slices.Clone(c.Commissions), cm.RecordOf(step))
}
