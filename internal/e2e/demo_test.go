package e2e

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"attestation/internal/demo"
)

// TestDemoTellsTheREADMEStoryPar14ToPar29Par45 runs `make demo`'s program against the local
// stack, so the story cannot rot: the object's own name on the case and the certificate, every
// step completed by its role once open, the due moments the regulation sets (§14 3, §17 5, §19 30,
// §27 3 and §28 3 working days), the certificate downloaded, its register entry verified offline
// (§29), and the recall (§45(2)) with its decision downloaded.
func TestDemoTellsTheREADMEStoryPar14ToPar29Par45(t *testing.T) {
	var out bytes.Buffer
	dir := t.TempDir()
	res, err := demo.Run(context.Background(), demo.Config{APIURL: stack.APIURL, OutDir: dir, Out: &out,
		PackageFile: filepath.Join("..", "attestation", "testdata", "packages", "valid.json"),
		HTTP:        &http.Client{Timeout: 30 * time.Second, Transport: validating{t}}})
	t.Logf("the demo said:\n%s", out.String())
	if err != nil {
		t.Fatal(err)
	}
	if res.ObjectName != "E-licensing" {
		t.Errorf("the case names the object %q, want the registered object's name E-licensing", res.ObjectName)
	}
	// §11: the plan was due March 1, a Sunday in 2026, so by the end of Monday March 2.
	if !res.PlanLate || !res.PlanDueAt.Equal(endOfDay(3, 2)) {
		t.Errorf("plan late %v, due %s; want late, due the end of 2026-03-02 in Almaty", res.PlanLate, res.PlanDueAt.In(almaty))
	}
	want := []struct {
		step, role string
		due        time.Time
		left       int
	}{
		{"completeness_check", "authority", endOfDay(10, 20), 2}, // §14: from Thu 10-15, acted on Fri 10-16
		{"send_contract", "sts", endOfDay(10, 21), 3},            // §16
		{"sign_contract", "applicant", endOfDay(10, 23), 4},      // §17: 5 working days from Fri 10-16
		{"survey", "sts", endOfDay(12, 1), 11},                   // §19: 30 working days from Mon 10-19
		{"decision", "authority", endOfDay(11, 19), 2},           // §27
		{"send_documents", "authority", endOfDay(11, 20), 2},     // §28
	}
	if len(res.Steps) != len(want) {
		t.Fatalf("%d steps walked, want %d: %v", len(res.Steps), len(want), res.Steps)
	}
	for i, w := range want {
		got := res.Steps[i]
		if got.Step != w.step || got.Role != w.role || !got.DueAt.Equal(w.due) || got.DaysLeft != w.left {
			t.Errorf("step %d: %s by %s due %s, %d left; want %s by %s due %s, %d left", i+1,
				got.Step, got.Role, got.DueAt.In(almaty).Format(time.RFC3339), got.DaysLeft, w.step, w.role, w.due.Format(time.RFC3339), w.left)
		}
		if !strings.Contains(out.String(), got.String()) {
			t.Errorf("the demo did not print the line of step %s: %q", got.Step, got.String())
		}
	}
	if !strings.HasPrefix(res.Certificate, "2026/") || !res.Verified || res.Recalled != "recalled" {
		t.Errorf("certificate %q, verified %v, after the recall %q", res.Certificate, res.Verified, res.Recalled)
	}
	for _, name := range []string{"certificate.pdf", "recall.pdf", "entry.json", "entry.sig", "register.pem"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || len(b) == 0 {
			t.Errorf("%s: %v (%d bytes)", name, err, len(b))
		}
		if strings.HasSuffix(name, ".pdf") && !bytes.HasPrefix(b, []byte("%PDF-")) {
			t.Errorf("%s is not a PDF", name)
		}
	}
}

// validating checks every answer of the API the demo receives against openapi.yaml, as the
// other end-to-end tests' client does; presigned S3 requests and the local routes pass as they are.
type validating struct{ t *testing.T }

func (v validating) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil || !strings.HasPrefix(req.URL.String(), stack.APIURL) {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	checkResponse(v.t, req, resp, body)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}
