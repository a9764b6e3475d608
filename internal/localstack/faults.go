package localstack

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

// Faults is the local stack's fault switch (local only: nothing like it exists in AWS): a named
// function fails its next N invocations with a transient error, TransientError, which the state
// machine's definition retries, as it would a throttled table or a KMS outage. Tests use it to
// show both a fault the retries absorb and one that outlives them.
//
// Set it with Options.Faults or LOCAL_FAULTS ("issue-certificate=3,open-step=1"), with
// Stack.InjectFault, or with POST /_local/faults {"function":"issue-certificate","failures":3}
// on the API port. A function is named by its directory under functions/ or its logical ID.
type Faults struct {
	mu   sync.Mutex
	left map[string]int // by function name (the invoker's key)
}

// TransientFault is the errorType an injected fault fails with (what internal/transition names
// any error that is not a domain error).
const TransientFault = "TransientError"

// take reports whether the function's next invocation fails, counting it.
func (f *Faults) take(name string) (int, bool) {
	if f == nil {
		return 0, false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.left[name]
	if n <= 0 {
		return 0, false
	}
	f.left[name] = n - 1
	return n - 1, true
}

func (f *Faults) set(name string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.left == nil {
		f.left = map[string]int{}
	}
	if n <= 0 {
		delete(f.left, name)
		return
	}
	f.left[name] = n
}

// FaultsLeft is how many injected failures the function (as named to InjectFault) has left.
func (s *Stack) FaultsLeft(function string) int {
	base, mid := strings.CutSuffix(function, midBatch)
	name, err := s.functionByName(base)
	if err != nil {
		return 0
	}
	if mid {
		name += midBatch
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return s.faults.left[name]
}

// InjectFault makes function fail its next n invocations with a transient error (0 clears it).
// A function fed by a stream named with the suffix "@mid" ("notify@mid") fails its next n
// batches of two or more records midway instead (a batch of one keeps the fault for the next):
// the first half of the batch is delivered, then the invocation fails, as
// a function that errs after doing part of its work (streams.go).
func (s *Stack) InjectFault(function string, n int) error {
	if n < 0 {
		return fmt.Errorf("fault of %s: %d failures", function, n)
	}
	base, mid := strings.CutSuffix(function, midBatch)
	name, err := s.functionByName(base)
	if err != nil {
		return err
	}
	if mid {
		name += midBatch
	}
	s.faults.set(name, n)
	s.log.Warn("fault injected", "function", function, "failures", n)
	return nil
}

// functionByName finds a function by its directory under functions/, logical ID or name.
func (s *Stack) functionByName(function string) (string, error) {
	for _, f := range s.Template.Functions {
		if f.Dir() == function || f.LogicalID == function || f.Name == function {
			return f.Name, nil
		}
	}
	return "", fmt.Errorf("fault: no function %q (name one by its directory under functions/)", function)
}

// injectFaults applies a LOCAL_FAULTS setting: "issue-certificate=3,open-step=1".
func (s *Stack) injectFaults(setting string) error {
	for _, part := range strings.Split(setting, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, count, ok := strings.Cut(part, "=")
		n, err := strconv.Atoi(strings.TrimSpace(count))
		if !ok || err != nil || n < 0 {
			return fmt.Errorf("faults %q: want function=count, e.g. issue-certificate=3", part)
		}
		if err := s.InjectFault(strings.TrimSpace(name), n); err != nil {
			return err
		}
	}
	return nil
}

// fault is the error an injected fault answers with.
func fault(name string, left int) *messages.InvokeResponse_Error {
	return &messages.InvokeResponse_Error{Type: TransientFault,
		Message: fmt.Sprintf("local fault switch: %s failed on purpose (%d more to come)", name, left)}
}
