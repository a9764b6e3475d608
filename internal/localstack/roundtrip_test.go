package localstack

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// slowBody holds back its last bytes for a while, as a response whose body comes after its headers.
type slowBody struct {
	r     io.Reader
	delay time.Duration
	slept bool
}

func (b *slowBody) Read(p []byte) (int, error) {
	if !b.slept {
		time.Sleep(b.delay)
		b.slept = true
	}
	return b.r.Read(p)
}

func (b *slowBody) Close() error { return nil }

type answer struct{ delay time.Duration }

func (a answer) RoundTrip(*http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Body: &slowBody{r: strings.NewReader(`{"Item":{}}`), delay: a.delay}}, nil
}

// TestARoundTripLastsUntilItsBodyIsRead: the request counter counts a request when its headers
// come, and adds its time when its body has been read to the end or closed, once: a function's
// round trips include the time its responses' bodies took (BenchmarkRoutes compares the
// function's time with them).
func TestARoundTripLastsUntilItsBodyIsRead(t *testing.T) {
	const delay = 20 * time.Millisecond
	reqs := &Requests{}
	c := counting{fn: "Fn", reqs: reqs, next: answer{delay}}
	get := func() *http.Response {
		t.Helper()
		r, _ := http.NewRequest("POST", "http://moto/", nil)
		r.Header.Set("X-Amz-Target", "AWSStepFunctions.DescribeExecution")
		resp, err := c.RoundTrip(r)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := get()
	if n := reqs.Snapshot()["Fn"]["SFN.DescribeExecution"]; n != 1 {
		t.Fatalf("counted %d requests when the headers came, want 1", n)
	}
	if d := reqs.RoundTrips("Fn"); d != 0 {
		t.Fatalf("%v of round trips before the body was read, want none yet", d)
	}
	if _, err := io.ReadAll(resp.Body); err != nil {
		t.Fatal(err)
	}
	read := reqs.RoundTrips("Fn")
	if read < delay {
		t.Fatalf("%v of round trips after the body was read, want at least the %v it took", read, delay)
	}
	resp.Body.Close()
	if d := reqs.RoundTrips("Fn"); d != read {
		t.Fatalf("closing the body after reading it added %v, want nothing", d-read)
	}
	// A body closed unread ends its round trip when closed.
	resp = get()
	time.Sleep(delay)
	resp.Body.Close()
	if d := reqs.RoundTrips("Fn") - read; d < delay {
		t.Fatalf("a body closed unread after %v added %v, want at least that", delay, d)
	}
	if n := reqs.Snapshot()["Fn"]["SFN.DescribeExecution"]; n != 2 {
		t.Fatalf("counted %d requests, want 2", n)
	}
}
