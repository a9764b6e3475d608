package attestation

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"attestation/internal/apperr"
)

// bigDraft is draftPackage with hardware rows added until its JSON (documents left out) is about
// size bytes.
func bigDraft(t testing.TB, size int) Package {
	t.Helper()
	p := draftPackage()
	for i := 0; ; i++ {
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) >= size {
			return p
		}
		r := p.Hardware[0]
		r.SerialNumber, r.IPAddresses = fmt.Sprintf("INV-%05d", i+3), []string{"10.10.2.1"}
		r.Location = strings.Repeat("l", min(MaxTextLength, size-len(b)))
		p.Hardware = append(p.Hardware, r)
	}
}

// A draft is kept whole in one item: its data is bounded by MaxDraftBytes, refused with 413
// naming the limit before anything is written; a draft at the limit is kept.
func TestDraftDataIsBoundedByMaxDraftBytes(t *testing.T) {
	h := newUploadHarness(t)
	under := bigDraft(t, MaxDraftBytes-3000)
	d, err := h.svc.CreateDraft(h.ctx, applicant, under, h.tick())
	if err != nil {
		t.Fatalf("a draft under the limit: %v", err)
	}
	over := bigDraft(t, MaxDraftBytes+1)
	for name, do := range map[string]func() error{
		"create": func() error { _, err := h.svc.CreateDraft(h.ctx, applicant, over, h.tick()); return err },
		"update": func() error { _, err := h.svc.UpdateDraft(h.ctx, applicant, d.ID, over, h.tick()); return err },
	} {
		t.Run(name, func(t *testing.T) {
			err := do()
			if !errors.Is(err, apperr.TooLarge) || !strings.Contains(apperr.PublicOf(err).Detail, fmt.Sprint(MaxDraftBytes)) {
				t.Fatalf("err %v, want TooLarge naming %d", err, MaxDraftBytes)
			}
		})
	}
	if n := h.ups.draftCount(); n != 1 {
		t.Fatalf("drafts stored: %d", n)
	}
	if got, _ := h.check(d.ID); got.Version != 1 {
		t.Fatalf("the refused update wrote version %d", got.Version)
	}
}
