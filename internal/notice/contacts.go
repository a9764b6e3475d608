package notice

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/identity"
)

// Contacts are the addresses an organisation registered for its notifications and the language
// it reads them in (issue 13). Staff addresses are per role, from the deployment's parameters.
type Contacts struct {
	BIN       string    `json:"bin"`
	Addresses []string  `json:"addresses"`
	Language  Language  `json:"language"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Limits of the contacts (openapi.yaml).
const (
	MaxAddresses     = 5
	MaxAddressLength = 254
)

// ContactStore keeps organisations' contacts.
type ContactStore interface {
	// Contacts returns an organisation's contacts; NotFound when it registered none.
	Contacts(ctx context.Context, bin string) (Contacts, error)
	// PutContacts replaces them.
	PutContacts(ctx context.Context, c Contacts) error
}

// ContactService is the route that manages an applicant's own organisation's contacts.
type ContactService struct{ store ContactStore }

// NewContactService returns the contacts' service on store.
func NewContactService(store ContactStore) *ContactService { return &ContactService{store: store} }

// ContactsInput is what an applicant registers.
type ContactsInput struct {
	Addresses []string `json:"addresses"`
	Language  Language `json:"language"`
}

// Get returns the caller's organisation's contacts (none registered: an empty list, Russian).
func (s *ContactService) Get(ctx context.Context, actor identity.Actor) (Contacts, error) {
	if actor.Role != identity.Applicant || actor.BIN == "" {
		return Contacts{}, apperr.Errorf(apperr.Forbidden, "", "contacts are an applicant organisation's")
	}
	c, err := s.store.Contacts(ctx, actor.BIN)
	if apperr.KindOf(err) == apperr.NotFound {
		return Contacts{BIN: actor.BIN, Addresses: []string{}, Language: Russian}, nil
	}
	if err != nil {
		return Contacts{}, fmt.Errorf("contacts of an organisation: %w", err)
	}
	return c, nil
}

// Put replaces the caller's organisation's contacts, after checking every address and the language.
func (s *ContactService) Put(ctx context.Context, actor identity.Actor, in ContactsInput, now time.Time) (Contacts, error) {
	if actor.Role != identity.Applicant || actor.BIN == "" {
		return Contacts{}, apperr.Errorf(apperr.Forbidden, "", "contacts are an applicant organisation's")
	}
	var problems []apperr.Problem
	if !in.Language.Valid() {
		problems = append(problems, apperr.Problem{Rule: "request", Field: "language", Message: "want kk, ru or en"})
	}
	if len(in.Addresses) > MaxAddresses {
		problems = append(problems, apperr.Problem{Rule: "request", Field: "addresses", Message: fmt.Sprintf("at most %d addresses", MaxAddresses)})
	}
	seen := map[string]bool{}
	out := []string{}
	for i, a := range in.Addresses {
		a = strings.TrimSpace(a)
		field := fmt.Sprintf("addresses[%d]", i)
		addr, err := mail.ParseAddress(a)
		switch {
		case len(a) > MaxAddressLength:
			problems = append(problems, apperr.Problem{Rule: "request", Field: field, Message: fmt.Sprintf("at most %d characters", MaxAddressLength)})
		case err != nil || addr.Address != a || addr.Name != "":
			problems = append(problems, apperr.Problem{Rule: "request", Field: field, Message: "want a plain e-mail address, name@example.kz"})
		case seen[strings.ToLower(a)]:
			problems = append(problems, apperr.Problem{Rule: "request", Field: field, Message: "given twice"})
		default:
			seen[strings.ToLower(a)] = true
			out = append(out, a)
		}
	}
	if len(problems) > 0 {
		return Contacts{}, apperr.Refused("contacts refused", "the contacts are not valid", problems)
	}
	c := Contacts{BIN: actor.BIN, Addresses: out, Language: in.Language, UpdatedAt: now.UTC()}
	if err := s.store.PutContacts(ctx, c); err != nil {
		return Contacts{}, fmt.Errorf("put contacts: %w", err)
	}
	return c, nil
}
