package notice

import (
	"context"
	"fmt"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/identity"
)

// Store keeps the notifications (DynamoDB in AWS; the items are written by the stores of the
// changes they report, in the same transaction).
type Store interface {
	// ByAudience returns an audience's notifications, newest first, a page at a time (cursor ""
	// for the first; the next cursor, "" after the last page).
	ByAudience(ctx context.Context, to Audience, limit int, cursor string) ([]Notification, string, error)
	// ByCase returns a case's notifications, newest first (at most limit).
	ByCase(ctx context.Context, caseID string, limit int) ([]Notification, error)
	// MarkRead records that the audience read notification id at t (the first time only); NotFound
	// when there is none for that audience.
	MarkRead(ctx context.Context, to Audience, id string, at time.Time) (Notification, error)
}

// Cabinet is the personal cabinet: an applicant sees its organisation's notifications, a staff
// member its role's.
type Cabinet struct{ store Store }

// NewCabinet returns the cabinet on store.
func NewCabinet(store Store) *Cabinet { return &Cabinet{store: store} }

// MaxPage is the largest page of the cabinet.
const MaxPage = 100

// List returns the caller's notifications, newest first.
func (c *Cabinet) List(ctx context.Context, actor identity.Actor, limit int, cursor string) ([]Notification, string, error) {
	to, err := audienceOf(actor)
	if err != nil {
		return nil, "", err
	}
	if limit <= 0 || limit > MaxPage {
		limit = MaxPage
	}
	out, next, err := c.store.ByAudience(ctx, to, limit, cursor)
	if err != nil {
		return nil, "", fmt.Errorf("notifications of %s: %w", to.Key(), err)
	}
	return out, next, nil
}

// MarkRead marks one of the caller's notifications read; another audience's is not found.
func (c *Cabinet) MarkRead(ctx context.Context, actor identity.Actor, id string, at time.Time) (Notification, error) {
	to, err := audienceOf(actor)
	if err != nil {
		return Notification{}, err
	}
	n, err := c.store.MarkRead(ctx, to, id, at.UTC())
	if err != nil {
		return Notification{}, fmt.Errorf("mark notification %s read: %w", id, err)
	}
	return n, nil
}

// OfCase returns a case's notifications the caller may see: an applicant its organisation's, a
// staff member its role's (the caller's right to the case itself is checked by the case view).
func (c *Cabinet) OfCase(ctx context.Context, actor identity.Actor, caseID string) ([]Notification, error) {
	to, err := audienceOf(actor)
	if err != nil {
		return nil, err
	}
	all, err := c.store.ByCase(ctx, caseID, MaxPage)
	if err != nil {
		return nil, fmt.Errorf("notifications of case %s: %w", caseID, err)
	}
	out := []Notification{}
	for _, n := range all {
		if n.To == to {
			out = append(out, n)
		}
	}
	return out, nil
}

func audienceOf(actor identity.Actor) (Audience, error) {
	switch actor.Role {
	case identity.Applicant:
		if actor.BIN == "" {
			return Audience{}, apperr.Errorf(apperr.Forbidden, "", "an applicant without an organisation has no cabinet")
		}
	case identity.Authority, identity.STS, identity.QualityAuthority:
	default:
		return Audience{}, apperr.Errorf(apperr.Forbidden, "", "the role %s has no cabinet", actor.Role)
	}
	return Of(actor), nil
}
