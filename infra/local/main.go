// Command local runs the whole attestation system on this machine, in the foreground, without
// AWS or Docker (`make run`): moto through the project's launcher, the functions served in this
// process through the Lambda Invoke API, the HTTP routes of template.yaml with the JWT check, and
// the deadline check on a timer. Ctrl-C stops everything it started.
//
//	go run ./infra/local -api-port 3000 -lambda-port 3001 -moto-port 3002 -clock 2026-10-15T10:00:00+05:00
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"attestation/internal/localstack"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "local stack:", err)
		os.Exit(1)
	}
}

// defaultMotoPort is moto's port unless -moto-port or MOTO_SERVER_PORT says otherwise: next to the
// API's 3000 and the Lambda Invoke API's 3001, and a port no common system service listens on
// (moto's own default, 5000, is macOS's AirPlay receiver).
const defaultMotoPort = 3002

func run() error {
	var (
		apiPort    = flag.Int("api-port", envInt("API_PORT", 3000), "port of the HTTP API (env API_PORT)")
		lambdaPort = flag.Int("lambda-port", envInt("LAMBDA_PORT", 3001), "port of the Lambda Invoke API (env LAMBDA_PORT)")
		motoPort   = flag.Int("moto-port", envInt("MOTO_SERVER_PORT", defaultMotoPort), "port of moto (env MOTO_SERVER_PORT)")
		clockFlag  = flag.String("clock", os.Getenv("LOCAL_CLOCK"), "the system's now: an RFC 3339 moment to freeze it at, or a signed offset such as -720h (env LOCAL_CLOCK)")
		tick       = flag.Duration("deadline-every", envDuration("DEADLINE_EVERY", time.Minute), "how often the deadline check runs (env DEADLINE_EVERY; 0 turns the timer off)")
		verbose    = flag.Bool("v", os.Getenv("LOCAL_VERBOSE") != "", "also print moto's own log (env LOCAL_VERBOSE)")
		faults     = flag.String("faults", os.Getenv("LOCAL_FAULTS"), "make functions fail with a transient error, e.g. issue-certificate=3,open-step=1 (env LOCAL_FAULTS; also POST /_local/faults)")
		enforceEd  = flag.Bool("enforce-editions", os.Getenv("LOCAL_ENFORCE_EDITIONS") == "true", "a filing falls under the policy edition in force on its date, a date none covers refused; default: the model mode, the configured edition applied and the case marked (env LOCAL_ENFORCE_EDITIONS=true)")
		signed     = flag.Bool("eds-required", os.Getenv("LOCAL_EDS_REQUIRED") == "true", "filings and steps must carry the electronic digital signatures the policy edition asks for (env LOCAL_EDS_REQUIRED=true)")
	)
	flag.Parse()
	if err := prerequisites(); err != nil {
		return err
	}
	clock, err := localstack.ParseClock(*clockFlag)
	if err != nil {
		return err
	}
	root, err := localstack.FindRoot(".")
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	var motoLog io.Writer
	if *verbose {
		motoLog = os.Stderr
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	started := time.Now()
	stack, err := localstack.Start(ctx, localstack.Options{Root: root, APIPort: *apiPort, LambdaPort: *lambdaPort, MotoPort: *motoPort,
		Clock: clock, Log: log, AccessLog: os.Stderr, MotoLog: motoLog, Faults: *faults, RequireSignatures: *signed, EnforceEditions: *enforceEd})
	if err != nil {
		return err
	}
	defer stack.Close()
	if err := printReady(stack, time.Since(started)); err != nil {
		return err
	}
	var ticks <-chan time.Time
	if *tick > 0 {
		t := time.NewTicker(*tick)
		defer t.Stop()
		ticks = t.C
	}
	for {
		select {
		case <-ctx.Done():
			fmt.Fprintln(os.Stderr, "\nlocal stack: stopping")
			return nil
		case <-ticks:
			if _, err := stack.RunScheduled(ctx); err != nil && !errors.Is(err, context.Canceled) {
				log.Error("deadline check", "error", err)
			}
		}
	}
}

// prerequisites names, in one line each, what is missing to run the stack.
func prerequisites() error {
	if _, err := exec.LookPath("python3"); err != nil {
		return errors.New("python3 is not on PATH: install Python 3 with moto[server]==5.2.1")
	}
	out, err := exec.Command("python3", "-c", "import moto; print(moto.__version__)").CombinedOutput()
	if err != nil {
		return errors.New("moto is not installed for the python3 on PATH: install moto[server]==5.2.1")
	}
	if v := strings.TrimSpace(string(out)); v != "5.2.1" {
		return fmt.Errorf("moto %s is installed, the local stack needs exactly 5.2.1: install moto[server]==5.2.1", v)
	}
	return nil
}

func printReady(s *localstack.Stack, took time.Duration) error {
	var b strings.Builder
	fmt.Fprintf(&b, "\nThe attestation system is running locally (ready in %s).\n\n", took.Round(time.Millisecond))
	fmt.Fprintf(&b, "  HTTP API            %s        (health: %s/health)\n", s.APIURL, s.APIURL)
	fmt.Fprintf(&b, "  web portal          %s%s   (sign in as a demo applicant, authority or STS)\n", s.APIURL, localstack.PortalPath)
	fmt.Fprintf(&b, "  Lambda Invoke API   %s\n", s.LambdaURL)
	fmt.Fprintf(&b, "  moto (AWS)          %s        (AWS_ENDPOINT_URL for the aws CLI)\n", s.MotoURL)
	fmt.Fprintf(&b, "  state machine       %s\n", s.StateMachineARN())
	fmt.Fprintf(&b, "  clock               %s (now %s)\n", s.Clock, s.Clock.Now().Format(time.RFC3339))
	fmt.Fprintf(&b, "  deadline check      POST %s/_local/deadline-check ; clock: GET|POST %s/_local/clock\n", s.APIURL, s.APIURL)
	fmt.Fprintf(&b, "  sent mail           GET %s/_local/mail (moto keeps what SES sent; from %s)\n\n", s.APIURL, localstack.LocalMailFrom)
	for _, u := range []struct {
		env  string
		user localstack.User
	}{{"APPLICANT", localstack.DemoApplicant}, {"AUTHORITY", localstack.DemoAuthority}, {"STS", localstack.DemoSTS}, {"QUALITY_AUTHORITY", localstack.DemoQualityAuthority}} {
		tok, err := s.Issuer.Token(u.user, 24*time.Hour)
		if err != nil {
			return err
		}
		who := string(u.user.Role)
		if u.user.BIN != "" {
			who += ", organisation " + u.user.BIN
		}
		fmt.Fprintf(&b, "  # %s (%s)\n  export %s_TOKEN=%s\n\n", u.user.Name, who, u.env, tok)
	}
	b.WriteString(freshTokens(s.APIURL))
	fmt.Fprintf(&b, "Try: curl -s %s/register/public-key, or the README's walkthrough from an empty system to a certificate\n", s.APIURL)
	fmt.Fprintf(&b, "Ctrl-C stops everything.\n")
	_, err := fmt.Fprint(os.Stdout, b.String())
	return err
}

func envInt(name string, def int) int {
	var v int
	if s := os.Getenv(name); s != "" {
		if _, err := fmt.Sscan(s, &v); err == nil {
			return v
		}
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if s := os.Getenv(name); s != "" {
		if d, err := time.ParseDuration(s); err == nil {
			return d
		}
	}
	return def
}

// freshTokens tells how to fetch fresh tokens after the clock moves: the printed ones live 24 hours
// of the local clock, and the authorizer refuses them after that, as API Gateway's would.
func freshTokens(apiURL string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "These tokens live 24 hours of the local clock. After every clock move (POST %s/_local/clock),\n", apiURL)
	b.WriteString("fetch fresh ones, or every call answers 401 (the reason is in the www-authenticate header):\n")
	for _, r := range []string{"applicant", "authority", "sts", "quality_authority"} {
		fmt.Fprintf(&b, "  export %s_TOKEN=$(curl -s '%s/_local/token?role=%s&format=text')\n", strings.ToUpper(r), apiURL, r)
	}
	b.WriteString("\n")
	return b.String()
}
