package register_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"attestation/internal/attestation"
	"attestation/internal/register"
)

// fakeSearcher keeps entries by number and pages them by number; it narrows by the filter as the
// DynamoDB store does.
type fakeSearcher struct {
	entries []register.Entry // by number
	filters []register.Filter
}

func (f *fakeSearcher) SearchEntries(ctx context.Context, fl register.Filter, limit int, cursor string) ([]register.Entry, string, error) {
	f.filters = append(f.filters, fl)
	start := 0
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil {
			return nil, "", attestation.ErrBadCursor
		}
		start = n
	}
	var out []register.Entry
	i := start
	for ; i < len(f.entries) && len(out) < limit; i++ {
		e := f.entries[i]
		if (fl.Number == "" || e.Number == fl.Number) && strings.Contains(strings.ToLower(e.ObjectName), fl.ObjectName) &&
			(fl.OwnerBIN == "" || e.OwnerBIN == fl.OwnerBIN) && (len(fl.Statuses) == 0 || slices.Contains(fl.Statuses, e.Status)) {
			out = append(out, e)
		}
	}
	next := ""
	if i < len(f.entries) {
		next = strconv.Itoa(i)
	}
	return out, next, nil
}

func validNumber(s string) error {
	if len(s) != 10 || s[4] != '/' {
		return errors.New("not a certificate number of the form {year}/{seq}")
	}
	return nil
}

func TestParseQueryNamesEachBadParameterPar29(t *testing.T) {
	q, problems := register.ParseQuery(map[string]string{"number": "2026/00001", "objectName": "  Әлем ", "ownerBin": "120540001238", "status": "recalled", "limit": "5", "cursor": "abc"}, validNumber)
	if len(problems) != 0 || q.Number != "2026/00001" || q.ObjectName != "Әлем" || q.OwnerBIN != "120540001238" || q.Status != register.Recalled || q.Limit != 5 || q.Cursor != "abc" {
		t.Fatalf("%+v %v", q, problems)
	}
	if q, problems := register.ParseQuery(nil, validNumber); len(problems) != 0 || q.Limit != register.DefaultSearchLimit {
		t.Fatalf("no parameters: %+v %v", q, problems)
	}
	for name, tc := range map[string]struct {
		params map[string]string
		field  string
	}{
		"number malformed":       {map[string]string{"number": "2026-1"}, "number"},
		"object name empty":      {map[string]string{"objectName": "  "}, "objectName"},
		"object name too long":   {map[string]string{"objectName": strings.Repeat("ә", register.MaxObjectQuery+1)}, "objectName"},
		"owner BIN check digit":  {map[string]string{"ownerBin": "120540001239"}, "ownerBin"},
		"owner BIN letters":      {map[string]string{"ownerBin": "12054000123A"}, "ownerBin"},
		"status unknown":         {map[string]string{"status": "revoked"}, "status"},
		"limit zero":             {map[string]string{"limit": "0"}, "limit"},
		"limit over the maximum": {map[string]string{"limit": "101"}, "limit"},
		"limit not a number":     {map[string]string{"limit": "ten"}, "limit"},
		"cursor empty":           {map[string]string{"cursor": ""}, "cursor"},
		"cursor too long":        {map[string]string{"cursor": strings.Repeat("c", register.MaxCursor+1)}, "cursor"},
		"an unknown parameter":   {map[string]string{"ownerIin": "880101300123"}, "ownerIin"},
	} {
		t.Run(name, func(t *testing.T) {
			_, problems := register.ParseQuery(tc.params, validNumber)
			if len(problems) != 1 || problems[0].Field != tc.field || problems[0].Message == "" {
				t.Fatalf("%v, want one problem naming %s", problems, tc.field)
			}
		})
	}
}

func TestSearchPar29(t *testing.T) {
	ctx := context.Background()
	s := newSigner(t, "key-1")
	now := issued.AddDate(1, 0, 1)
	var all []register.Entry
	add := func(number, object, bin string, individual bool, edit func(*register.Entry)) {
		d := draft(number, object, bin)
		d.OwnerIndividual = individual
		if edit != nil {
			edit(&d)
		}
		all = append(all, revise(t, s, register.Entry{}, d, issued))
	}
	until := issued.AddDate(1, 0, 0)
	add("2026/00001", "Единая система «Әлем»", "120540001238", false, nil)
	add("2026/00002", "Портал ӘЛЕМ-2", "990340001230", false, nil)
	add("2026/00003", "E-government platform", "120540001238", false, func(e *register.Entry) { e.ValidUntil = &until })
	add("2026/00004", "Registry", "120540001238", false, func(e *register.Entry) {
		e.Status = register.Recalled
		e.Recall = &register.Recall{Ground: "violation", Paragraph: "§45(2)", DecidedAt: issued}
	})
	add("2026/00005", "Личный сайт", "880101300123", true, nil)
	add("2026/00006", "Closed system", "990340001230", false, func(e *register.Entry) { e.Status = register.Terminated; e.TerminatedAt = &issued })
	st := &fakeSearcher{entries: all}

	numbers := func(p register.SearchPage) []string {
		var out []string
		for _, l := range p.Entries {
			out = append(out, l.Number)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		q    register.Query
		want []string
	}{
		{"§29 every entry", register.Query{}, []string{"2026/00001", "2026/00002", "2026/00003", "2026/00004", "2026/00005", "2026/00006"}},
		{"§29 by certificate number", register.Query{Number: "2026/00004"}, []string{"2026/00004"}},
		{"§29 by a part of the object's name, whatever its case (Kazakh letters too)", register.Query{ObjectName: "әлем"}, []string{"2026/00001", "2026/00002"}},
		{"§29 by the owner's BIN", register.Query{OwnerBIN: "990340001230"}, []string{"2026/00002", "2026/00006"}},
		{"§29 an individual owner's IIN finds nothing", register.Query{OwnerBIN: "880101300123"}, nil},
		{"§45 by status recalled", register.Query{Status: register.Recalled}, []string{"2026/00004"}},
		{"§40 expired includes a valid entry whose term has ended", register.Query{Status: register.Expired}, []string{"2026/00003"}},
		{"§40 valid leaves out an entry whose term has ended", register.Query{Status: register.Valid}, []string{"2026/00001", "2026/00002", "2026/00005"}},
		{"§29 terminated", register.Query{Status: register.Terminated}, []string{"2026/00006"}},
		{"§29 criteria together", register.Query{OwnerBIN: "120540001238", ObjectName: "PLATFORM"}, []string{"2026/00003"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.q.Limit = register.MaxSearchLimit
			p, err := register.Search(ctx, st, tc.q, now)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(numbers(p), tc.want) || p.Cursor != "" {
				t.Fatalf("%v (cursor %q), want %v", numbers(p), p.Cursor, tc.want)
			}
		})
	}
	t.Run("§40 the store reads the valid entries too for a search of expired ones", func(t *testing.T) {
		st.filters = nil
		if _, err := register.Search(ctx, st, register.Query{Status: register.Expired, ObjectName: "ӘЛЕМ", Limit: 5}, now); err != nil {
			t.Fatal(err)
		}
		if f := st.filters[0]; !slices.Equal(f.Statuses, []register.Status{register.Valid, register.Expired}) || f.ObjectName != "әлем" {
			t.Fatalf("%+v", f)
		}
	})
	t.Run("§29 pages continue by the cursor, each entry once", func(t *testing.T) {
		var got []string
		q := register.Query{Limit: 4}
		for i := 0; i < 5; i++ {
			p, err := register.Search(ctx, st, q, now)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, numbers(p)...)
			if p.Cursor == "" {
				break
			}
			q.Cursor = p.Cursor
		}
		if len(got) != len(all) {
			t.Fatalf("%v", got)
		}
	})
	t.Run("§29 an answer holds public views only, each with its seal", func(t *testing.T) {
		p, err := register.Search(ctx, st, register.Query{Limit: 10}, now)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(p)
		for _, private := range []string{"880101300123", "caseId", "acts/1.pdf", "certificates/2026-00001.pdf", "\"cv1\"", "edition"} {
			if strings.Contains(string(b), private) {
				t.Errorf("the answer holds %s: %s", private, b)
			}
		}
		pub := publicKey(t, s)
		for _, l := range p.Entries {
			if err := verifyListing(pub, l); err != nil {
				t.Errorf("%s: %v", l.Number, err)
			}
		}
		if p.Entries[2].Status != register.Expired || p.Entries[2].Entry.Status != register.Valid {
			t.Fatalf("the platform's entry: %s, signed %s", p.Entries[2].Status, p.Entries[2].Entry.Status)
		}
	})
	t.Run("a cursor the store did not issue is refused", func(t *testing.T) {
		if _, err := register.Search(ctx, st, register.Query{Limit: 5, Cursor: "forged"}, now); !errors.Is(err, attestation.ErrBadCursor) {
			t.Fatalf("%v", err)
		}
	})
	t.Run("a limit outside 1..100 is invalid", func(t *testing.T) {
		if _, err := register.Search(ctx, st, register.Query{Limit: 0}, now); !errors.Is(err, attestation.ErrInvalid) {
			t.Fatalf("%v", err)
		}
	})
	_ = time.Second
}

func verifyListing(pub []byte, l register.Listing) error {
	b, _ := json.Marshal(l.Entry)
	if string(b) != string(l.Payload) {
		return errors.New("the entry is not the payload")
	}
	return verifySig(pub, l.Payload, l)
}
