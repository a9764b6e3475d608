package attestation

import (
	"bytes"
	"slices"
	"strings"
	"sync"
	"testing"

	"attestation/internal/identity"
)

// Filing a draft (§13): the submission of a complete draft as a case.

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
		h.files.put(late.DocumentKey(), late.ContentType, body)
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
