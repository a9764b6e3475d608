package dynamostore_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"attestation/internal/attestation"
	"attestation/internal/dynamostore"
	"attestation/internal/identity"
)

// The uploads and drafts store against DynamoDB in the local stack: the conditions of a confirm
// and of a draft's writes, the attach of a document into a draft by one update, and the submit
// transaction. Every ID is random, so the tests pass with -count=2.

func uploadsStore() *dynamostore.Uploads {
	return dynamostore.NewUploads(stack.Clients.DynamoDB, stack.Template.Tables[0].Name)
}

// randomHex is n random lowercase hexadecimal digits (n even).
func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n/2)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func newUploadID(t *testing.T) string { return "U-" + randomHex(t, 32) }
func newDraftID(t *testing.T) string  { return "D-" + randomHex(t, 24) }

var uploadsAt = time.Date(2026, 10, 5, 4, 30, 0, 0, time.UTC)

func pendingUpload(t *testing.T, scope attestation.UploadScope, scopeID, doc string) attestation.Upload {
	sum := sha256.Sum256([]byte(scopeID + "/" + doc))
	return attestation.Upload{ID: newUploadID(t), Organization: "120540001238", Scope: scope, ScopeID: scopeID, Document: doc,
		ContentType: "application/pdf", Size: 2048, SHA256: hex.EncodeToString(sum[:]), Sheets: 2, State: attestation.UploadPending,
		CreatedBy: "applicant-user", Role: identity.Applicant, CreatedAt: uploadsAt}
}

// confirmed is u as the service confirms it.
func confirmed(u attestation.Upload, version string) attestation.Upload {
	at := uploadsAt.Add(time.Minute)
	u.State, u.Key, u.VersionID, u.ConfirmedAt = attestation.UploadConfirmed, u.DocumentKey(), version, &at
	return u
}

func openDraft(t *testing.T) attestation.Draft {
	return attestation.Draft{ID: newDraftID(t), Organization: "120540001238", State: attestation.DraftOpen, Version: 1,
		CreatedBy: "applicant-user", CreatedAt: uploadsAt, UpdatedAt: uploadsAt,
		Package: attestation.Package{
			Applicant: attestation.Applicant{Name: "Digital Services LLP", IdentityNumber: "120540001238", Type: attestation.ApplicantLegalEntity},
			Object:    attestation.ObjectInfo{Name: "Register of permits", Kind: "state_is"},
			Documents: map[string]attestation.DocumentRef{}, Hardware: []attestation.HardwareItem{}, Software: []attestation.SoftwareItem{},
			Integrated: []attestation.IntegratedObject{}}}
}

func createUpload(t *testing.T, s *dynamostore.Uploads, u attestation.Upload) {
	t.Helper()
	if err := s.CreateUpload(context.Background(), u, attestation.MaxCaseUploads); err != nil {
		t.Fatalf("create upload %s: %v", u.ID, err)
	}
}

func createDraft(t *testing.T, s *dynamostore.Uploads, d attestation.Draft) {
	t.Helper()
	if err := s.CreateDraft(context.Background(), d); err != nil {
		t.Fatalf("create draft %s: %v", d.ID, err)
	}
}

func getDraft(t *testing.T, s *dynamostore.Uploads, id string) attestation.Draft {
	t.Helper()
	d, err := s.GetDraft(context.Background(), id)
	if err != nil {
		t.Fatalf("get draft %s: %v", id, err)
	}
	return d
}

func getUpload(t *testing.T, s *dynamostore.Uploads, id string) attestation.Upload {
	t.Helper()
	u, err := s.GetUpload(context.Background(), id)
	if err != nil {
		t.Fatalf("get upload %s: %v", id, err)
	}
	return u
}

func TestUploadCreateAndGet(t *testing.T) {
	ctx := context.Background()
	s := uploadsStore()
	u := pendingUpload(t, attestation.ScopeCase, "A-20261005-"+randomHex(t, 16), attestation.DocSignedContract)
	createUpload(t, s, u)
	if err := s.CreateUpload(ctx, u, attestation.MaxCaseUploads); !errors.Is(err, attestation.ErrConflict) {
		t.Fatalf("a second create of %s: %v, want ErrConflict", u.ID, err)
	}
	got := getUpload(t, s, u.ID)
	if got.ID != u.ID || got.Organization != u.Organization || got.Scope != u.Scope || got.ScopeID != u.ScopeID || got.Document != u.Document ||
		got.ContentType != u.ContentType || got.Size != u.Size || got.SHA256 != u.SHA256 || got.Sheets != u.Sheets ||
		got.State != attestation.UploadPending || got.Role != identity.Applicant || !got.CreatedAt.Equal(u.CreatedAt) || got.ConfirmedAt != nil {
		t.Fatalf("read back %+v\nwant %+v", got, u)
	}
	if _, err := s.GetUpload(ctx, newUploadID(t)); !errors.Is(err, attestation.ErrNotFound) {
		t.Fatalf("get of a missing upload: %v, want ErrNotFound", err)
	}
}

func TestConfirmUploadIsConditionalOnPending(t *testing.T) {
	ctx := context.Background()
	s := uploadsStore()
	u := pendingUpload(t, attestation.ScopeCase, "A-20261005-"+randomHex(t, 16), attestation.DocContract)
	createUpload(t, s, u)
	c := confirmed(u, "version-1")
	if err := s.ConfirmUpload(ctx, c); err != nil {
		t.Fatal(err)
	}
	got := getUpload(t, s, u.ID)
	if got.State != attestation.UploadConfirmed || got.Key != u.DocumentKey() || got.VersionID != "version-1" || got.ConfirmedAt == nil ||
		!got.ConfirmedAt.Equal(*c.ConfirmedAt) || got.Organization != u.Organization {
		t.Fatalf("confirmed %+v", got)
	}
	again := confirmed(u, "version-2")
	if err := s.ConfirmUpload(ctx, again); !errors.Is(err, attestation.ErrConflict) {
		t.Fatalf("a second confirm: %v, want ErrConflict", err)
	}
	if got := getUpload(t, s, u.ID); got.VersionID != "version-1" {
		t.Fatalf("a refused confirm changed the upload: %+v", got)
	}
	missing := confirmed(pendingUpload(t, attestation.ScopeCase, "A-x", attestation.DocContract), "v")
	if err := s.ConfirmUpload(ctx, missing); !errors.Is(err, attestation.ErrConflict) {
		t.Fatalf("a confirm of an upload never declared: %v, want ErrConflict", err)
	}
	if _, err := s.GetUpload(ctx, missing.ID); !errors.Is(err, attestation.ErrNotFound) {
		t.Fatalf("a refused confirm created the upload: %v", err)
	}
}

func TestConfirmIntoADraftAttachesTheDocument(t *testing.T) {
	ctx := context.Background()
	s := uploadsStore()
	d := openDraft(t)
	createDraft(t, s, d)
	u := pendingUpload(t, attestation.ScopeDraft, d.ID, "application")
	createUpload(t, s, u)
	c := confirmed(u, "version-a")
	if err := s.ConfirmUpload(ctx, c); err != nil {
		t.Fatal(err)
	}
	got := getDraft(t, s, d.ID)
	want := attestation.DocumentRef{Key: u.DocumentKey(), SHA256: u.SHA256, ContentType: u.ContentType, Size: u.Size, Sheets: u.Sheets, VersionID: "version-a"}
	if ref := got.Package.Documents["application"]; ref != want || len(got.Package.Documents) != 1 {
		t.Fatalf("documents %+v, want application %+v", got.Package.Documents, want)
	}
	if got.Version != d.Version+1 || !got.UpdatedAt.Equal(*c.ConfirmedAt) || got.State != attestation.DraftOpen || got.Organization != d.Organization ||
		got.Package.Object.Name != d.Package.Object.Name {
		t.Fatalf("draft after the confirm %+v", got)
	}
	if getUpload(t, s, u.ID).State != attestation.UploadConfirmed {
		t.Fatal("the upload is not confirmed")
	}

	t.Run("§10 the term declared with a document's upload is the draft's document's term", func(t *testing.T) {
		u := pendingUpload(t, attestation.ScopeDraft, d.ID, "ict_contract")
		u.ExpiresOn = "2027-06-30"
		createUpload(t, s, u)
		if err := s.ConfirmUpload(ctx, confirmed(u, "version-t")); err != nil {
			t.Fatal(err)
		}
		if ref := getDraft(t, s, d.ID).Package.Documents["ict_contract"]; ref.ExpiresOn != "2027-06-30" || ref.VersionID != "version-t" {
			t.Fatalf("the draft's contract %+v, want its term 2027-06-30", ref)
		}
		if got := getUpload(t, s, u.ID); got.ExpiresOn != "2027-06-30" {
			t.Fatalf("the confirmed upload's term %q", got.ExpiresOn)
		}
	})

	t.Run("8 confirms side by side into one draft all succeed and all 8 documents are there", func(t *testing.T) {
		d := openDraft(t)
		createDraft(t, s, d)
		const n = 8
		ups := make([]attestation.Upload, n)
		for i := range ups {
			ups[i] = pendingUpload(t, attestation.ScopeDraft, d.ID, fmt.Sprintf("annex3_%02d", i+1))
			createUpload(t, s, ups[i])
		}
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range ups {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = s.ConfirmUpload(ctx, confirmed(ups[i], fmt.Sprintf("v%d", i)))
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("confirm %d: %v", i, err)
			}
		}
		got := getDraft(t, s, d.ID)
		if len(got.Package.Documents) != n || got.Version != d.Version+n {
			t.Fatalf("draft version %d with %d documents, want version %d with %d: %+v", got.Version, len(got.Package.Documents), d.Version+n, n, got.Package.Documents)
		}
		for i, u := range ups {
			if ref := got.Package.Documents[u.Document]; ref.Key != u.DocumentKey() || ref.VersionID != fmt.Sprintf("v%d", i) || ref.SHA256 != u.SHA256 {
				t.Errorf("%s: %+v", u.Document, ref)
			}
		}
	})
}

func TestConfirmIntoASubmittedDraftIsAConflict(t *testing.T) {
	ctx := context.Background()
	s := uploadsStore()
	d := openDraft(t)
	createDraft(t, s, d)
	u := pendingUpload(t, attestation.ScopeDraft, d.ID, "application")
	createUpload(t, s, u)
	c := newCase("A-20261005-"+randomHex(t, 16), time.Date(2026, 10, 20, 18, 59, 59, 0, time.UTC))
	d.State, d.CaseID, d.Version = attestation.DraftSubmitted, c.ID, d.Version+1
	if err := s.SubmitDraft(ctx, d, c, event(1, "submitted")); err != nil {
		t.Fatal(err)
	}
	if err := s.ConfirmUpload(ctx, confirmed(u, "v")); !errors.Is(err, attestation.ErrConflict) {
		t.Fatalf("a confirm into a submitted draft: %v, want ErrConflict", err)
	}
	if got := getUpload(t, s, u.ID); got.State != attestation.UploadPending || got.Key != "" {
		t.Fatalf("the upload after a refused confirm: %+v", got)
	}
	if got := getDraft(t, s, d.ID); len(got.Package.Documents) != 0 || got.Version != d.Version || got.State != attestation.DraftSubmitted {
		t.Fatalf("the submitted draft changed: %+v", got)
	}
	// A draft that does not exist takes no document either.
	orphan := pendingUpload(t, attestation.ScopeDraft, newDraftID(t), "application")
	createUpload(t, s, orphan)
	if err := s.ConfirmUpload(ctx, confirmed(orphan, "v")); !errors.Is(err, attestation.ErrConflict) {
		t.Fatalf("a confirm into a missing draft: %v, want ErrConflict", err)
	}
}

func TestUploadsBatchReadSkipsMissing(t *testing.T) {
	ctx := context.Background()
	s := uploadsStore()
	scope := "A-20261005-" + randomHex(t, 16)
	var ids []string
	for i := range 3 {
		u := pendingUpload(t, attestation.ScopeCase, scope, fmt.Sprintf("doc-%d", i))
		createUpload(t, s, u)
		ids = append(ids, u.ID)
	}
	missing := newUploadID(t)
	got, err := s.Uploads(ctx, []string{ids[0], missing, ids[1], ids[2], ids[0]})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d uploads, want 3: %+v", len(got), got)
	}
	for i, id := range ids {
		if u, ok := got[id]; !ok || u.ID != id || u.Document != fmt.Sprintf("doc-%d", i) || u.Organization != "120540001238" {
			t.Errorf("%s: %+v", id, u)
		}
	}
	if _, ok := got[missing]; ok {
		t.Error("a missing upload was returned")
	}
	if none, err := s.Uploads(ctx, nil); err != nil || len(none) != 0 {
		t.Fatalf("no IDs: %v %v", none, err)
	}
	// More than one batch of 100 keys.
	many := []string{ids[1]}
	for range 120 {
		many = append(many, newUploadID(t))
	}
	many = append(many, ids[2])
	if got, err := s.Uploads(ctx, many); err != nil || len(got) != 2 {
		t.Fatalf("a read of %d IDs: %d found, %v", len(many), len(got), err)
	}
}

func TestUpdateDraftIsConditionalOnTheVersion(t *testing.T) {
	ctx := context.Background()
	s := uploadsStore()
	d := openDraft(t)
	createDraft(t, s, d)
	if err := s.CreateDraft(ctx, d); !errors.Is(err, attestation.ErrConflict) {
		t.Fatalf("a second create: %v, want ErrConflict", err)
	}
	next := d
	next.Version = 2
	next.Package.Object.Name = "Register of permits, v2"
	next.UpdatedAt = uploadsAt.Add(time.Hour)
	if err := s.UpdateDraft(ctx, next); err != nil {
		t.Fatal(err)
	}
	stale := d
	stale.Version = 2 // written by a writer that read version 1 too
	stale.Package.Object.Name = "stale"
	if err := s.UpdateDraft(ctx, stale); !errors.Is(err, attestation.ErrConflict) {
		t.Fatalf("a stale update: %v, want ErrConflict", err)
	}
	skip := d
	skip.Version = 4
	if err := s.UpdateDraft(ctx, skip); !errors.Is(err, attestation.ErrConflict) {
		t.Fatalf("an update skipping a version: %v, want ErrConflict", err)
	}
	got := getDraft(t, s, d.ID)
	if got.Version != 2 || got.Package.Object.Name != "Register of permits, v2" || !got.UpdatedAt.Equal(next.UpdatedAt) {
		t.Fatalf("draft %+v", got)
	}
	// A confirm moves the version on: an update from before it is refused.
	u := pendingUpload(t, attestation.ScopeDraft, d.ID, "application")
	createUpload(t, s, u)
	if err := s.ConfirmUpload(ctx, confirmed(u, "v")); err != nil {
		t.Fatal(err)
	}
	late := got
	late.Version = 3
	if err := s.UpdateDraft(ctx, late); !errors.Is(err, attestation.ErrConflict) {
		t.Fatalf("an update from before a confirm: %v, want ErrConflict", err)
	}
	fresh := getDraft(t, s, d.ID)
	if fresh.Version != 3 {
		t.Fatalf("version after the confirm %d, want 3", fresh.Version)
	}
	fresh.Version = 4
	fresh.Package.Object.Name = "after the confirm"
	if err := s.UpdateDraft(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	if got := getDraft(t, s, d.ID); got.Package.Documents["application"].Key != u.DocumentKey() || got.Package.Object.Name != "after the confirm" {
		t.Fatalf("draft %+v", got)
	}
	if _, err := s.GetDraft(ctx, newDraftID(t)); !errors.Is(err, attestation.ErrNotFound) {
		t.Fatalf("get of a missing draft: %v, want ErrNotFound", err)
	}
}

func TestSubmitDraftWritesTheCaseAndTheDraftOnce(t *testing.T) {
	ctx := context.Background()
	s := uploadsStore()
	d := openDraft(t)
	createDraft(t, s, d)
	c := newCase("A-20261005-"+randomHex(t, 16), time.Date(2026, 10, 20, 18, 59, 59, 0, time.UTC))
	submitted := d
	submitted.State, submitted.CaseID, submitted.Version = attestation.DraftSubmitted, c.ID, d.Version+1
	if err := s.SubmitDraft(ctx, submitted, c, event(1, "application submitted")); err != nil {
		t.Fatal(err)
	}
	gotCase, err := store.Get(ctx, c.ID)
	if err != nil || gotCase.ID != c.ID || gotCase.OrganizationBIN != c.OrganizationBIN {
		t.Fatalf("case %+v %v", gotCase, err)
	}
	if h, err := store.History(ctx, c.ID); err != nil || len(h) != 1 || h[0].What != "application submitted" {
		t.Fatalf("history %+v %v", h, err)
	}
	if got := getDraft(t, s, d.ID); got.State != attestation.DraftSubmitted || got.CaseID != c.ID || got.Version != 2 {
		t.Fatalf("draft %+v", got)
	}

	// A second submit (another delivery, with its own new case) is refused and writes nothing.
	second := newCase("A-20261005-"+randomHex(t, 16), time.Date(2026, 10, 20, 18, 59, 59, 0, time.UTC))
	again := d
	again.State, again.CaseID, again.Version = attestation.DraftSubmitted, second.ID, d.Version+1
	if err := s.SubmitDraft(ctx, again, second, event(1, "application submitted")); !errors.Is(err, attestation.ErrConflict) {
		t.Fatalf("a second submit: %v, want ErrConflict", err)
	}
	if _, err := store.Get(ctx, second.ID); !errors.Is(err, attestation.ErrNotFound) {
		t.Fatalf("a refused submit wrote its case: %v", err)
	}
	if h, _ := store.History(ctx, second.ID); len(h) != 0 {
		t.Fatalf("a refused submit wrote events: %+v", h)
	}
	if got := getDraft(t, s, d.ID); got.CaseID != c.ID {
		t.Fatalf("the draft names case %s, want %s", got.CaseID, c.ID)
	}
	// Even at the version that follows, a submitted draft is not submitted again.
	again.Version = 3
	if err := s.SubmitDraft(ctx, again, second, event(1, "application submitted")); !errors.Is(err, attestation.ErrConflict) {
		t.Fatalf("a submit of a submitted draft: %v, want ErrConflict", err)
	}
	if _, err := store.Get(ctx, second.ID); !errors.Is(err, attestation.ErrNotFound) {
		t.Fatalf("a refused submit wrote its case: %v", err)
	}

	t.Run("a case ID taken already refuses the submit and leaves the draft open", func(t *testing.T) {
		d := openDraft(t)
		createDraft(t, s, d)
		sub := d
		sub.State, sub.CaseID, sub.Version = attestation.DraftSubmitted, c.ID, d.Version+1
		if err := s.SubmitDraft(ctx, sub, c, event(1, "again")); !errors.Is(err, attestation.ErrConflict) {
			t.Fatalf("a submit onto an existing case: %v, want ErrConflict", err)
		}
		if got := getDraft(t, s, d.ID); got.State != attestation.DraftOpen || got.Version != d.Version {
			t.Fatalf("draft %+v", got)
		}
	})
}

// TestUploadDeclarationsAreBoundedPerDraftAndCase: a draft's or a case's count of declared
// uploads stops at the limit, in the same write as the upload (nothing is stored past it), and
// one scope's count is not another's.
func TestUploadDeclarationsAreBoundedPerDraftAndCase(t *testing.T) {
	ctx := context.Background()
	s := uploadsStore()
	for _, scope := range []attestation.UploadScope{attestation.ScopeDraft, attestation.ScopeCase} {
		t.Run(string(scope), func(t *testing.T) {
			id, other := "D-"+randomHex(t, 32), "D-"+randomHex(t, 32)
			if scope == attestation.ScopeCase {
				id, other = "A-20261005-"+randomHex(t, 16), "A-20261005-"+randomHex(t, 16)
			}
			const limit = 3
			for i := 0; i < limit; i++ {
				if err := s.CreateUpload(ctx, pendingUpload(t, scope, id, "contract"), limit); err != nil {
					t.Fatalf("declaration %d: %v", i+1, err)
				}
			}
			over := pendingUpload(t, scope, id, "contract")
			if err := s.CreateUpload(ctx, over, limit); !errors.Is(err, attestation.ErrTooManyUploads) {
				t.Fatalf("declaration %d: %v, want ErrTooManyUploads", limit+1, err)
			}
			if _, err := s.GetUpload(ctx, over.ID); !errors.Is(err, attestation.ErrNotFound) {
				t.Fatalf("the refused declaration was stored: %v", err)
			}
			if err := s.CreateUpload(ctx, pendingUpload(t, scope, other, "contract"), limit); err != nil {
				t.Fatalf("another %s: %v", scope, err)
			}
		})
	}
}
