package attestation

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/identity"
)

// A draft is an application package being put together (§13): the applicant creates it with the
// application's data (Annex 2) and lists (Annexes 4-6), uploads each document into it, asks for
// the machine check as often as it likes, and submits it. Submitting files the application: the
// submission checks run on the draft as stored, and the case is created and the draft marked
// submitted in one transaction, so a draft becomes at most one case however often submit is
// delivered.

// DraftState is where a draft is.
type DraftState string

// The states of a draft.
const (
	DraftOpen      DraftState = "open"
	DraftSubmitted DraftState = "submitted"
)

// DraftTTL is how long an open draft is kept after its last change.
const DraftTTL = 180 * 24 * time.Hour

// Draft is an application package being put together.
type Draft struct {
	ID           string     `json:"id"`
	Organization string     `json:"-"`
	Package      Package    `json:"package"`
	State        DraftState `json:"state"`
	CaseID       string     `json:"caseId,omitempty"`
	Version      int        `json:"version"`
	CreatedBy    string     `json:"createdBy"`
	CreatedAt    time.Time  `json:"createdAt"`
	UpdatedAt    time.Time  `json:"updatedAt"`
	// Paper: a paper filing the Committee's office registers for the organisation (office.go).
	Paper *PaperFiling `json:"paper,omitempty"`
}

func newDraftID() (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("draft id: %w", err)
	}
	return "D-" + hex.EncodeToString(b[:]), nil
}

// draftContent checks what the applicant sends as the draft's content: the documents come only
// through uploads, and the applicant drafts for its own organisation.
func draftContent(actor identity.Actor, pkg Package) []Problem {
	var ps []Problem
	if len(pkg.Documents) > 0 {
		ps = append(ps, Problem{Field: "documents", Rule: ruleDocumentReference,
			Message: "documents are not sent in the draft: upload each one (POST /drafts/{draftId}/uploads) and confirm it"})
	}
	if pkg.Applicant.IdentityNumber != "" && pkg.Applicant.IdentityNumber != actor.BIN {
		ps = append(ps, Problem{Field: "applicant.identityNumber", Rule: ruleAnnex2,
			Message: "an applicant files for its own organisation: the number must be the one of the signed-in organisation"})
	}
	// Text nobody may read safely is refused when it is written, not only when the draft is
	// checked or filed.
	return append(ps, UnsafeTexts("", pkg)...)
}

// draftSize refuses a draft's data over MaxDraftBytes (its JSON, the documents left out), before
// anything is written.
func draftSize(pkg Package) error {
	pkg.Documents = nil
	b, err := json.Marshal(pkg)
	if err != nil {
		return fmt.Errorf("draft: encode its data: %w", err)
	}
	if len(b) > MaxDraftBytes {
		return apperr.Errorf(apperr.TooLarge, "", "package: a draft's data (Annexes 2, 4-6) is at most %d bytes of JSON; this one is %d: file a larger package directly (POST /cases, up to %d bytes)",
			MaxDraftBytes, len(b), MaxPackageBytes)
	}
	return nil
}

// CreateDraft starts a draft with the application's data; its documents come by upload.
func (s *Service) CreateDraft(ctx context.Context, actor identity.Actor, pkg Package, now time.Time) (Draft, error) {
	if err := s.requireFiles(); err != nil {
		return Draft{}, err
	}
	if actor.Role != identity.Applicant {
		return Draft{}, apperr.Errorf(apperr.Forbidden, "", "create draft: role %s may not file applications", actor.Role)
	}
	ps := draftContent(actor, pkg)
	named, err := s.namedObject(ctx, actor, &pkg, false)
	if err != nil {
		return Draft{}, fmt.Errorf("create draft: %w", err)
	}
	if ps = append(ps, named...); len(ps) > 0 {
		return Draft{}, &SubmissionRefused{Problems: ps}
	}
	id, err := newDraftID()
	if err != nil {
		return Draft{}, err
	}
	pkg.Documents = map[string]DocumentRef{}
	pkg.normalize()
	if err := draftSize(pkg); err != nil {
		return Draft{}, err
	}
	d := Draft{ID: id, Organization: actor.BIN, Package: pkg, State: DraftOpen, Version: 1, CreatedBy: actor.Subject, CreatedAt: now.UTC(), UpdatedAt: now.UTC()}
	if err := s.uploads.CreateDraft(ctx, d); err != nil {
		return Draft{}, fmt.Errorf("create draft %s: %w", id, err)
	}
	return d, nil
}

// GetDraft returns the actor's draft and the machine check of it as it would be filed now (every
// problem with its paragraph). Another organisation's draft is ErrNotFound.
func (s *Service) GetDraft(ctx context.Context, actor identity.Actor, id string, now time.Time) (Draft, []Problem, error) {
	d, err := s.ownDraft(ctx, actor, id)
	if err != nil {
		return Draft{}, nil, err
	}
	if d.State != DraftOpen {
		return d, nil, nil
	}
	ps, err := s.CheckPackage(s.filer(actor, d), d.Package, now)
	if err != nil {
		return Draft{}, nil, fmt.Errorf("check draft %s: %w", id, err)
	}
	return d, ps, nil
}

func (s *Service) ownDraft(ctx context.Context, actor identity.Actor, id string) (Draft, error) {
	if err := s.requireFiles(); err != nil {
		return Draft{}, err
	}
	if !strings.HasPrefix(id, "D-") || len(id) != 26 {
		return Draft{}, apperr.Errorf(apperr.NotFound, "draft", "draft %q", id)
	}
	d, err := s.uploads.GetDraft(ctx, id)
	if err != nil {
		return Draft{}, fmt.Errorf("draft %s: %w", id, err)
	}
	// An organisation's online drafts are its own; a paper filing is the office's (office.go).
	if !(actor.Role == identity.Applicant && d.Organization == actor.BIN && d.Paper == nil || actor.Role == identity.Office && d.Paper != nil) {
		return Draft{}, apperr.Errorf(apperr.NotFound, "draft", "draft %s", id)
	}
	return d, nil
}

// UpdateDraft replaces the draft's data; the documents uploaded into it stay.
func (s *Service) UpdateDraft(ctx context.Context, actor identity.Actor, id string, pkg Package, now time.Time) (Draft, error) {
	if actor.Role == identity.Office { // a paper filing's package is checked for its organisation
		d, err := s.ownDraft(ctx, actor, id)
		if err != nil {
			return Draft{}, err
		}
		actor = s.filer(actor, d)
		if pkg.Applicant.IdentityNumber == "" {
			pkg.Applicant.IdentityNumber = d.Organization
		}
	}
	ps := draftContent(actor, pkg)
	named, err := s.namedObject(ctx, actor, &pkg, false)
	if err != nil {
		return Draft{}, fmt.Errorf("update draft %s: %w", id, err)
	}
	if ps = append(ps, named...); len(ps) > 0 {
		return Draft{}, &SubmissionRefused{Problems: ps}
	}
	for attempt := 0; ; attempt++ {
		d, err := s.ownDraft(ctx, actor, id)
		if err != nil {
			return Draft{}, err
		}
		if d.State != DraftOpen {
			return Draft{}, apperr.Errorf(apperr.Conflict, "", "update draft %s: it was submitted as case %s", id, d.CaseID)
		}
		pkg.Documents = d.Package.Documents
		pkg.normalize()
		if err := draftSize(pkg); err != nil {
			return Draft{}, err
		}
		d.Package = pkg
		d.Version++
		d.UpdatedAt = now.UTC()
		err = s.uploads.UpdateDraft(ctx, d)
		if errors.Is(err, ErrConflict) && attempt < maxRetries {
			continue // an upload was attached meanwhile: apply the change on top of it
		}
		if err != nil {
			return Draft{}, fmt.Errorf("update draft %s: %w", id, err)
		}
		return d, nil
	}
}

// RequestDraftUpload declares a document of the draft's package and returns the presigned PUT
// for it. The document must be one the edition knows (§13, Annexes 2-6).
func (s *Service) RequestDraftUpload(ctx context.Context, actor identity.Actor, draftID string, in UploadRequest, now time.Time) (Upload, Presigned, error) {
	d, err := s.ownDraft(ctx, actor, draftID)
	if err != nil {
		return Upload{}, Presigned{}, err
	}
	if d.State != DraftOpen {
		return Upload{}, Presigned{}, apperr.Errorf(apperr.Conflict, "", "upload to draft %s: it was submitted as case %s", draftID, d.CaseID)
	}
	ed, err := s.rules.edition(s.edition)
	if err != nil {
		return Upload{}, Presigned{}, err
	}
	doc, known := ed.Document(in.Document)
	if in.Document != "" && !known {
		return Upload{}, Presigned{}, &UploadRefused{Problems: []Problem{{Field: "document", Rule: ruleDocumentReference,
			Message: fmt.Sprintf("%q is not a document of the package under %s; the machine check of the draft lists the documents due", in.Document, ed.ID())}}}
	}
	var term []Problem // standard §10: a term only for a document the policy gives one
	if msg := termProblem(ed, doc, in.ExpiresOn); known && msg != "" && len(in.ExpiresOn) <= len(time.DateOnly) {
		term = append(term, Problem{Field: "expiresOn", Rule: ruleExpiredDocuments, Message: msg})
	}
	if p := paperSignature(actor, in); p != nil {
		return Upload{}, Presigned{}, &UploadRefused{Problems: []Problem{*p}}
	}
	return s.requestUpload(ctx, actor, ScopeDraft, d.ID, d.Organization, in, now, term...)
}

// SubmitDraft files the draft's package as an application (see Submit). A draft already
// submitted returns its case: a repeated submit files once.
func (s *Service) SubmitDraft(ctx context.Context, actor identity.Actor, draftID string, now time.Time) (Case, error) {
	for attempt := 0; ; attempt++ {
		d, err := s.ownDraft(ctx, actor, draftID)
		if err != nil {
			return Case{}, err
		}
		if d.State == DraftSubmitted {
			c, err := s.store.Get(ctx, d.CaseID)
			if err != nil {
				return Case{}, fmt.Errorf("submit draft %s: case %s: %w", draftID, d.CaseID, err)
			}
			// The transaction that filed it may have been followed by a failed start: start
			// again (starting a running execution is not an error).
			if err := s.start(ctx, c); err != nil {
				return Case{}, fmt.Errorf("submit draft %s: %w", draftID, err)
			}
			return c, nil
		}
		c, ev, err := s.prepare(ctx, actor, d.Package, now)
		if err != nil {
			return Case{}, err
		}
		d.State, d.CaseID, d.Version, d.UpdatedAt = DraftSubmitted, c.ID, d.Version+1, now.UTC()
		err = s.uploads.SubmitDraft(ctx, d, c, ev)
		if errors.Is(err, ErrConflict) {
			s.discardPackage(ctx, c) // the transaction was refused: this case was not stored
			if attempt < maxRetries {
				continue // another delivery submitted it, or an upload was attached meanwhile
			}
		}
		if err != nil {
			return Case{}, fmt.Errorf("submit draft %s: %w", draftID, err)
		}
		if err := s.start(ctx, c); err != nil {
			return Case{}, fmt.Errorf("submit draft %s: %w", draftID, err)
		}
		s.log.InfoContext(ctx, "application submitted", "caseId", c.ID, "draft", draftID, "actor", actor)
		return c, nil
	}
}

// filer is who a draft's package is checked for: the actor, or for a paper filing the office
// acting for the organisation (office.go).
func (s *Service) filer(actor identity.Actor, d Draft) identity.Actor {
	if actor.Role == identity.Office && d.Paper != nil {
		return onBehalf(actor, d.Organization)
	}
	return actor
}

// normalize makes absent lists empty, so a stored draft reads back as it is shown.
func (p *Package) normalize() {
	if p.Documents == nil {
		p.Documents = map[string]DocumentRef{}
	}
	if p.Hardware == nil {
		p.Hardware = []HardwareItem{}
	}
	if p.Software == nil {
		p.Software = []SoftwareItem{}
	}
	if p.Integrated == nil {
		p.Integrated = []IntegratedObject{}
	}
}
