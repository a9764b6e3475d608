package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
)

// layer is where a package stands in the import graph.
type layer string

// The layers, from the bottom up.
const (
	domain   layer = "domain"   // the regulation's rules and the ports they need; no AWS
	adapter  layer = "adapter"  // implements a domain port on an AWS service
	boundary layer = "boundary" // turns an event (an HTTP request, a Step Functions task) into domain calls
	wiring   layer = "wiring"   // the composition: builds adapters, services and handlers from a function's config
	entry    layer = "main"     // a Lambda function's bootstrap
	harness  layer = "harness"  // runs the functions on one machine, or end to end against them
	support  layer = "support"  // reads the project's own files (template.yaml) for the harness and the tests
)

// layers is the single statement of the module's layers: every package, by its path in the
// module ("x/..." is x and every package under it), and the layer it stands in. A row may name a
// package that does not exist yet; every package that exists must match exactly one row.
var layers = []struct {
	pkg   string
	layer layer
}{
	{"internal/attestation", domain},      // the procedure's rules (§7-§39): the case, its stages, its services and their ports
	{"internal/register", domain},         // the register of certificates (§29): signed entries and their history
	{"internal/objects", domain},          // objects of informatization (§5, §6) and the annual plans (§11, Annex 1)
	{"internal/complaints", domain},       // complaints about the service and their consideration (standard §11)
	{"internal/oversight", domain},        // the authority's view across organisations (§4, §11)
	{"internal/policy", domain},           // the editions of the regulation as data: periods, documents, rules
	{"internal/calendar", domain},         // the working-day calendar every deadline is counted with
	{"internal/identity", domain},         // who calls: a token's claims turned into an Actor; masking for logs
	{"internal/audit", domain},            // the call records (seed 003 §8) and the store port they are kept through
	{"internal/callarchive", domain},      // the daily hash-chained archive of the call records (seed 003 §7-§8, Law Art. 40)
	{"internal/statistics", domain},       // the statistics of the service for oversight (standard §4; the stages' periods)
	{"internal/certificate", domain},      // the certificate of Annex 7 printed as PDF (§28, §38)
	{"internal/issuing", domain},          // issuing a certificate (§28, §38): number, PDF, acts, register entry
	{"internal/deadline", domain},         // the scheduled deadline check, driven by the schedule's time
	{"internal/signing", domain},          // the register's signatures: the contract, the offline check, an in-process signer
	{"internal/idempotency", domain},      // the Idempotency-Key protocol and its store port
	{"internal/apperr", domain},           // the closed set of error kinds, once it exists
	{"internal/eds", domain},              // electronic digital signatures (NCA, CMS/PKCS#7): verification, OCSP
	{"internal/notice", domain},           // the outbox: notifications, the personal cabinet, their texts (issue 13)
	{"internal/dynamostore", adapter},     // DynamoDB: cases, register, objects, complaints, call records, claims
	{"internal/s3store", adapter},         // S3: documents, acts and certificates (Object Lock)
	{"internal/sfnflow", adapter},         // Step Functions: one execution per case and the callbacks of its human steps
	{"internal/kmssign", adapter},         // KMS: the register's signing key
	{"internal/delivery", adapter},        // EventBridge and SES v2: the notifications' events and mail (issue 13)
	{"internal/egov", adapter},            // the state registers through the e-government gateway (standard §9): a fixed stand-in
	{"internal/httpapi", boundary},        // API Gateway's HTTP requests in, service calls, problems out
	{"internal/transition", boundary},     // the state machine's Lambda tasks; errors named for Retry and Catch
	{"internal/notify", boundary},         // the table's stream in, the notifications' delivery (issue 13)
	{"internal/wiring/...", wiring},       // builds each function's handler; its subpackages (composition roots) alike
	{"functions/...", entry},              // one thin main per Lambda function
	{"internal/localstack", harness},      // the whole system on one machine: moto, the Lambda Invoke API, the routes
	{"infra/...", harness},                // the local stack's command
	{"internal/e2e", harness},             // end-to-end tests against the local stack
	{"internal/e2e/portal", harness},      // the web portal driven in headless Chromium against its own local stack
	{"internal/e2e/browser", harness},     // headless Chromium started for the tests that open pages in it
	{"internal/e2e/edsrequired", harness}, // filings with EDS required (EDS_REQUIRED), on a local stack of its own
	{"internal/e2e/enforce", harness},     // filings in the enforce mode of the editions (POLICY_EDITION_MODE), on a local stack of its own
	{"internal/demo", harness},            // the README's story against a running local stack (make demo)
	{"internal/eds/edstest", harness},     // a test certificate authority (NCA-shaped) with an OCSP responder, and a CMS signer
	{"internal/samtemplate", support},     // reads template.yaml for the local stack and the tests
	{"internal/aslgen", support},          // writes statemachine/attestation.asl.json from its source (make asl), and its diagram (make diagram)
	{"internal/archtest", support},        // this test
}

// rowOf is the row of layers that pkg (a path in the module) matches, or -1, and how many rows
// match it.
func rowOf(pkg string) (row, matches int) {
	row = -1
	for i, l := range layers {
		base, tree := strings.CutSuffix(l.pkg, "/...")
		if pkg == base || (tree && strings.HasPrefix(pkg, base+"/")) {
			if row < 0 {
				row = i
			}
			matches++
		}
	}
	return row, matches
}

// pkg is a package of the module as go list describes it: its import path, its imports (not its
// tests') and everything it depends on, directly or not.
type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

// graph is the module's packages, by import path, and the module's path.
type graph struct {
	module string
	pkgs   []pkg
}

// inModule is p's path in the module ("internal/httpapi"), if p is the module's.
func (g graph) inModule(p string) (string, bool) {
	return strings.CutPrefix(p, g.module+"/")
}

// layerOf is the layer of p (an import path), if p is the module's and in the table.
func (g graph) layerOf(p string) (layer, bool) {
	rel, ok := g.inModule(p)
	if !ok {
		return "", false
	}
	if row, _ := rowOf(rel); row >= 0 {
		return layers[row].layer, true
	}
	return "", false
}

// name is how a failure names p: its path in the module and its layer.
func (g graph) name(p string) string {
	rel, _ := g.inModule(p)
	l, _ := g.layerOf(p)
	return fmt.Sprintf("%s (%s)", rel, l)
}

// importsOnly lists every import by a package of layer from of a module package outside allowed.
func (g graph) importsOnly(from layer, allowed ...layer) []string {
	var bad []string
	for _, p := range g.pkgs {
		if l, _ := g.layerOf(p.ImportPath); l != from {
			continue
		}
		for _, imp := range p.Imports {
			if _, mine := g.inModule(imp); !mine {
				continue
			}
			if l, _ := g.layerOf(imp); !slices.Contains(allowed, l) {
				bad = append(bad, fmt.Sprintf("%s imports %s", g.name(p.ImportPath), g.name(imp)))
			}
		}
	}
	return bad
}

// awsPrefix begins the path of every AWS package: the SDK and aws-lambda-go.
const awsPrefix = "github.com/aws/"

// dependsOnAWS lists every package of layer from that depends on an AWS package, directly or
// through any other package.
func (g graph) dependsOnAWS(from layer) []string {
	var bad []string
	for _, p := range g.pkgs {
		if l, _ := g.layerOf(p.ImportPath); l != from {
			continue
		}
		var aws []string
		for _, d := range p.Deps {
			if strings.HasPrefix(d, awsPrefix) {
				aws = append(aws, d)
			}
		}
		if len(aws) > 0 {
			bad = append(bad, fmt.Sprintf("%s depends on %d AWS packages: %s", g.name(p.ImportPath), len(aws), strings.Join(aws, ", ")))
		}
	}
	return bad
}

// importedOnlyBy lists every import of a package of layer to by a package outside importers.
func (g graph) importedOnlyBy(to layer, importers ...layer) []string {
	var bad []string
	for _, p := range g.pkgs {
		from, _ := g.layerOf(p.ImportPath)
		if slices.Contains(importers, from) {
			continue
		}
		for _, imp := range p.Imports {
			if l, ok := g.layerOf(imp); ok && l == to {
				bad = append(bad, fmt.Sprintf("%s imports %s", g.name(p.ImportPath), g.name(imp)))
			}
		}
	}
	return bad
}

// unplaced lists every package of the module that matches no row of layers, or more than one.
func (g graph) unplaced() []string {
	var bad []string
	for _, p := range g.pkgs {
		rel, ok := g.inModule(p.ImportPath)
		if !ok {
			bad = append(bad, fmt.Sprintf("%s: the module's root package has no layer", p.ImportPath))
			continue
		}
		switch _, n := rowOf(rel); {
		case n == 0:
			bad = append(bad, fmt.Sprintf("%s has no layer: add it to the table", rel))
		case n > 1:
			bad = append(bad, fmt.Sprintf("%s matches %d rows of the table, want 1", rel, n))
		}
	}
	return bad
}

// The rules. Each test is named after the rule it checks; the imports are the packages' own
// (go list's Imports), not their tests': an adapter's tests start the local stack, and the
// end-to-end tests reach everything.

// domainRule: a domain package imports only domain packages (no adapter, HTTP API, Step Functions
// task, wiring, main or harness) and depends on no AWS package, even through a third party.
func domainRule(g graph) []string {
	return append(g.importsOnly(domain, domain), g.dependsOnAWS(domain)...)
}

// adapterRule: an adapter imports only domain packages and other adapters (no HTTP API, Step
// Functions task, wiring, main or harness): it depends on the ports it implements.
func adapterRule(g graph) []string { return g.importsOnly(adapter, domain, adapter) }

// wiringRule: only the bootstrap mains, the wiring itself and the harness (the local stack, its
// command and the end-to-end tests) import the wiring.
func wiringRule(g graph) []string { return g.importedOnlyBy(wiring, entry, wiring, harness) }

func TestDomainImportsOnlyDomainAndNothingFromAWS(t *testing.T) {
	report(t, domainRule(moduleGraph(t)))
}

func TestAdaptersImportOnlyDomainAndAdapters(t *testing.T) {
	report(t, adapterRule(moduleGraph(t)))
}

func TestOnlyMainsWiringAndTheLocalHarnessImportWiring(t *testing.T) {
	report(t, wiringRule(moduleGraph(t)))
}

func TestEveryPackageHasExactlyOneLayer(t *testing.T) {
	report(t, moduleGraph(t).unplaced())
}

// TestTheRulesCatchWhatTheyForbid runs the rules on a made-up graph holding one import of each
// kind they forbid, beside allowed ones; the first is the one main had before internal/idempotency
// (dynamostore importing httpapi for the claim types).
func TestTheRulesCatchWhatTheyForbid(t *testing.T) {
	m := func(p string) string { return "attestation/" + p }
	g := graph{module: "attestation", pkgs: []pkg{
		{ImportPath: m("internal/dynamostore"), Imports: []string{m("internal/attestation"), m("internal/httpapi"), "github.com/aws/aws-sdk-go-v2/aws"}},
		{ImportPath: m("internal/s3store"), Imports: []string{m("internal/transition"), m("internal/dynamostore")}},
		{ImportPath: m("internal/kmssign"), Imports: []string{m("internal/localstack"), m("internal/wiring")}},
		{ImportPath: m("internal/register"), Imports: []string{m("internal/signing"), m("internal/dynamostore")}},
		{ImportPath: m("internal/signing"), Deps: []string{"crypto/ecdsa", "github.com/aws/aws-sdk-go-v2/aws"}},
		{ImportPath: m("internal/objects"), Imports: []string{m("internal/httpapi"), m("internal/wiring")}},
		{ImportPath: m("internal/httpapi"), Imports: []string{m("internal/attestation"), m("internal/wiring")}},
		{ImportPath: m("internal/wiring/api"), Imports: []string{m("internal/wiring"), m("internal/httpapi")}},
		{ImportPath: m("functions/api"), Imports: []string{m("internal/wiring/api")}},
		{ImportPath: m("internal/localstack"), Imports: []string{m("internal/wiring")}},
		{ImportPath: m("internal/newthing")},
		{ImportPath: m("internal/attestation")},
	}}
	for _, tc := range []struct {
		rule string
		got  []string
		want []string
	}{
		{"domain", domainRule(g), []string{
			"internal/register (domain) imports internal/dynamostore (adapter)",
			"internal/objects (domain) imports internal/httpapi (boundary)",
			"internal/objects (domain) imports internal/wiring (wiring)",
			"internal/signing (domain) depends on 1 AWS packages: github.com/aws/aws-sdk-go-v2/aws",
		}},
		{"adapter", adapterRule(g), []string{
			"internal/dynamostore (adapter) imports internal/httpapi (boundary)",
			"internal/s3store (adapter) imports internal/transition (boundary)",
			"internal/kmssign (adapter) imports internal/localstack (harness)",
			"internal/kmssign (adapter) imports internal/wiring (wiring)",
		}},
		{"wiring", wiringRule(g), []string{
			"internal/kmssign (adapter) imports internal/wiring (wiring)",
			"internal/objects (domain) imports internal/wiring (wiring)",
			"internal/httpapi (boundary) imports internal/wiring (wiring)",
		}},
		{"layers", g.unplaced(), []string{"internal/newthing has no layer: add it to the table"}},
	} {
		if !slices.Equal(tc.got, tc.want) {
			t.Errorf("%s rule:\n got %q\nwant %q", tc.rule, tc.got, tc.want)
		}
	}
}

// report fails t with one line per broken import.
func report(t *testing.T, bad []string) {
	t.Helper()
	for _, b := range bad {
		t.Error(b)
	}
}

var (
	loadOnce sync.Once
	loaded   graph
	loadErr  error
)

// moduleGraph is the module's import graph, read once with go list.
func moduleGraph(t *testing.T) graph {
	t.Helper()
	loadOnce.Do(func() { loaded, loadErr = load() })
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	return loaded
}

// load runs go list on every package of the module.
func load() (graph, error) {
	out, err := goList("-m")
	if err != nil {
		return graph{}, err
	}
	g := graph{module: strings.TrimSpace(string(out))}
	out, err = goList("-e", "-json=ImportPath,Imports,Deps,Error", g.module+"/...")
	if err != nil {
		return graph{}, err
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			pkg
			Error *struct{ Err string }
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return graph{}, fmt.Errorf("go list: decode: %w", err)
		}
		if p.Error != nil {
			return graph{}, fmt.Errorf("go list: %s: %s", p.ImportPath, p.Error.Err)
		}
		g.pkgs = append(g.pkgs, p.pkg)
	}
	if len(g.pkgs) == 0 {
		return graph{}, fmt.Errorf("go list: no packages in module %s", g.module)
	}
	return g, nil
}

// goList runs go list with args and returns its standard output.
func goList(args ...string) ([]byte, error) {
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list %s: %w: %s", strings.Join(args, " "), err, stderr.String())
	}
	return out, nil
}
