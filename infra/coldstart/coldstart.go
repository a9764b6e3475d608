// Command coldstart measures each Lambda function's cold start on this machine (make bench): it
// builds every function's bootstrap for the host architecture with the flags of make build
// (arm64 binaries cannot run here), and beside each a hello-world bootstrap and an SDK-floor
// bootstrap (one that only loads the AWS configuration and builds the same AWS SDK clients the
// function links, then starts the runtime loop). It runs each binary against a fake Lambda Runtime
// API and times from exec to the first GET /2018-06-01/runtime/invocation/next: the moment the
// function is ready for its first event. Runs are interleaved (one of each binary per round), the
// median is reported, with the binary's size and its resident memory at ready (VmRSS). Nothing
// here is asserted: the figures are printed, as Markdown with -markdown.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// buildFlags are make build's flags (Makefile, build-<LogicalId>) but for the host's GOARCH.
var buildFlags = []string{"-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w"}

// functions are the Lambda functions by their directory under functions/, the four task functions
// that only serve the attestation service marked (their target is tighter).
var functions = []struct {
	dir  string
	task bool
}{
	{"api", false}, {"deadline-check", false}, {"issue-certificate", false},
	{"register-application", true}, {"open-step", true}, {"close-case", true}, {"case-needs-attention", true},
	{"notify", false},
}

// helloSource is the hello-world bootstrap: the Lambda runtime loop and nothing else.
const helloSource = `package main

import "github.com/aws/aws-lambda-go/lambda"

func main() { lambda.Start(func() error { return nil }) }
`

// floorSource is an SDK-floor bootstrap for the service packages it is given: it loads the
// default AWS configuration as every function does and builds one client of each.
func floorSource(services []string) string {
	var b strings.Builder
	b.WriteString("package main\n\nimport (\n\t\"context\"\n\n\t\"github.com/aws/aws-lambda-go/lambda\"\n\t\"github.com/aws/aws-sdk-go-v2/config\"\n")
	for i, s := range services {
		fmt.Fprintf(&b, "\tsvc%d %q\n", i, s)
	}
	b.WriteString(")\n\nvar clients []any\n\nfunc main() {\n\tcfg, err := config.LoadDefaultConfig(context.Background())\n\tif err != nil {\n\t\tpanic(err)\n\t}\n")
	for i := range services {
		fmt.Fprintf(&b, "\tclients = append(clients, svc%d.NewFromConfig(cfg))\n", i)
	}
	b.WriteString("\tlambda.Start(func() error { return nil })\n}\n")
	return b.String()
}

// sdkServices are the AWS SDK service clients pkg links (go list -deps), but those the SDK's
// config package links itself for its credential providers (sso, sts, ...): every bootstrap,
// the floor's included, links those, and none builds them at start.
func sdkServices(pkg string) ([]string, error) {
	all, err := servicesLinked(pkg)
	if err != nil {
		return nil, err
	}
	byConfig, err := servicesLinked("github.com/aws/aws-sdk-go-v2/config")
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(s string) bool { return slices.Contains(byConfig, s) }), nil
}

func servicesLinked(pkg string) ([]string, error) {
	out, err := exec.Command("go", "list", "-deps", pkg).Output()
	if err != nil {
		return nil, fmt.Errorf("go list -deps %s: %w", pkg, err)
	}
	const prefix = "github.com/aws/aws-sdk-go-v2/service/"
	var svcs []string
	for _, line := range strings.Fields(string(out)) {
		rest, ok := strings.CutPrefix(line, prefix)
		if ok && !strings.Contains(rest, "/") {
			svcs = append(svcs, line)
		}
	}
	slices.Sort(svcs)
	return svcs, nil
}

// build builds target (a package path, or a main.go file) into out with the functions' flags.
func build(target, out string) error {
	args := append([]string{"build"}, buildFlags...)
	args = append(args, "-o", out, target)
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s: %w", target, err)
	}
	return nil
}

// env is the functions' environment at cold start: template.yaml's variables with values that
// need no network (PUBLIC_BASE_URL set, so no parameter is read), and static credentials.
func env(api string) []string {
	return []string{
		"AWS_LAMBDA_RUNTIME_API=" + api,
		"AWS_LAMBDA_FUNCTION_NAME=coldstart", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512", "AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_REGION=eu-central-1", "AWS_DEFAULT_REGION=eu-central-1",
		"AWS_ACCESS_KEY_ID=coldstart", "AWS_SECRET_ACCESS_KEY=coldstart", "AWS_SESSION_TOKEN=coldstart",
		"AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent", "AWS_EC2_METADATA_DISABLED=true",
		"TABLE_NAME=attestation", "DOCUMENTS_BUCKET=documents", "RECORDS_BUCKET=records",
		"POLICY_EDITION=rules-2016-amended-2018", "STATE_MACHINE_ARN=arn:aws:states:eu-central-1:000000000000:stateMachine:attestation",
		"SIGNING_KEY_ID=alias/register", "PUBLIC_BASE_URL=https://attestation.example", "S3_PATH_STYLE=false",
		"EVENT_BUS_NAME=notifications", "MAIL_FROM=attestation@example.kz", "NOTIFY_MAX_ATTEMPTS=5",
		"TZ=UTC", "PATH=/usr/bin:/bin",
	}
}

// sample is one cold start: exec to the first request for the next event, and the resident
// memory and the minor page faults at that moment (on a virtual machine each fault costs
// microseconds: a start's time follows the pages it touches more than the instructions it runs).
type sample struct {
	ready  time.Duration
	rssKB  int
	faults int
}

// runtimeAPI is a fake Lambda Runtime API that reports each GET .../invocation/next and holds it
// open (as the real one does until an event comes).
type runtimeAPI struct {
	addr string
	next chan time.Time
	srv  *http.Server
}

func startRuntimeAPI() (*runtimeAPI, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &runtimeAPI{addr: ln.Addr().String(), next: make(chan time.Time, 1)}
	r.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method == http.MethodGet && req.URL.Path == "/2018-06-01/runtime/invocation/next" {
			select {
			case r.next <- time.Now():
			default:
			}
			<-req.Context().Done()
			return
		}
		_, _ = io.Copy(io.Discard, req.Body)
		w.WriteHeader(http.StatusAccepted)
	})}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

// measure runs bin once against api.
func measure(bin string, api *runtimeAPI) (sample, error) {
	var out strings.Builder
	cmd := exec.Command(bin)
	cmd.Env = env(api.addr)
	cmd.Stdout, cmd.Stderr = &out, &out
	exited := make(chan error, 1)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return sample{}, err
	}
	go func() { exited <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Kill()
		<-exited
	}()
	select {
	case at := <-api.next:
		rss, err := rssKB(cmd.Process.Pid)
		if err != nil {
			return sample{}, err
		}
		faults, err := minorFaults(cmd.Process.Pid)
		if err != nil {
			return sample{}, err
		}
		return sample{ready: at.Sub(start), rssKB: rss, faults: faults}, nil
	case err := <-exited:
		exited <- err
		return sample{}, fmt.Errorf("%s exited before asking for an event (%v): %s", filepath.Base(bin), err, out.String())
	case <-time.After(10 * time.Second):
		return sample{}, fmt.Errorf("%s did not ask for an event within 10 s: %s", filepath.Base(bin), out.String())
	}
}

// rssKB is the resident set of process pid in KiB (/proc/<pid>/status VmRSS).
func rssKB(pid int) (int, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
		}
	}
	return 0, errors.New("no VmRSS in /proc status")
}

// minorFaults is the number of minor page faults of process pid so far (/proc/<pid>/stat, the
// tenth field; the command name before it, in parentheses, may hold spaces).
func minorFaults(pid int) (int, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	_, rest, ok := strings.Cut(string(data), ") ")
	fields := strings.Fields(rest)
	if !ok || len(fields) < 8 {
		return 0, fmt.Errorf("unexpected /proc/%d/stat: %q", pid, data)
	}
	return strconv.Atoi(fields[7])
}

// binary is one bootstrap under test.
type binary struct {
	name    string
	path    string
	size    int64
	samples []sample
}

func (b *binary) median() sample {
	s := slices.Clone(b.samples)
	slices.SortFunc(s, func(x, y sample) int { return int(x.ready - y.ready) })
	rss, faults := make([]int, len(s)), make([]int, len(s))
	for i := range s {
		rss[i], faults[i] = s[i].rssKB, s[i].faults
	}
	slices.Sort(rss)
	slices.Sort(faults)
	return sample{ready: s[len(s)/2].ready, rssKB: rss[len(rss)/2], faults: faults[len(faults)/2]}
}

func main() {
	rounds := flag.Int("rounds", 30, "interleaved rounds (one run of every binary per round)")
	markdown := flag.String("markdown", "", "also write the table as Markdown to this file")
	only := flag.String("only", "", "measure only these functions (comma-separated directories under functions/)")
	flag.Parse()
	if err := run(*rounds, *markdown, *only); err != nil {
		fmt.Fprintln(os.Stderr, "coldstart:", err)
		os.Exit(1)
	}
}

func run(rounds int, markdown, only string) error {
	if runtime.GOOS != "linux" {
		return fmt.Errorf("needs Linux (/proc for the resident memory); this is %s", runtime.GOOS)
	}
	dir, err := os.MkdirTemp("", "coldstart")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bins, rows, err := buildAll(dir, only)
	if err != nil {
		return err
	}
	api, err := startRuntimeAPI()
	if err != nil {
		return err
	}
	defer api.srv.Close()
	// One warm-up run of each (page cache), then the interleaved rounds.
	for r := -1; r < rounds; r++ {
		for _, b := range bins {
			s, err := measure(b.path, api)
			if err != nil {
				return err
			}
			if r >= 0 {
				b.samples = append(b.samples, s)
			}
		}
	}
	table := report(rows, rounds)
	fmt.Print(table)
	if markdown != "" {
		return os.WriteFile(markdown, []byte(table), 0o644)
	}
	return nil
}

// row is one function with its hello-world and SDK-floor bootstraps.
type row struct {
	fn            string
	task          bool
	services      []string
	bin, floor    *binary
	hello         *binary
	floorServices string
}

func buildAll(dir, only string) ([]*binary, []row, error) {
	hello := &binary{name: "hello-world", path: filepath.Join(dir, "hello")}
	if err := buildSource(dir, "hello", helloSource, hello); err != nil {
		return nil, nil, err
	}
	bins := []*binary{hello}
	floors := map[string]*binary{}
	var rows []row
	for _, f := range functions {
		if only != "" && !slices.Contains(strings.Split(only, ","), f.dir) {
			continue
		}
		svcs, err := sdkServices("./functions/" + f.dir)
		if err != nil {
			return nil, nil, err
		}
		key := strings.Join(svcs, ",")
		floor, ok := floors[key]
		if !ok {
			floor = &binary{name: fmt.Sprintf("sdk-floor-%d", len(floors)+1), path: filepath.Join(dir, fmt.Sprintf("floor%d", len(floors)+1))}
			if err := buildSource(dir, filepath.Base(floor.path), floorSource(svcs), floor); err != nil {
				return nil, nil, err
			}
			floors[key] = floor
			bins = append(bins, floor)
		}
		b := &binary{name: f.dir, path: filepath.Join(dir, "fn-"+f.dir)}
		if err := build("./functions/"+f.dir, b.path); err != nil {
			return nil, nil, err
		}
		if err := sizeOf(b); err != nil {
			return nil, nil, err
		}
		bins = append(bins, b)
		short := make([]string, len(svcs))
		for i, s := range svcs {
			short[i] = filepath.Base(s)
		}
		rows = append(rows, row{fn: f.dir, task: f.task, services: svcs, bin: b, floor: floor, hello: hello, floorServices: strings.Join(short, ", ")})
	}
	return bins, rows, nil
}

// buildSource writes src as dir/name/main.go and builds it (in this module, for its go.mod) into
// b.path.
func buildSource(dir, name, src string, b *binary) error {
	srcDir := filepath.Join(dir, "src-"+name)
	if err := os.MkdirAll(srcDir, 0o755); err != nil {
		return err
	}
	file := filepath.Join(srcDir, "main.go")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		return err
	}
	if err := build(file, b.path); err != nil {
		return err
	}
	return sizeOf(b)
}

func sizeOf(b *binary) error {
	st, err := os.Stat(b.path)
	if err != nil {
		return err
	}
	b.size = st.Size()
	return nil
}

// report is the Markdown table of the medians, with each function's ratio to its SDK floor and
// to hello-world measured in the same run.
func report(rows []row, rounds int) string {
	var b strings.Builder
	if len(rows) == 0 {
		return ""
	}
	h := rows[0].hello.median()
	fmt.Fprintf(&b, "Median of %d interleaved runs on %s/%s (%d CPUs), %s; exec to the first `GET /2018-06-01/runtime/invocation/next`. "+
		"hello-world: %s, %.1f MB, RSS %.1f MB, %d page faults. Targets: every function ≤ 1.3× its SDK floor, the four task functions ≤ 1.15×.\n\n",
		rounds, runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), ms(h.ready), mb(rows[0].hello.size), float64(h.rssKB)/1024, h.faults)
	b.WriteString("| function | ready | × SDK floor | × hello | size | RSS at ready | page faults | SDK floor (its clients) | floor ready | floor size | floor faults |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|\n")
	for _, r := range rows {
		m, f := r.bin.median(), r.floor.median()
		target := "≤ 1.3"
		if r.task {
			target = "≤ 1.15"
		}
		fmt.Fprintf(&b, "| %s | %s | %.2f (%s) | %.2f | %.1f MB | %.1f MB | %d | %s | %s | %.1f MB | %d |\n",
			r.fn, ms(m.ready), float64(m.ready)/float64(f.ready), target, float64(m.ready)/float64(h.ready),
			mb(r.bin.size), float64(m.rssKB)/1024, m.faults, r.floorServices, ms(f.ready), mb(r.floor.size), f.faults)
	}
	return b.String()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

func mb(n int64) float64 { return float64(n) / (1 << 20) }
