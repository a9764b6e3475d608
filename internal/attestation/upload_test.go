package attestation

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"attestation/internal/identity"
	"attestation/internal/policy"
)

// The upload flow (declare, PUT to quarantine, confirm), drafts (§13) and the documents of a
// step, on in-memory fakes of the uploads store and the documents bucket.

// copyUpload copies an upload as the DynamoDB adapter round-trips it: the organisation is kept
// beside the JSON (it is not part of it).
func copyUpload(u Upload) Upload {
	out := deepCopy(u)
	out.Organization = u.Organization
	return out
}

// copyDraft copies a draft as the DynamoDB adapter round-trips it.
func copyDraft(d Draft) Draft {
	out := deepCopy(d)
	out.Organization = d.Organization
	out.Package.Edition = d.Package.Edition
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
}

var _ UploadStore = (*memUploads)(nil)

func newMemUploads(cases *memStore) *memUploads {
	return &memUploads{cases: cases, uploads: map[string]Upload{}, drafts: map[string]Draft{}}
}

func (m *memUploads) CreateUpload(ctx context.Context, u Upload) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.uploads[u.ID]; ok {
		return fmt.Errorf("create upload %s: %w", u.ID, ErrConflict)
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
			Size: u.Size, Sheets: u.Sheets, VersionID: u.VersionID}
		d.Version++
		d.UpdatedAt = u.ConfirmedAt.UTC()
		m.drafts[d.ID] = d
	}
	m.uploads[u.ID] = copyUpload(u)
	m.confirms++
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

// memObject is an object of the fake bucket.
type memObject struct {
	body        []byte
	contentType string
	version     string
}

// memFiles is an in-memory documents bucket (Files), versioned like the real one. Like S3 in the
// local stack it does not check a PUT's bytes against the checksum signed into its URL: that is
// what the service's confirm does. put stands for the caller's PUT to a presigned URL.
type memFiles struct {
	mu       sync.Mutex
	objects  map[string]memObject
	versions int
	presigns []Presigned // PUTs presigned, in order
	promotes int
	deletes  int

	// openDelay, when set, holds every Open after its read: confirms side by side then all read
	// the quarantine object before any of them moves it.
	openDelay time.Duration
}

var _ Files = (*memFiles)(nil)

func newMemFiles() *memFiles { return &memFiles{objects: map[string]memObject{}} }

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
	f.objects[key] = memObject{body: slices.Clone(body), contentType: contentType, version: fmt.Sprintf("v%d", f.versions)}
}

func (f *memFiles) Open(ctx context.Context, key string) (StoredFile, error) {
	f.mu.Lock()
	o, ok := f.objects[key]
	delay := f.openDelay
	f.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}
	if !ok {
		return StoredFile{}, fmt.Errorf("object %s: %w", key, ErrNotFound)
	}
	return StoredFile{Body: io.NopCloser(bytes.NewReader(slices.Clone(o.body))), Size: int64(len(o.body)), ContentType: o.contentType, VersionID: o.version}, nil
}

func (f *memFiles) Promote(ctx context.Context, from, to string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.objects[from]
	if !ok {
		return "", fmt.Errorf("copy %s: %w", from, ErrNotFound)
	}
	f.versions++
	o.version = fmt.Sprintf("v%d", f.versions)
	f.objects[to] = o
	delete(f.objects, from)
	f.promotes++
	return o.version, nil
}

func (f *memFiles) Delete(ctx context.Context, key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.objects, key)
	f.deletes++
	return nil
}

// object returns the object under key, if there is one.
func (f *memFiles) object(key string) (memObject, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.objects[key]
	return o, ok
}

func (f *memFiles) counts() (promotes, deletes int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.promotes, f.deletes
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
	h.files.put(u.QuarantineKey(), u.ContentType, body)
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

func TestConfirmUploadMovesTheRightBytesOutOfQuarantine(t *testing.T) {
	h := newUploadHarness(t)
	id := h.newCase(caseSpec{})
	body := pdf("the signed contract")
	req := declaration(DocSignedContract, "application/pdf", body)
	req.SHA256 = strings.ToUpper(req.SHA256) // a declaration in upper case is taken
	u, p, err := h.svc.RequestCaseUpload(h.ctx, applicant, id, req, h.tick())
	if err != nil {
		t.Fatal(err)
	}
	if !validUploadID(u.ID) || u.State != UploadPending || u.Scope != ScopeCase || u.ScopeID != id || u.Organization != applicantBIN ||
		u.SHA256 != strings.ToLower(req.SHA256) || u.Key != "" || u.VersionID != "" || u.ConfirmedAt != nil {
		t.Fatalf("declared upload %+v", u)
	}
	if p.Method != "PUT" || !strings.Contains(p.URL, u.QuarantineKey()) || p.Headers["Content-Type"] != "application/pdf" ||
		p.ExpiresAt.IsZero() || !p.ExpiresAt.Equal(h.now.Add(UploadURLExpiry).UTC()) {
		t.Fatalf("presigned %+v", p)
	}
	if got := h.storedUpload(u.ID); got.State != UploadPending {
		t.Fatalf("stored %+v", got)
	}

	got := h.putAndConfirm(applicant, u, body)
	if got.State != UploadConfirmed || got.Key != DocumentPrefix+u.ID || got.Key != u.DocumentKey() || got.VersionID == "" ||
		got.ConfirmedAt == nil || !got.ConfirmedAt.Equal(h.now) || UploadIDOfKey(got.Key) != u.ID {
		t.Fatalf("confirmed %+v", got)
	}
	if _, ok := h.files.object(u.QuarantineKey()); ok {
		t.Fatal("the bytes are still in quarantine")
	}
	o, ok := h.files.object(u.DocumentKey())
	if !ok || !bytes.Equal(o.body, body) || o.version != got.VersionID || o.contentType != "application/pdf" {
		t.Fatalf("document %+v %v", o, ok)
	}
	if s := h.storedUpload(u.ID); s.State != UploadConfirmed || s.Key != got.Key || s.VersionID != got.VersionID {
		t.Fatalf("stored %+v", s)
	}
}

func TestConfirmUploadRefusesBytesThatAreNotWhatWasDeclared(t *testing.T) {
	good := pdf("the signed contract")
	for _, tc := range []struct {
		name, field, says string
		ct                string
		body              []byte
	}{
		{"a wrong SHA-256", "sha256", "SHA-256", "application/pdf", pdf("the signed CONTRACT")},
		{"a wrong size", "size", "bytes", "application/pdf", append(slices.Clone(good), '\n')},
		{"a wrong content type", "contentType", "image/png", "image/png", good},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.field == "sha256" && len(tc.body) != len(good) {
				t.Fatal("the bytes of another SHA-256 must have the declared size")
			}
			h := newUploadHarness(t)
			id := h.newCase(caseSpec{})
			u := h.caseUpload(applicant, id, DocSignedContract, good)
			h.files.put(u.QuarantineKey(), tc.ct, tc.body)
			_, err := h.svc.ConfirmUpload(h.ctx, applicant, u.ID, h.tick())
			ps := refusal(t, err)
			if len(ps) != 1 || ps[0].Field != tc.field || ps[0].Rule != ruleUpload || !strings.Contains(ps[0].Message, tc.says) {
				t.Fatalf("problems %v, want one of %s", ps, tc.field)
			}
			if _, ok := h.files.object(u.QuarantineKey()); ok {
				t.Fatal("the refused bytes are still in quarantine")
			}
			if _, ok := h.files.object(u.DocumentKey()); ok {
				t.Fatal("the refused bytes left quarantine")
			}
			if promotes, _ := h.files.counts(); promotes != 0 {
				t.Fatalf("%d promotes", promotes)
			}
			if s := h.storedUpload(u.ID); s.State != UploadPending || s.Key != "" || s.ConfirmedAt != nil {
				t.Fatalf("after a refusal the upload is %+v", s)
			}
			// The right file PUT to the same URL is then confirmed.
			got := h.putAndConfirm(applicant, u, good)
			if got.State != UploadConfirmed || got.VersionID == "" {
				t.Fatalf("confirmed %+v", got)
			}
			if o, ok := h.files.object(u.DocumentKey()); !ok || !bytes.Equal(o.body, good) {
				t.Fatal("the right bytes are not the document")
			}
		})
	}
	t.Run("bytes that are not a PDF though declared and summed as one", func(t *testing.T) {
		h := newUploadHarness(t)
		id := h.newCase(caseSpec{})
		html := []byte("<html><body>not a contract</body></html>")
		u := h.caseUpload(applicant, id, DocSignedContract, html) // the declaration matches the bytes
		h.files.put(u.QuarantineKey(), "application/pdf", html)
		_, err := h.svc.ConfirmUpload(h.ctx, applicant, u.ID, h.tick())
		ps := refusal(t, err)
		if len(ps) != 1 || ps[0].Field != "contentType" || !strings.Contains(ps[0].Message, "not application/pdf") {
			t.Fatalf("problems %v", ps)
		}
		if _, ok := h.files.object(u.QuarantineKey()); ok {
			t.Fatal("the refused bytes are still in quarantine")
		}
		if s := h.storedUpload(u.ID); s.State != UploadPending {
			t.Fatalf("after a refusal the upload is %+v", s)
		}
		// Such a declaration can never be confirmed; the PDF is declared again and confirmed.
		u2 := h.caseUpload(applicant, id, DocSignedContract, good)
		if got := h.putAndConfirm(applicant, u2, good); got.State != UploadConfirmed {
			t.Fatalf("confirmed %+v", got)
		}
	})
	t.Run("each media type is checked by its first bytes", func(t *testing.T) {
		for ct, head := range map[string][]byte{
			"application/pdf": []byte("%PDF-1.4"), "image/png": []byte("\x89PNG\r\n\x1a\n...."), "image/jpeg": []byte("\xff\xd8\xff\xe0"),
			"image/tiff": []byte("II*\x00...."),
			"application/vnd.openxmlformats-officedocument.wordprocessingml.document": []byte("PK\x03\x04...."),
		} {
			if !sniff(ct, head) {
				t.Errorf("%s: %q not taken", ct, head)
			}
			if sniff(ct, []byte("GIF89a")) {
				t.Errorf("%s: a GIF taken", ct)
			}
		}
		if !sniff("image/tiff", []byte("MM\x00*....")) || sniff("text/html", []byte("<html>")) {
			t.Error("tiff big-endian not taken, or an unknown type taken")
		}
	})
}

func TestConfirmUploadTwiceReturnsTheSameUpload(t *testing.T) {
	h := newUploadHarness(t)
	id := h.newCase(caseSpec{})
	body := pdf("contract")
	u := h.caseUpload(applicant, id, DocSignedContract, body)
	first := h.putAndConfirm(applicant, u, body)
	again, err := h.svc.ConfirmUpload(h.ctx, applicant, u.ID, h.tick())
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != first.ID || again.State != UploadConfirmed || again.Key != first.Key || again.VersionID != first.VersionID ||
		again.ConfirmedAt == nil || !again.ConfirmedAt.Equal(*first.ConfirmedAt) {
		t.Fatalf("second confirm %+v, first %+v", again, first)
	}
	if promotes, _ := h.files.counts(); promotes != 1 || h.ups.confirms != 1 {
		t.Fatalf("%d promotes, %d confirms stored; want 1 and 1", promotes, h.ups.confirms)
	}
}

func TestConfirmUploadSideBySideReturnsTheSameUpload(t *testing.T) {
	h := newUploadHarness(t)
	id := h.newCase(caseSpec{})
	body := pdf("contract")
	u := h.caseUpload(applicant, id, DocSignedContract, body)
	h.files.put(u.QuarantineKey(), u.ContentType, body)
	h.files.openDelay = 20 * time.Millisecond // every confirm reads the quarantine object before any moves it
	at := h.tick()
	const n = 4
	got := make([]Upload, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = h.svc.ConfirmUpload(h.ctx, applicant, u.ID, at)
		}()
	}
	wg.Wait()
	stored := h.storedUpload(u.ID)
	if stored.State != UploadConfirmed || stored.VersionID == "" {
		t.Fatalf("stored %+v", stored)
	}
	for i := range n {
		if errors.Is(errs[i], ErrConflict) {
			continue // "another request is confirming it; retry": a 409 the caller retries
		}
		if errs[i] != nil {
			t.Fatalf("bug: confirm %d of %d side by side: %v (a repeated delivery of a confirm that another one is moving out of quarantine fails, "+
				"wrapped as ErrNotFound, instead of answering the confirmed upload: see upload.go, ConfirmUpload, the Promote error)", i+1, n, errs[i])
		}
		if got[i].State != UploadConfirmed || got[i].VersionID != stored.VersionID {
			t.Fatalf("confirm %d: %+v, stored %+v", i+1, got[i], stored)
		}
	}
}

func TestConfirmUploadAfterAnInterruptedConfirmKeepsTheVersion(t *testing.T) {
	h := newUploadHarness(t)
	id := h.newCase(caseSpec{})
	body := pdf("contract")
	u := h.caseUpload(applicant, id, DocSignedContract, body)
	h.files.put(u.QuarantineKey(), u.ContentType, body)
	h.ups.failConfirm = errors.New("throttled")
	if _, err := h.svc.ConfirmUpload(h.ctx, applicant, u.ID, h.tick()); err == nil {
		t.Fatal("a confirm whose write failed succeeded")
	}
	// The bytes were moved out of quarantine before the write failed; a confirm again finds them
	// there, checks them, and stores the upload confirmed.
	got, err := h.svc.ConfirmUpload(h.ctx, applicant, u.ID, h.tick())
	if err != nil {
		t.Fatal(err)
	}
	o, ok := h.files.object(u.DocumentKey())
	if !ok || got.State != UploadConfirmed {
		t.Fatalf("confirmed %+v, document there %v", got, ok)
	}
	if got.VersionID != o.version || h.storedUpload(u.ID).VersionID != o.version {
		t.Fatalf("a confirm that finds the bytes already moved out of quarantine stores the upload with version %q, answers %q; "+
			"the document's version is %q", h.storedUpload(u.ID).VersionID, got.VersionID, o.version)
	}
}

func TestConfirmUploadOfNothingSaysToPUTFirst(t *testing.T) {
	h := newUploadHarness(t)
	id := h.newCase(caseSpec{})
	u := h.caseUpload(applicant, id, DocSignedContract, pdf("contract"))
	_, err := h.svc.ConfirmUpload(h.ctx, applicant, u.ID, h.tick())
	ps := refusal(t, err)
	if len(ps) != 1 || !strings.Contains(ps[0].Message, "PUT the file") || !strings.Contains(ps[0].Message, "then confirm") {
		t.Fatalf("problems %v", ps)
	}
	if s := h.storedUpload(u.ID); s.State != UploadPending {
		t.Fatalf("stored %+v", s)
	}
}

func TestUploadsOfAnotherOrganisationAreNotFound(t *testing.T) {
	h := newUploadHarness(t)
	id := h.newCase(caseSpec{})
	body := pdf("contract")
	u := h.caseUpload(applicant, id, DocSignedContract, body)
	h.files.put(u.QuarantineKey(), u.ContentType, body)
	_, err := h.svc.ConfirmUpload(h.ctx, otherApplicant, u.ID, h.tick())
	mustErr(t, err, ErrNotFound)
	if s := h.storedUpload(u.ID); s.State != UploadPending {
		t.Fatalf("another organisation's confirm changed the upload: %+v", s)
	}
	if _, ok := h.files.object(u.QuarantineKey()); !ok {
		t.Fatal("another organisation's confirm touched the bytes")
	}
	_, _, err = h.svc.RequestCaseUpload(h.ctx, otherApplicant, id, declaration(DocSignedContract, "application/pdf", body), h.tick())
	mustErr(t, err, ErrNotFound)
	for _, bad := range []string{"", "U-", "U-" + strings.Repeat("A", 32), "U-" + strings.Repeat("0", 31), "X-" + strings.Repeat("0", 32), "U-" + strings.Repeat("0", 32)} {
		_, err := h.svc.ConfirmUpload(h.ctx, applicant, bad, h.tick())
		mustErr(t, err, ErrNotFound)
	}
	_, _, err = h.svc.RequestCaseUpload(h.ctx, applicant, "A-20261005-0000000000000000", declaration(DocSignedContract, "application/pdf", body), h.tick())
	mustErr(t, err, ErrNotFound)
	// Staff confirm what the applicant uploaded to a case (the STS and the authority act on it).
	if got, err := h.svc.ConfirmUpload(h.ctx, sts, u.ID, h.tick()); err != nil || got.State != UploadConfirmed {
		t.Fatalf("staff confirm: %+v %v", got, err)
	}
}

func TestUploadDeclarationIsChecked(t *testing.T) {
	h := newUploadHarness(t)
	id := h.newCase(caseSpec{})
	for _, tc := range []struct {
		name   string
		req    UploadRequest
		fields []string
	}{
		{"every field wrong", UploadRequest{Document: "", ContentType: "text/html", Size: 0, SHA256: "abc", Sheets: -1},
			[]string{"contentType", "document", "sha256", "sheets", "size"}},
		{"a size over the limit and a SHA-256 that is not hex", UploadRequest{Document: DocSignedContract, ContentType: "application/pdf",
			Size: MaxUploadBytes + 1, SHA256: strings.Repeat("g", 64)}, []string{"sha256", "size"}},
		{"a negative size and no content type", UploadRequest{Document: DocSignedContract, Size: -5, SHA256: strings.Repeat("a", 64)},
			[]string{"contentType", "size"}},
		{"a document id too long", UploadRequest{Document: strings.Repeat("d", MaxDocumentIDLength+1), ContentType: "image/png", Size: 1,
			SHA256: strings.Repeat("a", 64), Sheets: MaxSheets + 1}, []string{"document", "sheets"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := h.svc.RequestCaseUpload(h.ctx, applicant, id, tc.req, h.tick())
			ps := refusal(t, err)
			if got := problemFields(ps); !slices.Equal(got, tc.fields) {
				t.Fatalf("fields %v, want %v (%v)", got, tc.fields, ps)
			}
			for _, p := range ps {
				if p.Rule != ruleUpload || p.Message == "" {
					t.Fatalf("problem %+v", p)
				}
			}
		})
	}
	if n := h.ups.uploadCount(); n != 0 || len(h.files.presigns) != 0 {
		t.Fatalf("a refused declaration stored %d uploads and presigned %d PUTs", n, len(h.files.presigns))
	}
	ps := refusal(t, func() error {
		_, _, err := h.svc.RequestCaseUpload(h.ctx, applicant, id, UploadRequest{Document: "x", ContentType: "text/plain", Size: 1, SHA256: strings.Repeat("a", 64)}, h.tick())
		return err
	}())
	if !strings.Contains(ps[0].Message, "application/pdf") {
		t.Fatalf("the refusal of a content type does not list the accepted ones: %v", ps)
	}
}

// draftPackage is the data of a complete package of a legal entity's state body system with no
// flags set, without its documents (they come by upload).
func draftPackage() Package {
	hw := func(serial string, ips ...string) HardwareItem {
		return HardwareItem{ManufacturerModel: "Dell PowerEdge R750", SerialNumber: serial, CertificateNumber: "KZ.7500.01.2023",
			Location: "Astana, server room 2", Type: "rack server", Purpose: "application server",
			Protection: "access control, audit logging", IntegratedSoftware: "Dell, iDRAC, 6.10", IPAddresses: ips}
	}
	sw := func(name string, on ...string) SoftwareItem {
		return SoftwareItem{Developer: "Canonical", Name: name, Version: "24.04", InstalledOn: on,
			Type: "operating system", Purpose: "server operating system", Protection: "AppArmor"}
	}
	return Package{
		Applicant: Applicant{Name: "Digital Services LLP", IdentityNumber: applicantBIN, Type: ApplicantLegalEntity},
		Object:    ObjectInfo{Name: "Register of permits", Kind: "state_is", Developer: "Digital Services LLP"},
		Hardware:  []HardwareItem{hw("INV-0001", "10.10.1.11"), hw("INV-0002", "10.10.1.12")},
		Software:  []SoftwareItem{sw("Ubuntu Server", "INV-0001", "INV-0002")},
	}
}

// requiredDocuments are the documents §13 requires of draftPackage, with their paragraphs.
func requiredDocuments(t *testing.T) []policy.Requirement {
	t.Helper()
	ed, err := policy.Load(editionRules)
	if err != nil {
		t.Fatal(err)
	}
	return ed.RequiredItems(draftPackage().PolicyFlags())
}

func (h *uploadHarness) newDraft() Draft {
	h.t.Helper()
	d, err := h.svc.CreateDraft(h.ctx, applicant, draftPackage(), h.tick())
	if err != nil {
		h.t.Fatalf("create draft: %v", err)
	}
	return d
}

// draftUpload declares, PUTs and confirms a PDF as document doc of a draft.
func (h *uploadHarness) draftUpload(draftID, doc string) Upload {
	h.t.Helper()
	body := pdf(draftID + "/" + doc)
	u, _, err := h.svc.RequestDraftUpload(h.ctx, applicant, draftID, declaration(doc, "application/pdf", body), h.tick())
	if err != nil {
		h.t.Fatalf("request upload of %s to %s: %v", doc, draftID, err)
	}
	return h.putAndConfirm(applicant, u, body)
}

func (h *uploadHarness) check(id string) (Draft, []Problem) {
	h.t.Helper()
	d, ps, err := h.svc.GetDraft(h.ctx, applicant, id, h.now)
	if err != nil {
		h.t.Fatalf("get draft %s: %v", id, err)
	}
	return d, ps
}

func TestCreateDraft(t *testing.T) {
	h := newUploadHarness(t)
	t.Run("§13 documents are not sent in the draft: they come by upload", func(t *testing.T) {
		pkg := draftPackage()
		sum := sha256.Sum256([]byte("x"))
		pkg.Documents = map[string]DocumentRef{"application": {Key: "somewhere/else.pdf", SHA256: hex.EncodeToString(sum[:]), ContentType: "application/pdf", Size: 10}}
		_, err := h.svc.CreateDraft(h.ctx, applicant, pkg, h.tick())
		ps := submissionProblems(t, err)
		if len(ps) != 1 || ps[0].Field != "documents" || ps[0].Rule != "§13" || !strings.Contains(ps[0].Message, "upload") {
			t.Fatalf("problems %v", ps)
		}
	})
	t.Run("§13, Annex 2 an applicant drafts for its own organisation", func(t *testing.T) {
		pkg := draftPackage()
		pkg.Applicant.IdentityNumber = otherBIN
		_, err := h.svc.CreateDraft(h.ctx, applicant, pkg, h.tick())
		ps := submissionProblems(t, err)
		if len(ps) != 1 || ps[0].Field != "applicant.identityNumber" || ps[0].Rule != "§13, Annex 2" || !strings.Contains(ps[0].Message, "own organisation") {
			t.Fatalf("problems %v", ps)
		}
	})
	t.Run("staff do not draft applications", func(t *testing.T) {
		_, err := h.svc.CreateDraft(h.ctx, authority, draftPackage(), h.tick())
		mustErr(t, err, ErrForbidden)
	})
	if n := h.ups.draftCount(); n != 0 {
		t.Fatalf("refused drafts stored: %d", n)
	}
	t.Run("a draft is the applicant's own", func(t *testing.T) {
		d := h.newDraft()
		if !strings.HasPrefix(d.ID, "D-") || len(d.ID) != 26 || d.State != DraftOpen || d.Version != 1 || d.Organization != applicantBIN ||
			d.Package.Documents == nil || len(d.Package.Documents) != 0 || d.CreatedBy != applicant.Subject {
			t.Fatalf("draft %+v", d)
		}
		if got, _ := h.check(d.ID); got.ID != d.ID || got.Version != 1 {
			t.Fatalf("read back %+v", got)
		}
		for _, a := range []identity.Actor{otherApplicant, authority, sts} {
			_, _, err := h.svc.GetDraft(h.ctx, a, d.ID, h.now)
			mustErr(t, err, ErrNotFound)
		}
		for _, bad := range []string{"", "D-1", d.ID + "0", "X" + d.ID[1:]} {
			_, _, err := h.svc.GetDraft(h.ctx, applicant, bad, h.now)
			mustErr(t, err, ErrNotFound)
		}
	})
}

func TestDraftUploadsAttachToTheDraft(t *testing.T) {
	h := newUploadHarness(t)
	d := h.newDraft()
	u := h.draftUpload(d.ID, "application")
	if u.Scope != ScopeDraft || u.ScopeID != d.ID || u.Organization != applicantBIN {
		t.Fatalf("upload %+v", u)
	}
	got, _ := h.check(d.ID)
	ref, ok := got.Package.Documents["application"]
	want := DocumentRef{Key: u.DocumentKey(), SHA256: u.SHA256, ContentType: "application/pdf", Size: u.Size, VersionID: u.VersionID}
	if !ok || ref != want || got.Version != 2 {
		t.Fatalf("draft version %d, application %+v, want %+v", got.Version, ref, want)
	}

	t.Run("a confirm of another upload of the same document replaces it", func(t *testing.T) {
		u2 := h.draftUpload(d.ID, "application")
		got, _ := h.check(d.ID)
		if got.Package.Documents["application"].Key != u2.DocumentKey() || len(got.Package.Documents) != 1 {
			t.Fatalf("documents %+v", got.Package.Documents)
		}
	})
	t.Run("§13 a document the edition does not know is refused", func(t *testing.T) {
		body := pdf("x")
		_, _, err := h.svc.RequestDraftUpload(h.ctx, applicant, d.ID, declaration("not_a_document", "application/pdf", body), h.tick())
		ps := refusal(t, err)
		if len(ps) != 1 || ps[0].Field != "document" || ps[0].Rule != "§13" {
			t.Fatalf("problems %v", ps)
		}
	})
	t.Run("another organisation's draft is not found", func(t *testing.T) {
		body := pdf("x")
		_, _, err := h.svc.RequestDraftUpload(h.ctx, otherApplicant, d.ID, declaration("application", "application/pdf", body), h.tick())
		mustErr(t, err, ErrNotFound)
	})
	t.Run("an update of the draft's data keeps its documents", func(t *testing.T) {
		before, _ := h.check(d.ID)
		pkg := draftPackage()
		pkg.Object.Name = "Register of permits, second edition"
		upd, err := h.svc.UpdateDraft(h.ctx, applicant, d.ID, pkg, h.tick())
		if err != nil {
			t.Fatal(err)
		}
		after, _ := h.check(d.ID)
		if upd.Version != before.Version+1 || after.Version != upd.Version || after.Package.Object.Name != pkg.Object.Name ||
			after.Package.Documents["application"] != before.Package.Documents["application"] {
			t.Fatalf("before %+v\nafter %+v", before, after)
		}
		pkg.Documents = map[string]DocumentRef{"application": {}}
		_, err = h.svc.UpdateDraft(h.ctx, applicant, d.ID, pkg, h.tick())
		if ps := submissionProblems(t, err); len(ps) != 1 || ps[0].Field != "documents" {
			t.Fatalf("problems %v", ps)
		}
		_, err = h.svc.UpdateDraft(h.ctx, otherApplicant, d.ID, draftPackage(), h.tick())
		if !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrInvalid) {
			t.Fatalf("another organisation's update: %v", err)
		}
	})
}

func TestDraftCheck(t *testing.T) {
	h := newUploadHarness(t)
	d := h.newDraft()
	required := requiredDocuments(t)
	if len(required) < 20 {
		t.Fatalf("%d documents required; the edition requires the baseline of §13", len(required))
	}
	paragraph := map[string]string{}
	for _, r := range required {
		paragraph[r.ID] = r.Paragraph
	}
	missing := func(ps []Problem) map[string]Problem {
		out := map[string]Problem{}
		for _, p := range ps {
			id, ok := strings.CutPrefix(p.Field, "documents.")
			if !ok || !strings.HasPrefix(p.Message, "missing: ") {
				t.Errorf("a problem other than a missing document: %v", p)
				continue
			}
			out[id] = p
		}
		return out
	}

	t.Run("§13 the check of a draft lists each missing document", func(t *testing.T) {
		_, ps := h.check(d.ID)
		got := missing(ps)
		if len(got) != len(required) || len(ps) != len(required) {
			t.Fatalf("%d problems, want one per required document (%d): %v", len(ps), len(required), ps)
		}
		for id, para := range paragraph {
			if p, ok := got[id]; !ok || p.Rule != para {
				t.Errorf("document %s: %+v, want missing under %s", id, p, para)
			}
		}
	})
	t.Run("§13(2) the terms of reference are listed under their paragraph until uploaded", func(t *testing.T) {
		_, ps := h.check(d.ID)
		if p := missing(ps)["terms_of_reference"]; p.Rule != "§13(2)" || !strings.Contains(p.Message, "terms of reference") {
			t.Fatalf("terms of reference: %+v", p)
		}
		h.draftUpload(d.ID, "terms_of_reference")
		_, ps = h.check(d.ID)
		if _, ok := missing(ps)["terms_of_reference"]; ok || len(ps) != len(required)-1 {
			t.Fatalf("after the upload: %v", ps)
		}
	})
	t.Run("§13(3) the diagrams and the explanatory note are listed under their paragraph", func(t *testing.T) {
		_, ps := h.check(d.ID)
		m := missing(ps)
		for _, id := range []string{"functional_diagram", "network_diagram", "explanatory_note"} {
			if m[id].Rule != "§13(3)" {
				t.Errorf("%s: %+v", id, m[id])
			}
		}
	})
	t.Run("§13(4), Annex 3 the documents of Annex 3 are listed under their paragraph", func(t *testing.T) {
		_, ps := h.check(d.ID)
		m := missing(ps)
		for _, id := range []string{"annex3_01", "annex3_16"} {
			if m[id].Rule != "§13(4), Annex 3" {
				t.Errorf("%s: %+v", id, m[id])
			}
		}
		if _, ok := m["annex3_07"]; ok {
			t.Error("annex3_07 is due only with cryptography")
		}
	})
	t.Run("§13 a complete draft has no problems", func(t *testing.T) {
		for _, r := range required {
			if r.ID != "terms_of_reference" {
				h.draftUpload(d.ID, r.ID)
			}
		}
		if _, ps := h.check(d.ID); len(ps) != 0 {
			t.Fatalf("problems %v", ps)
		}
	})
}

func TestSubmitDraft(t *testing.T) {
	required := requiredDocuments(t)
	complete := func(h *uploadHarness) (Draft, map[string]Upload) {
		d := h.newDraft()
		ups := map[string]Upload{}
		for _, r := range required {
			ups[r.ID] = h.draftUpload(d.ID, r.ID)
		}
		return d, ups
	}

	t.Run("§13 an incomplete draft is refused with the problems of its check and stays open", func(t *testing.T) {
		h := newUploadHarness(t)
		d := h.newDraft()
		h.draftUpload(d.ID, "application")
		before, want := h.check(d.ID)
		if len(want) != len(required)-1 {
			t.Fatalf("check %v", want)
		}
		_, err := h.svc.SubmitDraft(h.ctx, applicant, d.ID, h.now)
		got := submissionProblems(t, err)
		if !slices.Equal(got, want) {
			t.Fatalf("submit refused with %v\nthe check says %v", got, want)
		}
		after, _ := h.check(d.ID)
		if after.State != DraftOpen || after.Version != before.Version || after.CaseID != "" {
			t.Fatalf("draft after a refused submit %+v", after)
		}
		if len(h.store.cases) != 0 || h.wf.total() != 0 || h.records.puts != 0 {
			t.Fatalf("a refused submit left %d cases, %d engine calls, %d kept packages", len(h.store.cases), h.wf.total(), h.records.puts)
		}
		// Completed, it files.
		for _, r := range required[1:] {
			h.draftUpload(d.ID, r.ID)
		}
		if _, err := h.svc.SubmitDraft(h.ctx, applicant, d.ID, h.now); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("§13 a submit that loses the race to another answers its case and keeps no package of its own", func(t *testing.T) {
		h := newUploadHarness(t)
		d, _ := complete(h)
		var winner Case
		h.ups.beforeSubmit = func() {
			var err error
			if winner, err = h.svc.SubmitDraft(h.ctx, applicant, d.ID, h.now); err != nil {
				t.Error(err)
			}
		}
		c, err := h.svc.SubmitDraft(h.ctx, applicant, d.ID, h.now)
		if err != nil || c.ID != winner.ID || len(h.store.cases) != 1 {
			t.Fatalf("the loser answered %s %v; the winner filed %s; %d cases", c.ID, err, winner.ID, len(h.store.cases))
		}
		// The loser had kept the package under a case ID that was never stored: that copy of
		// the applicant's package is discarded, so the only one left is the case's own.
		if got := h.records.live("cases/"); !slices.Equal(got, []string{"cases/" + c.ID + "/package.json"}) || h.records.discards != 1 {
			t.Fatalf("packages kept: %v (%d discarded), want only the case's own", got, h.records.discards)
		}
	})

	t.Run("§13 a complete draft files exactly once however often submit is called", func(t *testing.T) {
		h := newUploadHarness(t)
		d, ups := complete(h)
		c, err := h.svc.SubmitDraft(h.ctx, applicant, d.ID, h.tick())
		if err != nil {
			t.Fatal(err)
		}
		again, err := h.svc.SubmitDraft(h.ctx, applicant, d.ID, h.tick())
		if err != nil || again.ID != c.ID {
			t.Fatalf("a second submit: %s %v, first %s", again.ID, err, c.ID)
		}
		var wg sync.WaitGroup
		ids := make([]string, 4)
		errs := make([]error, 4)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, err := h.svc.SubmitDraft(h.ctx, applicant, d.ID, h.now)
				ids[i], errs[i] = c.ID, err
			}()
		}
		wg.Wait()
		for i := range ids {
			if errs[i] != nil || ids[i] != c.ID {
				t.Fatalf("concurrent submit %d: %s %v", i, ids[i], errs[i])
			}
		}
		if n := len(h.store.cases); n != 1 || h.ups.submits != 1 {
			t.Fatalf("%d cases, %d submit transactions; want 1 and 1", n, h.ups.submits)
		}
		// The engine is told to start one execution, named by the case, always with the same input:
		// a repeated start of it is not a second execution.
		starts := h.wf.callsFor(c.ID)
		if len(starts) == 0 || h.wf.total() != len(starts) {
			t.Fatalf("%d starts of %s among %d engine calls", len(starts), c.ID, h.wf.total())
		}
		for _, s := range starts {
			if s.Method != "Start" || !bytes.Equal(s.Output, starts[0].Output) {
				t.Fatalf("start %+v differs from the first %s", s, starts[0].Output)
			}
		}
		stored, _ := h.check(d.ID)
		if stored.State != DraftSubmitted || stored.CaseID != c.ID {
			t.Fatalf("draft %+v", stored)
		}
		if _, ps := h.check(d.ID); ps != nil {
			t.Fatalf("a submitted draft is checked: %v", ps)
		}
		got := h.get(c.ID)
		if got.OrganizationBIN != applicantBIN || got.Stage != StageSubmitted || len(got.Documents) != len(required) || got.Package == nil {
			t.Fatalf("case %+v", got)
		}
		for _, doc := range got.Documents {
			u := ups[doc.Kind]
			if doc.Key != u.DocumentKey() || doc.VersionID != u.VersionID || doc.SHA256 != u.SHA256 {
				t.Errorf("document %+v, upload %+v", doc, u)
			}
		}

		t.Run("a submitted draft takes no more uploads or changes", func(t *testing.T) {
			body := pdf("late")
			_, _, err := h.svc.RequestDraftUpload(h.ctx, applicant, d.ID, declaration("application", "application/pdf", body), h.tick())
			mustErr(t, err, ErrConflict)
			_, err = h.svc.UpdateDraft(h.ctx, applicant, d.ID, draftPackage(), h.tick())
			mustErr(t, err, ErrConflict)
		})
	})

	t.Run("a confirm into a draft submitted meanwhile is a conflict and the upload stays pending", func(t *testing.T) {
		h := newUploadHarness(t)
		d, _ := complete(h)
		body := pdf("a better application")
		late, _, err := h.svc.RequestDraftUpload(h.ctx, applicant, d.ID, declaration("application", "application/pdf", body), h.tick())
		if err != nil {
			t.Fatal(err)
		}
		c, err := h.svc.SubmitDraft(h.ctx, applicant, d.ID, h.tick())
		if err != nil {
			t.Fatal(err)
		}
		h.files.put(late.QuarantineKey(), late.ContentType, body)
		_, err = h.svc.ConfirmUpload(h.ctx, applicant, late.ID, h.tick())
		mustErr(t, err, ErrConflict)
		if !strings.Contains(err.Error(), c.ID) {
			t.Fatalf("the conflict does not name the case: %v", err)
		}
		if s := h.storedUpload(late.ID); s.State != UploadPending {
			t.Fatalf("upload %+v", s)
		}
		if got := h.get(c.ID); slices.ContainsFunc(got.Documents, func(doc Document) bool { return doc.Key == late.DocumentKey() }) {
			t.Fatal("the late upload reached the case")
		}
	})

	t.Run("staff and other organisations do not submit a draft", func(t *testing.T) {
		h := newUploadHarness(t)
		d, _ := complete(h)
		for _, a := range []identity.Actor{otherApplicant, authority} {
			_, err := h.svc.SubmitDraft(h.ctx, a, d.ID, h.tick())
			mustErr(t, err, ErrNotFound)
		}
		if len(h.store.cases) != 0 {
			t.Fatal("a case was filed")
		}
	})
}

func TestStepDocumentsAreConfirmedUploadsOfTheCase(t *testing.T) {
	hh := newHarness(t)
	c := hh.caseAt(StageSendContract, caseSpec{}, route{})
	other := hh.caseAt(StageSendContract, caseSpec{}, route{})
	h := withFiles(hh) // from here on, documents attached to steps must be uploads
	contract := pdf("contract of " + c.ID)
	u := h.putAndConfirm(sts, h.caseUpload(sts, c.ID, DocContract, contract), contract)

	refused := func(t *testing.T, doc Document, field, says string) {
		t.Helper()
		in := Completion{Step: string(StageSendContract), Outcome: OutcomeContractSent, Documents: []Document{doc}}
		_, err := h.svc.CompleteStep(h.ctx, sts, c.ID, in, h.tick())
		ps := refusal(t, err)
		if len(ps) != 1 || ps[0].Field != field || !strings.Contains(ps[0].Message, says) {
			t.Fatalf("problems %v, want %s: %q", ps, field, says)
		}
		h.unchanged(c)
		if n := h.wf.sends(c.OpenStep.Token); n != 0 {
			t.Fatalf("the engine was told %d times", n)
		}
	}
	t.Run("a key that is not a confirmed upload of this case is refused", func(t *testing.T) {
		refused(t, stepDoc(c.ID, DocContract), "documents[0].key", "not a document uploaded to this case")
		refused(t, Document{Kind: DocContract, Key: DocumentPrefix + "U-" + strings.Repeat("0", 32)}, "documents[0].key", "not a document uploaded")
		refused(t, Document{Kind: DocContract, Key: QuarantinePrefix + u.ID}, "documents[0].key", "not a document uploaded")
	})
	t.Run("an upload of another case is refused", func(t *testing.T) {
		body := pdf("contract of " + other.ID)
		ou := h.putAndConfirm(sts, h.caseUpload(sts, other.ID, DocContract, body), body)
		refused(t, Document{Kind: DocContract, Key: ou.Key}, "documents[0].key", "not a document uploaded to this case")
	})
	t.Run("an upload not confirmed yet is refused", func(t *testing.T) {
		pending := h.caseUpload(sts, c.ID, DocContract, pdf("pending"))
		refused(t, Document{Kind: DocContract, Key: pending.DocumentKey()}, "documents[0].key", "not confirmed")
	})
	t.Run("an upload of another kind is refused", func(t *testing.T) {
		body := pdf("an act")
		act := h.putAndConfirm(sts, h.caseUpload(sts, c.ID, DocSurveyAct, body), body)
		refused(t, Document{Kind: DocContract, Key: act.Key}, "documents[0].kind", DocSurveyAct)
	})
	t.Run("a stated SHA-256 other than the upload's is refused", func(t *testing.T) {
		refused(t, Document{Kind: DocContract, Key: u.Key, SHA256: stepDoc("x", "y").SHA256}, "documents[0].sha256", u.SHA256)
	})
	t.Run("a confirmed upload is pinned with its SHA-256 and version", func(t *testing.T) {
		in := Completion{Step: string(StageSendContract), Outcome: OutcomeContractSent,
			Documents: []Document{{Kind: DocContract, Key: u.Key, SHA256: strings.ToUpper(u.SHA256), VersionID: "a version the STS made up"}}}
		dec, err := h.svc.CompleteStep(h.ctx, sts, c.ID, in, h.tick())
		if err != nil {
			t.Fatal(err)
		}
		want := Document{Kind: DocContract, Key: u.Key, VersionID: u.VersionID, SHA256: u.SHA256, Step: string(StageSendContract)}
		if len(dec.Documents) != 1 || !equalDocument(dec.Documents[0], want) {
			t.Fatalf("decision documents %+v, want %+v", dec.Documents, want)
		}
		got := h.get(c.ID)
		i := slices.IndexFunc(got.Documents, func(d Document) bool { return d.Kind == DocContract })
		if i < 0 || !equalDocument(got.Documents[i], want) {
			t.Fatalf("case documents %+v", got.Documents)
		}
		// The applicant gets a link to that version; another organisation does not.
		doc, p, err := h.svc.DocumentLink(h.ctx, applicant, c.ID, u.Key)
		if err != nil || doc.VersionID != u.VersionID || p.Method != "GET" || !strings.Contains(p.URL, u.VersionID) {
			t.Fatalf("link %+v %+v %v", doc, p, err)
		}
		_, _, err = h.svc.DocumentLink(h.ctx, otherApplicant, c.ID, u.Key)
		mustErr(t, err, ErrNotFound)
		_, _, err = h.svc.DocumentLink(h.ctx, applicant, c.ID, DocumentPrefix+"U-"+strings.Repeat("1", 32))
		mustErr(t, err, ErrNotFound)
	})
}

func equalDocument(a, b Document) bool {
	return a.Kind == b.Kind && a.Key == b.Key && a.VersionID == b.VersionID && a.SHA256 == b.SHA256 && a.Step == b.Step &&
		(a.SentAt == nil) == (b.SentAt == nil)
}

func TestUploadIDOfKey(t *testing.T) {
	id := "U-" + strings.Repeat("ab", 16)
	for key, want := range map[string]string{
		DocumentPrefix + id:                  id,
		QuarantinePrefix + id:                "",
		id:                                   "",
		DocumentPrefix + strings.ToUpper(id): "",
		DocumentPrefix + id + "0":            "",
		DocumentPrefix + "U-" + strings.Repeat("g", 32): "",
		"cases/A-1/contract.pdf":                        "",
	} {
		if got := UploadIDOfKey(key); got != want {
			t.Errorf("UploadIDOfKey(%q) = %q, want %q", key, got, want)
		}
	}
}
