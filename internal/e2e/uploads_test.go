package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"attestation/internal/localstack"
)

// pdf is a small file that is a PDF by its first bytes, different for every label.
func pdf(label string) []byte {
	return []byte("%PDF-1.4\n% " + label + "\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// put sends a presigned request (as the API answered it) with body.
func put(t testing.TB, pre map[string]any, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(pre["method"].(string), pre["url"].(string), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range pre["headers"].(map[string]any) {
		req.Header.Set(k, v.(string))
	}
	httpCalls.Add(1)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Logf("%s %s: %d %s", req.Method, req.URL.Path, resp.StatusCode, raw)
	}
	return resp.StatusCode
}

// upload declares content at route (a draft's or a case's uploads), PUTs it to S3 and confirms
// it; it returns the confirmed upload.
func (c client) upload(route, document string, content []byte) map[string]any {
	c.t.Helper()
	u, err := c.tryUpload(route, document, content)
	if err != nil {
		c.t.Fatal(err)
	}
	return u
}

// tryUpload is upload for any goroutine: it reports what failed instead of ending the test.
func (c client) tryUpload(route, document string, content []byte) (map[string]any, error) {
	status, out, err := c.send("POST", route, map[string]any{"document": document, "contentType": "application/pdf", "size": len(content), "sha256": sha(content)})
	if err != nil || status != http.StatusCreated {
		return nil, fmt.Errorf("declare %s at %s: %d %v %v", document, route, status, out, err)
	}
	if s, err := putErr(out["put"].(map[string]any), content); err != nil || s != http.StatusOK {
		return nil, fmt.Errorf("PUT %s: %d %v", document, s, err)
	}
	id := out["upload"].(map[string]any)["id"].(string)
	status, conf, err := c.send("POST", "/uploads/"+id+"/confirm", nil)
	if err != nil || status != http.StatusOK {
		return nil, fmt.Errorf("confirm %s: %d %v %v", document, status, conf, err)
	}
	return conf["upload"].(map[string]any), nil
}

// doWith is client.do with request headers.
func (c client) doWith(method, path string, body any, headers map[string]string) (int, map[string]any) {
	c.t.Helper()
	status, out, err := c.sendWith(method, path, body, headers)
	if err != nil {
		c.t.Fatal(err)
	}
	return status, out
}

// send is client.do for any goroutine.
func (c client) send(method, path string, body any) (int, map[string]any, error) {
	return c.sendWith(method, path, body, nil)
}

func (c client) sendWith(method, path string, body any, headers map[string]string) (int, map[string]any, error) {
	req, err := stack.Request(*c.user, method, path, body)
	if err != nil {
		return 0, nil, err
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	httpCalls.Add(1)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	checkResponse(c.t, req, resp, raw) // reports with Errorf: safe here
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			return resp.StatusCode, nil, fmt.Errorf("%s %s: body not JSON: %s", method, path, raw)
		}
	}
	return resp.StatusCode, out, nil
}

// withoutHeader is a presigned request without one of its signed headers (moto does not check
// signatures: it takes such a PUT, as S3 would not).
func withoutHeader(pre map[string]any, name string) map[string]any {
	out := maps.Clone(pre)
	h := maps.Clone(pre["headers"].(map[string]any))
	for k := range h {
		if strings.EqualFold(k, name) {
			delete(h, k)
		}
	}
	out["headers"] = h
	return out
}

func putErr(pre map[string]any, body []byte) (int, error) {
	req, err := http.NewRequest(pre["method"].(string), pre["url"].(string), bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	for k, v := range pre["headers"].(map[string]any) {
		req.Header.Set(k, v.(string))
	}
	httpCalls.Add(1)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// draft creates a draft of app (a package as valid.json has it) and uploads each of its
// documents; it returns the draft's ID.
func (c client) draft(app map[string]any) string {
	c.t.Helper()
	body := maps.Clone(app)
	docs, _ := body["documents"].(map[string]any)
	delete(body, "documents")
	status, d := c.do("POST", "/drafts", body)
	if status != http.StatusCreated {
		c.t.Fatalf("create draft: %d %v", status, d)
	}
	id := d["id"].(string)
	name := id
	if o, ok := app["object"].(map[string]any); ok {
		name = fmt.Sprint(o["name"])
	}
	c.uploadAll(id, name, slices.Sorted(maps.Keys(docs)))
	return id
}

// uploadAll uploads a PDF for each document of the draft as a client of the batch routes does:
// one call declares them all, the bytes go straight to S3 side by side, one call confirms them all.
func (c client) uploadAll(draftID, name string, documents []string) {
	c.t.Helper()
	c.uploadAllSigned(draftID, name, documents, "")
}

// uploadAllSigned is uploadAll with each document signed by signer's certificate of the stack's
// test CA (issue 17; "" signs nothing), as the person signs on their own machine (`openssl cms
// -sign`, NCALayer): the signature goes with the declaration, and confirm verifies it. It answers
// the confirmed uploads.
func (c client) uploadAllSigned(draftID, name string, documents []string, signer string) []map[string]any {
	c.t.Helper()
	if len(documents) == 0 {
		return nil
	}
	contents := make([][]byte, len(documents))
	decl := make([]map[string]any, len(documents))
	for i, doc := range documents {
		contents[i] = pdf(name + "/" + draftID + "/" + doc)
		decl[i] = map[string]any{"document": doc, "contentType": "application/pdf", "size": len(contents[i]), "sha256": sha(contents[i])}
		if signer != "" {
			sig, err := stack.Sign(signer, contents[i], false)
			if err != nil {
				c.t.Fatal(err)
			}
			decl[i]["signature"] = base64.StdEncoding.EncodeToString(sig)
		}
	}
	status, out := c.do("POST", "/drafts/"+draftID+"/uploads/batch", map[string]any{"uploads": decl})
	if status != http.StatusCreated {
		c.t.Fatalf("declare %d documents: %d %v", len(documents), status, out)
	}
	declared := out["uploads"].([]any)
	ids := make([]string, len(declared))
	var wg sync.WaitGroup
	errs := make(chan error, len(declared))
	sem := make(chan struct{}, 8)
	for i, d := range declared {
		d := d.(map[string]any)
		ids[i] = d["upload"].(map[string]any)["id"].(string)
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if s, err := putErr(d["put"].(map[string]any), contents[i]); err != nil || s != http.StatusOK {
				errs <- fmt.Errorf("PUT %s: %d %v", documents[i], s, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		c.t.Fatal(err)
	}
	status, out = c.do("POST", "/drafts/"+draftID+"/uploads/confirm", map[string]any{"uploads": ids})
	if status != http.StatusOK {
		c.t.Fatalf("confirm %d documents: %d %v", len(ids), status, out)
	}
	var confirmed []map[string]any
	for i, r := range out["results"].([]any) {
		u, _ := r.(map[string]any)["upload"].(map[string]any)
		if u == nil || u["state"] != "confirmed" {
			c.t.Fatalf("confirm %s: %v", documents[i], r)
		}
		confirmed = append(confirmed, u)
	}
	return confirmed
}

// file files app through a draft, as an applicant does: create the draft, upload and confirm
// every document, submit. It returns the submit's answer.
func (c client) file(app map[string]any) (int, map[string]any) {
	c.t.Helper()
	return c.do("POST", "/drafts/"+c.draft(app)+"/submit", nil)
}

// docKinds are documents a step is taken with; act uploads them to the case as its actor.
type docKinds []string

// attach uploads a document of each kind to the case as c, and returns the documents to attach.
func (p *path) attach(c client, kinds docKinds) []map[string]any {
	p.t.Helper()
	var out []map[string]any
	for _, k := range kinds {
		u := c.upload("/cases/"+p.id+"/uploads", k, pdf(p.id+"/"+k+"/"+strings.Repeat("x", len(out))))
		out = append(out, map[string]any{"kind": k, "key": u["key"]})
	}
	return out
}

// TestAnUploadIsCheckedBeforeItIsAttached: S3 (the local stack's too) refuses bytes whose SHA-256
// is not the checksum signed into the presigned URL; bytes that reach the key anyway (a PUT that
// drops the signed checksum header: moto does not check signatures, AWS would refuse it for its
// signature) are refused by the confirm, which attaches nothing; and the right bytes sent again to
// the same URL are confirmed. A document of a case downloads through a presigned GET, and another
// organisation reaches neither the upload nor the draft.
func TestAnUploadIsCheckedBeforeItIsAttached(t *testing.T) {
	stack.Clock.Freeze(day(10, 15, 10))
	app := as(t, localstack.DemoApplicant)
	status, d := app.do("POST", "/drafts", draftBody(t, "Checked uploads"))
	if status != http.StatusCreated {
		t.Fatalf("draft: %d %v", status, d)
	}
	draft := d["id"].(string)
	good := pdf("the application")
	status, out := app.do("POST", "/drafts/"+draft+"/uploads", map[string]any{"document": "application", "contentType": "application/pdf", "size": len(good), "sha256": sha(good)})
	if status != http.StatusCreated {
		t.Fatalf("declare: %d %v", status, out)
	}
	id := out["upload"].(map[string]any)["id"].(string)
	pre := out["put"].(map[string]any)
	for name, bad := range map[string][]byte{
		"other bytes of the same size": append([]byte("%PDF-1.4\n% another text"), good[24:]...),
		"a longer file":                append(append([]byte{}, good...), "more"...),
	} {
		if s := put(t, pre, bad); s != http.StatusBadRequest {
			t.Fatalf("%s: S3 answered the PUT %d, want 400 (BadDigest: the checksum signed into the URL)", name, s)
		}
		if status, refused := app.do("POST", "/uploads/"+id+"/confirm", nil); status != http.StatusUnprocessableEntity {
			t.Fatalf("%s: confirm after the refused PUT %d %v, want 422", name, status, refused)
		}
		if s := put(t, withoutHeader(pre, "X-Amz-Checksum-Sha256"), bad); s != http.StatusOK {
			t.Fatalf("%s: PUT without the checksum header: %d", name, s)
		}
		status, refused := app.do("POST", "/uploads/"+id+"/confirm", nil)
		if status != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(refused["problems"]), "sha256") && !strings.Contains(fmt.Sprint(refused["problems"]), "size") {
			t.Fatalf("%s: confirm %d %v, want 422 naming sha256 or size", name, status, refused)
		}
		if _, v := app.do("GET", "/drafts/"+draft, nil); v["package"].(map[string]any)["documents"].(map[string]any)["application"] != nil {
			t.Fatalf("%s: the refused file was attached: %v", name, v["package"])
		}
	}
	stranger := localstack.DemoApplicant
	stranger.Subject, stranger.BIN = "stranger", "990340001230"
	for _, r := range []struct{ method, path string }{{"POST", "/uploads/" + id + "/confirm"}, {"GET", "/drafts/" + draft}, {"POST", "/drafts/" + draft + "/submit"}} {
		if status, _ := as(t, stranger).do(r.method, r.path, nil); status != http.StatusNotFound {
			t.Fatalf("another organisation %s %s: %d, want 404", r.method, r.path, status)
		}
	}
	if s := put(t, pre, good); s != http.StatusOK {
		t.Fatalf("PUT the right bytes: %d", s)
	}
	status, conf := app.do("POST", "/uploads/"+id+"/confirm", nil)
	if status != http.StatusOK || conf["upload"].(map[string]any)["state"] != "confirmed" {
		t.Fatalf("confirm: %d %v", status, conf)
	}
	_, v := app.do("GET", "/drafts/"+draft, nil)
	if ref, _ := v["package"].(map[string]any)["documents"].(map[string]any)["application"].(map[string]any); ref["sha256"] != sha(good) {
		t.Fatalf("attached: %v", v["package"])
	}

	// Staff download a document of a case through a presigned GET of its version.
	p := file(t, day(10, 15, 10), application(t, "Downloaded", false))
	key := firstDocument(t, p.view(p.authority))
	status, link := p.authority.do("GET", "/cases/"+p.id+"/documents?key="+key, nil)
	if status != http.StatusOK {
		t.Fatalf("link: %d %v", status, link)
	}
	resp, err := http.Get(link["get"].(map[string]any)["url"].(string))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || sha(body) != link["document"].(map[string]any)["sha256"] {
		t.Fatalf("download: %d, sha256 %s, want %v", resp.StatusCode, sha(body), link["document"])
	}
	if status, _ := p.authority.do("GET", "/cases/"+p.id+"/documents?key=documents/U-00000000000000000000000000000000", nil); status != http.StatusNotFound {
		t.Fatalf("a key that is not the case's: %d, want 404", status)
	}
}
