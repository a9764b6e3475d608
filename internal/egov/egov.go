// Package egov stands in for the state information systems the Committee's office reads an
// organisation's registration and a person's identity from through the e-government gateway
// (state service standard §9): a fixed registry of BINs and IINs with their names, given as
// configuration (EGOV_REGISTRY). The local stack fills it with its demo organisations; a
// deployment connects the gateway's adapter in its place (attestation.StateRegistry).
package egov

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
)

// Registry is a fixed registry: number (BIN or IIN) → name.
type Registry struct {
	names map[string]string
}

var _ attestation.StateRegistry = (*Registry)(nil)

// New returns the registry of names by number. Every number must be a valid BIN or IIN.
func New(names map[string]string) (*Registry, error) {
	r := &Registry{names: map[string]string{}}
	keys := make([]string, 0, len(names))
	for k := range names {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, n := range keys {
		if err := attestation.ValidIdentityNumber(n); err != nil {
			return nil, fmt.Errorf("state registry stand-in: %s: %w", n, err)
		}
		if names[n] == "" {
			return nil, fmt.Errorf("state registry stand-in: %s has no name", n)
		}
		r.names[n] = names[n]
	}
	return r, nil
}

// Parse reads the registry from JSON, {"<BIN or IIN>": "<name>", ...}.
func Parse(raw string) (*Registry, error) {
	var names map[string]string
	if err := json.Unmarshal([]byte(raw), &names); err != nil {
		return nil, fmt.Errorf("state registry stand-in: want a JSON object of numbers and names: %w", err)
	}
	return New(names)
}

// Organization returns what the registry holds of number; an unknown one is apperr.NotFound.
func (r *Registry) Organization(ctx context.Context, number string) (attestation.RegisteredOrganization, error) {
	name, ok := r.names[number]
	if !ok {
		return attestation.RegisteredOrganization{}, apperr.Errorf(apperr.NotFound, "organization", "no %s in the state registry", number)
	}
	return attestation.RegisteredOrganization{Number: number, Name: name, Individual: individual(number)}, nil
}

// individual reports whether number is an individual's IIN.
func individual(number string) bool {
	k, ok := attestation.NumberKindOf(number)
	return ok && k == attestation.NumberIIN
}
