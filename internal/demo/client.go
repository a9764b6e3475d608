package demo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// client calls the local stack's API as the demo's people. It keeps one token per role and
// forgets them all whenever it moves the clock: a token is judged on the emulated clock, so one
// fetched before a move may have expired after it (the local token route's tokens live 24 hours
// of emulated time).
type client struct {
	api    string
	http   *http.Client
	tokens map[string]string
	names  map[string]string // the person behind each role, from the token's name claim
	now    time.Time         // the clock's moment, as the stack last answered it
}

func newClient(api string, hc *http.Client) *client {
	return &client{api: strings.TrimRight(api, "/"), http: hc, tokens: map[string]string{}, names: map[string]string{}}
}

// setClock freezes the stack's clock at moment (POST /_local/clock) and drops every token.
func (c *client) setClock(ctx context.Context, moment time.Time) error {
	var out struct {
		Now string `json:"now"`
	}
	if err := c.call(ctx, "", http.MethodPost, "/_local/clock", map[string]string{"now": moment.Format(time.RFC3339)}, http.StatusOK, &out); err != nil {
		return fmt.Errorf("set the clock to %s: %w", moment.Format(time.RFC3339), err)
	}
	now, err := time.Parse(time.RFC3339, out.Now)
	if err != nil {
		return fmt.Errorf("the clock answered %q: %w", out.Now, err)
	}
	c.now = now
	clear(c.tokens)
	return nil
}

// token is a token for role fetched from the local token route since the last clock move.
func (c *client) token(ctx context.Context, role string) (string, error) {
	if t, ok := c.tokens[role]; ok {
		return t, nil
	}
	var out struct {
		Token string `json:"token"`
	}
	if err := c.call(ctx, "", http.MethodGet, "/_local/token?role="+url.QueryEscape(role), nil, http.StatusOK, &out); err != nil {
		return "", fmt.Errorf("a token for %s from the local token route: %w", role, err)
	}
	c.tokens[role] = out.Token
	c.names[role] = nameClaim(out.Token)
	return out.Token, nil
}

// who is the role and the person acting in it, e.g. "authority (Daniyar Authority)".
func (c *client) who(role string) string {
	if n := c.names[role]; n != "" {
		return role + " (" + n + ")"
	}
	return role
}

// nameClaim reads the name claim of a JWT without checking it: the stack checks tokens, the demo
// only names who acts.
func nameClaim(token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var claims struct {
		Name string `json:"name"`
	}
	if json.Unmarshal(raw, &claims) != nil {
		return ""
	}
	return claims.Name
}

// anySuccess, as call's want, takes any 2xx status (a PUT answers 201 the first time, 200 after).
const anySuccess = 0

// call sends body (JSON, unless nil) as role ("" for no token) and decodes the answer into out
// (unless nil); any status but want is an error quoting the answer.
func (c *client) call(ctx context.Context, role, method, path string, body any, want int, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.api+path, rd)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if role != "" {
		tok, err := c.token(ctx, role)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w (is `make run` running?)", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return fmt.Errorf("%s %s: read the answer: %w", method, path, err)
	}
	if resp.StatusCode != want && (want != anySuccess || resp.StatusCode/100 != 2) {
		return fmt.Errorf("%s %s as %s: %d, want %d: %s", method, path, orNobody(role), resp.StatusCode, want, bytes.TrimSpace(raw))
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("%s %s: the answer is not the JSON expected: %w", method, path, err)
		}
	}
	return nil
}

func orNobody(role string) string {
	if role == "" {
		return "nobody"
	}
	return role
}

// presigned is a request the API signed for S3: its URL and the headers to send exactly.
type presigned struct {
	URL     string            `json:"url"`
	Method  string            `json:"method"`
	Headers map[string]string `json:"headers"`
}

// upload declares document at route (a draft's or a case's uploads) as role, PUTs a small PDF
// to the presigned URL with the signed headers and confirms it; it answers the confirmed key.
func (c *client) upload(ctx context.Context, role, route, document string) (string, error) {
	pdf := []byte(fmt.Sprintf("%%PDF-1.4\n%% %s %s %d\n%%%%EOF\n", document, route, time.Now().UnixNano()))
	sum := sha256.Sum256(pdf)
	var declared struct {
		Upload struct {
			ID string `json:"id"`
		} `json:"upload"`
		Put presigned `json:"put"`
	}
	in := map[string]any{"document": document, "contentType": "application/pdf", "size": len(pdf), "sha256": hex.EncodeToString(sum[:])}
	// Issue 17: the role's employee signs the document with the local test CA's certificate
	// (POST /_local/sign, as `openssl cms -sign` would with its key), and the signature goes with
	// the declaration; confirm verifies it.
	var signed struct {
		Signature string `json:"signature"`
	}
	if err := c.call(ctx, "", http.MethodPost, "/_local/sign", map[string]any{"signer": role, "content": base64.StdEncoding.EncodeToString(pdf)}, http.StatusOK, &signed); err != nil {
		return "", fmt.Errorf("sign %s: %w", document, err)
	}
	in["signature"] = signed.Signature
	if err := c.call(ctx, role, http.MethodPost, route, in, http.StatusCreated, &declared); err != nil {
		return "", fmt.Errorf("declare %s: %w", document, err)
	}
	if err := c.transfer(ctx, declared.Put, pdf, nil); err != nil {
		return "", fmt.Errorf("put %s: %w", document, err)
	}
	var confirmed struct {
		Upload struct {
			Key string `json:"key"`
		} `json:"upload"`
	}
	if err := c.call(ctx, role, http.MethodPost, "/uploads/"+declared.Upload.ID+"/confirm", nil, http.StatusOK, &confirmed); err != nil {
		return "", fmt.Errorf("confirm %s: %w", document, err)
	}
	return confirmed.Upload.Key, nil
}

// transfer sends a presigned request (a PUT of body, or a GET) and, for a GET, answers the bytes
// in *got.
func (c *client) transfer(ctx context.Context, p presigned, body []byte, got *[]byte) error {
	method := p.Method
	if method == "" {
		method = http.MethodGet
		if body != nil {
			method = http.MethodPut
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, p.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("presigned %s: %w", method, err)
	}
	for k, v := range p.Headers {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("presigned %s: %w", method, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return fmt.Errorf("presigned %s: read: %w", method, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("presigned %s: %d: %s", method, resp.StatusCode, bytes.TrimSpace(raw))
	}
	if got != nil {
		*got = raw
	}
	return nil
}
