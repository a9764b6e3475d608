package attestation

import (
	"context"
	"errors"
	"time"

	"attestation/internal/apperr"
)

// Status by receipt number (standard §13: what the call centre tells an applicant, without signing
// in): the stage the application is at and the next due moment, nothing else. The receipt number
// is the case's ID, printed on the receipt of filing (§13); its 64 random bits make it the
// applicant's secret, so an unknown number and a malformed one read alike, and the API bounds the
// calls to the route.

// PublicStatus is all the status look-up answers.
type PublicStatus struct {
	ReceiptNumber string     `json:"receiptNumber"`
	Stage         Stage      `json:"stage"`
	NextDueAt     *time.Time `json:"nextDueAt,omitempty"` // the open step's due moment; absent once the case ended
	// AwaitsHandOver: the open step's period starts when the office hands its document over (a
	// paper case, §17, §31); it has no due moment until then.
	AwaitsHandOver bool `json:"awaitsHandOver,omitempty"`
}

// errNoSuchReceipt is the one answer to a number that names no case.
var errNoSuchReceipt = apperr.Errorf(apperr.NotFound, "receipt", "no application has this receipt number")

// Status answers the look-up of a receipt number at now.
func (s *Service) Status(ctx context.Context, receiptNumber string, now time.Time) (PublicStatus, error) {
	if !wellFormedCaseID(receiptNumber) {
		return PublicStatus{}, errNoSuchReceipt
	}
	c, err := s.store.Get(ctx, receiptNumber)
	if errors.Is(err, ErrNotFound) {
		return PublicStatus{}, errNoSuchReceipt
	}
	if err != nil {
		return PublicStatus{}, err
	}
	st := PublicStatus{ReceiptNumber: c.ID, Stage: c.Stage}
	if c.OpenStep != nil && !c.Stage.Ended() {
		if c.OpenStep.Runs() {
			due := c.OpenStep.DueAt.UTC()
			st.NextDueAt = &due
		} else {
			st.AwaitsHandOver = true
		}
	}
	return st, nil
}

// wellFormedCaseID: A-<8 digits>-<hex>, at most 42 characters.
func wellFormedCaseID(id string) bool {
	if len(id) < 12 || len(id) > 42 || id[:2] != "A-" || id[10] != '-' {
		return false
	}
	for i, r := range id[2:] {
		switch {
		case i == 8:
		case r >= '0' && r <= '9', r >= 'a' && r <= 'f' && i > 8:
		default:
			return false
		}
	}
	return true
}
