// Package localstack runs the whole system on one machine without AWS or Docker: moto (through
// the project's patched launcher) for DynamoDB, S3 and Step Functions, executing the real state
// machine definition; the Lambda Invoke API served in this process by the same handlers each
// bootstrap main starts (the contract of `sam local start-lambda`); the HTTP routes of
// template.yaml with the JWT authorizer's check (the contract of `sam local start-api`); and the
// deadline check on a timer and on demand. Every resource is created from template.yaml itself.
package localstack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"attestation/internal/samtemplate"
	"attestation/internal/wiring"
	"attestation/internal/wiring/roots"
)

// Options say where and how the stack runs. Zero ports pick free ones.
type Options struct {
	Root       string // the repository: template.yaml, statemachine/, infra/local/moto_launcher.py
	Host       string // default 127.0.0.1
	APIPort    int
	LambdaPort int
	MotoPort   int
	Clock      *Clock       // default: the machine's time
	Log        *slog.Logger // the stack's own messages and the functions' logs; default: discard
	AccessLog  io.Writer    // the API access log (JSON lines); default: discard
	MotoLog    io.Writer    // moto's output; default: discard (its last lines are kept for errors)
	Faults     string       // the fault switch at start: "issue-certificate=3,open-step=1" (faults.go)
	// IntegrationTimeout is how long the API gateway waits for a function (default: API Gateway's
	// 30 s; tests shorten it).
	IntegrationTimeout time.Duration
	// RequireSignatures sets EDS_REQUIRED: the edition's signature rules bind filings and steps
	// (issue 17; eds.go). Off by default: a signature that accompanies a document is verified anyway.
	RequireSignatures bool
	// EnforceEditions sets POLICY_EDITION_MODE=enforce: a filing falls under the edition in force
	// on its date and a date no edition covers is refused (issue 16). Off by default: the model
	// mode, so filings on today's dates keep working under the configured edition, marked.
	EnforceEditions bool
	// RetryScale scales the time a state's Retry waits between attempts (launcher patch 17): 0 or 1
	// waits the definition's intervals (1, 2, 4 and 8 s), the tests' 0.01 waits a hundredth of them.
	// The attempts and their number are the definition's either way.
	RetryScale float64
}

// motoEnv is what the options add to moto's environment.
func (o Options) motoEnv() []string {
	if o.RetryScale > 0 && o.RetryScale != 1 {
		return []string{"MOTO_SFN_RETRY_SCALE=" + strconv.FormatFloat(o.RetryScale, 'g', -1, 64)}
	}
	return nil
}

// Stack is a running local stack.
type Stack struct {
	APIURL    string
	LambdaURL string
	MotoURL   string
	Template  *samtemplate.Template
	Clients   Clients
	Clock     *Clock
	Issuer    *Issuer
	Requests  *Requests // the AWS requests each function made
	eds       *localEDS // the test CA of electronic digital signatures (eds.go)

	moto      *moto
	listeners []net.Listener // closed by Close, served or not
	servers   []*http.Server
	invoker   *invoker
	faults    *Faults
	log       *slog.Logger
	portalDir string        // the web portal's build, served under PortalPath
	streams   *streams      // the stream event source mappings (streams.go)
	done      chan struct{} // closed by Close: the stream poller stops
}

// FindRoot walks up from dir to the directory holding go.mod and template.yaml.
func FindRoot(dir string) (string, error) {
	d, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if fileExists(filepath.Join(d, "go.mod")) && fileExists(filepath.Join(d, "template.yaml")) {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("no go.mod with template.yaml above %s", dir)
		}
		d = parent
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// Start brings the stack up and returns once every part answers. On error, whatever was
// started is stopped again.
func Start(ctx context.Context, o Options) (s *Stack, err error) {
	if o.Host == "" {
		o.Host = "127.0.0.1"
	}
	if o.Clock == nil {
		o.Clock = NewClock()
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	if o.AccessLog == nil {
		o.AccessLog = io.Discard
	}
	s = &Stack{Clock: o.Clock, log: o.Log, portalDir: PortalDir(o.Root), done: make(chan struct{})}
	started := s // the results are nil on error, so keep what to stop
	defer func() {
		if err != nil {
			started.Close()
		}
	}()
	lambdaLn, err := listen(o.Host, o.LambdaPort, "Lambda Invoke API")
	if err != nil {
		return nil, err
	}
	s.listeners = append(s.listeners, lambdaLn)
	apiLn, err := listen(o.Host, o.APIPort, "HTTP API")
	if err != nil {
		return nil, err
	}
	s.listeners = append(s.listeners, apiLn)
	s.LambdaURL = "http://" + lambdaLn.Addr().String()
	s.APIURL = "http://" + apiLn.Addr().String()
	motoPort := o.MotoPort
	if motoPort == 0 {
		if motoPort, err = freePort(o.Host); err != nil {
			return nil, err
		}
	}
	if s.moto, err = startMoto(ctx, launcherPath(o.Root), o.Host, motoPort, s.LambdaURL, o.motoEnv(), o.MotoLog); err != nil {
		return nil, err
	}
	s.MotoURL = s.moto.url

	if s.eds, err = newLocalEDS(s.APIURL+"/_local/ocsp", o.Clock); err != nil {
		return nil, err
	}
	s.Template, err = samtemplate.Load(filepath.Join(o.Root, "template.yaml"),
		samtemplate.Names{Region: Region, AccountID: AccountID, Prefix: "attestation-"},
		map[string]any{"JwtIssuer": s.APIURL + "/local-issuer", "JwtAudience": "attestation-local", "PublicBaseUrl": s.APIURL, "PortalUrl": s.APIURL,
			"EdsStsBin": LocalSTSBIN, "EdsAuthorityBin": LocalAuthorityBIN, "EdsRequired": strconv.FormatBool(o.RequireSignatures),
			"PolicyEditionMode":       editionMode(o.EnforceEditions),
			"NotificationFromAddress": LocalMailFrom, "StaffMailAuthority": LocalStaffMail["authority"], "StaffMailSts": LocalStaffMail["sts"],
			"StaffMailQualityAuthority": LocalStaffMail["quality_authority"]})
	if err != nil {
		return nil, err
	}
	transport := newTransport()
	awsCfg := awsConfig(s.MotoURL, transport)
	s.Clients = NewClients(awsCfg)
	s.Requests = &Requests{}
	if s.Issuer, err = NewIssuer(s.Template.Authorizer.Issuer, s.Template.Authorizer.Audience, o.Clock); err != nil {
		return nil, err
	}
	// Resources first: a function's environment names a KMS key by the ID moto gives it.
	if err := provision(ctx, s.Clients, s.Template, o.Root); err != nil {
		return nil, fmt.Errorf("create resources from template.yaml: %w", err)
	}
	s.faults = &Faults{}
	s.invoker = &invoker{handlers: map[string]lambda.Handler{}, log: o.Log, reqs: s.Requests, faults: s.faults}
	if err := s.injectFaults(o.Faults); err != nil {
		return nil, err
	}
	for _, f := range s.Template.Functions {
		ctor, ok := roots.Functions[f.Dir()]
		if !ok {
			return nil, fmt.Errorf("function %s: no constructor for %s in roots.Functions", f.LogicalID, f.CodeURI)
		}
		env := map[string]string{"S3_PATH_STYLE": "true"}
		for k, v := range f.Env {
			env[k] = v
		}
		env["EDS_TRUST_ROOTS"] = string(s.eds.ca.TrustPEM()) // inline: no SSM parameter locally
		env["EGOV_REGISTRY"] = LocalStateRegistry            // the office's stand-in of the state registers (office.go)
		cfg, err := wiring.LoadConfig(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
		if err != nil {
			return nil, fmt.Errorf("function %s: %w", f.LogicalID, err)
		}
		fnCfg := awsConfig(s.MotoURL, counting{fn: f.LogicalID, reqs: s.Requests, next: transport})
		h, err := ctor(ctx, fnCfg, cfg, o.Log.With("function", f.Dir()))
		if err != nil {
			return nil, fmt.Errorf("function %s: %w", f.LogicalID, err)
		}
		s.invoker.handlers[f.Name] = lambda.NewHandler(h)
	}
	accessLog := slog.New(slog.NewJSONHandler(o.AccessLog, nil)).With("log", "api-access")
	gw := newAPIGateway(s.Template, s.invoker, s.Issuer, o.Clock, accessLog, s.controlRoutes(), gatewayCalls(s.Template, s.Clients.DynamoDB))
	gw.integrationTimeout = o.IntegrationTimeout
	s.serve(lambdaLn, s.invoker)
	s.serve(apiLn, gw)
	if err := s.startStreams(ctx, 250*time.Millisecond); err != nil {
		return nil, err
	}
	return s, nil
}

func listen(host string, port int, what string) (net.Listener, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("%s on %s:%d: %w (is another local stack running? pick another port)", what, host, port, err)
	}
	return ln, nil
}

func freePort(host string) (int, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func (s *Stack) serve(ln net.Listener, h http.Handler) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	s.servers = append(s.servers, srv)
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("server stopped", "addr", ln.Addr().String(), "error", err)
		}
	}()
}

// Close stops everything the stack started.
func (s *Stack) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if s.done != nil {
		select {
		case <-s.done:
		default:
			close(s.done)
		}
	}
	if s.streams != nil { // wait for a poll under way
		s.streams.mu.Lock()
		s.streams.mappings = nil
		s.streams.mu.Unlock()
	}
	for _, srv := range s.servers {
		_ = srv.Shutdown(ctx)
	}
	s.servers = nil
	for _, ln := range s.listeners {
		_ = ln.Close()
	}
	s.listeners = nil
	s.moto.stop()
	s.moto = nil
	return nil
}

// MotoUnhandled is how many requests raised an exception inside moto that it did not answer with
// an AWS error (werkzeug's "Error on request"), and the first of them with its traceback. Such an
// exception can come after the response went out, so that no client sees it: a suite on the stack
// fails when this is not zero at its end.
func (s *Stack) MotoUnhandled() (int, string) {
	if s.moto == nil {
		return 0, ""
	}
	return s.moto.stderr.Unhandled()
}

// SuiteResult is a test suite's exit code (m.Run's) once moto's unhandled exceptions are counted:
// 1, with the first of them printed, when any request raised one.
func (s *Stack) SuiteResult(code int) int {
	if n, first := s.MotoUnhandled(); n > 0 {
		fmt.Fprintf(os.Stderr, "local stack: %d requests raised an exception inside moto (its responses may have gone out whole); the first:\n%s\n", n, first)
		return 1
	}
	return code
}

// StateMachineARN is the ARN of the template's (single) state machine.
func (s *Stack) StateMachineARN() string {
	if len(s.Template.StateMachines) == 0 {
		return ""
	}
	return s.Template.StateMachines[0].ARN
}

// Invoke calls a function by logical ID as the Lambda service would.
func (s *Stack) Invoke(ctx context.Context, function string, payload []byte) ([]byte, error) {
	out, fnErr, err := s.invoker.invoke(ctx, function, payload)
	if err != nil {
		return nil, err
	}
	if fnErr != nil {
		return nil, fmt.Errorf("%s: %s: %s", function, fnErr.Type, fnErr.Message)
	}
	return out, nil
}

// RunScheduled runs every scheduled function with its schedule's input, the scheduled time being
// the clock's now (what EventBridge Scheduler does at each tick). It returns each one's output.
func (s *Stack) RunScheduled(ctx context.Context) (map[string]json.RawMessage, error) {
	now := s.Clock.Now().UTC().Format(time.RFC3339)
	out := map[string]json.RawMessage{}
	for _, f := range s.Template.Functions {
		for _, sch := range f.Schedules {
			input := strings.ReplaceAll(sch.Input, "<aws.scheduler.scheduled-time>", now)
			res, err := s.Invoke(ctx, f.Name, []byte(input))
			if err != nil {
				return out, fmt.Errorf("schedule %s of %s: %w", sch.EventName, f.LogicalID, err)
			}
			out[f.LogicalID+"."+sch.EventName] = res
		}
	}
	return out, nil
}

// controlRoutes are the local stack's own routes on the API port, for tests and walkthroughs:
// the clock, the deadline check on demand, the fault switch, fresh tokens, the issuer's public key,
// and the web portal (portal.go).
func (s *Stack) controlRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_local/clock", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"now": s.Clock.Now().UTC().Format(time.RFC3339), "clock": s.Clock.String()})
	})
	mux.HandleFunc("POST /_local/clock", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Now     string `json:"now"`
			Advance string `json:"advance"`
		}
		dec := json.NewDecoder(io.LimitReader(r.Body, 4096))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil || (in.Now == "") == (in.Advance == "") {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": `send {"now":"2026-10-15T10:00:00+05:00"} or {"advance":"72h"}`})
			return
		}
		if in.Now != "" {
			t, err := time.Parse(time.RFC3339, in.Now)
			if err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "now: " + err.Error()})
				return
			}
			s.Clock.Freeze(t)
		} else {
			d, err := time.ParseDuration(in.Advance)
			if err != nil || d < 0 {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "advance: want a positive duration such as 72h"})
				return
			}
			s.Clock.Advance(d)
		}
		writeJSON(w, http.StatusOK, map[string]string{"now": s.Clock.Now().UTC().Format(time.RFC3339), "clock": s.Clock.String()})
	})
	mux.HandleFunc("POST /_local/deadline-check", func(w http.ResponseWriter, r *http.Request) {
		out, err := s.RunScheduled(r.Context())
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, out)
	})
	mux.HandleFunc("GET /_local/mail", func(w http.ResponseWriter, r *http.Request) {
		mail, err := s.SentMail(r.Context())
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"mail": mail})
	})
	mux.HandleFunc("POST /_local/faults", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Function string `json:"function"`
			Failures int    `json:"failures"`
		}
		dec := json.NewDecoder(io.LimitReader(r.Body, 4096))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil || in.Function == "" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": `send {"function":"issue-certificate","failures":3}`})
			return
		}
		if err := s.InjectFault(in.Function, in.Failures); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"function": in.Function, "failures": s.FaultsLeft(in.Function)})
	})
	mux.HandleFunc("GET /_local/token", func(w http.ResponseWriter, r *http.Request) {
		u, err := userFromQuery(r)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		tok, err := s.Issuer.Token(u, 24*time.Hour)
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
		if r.URL.Query().Get("format") == "text" { // for export APPLICANT_TOKEN=$(curl -s ...)
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			fmt.Fprintln(w, tok)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"token": tok})
	})
	mux.Handle(PortalPath, portal{dir: s.portalDir, motoURL: s.MotoURL})
	mux.Handle(strings.TrimSuffix(PortalPath, "/"), portal{dir: s.portalDir, motoURL: s.MotoURL})
	if s.eds != nil {
		s.edsRoutes(mux)
	}
	mux.HandleFunc("GET /.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(append(s.Issuer.JWKS(), '\n'))
	})
	return mux
}

func userFromQuery(r *http.Request) (User, error) {
	q := r.URL.Query()
	var u User
	switch q.Get("role") {
	case "applicant":
		u = DemoApplicant
	case "authority":
		u = DemoAuthority
	case "sts":
		u = DemoSTS
	case "quality_authority":
		u = DemoQualityAuthority
	case "office":
		u = DemoOffice
	default:
		return User{}, errors.New("role: want applicant, authority, sts, quality_authority or office")
	}
	if v := q.Get("sub"); v != "" {
		u.Subject = v
	}
	if v := q.Get("name"); v != "" {
		u.Name = v
	}
	if v := q.Get("bin"); v != "" {
		u.BIN = v
	}
	return u, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// editionMode is the PolicyEditionMode parameter of the local stack: model unless enforce.
func editionMode(enforce bool) string {
	if enforce {
		return "enforce"
	}
	return "model"
}
