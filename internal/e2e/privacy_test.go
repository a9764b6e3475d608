package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"attestation/internal/attestation"
	"attestation/internal/identity"
	"attestation/internal/localstack"
	"attestation/internal/register"
)

// Personal data never reaches the public register (§29(2)): an individual files under its IIN,
// and no public route of the document, no page and no open-data file shows it or is searchable by
// it. A legal entity cannot file under an individual's IIN.

// newIndividual is an applicant who is an individual: a random IIN (a date of birth, the century
// digit, a serial number and the check digit) no other run uses.
func newIndividual(t testing.TB) localstack.User {
	t.Helper()
	for {
		n, err := rand.Int(rand.Reader, big.NewInt(1e11))
		if err != nil {
			t.Fatal(err)
		}
		eleven := fmt.Sprintf("%011d", n.Int64())
		for c := byte('0'); c <= '9'; c++ {
			if k, ok := attestation.NumberKindOf(eleven + string(c)); ok && k == attestation.NumberIIN {
				iin := eleven + string(c)
				return localstack.User{Subject: "individual-" + iin, Name: "Сейтқали Айгерім", Role: identity.Applicant, BIN: iin}
			}
		}
	}
}

// individualApplication is the complete package filed by an individual under its IIN, with the
// copy of its identity document (§13(1)).
func individualApplication(t testing.TB, u localstack.User, name string, typ attestation.ApplicantType) map[string]any {
	t.Helper()
	app := application(t, name, false)
	app["applicant"] = map[string]any{"name": u.Name, "identityNumber": u.BIN, "type": string(typ)}
	docs := app["documents"].(map[string]any)
	docs["identity_document"] = docs["application"]
	return app
}

// TestALegalEntityCannotFileUnderAnIndividualsIINAnnex2: the package of a "legal entity" whose
// number is an IIN is a 422 problem naming applicant.identityNumber, and no case is made.
func TestALegalEntityCannotFileUnderAnIndividualsIINAnnex2(t *testing.T) {
	stack.Clock.Freeze(day(10, 15, 10))
	u := newIndividual(t)
	c := as(t, u)
	app := individualApplication(t, u, "Legal entity under an IIN", attestation.ApplicantLegalEntity)
	delete(app["documents"].(map[string]any), "identity_document")
	status, out := c.file(app)
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("Annex 2: a legal entity filing under an IIN: %d %v", status, out)
	}
	b, _ := json.Marshal(out)
	if !strings.Contains(string(b), `"applicant.identityNumber"`) || !strings.Contains(string(b), "marks an individual's IIN") {
		t.Fatalf("the problem does not name the field and the rule: %s", b)
	}
	if status, list := c.do("GET", "/cases", nil); status != http.StatusOK || len(list["cases"].([]any)) != 0 {
		t.Fatalf("a case was made: %d %v", status, list)
	}
}

// TestNoPublicRouteOrOpenDataFileShowsAnIndividualsNumberPar29: an individual's certificate,
// issued through the whole procedure, and an entry that carries an IIN while saying its owner is a
// legal entity (as one filed before the number's structure was checked would): every public route
// of openapi.yaml (the routes without security), the verification page, and the day's open-data
// JSON and CSV show neither number, and the search by either finds nothing, while the entries
// themselves are published and found.
func TestNoPublicRouteOrOpenDataFileShowsAnIndividualsNumberPar29(t *testing.T) {
	ctx := context.Background()
	person := newIndividual(t)
	app := individualApplication(t, person, "Жеке тұлғаның жүйесі — personal system", attestation.ApplicantIndividual)
	stack.Clock.Freeze(day(10, 15, 10))
	p := &path{t: t, applicant: as(t, person), authority: as(t, localstack.DemoAuthority), sts: as(t, localstack.DemoSTS)}
	status, body := p.applicant.file(app)
	if status != http.StatusCreated {
		t.Fatalf("an individual files under its IIN: %d %v", status, body)
	}
	p.id = body["id"].(string)
	p.act(p.authority, day(10, 16, 10), "completeness_check", "forward", nil)
	p.act(p.sts, day(10, 16, 11), "send_contract", "contract_sent", p.docs("contract"))
	p.act(p.applicant, day(10, 19, 10), "sign_contract", "signed", p.docs("signed_contract"))
	p.act(p.sts, day(11, 16, 10), "survey", "act", p.docs("survey_act"))
	p.act(p.authority, day(11, 17, 10), "decision", "issue", nil)
	p.act(p.authority, day(11, 18, 10), "send_documents", "sent", nil)
	individual, _ := p.end("issued")["certificate"].(string)
	if individual == "" {
		t.Fatal("§28: no certificate")
	}
	misdeclared := newIndividual(t)
	legacy := enterCertificate(t, "Misdeclared owner's system", misdeclared.BIN)
	hidden := map[string]string{person.BIN: "the individual owner's IIN", misdeclared.BIN: "an IIN on an entry of a 'legal entity'"}
	leaks := func(where string, b []byte) {
		t.Helper()
		b = withPayloads(t, b)
		for number, what := range hidden {
			if bytes.Contains(b, []byte(number)) {
				t.Errorf("§29(2) %s shows %s", where, what)
			}
		}
	}

	stack.Clock.Freeze(day(11, 19, 10))
	requests := map[string][]string{
		"GET /health": {"/health"},
		"GET /certificates/{year}/{seq}": {certificatePath(individual), certificatePath(legacy),
			certificatePath(individual) + " text/html", certificatePath(legacy) + " text/html"},
		"GET /certificates/{year}/{seq}/history": {certificatePath(individual) + "/history", certificatePath(legacy) + "/history"},
		"GET /register": {"/register", "/register?number=" + url.QueryEscape(individual), "/register?number=" + url.QueryEscape(legacy),
			"/register?objectName=" + url.QueryEscape("personal system"), "/register?objectName=misdeclared",
			"/register?ownerBin=" + person.BIN, "/register?ownerBin=" + misdeclared.BIN,
			"/register?number=" + url.QueryEscape(individual) + "&ownerBin=" + person.BIN},
		"GET /register/public-key": {"/register/public-key", "/register/public-key application/json"},
		// Standard §13: the individual's case by its receipt number, without signing in.
		"GET /status/{caseId}": {"/status/" + p.id},
	}
	public := 0
	for _, op := range apiOperations(t) {
		if len(op.roles) > 0 {
			continue
		}
		public++
		paths, ok := requests[op.key()]
		if !ok {
			t.Fatalf("public route %s: this test has no request for it; add one", op.key())
		}
		for _, req := range paths {
			target, accept, _ := strings.Cut(req, " ")
			headers := map[string]string{}
			if accept != "" {
				headers["Accept"] = accept
			}
			resp, raw := getRaw(t, target, headers)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s %s: %d %s", op.key(), req, resp.StatusCode, raw)
			}
			leaks(req, raw)
			if strings.HasPrefix(target, "/register?") {
				var page register.SearchPage
				if err := json.Unmarshal(raw, &page); err != nil {
					t.Fatal(err)
				}
				found := len(page.Entries) > 0
				if strings.Contains(target, "ownerBin=") == found {
					t.Errorf("§29 %s: %d entries; the search finds the entries, never by an IIN", req, len(page.Entries))
				}
			}
		}
	}
	if public < 5 {
		t.Fatalf("%d public routes", public)
	}

	// The day's open-data export, on a day no other test runs the check on.
	stack.Clock.Freeze(time.Date(2026, 9, 8, 0, 5, 0, 0, almaty))
	defer stack.Clock.Freeze(day(10, 15, 10))
	out, err := stack.RunScheduled(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var files []register.OpenDataFile
	for name, raw := range out {
		var rep struct {
			Checks map[string]register.OpenDataReport `json:"checks"`
		}
		if strings.HasPrefix(name, "DeadlineCheckFunction") && json.Unmarshal(raw, &rep) == nil {
			files = rep.Checks["open-data"].Files
		}
	}
	if len(files) != 2 {
		t.Fatalf("the open-data export: %v", out)
	}
	bucket := recordsBucket(t)
	for _, f := range files {
		o, err := stack.Clients.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &f.Key, VersionId: &f.VersionID})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(o.Body)
		o.Body.Close()
		if !bytes.Contains(b, []byte(individual)) || !bytes.Contains(b, []byte(legacy)) {
			t.Fatalf("%s does not list the two entries", f.Key)
		}
		leaks(f.Key, b)
	}
}

// withPayloads is a JSON answer with the signed payloads it carries in base64 decoded and appended,
// so that a search of its bytes also searches what was signed; other answers are returned as they
// are.
func withPayloads(t testing.TB, raw []byte) []byte {
	t.Helper()
	var doc any
	if json.Unmarshal(raw, &doc) != nil {
		return raw
	}
	out := append([]byte(nil), raw...)
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, y := range x {
				if s, ok := y.(string); ok && k == "payload" {
					b, err := base64.StdEncoding.DecodeString(s)
					if err != nil {
						t.Fatalf("a payload that is not base64: %v", err)
					}
					out = append(append(out, '\n'), b...)
				}
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(doc)
	return out
}
