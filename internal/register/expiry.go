package register

import "time"

// §40-§41: expiry is a fact at the moment of reading. A certificate with a term (the
// e-government platform's year, §40) is expired from the end of its term, whether or not the
// daily deadline check has marked it yet; every view and every act reads an entry through
// StatusAt (or AsOf, which applies it), with the request's or the run's moment.

// StatusAt is where the entry stands at now: its stored status, except that a valid entry whose
// term has ended (ValidUntil at or before now, §40-§41) is expired even before the deadline check
// marks it so. It is the one function that decides an entry's status at a moment.
func (e Entry) StatusAt(now time.Time) Status {
	if e.Status == Valid && e.ValidUntil != nil && !now.Before(*e.ValidUntil) {
		return Expired
	}
	return e.Status
}

// AsOf is the entry as it stands at now: a valid entry whose term ended reads expired, its
// ExpiredAt the end of its term, exactly as the deadline check marks it (§40-§41). Everything
// else is the entry as stored; its seal stays that of the stored revision, so AsOf is for
// reading and for acting on, never for verifying.
func (e Entry) AsOf(now time.Time) Entry {
	if s := e.StatusAt(now); s != e.Status {
		at := e.ValidUntil.UTC()
		e.Status, e.ExpiredAt = s, &at
	}
	return e
}

// expiredSince reports whether e's term ended at or before now while it is stored as valid: the
// deadline check has not marked the expiry yet.
func (e Entry) expiredSince(now time.Time) bool { return e.StatusAt(now) != e.Status }

// storedStatuses are the stored statuses an entry answering status at some moment may have: a
// valid entry may have expired since it was stored (§40), so expired reads the valid ones too.
// Empty for any status.
func storedStatuses(status Status) []Status {
	switch status {
	case "":
		return nil
	case Expired:
		return []Status{Valid, Expired}
	default:
		return []Status{status}
	}
}

// StoredStatuses are the stored statuses the store narrows a listing of q to (any of them; empty
// for any). The service then keeps the entries whose status at the moment of reading is
// q.Status: a stored valid entry past its term is expired (§40).
func (q CertificateQuery) StoredStatuses() []Status { return storedStatuses(q.Status) }
