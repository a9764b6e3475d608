package httpapi

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
	"attestation/internal/policy"
	"attestation/internal/register"
	"attestation/internal/signing"
)

// memRegister is an in-memory register for the handler's tests.
type memRegister struct {
	entries map[string]register.Entry
	revs    map[string][]register.Revision
}

func (m *memRegister) Entry(ctx context.Context, number string) (register.Entry, error) {
	e, ok := m.entries[number]
	if !ok {
		return register.Entry{}, apperr.Errorf(apperr.NotFound, "certificate", "register entry %s", number)
	}
	return e, nil
}

func (m *memRegister) Revisions(ctx context.Context, number string) ([]register.Revision, error) {
	r, ok := m.revs[number]
	if !ok {
		return nil, apperr.Errorf(apperr.NotFound, "certificate", "history of %s", number)
	}
	return r, nil
}

func (m *memRegister) SearchEntries(ctx context.Context, f register.Filter, limit int, cursor string) ([]register.Entry, string, error) {
	if cursor != "" {
		return nil, "", attestation.ErrBadCursor
	}
	var numbers []string
	for n := range m.entries {
		numbers = append(numbers, n)
	}
	sort.Strings(numbers)
	var out []register.Entry
	for _, n := range numbers {
		e := m.entries[n]
		if (f.Number == "" || n == f.Number) && strings.Contains(strings.ToLower(e.ObjectName), f.ObjectName) &&
			(f.OwnerBIN == "" || (!e.OwnerIndividual && e.OwnerBIN == f.OwnerBIN)) && (len(f.Statuses) == 0 || slices.Contains(f.Statuses, e.Status)) {
			out = append(out, e)
		}
	}
	return out, "", nil
}

func (m *memRegister) put(t *testing.T, s register.Signer, e register.Entry, what string) register.Entry {
	t.Helper()
	e, err := register.Next(context.Background(), s, m.entries[e.Number], e, e.IssuedAt.Add(time.Duration(len(m.revs[e.Number]))*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	m.entries[e.Number] = e
	m.revs[e.Number] = append(m.revs[e.Number], register.Revision{Number: e.Revision, At: e.UpdatedAt, Actor: "staff", Role: "authority", What: what, Seal: e.Seal})
	return e
}

type memLinks struct{}

func (memLinks) PresignGet(ctx context.Context, key, versionID string, expiry time.Duration) (attestation.Presigned, error) {
	return attestation.Presigned{URL: "https://records.example/" + key + "?versionId=" + versionID, Method: "GET",
		Headers: map[string]string{}, ExpiresAt: requestTime.Add(expiry)}, nil
}

const chromiumAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"

type registerEnv struct {
	*env
	reg    *memRegister
	signer *signing.Local
	pub    []byte
}

func newRegisterEnv(t *testing.T) *registerEnv {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s := signing.NewLocal(k, "arn:aws:kms:us-east-1:123456789012:key/test")
	pub, _ := s.PublicKeyPEM(context.Background())
	ed, err := policy.Load("rules-2016-amended-2018")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv()
	reg := &memRegister{entries: map[string]register.Entry{}, revs: map[string][]register.Revision{}}
	svc := register.NewPublicService(reg, s, "arn:aws:kms:us-east-1:123456789012:key/test", "https://api.example", memLinks{}, e.deps.Log)
	e.rebuild(func(d *Deps) { d.RegisterPublic, d.Numbering = svc, ed })
	issued := time.Date(2026, 10, 1, 6, 0, 0, 0, time.UTC)
	reg.put(t, s, register.Entry{Number: "2026/00001", Year: 2026, Seq: 1, ObjectName: "Ақпараттық жүйе <script>alert(1)</script> «Әлем»", ObjectKind: "state_is",
		OwnerName: "ТОО «Ғылым»", OwnerBIN: bin, Developer: "Developer LLP", IssuedAt: issued, Status: register.Valid,
		Act:         register.Act{Number: "ACT-17", Date: issued.Add(-48 * time.Hour), Document: register.Document{SHA256: strings.Repeat("a", 64)}},
		Certificate: register.Document{Key: "certificates/2026-00001.pdf", VersionID: "v-cert-1", SHA256: strings.Repeat("c", 64)}}, "issued")
	reg.put(t, s, register.Entry{Number: "2026/00002", Year: 2026, Seq: 2, ObjectName: "Личный сайт", ObjectKind: "nonstate_web",
		OwnerName: "Иванов И.", OwnerBIN: "880101300123", OwnerIndividual: true, IssuedAt: issued, Status: register.Valid,
		Certificate: register.Document{Key: "certificates/2026-00002.pdf", VersionID: "v-cert-2", SHA256: strings.Repeat("d", 64)}}, "issued")
	return &registerEnv{env: e, reg: reg, signer: s, pub: pub}
}

func certParams(year, seq string) map[string]string {
	return map[string]string{"year": year, "seq": seq}
}

func verifyReq(year, seq string, headers map[string]string) req {
	return req{routeKey: "GET /certificates/{year}/{seq}", path: "/certificates/" + year + "/" + seq, params: certParams(year, seq), headers: headers}
}

func TestVerifyCertificatePar29(t *testing.T) {
	e := newRegisterEnv(t)
	t.Run("§29 anyone, without a token, verifies a certificate: JSON with the signed entry", func(t *testing.T) {
		resp, _ := e.do(t, verifyReq("2026", "00001", nil))
		if resp.StatusCode != http.StatusOK || resp.Headers["Content-Type"] != "application/json" || resp.Headers["Vary"] != "Accept" {
			t.Fatalf("%d %v %s", resp.StatusCode, resp.Headers, resp.Body)
		}
		var v register.Verification
		if err := json.Unmarshal([]byte(resp.Body), &v); err != nil {
			t.Fatal(err)
		}
		if v.Number != "2026/00001" || v.Status != register.Valid || !v.SignatureValid || v.Owner.BIN != bin ||
			v.PublicKeyURL != "https://api.example/register/public-key" || !v.CheckedAt.Equal(requestTime) {
			t.Fatalf("%+v", v)
		}
		if err := signing.Verify(e.pub, v.Payload, v.Signature); err != nil {
			t.Fatalf("the answer does not verify offline: %v", err)
		}
		recs := e.calls.all()
		if last := recs[len(recs)-1]; last.RouteKey != "GET /certificates/{year}/{seq}" || last.Status != 200 || last.Role != "" || last.User != "" {
			t.Fatalf("the call record: %+v", last)
		}
	})
	t.Run("§29 a sequence without its leading zeros is the same certificate", func(t *testing.T) {
		resp, _ := e.do(t, verifyReq("2026", "1", nil))
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, `"number":"2026/00001"`) {
			t.Fatalf("%d %s", resp.StatusCode, resp.Body)
		}
	})
	t.Run("§29 a browser gets the page: status large, object, owner, hash, the signature's check, in three languages", func(t *testing.T) {
		resp, _ := e.do(t, verifyReq("2026", "00001", map[string]string{"Accept": chromiumAccept}))
		if resp.StatusCode != http.StatusOK || resp.Headers["Content-Type"] != "text/html; charset=utf-8" || !strings.Contains(resp.Headers["Content-Security-Policy"], "default-src 'none'") {
			t.Fatalf("%d %v", resp.StatusCode, resp.Headers)
		}
		for _, want := range []string{`data-status="valid"`, `<span class="code">valid</span>`, "Жарамды · Действителен · Valid",
			"Ақпараттық жүйе &lt;script&gt;alert(1)&lt;/script&gt; «Әлем»", "ТОО «Ғылым»", bin, strings.Repeat("c", 64),
			`data-valid="true"`, "01.10.2026", `name="viewport"`, `href="https://api.example/register/public-key"`,
			`href="/certificates/2026/00001/history"`, "Объект аттестации", "Object of attestation", "Аттестаттау объектісі"} {
			if !strings.Contains(resp.Body, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
		if strings.Contains(resp.Body, "<script>") {
			t.Fatal("the object's name is not escaped")
		}
	})
	t.Run("§29 an individual owner's IIN is neither in the JSON nor on the page", func(t *testing.T) {
		for _, h := range []map[string]string{nil, {"Accept": chromiumAccept}} {
			resp, _ := e.do(t, verifyReq("2026", "00002", h))
			if resp.StatusCode != http.StatusOK || strings.Contains(resp.Body, "880101300123") || !strings.Contains(resp.Body, "Иванов И.") {
				t.Fatalf("%d %s", resp.StatusCode, resp.Body)
			}
		}
	})
	t.Run("§46 a recalled certificate, not yet returned, on the page", func(t *testing.T) {
		x := e.reg.entries["2026/00001"]
		x.Status = register.Recalled
		x.Recall = &register.Recall{Ground: "violation", Number: 2, Paragraph: "§45(2)", DecidedAt: requestTime.Add(-time.Hour)}
		e.reg.put(t, e.signer, x, "recalled")
		resp, _ := e.do(t, verifyReq("2026", "00001", map[string]string{"Accept": chromiumAccept}))
		if !strings.Contains(resp.Body, `data-status="recalled"`) || !strings.Contains(resp.Body, `data-returned="false"`) || !strings.Contains(resp.Body, "§45(2)") {
			t.Fatalf("%s", resp.Body)
		}
		resp, _ = e.do(t, verifyReq("2026", "00001", nil))
		if !strings.Contains(resp.Body, `"status":"recalled","returned":false`) {
			t.Fatalf("%s", resp.Body)
		}
	})
	t.Run("§29 a tampered entry answers signatureValid false, the page says so, the log at error level", func(t *testing.T) {
		x := e.reg.entries["2026/00002"]
		x.ObjectName = "Another site"
		e.reg.entries["2026/00002"] = x
		resp, _ := e.do(t, verifyReq("2026", "00002", nil))
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, `"signatureValid":false`) {
			t.Fatalf("%d %s", resp.StatusCode, resp.Body)
		}
		page, _ := e.do(t, verifyReq("2026", "00002", map[string]string{"Accept": "text/html"}))
		if !strings.Contains(page.Body, `data-valid="false"`) || !strings.Contains(page.Body, "do not rely on this entry") {
			t.Fatalf("%s", page.Body)
		}
		if !strings.Contains(e.logs.String(), `"level":"ERROR","msg":"register entry fails verification`) {
			t.Fatalf("logs: %s", e.logs.String())
		}
	})
	t.Run("an unknown number: 404 problem, or a 404 page for a browser", func(t *testing.T) {
		resp, _ := e.do(t, verifyReq("2026", "09999", nil))
		if resp.StatusCode != http.StatusNotFound || resp.Headers["Content-Type"] != "application/problem+json" || !strings.Contains(resp.Body, "no such certificate") {
			t.Fatalf("%d %s", resp.StatusCode, resp.Body)
		}
		page, _ := e.do(t, verifyReq("2026", "09999", map[string]string{"Accept": chromiumAccept}))
		if page.StatusCode != http.StatusNotFound || page.Headers["Content-Type"] != "text/html; charset=utf-8" || !strings.Contains(page.Body, "No such certificate in the register") {
			t.Fatalf("%d %s", page.StatusCode, page.Body)
		}
	})
	t.Run("a malformed number names its parameter", func(t *testing.T) {
		for _, tc := range []struct{ year, seq, name string }{
			{"20x6", "00001", "year"}, {"226", "00001", "year"}, {"02026", "00001", "year"},
			{"2026", "abc", "seq"}, {"2026", "0", "seq"}, {"2026", "100000", "seq"}, {"2026", "-1", "seq"}, {"2026", "1e3", "seq"},
		} {
			resp, _ := e.do(t, verifyReq(tc.year, tc.seq, nil))
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(resp.Body, `"detail":"`+tc.name+`: `) {
				t.Fatalf("%s/%s: %d %s", tc.year, tc.seq, resp.StatusCode, resp.Body)
			}
			page, _ := e.do(t, verifyReq(tc.year, tc.seq, map[string]string{"Accept": chromiumAccept}))
			if page.StatusCode != http.StatusBadRequest || !strings.Contains(page.Body, "Not a certificate number") {
				t.Fatalf("%s/%s page: %d %s", tc.year, tc.seq, page.StatusCode, page.Body)
			}
		}
	})
}

func TestCertificateHistoryPar29(t *testing.T) {
	e := newRegisterEnv(t)
	x := e.reg.entries["2026/00001"]
	x.Status = register.Terminated
	e.reg.put(t, e.signer, x, "terminated")
	resp, _ := e.do(t, req{routeKey: "GET /certificates/{year}/{seq}/history", path: "/certificates/2026/00001/history", params: certParams("2026", "00001")})
	var h CertificateHistory
	if err := json.Unmarshal([]byte(resp.Body), &h); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %s %v", resp.StatusCode, resp.Body, err)
	}
	if len(h.Revisions) != 2 || h.Revisions[0].Revision != 1 || h.Revisions[1].Entry.Status != register.Terminated ||
		!h.Revisions[1].ChainValid || !h.Revisions[1].SignatureValid || h.Revisions[1].Entry.PreviousSHA256 != h.Revisions[0].PayloadSHA256 {
		t.Fatalf("%+v", h)
	}
	if strings.Contains(resp.Body, `"staff"`) {
		t.Fatalf("the person who acted is published: %s", resp.Body)
	}
	missing, _ := e.do(t, req{routeKey: "GET /certificates/{year}/{seq}/history", path: "/certificates/2026/00404/history", params: certParams("2026", "00404")})
	if missing.StatusCode != http.StatusNotFound {
		t.Fatalf("%d %s", missing.StatusCode, missing.Body)
	}
}

func TestSearchRegisterPar29(t *testing.T) {
	e := newRegisterEnv(t)
	search := func(q map[string]string) (int, register.SearchPage, string) {
		resp, _ := e.do(t, req{routeKey: "GET /register", path: "/register", query: q})
		var p register.SearchPage
		if resp.StatusCode == http.StatusOK {
			if err := json.Unmarshal([]byte(resp.Body), &p); err != nil {
				t.Fatal(err)
			}
		}
		return resp.StatusCode, p, resp.Body
	}
	for _, tc := range []struct {
		name string
		q    map[string]string
		want []string
	}{
		{"§29 everything", nil, []string{"2026/00001", "2026/00002"}},
		{"§29 by number", map[string]string{"number": "2026/00002"}, []string{"2026/00002"}},
		{"§29 by a part of the object's name", map[string]string{"objectName": "ӘЛЕМ"}, []string{"2026/00001"}},
		{"§29 by the owner's BIN", map[string]string{"ownerBin": bin}, []string{"2026/00001"}},
		{"§29 an individual's IIN finds nothing", map[string]string{"ownerBin": "880101300123"}, nil},
		{"§29 by status", map[string]string{"status": "recalled"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, p, body := search(tc.q)
			var got []string
			for _, l := range p.Entries {
				got = append(got, l.Number)
			}
			if status != http.StatusOK || !slices.Equal(got, tc.want) || strings.Contains(body, "880101300123") {
				t.Fatalf("%d %v, want %v: %s", status, got, tc.want, body)
			}
		})
	}
	for _, tc := range []struct {
		q    map[string]string
		name string
	}{
		{map[string]string{"status": "revoked"}, "status"},
		{map[string]string{"number": "2026-1"}, "number"},
		{map[string]string{"ownerBin": "12345"}, "ownerBin"},
		{map[string]string{"limit": "0"}, "limit"},
		{map[string]string{"limit": "500"}, "limit"},
		{map[string]string{"objectName": ""}, "objectName"},
		{map[string]string{"colour": "red"}, "colour"},
	} {
		t.Run("bad "+tc.name, func(t *testing.T) {
			status, _, body := search(tc.q)
			if status != http.StatusBadRequest || !strings.Contains(body, tc.name+": ") {
				t.Fatalf("%d %s", status, body)
			}
		})
	}
	t.Run("a forged cursor is 400", func(t *testing.T) {
		if status, _, body := search(map[string]string{"cursor": "Zm9yZ2Vk"}); status != http.StatusBadRequest || !strings.Contains(body, "cursor") {
			t.Fatalf("%d %s", status, body)
		}
	})
}

func TestRegisterPublicKeyPar29(t *testing.T) {
	e := newRegisterEnv(t)
	r := req{routeKey: "GET /register/public-key", path: "/register/public-key"}
	for _, accept := range []string{"", "*/*", "application/x-pem-file", chromiumAccept} {
		r.headers = map[string]string{"Accept": accept}
		resp, _ := e.do(t, r)
		if resp.StatusCode != http.StatusOK || resp.Headers["Content-Type"] != "application/x-pem-file" || resp.Body != string(e.pub) {
			t.Fatalf("Accept %q: %d %v %s", accept, resp.StatusCode, resp.Headers, resp.Body)
		}
		if _, err := signing.ParsePublicKeyPEM([]byte(resp.Body)); err != nil {
			t.Fatal(err)
		}
	}
	r.headers = map[string]string{"Accept": "application/json"}
	resp, _ := e.do(t, r)
	var k register.PublicKey
	if err := json.Unmarshal([]byte(resp.Body), &k); err != nil || k.PEM != string(e.pub) || k.Algorithm != "ECDSA_SHA_256" || k.KeyID != e.reg.entries["2026/00001"].Seal.Signature.KeyID {
		t.Fatalf("%s %v", resp.Body, err)
	}
}

func TestCertificateDocument(t *testing.T) {
	e := newRegisterEnv(t)
	doc := func(claims map[string]string, seq string) (int, string) {
		resp, _ := e.do(t, req{routeKey: "GET /certificates/{year}/{seq}/document", path: "/certificates/2026/" + seq + "/document", params: certParams("2026", seq), claims: claims})
		return resp.StatusCode, resp.Body
	}
	for _, c := range []map[string]string{applicantClaims, authorityClaims, stsClaims} {
		status, body := doc(c, "00001")
		var l CertificateDocumentLink
		if err := json.Unmarshal([]byte(body), &l); err != nil || status != http.StatusOK || l.Document.VersionID != "v-cert-1" || !strings.Contains(l.Get.URL, "versionId=v-cert-1") {
			t.Fatalf("%d %s", status, body)
		}
	}
	other := map[string]string{"sub": "u-other", "cognito:groups": "[applicant]", "custom:bin": "990340001230"}
	fs, foreign := doc(other, "00001")
	ms, missing := doc(other, "09999")
	if fs != http.StatusNotFound || ms != http.StatusNotFound || foreign != missing {
		t.Fatalf("another organisation's: %d %s; missing: %d %s", fs, foreign, ms, missing)
	}
	if status, _ := doc(nil, "00001"); status != http.StatusUnauthorized {
		t.Fatalf("no token: %d", status)
	}
	if status, _ := doc(map[string]string{"sub": "q", "cognito:groups": "[quality_authority]"}, "00001"); status != http.StatusForbidden {
		t.Fatalf("quality authority: %d", status)
	}
}

func TestAcceptNegotiation(t *testing.T) {
	for _, tc := range []struct {
		accept string
		html   bool
	}{
		{"", false}, {"*/*", false}, {"application/json", false}, {"text/html", true}, {chromiumAccept, true},
		{"text/html;q=0.5, application/json", false}, {"text/*, application/json;q=0.9", true},
		{"text/html;q=0, */*", false}, {"application/json;q=0.1, text/html;q=0.2", true}, {"garbage", false},
		// Safari and Firefox
		{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", true},
	} {
		r := &request{}
		r.Headers = map[string]string{"accept": tc.accept}
		if got := wantsHTML(r); got != tc.html {
			t.Errorf("Accept %q: html %t, want %t", tc.accept, got, tc.html)
		}
	}
}

func TestRegisterSchemasMatchTheGoTypes(t *testing.T) {
	doc, err := apiSpec()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		schema string
		typ    any
	}{
		{"Verification", register.Verification{}},
		{"VerificationObject", register.Object{}},
		{"VerificationOwner", register.Owner{}},
		{"RegisterPublicEntry", register.Public{}},
		{"RegisterPublicAct", register.PublicAct{}},
		{"RegisterPublicRecall", register.PublicRecall{}},
		{"RegisterPublicCopy", register.PublicCopy{}},
		{"RegisterSignature", signing.Signature{}},
		{"RegisterRevision", register.PublicRevision{}},
		{"CertificateHistory", CertificateHistory{}},
		{"RegisterListing", register.Listing{}},
		{"RegisterSearchPage", register.SearchPage{}},
		{"RegisterPublicKey", register.PublicKey{}},
		{"RegisterDocument", register.Document{}},
		{"CertificateDocumentLink", CertificateDocumentLink{}},
	} {
		t.Run(tc.schema, func(t *testing.T) {
			ref := doc.Components.Schemas[tc.schema]
			if ref == nil {
				t.Fatalf("no schema %s", tc.schema)
			}
			all, always := jsonFields(reflect.TypeOf(tc.typ))
			var props []string
			for name := range ref.Value.Properties {
				props = append(props, name)
			}
			sort.Strings(props)
			if !slices.Equal(props, all) {
				t.Errorf("properties %v, the Go type has %v", props, all)
			}
			req := slices.Clone(ref.Value.Required)
			sort.Strings(req)
			if !slices.Equal(req, always) {
				t.Errorf("required %v, the Go type always encodes %v", req, always)
			}
		})
	}
	if got, want := enum(t, "RegisterStatus"), []string{"expired", "recalled", "terminated", "valid"}; !slices.Equal(got, want) {
		t.Errorf("RegisterStatus %v", got)
	}
}
