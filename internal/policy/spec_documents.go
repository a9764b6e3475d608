package policy

import (
	"fmt"
	"slices"
)

// The package's documents (§13, Annex 3) and the package rules that say when each is due.

func validateDocuments(c *checker, e *Edition, s *specFile, root keyOrders) {
	if len(s.Documents) == 0 {
		c.add("documents", "missing")
	}
	annex3 := map[int]string{}
	for _, id := range keyOrder(root, "documents") {
		d := s.Documents[id]
		p := "documents." + id
		if !idRE().MatchString(id) {
			c.add(p, "id must match %s", idRE())
		}
		if d == nil {
			c.add(p, "missing")
			continue
		}
		c.required(p+".title", d.Title)
		c.required(p+".paragraph", d.Paragraph)
		if d.Group != GroupPackage && d.Group != GroupCase {
			c.add(p+".group", "must be %s or %s, not %q", GroupPackage, GroupCase, d.Group)
		}
		if d.Annex3 < 0 {
			c.add(p+".annex3", "must be >= 1")
		} else if d.Annex3 > 0 {
			if other, dup := annex3[d.Annex3]; dup {
				c.add(p+".annex3", "number %d already used by %s", d.Annex3, other)
			}
			annex3[d.Annex3] = id
		}
		e.documents = append(e.documents, Document{ID: id, Title: d.Title, Paragraph: d.Paragraph, Group: d.Group, Annex3: d.Annex3, Expires: d.Expires})
	}
	for n := 1; n <= len(annex3); n++ {
		if _, ok := annex3[n]; !ok {
			c.add("documents", "Annex 3 numbers must run 1..%d without a gap; %d is missing", len(annex3), n)
		}
	}
}

func validateRules(c *checker, e *Edition, s *specFile, root keyOrders) {
	if len(s.PackageRules) == 0 {
		c.add("package_rules", "missing")
	}
	required := map[string]bool{}
	for _, id := range keyOrder(root, "package_rules") {
		r := s.PackageRules[id]
		p := "package_rules." + id
		if r == nil {
			c.add(p, "missing")
			continue
		}
		c.required(p+".paragraph", r.Paragraph)
		s.checkFlag(c, p+".if", r.If)
		s.checkFlag(c, p+".unless", r.Unless)
		if len(r.Require) == 0 {
			c.add(p+".require", "missing")
		}
		for i, doc := range r.Require {
			dp := fmt.Sprintf("%s.require[%d]", p, i)
			s.checkDocument(c, dp, doc)
			if d := s.Documents[doc]; d != nil && d.Group != GroupPackage {
				c.add(dp, "document %q is not a package document", doc)
			}
			required[doc] = true
		}
		e.rules = append(e.rules, PackageRule{ID: id, Paragraph: r.Paragraph, If: r.If, Unless: r.Unless, Require: slices.Clone(r.Require), Note: r.Note})
	}
	for _, id := range keyOrder(root, "documents") {
		if d := s.Documents[id]; d != nil && d.Group == GroupPackage && !required[id] {
			c.add("documents."+id, "package document that no package rule requires")
		}
	}
	refusalIDs := map[string]bool{}
	for i, g := range s.RefusalGrounds {
		p := fmt.Sprintf("refusal_grounds[%d]", i)
		if refusalIDs[g.ID] {
			c.add(p+".id", "duplicate id %q", g.ID)
		}
		refusalIDs[g.ID] = true
		c.required(p+".id", g.ID)
		c.required(p+".paragraph", g.Paragraph)
		c.required(p+".text", g.Text)
		if g.Effect != EffectRefuseAcceptance && g.Effect != EffectRefuseService {
			c.add(p+".effect", "must be %s or %s, not %q", EffectRefuseAcceptance, EffectRefuseService, g.Effect)
		}
		e.refusals = append(e.refusals, RefusalGround(g))
	}
}
