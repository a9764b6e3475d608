package localstack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// moto is the moto_server process, started through the project's launcher.
type moto struct {
	cmd    *exec.Cmd
	url    string
	stderr *tailBuffer
	done   chan error
}

// startMoto starts the launcher with the python3 on PATH, on host:port, with Lambda calls of
// the Step Functions engine sent to lambdaURL and extra added to its environment. MOTO_PORT is kept
// out of its environment.
func startMoto(ctx context.Context, launcher, host string, port int, lambdaURL string, extra []string, logTo io.Writer) (*moto, error) {
	py, err := exec.LookPath("python3")
	if err != nil {
		return nil, errors.New("python3 not found on PATH: install Python 3 with moto[server]==5.2.1")
	}
	if _, err := os.Stat(launcher); err != nil {
		return nil, fmt.Errorf("moto launcher: %w", err)
	}
	cmd := exec.Command(py, launcher, "-H", host, "-p", strconv.Itoa(port))
	env := append([]string{"LAMBDA_ENDPOINT=" + lambdaURL, "PYTHONUNBUFFERED=1"}, extra...)
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "MOTO_PORT=") || strings.HasPrefix(kv, "LAMBDA_ENDPOINT=") || strings.HasPrefix(kv, "AWS_ENDPOINT_URL") ||
			strings.HasPrefix(kv, "MOTO_SFN_RETRY_SCALE=") {
			continue
		}
		env = append(env, kv)
	}
	if logTo != nil {
		env = append(env, "MOTO_REQUEST_LOG=1") // a line per request (launcher patch 14)
	}
	cmd.Env = env
	// Its own process group, so that stopping the stack stops everything moto started, and
	// SIGTERM if this process dies first (the launcher also watches its parent).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	tail := &tailBuffer{max: 16 << 10}
	if logTo != nil {
		cmd.Stdout, cmd.Stderr = logTo, io.MultiWriter(logTo, tail)
	} else {
		cmd.Stdout, cmd.Stderr = io.Discard, tail
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start moto: %w", err)
	}
	m := &moto{cmd: cmd, url: fmt.Sprintf("http://%s", net.JoinHostPort(host, strconv.Itoa(port))), stderr: tail, done: make(chan error, 1)}
	go func() { m.done <- cmd.Wait() }()
	if err := m.waitReady(ctx, 60*time.Second); err != nil {
		m.stop()
		return nil, err
	}
	return m, nil
}

func (m *moto) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	client := &http.Client{Timeout: 2 * time.Second}
	for time.Now().Before(deadline) {
		select {
		case err := <-m.done:
			m.done <- err
			msg := strings.TrimSpace(m.stderr.String())
			if i := strings.LastIndex(msg, "local stack: "); i >= 0 {
				msg = msg[i:]
			}
			return fmt.Errorf("moto exited before it was ready (%v): %s", err, lastLines(msg, 5))
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		resp, err := client.Get(m.url + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("moto did not answer on %s within %s: %s", m.url, limit, lastLines(m.stderr.String(), 5))
}

// stop ends moto's whole process group and waits for it.
func (m *moto) stop() {
	if m == nil || m.cmd.Process == nil {
		return
	}
	pgid := m.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-m.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-m.done
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// tailBuffer keeps the last bytes written to it.
type tailBuffer struct {
	max       int
	buf       bytes.Buffer
	mu        sync.Mutex
	line      []byte // the line being written
	unhandled int    // lines saying a request raised inside the server
	first     string // the first of them with the lines after it (its traceback)
	firstLeft int
}

// unhandledMark begins werkzeug's line for an exception a request raised that moto did not answer
// with an AWS error: moto's bug, or a launcher patch's. It can come after the response went out, so
// the client saw nothing wrong.
const unhandledMark = "Error on request"

func (t *tailBuffer) Write(p []byte) (int, error) {
	n := len(p)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(p)
	if over := t.buf.Len() - t.max; over > 0 {
		t.buf.Next(over)
	}
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			t.line = append(t.line, p...)
			break
		}
		t.line = append(t.line, p[:i+1]...)
		p = p[i+1:]
		t.endLine()
	}
	return n, nil
}

func (t *tailBuffer) endLine() {
	line := t.line
	t.line = t.line[:0]
	if bytes.Contains(line, []byte(unhandledMark)) {
		t.unhandled++
		if t.unhandled == 1 {
			t.first, t.firstLeft = string(line), 40
		}
		return
	}
	if t.firstLeft > 0 {
		t.first += string(line)
		t.firstLeft--
	}
}

// Unhandled is how many requests raised inside moto so far, and the first with its traceback.
func (t *tailBuffer) Unhandled() (int, string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.unhandled, t.first
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.String()
}

// launcherPath is the moto launcher beside the local-stack program.
func launcherPath(root string) string {
	return filepath.Join(root, "infra", "local", "moto_launcher.py")
}
