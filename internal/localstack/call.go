package localstack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Call sends one API request as user, with a fresh token and body as JSON (none when nil), and
// decodes the JSON answer. An error answer must be application/problem+json, as the API promises;
// one that is not is an error. It is the small end-to-end packages' client (internal/e2e/...), each
// with a local stack of its own.
func (s *Stack) Call(user User, method, path string, body any) (int, map[string]any, error) {
	req, err := s.Request(user, method, path, body)
	if err != nil {
		return 0, nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 && resp.Header.Get("Content-Type") != "application/problem+json" {
		return resp.StatusCode, nil, fmt.Errorf("%s %s: %d answered as %q, want application/problem+json: %s", method, path, resp.StatusCode, resp.Header.Get("Content-Type"), raw)
	}
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			return resp.StatusCode, nil, fmt.Errorf("%s %s: %d, body not JSON: %s", method, path, resp.StatusCode, raw)
		}
	}
	return resp.StatusCode, out, nil
}

// Request is an API request as user, with a fresh token (an hour long) and body as JSON (none
// when nil).
func (s *Stack) Request(user User, method, path string, body any) (*http.Request, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.APIURL+path, rd)
	if err != nil {
		return nil, err
	}
	tok, err := s.Issuer.Token(user, time.Hour)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	return req, nil
}
