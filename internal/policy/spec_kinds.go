package policy

import (
	"fmt"
	"slices"
	"strings"
)

// The kinds of objects (§5, §6), the exemptions, the exclusions (§2), the obligations outside
// the case (§11, §42) and the recall grounds (§45).

func validateKinds(c *checker, e *Edition, s *specFile, root keyOrders) {
	for _, k := range kindKeys {
		if _, ok := s.Kinds[k]; !ok {
			c.add("kinds."+k, "missing")
		}
	}
	for _, id := range keyOrder(root, "kinds") {
		k := s.Kinds[id]
		p := "kinds." + id
		if !slices.Contains(kindKeys, id) {
			c.add(p, "unknown kind (known: %s)", strings.Join(kindKeys, ", "))
			continue
		}
		if k == nil {
			c.add(p, "missing")
			continue
		}
		c.required(p+".title", k.Title)
		c.required(p+".paragraph", k.Paragraph)
		kind := Kind{ID: id, Title: k.Title, Paragraph: k.Paragraph, ValidityStep: k.ValidityStep}
		if k.Mandatory == nil {
			c.add(p+".mandatory", "missing")
		} else {
			kind.Mandatory = *k.Mandatory
		}
		if k.OperationRequiresCertificate == nil {
			c.add(p+".operation_requires_certificate", "missing")
		} else {
			kind.OperationRequiresCertificate = *k.OperationRequiresCertificate
		}
		if k.ValidityStep != "" {
			s.checkStep(c, p+".validity_step", k.ValidityStep)
		}
		e.kinds = append(e.kinds, kind)
	}
	for _, id := range keyOrder(root, "exemptions") {
		x := s.Exemptions[id]
		p := "exemptions." + id
		if x == nil {
			c.add(p, "missing")
			continue
		}
		c.required(p+".paragraph", x.Paragraph)
		c.required(p+".text", x.Text)
		if len(x.Kinds) == 0 {
			c.add(p+".kinds", "missing")
		}
		for i, k := range x.Kinds {
			s.checkKind(c, fmt.Sprintf("%s.kinds[%d]", p, i), k)
		}
		e.exemptions = append(e.exemptions, Exemption{ID: id, Paragraph: x.Paragraph, Text: x.Text, Kinds: slices.Clone(x.Kinds)})
	}
	for _, id := range keyOrder(root, "exclusions") {
		x := s.Exclusions[id]
		p := "exclusions." + id
		if x == nil {
			c.add(p, "missing")
			continue
		}
		c.required(p+".paragraph", x.Paragraph)
		c.required(p+".text", x.Text)
		e.exclusions = append(e.exclusions, Exclusion{ID: id, Paragraph: x.Paragraph, Text: x.Text})
	}
	for _, id := range keyOrder(root, "obligations") {
		o := s.Obligations[id]
		p := "obligations." + id
		if o == nil {
			c.add(p, "missing")
			continue
		}
		c.required(p+".paragraph", o.Paragraph)
		c.required(p+".text", o.Text)
		c.required(p+".step", o.Step)
		if o.Step != "" {
			s.checkStep(c, p+".step", o.Step)
		}
		for i, k := range o.ExceptKinds {
			s.checkKind(c, fmt.Sprintf("%s.except_kinds[%d]", p, i), k)
		}
		e.obligations = append(e.obligations, Obligation{ID: id, Paragraph: o.Paragraph, Text: o.Text, Step: o.Step, MandatoryOnly: o.MandatoryOnly, ExceptKinds: slices.Clone(o.ExceptKinds)})
	}
	if len(s.RecallGrounds) == 0 {
		c.add("recall_grounds", "missing")
	}
	recallIDs := map[string]bool{}
	for i, g := range s.RecallGrounds {
		p := fmt.Sprintf("recall_grounds[%d]", i)
		if recallIDs[g.ID] {
			c.add(p+".id", "duplicate id %q", g.ID)
		}
		recallIDs[g.ID] = true
		if g.Number != i+1 {
			c.add(p+".number", "must be %d (grounds are numbered in order from 1)", i+1)
		}
		c.required(p+".id", g.ID)
		c.required(p+".paragraph", g.Paragraph)
		c.required(p+".text", g.Text)
		for j, k := range g.Kinds {
			s.checkKind(c, fmt.Sprintf("%s.kinds[%d]", p, j), k)
		}
		e.recalls = append(e.recalls, RecallGround{ID: g.ID, Number: g.Number, Paragraph: g.Paragraph, Text: g.Text, MandatoryOnly: g.MandatoryOnly, Kinds: slices.Clone(g.Kinds)})
	}
}
