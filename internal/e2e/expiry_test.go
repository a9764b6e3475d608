package e2e

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"attestation/internal/localstack"
	"attestation/internal/register"
)

// Expiry is a fact at read time (§40-§41): a certificate past its term is expired in every view
// (the owner's, the authority's, the public's) and the recall ground that needs expiry (§45(1))
// applies, before the daily deadline check has marked it. And a period the working-day calendar
// cannot count (it covers 2016-2027) is a 422 naming those years, never a 500.

// registerSearch is the public search's numbers/statuses for a query (no token).
func registerSearch(t *testing.T, query string) []string {
	t.Helper()
	r := send(t, "GET", "/register?"+query, "", nil, map[string]string{"Accept": "application/json"})
	if r.status != http.StatusOK {
		t.Fatalf("search %s: %d %s", query, r.status, r.raw)
	}
	var out []string
	for _, x := range r.body["entries"].([]any) {
		l := x.(map[string]any)
		out = append(out, l["number"].(string)+"/"+l["status"].(string))
	}
	return out
}

func TestExpiredInEveryViewBeforeTheDeadlineCheckPar40Par41Par45(t *testing.T) {
	org := newOrganisation(t)
	owner, authority := as(t, org), as(t, localstack.DemoAuthority)
	// Two e-government platforms certified on 3 March 2025: §40 one year, to 2026-03-03 23:59:59.
	issued := time.Date(2025, 3, 3, 10, 0, 0, 0, almaty)
	number := lifeEntry(t, "egov_platform", org.BIN, issued)
	other := lifeEntry(t, "egov_platform", org.BIN, issued)
	const expiredAt = "2026-03-03T18:59:59Z"
	defer stack.Clock.Freeze(day(10, 15, 10))
	// Months after the term, and the deadline check does not run before the views are read.
	clockAt(t, time.Date(2026, 8, 12, 10, 0, 0, 0, almaty))

	t.Run("§40 the owner's list says expired", func(t *testing.T) {
		c := certificateOf(t, owner, org.BIN, number)
		if c == nil || c["status"] != "expired" || c["expiredAt"] != expiredAt || c["revision"] != float64(1) {
			t.Fatalf("%v", c)
		}
	})
	t.Run("§40 the authority's list: status=valid never lists it, status=expired does", func(t *testing.T) {
		numbers := func(status string) []string {
			st, page := authority.do("GET", "/certificates?limit=100&organization="+org.BIN+"&status="+status, nil)
			if st != http.StatusOK {
				t.Fatalf("%d %v", st, page)
			}
			var out []string
			for _, x := range page["certificates"].([]any) {
				c := x.(map[string]any)
				out = append(out, c["number"].(string)+"/"+c["status"].(string))
			}
			slices.Sort(out)
			return out
		}
		if got := numbers("valid"); len(got) != 0 {
			t.Fatalf("valid: %v", got)
		}
		want := []string{number + "/expired", other + "/expired"}
		slices.Sort(want)
		if got := numbers("expired"); !slices.Equal(got, want) {
			t.Fatalf("expired: %v, want %v", got, want)
		}
	})
	t.Run("§29 §40 the public verification, JSON and page, says expired; the signature checks", func(t *testing.T) {
		v := verification(t, number)
		if v["status"] != "expired" || v["expiredAt"] != expiredAt || v["signatureValid"] != true || v["revision"] != float64(1) {
			t.Fatalf("%v", v)
		}
		resp, page := getRaw(t, certPath(number, ""), map[string]string{"Accept": "text/html"})
		if resp.StatusCode != http.StatusOK || !bytes.Contains(page, []byte("Expired")) || bytes.Contains(page, []byte("Жарамды · Действителен · Valid")) {
			t.Fatalf("%d %s", resp.StatusCode, page)
		}
	})
	t.Run("§29 §40 the register search: status=valid never answers it", func(t *testing.T) {
		if got := registerSearch(t, "number="+number+"&status=valid"); len(got) != 0 {
			t.Fatalf("valid: %v", got)
		}
		if got := registerSearch(t, "number="+number+"&status=expired"); !slices.Equal(got, []string{number + "/expired"}) {
			t.Fatalf("expired: %v", got)
		}
		if got := registerSearch(t, "number="+number); !slices.Equal(got, []string{number + "/expired"}) {
			t.Fatalf("any: %v", got)
		}
	})
	t.Run("§41 §45(1) the authority's obligations list it for recall", func(t *testing.T) {
		if got := obligationsOf(t, false, number); !slices.Equal(got, []string{"recall/" + number + "/not_reattested"}) {
			t.Fatalf("obligations %v", got)
		}
		if got := obligationsAs(t, owner, false, number); !slices.Equal(got, []string{"recall/" + number + "/not_reattested"}) {
			t.Fatalf("the owner's obligations %v", got)
		}
	})
	t.Run("§43 a change notice needs a certificate in force", func(t *testing.T) {
		st, out := owner.do("POST", certPath(number, "/changes"), map[string]any{"description": "new hardware"})
		mustStatus(t, "a change notice", st, http.StatusUnprocessableEntity, out, "expired", "§43")
	})
	t.Run("§45(1) recalled for not being attested again; the revision records the expiry", func(t *testing.T) {
		st, out := authority.do("POST", certPath(number, "/recall"), recallBody("not_reattested"))
		mustStatus(t, "recall", st, http.StatusOK, out)
		c := certificateIn(out)
		if c["status"] != "recalled" || c["expiredAt"] != expiredAt || c["revision"] != float64(2) {
			t.Fatalf("%v", c)
		}
		v := verification(t, number)
		if v["status"] != "recalled" || v["expiredAt"] != expiredAt || v["signatureValid"] != true {
			t.Fatalf("%v", v)
		}
		r := send(t, "GET", certPath(number, "/history"), "", nil, map[string]string{"Accept": "application/json"})
		if r.status != http.StatusOK || !bytes.Contains(r.raw, []byte("expired at the end of its term")) || !bytes.Contains(r.raw, []byte("§45(1)")) {
			t.Fatalf("history: %d %s", r.status, r.raw)
		}
	})
	t.Run("§29 §40 the open-data export states the status at the moment of the export", func(t *testing.T) {
		ctx := context.Background()
		// A day no other test runs the check on.
		stack.Clock.Freeze(time.Date(2026, 8, 13, 0, 5, 0, 0, almaty))
		out, err := stack.RunScheduled(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var rep register.OpenDataReport
		for name, raw := range out {
			var r struct {
				Checks map[string]json.RawMessage `json:"checks"`
			}
			if strings.HasPrefix(name, "DeadlineCheckFunction") && json.Unmarshal(raw, &r) == nil && r.Checks["open-data"] != nil {
				if err := json.Unmarshal(r.Checks["open-data"], &rep); err != nil {
					t.Fatal(err)
				}
			}
		}
		if len(rep.Files) != 2 {
			t.Fatalf("no open-data files: %v", out)
		}
		bucket := recordsBucket(t)
		read := func(f register.OpenDataFile) []byte {
			t.Helper()
			in := &s3.GetObjectInput{Bucket: &bucket, Key: &f.Key}
			if f.VersionID != "" {
				in.VersionId = &f.VersionID
			}
			o, err := stack.Clients.S3.GetObject(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			defer o.Body.Close()
			b, _ := io.ReadAll(o.Body)
			return b
		}
		var doc register.Export
		if err := json.Unmarshal(read(rep.Files[0]), &doc); err != nil {
			t.Fatal(err)
		}
		statuses := map[string]register.Status{}
		for _, x := range doc.Entries {
			statuses[x.Entry.Number] = x.Status
		}
		if statuses[number] != register.Recalled || statuses[other] != register.Expired {
			t.Fatalf("export: %s %s, %s %s", number, statuses[number], other, statuses[other])
		}
		rows, err := csv.NewReader(bytes.NewReader(read(rep.Files[1]))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		status, expired := slices.Index(register.CSVHeader, "status"), slices.Index(register.CSVHeader, "expiredAt")
		found := false
		for _, r := range rows[1:] {
			if r[0] == other {
				found = r[status] == "expired" && r[expired] == expiredAt
			}
		}
		if !found {
			t.Fatalf("the CSV does not say %s expired at %s", other, expiredAt)
		}
	})
}

func TestPeriodTheCalendarCannotCountIs422NotA500(t *testing.T) {
	org := newOrganisation(t)
	owner, authority := as(t, org), as(t, localstack.DemoAuthority)
	number := lifeEntry(t, "state_is", org.BIN, time.Date(2026, 12, 1, 10, 0, 0, 0, almaty))
	defer stack.Clock.Freeze(day(10, 15, 10))
	// Wednesday 29 December 2027: 3 and 5 working days end in 2028, past the calendar's last year.
	clockAt(t, time.Date(2027, 12, 29, 10, 0, 0, 0, almaty))
	for _, tc := range []struct {
		name, path string
		c          client
		body       map[string]any
		paragraph  string
	}{
		{"§43 §44 a change notice", "/changes", owner, map[string]any{"description": "new hardware"}, "§44"},
		{"§48 a notice of loss", "/duplicates", owner, map[string]any{"reason": "lost"}, "§48"},
		{"§45 §46 a recall", "/recall", authority, recallBody("owner_application"), "§46"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, out := tc.c.do("POST", certPath(number, tc.path), tc.body)
			mustStatus(t, tc.name, st, http.StatusUnprocessableEntity, out, "(2016-2027)", tc.paragraph, "not-allowed-by-the-rules")
			if strings.Contains(strings.ToLower(out["detail"].(string)), "retry") {
				t.Fatalf("%v", out)
			}
		})
	}
	if c := certificateOf(t, owner, org.BIN, number); c == nil || c["revision"] != float64(1) || c["status"] != "valid" {
		t.Fatalf("a refused request wrote: %v", c)
	}
}
