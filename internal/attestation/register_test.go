package attestation

import (
	"context"
	"testing"
)

// developerOwners registers every object to the applicant with its developer (§29).
type developerOwners struct{ developer string }

func (o developerOwners) RegisteredObject(_ context.Context, id string) (RegisteredObject, error) {
	obj := draftPackage().Object
	return RegisteredObject{Owner: applicant.BIN, Name: obj.Name, Kind: obj.Kind, Developer: o.developer}, nil
}

// §29: the register records the object's developer; a filing takes it from the registered object
// it names, or gives it.
func TestPar29TheRegisterNeedsTheDeveloper(t *testing.T) {
	for _, tc := range []struct {
		name, id, given, registered, want, field string
	}{
		{"§29 the developer comes from the registered object", "O-00000000000000aa", "", "National IT operator", "National IT operator", ""},
		{"§29 a filing without an object gives the developer", "", "Digital Services LLP", "", "Digital Services LLP", ""},
		{"§29 a filing with neither is refused", "", "", "", "", "object.developer"},
		{"§29 a developer the filing names itself is kept", "O-00000000000000aa", "Digital Services LLP", "National IT operator", "Digital Services LLP", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newUploadHarness(t)
			h.rebuild(func(d *Deps) { d.ObjectOwners = developerOwners{tc.registered} })
			pkg := draftPackage()
			pkg.Object.ID, pkg.Object.Developer = tc.id, tc.given
			d, err := h.svc.CreateDraft(h.ctx, applicant, pkg, h.tick())
			var c Case
			if err == nil { // a developer other than the registered one is refused as the draft is written
				for _, r := range requiredDocuments(t) {
					h.draftUpload(d.ID, r.ID)
				}
				c, err = h.svc.SubmitDraft(h.ctx, applicant, d.ID, h.tick())
			}
			if tc.field == "" {
				if err != nil || c.Developer != tc.want {
					t.Fatalf("submit: developer %q, %v; want %q", c.Developer, err, tc.want)
				}
				return
			}
			problems := submissionProblems(t, err)
			if len(problems) != 1 || problems[0].Field != tc.field || problems[0].Rule != "§29" {
				t.Fatalf("problems %v, want one on %s (§29)", problems, tc.field)
			}
		})
	}
}
