// Package enforce files packages through a local stack of its own in the enforce mode of the
// policy editions (localstack.Options.EnforceEditions, the template's PolicyEditionMode=enforce;
// the e2e package's shared stack runs in the model mode): which edition a filing falls under is a
// matter of its date (issue 16). With the template's PolicyEditionEnds (both editions end on
// 2020-01-11: Decree No. 1047 of 2019-12-31 repealed the Rules), a filing dated on a day no
// edition covers is refused with a problem naming the date and each edition's span, before
// anything is filed; a filing inside an edition's span falls under it (the latest to start when
// two are in force) and is not marked out of force. The model mode's mark is shown by
// internal/e2e's TestEditionOutOfForceIsMarkedInEveryView.
package enforce

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"attestation/internal/localstack"
)

var stack *localstack.Stack

var almaty = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Almaty")
	if err != nil {
		panic(err)
	}
	return loc
}()

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	root, err := localstack.FindRoot(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	clock := localstack.NewClock()
	clock.Freeze(time.Date(2019, 10, 15, 10, 0, 0, 0, almaty))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	stack, err = localstack.Start(ctx, localstack.Options{Root: root, Clock: clock, EnforceEditions: true, RetryScale: 0.01})
	if err != nil {
		fmt.Fprintln(os.Stderr, "local stack:", err)
		return 1
	}
	defer stack.Close()
	return stack.SuiteResult(m.Run())
}

// client calls the API as one user.
type client struct {
	t    testing.TB
	user localstack.User
}

func (c client) do(method, path string, body any) (int, map[string]any) {
	c.t.Helper()
	status, out, err := stack.Call(c.user, method, path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	return status, out
}

func hexSHA(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func pdf(label string) []byte {
	return []byte("%PDF-1.4\n% " + label + "\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
}

// draft creates, at the moment at, a draft of the complete package of
// internal/attestation/testdata/packages/valid.json as the demo applicant, and uploads its
// documents with the batch routes; it returns the applicant and the draft's ID.
func draft(t *testing.T, at time.Time, name string) (client, string) {
	t.Helper()
	stack.Clock.Freeze(at)
	b, err := os.ReadFile("../../attestation/testdata/packages/valid.json")
	if err != nil {
		t.Fatal(err)
	}
	var pkg map[string]any
	if err := json.Unmarshal(b, &pkg); err != nil {
		t.Fatal(err)
	}
	pkg["object"].(map[string]any)["name"] = name
	docs := slices.Sorted(maps.Keys(pkg["documents"].(map[string]any)))
	delete(pkg, "documents")
	app := client{t: t, user: localstack.DemoApplicant}
	status, d := app.do("POST", "/drafts", pkg)
	if status != http.StatusCreated {
		t.Fatalf("create draft: %d %v", status, d)
	}
	id := d["id"].(string)
	decl := make([]map[string]any, len(docs))
	contents := make([][]byte, len(docs))
	for i, doc := range docs {
		contents[i] = pdf(name + "/" + doc)
		decl[i] = map[string]any{"document": doc, "contentType": "application/pdf", "size": len(contents[i]), "sha256": hexSHA(contents[i])}
	}
	status, out := app.do("POST", "/drafts/"+id+"/uploads/batch", map[string]any{"uploads": decl})
	if status != http.StatusCreated {
		t.Fatalf("declare the documents: %d %v", status, out)
	}
	var ids []string
	for i, u := range out["uploads"].([]any) {
		u := u.(map[string]any)
		put(t, u["put"].(map[string]any), contents[i])
		ids = append(ids, u["upload"].(map[string]any)["id"].(string))
	}
	if status, out := app.do("POST", "/drafts/"+id+"/uploads/confirm", map[string]any{"uploads": ids}); status != http.StatusOK {
		t.Fatalf("confirm the documents: %d %v", status, out)
	}
	return app, id
}

// put sends a presigned request with body.
func put(t *testing.T, pre map[string]any, body []byte) {
	t.Helper()
	req, err := http.NewRequest(pre["method"].(string), pre["url"].(string), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range pre["headers"].(map[string]any) {
		req.Header.Set(k, v.(string))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT %s: %d", req.URL.Path, resp.StatusCode)
	}
}

// filed submits the draft and returns the case as the applicant reads it, its execution started.
func filed(t *testing.T, app client, draftID string) map[string]any {
	t.Helper()
	status, c := app.do("POST", "/drafts/"+draftID+"/submit", nil)
	if status != http.StatusCreated {
		t.Fatalf("submit: %d %v", status, c)
	}
	status, v := app.do("GET", "/cases/"+c["id"].(string), nil)
	if status != http.StatusOK {
		t.Fatalf("the case: %d %v", status, v)
	}
	return v
}

// firstEvent is the "what" of the case's first event.
func firstEvent(t *testing.T, v map[string]any) string {
	t.Helper()
	h, _ := v["history"].([]any)
	if len(h) == 0 {
		t.Fatalf("the case has no history: %v", v)
	}
	return fmt.Sprint(h[0].(map[string]any)["what"])
}

// Decree No. 1047 of 2019-12-31 repealed the Rules (the template ends both editions on
// 2020-01-11): in the enforce mode a filing dated 2026-10-15 falls under no edition and is refused
// with a 422 problem naming its date and each edition's span; the draft's check says so first,
// and nothing is filed.
func TestPar1EnforceRefusesAFilingOnADayNoEditionCovers(t *testing.T) {
	app, id := draft(t, time.Date(2026, 10, 15, 10, 0, 0, 0, almaty), "Filed after the Rules were repealed")
	want := []string{"no policy edition is in force on the filing date", "2026-10-15",
		"law-2015-art51 from 2016-01-01 to 2020-01-10", "rules-2016-amended-2018 from 2018-04-09 to 2020-01-10"}
	mustName := func(what string, problems any) {
		t.Helper()
		ps, _ := problems.([]any)
		if len(ps) != 1 {
			t.Fatalf("%s: problems %v, want the filing date's alone", what, problems)
		}
		msg := fmt.Sprint(ps[0].(map[string]any)["message"])
		for _, w := range want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: %q does not name %q", what, msg, w)
			}
		}
	}
	t.Run("Decree No. 1047: the draft's check names the date and the editions' spans", func(t *testing.T) {
		status, d := app.do("GET", "/drafts/"+id, nil)
		check, _ := d["check"].(map[string]any)
		if status != http.StatusOK || check["complete"] != false {
			t.Fatalf("the draft's check: %d %v", status, check)
		}
		mustName("the draft's check", check["problems"])
	})
	t.Run("Decree No. 1047: the filing is refused with a 422 problem and nothing is filed", func(t *testing.T) {
		status, out := app.do("POST", "/drafts/"+id+"/submit", nil)
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("submit: %d %v, want 422", status, out)
		}
		mustName("submit", out["problems"])
		if status, d := app.do("GET", "/drafts/"+id, nil); status != http.StatusOK || d["state"] != "open" || d["caseId"] != nil {
			t.Fatalf("the refused draft: %d %v %v, want it open", status, d["state"], d["caseId"])
		}
	})
}

// Within the editions' spans a filing falls under the edition in force on its date, named by the
// case and not marked out of force: on 2019-10-15 both are in force and the Rules as amended in
// 2018 (the latest to start) apply; on 2017-10-16, before the amendment, the Law's edition alone
// is in force.
func TestPar1EnforceFilesUnderTheEditionInForceOnTheFilingDate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		at      time.Time
		edition string
	}{
		{"Decree No. 178 of 2018: a filing of 2019 falls under the Rules as amended", time.Date(2019, 10, 15, 10, 0, 0, 0, almaty), "rules-2016-amended-2018"},
		{"Art51: a filing of 2017 falls under the Law's edition", time.Date(2017, 10, 16, 10, 0, 0, 0, almaty), "law-2015-art51"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app, id := draft(t, tc.at, "Filed on "+tc.at.Format(time.DateOnly))
			v := filed(t, app, id)
			if v["edition"] != tc.edition || v["editionOutOfForce"] == true {
				t.Fatalf("the case's edition %v, out of force %v; want %s in force", v["edition"], v["editionOutOfForce"], tc.edition)
			}
			if what := firstEvent(t, v); what != "application submitted" {
				t.Fatalf("the first event %q, want it unmarked", what)
			}
		})
	}
}
