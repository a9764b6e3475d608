package register

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
	"attestation/internal/signing"
)

// Limits of a search of the public register.
const (
	DefaultSearchLimit = 20
	MaxSearchLimit     = 100
	MaxObjectQuery     = 200  // characters of an object name to look for
	MaxCursor          = 2048 // bytes of a paging cursor
)

// Query is a search of the public register (§29): by certificate number (exact), by a part of the
// object's name (case-insensitive), by the owner's BIN (a legal entity's only: an individual's
// IIN is personal data and finds nothing, without the store being asked), by status at the
// moment of the search; every given criterion must hold. Pages are by certificate number, continued by an opaque cursor.
type Query struct {
	Number     string
	ObjectName string
	OwnerBIN   string
	Status     Status
	Limit      int
	Cursor     string
}

// ParseQuery reads a search from the query parameters number, objectName, ownerBin, status,
// limit and cursor. validNumber checks a certificate number's form (the policy's numbering).
// Every parameter that is wrong is a problem naming it.
func ParseQuery(params map[string]string, validNumber func(string) error) (Query, []apperr.Problem) {
	q := Query{Limit: DefaultSearchLimit}
	var problems []apperr.Problem
	bad := func(field, msg string) {
		problems = append(problems, apperr.Problem{Field: field, Rule: "§29", Message: msg})
	}
	known := map[string]bool{"number": true, "objectName": true, "ownerBin": true, "status": true, "limit": true, "cursor": true}
	for k := range params {
		if !known[k] {
			bad(k, "unknown query parameter; the register is searched by number, objectName, ownerBin and status")
		}
	}
	if v, ok := params["number"]; ok {
		if err := validNumber(v); err != nil {
			bad("number", err.Error())
		}
		q.Number = v
	}
	if v, ok := params["objectName"]; ok {
		v = strings.TrimSpace(v)
		switch {
		case v == "":
			bad("objectName", "empty: give a part of the object's name")
		case !utf8.ValidString(v):
			bad("objectName", "not valid UTF-8")
		case utf8.RuneCountInString(v) > MaxObjectQuery:
			bad("objectName", fmt.Sprintf("longer than %d characters", MaxObjectQuery))
		}
		q.ObjectName = v
	}
	if v, ok := params["ownerBin"]; ok {
		if err := attestation.ValidIdentityNumber(v); err != nil {
			bad("ownerBin", err.Error())
		}
		q.OwnerBIN = v
	}
	if v, ok := params["status"]; ok {
		switch s := Status(v); s {
		case Valid, Recalled, Expired, Terminated:
			q.Status = s
		default:
			bad("status", fmt.Sprintf("%q: want one of valid, recalled, expired, terminated", v))
		}
	}
	if v, ok := params["limit"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxSearchLimit {
			bad("limit", fmt.Sprintf("%q: want a whole number from 1 to %d", v, MaxSearchLimit))
		}
		q.Limit = n
	}
	if v, ok := params["cursor"]; ok {
		if v == "" || len(v) > MaxCursor {
			bad("cursor", fmt.Sprintf("want the cursor a page of this search answered (at most %d characters)", MaxCursor))
		}
		q.Cursor = v
	}
	return q, problems
}

// Filter is what the store narrows a page of the register to before the search checks each
// entry: it may admit more than the query (the status an entry has at the moment of the search
// is decided by the search), never less.
type Filter struct {
	Number     string   // exact certificate number; "" for any
	ObjectName string   // lower-cased part of the object's name; "" for any
	OwnerBIN   string   // the owner's BIN; entries of individual owners never match
	Statuses   []Status // the stored status is one of these; empty for any
}

// filter is the store's part of q: a valid entry may have expired since it was stored (§40), so
// a search for expired entries reads the valid ones too.
func (q Query) filter() Filter {
	return Filter{Number: q.Number, ObjectName: strings.ToLower(q.ObjectName), OwnerBIN: q.OwnerBIN, Statuses: storedStatuses(q.Status)}
}

// Matches reports whether e answers q at now.
func (q Query) Matches(e Entry, now time.Time) bool {
	switch {
	case q.Number != "" && e.Number != q.Number:
		return false
	case q.ObjectName != "" && !strings.Contains(strings.ToLower(e.ObjectName), strings.ToLower(q.ObjectName)):
		return false
	case q.OwnerBIN != "" && e.PublishedOwnerBIN() != q.OwnerBIN:
		return false
	case q.Status != "" && e.StatusAt(now) != q.Status:
		return false
	}
	return true
}

// Listing is an entry as a search answers it: its status at the moment of the search, the
// public view as signed, the signed bytes and the signature. Nothing but the public view.
type Listing struct {
	Number    string            `json:"number"`
	Status    Status            `json:"status"`
	Entry     Public            `json:"entry"`
	Payload   []byte            `json:"payload"`
	Signature signing.Signature `json:"signature"`
}

// SearchPage is a page of a search; Cursor continues it ("" at the end). A page may hold fewer
// entries than the limit, even none, while the cursor says more of the register remains to be
// read.
type SearchPage struct {
	Entries []Listing `json:"entries"`
	Cursor  string    `json:"cursor,omitempty"`
}

// Search answers a page of q at now from the store.
func Search(ctx context.Context, s Searcher, q Query, now time.Time) (SearchPage, error) {
	if q.Limit < 1 || q.Limit > MaxSearchLimit {
		return SearchPage{}, apperr.Errorf(apperr.Unprocessable, "", "search the register: limit %d outside 1..%d", q.Limit, MaxSearchLimit)
	}
	if q.OwnerBIN != "" && !attestation.IsLegalEntityBIN(q.OwnerBIN) {
		// Only a legal entity's BIN is published (Entry.PublishedOwnerBIN), so only it finds
		// anything: an individual's IIN is personal data (§29(2)).
		return SearchPage{Entries: []Listing{}}, nil
	}
	entries, next, err := s.SearchEntries(ctx, q.filter(), q.Limit, q.Cursor)
	if err != nil {
		return SearchPage{}, fmt.Errorf("search the register: %w", err)
	}
	page := SearchPage{Entries: []Listing{}, Cursor: next}
	for _, e := range entries {
		if e.Published() && q.Matches(e, now) {
			page.Entries = append(page.Entries, listing(e, now))
		}
	}
	return page, nil
}

func listing(e Entry, now time.Time) Listing {
	return Listing{Number: e.Number, Status: e.StatusAt(now), Entry: e.PublicView(), Payload: e.Seal.Payload, Signature: e.Seal.Signature}
}
