package localstack

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"runtime"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
)

// goroutine is the ID of the goroutine that calls it, from the first line of its stack.
func goroutine() string {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	return string(bytes.Fields(buf)[1])
}

// TestInvocationsRunOnWarmGoroutines: as a warm Lambda container runs its invocations one after
// another on one goroutine, the local stack runs a function's next invocation on the goroutine
// that ran the last one; invocations at the same time run at the same time, each on its own; a
// panic is Runtime.Panic and the goroutine serves the next invocation.
func TestInvocationsRunOnWarmGoroutines(t *testing.T) {
	var mu sync.Mutex
	var ran []string
	started, release := make(chan struct{}, 2), make(chan struct{})
	v := &invoker{log: slog.New(slog.NewJSONHandler(io.Discard, nil)), reqs: &Requests{}}
	v.handlers = map[string]lambda.Handler{
		"fn": lambda.NewHandler(func(ctx context.Context, ev map[string]string) (string, error) {
			mu.Lock()
			ran = append(ran, goroutine())
			mu.Unlock()
			switch ev["do"] {
			case "wait":
				started <- struct{}{}
				<-release
			case "panic":
				panic("boom")
			}
			return "done", nil
		}),
	}
	call := func(do string) (string, string) {
		out, fnErr, err := v.invoke(context.Background(), "fn", []byte(`{"do":"`+do+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		if fnErr != nil {
			return "", fnErr.Type
		}
		return string(out), ""
	}
	if out, _ := call("return"); out != `"done"` {
		t.Fatalf("first invocation: %s", out)
	}
	call("return")
	if _, typ := call("panic"); typ != "Runtime.Panic" {
		t.Fatalf("a panic came back as %q, want Runtime.Panic", typ)
	}
	call("return")
	if ran[1] != ran[0] || ran[2] != ran[0] || ran[3] != ran[0] {
		t.Fatalf("invocations one after another ran on goroutines %v, want one", ran)
	}
	// Two at the same time: the second finds no idle goroutine and gets one of its own.
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() { call("wait") })
	}
	<-started
	<-started
	close(release)
	wg.Wait()
	if ran[4] == ran[5] {
		t.Fatalf("two invocations at the same time ran on one goroutine (%s)", ran[4])
	}
}
