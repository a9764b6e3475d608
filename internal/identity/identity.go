// Package identity says who is calling: the claims of a Cognito-issued JWT as API Gateway's
// JWT authorizer hands them to a function (requestContext.authorizer.jwt.claims), turned into
// an Actor with one role. It also masks identity numbers for logs.
package identity

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// Role is what a caller may do; it comes from the token's cognito:groups claim.
type Role string

// The roles of the procedure. Scheduler is the deadline check and is never carried by a token.
const (
	Applicant Role = "applicant" // the owner of an object, or a person it authorised
	Authority Role = "authority" // the authorised body for information security
	STS       Role = "sts"       // the State Technical Service
	Scheduler Role = "scheduler" // the daily deadline check
	// QualityAuthority is the authorised body for the assessment and control of the quality of
	// state services: it considers complaints addressed to it (standard §11).
	QualityAuthority Role = "quality_authority"
	// Office is the Committee's office (standard §3, §8, §9): it receives paper filings on behalf
	// of an organisation, marks their receipt and hands results over on paper. It decides nothing.
	Office Role = "office"
)

// The claim names fixed for every token (Cognito user pool conventions).
const (
	ClaimGroups  = "cognito:groups"
	ClaimBIN     = "custom:bin"
	ClaimSubject = "sub"
	ClaimName    = "name"
)

// ErrNoIdentity is returned when the claims do not name a usable caller.
var ErrNoIdentity = errors.New("no usable identity in token")

// Actor is the caller of a request.
type Actor struct {
	Subject string // the person (sub)
	Name    string // the person's name, for the history
	Role    Role
	BIN     string // the applicant's organisation: 12-digit BIN or IIN; empty for staff
}

// FromClaims builds the Actor from authorizer claims, exactly as API Gateway's JWT authorizer
// renders them: every value a string, an array claim such as cognito:groups as "[a b]" (its
// elements between brackets, separated by single spaces). A groups claim in any other form (a
// plain string, JSON, commas, quotes, braces) is refused, not read leniently. A token must carry
// exactly one of the known roles, an applicant's token a 12-digit organisation number, and an
// office token the officer's name.
func FromClaims(claims map[string]string) (Actor, error) {
	sub := strings.TrimSpace(claims[ClaimSubject])
	if sub == "" {
		return Actor{}, fmt.Errorf("%w: claim %q is missing", ErrNoIdentity, ClaimSubject)
	}
	groups, err := ParseGroups(claims[ClaimGroups])
	if err != nil {
		return Actor{}, fmt.Errorf("%w: claim %q: %v", ErrNoIdentity, ClaimGroups, err)
	}
	var roles []Role
	for _, g := range groups {
		switch r := Role(g); r {
		case Applicant, Authority, STS, QualityAuthority, Office:
			roles = append(roles, r)
		}
	}
	if len(roles) != 1 {
		return Actor{}, fmt.Errorf("%w: claim %q must name exactly one of applicant, authority, sts, quality_authority, office", ErrNoIdentity, ClaimGroups)
	}
	a := Actor{Subject: sub, Name: strings.TrimSpace(claims[ClaimName]), Role: roles[0]}
	if a.Role == Applicant {
		a.BIN = strings.TrimSpace(claims[ClaimBIN])
		if !twelveDigits(a.BIN) {
			return Actor{}, fmt.Errorf("%w: claim %q must be a 12-digit BIN or IIN", ErrNoIdentity, ClaimBIN)
		}
	}
	if a.Role == Office && a.Name == "" {
		// Standard §9: the receipt mark names the officer who received the package.
		return Actor{}, fmt.Errorf("%w: an office token must name the officer (claim %q)", ErrNoIdentity, ClaimName)
	}
	return a, nil
}

// MaxGroups is the most groups a groups claim may name.
const MaxGroups = 20

// ErrGroupsClaim is a groups claim not in API Gateway's rendering of an array of group names.
var ErrGroupsClaim = errors.New(`want API Gateway's rendering of a list of groups, "[a b]"`)

// ParseGroups reads a groups claim as API Gateway renders an array claim: "[" and the group names
// separated by single spaces, then "]". A group name is letters, digits, '_', '-' and '.'; any
// other character (a comma, a quote, a brace, a bracket, other white space) refuses the whole
// claim, as does a missing claim or one naming more than MaxGroups groups.
func ParseGroups(raw string) ([]string, error) {
	inner, ok := strings.CutPrefix(raw, "[")
	if !ok {
		return nil, ErrGroupsClaim
	}
	if inner, ok = strings.CutSuffix(inner, "]"); !ok || inner == "" {
		return nil, ErrGroupsClaim
	}
	groups := strings.Split(inner, " ")
	if len(groups) > MaxGroups {
		return nil, fmt.Errorf("more than %d groups: %w", MaxGroups, ErrGroupsClaim)
	}
	for _, g := range groups {
		if !groupName(g) {
			return nil, ErrGroupsClaim
		}
	}
	return groups, nil
}

// Groups is the groups a claim names (see ParseGroups), or none if it is not well formed.
func Groups(raw string) []string {
	g, err := ParseGroups(raw)
	if err != nil {
		return nil
	}
	return g
}

// groupName reports whether g is a non-empty name of letters, digits, '_', '-' and '.'.
func groupName(g string) bool {
	if g == "" || len(g) > 128 {
		return false
	}
	for _, r := range g {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-', r == '.':
		default:
			return false
		}
	}
	return true
}

func twelveDigits(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Mask hides an identity number (IIN/BIN) for logs, keeping its last four digits.
func Mask(number string) string {
	if len(number) <= 4 {
		return strings.Repeat("*", len(number))
	}
	return strings.Repeat("*", len(number)-4) + number[len(number)-4:]
}

// LogValue makes an Actor safe to log with slog: the organisation number is masked.
func (a Actor) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("role", string(a.Role)), slog.String("sub", a.Subject)}
	if a.BIN != "" {
		attrs = append(attrs, slog.String("bin", Mask(a.BIN)))
	}
	return slog.GroupValue(attrs...)
}
