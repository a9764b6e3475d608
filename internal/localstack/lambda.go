package localstack

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
)

// invoker serves the Lambda Invoke API (the contract of `sam local start-lambda`):
// POST /2015-03-31/functions/{name}/invocations, dispatched to the in-process handlers.
type invoker struct {
	handlers map[string]lambda.Handler // by function name
	log      *slog.Logger
	seq      atomic.Int64
	reqs     *Requests // times each invocation
	faults   *Faults   // the local fault switch (faults.go)
	mu       sync.Mutex
	idle     []*warmGoroutine // those that ran an invocation and wait for the next, the last first
}

// warmFor is how long a goroutine that ran an invocation waits for the next one.
const warmFor = 10 * time.Second

// invocation is one call of a handler, run by a warm goroutine.
type invocation struct {
	ctx     context.Context
	h       lambda.Handler
	payload []byte
	out     []byte
	err     error
	done    chan struct{}
}

// warmGoroutine runs invocations one after another.
type warmGoroutine struct {
	next chan *invocation // holds one: the invocation given to it
}

// runWarm runs h on payload as a warm Lambda container runs its invocations: one after another on
// the same goroutine, whose stack has grown to what the handler needs, rather than on a new one
// whose stack grows again, by copying, on every call (a tenth of a short route's CPU). An
// invocation that finds no idle goroutine starts one, as a call that finds no idle container
// starts one; a goroutine idle for warmFor ends. The goroutines serve every function (a goroutine
// keeps nothing of the handler it ran, only its stack).
func (v *invoker) runWarm(ctx context.Context, h lambda.Handler, payload []byte) ([]byte, error) {
	job := &invocation{ctx: ctx, h: h, payload: payload, done: make(chan struct{})}
	v.mu.Lock()
	var g *warmGoroutine
	if n := len(v.idle); n > 0 {
		g, v.idle = v.idle[n-1], v.idle[:n-1]
	}
	v.mu.Unlock()
	if g == nil {
		g = &warmGoroutine{next: make(chan *invocation, 1)}
		go v.serve(g)
	}
	g.next <- job
	<-job.done
	return job.out, job.err
}

func (v *invoker) serve(g *warmGoroutine) {
	idle := time.NewTimer(warmFor)
	defer idle.Stop()
	for {
		select {
		case job := <-g.next:
			job.out, job.err = safeInvoke(job.ctx, job.h, job.payload)
			v.mu.Lock()
			v.idle = append(v.idle, g) // idle before its caller hears: the caller's next invocation finds it
			v.mu.Unlock()
			close(job.done)
			idle.Reset(warmFor)
		case <-idle.C:
			v.mu.Lock()
			i := slices.Index(v.idle, g)
			if i >= 0 {
				v.idle = slices.Delete(v.idle, i, i+1)
			}
			v.mu.Unlock()
			if i >= 0 {
				return
			}
			// Taken from the idle list just now: its invocation is on its way.
		}
	}
}

// invoke runs a function's handler on payload as the Lambda runtime would: a panic becomes
// Runtime.Panic, and an error's type name becomes its errorType.
func (v *invoker) invoke(ctx context.Context, name string, payload []byte) ([]byte, *messages.InvokeResponse_Error, error) {
	h, ok := v.handlers[name]
	if !ok {
		return nil, nil, fmt.Errorf("function not found: %s", name)
	}
	if left, ok := v.faults.take(name); ok {
		v.log.Warn("function failed by the fault switch", "function", name, "left", left)
		return nil, fault(name, left), nil
	}
	start := time.Now()
	out, err := v.runWarm(ctx, h, payload)
	v.reqs.invoked(name, time.Since(start))
	if err != nil {
		e := errorResponse(err)
		return nil, &e, nil
	}
	return out, nil, nil
}

func safeInvoke(ctx context.Context, h lambda.Handler, payload []byte) (out []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = messages.InvokeResponse_Error{Type: "Runtime.Panic", Message: fmt.Sprint(p)}
		}
	}()
	return h.Invoke(ctx, payload)
}

// errorResponse mirrors aws-lambda-go's runtime: an InvokeResponse_Error keeps its type, any
// other error is typed by its Go type name (what Step Functions matches in ErrorEquals).
func errorResponse(err error) messages.InvokeResponse_Error {
	if ive, ok := err.(messages.InvokeResponse_Error); ok {
		return ive
	}
	t := reflect.TypeOf(err)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return messages.InvokeResponse_Error{Type: t.Name(), Message: err.Error()}
}

// functionName accepts a name, a partial ARN or a full ARN, with or without a qualifier.
func functionName(raw string) string {
	if i := strings.Index(raw, ":function:"); i >= 0 {
		raw = raw[i+len(":function:"):]
	}
	if i := strings.Index(raw, ":"); i >= 0 {
		raw = raw[:i]
	}
	return raw
}

func (v *invoker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	const prefix = "/2015-03-31/functions/"
	p := r.URL.EscapedPath()
	reqID := fmt.Sprintf("local-invoke-%d", v.seq.Add(1))
	// Without a request ID, the engine reports a missing function as States.Runtime KeyError('RequestId').
	w.Header().Set("X-Amzn-RequestId", reqID)
	w.Header().Set("Content-Type", "application/json")
	if r.Method != http.MethodPost || !strings.HasPrefix(p, prefix) || !strings.HasSuffix(p, "/invocations") {
		w.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"Type":"User","Message":"unknown path %s"}`, jsonEscape(p))
		return
	}
	raw, _ := url.PathUnescape(strings.TrimSuffix(strings.TrimPrefix(p, prefix), "/invocations"))
	name := functionName(raw)
	payload, err := io.ReadAll(io.LimitReader(r.Body, 6<<20))
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if _, ok := v.handlers[name]; !ok {
		w.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"Type":"User","Message":"Function not found: %s"}`, jsonEscape(name))
		return
	}
	if r.Header.Get("X-Amz-Invocation-Type") == "Event" {
		go func() {
			if _, fnErr, err := v.invoke(context.Background(), name, payload); err != nil || fnErr != nil {
				v.log.Warn("async invocation failed", "function", name, "error", err, "functionError", fnErr)
			}
		}()
		w.WriteHeader(http.StatusAccepted)
		return
	}
	out, fnErr, err := v.invoke(r.Context(), name, payload)
	w.Header().Set("X-Amz-Executed-Version", "$LATEST")
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	if fnErr != nil {
		// As the Lambda service does: 200, X-Amz-Function-Error, and errorType/errorMessage.
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		body, _ := json.Marshal(map[string]string{"errorType": fnErr.Type, "errorMessage": fnErr.Message})
		w.WriteHeader(http.StatusOK)
		w.Write(body)
		v.log.Info("function error", "function", name, "errorType", fnErr.Type, "requestId", reqID)
		return
	}
	w.WriteHeader(http.StatusOK)
	w.Write(out)
}

func jsonEscape(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}
