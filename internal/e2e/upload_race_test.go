package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// documentsBucket is the bucket of uploads (the one without Object Lock).
func documentsBucket(t *testing.T) string {
	t.Helper()
	for _, b := range stack.Template.Buckets {
		if !b.ObjectLock && strings.Contains(strings.ToLower(b.Name), "document") {
			return b.Name
		}
	}
	t.Fatal("template.yaml has no documents bucket")
	return ""
}

// TestASecondPUTRacingConfirmIsNeverAttached: while confirm checks an upload, other bytes of the
// same length are PUT to the same key again and again (without the signed checksum header, which
// moto takes since it checks no signature: S3 would refuse such a PUT, and one with the header
// for its checksum). Whatever confirm answers, a confirmed upload pins a version that holds the
// declared bytes, and the document the case attaches at §17 (send_contract), fetched through its
// presigned link, is those bytes.
func TestASecondPUTRacingConfirmIsNeverAttached(t *testing.T) {
	p := file(t, day(10, 15, 10), application(t, "Race system", false))
	p.act(p.authority, day(10, 16, 10), "completeness_check", "forward", nil)
	p.open("send_contract")
	ctx := context.Background()
	bucket := documentsBucket(t)
	var attach map[string]any
	var good []byte
	confirmed, refused, swaps := 0, 0, atomic.Int64{}
	for round := 0; round < 12; round++ {
		checked := pdf(fmt.Sprintf("the contract as checked, round %d", round))
		swapped := pdf(fmt.Sprintf("a contract swapped in!!, round %d", round))
		if len(swapped) != len(checked) {
			t.Fatalf("the swapped bytes must have the signed length: %d, %d", len(swapped), len(checked))
		}
		status, out, err := p.sts.send("POST", "/cases/"+p.id+"/uploads", map[string]any{"document": "contract", "contentType": "application/pdf", "size": len(checked), "sha256": sha(checked)})
		if err != nil || status != http.StatusCreated {
			t.Fatalf("declare: %d %v %v", status, out, err)
		}
		pre := out["put"].(map[string]any)
		id := out["upload"].(map[string]any)["id"].(string)
		if s := put(t, pre, checked); s != http.StatusOK {
			t.Fatalf("PUT: %d", s)
		}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		// The racing PUTs start a little later each round: some land before confirm reads, some
		// while it checks and moves.
		go func() {
			defer wg.Done()
			select {
			case <-stop:
				return
			case <-time.After(time.Duration(round) * 8 * time.Millisecond):
			}
			for {
				select {
				case <-stop:
					return
				default:
				}
				if s, err := putErr(withoutHeader(pre, "X-Amz-Checksum-Sha256"), swapped); err == nil && s == http.StatusOK {
					swaps.Add(1)
				}
			}
		}()
		status, conf, err := p.sts.send("POST", "/uploads/"+id+"/confirm", nil)
		close(stop)
		wg.Wait()
		if err != nil {
			t.Fatal(err)
		}
		switch status {
		case http.StatusOK:
			confirmed++
			u := conf["upload"].(map[string]any)
			key, version := u["key"].(string), u["versionId"].(string)
			obj, err := stack.Clients.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key, VersionId: &version})
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(obj.Body)
			obj.Body.Close()
			if !bytes.Equal(b, checked) {
				t.Fatalf("round %d: the confirmed upload pins version %s holding %q, not the checked bytes", round, version, b)
			}
			attach, good = map[string]any{"kind": "contract", "key": key, "sha256": sha(checked)}, checked
		case http.StatusUnprocessableEntity:
			refused++ // confirm checked the swapped bytes: refused, nothing attached
		default:
			t.Fatalf("round %d: confirm %d %v", round, status, conf)
		}
	}
	t.Logf("%d confirms, %d refused, %d racing PUTs landed", confirmed, refused, swaps.Load())
	if swaps.Load() == 0 || attach == nil {
		t.Fatalf("the race did not happen: %d swaps, %d confirmed", swaps.Load(), confirmed)
	}
	stack.Clock.Freeze(day(10, 16, 11))
	if status, out := p.sts.do("POST", "/cases/"+p.id+"/step", map[string]any{"step": "send_contract", "outcome": "contract_sent", "documents": []any{attach}}); status != http.StatusOK {
		t.Fatalf("send_contract: %d %v", status, out)
	}
	status, link := p.sts.do("GET", "/cases/"+p.id+"/documents?key="+attach["key"].(string), nil)
	if status != http.StatusOK {
		t.Fatalf("document link: %d %v", status, link)
	}
	get := link["get"].(map[string]any)
	req, _ := http.NewRequest("GET", get["url"].(string), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(b, good) {
		t.Fatalf("the attached contract: %d %q, want the checked %q", resp.StatusCode, b, good)
	}
}
