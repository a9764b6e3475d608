package register

import (
	"time"
)

// What the deadline check watches on an entry after the certificate (§40-§48), and what stays
// open for the authority. These are read from the entry alone, so the store can index an entry
// by them on every write (dynamostore: the CERT-WATCH partition of the due index) and the check
// reads only the entries that have something due, never the whole register.

// The kinds of watch and of open obligation; the policy's step keys where the policy has a period.
const (
	WatchExpiry         = "expiry"                // §40-§41: the term of a certificate with ValidUntil (the e-government platform)
	WatchMonitoring     = "monitoring_connection" // §42: the owner connects the object and notifies the authority
	WatchChangeDecision = "change_decision"       // §44: the authority decides on re-attestation
	WatchReturn         = "certificate_return"    // §46: the owner returns the recalled certificate
	WatchDuplicate      = "duplicate"             // §48: the authority issues the duplicate
	WatchRecall         = "recall"                // §45: the authority is to recall (ground 1 after expiry, 2 on the owner's application, 4 after re-attestation is required, 5 after a cessation notice)
	WatchReattestation  = "reattestation"         // §44: re-attestation is required; the owner applies again (no period)
)

// NextCheck is the moment the deadline check next has something to do on the entry: the
// earliest due moment not yet flagged. ok is false when nothing is left to flag.
func (e Entry) NextCheck() (at time.Time, ok bool) {
	consider := func(t time.Time) {
		if !ok || t.Before(at) {
			at, ok = t, true
		}
	}
	if e.Status == Valid {
		if e.ValidUntil != nil {
			consider(*e.ValidUntil)
		}
		if m := e.Monitoring; m != nil && m.Runs() && m.ConnectedAt == nil && !m.Overdue {
			consider(m.DueAt)
		}
		for _, c := range e.Changes {
			if c.DecidedAt == nil && !c.Overdue {
				consider(c.DueAt)
			}
		}
		for _, d := range e.Duplicates {
			if d.IssuedAt == nil && !d.Overdue {
				consider(d.DueAt)
			}
		}
	}
	if r := e.Recall; r != nil && r.ReturnedAt == nil && !r.ReturnOverdue && !r.ReturnAwaitsHandOver {
		consider(r.ReturnDueAt)
	}
	return at, ok
}

// Watched reports whether the entry has anything after the certificate still open: a due moment
// to check, or an obligation the authority has to see through (an overdue one, a certificate to
// recall after its expiry or after the owner's notice that operation ceased, a certificate not
// yet returned).
func (e Entry) Watched() bool {
	if _, ok := e.NextCheck(); ok {
		return true
	}
	return len(e.open()) > 0
}

// openItem is one open obligation of an entry, before the policy names its paragraph.
type openItem struct {
	kind    string
	id      string // a change notice's or a duplicate request's ID
	ground  string // kind WatchRecall: the ground to recall on
	owner   bool   // the owner acts (else the authority)
	since   time.Time
	due     *time.Time
	flagged bool // the deadline check flagged it overdue
	// awaitsHandOver: no due moment until the office hands the document over (receipt.go)
	awaitsHandOver bool
}

// open lists what is open on the entry, in the order of the entry's fields.
func (e Entry) open() []openItem {
	var out []openItem
	if e.Status == Valid {
		if m := e.Monitoring; m != nil && m.ConnectedAt == nil {
			item := openItem{kind: WatchMonitoring, owner: true, since: e.IssuedAt, flagged: m.Overdue, awaitsHandOver: !m.Runs()}
			if m.Runs() {
				due := m.DueAt
				item.due = &due
			}
			out = append(out, item) // no due moment while the certificate waits at the office
		}
		for _, c := range e.Changes {
			if c.DecidedAt == nil {
				due := c.DueAt
				out = append(out, openItem{kind: WatchChangeDecision, id: c.ID, since: c.ReceivedAt, due: &due, flagged: c.Overdue})
			}
		}
		for _, d := range e.Duplicates {
			if d.IssuedAt == nil {
				due := d.DueAt
				out = append(out, openItem{kind: WatchDuplicate, id: d.ID, since: d.ReceivedAt, due: &due, flagged: d.Overdue})
			}
		}
	}
	if e.Status == Expired {
		since := e.UpdatedAt
		if e.ExpiredAt != nil {
			since = *e.ExpiredAt
		}
		out = append(out, openItem{kind: WatchRecall, ground: GroundNotReattested, since: since})
	}
	// §44: a decision that re-attestation is required obliges the owner to apply again, and lists the
	// certificate for the authority's decision on recall for changed conditions (§45(4)).
	if e.Recall == nil && (e.Status == Valid || e.Status == Expired) {
		for _, c := range e.Changes {
			if c.Decision == ReattestationRequired && c.DecidedAt != nil {
				out = append(out, openItem{kind: WatchReattestation, id: c.ID, owner: true, since: *c.DecidedAt},
					openItem{kind: WatchRecall, id: c.ID, ground: GroundChangedConditions, since: *c.DecidedAt})
			}
		}
	}
	if a := e.RecallApplication; a != nil && e.Recall == nil && (e.Status == Valid || e.Status == Expired) {
		out = append(out, openItem{kind: WatchRecall, ground: GroundOwnerApplication, since: a.ReceivedAt})
	}
	if c := e.Cessation; c != nil && (e.Status == Valid || e.Status == Expired) {
		out = append(out, openItem{kind: WatchRecall, ground: GroundOperationCeased, since: c.NotifiedAt})
	}
	if r := e.Recall; r != nil && r.ReturnedAt == nil {
		item := openItem{kind: WatchReturn, owner: true, since: r.DecidedAt, flagged: r.ReturnOverdue, awaitsHandOver: r.ReturnAwaitsHandOver}
		if !r.ReturnAwaitsHandOver {
			due := r.ReturnDueAt
			item.due = &due
		}
		out = append(out, item) // no due moment while the copy of the decision waits at the office
	}
	return out
}

// flagged is one flag the deadline check set on an entry.
type flagged struct {
	what string
	id   string
	due  time.Time
}

// flagDue applies to e everything due before now: a certificate whose term ended expires
// (§40-§41), and each obligation whose period ended is flagged overdue (§42, §44, §46, §48). It
// changes only what was not flagged before, so a second run at the same moment flags nothing.
func (e *Entry) flagDue(now time.Time) []flagged {
	var out []flagged
	if e.Status == Valid {
		if m := e.Monitoring; m != nil && m.Runs() && m.ConnectedAt == nil && !m.Overdue && now.After(m.DueAt) {
			m.Overdue = true
			out = append(out, flagged{what: WatchMonitoring, due: m.DueAt})
		}
		for i := range e.Changes {
			if c := &e.Changes[i]; c.DecidedAt == nil && !c.Overdue && now.After(c.DueAt) {
				c.Overdue = true
				out = append(out, flagged{what: WatchChangeDecision, id: c.ID, due: c.DueAt})
			}
		}
		for i := range e.Duplicates {
			if d := &e.Duplicates[i]; d.IssuedAt == nil && !d.Overdue && now.After(d.DueAt) {
				d.Overdue = true
				out = append(out, flagged{what: WatchDuplicate, id: d.ID, due: d.DueAt})
			}
		}
		// §40-§41: the term ends at ValidUntil (the moment itself is past the term, as StatusAt
		// reads it). Expiry comes last: the flags above belong to the certificate in force.
		if e.expiredSince(now) {
			*e = e.AsOf(now)
			out = append(out, flagged{what: WatchExpiry, due: *e.ExpiredAt})
		}
	}
	if r := e.Recall; r != nil && r.ReturnedAt == nil && !r.ReturnOverdue && !r.ReturnAwaitsHandOver && now.After(r.ReturnDueAt) {
		r.ReturnOverdue = true
		out = append(out, flagged{what: WatchReturn, due: r.ReturnDueAt})
	}
	return out
}

// clone copies the parts of e that the service changes in place, so that the entry read stays
// as it was read.
func (e Entry) clone() Entry {
	c := e
	if e.Monitoring != nil {
		m := *e.Monitoring
		c.Monitoring = &m
	}
	if e.Recall != nil {
		r := *e.Recall
		c.Recall = &r
	}
	if e.Cessation != nil {
		x := *e.Cessation
		c.Cessation = &x
	}
	if e.RecallApplication != nil {
		x := *e.RecallApplication
		c.RecallApplication = &x
	}
	if e.Changes != nil {
		c.Changes = append([]ChangeNotice(nil), e.Changes...)
	}
	if e.Duplicates != nil {
		c.Duplicates = append([]DuplicateRequest(nil), e.Duplicates...)
	}
	return c
}
