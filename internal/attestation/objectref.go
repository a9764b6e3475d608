package attestation

import (
	"context"
	"errors"
	"fmt"

	"attestation/internal/identity"
)

// ruleNamedObject: the application (Annex 2) names the object of attestation; one the applicant
// registered (§11, Annex 1) is named as registered, so the case, the certificate and the register
// say what the owner's list says.
const ruleNamedObject = "§11, Annex 2"

// ruleDeveloper: the register records the object's developer (§29(3)).
const ruleDeveloper = "§29"

// namedObject checks a package that names a registered object (object.id) against it: its name
// and kind are the registered ones, and an empty one is taken from the object. A draft is checked
// when it is written; an object that is not the applicant's is refused at filing (strict), and
// left for then when a draft is written (the draft's check and the filing name it).
func (s *Service) namedObject(ctx context.Context, actor identity.Actor, pkg *Package, strict bool) ([]Problem, error) {
	id := pkg.Object.ID
	if id == "" {
		return nil, nil
	}
	obj, err := s.owners.RegisteredObject(ctx, id)
	switch {
	case errors.Is(err, ErrNotFound) || err == nil && obj.Owner != actor.BIN:
		if !strict {
			return nil, nil
		}
		return []Problem{{Field: "object.id", Rule: "§11, Annex 1",
			Message: fmt.Sprintf("no object %s is registered to your organisation: register it with POST /objects, or leave object.id out", id)}}, nil
	case err != nil:
		return nil, fmt.Errorf("object %s: %w", id, err)
	}
	if pkg.Object.Name == "" {
		pkg.Object.Name = obj.Name
	}
	if pkg.Object.Kind == "" {
		pkg.Object.Kind = obj.Kind
	}
	// §29: the developer the register records comes from the registered object, unless the
	// filing names one itself.
	if pkg.Object.Developer == "" {
		pkg.Object.Developer = obj.Developer
	}
	var ps []Problem
	if pkg.Object.Name != obj.Name {
		ps = append(ps, Problem{Field: "object.name", Rule: ruleNamedObject,
			Message: fmt.Sprintf("object %s is registered as %q: name it so, or leave object.name out to take the registered name", id, obj.Name)})
	}
	if pkg.Object.Kind != obj.Kind {
		ps = append(ps, Problem{Field: "object.kind", Rule: ruleNamedObject,
			Message: fmt.Sprintf("object %s is registered of kind %s: give that kind, or leave object.kind out to take it", id, obj.Kind)})
	}
	return ps, nil
}
