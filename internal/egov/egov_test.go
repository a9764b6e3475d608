package egov

import (
	"context"
	"testing"

	"attestation/internal/apperr"
)

// Std9: the office reads the organisation's registration and the representative's identity from
// the state registers (through the e-government gateway); the stand-in answers from its list.
func TestStd9RegistryStandIn(t *testing.T) {
	r, err := Parse(`{"120540001238": "Demo applicant LLP", "850101300124": "APPLICANT AIGERIM"}`)
	if err != nil {
		t.Fatal(err)
	}
	org, err := r.Organization(context.Background(), "120540001238")
	if err != nil || org.Name != "Demo applicant LLP" || org.Individual {
		t.Fatalf("organisation: %+v %v", org, err)
	}
	person, err := r.Organization(context.Background(), "850101300124")
	if err != nil || !person.Individual {
		t.Fatalf("person: %+v %v", person, err)
	}
	if _, err := r.Organization(context.Background(), "990340005977"); apperr.KindOf(err) != apperr.NotFound {
		t.Fatalf("unknown number: %v, want NotFound", err)
	}
	for _, bad := range []string{`[]`, `{"12345": "x"}`, `{"120540001238": ""}`} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%s) accepted", bad)
		}
	}
}
