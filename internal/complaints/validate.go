package complaints

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
	"attestation/internal/identity"
)

// ruleComplaint is the paragraph the checks of a complaint name (apperr.Problem.Rule).
const ruleComplaint = "standard §11"

// Limits of the fields.
const (
	MaxSubjectLength = 4000 // characters of what a complaint is about
	MaxAnswerLength  = 4000 // characters of the answer to it
	// MaxMarkLength bounds the registration mark's texts: the incoming number, the registrar's name
	// and the complainant's name.
	MaxMarkLength = 200
	// MaxReceiptAge is how long before its registration a complaint received on paper may have
	// been received (project rule: the office registers what it receives, on receipt).
	MaxReceiptAge = 30 * 24 * time.Hour
	idPrefix      = "C-"
	idHexDigits   = 24
)

// caseIDPattern is the shape of a case ID (attestation: A-<filing date>-<16 hex digits>).
var caseIDPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^A-[0-9]{8}-[0-9a-f]{16}$`) }) // compiled on first use

// wellFormedID reports whether id has the shape of a complaint ID: "C-" and 24 lowercase
// hexadecimal digits.
func wellFormedID(id string) bool { return attestation.HasIDShape(id, idPrefix, idHexDigits) }

// clean trims a text field.
func clean(s string) string { return strings.TrimSpace(s) }

// textProblem is the problem of a required text field, or "" when it is fine.
func textProblem(s string, max int) string { return attestation.TextProblem(s, max, true) }

func addresseeList() string {
	names := make([]string, len(Addressees))
	for i, a := range Addressees {
		names[i] = string(a)
	}
	return strings.Join(names, ", ")
}

func outcomeList() string {
	names := make([]string, len(Outcomes))
	for i, o := range Outcomes {
		names[i] = string(o)
	}
	return strings.Join(names, ", ")
}

// checkFiling returns every problem of a filing. A case it names must be one of the
// organisation's: another organisation's case reads exactly like one that does not exist.
func (s *Service) checkFiling(ctx context.Context, actor identity.Actor, in Filing) ([]apperr.Problem, error) {
	var ps []apperr.Problem
	add := func(field, format string, args ...any) {
		ps = append(ps, apperr.Problem{Field: field, Rule: ruleComplaint, Message: fmt.Sprintf(format, args...)})
	}
	if !in.Addressee.Valid() {
		add("addressee", "%q is not an addressee of a complaint; one of %s (the service provider considers it within 5 working days, the authority for the quality of state services within 15)",
			in.Addressee, addresseeList())
	}
	if m := textProblem(in.Subject, MaxSubjectLength); m != "" {
		add("subject", "what the complaint is about is %s", m)
	}
	if id := clean(in.CaseID); in.CaseID != "" {
		switch {
		case !caseIDPattern().MatchString(id):
			add("caseId", "%q is not a case ID (A-<YYYYMMDD>-<16 hexadecimal digits>)", in.CaseID)
		default:
			owns, err := s.cases.Owns(ctx, actor.BIN, id)
			if err != nil {
				return nil, fmt.Errorf("case %s: %w", id, err)
			}
			if !owns {
				add("caseId", "no case %s among your organisation's cases", id)
			}
		}
	}
	if n := clean(in.CertificateNumber); in.CertificateNumber != "" {
		if _, _, err := s.edition.ParseCertificateNumber(n); err != nil {
			add("certificateNumber", "%s", strings.TrimPrefix(err.Error(), "policy "+s.edition.ID()+": "))
		} else {
			holds, err := s.certs.Holds(ctx, actor.BIN, n)
			if err != nil {
				return nil, fmt.Errorf("certificate %s: %w", n, err)
			}
			if !holds {
				add("certificateNumber", "no certificate %s of your organisation in the register", n)
			}
		}
	}
	return ps, nil
}

// checkDecision returns every problem of a decision.
func checkDecision(in DecisionInput) []apperr.Problem {
	var ps []apperr.Problem
	if !in.Outcome.Valid() {
		ps = append(ps, apperr.Problem{Field: "outcome", Rule: ruleComplaint,
			Message: fmt.Sprintf("%q is not an outcome of a complaint's consideration; one of %s", in.Outcome, outcomeList())})
	}
	if m := textProblem(in.Answer, MaxAnswerLength); m != "" {
		ps = append(ps, apperr.Problem{Field: "answer", Rule: ruleComplaint, Message: "the answer to the complaint is " + m})
	}
	return ps
}

func channelList(cs []Channel) string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = string(c)
	}
	return strings.Join(names, ", ")
}

// checkRegistration returns every problem of a registration of a complaint received on paper
// (standard §11): the addressee is the registrar's own body, the channel one the office receives,
// the registration mark complete (incoming number, who registers it), the moment of receipt not
// in the future nor older than MaxReceiptAge; and what a filing needs (subject, the organisation's
// case or certificate).
func (s *Service) checkRegistration(ctx context.Context, actor identity.Actor, in Registration, now time.Time) ([]apperr.Problem, error) {
	var ps []apperr.Problem
	add := func(field, format string, args ...any) {
		ps = append(ps, apperr.Problem{Field: field, Rule: ruleComplaint, Message: fmt.Sprintf(format, args...)})
	}
	if in.Addressee.Valid() && in.Addressee.Role() != actor.Role {
		add("addressee", "the %s registers only complaints addressed to it; a complaint to the %s is registered by its office", actor.Role, addresseeName(in.Addressee))
	}
	if !slices.Contains(Paper, in.Channel) {
		add("channel", "%q is not a channel an office registers a complaint from; one of %s (a complaint filed online is registered on receipt)", in.Channel, channelList(Paper))
	}
	org := clean(in.Organization)
	if err := attestation.ValidIdentityNumber(org); err != nil {
		add("organization", "the complainant's BIN or IIN: %v", err)
	}
	for _, f := range []struct{ field, what, v string }{
		{"complainantName", "the complainant's name", in.ComplainantName},
		{"incomingNumber", "the incoming number of the registration mark", in.IncomingNumber},
		{"registeredBy", "the surname and initials of who registers the complaint", in.RegisteredBy},
	} {
		if m := attestation.TextProblem(f.v, MaxMarkLength, false); m != "" {
			add(f.field, "%s is %s", f.what, m)
		}
	}
	switch {
	case in.ReceivedAt.IsZero():
		add("receivedAt", "the moment the office received the complaint is required")
	case in.ReceivedAt.After(now):
		add("receivedAt", "the complaint cannot be received after its registration (%s)", now.UTC().Format(time.RFC3339))
	case now.Sub(in.ReceivedAt) > MaxReceiptAge:
		add("receivedAt", "the office registers a complaint on receipt: received at most %d days before its registration", int(MaxReceiptAge.Hours()/24))
	}
	filing := Filing{Addressee: in.Addressee, Subject: in.Subject, CaseID: in.CaseID, CertificateNumber: in.CertificateNumber}
	more, err := s.checkFiling(ctx, identity.Actor{Role: identity.Applicant, BIN: org}, filing)
	if err != nil {
		return nil, err
	}
	return append(ps, more...), nil
}
