package attestation

import (
	"slices"
	"testing"
)

// TestDraftNamesItsRegisteredObjectAsRegisteredPar11: a draft (and so the case, the certificate
// and the register) that names a registered object (object.id, §11, Annex 1) names it as
// registered (Annex 2): another name or kind is refused 422 when the draft is written, naming
// object.name or object.kind; an empty one is taken from the object; an object that is not the
// applicant's is left for the draft's check and the filing (TestFilingNamesItsObjectPar11).
func TestDraftNamesItsRegisteredObjectAsRegisteredPar11(t *testing.T) {
	registered := draftPackage().Object // "Register of permits", state_is
	for _, tc := range []struct {
		name, id, objectName, kind string
		fields                     []string
	}{
		{"§11 named as registered", "O-00000000000000aa", registered.Name, registered.Kind, nil},
		{"§11 Annex 2 another name is refused", "O-00000000000000aa", "E-licensing", registered.Kind, []string{"object.name"}},
		{"§11 Annex 2 another kind is refused", "O-00000000000000aa", registered.Name, "state_ir", []string{"object.kind"}},
		{"§11 Annex 2 both", "O-00000000000000aa", "E-licensing", "state_ir", []string{"object.kind", "object.name"}},
		{"§11 an empty name and kind are taken from the object", "O-00000000000000aa", "", "", nil},
		{"§11 another organisation's object is left for the filing", "O-00000000000000bb", "E-licensing", registered.Kind, nil},
		{"§11 no object named: any name", "", "E-licensing", registered.Kind, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newUploadHarness(t)
			h.rebuild(func(d *Deps) {
				d.ObjectOwners = owners{"O-00000000000000aa": applicant.BIN, "O-00000000000000bb": "990000000001"}
			})
			pkg := draftPackage()
			pkg.Object.ID, pkg.Object.Name, pkg.Object.Kind = tc.id, tc.objectName, tc.kind
			d, err := h.svc.CreateDraft(h.ctx, applicant, pkg, h.tick())
			if tc.fields != nil {
				if got := problemFields(submissionProblems(t, err)); !slices.Equal(got, tc.fields) {
					t.Fatalf("create: problems on %v, want %v", got, tc.fields)
				}
				// The same on an update of a draft that was right.
				ok := draftPackage()
				ok.Object.ID = tc.id
				d, err := h.svc.CreateDraft(h.ctx, applicant, ok, h.tick())
				if err != nil {
					t.Fatal(err)
				}
				_, err = h.svc.UpdateDraft(h.ctx, applicant, d.ID, pkg, h.tick())
				if got := problemFields(submissionProblems(t, err)); !slices.Equal(got, tc.fields) {
					t.Fatalf("update: problems on %v, want %v", got, tc.fields)
				}
				return
			}
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			if tc.id == "O-00000000000000aa" && (d.Package.Object.Name != registered.Name || d.Package.Object.Kind != registered.Kind) {
				t.Fatalf("draft object %+v, want the registered name and kind", d.Package.Object)
			}
		})
	}
}
