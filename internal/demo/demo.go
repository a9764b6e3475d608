// Package demo tells the README's story against a running local stack (`make run`), as one
// program (`make demo`, infra/demo): an applicant registers an object and files a complete
// package under the object's own name; the authority, the STS and the applicant each complete
// their steps of the procedure, in turn, up to the certificate; the certificate is downloaded, its
// register entry checked offline with the register's public key, and then recalled. It moves the
// stack's clock to the moments of the story and fetches fresh tokens from the local token route
// after every move; it waits for each step to open by reading the case, never by sleeping a fixed
// time. It talks to the API only over HTTP, as any client would.
package demo

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Config is what the demo runs against and where it writes.
type Config struct {
	APIURL      string        // the local stack's HTTP API, e.g. http://127.0.0.1:3000
	PackageFile string        // a complete package (internal/attestation/testdata/packages/valid.json)
	OutDir      string        // where the downloaded and checked files go (build/demo)
	ObjectName  string        // the object's name; "" is "E-licensing"
	StepTimeout time.Duration // how long to wait for a step to open; 0 is 30 seconds
	Out         io.Writer     // where the lines go; nil is nowhere
	HTTP        *http.Client  // nil is a client with a 30-second timeout
}

// Result is what the demo did, for tests and for its last lines.
type Result struct {
	ObjectID    string
	CaseID      string
	ObjectName  string     // the case's object name, as the case shows it
	PlanLate    bool       // the year's plan was filed after its due date (§11)
	PlanDueAt   time.Time  // when the plan was due
	Steps       []StepLine // every step, in the order walked
	Certificate string     // its number, e.g. 2026/00001
	Verified    bool       // the register entry's signature checked offline
	Recalled    string     // the certificate's status after the recall
	Files       []string   // the files written, under OutDir
}

// The story's moments, in Almaty: filed inside the application window (§12), acted on over the
// following weeks as the paths of internal/e2e do.
var (
	filedAt  = time.Date(2026, 10, 15, 10, 0, 0, 0, almaty)
	actsFrom = map[string]time.Time{
		"completeness_check": time.Date(2026, 10, 16, 10, 0, 0, 0, almaty),
		"send_contract":      time.Date(2026, 10, 16, 11, 0, 0, 0, almaty),
		"sign_contract":      time.Date(2026, 10, 19, 10, 0, 0, 0, almaty),
		"survey":             time.Date(2026, 11, 16, 10, 0, 0, 0, almaty),
		"decision":           time.Date(2026, 11, 17, 10, 0, 0, 0, almaty),
		"send_documents":     time.Date(2026, 11, 18, 10, 0, 0, 0, almaty),
	}
	recalledAt = time.Date(2026, 11, 19, 10, 0, 0, 0, almaty)
)

// move is one step of the procedure as the story completes it.
type move struct {
	step, role, outcome string
	what                string   // what the actor does, in words
	documents           []string // the kinds the actor uploads to the case and attaches
}

// issuedPath is the procedure from filing to the certificate (§14-§28), who acts at each step
// and how.
var issuedPath = []move{
	{step: "completeness_check", role: "authority", outcome: "forward", what: "the package is complete, forwarded to the STS"},
	{step: "send_contract", role: "sts", outcome: "contract_sent", what: "the contract sent to the applicant", documents: []string{"contract"}},
	{step: "sign_contract", role: "applicant", outcome: "signed", what: "the contract signed and returned", documents: []string{"signed_contract"}},
	{step: "survey", role: "sts", outcome: "act", what: "the survey done, its act handed over", documents: []string{"survey_act"}},
	{step: "decision", role: "authority", outcome: "issue", what: "decided to issue the certificate"},
	{step: "send_documents", role: "authority", outcome: "sent", what: "the certificate and the act sent to the applicant"},
}

// story is one run: its configuration, its client and what it found so far.
type story struct {
	cfg Config
	c   *client
	res Result
}

// Run tells the story against cfg.APIURL and answers what it did; the first failure stops it.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if cfg.APIURL == "" || cfg.PackageFile == "" || cfg.OutDir == "" {
		return Result{}, errors.New("demo: the API's URL, the package file and the output directory are all needed")
	}
	if cfg.ObjectName == "" {
		cfg.ObjectName = "E-licensing"
	}
	if cfg.StepTimeout <= 0 {
		cfg.StepTimeout = 30 * time.Second
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 30 * time.Second}
	}
	if err := os.MkdirAll(cfg.OutDir, 0o755); err != nil {
		return Result{}, fmt.Errorf("demo: %w", err)
	}
	s := &story{cfg: cfg, c: newClient(cfg.APIURL, cfg.HTTP)}
	for _, part := range []func(context.Context) error{s.file, s.walk, s.certificate, s.recall} {
		if err := part(ctx); err != nil {
			return s.res, fmt.Errorf("demo: %w", err)
		}
	}
	return s.res, nil
}

func (s *story) say(format string, args ...any) { fmt.Fprintf(s.cfg.Out, format+"\n", args...) }

// at moves the stack's clock to t; the client drops its tokens, and fetches fresh ones on use.
func (s *story) at(ctx context.Context, t time.Time) error { return s.c.setClock(ctx, t) }

// file registers the object, files the year's plan, builds a draft of the package under the
// object's own ID and name, uploads its documents and files it.
func (s *story) file(ctx context.Context) error {
	if err := s.at(ctx, filedAt); err != nil {
		return err
	}
	s.say("The attestation demo against %s, files in %s", s.c.api, s.cfg.OutDir)
	s.say("%s  the clock set to %s; every role's token comes fresh from %s/_local/token after each clock move", stamp(s.c.now), s.c.now.In(almaty).Format(time.RFC3339), s.c.api)
	var obj struct {
		ID string `json:"id"`
	}
	in := map[string]string{"kind": "state_is", "name": s.cfg.ObjectName, "developer": "Digital Services LLP", "lifeCycleStage": "trial_operation"}
	if err := s.c.call(ctx, "applicant", http.MethodPost, "/objects", in, http.StatusCreated, &obj); err != nil {
		return fmt.Errorf("register the object: %w", err)
	}
	s.res.ObjectID = obj.ID
	s.say("%s  %-30s registers the object %s %q (state information system, trial operation)", stamp(s.c.now), s.c.who("applicant"), obj.ID, s.cfg.ObjectName)

	year := filedAt.In(almaty).Year()
	plan := map[string]any{"rows": []map[string]string{{"objectId": obj.ID, "lifeCycleStage": "trial_operation", "plannedDate": fmt.Sprintf("%d-11-20", year)}}}
	var planned struct {
		Late  bool   `json:"late"`
		DueAt string `json:"dueAt"`
	}
	if err := s.c.call(ctx, "applicant", http.MethodPut, fmt.Sprintf("/plans/%d", year), plan, anySuccess, &planned); err != nil {
		return fmt.Errorf("file the plan: %w", err)
	}
	s.res.PlanLate = planned.Late
	s.res.PlanDueAt, _ = time.Parse(time.RFC3339, planned.DueAt)
	lateness := "on time"
	if planned.Late {
		lateness = "late"
	}
	s.say("%s  %-30s files the %d plan (Annex 1, §11): %s, it was due %s Almaty", stamp(s.c.now), s.c.who("applicant"), year, lateness, s.res.PlanDueAt.In(almaty).Format("Mon 02 Jan 2006 15:04"))

	draft, documents, err := s.draftBody()
	if err != nil {
		return err
	}
	var created struct {
		ID string `json:"id"`
	}
	if err := s.c.call(ctx, "applicant", http.MethodPost, "/drafts", draft, http.StatusCreated, &created); err != nil {
		return fmt.Errorf("create the draft: %w", err)
	}
	for _, doc := range documents {
		if _, err := s.c.upload(ctx, "applicant", "/drafts/"+created.ID+"/uploads", doc); err != nil {
			return fmt.Errorf("the draft's documents: %w", err)
		}
	}
	var checked struct {
		Check struct {
			Complete bool              `json:"complete"`
			Problems []json.RawMessage `json:"problems"`
		} `json:"check"`
	}
	if err := s.c.call(ctx, "applicant", http.MethodGet, "/drafts/"+created.ID, nil, http.StatusOK, &checked); err != nil {
		return fmt.Errorf("check the draft: %w", err)
	}
	if !checked.Check.Complete {
		return fmt.Errorf("the draft is not complete after %d uploads: %d problems, the first %s", len(documents), len(checked.Check.Problems), checked.Check.Problems[0])
	}
	var filed struct {
		ID string `json:"id"`
	}
	if err := s.c.call(ctx, "applicant", http.MethodPost, "/drafts/"+created.ID+"/submit", nil, http.StatusCreated, &filed); err != nil {
		return fmt.Errorf("file the draft: %w", err)
	}
	s.res.CaseID = filed.ID
	s.say("%s  %-30s files case %s: %d documents uploaded, the package complete (§13)", stamp(s.c.now), s.c.who("applicant"), filed.ID, len(documents))
	return nil
}

// draftBody is the sample package without its documents, for the registered object: its ID and
// its name (a draft names the object it is for exactly as registered); and the kinds of
// documents to upload to it, in a stable order.
func (s *story) draftBody() (map[string]any, []string, error) {
	raw, err := os.ReadFile(s.cfg.PackageFile)
	if err != nil {
		return nil, nil, fmt.Errorf("the sample package: %w", err)
	}
	var pkg map[string]any
	if err := json.Unmarshal(raw, &pkg); err != nil {
		return nil, nil, fmt.Errorf("the sample package %s: %w", s.cfg.PackageFile, err)
	}
	docs, _ := pkg["documents"].(map[string]any)
	object, _ := pkg["object"].(map[string]any)
	if len(docs) == 0 || object == nil {
		return nil, nil, fmt.Errorf("the sample package %s has no object or no documents", s.cfg.PackageFile)
	}
	kinds := make([]string, 0, len(docs))
	for k := range docs {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	delete(pkg, "documents")
	object["id"] = s.res.ObjectID
	object["name"] = s.cfg.ObjectName
	return pkg, kinds, nil
}

// caseView is the part of GET /cases/{caseId} the demo reads.
type caseView struct {
	ObjectName  string `json:"objectName"`
	Stage       string `json:"stage"`
	Certificate string `json:"certificate"`
	OpenStep    *struct {
		Name      string `json:"name"`
		Role      string `json:"role"`
		DueAt     string `json:"dueAt"`
		Paragraph string `json:"paragraph"`
	} `json:"openStep"`
	Documents []struct {
		Kind string `json:"kind"`
		Key  string `json:"key"`
	} `json:"documents"`
}

// waitFor reads the case as role until done holds of it, or the step timeout passes: a step
// opens a moment after the previous one completes (Step Functions runs the task that opens it).
func (s *story) waitFor(ctx context.Context, role, what string, done func(caseView) bool) (caseView, error) {
	var v caseView
	err := s.poll(ctx, func(late bool) (bool, error) {
		v = caseView{}
		if err := s.c.call(ctx, role, http.MethodGet, "/cases/"+s.res.CaseID, nil, http.StatusOK, &v); err != nil {
			return false, err
		}
		if done(v) {
			return true, nil
		}
		if late {
			open := "no open step"
			if v.OpenStep != nil {
				open = "open step " + v.OpenStep.Name
			}
			return false, fmt.Errorf("case %s: waited %s for %s; it is at stage %s with %s", s.res.CaseID, s.cfg.StepTimeout, what, v.Stage, open)
		}
		return false, nil
	})
	return v, err
}

// waitForOK asks for path as role until it answers 200, or StepTimeout passes.
func (s *story) waitForOK(ctx context.Context, role, path, what string) error {
	return s.poll(ctx, func(late bool) (bool, error) {
		err := s.c.call(ctx, role, http.MethodGet, path, nil, http.StatusOK, nil)
		if err == nil {
			return true, nil
		}
		if late {
			return false, fmt.Errorf("waited %s for %s: %w", s.cfg.StepTimeout, what, err)
		}
		return false, nil
	})
}

// poll calls try every 100 ms until it is done or fails; late tells try that StepTimeout has
// passed, so that this try is its last and it answers why it is not done.
func (s *story) poll(ctx context.Context, try func(late bool) (done bool, err error)) error {
	deadline := time.Now().Add(s.cfg.StepTimeout)
	for {
		late := time.Now().After(deadline)
		done, err := try(late)
		if done || err != nil {
			return err
		}
		if late {
			return fmt.Errorf("waited %s", s.cfg.StepTimeout) // try gave no reason
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// walk completes every step of the issued path as its role, each once it is open.
func (s *story) walk(ctx context.Context) error {
	for _, m := range issuedPath {
		v, err := s.waitFor(ctx, "authority", "step "+m.step+" to open", func(v caseView) bool {
			return v.OpenStep != nil && v.OpenStep.Name == m.step
		})
		if err != nil {
			return err
		}
		if v.OpenStep.Role != m.role {
			return fmt.Errorf("step %s is the %s's, the story has the %s act", m.step, v.OpenStep.Role, m.role)
		}
		due, err := time.Parse(time.RFC3339, v.OpenStep.DueAt)
		if err != nil {
			return fmt.Errorf("step %s: due %q: %w", m.step, v.OpenStep.DueAt, err)
		}
		if err := s.at(ctx, actsFrom[m.step]); err != nil {
			return err
		}
		if err := s.complete(ctx, m); err != nil {
			return err
		}
		left, err := workingDaysLeft(s.c.now, due)
		if err != nil {
			return err
		}
		line := StepLine{Step: m.step, Paragraph: v.OpenStep.Paragraph, Role: m.role, Who: s.c.who(m.role), What: m.what,
			Outcome: m.outcome, At: s.c.now, DueAt: due, DaysLeft: left}
		s.res.Steps = append(s.res.Steps, line)
		s.say("%s", line)
	}
	v, err := s.waitFor(ctx, "applicant", "the certificate", func(v caseView) bool { return v.Stage == "issued" && v.Certificate != "" })
	if err != nil {
		return err
	}
	s.res.Certificate, s.res.ObjectName = v.Certificate, v.ObjectName
	// The case is issued when the certificate is entered in the register; its owner reads it once
	// the authority has sent it (§28), a step of the workflow after that.
	if err := s.waitForOK(ctx, "applicant", "/certificates/"+v.Certificate, "the certificate sent to its owner (§28)"); err != nil {
		return err
	}
	s.say("%s  case %s issued: certificate %s for %q", stamp(s.c.now), s.res.CaseID, v.Certificate, v.ObjectName)
	return nil
}

// complete sends the step's decision as its role, with the documents it uploads first, the
// survey's act (§24) and the certificate's terms (Annex 7).
func (s *story) complete(ctx context.Context, m move) error {
	body := map[string]any{"step": m.step, "outcome": m.outcome}
	var attached []map[string]string
	for _, kind := range m.documents {
		key, err := s.c.upload(ctx, m.role, "/cases/"+s.res.CaseID+"/uploads", kind)
		if err != nil {
			return fmt.Errorf("step %s: %w", m.step, err)
		}
		attached = append(attached, map[string]string{"kind": kind, "key": key})
	}
	if attached != nil {
		body["documents"] = attached
	}
	if m.outcome == "act" {
		body["act"] = map[string]string{"number": "AKT-17", "date": s.c.now.In(almaty).Format(time.DateOnly)}
	}
	if m.outcome == "issue" {
		body["certificate"] = terms
	}
	if err := s.c.call(ctx, m.role, http.MethodPost, "/cases/"+s.res.CaseID+"/step", body, http.StatusOK, nil); err != nil {
		return fmt.Errorf("step %s: %w", m.step, err)
	}
	return nil
}

// terms are the certificate's terms the authority writes with its decision (Annex 7), as in the
// README.
var terms = map[string]any{
	"informationCategory": "restricted",
	"prohibitions":        []map[string]string{{"kk": "Интернетке қосуға тыйым салынады", "ru": "Запрещается подключение к сети Интернет", "en": "Connecting to the Internet is prohibited"}},
	"notifiableChanges":   []map[string]string{{"kk": "Серверлердің желілік мекенжайлары", "ru": "Сетевые адреса серверов", "en": "The network addresses of the servers"}},
	"chairman": map[string]any{"name": "Әлібеков Серік",
		"position": map[string]string{"kk": "Комитет төрағасы", "ru": "Председатель Комитета", "en": "Chairman of the Committee"}},
}

// certificate downloads the certificate's PDF as the applicant, reads its register entry from
// the public verification route and checks the entry's signature offline.
func (s *story) certificate(ctx context.Context) error {
	if err := s.download(ctx, "", "certificate.pdf"); err != nil {
		return err
	}
	var entry struct {
		Status    string `json:"status"`
		Payload   string `json:"payload"`
		Signature struct {
			Value string `json:"value"`
		} `json:"signature"`
	}
	if err := s.c.call(ctx, "", http.MethodGet, "/certificates/"+s.res.Certificate, nil, http.StatusOK, &entry); err != nil {
		return fmt.Errorf("the certificate's public view: %w", err)
	}
	payload, err := base64.StdEncoding.DecodeString(entry.Payload)
	if err != nil {
		return fmt.Errorf("the entry's payload: %w", err)
	}
	sig, err := base64.StdEncoding.DecodeString(entry.Signature.Value)
	if err != nil {
		return fmt.Errorf("the entry's signature: %w", err)
	}
	key, err := s.get(ctx, "/register/public-key")
	if err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		b    []byte
	}{{"entry.json", payload}, {"entry.sig", sig}, {"register.pem", key}} {
		if err := s.write(f.name, f.b); err != nil {
			return err
		}
	}
	if err := verifyEntry(key, payload, sig); err != nil {
		return fmt.Errorf("certificate %s: %w", s.res.Certificate, err)
	}
	var signed struct {
		Number string `json:"number"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal(payload, &signed); err != nil || signed.Number != s.res.Certificate {
		return fmt.Errorf("the signed entry names certificate %q, not %s (%v)", signed.Number, s.res.Certificate, err)
	}
	s.res.Verified = true
	s.say("%s  %-30s verifies the register entry of %s offline (%s): Verified OK, status %s",
		stamp(s.c.now), "anyone, without a token", s.res.Certificate, "ECDSA P-256 over SHA-256, key from /register/public-key", signed.Status)
	return nil
}

// recall has the authority recall the certificate on the owner's application (§45(2)) and the
// applicant download its copy of the decision; the public view then shows it recalled.
func (s *story) recall(ctx context.Context) error {
	if err := s.at(ctx, recalledAt); err != nil {
		return err
	}
	in := map[string]any{"ground": "owner_application", "reasons": []string{"The owner asked in writing"}}
	var out struct {
		Certificate struct {
			Status string `json:"status"`
		} `json:"certificate"`
	}
	if err := s.c.call(ctx, "authority", http.MethodPost, "/certificates/"+s.res.Certificate+"/recall", in, http.StatusOK, &out); err != nil {
		return fmt.Errorf("recall: %w", err)
	}
	s.res.Recalled = out.Certificate.Status
	if err := s.download(ctx, "recall_decision", "recall.pdf"); err != nil {
		return err
	}
	s.say("%s  %-30s recalls %s on the owner's application (§45(2)): %s; the return is due in 3 working days (§46)",
		stamp(s.c.now), s.c.who("authority"), s.res.Certificate, out.Certificate.Status)
	s.say("Files: %s", strings.Join(s.res.Files, ", "))
	return nil
}

// download fetches a copy of the certificate's documents ("" is the certificate as the owner
// holds it) as the applicant, through its presigned GET, into name.
func (s *story) download(ctx context.Context, copyOf, name string) error {
	path := "/certificates/" + s.res.Certificate + "/document"
	if copyOf != "" {
		path += "?copy=" + copyOf
	}
	var link struct {
		Get presigned `json:"get"`
	}
	if err := s.c.call(ctx, "applicant", http.MethodGet, path, nil, http.StatusOK, &link); err != nil {
		return fmt.Errorf("the link to %s: %w", name, err)
	}
	var pdf []byte
	if err := s.c.transfer(ctx, link.Get, nil, &pdf); err != nil {
		return fmt.Errorf("download %s: %w", name, err)
	}
	if !strings.HasPrefix(string(pdf), "%PDF-") {
		return fmt.Errorf("%s is not a PDF: it begins %q", name, pdf[:min(len(pdf), 16)])
	}
	return s.write(name, pdf)
}

// get reads a public route's bytes as they are.
func (s *story) get(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.c.api+path, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	resp, err := s.cfg.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %d %v", path, resp.StatusCode, err)
	}
	return b, nil
}

// write puts b in the output directory as name and lists it.
func (s *story) write(name string, b []byte) error {
	p := filepath.Join(s.cfg.OutDir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	s.res.Files = append(s.res.Files, p)
	return nil
}
