package attestation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/identity"
)

// §20: the STS surveys an object "in accordance with the methodology for the certification
// examination ... approved by the authorized body". The authority publishes the methodology as a
// versioned document: each version is written once and never changed (a conditional put), and an
// act names the version it was drawn up under (§22, §24: survey.go's ActDetails).

// Limits of a methodology version.
const (
	MaxMethodologyText  = 60000 // characters of a version's text
	MaxMethodologyTitle = 300
	maxMethodologyPage  = 100
)

// methodologyVersionPattern is the shape of a version: "2026.1", "v3", "1.2.0". It is compiled on
// first use: every function links this package, and few read a methodology (a regular expression
// compiled at start costs each of them page faults before its first event).
var methodologyVersionPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`) })

// Methodology is one published version of the survey methodology (§20).
type Methodology struct {
	Version     string    `json:"version"`
	Title       string    `json:"title"`
	Text        string    `json:"text,omitempty"` // absent in a list
	SHA256      string    `json:"sha256"`         // of Text, UTF-8
	PublishedAt time.Time `json:"publishedAt"`
	PublishedBy string    `json:"publishedBy"` // the person (token subject)
}

// MethodologyInput is what the authority sends to publish a version.
type MethodologyInput struct {
	Version string `json:"version"`
	Title   string `json:"title"`
	Text    string `json:"text"`
}

// Methodologies keeps the published versions (DynamoDB in AWS: internal/dynamostore).
type Methodologies interface {
	// Publish stores a new version, conditional on the version being new: apperr.Conflict if it exists.
	Publish(ctx context.Context, m Methodology) error
	// Methodology returns a version with its text; apperr.NotFound if there is none.
	Methodology(ctx context.Context, version string) (Methodology, error)
	// Methodologies returns the versions without their texts, newest publication first.
	Methodologies(ctx context.Context, limit int) ([]Methodology, error)
}

// errNoMethodologies: the service was built without the methodology store.
var errNoMethodologies = apperr.Errorf(apperr.Unavailable, "", "the survey methodology is not kept by this service")

// PublishMethodology publishes a new version of the survey methodology (§20): the authority only;
// a version is published once, and the same text again under its version answers the first.
func (s *Service) PublishMethodology(ctx context.Context, actor identity.Actor, in MethodologyInput, now time.Time) (Methodology, error) {
	if actor.Role != identity.Authority {
		return Methodology{}, apperr.Errorf(apperr.Forbidden, "", "publish methodology: the %s does not approve the survey methodology (§20)", actor.Role)
	}
	if s.methodologies == nil {
		return Methodology{}, errNoMethodologies
	}
	var ps []Problem
	if !methodologyVersionPattern().MatchString(in.Version) {
		ps = append(ps, Problem{Field: "version", Rule: "§20", Message: "a version is 1-32 letters, digits, dots, dashes or underscores, starting with a letter or digit"})
	}
	if m := TextProblem(in.Title, MaxMethodologyTitle, false); m != "" {
		ps = append(ps, Problem{Field: "title", Rule: "§20", Message: "the title is " + m})
	}
	if m := TextProblem(in.Text, MaxMethodologyText, true); m != "" {
		ps = append(ps, Problem{Field: "text", Rule: "§20", Message: "the methodology's text is " + m})
	}
	if len(ps) > 0 {
		return Methodology{}, &SubmissionRefused{Problems: ps}
	}
	text := strings.TrimSpace(in.Text)
	sum := sha256.Sum256([]byte(text))
	m := Methodology{Version: in.Version, Title: strings.TrimSpace(in.Title), Text: text, SHA256: hex.EncodeToString(sum[:]),
		PublishedAt: now.UTC(), PublishedBy: actor.Subject}
	err := s.methodologies.Publish(ctx, m)
	if errors.Is(err, apperr.Conflict) {
		prev, gerr := s.methodologies.Methodology(ctx, in.Version)
		if gerr != nil {
			return Methodology{}, fmt.Errorf("publish methodology %s: %w", in.Version, gerr)
		}
		if prev.SHA256 == m.SHA256 && prev.Title == m.Title {
			return prev, nil
		}
		return Methodology{}, apperr.Errorf(apperr.Conflict, "", "methodology version %s was published on %s with another text: a published version never changes; publish a new version",
			in.Version, prev.PublishedAt.Format(time.DateOnly))
	}
	if err != nil {
		return Methodology{}, fmt.Errorf("publish methodology %s: %w", in.Version, err)
	}
	return m, nil
}

// GetMethodology returns a published version with its text; every signed-in role reads it.
func (s *Service) GetMethodology(ctx context.Context, version string) (Methodology, error) {
	if s.methodologies == nil {
		return Methodology{}, errNoMethodologies
	}
	if !methodologyVersionPattern().MatchString(version) {
		return Methodology{}, apperr.Errorf(apperr.NotFound, "methodology", "no methodology version %q", version)
	}
	m, err := s.methodologies.Methodology(ctx, version)
	if err != nil {
		return Methodology{}, fmt.Errorf("methodology %s: %w", version, err)
	}
	return m, nil
}

// ListMethodologies returns the published versions, newest first, without their texts.
func (s *Service) ListMethodologies(ctx context.Context) ([]Methodology, error) {
	if s.methodologies == nil {
		return nil, errNoMethodologies
	}
	list, err := s.methodologies.Methodologies(ctx, maxMethodologyPage)
	if err != nil {
		return nil, fmt.Errorf("methodologies: %w", err)
	}
	return list, nil
}
