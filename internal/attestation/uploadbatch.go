package attestation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/identity"
)

// Declaring and confirming the documents of a draft many at a time: one call declares them all
// (one read of the draft, one write of the uploads and their count) and one call confirms them
// all (one batch read of the uploads, a HeadObject and a read of the first bytes per document,
// one write that confirms them and attaches them to the draft). Each document is checked as
// RequestDraftUpload and ConfirmUpload check one.

// MaxBatchUploads is how many uploads one call declares or confirms: a whole package.
const MaxBatchUploads = MaxDocuments

// verifyConcurrency is how many uploads a batch confirm checks with S3 at once.
const verifyConcurrency = 8

// DeclaredUpload is a declared upload and the PUT that uploads its bytes.
type DeclaredUpload struct {
	Upload Upload    `json:"upload"`
	Put    Presigned `json:"put"`
}

// ConfirmResult is the outcome of one upload of a batch confirm: the upload confirmed, or why not
// (a domain error: not found, refused with its problems, a conflict).
type ConfirmResult struct {
	ID     string
	Upload *Upload
	Err    error
}

// checkBatchSize refuses a batch of n items outside 1..MaxBatchUploads.
func checkBatchSize(n int) error {
	if n < 1 || n > MaxBatchUploads {
		return &UploadRefused{Problems: []Problem{{Field: "uploads", Rule: ruleUpload,
			Message: fmt.Sprintf("%d uploads: send between 1 and %d in one call", n, MaxBatchUploads)}}}
	}
	return nil
}

// RequestDraftUploads declares documents of the draft's package and returns the presigned PUT of
// each, in the order given. Every declaration is checked before anything is written; one that is
// refused refuses them all, each problem naming its item (uploads[i].field).
func (s *Service) RequestDraftUploads(ctx context.Context, actor identity.Actor, draftID string, ins []UploadRequest, now time.Time) ([]DeclaredUpload, error) {
	if err := checkBatchSize(len(ins)); err != nil {
		return nil, err
	}
	d, err := s.ownDraft(ctx, actor, draftID)
	if err != nil {
		return nil, err
	}
	if d.State != DraftOpen {
		return nil, apperr.Errorf(apperr.Conflict, "", "upload to draft %s: it was submitted as case %s", draftID, d.CaseID)
	}
	ed, err := s.rules.edition(s.edition)
	if err != nil {
		return nil, err
	}
	var ps []Problem
	us := make([]Upload, 0, len(ins))
	for i, in := range ins {
		in.SHA256 = strings.ToLower(in.SHA256)
		item := checkUploadRequest(in)
		p7s, sigProblems := s.signatureDeclared(in, ruleUpload)
		item = append(item, sigProblems...)
		if p := paperSignature(actor, in); p != nil {
			item = append(item, *p)
		}
		doc, known := ed.Document(in.Document)
		if in.Document != "" && len(in.Document) <= MaxDocumentIDLength && !known {
			item = append(item, Problem{Field: "document", Rule: ruleDocumentReference,
				Message: fmt.Sprintf("%q is not a document of the package under %s; the machine check of the draft lists the documents due", clip(in.Document), ed.ID())})
		}
		if msg := termProblem(ed, doc, in.ExpiresOn); known && msg != "" && len(in.ExpiresOn) <= len(time.DateOnly) {
			item = append(item, Problem{Field: "expiresOn", Rule: ruleExpiredDocuments, Message: msg})
		}
		for _, p := range item {
			p.Field = strings.TrimSuffix(fmt.Sprintf("uploads[%d].%s", i, p.Field), ".")
			ps = append(ps, p)
		}
		if len(item) == 0 {
			u, err := newUpload(actor, ScopeDraft, d.ID, d.Organization, in, now)
			if err != nil {
				return nil, err
			}
			u.SignatureP7S = p7s
			us = append(us, u)
		}
	}
	if len(ps) > 0 {
		return nil, &UploadRefused{Problems: ps}
	}
	if err := s.uploads.CreateUploads(ctx, us, MaxDraftUploads); err != nil {
		if errors.Is(err, ErrTooManyUploads) {
			return nil, tooManyUploads(ScopeDraft, MaxDraftUploads)
		}
		return nil, fmt.Errorf("uploads to draft %s: %w", draftID, err)
	}
	out := make([]DeclaredUpload, len(us))
	for i, u := range us {
		p, err := s.presignPut(ctx, u, now)
		if err != nil {
			return nil, err
		}
		out[i] = DeclaredUpload{Upload: u, Put: p}
	}
	return out, nil
}

// ConfirmDraftUploads confirms uploads of the draft as ConfirmUpload confirms one, and attaches
// those that pass to the draft in one write. It answers each upload in the order given: confirmed
// (again, for one confirmed before), or its own refusal, not found or conflict, which leaves the
// others unaffected. Naming an upload twice, or two uploads of the same document, refuses the call.
func (s *Service) ConfirmDraftUploads(ctx context.Context, actor identity.Actor, draftID string, ids []string, now time.Time) ([]ConfirmResult, error) {
	if err := checkBatchSize(len(ids)); err != nil {
		return nil, err
	}
	seen := map[string]int{}
	var malformed []Problem
	for i, id := range ids {
		if !validUploadID(id) {
			// Not an upload ID at all (U- and 32 hexadecimal digits): bad input, refused whole,
			// not a "not found" among the answers.
			malformed = append(malformed, Problem{Field: fmt.Sprintf("uploads[%d]", i), Rule: ruleUpload,
				Message: fmt.Sprintf("%q is not an upload ID (U- and 32 hexadecimal digits)", clip(id))})
			continue
		}
		if j, twice := seen[id]; twice {
			return nil, &UploadRefused{Problems: []Problem{{Field: fmt.Sprintf("uploads[%d]", i), Rule: ruleUpload,
				Message: fmt.Sprintf("the same upload as uploads[%d]; name each upload once", j)}}}
		}
		seen[id] = i
	}
	if len(malformed) > 0 {
		return nil, &UploadRefused{Problems: malformed}
	}
	d, err := s.ownDraft(ctx, actor, draftID)
	if err != nil {
		return nil, err
	}
	if d.State != DraftOpen {
		return nil, apperr.Errorf(apperr.Conflict, "", "confirm uploads of draft %s: it was submitted as case %s", draftID, d.CaseID)
	}
	valid := make([]string, 0, len(ids))
	for _, id := range ids {
		if validUploadID(id) {
			valid = append(valid, id)
		}
	}
	stored, err := s.uploads.Uploads(ctx, valid)
	if err != nil {
		return nil, fmt.Errorf("confirm uploads of draft %s: %w", draftID, err)
	}
	results := make([]ConfirmResult, len(ids))
	var pending []int // indexes of the uploads to check
	documents := map[string]int{}
	for i, id := range ids {
		results[i].ID = id
		u, ok := stored[id]
		switch {
		case !ok || u.Scope != ScopeDraft || u.ScopeID != d.ID || !confirmable(actor, u):
			results[i].Err = apperr.Errorf(apperr.NotFound, "upload", "upload %q of draft %s", id, d.ID)
		case u.State == UploadConfirmed:
			results[i].Upload = &u
		case expiredRefusal(u, now) != nil:
			results[i].Err = expiredRefusal(u, now)
		default:
			if j, twice := documents[u.Document]; twice {
				return nil, &UploadRefused{Problems: []Problem{{Field: fmt.Sprintf("uploads[%d]", i), Rule: ruleUpload,
					Message: fmt.Sprintf("an upload of the same document (%s) as uploads[%d]; confirm one of them", u.Document, j)}}}
			}
			documents[u.Document] = i
			results[i].Upload = &u
			pending = append(pending, i)
		}
	}
	checked, err := s.verifyAll(ctx, results, pending, now)
	if err != nil {
		return nil, err
	}
	if len(checked) == 0 {
		return results, nil
	}
	us := make([]Upload, len(checked))
	for n, i := range checked {
		us[n] = *results[i].Upload
	}
	if err := s.uploads.ConfirmUploads(ctx, us); err != nil {
		if !errors.Is(err, ErrConflict) {
			return nil, fmt.Errorf("confirm uploads of draft %s: %w", draftID, err)
		}
		// Another request confirmed one of them, or the draft was submitted meanwhile: each on
		// its own, as ConfirmUpload does.
		for _, i := range checked {
			u := *results[i].Upload
			if err := s.uploads.ConfirmUpload(ctx, u); err != nil {
				again, cerr := s.confirmConflict(ctx, u, err)
				results[i].Upload, results[i].Err = &again, cerr
				if cerr != nil {
					if apperr.KindOf(cerr) == apperr.Internal {
						return nil, cerr
					}
					results[i].Upload = nil
				}
			}
		}
	}
	s.log.InfoContext(ctx, "uploads confirmed", "draftId", d.ID, "confirmed", len(checked), "named", len(ids))
	return results, nil
}

// verifyAll checks the uploads of results at the indexes pending with S3, a few at a time, and
// returns the indexes of those that passed, each now confirmed (pinned to the version checked);
// the others carry their refusal. An error that is not a refusal (S3 failing) is the call's.
func (s *Service) verifyAll(ctx context.Context, results []ConfirmResult, pending []int, now time.Time) ([]int, error) {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		fatal error
		sem   = make(chan struct{}, verifyConcurrency)
	)
	for _, i := range pending {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			u := *results[i].Upload
			version, content, err := s.verify(ctx, u)
			if err == nil {
				// The signature declared with it, over the very version checked (issue 17).
				err = s.verifySignature(ctx, &u, u.DocumentKey(), version, content, now)
			}
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				c := confirmed(u, version, now)
				results[i].Upload = &c
			case apperr.KindOf(err) == apperr.Internal:
				fatal = errors.Join(fatal, err)
			default:
				results[i].Upload, results[i].Err = nil, err
			}
		}()
	}
	wg.Wait()
	if fatal != nil {
		return nil, fatal
	}
	var passed []int
	for _, i := range pending {
		if results[i].Err == nil {
			passed = append(passed, i)
		}
	}
	return passed, nil
}
