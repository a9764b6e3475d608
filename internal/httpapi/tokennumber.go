package httpapi

import (
	"fmt"

	"attestation/internal/attestation"
	"attestation/internal/identity"
)

// tokenNumber checks an applicant's organisation number (the token's custom:bin) as every number
// the API accepts is checked: a BIN or an IIN by its structure and its check digit. Which of the
// two it may be is decided where it is used (a legal entity's package gives a BIN). The error
// never repeats the number.
func tokenNumber(a identity.Actor) error {
	if a.Role != identity.Applicant {
		return nil
	}
	if err := attestation.ValidIdentityNumber(a.BIN); err != nil {
		return fmt.Errorf("%w: claim %q: %v", identity.ErrNoIdentity, identity.ClaimBIN, err)
	}
	return nil
}
