package register

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
)

type noLinks struct{}

// publicStore is the fixture's store with the public search (memSearcher).
type publicStore struct {
	*memStore
	memSearcher
}

func (noLinks) PresignGet(context.Context, string, string, time.Duration) (attestation.Presigned, error) {
	return attestation.Presigned{URL: "https://example/x"}, nil
}

// §25, §28: a certificate entered but not yet sent to its owner is the authority's alone: neither
// its owner nor the public reads its number, entry or PDF until the owner receives it.
func TestPar28EntryAwaitingReceiptIsTheAuthoritysAlone(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	e := f.issue(t, "nonstate_is", issuedAt)
	e.AwaitingReceipt = true
	next, err := Next(ctx, f.signer, e, e, issuedAt.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.PutEntry(ctx, next, Revision{Number: next.Revision, At: next.UpdatedAt, Seal: next.Seal}); err != nil {
		t.Fatal(err)
	}
	now := issuedAt.Add(time.Hour)
	notFound := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, apperr.NotFound) {
			t.Errorf("%s: %v, want not found", what, err)
		}
	}
	_, err = f.svc.Get(ctx, owner, e.Number, now)
	notFound("the owner's read", err)
	if list, _, err := f.svc.List(ctx, owner, CertificateQuery{}, 10, "", now); err != nil || len(list) != 0 {
		t.Errorf("the owner's list: %v %v", list, err)
	}
	_, err = f.svc.NotifyMonitoring(ctx, owner, e.Number, now)
	notFound("the owner's notice", err)
	if _, err := f.svc.Get(ctx, authority, e.Number, now); err != nil {
		t.Errorf("the authority's read: %v", err)
	}
	pub := NewPublicService(publicStore{f.store, memSearcher{f.store}}, f.signer, "local-test", "", noLinks{}, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	_, err = pub.Verify(ctx, e.Number, now)
	notFound("the public verification", err)
	_, err = pub.History(ctx, e.Number)
	notFound("the public history", err)
	_, _, err = pub.CertificateDocument(ctx, owner, e.Number, CopyCurrent)
	notFound("the owner's PDF", err)
	if _, _, err := pub.CertificateDocument(ctx, authority, e.Number, CopyCurrent); err != nil {
		t.Errorf("the authority's PDF: %v", err)
	}
	if page, err := Search(ctx, memSearcher{f.store}, Query{Limit: 10}, now); err != nil || len(page.Entries) != 0 {
		t.Errorf("the public search: %v %v", page.Entries, err)
	}
}

// §46: the 3 working days of the return run from the owner's receipt of the copy of the decision
// (attestation.ReceivedAt), which the API delivers with the decision.
func TestPar46ReturnRunsFromTheReceiptOfTheCopy(t *testing.T) {
	f := newFixture(t)
	e := f.issue(t, "state_is", issuedAt)
	decided := at(2026, 11, 2, 11, 0)
	got, err := f.svc.Recall(context.Background(), authority, e.Number, recall("owner_application"), decided)
	if err != nil {
		t.Fatal(err)
	}
	received, ok := attestation.ReceivedAt(attestation.SentOnline(decided))
	due, derr := f.ed.Due(f.cal, "certificate_return", received)
	if !ok || derr != nil || !got.Recall.ReturnDueAt.Equal(due.At) || !got.Recall.ReturnDueAt.Equal(endOf(2026, 11, 5)) {
		t.Fatalf("return due %s, want 3 working days from the receipt %s (%v)", got.Recall.ReturnDueAt, received, derr)
	}
}

// §45(2): the owner applies for the recall of its certificate; the authority then decides it,
// and until it does the application is in the authority's obligations.
func TestPar45OwnerAppliesForTheRecallAndTheAuthorityDecides(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	e := f.issue(t, "nonstate_is", issuedAt)
	now := at(2026, 11, 2, 11, 0)
	_, err := f.svc.ApplyForRecall(ctx, stranger, e.Number, RecallApplicationInput{Reasons: []string{"x"}}, now)
	mustErr(t, err, attestation.ErrNotFound)
	_, err = f.svc.ApplyForRecall(ctx, owner, e.Number, RecallApplicationInput{}, now)
	mustRefuse(t, err, "reasons")
	got, err := f.svc.ApplyForRecall(ctx, owner, e.Number, RecallApplicationInput{Reasons: []string{"The system is replaced"}}, now)
	if err != nil || got.RecallApplication == nil || !got.RecallApplication.ReceivedAt.Equal(now) || got.Status != Valid {
		t.Fatalf("%+v %v", got.RecallApplication, err)
	}
	revs := f.store.revisions(e.Number)
	if _, err := f.svc.ApplyForRecall(ctx, owner, e.Number, RecallApplicationInput{Reasons: []string{"again"}}, now.Add(time.Hour)); err != nil || f.store.revisions(e.Number) != revs {
		t.Fatalf("a repeat: %v, %d revisions", err, f.store.revisions(e.Number)-revs)
	}
	open := func() []string {
		t.Helper()
		obs, _, err := f.svc.Obligations(ctx, authority, false, 100, "", now.Add(2*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, o := range obs {
			out = append(out, o.Kind+"/"+o.Ground+"/"+string(o.Actor))
		}
		return out
	}
	if got := open(); len(got) != 1 || got[0] != "recall/owner_application/authority" {
		t.Fatalf("obligations %v, want the authority's decision on the owner's application", got)
	}
	if _, err := f.svc.Recall(ctx, authority, e.Number, recall("owner_application", "as the owner applied"), now.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, o := range open() {
		if o == "recall/owner_application/authority" {
			t.Fatal("the decided application is still open")
		}
	}
	f.verifyChain(t)
}

// §44: a decision that re-attestation is required obliges the owner to apply again (the seeds
// set no period) and lists the certificate for the authority's decision on recall for changed
// conditions (§45(4)); both show in the obligations list until the recall is decided.
func TestPar44ReattestationRequiredLeadsToANewApplicationAndARecallDecision(t *testing.T) {
	ctx := context.Background()
	obligations := func(f *fixture, number string, now time.Time) []string {
		t.Helper()
		obs, _, err := f.svc.Obligations(ctx, authority, false, 100, "", now)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, o := range obs {
			if o.Certificate == number {
				out = append(out, o.Kind+"/"+o.ID+"/"+o.Ground+"/"+string(o.Actor)+"/"+o.Paragraph)
			}
		}
		return out
	}
	for _, tc := range []struct {
		kind string
		want []string
	}{
		{"state_is", []string{"reattestation/c1//applicant/§43, §44", "recall/c1/changed_conditions/authority/§45(4)"}},
		// §45(4) concerns the mandatory objects of §5: a voluntary object's owner applies again only.
		{"nonstate_is", []string{"reattestation/c1//applicant/§43, §44"}},
	} {
		t.Run("§44 "+tc.kind, func(t *testing.T) {
			f := newFixture(t)
			e := f.issue(t, tc.kind, issuedAt)
			now := at(2026, 11, 2, 11, 0)
			if _, _, err := f.svc.NotifyChange(ctx, owner, e.Number, ChangeInput{Description: "New servers in a second data centre"}, now); err != nil {
				t.Fatal(err)
			}
			if _, _, err := f.svc.DecideChange(ctx, authority, e.Number, "c1", ChangeDecision{Decision: ReattestationRequired, Reasons: []string{"the network changed"}}, now.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			got := obligations(f, e.Number, now.Add(2*time.Hour))
			for _, w := range tc.want {
				if !slices.Contains(got, w) {
					t.Errorf("obligations %v lack %s", got, w)
				}
			}
			if len(got) != len(tc.want)+boolInt(tc.kind == "state_is") { // + the monitoring connection of §42
				t.Errorf("obligations %v, want %v", got, tc.want)
			}
			if _, err := f.svc.Recall(ctx, authority, e.Number, RecallInput{Ground: GroundChangedConditions, Reasons: []string{"changed"}, ChangeID: "c1"}, now.Add(3*time.Hour)); err != nil && tc.kind == "state_is" {
				t.Fatal(err)
			}
			if tc.kind == "state_is" {
				for _, o := range obligations(f, e.Number, now.Add(4*time.Hour)) {
					if strings.HasPrefix(o, "reattestation/") || strings.HasPrefix(o, "recall/c1") {
						t.Errorf("still open after the recall: %s", o)
					}
				}
			}
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
