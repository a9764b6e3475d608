package attestation

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"attestation/internal/identity"
)

// The harness the upload, draft and step document tests run on: in-memory fakes of the uploads
// store and the documents bucket, and the helpers that declare, put and confirm an upload.

// copyUpload copies an upload as the DynamoDB adapter round-trips it: the organisation is kept
// beside the JSON (it is not part of it).
func copyUpload(u Upload) Upload {
	out := deepCopy(u)
	out.Organization = u.Organization
	out.SignatureP7S, out.Signed = slices.Clone(u.SignatureP7S), u.Signed // kept beside the JSON too (IIN in full)
	return out
}

// copyDraft copies a draft as the DynamoDB adapter round-trips it.
func copyDraft(d Draft) Draft {
	out := deepCopy(d)
	out.Organization = d.Organization
	out.Package.Edition = d.Package.Edition
	for id, ref := range d.Package.Documents { // the signature as stored, its IIN in full
		r := out.Package.Documents[id]
		r.Signature = ref.Signature
		out.Package.Documents[id] = r
	}
	return out
}

// memUploads is an in-memory UploadStore that behaves like the DynamoDB adapter
// (internal/dynamostore/uploads.go): a create is conditional on the ID being free; a confirm on
// the upload being pending and, for a draft's upload, on the draft being open, whose one document
// it sets (no version condition, so confirms side by side do not conflict); an update of a draft
// on its version and on it being open; a submit writes the case (conditional on its ID being
// free) and the draft (on its version and on it being open) together. A failed condition is
// ErrConflict and writes nothing.
type memUploads struct {
	mu       sync.Mutex
	cases    *memStore
	uploads  map[string]Upload
	drafts   map[string]Draft
	confirms int // successful ConfirmUpload
	submits  int // successful SubmitDraft

	// failConfirm, when set, is returned (once) by the next ConfirmUpload, which writes nothing:
	// the store throttled the call.
	failConfirm error
	// beforeSubmit, when set, runs (once) as the next SubmitDraft begins: another delivery's
	// submit that gets in first.
	beforeSubmit func()
	// lagging are IDs the sweep's index still lists whatever their state.
	lagging []string
}

var _ UploadStore = (*memUploads)(nil)

func newMemUploads(cases *memStore) *memUploads {
	return &memUploads{cases: cases, uploads: map[string]Upload{}, drafts: map[string]Draft{}}
}

func (m *memUploads) CreateUpload(ctx context.Context, u Upload, max int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.uploads[u.ID]; ok {
		return fmt.Errorf("create upload %s: %w", u.ID, ErrConflict)
	}
	n := 0
	for _, x := range m.uploads {
		if x.Scope == u.Scope && x.ScopeID == u.ScopeID {
			n++
		}
	}
	if n >= max {
		return fmt.Errorf("create upload %s: %w", u.ID, ErrTooManyUploads)
	}
	m.uploads[u.ID] = copyUpload(u)
	return nil
}

func (m *memUploads) GetUpload(ctx context.Context, id string) (Upload, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.uploads[id]
	if !ok {
		return Upload{}, fmt.Errorf("upload %s: %w", id, ErrNotFound)
	}
	return copyUpload(u), nil
}

func (m *memUploads) Uploads(ctx context.Context, ids []string) (map[string]Upload, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]Upload{}
	for _, id := range ids {
		if u, ok := m.uploads[id]; ok {
			out[id] = copyUpload(u)
		}
	}
	return out, nil
}

func (m *memUploads) ConfirmUpload(ctx context.Context, u Upload) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.failConfirm; err != nil {
		m.failConfirm = nil
		return fmt.Errorf("confirm upload %s: %w", u.ID, err)
	}
	cur, ok := m.uploads[u.ID]
	if !ok || cur.State != UploadPending {
		return fmt.Errorf("confirm upload %s: not pending: %w", u.ID, ErrConflict)
	}
	if u.Scope == ScopeDraft {
		d, ok := m.drafts[u.ScopeID]
		if !ok || d.State != DraftOpen {
			return fmt.Errorf("confirm upload %s: draft %s not open: %w", u.ID, u.ScopeID, ErrConflict)
		}
		d = copyDraft(d)
		if d.Package.Documents == nil {
			d.Package.Documents = map[string]DocumentRef{}
		}
		d.Package.Documents[u.Document] = DocumentRef{Key: u.DocumentKey(), SHA256: u.SHA256, ContentType: u.ContentType,
			Size: u.Size, Sheets: u.Sheets, VersionID: u.VersionID, Signature: u.Signed, ExpiresOn: u.ExpiresOn}
		d.Version++
		d.UpdatedAt = u.ConfirmedAt.UTC()
		m.drafts[d.ID] = d
	}
	m.uploads[u.ID] = copyUpload(u)
	m.confirms++
	return nil
}

func (m *memUploads) CreateUploads(ctx context.Context, us []Upload, max int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, x := range m.uploads {
		if x.Scope == us[0].Scope && x.ScopeID == us[0].ScopeID {
			n++
		}
	}
	if n+len(us) > max {
		return fmt.Errorf("create %d uploads: %w", len(us), ErrTooManyUploads)
	}
	for _, u := range us {
		if _, ok := m.uploads[u.ID]; ok {
			return fmt.Errorf("create upload %s: %w", u.ID, ErrConflict)
		}
	}
	for _, u := range us {
		m.uploads[u.ID] = copyUpload(u)
	}
	return nil
}

func (m *memUploads) ConfirmUploads(ctx context.Context, us []Upload) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.drafts[us[0].ScopeID]
	if !ok || d.State != DraftOpen {
		return fmt.Errorf("confirm uploads: draft %s not open: %w", us[0].ScopeID, ErrConflict)
	}
	for _, u := range us {
		if cur, ok := m.uploads[u.ID]; !ok || cur.State != UploadPending {
			return fmt.Errorf("confirm upload %s: not pending: %w", u.ID, ErrConflict)
		}
	}
	d = copyDraft(d)
	if d.Package.Documents == nil {
		d.Package.Documents = map[string]DocumentRef{}
	}
	for _, u := range us {
		d.Package.Documents[u.Document] = DocumentRef{Key: u.DocumentKey(), SHA256: u.SHA256, ContentType: u.ContentType,
			Size: u.Size, Sheets: u.Sheets, VersionID: u.VersionID, Signature: u.Signed, ExpiresOn: u.ExpiresOn}
		m.uploads[u.ID] = copyUpload(u)
		m.confirms++
	}
	d.Version++
	d.UpdatedAt = us[0].ConfirmedAt.UTC()
	m.drafts[d.ID] = d
	return nil
}

func (m *memUploads) CreateDraft(ctx context.Context, d Draft) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.drafts[d.ID]; ok {
		return fmt.Errorf("create draft %s: %w", d.ID, ErrConflict)
	}
	m.drafts[d.ID] = copyDraft(d)
	return nil
}

func (m *memUploads) GetDraft(ctx context.Context, id string) (Draft, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.drafts[id]
	if !ok {
		return Draft{}, fmt.Errorf("draft %s: %w", id, ErrNotFound)
	}
	return copyDraft(d), nil
}

func (m *memUploads) UpdateDraft(ctx context.Context, d Draft) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, ok := m.drafts[d.ID]
	if !ok || cur.Version != d.Version-1 || cur.State != DraftOpen {
		return fmt.Errorf("update draft %s version %d: %w", d.ID, d.Version, ErrConflict)
	}
	m.drafts[d.ID] = copyDraft(d)
	return nil
}

func (m *memUploads) SubmitDraft(ctx context.Context, d Draft, c Case, events ...Event) error {
	m.mu.Lock()
	first := m.beforeSubmit
	m.beforeSubmit = nil
	m.mu.Unlock()
	if first != nil {
		first()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, ok := m.drafts[d.ID]
	if !ok || cur.Version != d.Version-1 || cur.State != DraftOpen {
		return fmt.Errorf("submit draft %s version %d: %w", d.ID, d.Version, ErrConflict)
	}
	if err := m.cases.Create(ctx, c, events...); err != nil {
		return fmt.Errorf("submit draft %s: %w", d.ID, err)
	}
	m.drafts[d.ID] = copyDraft(d)
	m.submits++
	return nil
}

func (m *memUploads) draftCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.drafts)
}

func (m *memUploads) uploadCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.uploads)
}

// ExpiredUploads, ExpireUpload and DropUpload make memUploads the sweep's store too, as the
// DynamoDB adapter (internal/dynamostore/uploadsweep.go) is: the index lists pending and expired
// uploads by expiry, plus the IDs in lagging (an index that has not caught up with a confirm).
func (m *memUploads) ExpiredUploads(ctx context.Context, t time.Time, limit int) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for id, u := range m.uploads {
		if (u.State == UploadPending || u.State == UploadExpired) && !u.ExpiresAt().After(t) {
			out = append(out, id)
		}
	}
	out = append(out, m.lagging...)
	slices.Sort(out)
	return out[:min(len(out), limit)], nil
}

func (m *memUploads) ExpireUpload(ctx context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.uploads[id]
	switch {
	case !ok:
		return fmt.Errorf("expire upload %s: %w", id, ErrNotFound)
	case u.State != UploadPending && u.State != UploadExpired:
		return fmt.Errorf("expire upload %s: %w", id, ErrConflict)
	}
	u.State = UploadExpired
	m.uploads[id] = u
	return nil
}

func (m *memUploads) DropUpload(ctx context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if u, ok := m.uploads[id]; ok && u.State != UploadExpired {
		return fmt.Errorf("drop upload %s: %w", id, ErrConflict)
	}
	delete(m.uploads, id)
	return nil
}

// memObject is an object of the fake bucket.
type memObject struct {
	key         string
	body        []byte
	contentType string
	version     string
	sha256      string // as S3 computes it at the PUT
}

// memFiles is an in-memory documents bucket (Files), versioned like the real one. put stands for
// the caller's PUT to a presigned URL; unlike S3 it takes bytes that differ from the checksum
// signed into the URL (and records their own SHA-256, as S3 reports it), so that the service's
// own comparison is tested too.
type memFiles struct {
	mu       sync.Mutex
	objects  map[string]memObject
	history  map[string]memObject // every version ever put, by version
	versions int
	presigns []Presigned // PUTs presigned, in order
	stats    int
	heads    int

	// statDelay, when set, holds every Stat after its read: confirms side by side then all
	// check the object before any of them writes.
	statDelay time.Duration
	// afterStat, when set, runs (once) as the next Stat returns: a PUT that lands between the
	// check of the object's facts and the rest of the confirm.
	afterStat func()
	// failDelete, when set, is returned (once) by the next DeleteVersions, which deletes nothing.
	failDelete error
}

var _ Files = (*memFiles)(nil)

func newMemFiles() *memFiles {
	return &memFiles{objects: map[string]memObject{}, history: map[string]memObject{}}
}

func (f *memFiles) PresignPut(ctx context.Context, key, contentType, sha256Hex string, size int64, expiry time.Duration) (Presigned, error) {
	sum, err := hex.DecodeString(sha256Hex)
	if err != nil {
		return Presigned{}, fmt.Errorf("presign put %s: %w", key, err)
	}
	p := Presigned{URL: "https://documents.test/" + key + "?X-Amz-Expires=" + fmt.Sprint(int(expiry.Seconds())), Method: "PUT",
		Headers: map[string]string{"Content-Type": contentType, "Content-Length": fmt.Sprint(size),
			"X-Amz-Checksum-Sha256": base64.StdEncoding.EncodeToString(sum)}}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.presigns = append(f.presigns, p)
	return p, nil
}

func (f *memFiles) PresignGet(ctx context.Context, key, versionID string, expiry time.Duration) (Presigned, error) {
	return Presigned{URL: "https://documents.test/" + key + "?versionId=" + versionID, Method: "GET", Headers: map[string]string{}}, nil
}

// put stores body under key as a PUT to a presigned URL does.
func (f *memFiles) put(key, contentType string, body []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.versions++
	sum := sha256.Sum256(body)
	o := memObject{key: key, body: slices.Clone(body), contentType: contentType, version: fmt.Sprintf("v%d", f.versions), sha256: hex.EncodeToString(sum[:])}
	f.objects[key], f.history[o.version] = o, o
}

func (f *memFiles) Stat(ctx context.Context, key string) (ObjectFacts, error) {
	f.mu.Lock()
	o, ok := f.objects[key]
	delay, after := f.statDelay, f.afterStat
	f.afterStat = nil
	f.stats++
	f.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}
	if after != nil {
		defer after()
	}
	if !ok {
		return ObjectFacts{}, fmt.Errorf("object %s: %w", key, ErrNotFound)
	}
	return ObjectFacts{Size: int64(len(o.body)), ContentType: o.contentType, SHA256: o.sha256, VersionID: o.version}, nil
}

func (f *memFiles) ReadHead(ctx context.Context, key, versionID string, n int) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.heads++
	o, ok := f.history[versionID]
	if !ok {
		return nil, fmt.Errorf("object %s version %s: %w", key, versionID, ErrNotFound)
	}
	return slices.Clone(o.body[:min(n, len(o.body))]), nil
}

// DeleteVersions deletes every version of key (DocumentVersions); failDelete, when set, is
// returned (once) instead.
func (f *memFiles) DeleteVersions(ctx context.Context, key string) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.failDelete; err != nil {
		f.failDelete = nil
		return 0, fmt.Errorf("delete the versions of %s: %w", key, err)
	}
	n := 0
	for v, o := range f.history {
		if o.key == key {
			delete(f.history, v)
			n++
		}
	}
	delete(f.objects, key)
	return n, nil
}

// versionsOf is how many versions of key the bucket holds.
func (f *memFiles) versionsOf(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, o := range f.history {
		if o.key == key {
			n++
		}
	}
	return n
}

// object returns the current version of key, if there is one.
func (f *memFiles) object(key string) (memObject, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.objects[key]
	return o, ok
}

// version returns one version, if there is one.
func (f *memFiles) version(id string) (memObject, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.history[id]
	return o, ok
}

// requests is how many Stat and ReadHead calls the bucket answered.
func (f *memFiles) requests() (stats, heads int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stats, f.heads
}

// uploadHarness is the harness's service with the uploads store and the documents bucket.
type uploadHarness struct {
	*harness
	ups   *memUploads
	files *memFiles
}

func newUploadHarness(t *testing.T) *uploadHarness {
	t.Helper()
	return withFiles(newHarness(t))
}

// withFiles gives a harness's service the fakes of the uploads store and the bucket. The
// harness's walk attaches documents that are not uploads, so a test walks a case first.
func withFiles(h *harness) *uploadHarness {
	u := &uploadHarness{harness: h, ups: newMemUploads(h.store), files: newMemFiles()}
	h.rebuild(func(d *Deps) { d.Uploads, d.Files = u.ups, u.files })
	return u
}

// pdf is a small file that starts as a PDF does.
func pdf(text string) []byte { return []byte("%PDF-1.7\n% " + text + "\n%%EOF\n") }

// declaration declares body as a document of content type ct.
func declaration(doc, ct string, body []byte) UploadRequest {
	sum := sha256.Sum256(body)
	return UploadRequest{Document: doc, ContentType: ct, Size: int64(len(body)), SHA256: hex.EncodeToString(sum[:])}
}

// caseUpload declares body as a PDF of kind for a case.
func (h *uploadHarness) caseUpload(actor identity.Actor, caseID, kind string, body []byte) Upload {
	h.t.Helper()
	u, _, err := h.svc.RequestCaseUpload(h.ctx, actor, caseID, declaration(kind, "application/pdf", body), h.tick())
	if err != nil {
		h.t.Fatalf("request upload of %s to %s: %v", kind, caseID, err)
	}
	return u
}

// putAndConfirm PUTs body as declared and confirms the upload.
func (h *uploadHarness) putAndConfirm(actor identity.Actor, u Upload, body []byte) Upload {
	h.t.Helper()
	h.files.put(u.DocumentKey(), u.ContentType, body)
	got, err := h.svc.ConfirmUpload(h.ctx, actor, u.ID, h.tick())
	if err != nil {
		h.t.Fatalf("confirm %s: %v", u.ID, err)
	}
	return got
}

func (h *uploadHarness) storedUpload(id string) Upload {
	h.t.Helper()
	u, err := h.ups.GetUpload(h.ctx, id)
	if err != nil {
		h.t.Fatalf("stored upload %s: %v", id, err)
	}
	return u
}

// refusal returns the problems of an *UploadRefused; it fails the test on any other error.
func refusal(t *testing.T, err error) []Problem {
	t.Helper()
	var r *UploadRefused
	if !errors.As(err, &r) {
		t.Fatalf("error %v, want an upload refused", err)
	}
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("an upload refused is not ErrInvalid: %v", err)
	}
	return r.Problems
}

// submissionProblems returns the problems of a *SubmissionRefused; it fails the test on any
// other error.
func submissionProblems(t *testing.T, err error) []Problem {
	t.Helper()
	var r *SubmissionRefused
	if !errors.As(err, &r) {
		t.Fatalf("error %v, want a submission refused", err)
	}
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("a submission refused is not ErrInvalid: %v", err)
	}
	return r.Problems
}

func problemFields(ps []Problem) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.Field)
	}
	slices.Sort(out)
	return out
}
