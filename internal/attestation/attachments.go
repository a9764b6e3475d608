package attestation

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// The documents attached to a completion: the kinds its outcome takes, each pinned by key and
// SHA-256 to a confirmed upload of the case, and those the step is taken on (the act, Art. 51's
// protocol).

// checkDocuments checks the documents attached with an outcome: the kinds the outcome takes and
// no others, each pinned by key and SHA-256; and that every document the policy says the step is
// taken on (e.g. the act, or the attestation commission's protocol under Art. 51) is on the case
// or attached now.
func (s *Service) checkDocuments(c Case, rule StepRule, or OutcomeRule, attached []Document) ([]Document, error) {
	if len(attached) > maxDocuments {
		return nil, fmt.Errorf("documents: at most %d", maxDocuments)
	}
	allowed := map[string]bool{}
	for _, k := range or.Documents {
		allowed[k] = true
	}
	ed, err := s.rules.edition(c.Edition)
	if err != nil {
		return nil, err
	}
	// The documents the policy says the step is taken on: one that an earlier step of the
	// procedure produced (the act) is on the case; any other (the attestation commission's
	// protocol under Art. 51) belongs to this decision and is attached with it, each time.
	var requires []string
	have := map[string]bool{}
	if p, err := ed.Period(rule.Step); err == nil {
		requires = p.Requires
		for _, k := range p.Requires {
			if !producedByProcedure(k) {
				allowed[k] = true
				continue
			}
			for _, d := range c.Documents {
				if d.Kind == k {
					have[k] = true
				}
			}
		}
	}
	var out []Document
	for i, d := range attached {
		switch {
		case !allowed[d.Kind]:
			return nil, fmt.Errorf("documents[%d]: kind %q is not taken at %s", i, d.Kind, rule.Step)
		case strings.TrimSpace(d.Key) == "":
			return nil, fmt.Errorf("documents[%d]: key is required", i)
		case !sha256Hex().MatchString(d.SHA256):
			return nil, fmt.Errorf("documents[%d]: sha256 must be 64 lowercase hex digits", i)
		}
		d.Step, d.SentAt = rule.Step, nil
		out = append(out, d)
		have[d.Kind] = true
	}
	var missing []string
	for _, k := range append(slices.Clone(or.Documents), requires...) {
		if !have[k] && !slices.Contains(missing, k) {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("documents: %s requires %v", rule.Step, missing)
	}
	return out, nil
}

// producedByProcedure reports whether a step of the procedure produces documents of kind k.
func producedByProcedure(k string) bool {
	for _, r := range Procedure {
		for _, or := range r.Outcomes {
			if slices.Contains(or.Documents, k) {
				return true
			}
		}
	}
	return false
}

// resolveUploads pins each attached document to the confirmed upload its key names: the upload
// must have been made for this case and confirmed (its bytes checked), be of the kind it is
// attached as, and match the SHA-256 the caller states, if it states one. The stored version and
// SHA-256 come from the upload. A service without an upload store takes the documents as given.
func (s *Service) resolveUploads(ctx context.Context, caseID string, docs []Document) ([]Document, error) {
	if s.uploads == nil || len(docs) == 0 {
		return docs, nil
	}
	if len(docs) > maxDocuments {
		return nil, &UploadRefused{Problems: []Problem{{Field: "documents", Rule: ruleUpload, Message: fmt.Sprintf("at most %d documents", maxDocuments)}}}
	}
	ids := make([]string, 0, len(docs))
	for _, d := range docs {
		if id := UploadIDOfKey(d.Key); id != "" {
			ids = append(ids, id)
		}
	}
	found, err := s.uploads.Uploads(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("read uploads: %w", err)
	}
	var ps []Problem
	out := make([]Document, len(docs))
	for i, d := range docs {
		field := fmt.Sprintf("documents[%d]", i)
		u, ok := found[UploadIDOfKey(d.Key)]
		switch {
		case !ok || u.Scope != ScopeCase || u.ScopeID != caseID:
			ps = append(ps, Problem{Field: field + ".key", Rule: ruleUpload,
				Message: fmt.Sprintf("%q is not a document uploaded to this case: upload it (POST /cases/%s/uploads), confirm it, and attach the key the confirm returns", d.Key, caseID)})
		case u.State != UploadConfirmed:
			ps = append(ps, Problem{Field: field + ".key", Rule: ruleUpload, Message: "the upload is not confirmed yet: confirm it first"})
		case d.Kind != u.Document:
			ps = append(ps, Problem{Field: field + ".kind", Rule: ruleUpload, Message: fmt.Sprintf("the upload was declared as %q, not %q", u.Document, d.Kind)})
		case d.SHA256 != "" && !strings.EqualFold(d.SHA256, u.SHA256):
			ps = append(ps, Problem{Field: field + ".sha256", Rule: ruleUpload, Message: fmt.Sprintf("the upload's SHA-256 is %s", u.SHA256)})
		default:
			d.SHA256, d.VersionID, d.Signature = u.SHA256, u.VersionID, u.Signed
		}
		out[i] = d
	}
	if len(ps) > 0 {
		return nil, &UploadRefused{Problems: ps}
	}
	return out, nil
}
