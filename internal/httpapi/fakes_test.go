package httpapi

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
	"attestation/internal/audit"
	"attestation/internal/idempotency"
	"attestation/internal/identity"
)

// fakeService stands in for the attestation service: it counts the calls that change a case and
// answers what its funcs say.
type fakeService struct {
	mu       sync.Mutex
	submits  int
	steps    int
	withdraw int
	// hold, when set, is waited on inside Submit (to hold a request while another arrives).
	hold    chan struct{}
	entered chan struct{}
	stepErr error
	panics  bool
	drafts  map[string]attestation.Draft
	// FileService: the routes of uploads are tested through the local stack (internal/e2e).
	FileService
}

// RequestDraftUploads declares each upload (no store, no presign of its own).
func (f *fakeService) RequestDraftUploads(ctx context.Context, actor identity.Actor, draftID string, ins []attestation.UploadRequest, now time.Time) ([]attestation.DeclaredUpload, error) {
	out := make([]attestation.DeclaredUpload, len(ins))
	for i, in := range ins {
		u := fakeUpload(fmt.Sprintf("U-%032d", i), draftID, now)
		u.Document, u.ContentType, u.Size, u.SHA256 = in.Document, in.ContentType, in.Size, in.SHA256
		out[i] = attestation.DeclaredUpload{Upload: u, Put: attestation.Presigned{Method: "PUT", URL: "https://documents.test/" + u.DocumentKey(),
			Headers: map[string]string{"Content-Type": in.ContentType}, ExpiresAt: now.Add(attestation.UploadURLExpiry)}}
	}
	return out, nil
}

// fakeUpload is a pending upload to a draft, as the service declares one.
func fakeUpload(id, draftID string, now time.Time) attestation.Upload {
	return attestation.Upload{ID: id, Scope: attestation.ScopeDraft, ScopeID: draftID, Document: "application", ContentType: "application/pdf",
		Size: 3, SHA256: strings.Repeat("a", 64), State: attestation.UploadPending, CreatedBy: "u-applicant", Role: identity.Applicant, CreatedAt: now}
}

// ConfirmDraftUploads confirms the first upload named and refuses the others as not a PDF.
func (f *fakeService) ConfirmDraftUploads(ctx context.Context, actor identity.Actor, draftID string, ids []string, now time.Time) ([]attestation.ConfirmResult, error) {
	out := make([]attestation.ConfirmResult, len(ids))
	for i, id := range ids {
		out[i].ID = id
		if i == 0 {
			u := fakeUpload(id, draftID, now)
			u.State, u.Key, u.VersionID, u.ConfirmedAt = attestation.UploadConfirmed, u.DocumentKey(), "v1", &now
			out[i].Upload = &u
			continue
		}
		out[i].Err = &attestation.UploadRefused{Problems: []attestation.Problem{{Field: "contentType", Rule: "upload", Message: "the file's content is not application/pdf"}}}
	}
	return out, nil
}

// CreateDraft stands in for the route that creates: it counts, and can hold or panic.
func (f *fakeService) CreateDraft(ctx context.Context, actor identity.Actor, pkg attestation.Package, now time.Time) (attestation.Draft, error) {
	if f.entered != nil {
		f.entered <- struct{}{}
	}
	if f.hold != nil {
		<-f.hold
	}
	if f.panics {
		panic("boom")
	}
	if len(pkg.Documents) > 0 {
		return attestation.Draft{}, &attestation.SubmissionRefused{Problems: []attestation.Problem{{Field: "documents", Rule: "§13", Message: "upload documents"}}}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.submits++
	pkg.Documents, pkg.Hardware, pkg.Software, pkg.Integrated = map[string]attestation.DocumentRef{}, []attestation.HardwareItem{}, []attestation.SoftwareItem{}, []attestation.IntegratedObject{}
	d := attestation.Draft{ID: fmt.Sprintf("D-%024d", f.submits), Organization: actor.BIN, Package: pkg, State: attestation.DraftOpen, Version: 1, CreatedAt: now, UpdatedAt: now}
	if f.drafts == nil {
		f.drafts = map[string]attestation.Draft{}
	}
	f.drafts[d.ID] = d
	return d, nil
}

func (f *fakeService) CheckPackage(actor identity.Actor, pkg attestation.Package, now time.Time) ([]attestation.Problem, error) {
	return nil, nil
}

func (f *fakeService) GetDraft(ctx context.Context, actor identity.Actor, id string, now time.Time) (attestation.Draft, []attestation.Problem, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, ok := f.drafts[id]
	if !ok || d.Organization != actor.BIN {
		return attestation.Draft{}, nil, apperr.Errorf(apperr.NotFound, "draft", "draft %s", id)
	}
	return d, nil, nil
}

func (f *fakeService) Get(ctx context.Context, actor identity.Actor, id string) (attestation.Case, []attestation.Event, error) {
	if id == "A-missing" {
		return attestation.Case{}, nil, apperr.Errorf(apperr.NotFound, "case", "get case %s", id)
	}
	if id == "A-broken" {
		return attestation.Case{}, nil, errors.New("dynamodb: connection reset by peer at 10.0.0.7")
	}
	return attestation.Case{ID: id, Stage: attestation.StageCompletenessCheck}, nil, nil
}

func (f *fakeService) CompleteStep(ctx context.Context, actor identity.Actor, caseID string, in attestation.Completion, now time.Time) (attestation.Decision, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stepErr != nil {
		return attestation.Decision{}, f.stepErr
	}
	// Like the service: a step that is not one of the procedure is not open, and an outcome the
	// step does not take is invalid (so no answer names a step or outcome the API does not have).
	rule, ok := attestation.Procedure[attestation.Stage(in.Step)]
	if !ok {
		return attestation.Decision{}, apperr.Errorf(apperr.Conflict, "", "step %q is not open", in.Step)
	}
	if _, ok := rule.Outcomes[in.Outcome]; !ok {
		return attestation.Decision{}, apperr.Errorf(apperr.Unprocessable, "", "outcome %q: allowed are %v", in.Outcome, rule.OutcomeNames())
	}
	f.steps++
	return attestation.Decision{Step: in.Step, Outcome: in.Outcome, At: now}, nil
}

func (f *fakeService) Withdraw(ctx context.Context, actor identity.Actor, caseID string, now time.Time) (attestation.Case, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.withdraw++
	return attestation.Case{ID: caseID, Stage: attestation.StageWithdrawn}, nil
}

// ResumeAfterAttention and CloseUnrecoverable answer as the service does for a case that needs
// attention ("A-20261015-0123456789abcdef"), and with a conflict for any other.
func (f *fakeService) ResumeAfterAttention(ctx context.Context, actor identity.Actor, caseID string, reasons []string, now time.Time) (attestation.Case, error) {
	return fakeHandback(caseID, attestation.HandbackResume, reasons, now)
}

func (f *fakeService) CloseUnrecoverable(ctx context.Context, actor identity.Actor, caseID string, reasons []string, now time.Time) (attestation.Case, error) {
	return fakeHandback(caseID, attestation.HandbackClose, reasons, now)
}

func fakeHandback(caseID, outcome string, reasons []string, now time.Time) (attestation.Case, error) {
	if caseID != "A-20261015-0123456789abcdef" {
		return attestation.Case{}, apperr.Errorf(apperr.Conflict, "case", "case %s does not need attention", caseID)
	}
	c := attestation.Case{ID: caseID, Stage: attestation.StageSubmitted, Attention: &attestation.Attention{Task: "RecordApplicationReceipt",
		Token: "tok", Handback: &attestation.Handback{Outcome: outcome, Reasons: reasons, At: now, Callback: attestation.CallbackSent}}}
	if outcome == attestation.HandbackClose {
		c.Stage = attestation.StageDiscontinued
	}
	return c, nil
}

func (f *fakeService) List(ctx context.Context, actor identity.Actor, limit int, cursor string) ([]attestation.Case, string, error) {
	if actor.Role != identity.Applicant {
		return nil, "", attestation.ErrForbidden
	}
	return []attestation.Case{}, "", nil
}

func (f *fakeService) Queue(ctx context.Context, actor identity.Actor, step string, overdueOnly bool, limit int, cursor string, now time.Time) ([]attestation.QueueItem, string, error) {
	if actor.Role != identity.Authority && actor.Role != identity.STS {
		return nil, "", attestation.ErrForbidden
	}
	if step != "" {
		if r, ok := attestation.Procedure[attestation.Stage(step)]; !ok || r.Role != actor.Role {
			return nil, "", attestation.ErrInvalid
		}
	}
	return []attestation.QueueItem{}, "", nil
}

func (f *fakeService) counts() (int, int, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.submits, f.steps, f.withdraw
}

// memCalls is an in-memory audit.Store with the adapter's rules: a record is put once per day,
// time and request ID; pages are in time order with an opaque cursor.
type memCalls struct {
	mu      sync.Mutex
	records map[string]audit.Record // by key
	fail    error
}

func newMemCalls() *memCalls { return &memCalls{records: map[string]audit.Record{}} }

func recordKey(r audit.Record) string {
	return r.Time.UTC().Format("2006-01-02T15:04:05.000Z") + "#" + r.RequestID
}

func (m *memCalls) Record(ctx context.Context, r audit.Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return fmt.Errorf("record call %s: %w", r.RequestID, m.fail)
	}
	if r.RequestID == "" {
		return audit.ErrInvalid
	}
	k := recordKey(r)
	if _, ok := m.records[k]; !ok {
		m.records[k] = r
	}
	return nil
}

func (m *memCalls) all() []audit.Record {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []audit.Record
	for _, r := range m.records {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return recordKey(out[i]) < recordKey(out[j]) })
	return out
}

func (m *memCalls) page(match func(audit.Record) bool, limit int, cursor string) (audit.Page, error) {
	start := 0
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil || n < 0 {
			return audit.Page{}, audit.ErrBadCursor
		}
		start = n
	}
	var sel []audit.Record
	for _, r := range m.all() {
		if match(r) {
			sel = append(sel, r)
		}
	}
	limit = audit.Limit(limit)
	var p audit.Page
	for i := start; i < len(sel) && len(p.Records) < limit; i++ {
		p.Records = append(p.Records, sel[i])
	}
	if start+limit < len(sel) {
		p.Cursor = strconv.Itoa(start + limit)
	}
	return p, nil
}

func (m *memCalls) ByCase(ctx context.Context, caseID string, limit int, cursor string) (audit.Page, error) {
	return m.page(func(r audit.Record) bool { return r.CaseID == caseID }, limit, cursor)
}

func (m *memCalls) ByDay(ctx context.Context, day string, limit int, cursor string) (audit.Page, error) {
	return m.page(func(r audit.Record) bool { return r.Day() == day }, limit, cursor)
}

// memClaims is an in-memory idempotency.Store with the adapter's conditions.
type memClaims struct {
	mu     sync.Mutex
	claims map[string]idempotency.Claim
}

func newMemClaims() *memClaims { return &memClaims{claims: map[string]idempotency.Claim{}} }

func (m *memClaims) Claim(ctx context.Context, c idempotency.Claim, now time.Time) (idempotency.Claim, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := c.Subject + "#" + c.Key
	old, ok := m.claims[k]
	if !ok || !old.ExpiresAt.After(now) || (old.Response == nil && !old.LockedUntil.After(now) && old.Fingerprint == c.Fingerprint) {
		m.claims[k] = c
		return c, true, nil
	}
	return old, false, nil
}

func (m *memClaims) Complete(ctx context.Context, subject, key, token string, resp idempotency.SavedResponse) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := subject + "#" + key
	c, ok := m.claims[k]
	if !ok || c.Token != token || c.Response != nil {
		return attestation.ErrConflict
	}
	c.Response = &resp
	m.claims[k] = c
	return nil
}

func (m *memClaims) Release(ctx context.Context, subject, key, token string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := subject + "#" + key
	c, ok := m.claims[k]
	if !ok || c.Token != token || c.Response != nil {
		return attestation.ErrConflict
	}
	delete(m.claims, k)
	return nil
}
