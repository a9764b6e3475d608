package certificate

import (
	_ "embed"
	"strconv"
)

// The certificate's page (Annex 7, the form): its sentences with their blanks filled in bold,
// the object's name and the numbered lists. The foot of the page is in signature.go.

// bodySize is the size (pt) of the certificate's sentences.
const bodySize = 9.5

// certificatePage draws the certificate itself in the language l (Annex 7, the form).
func (r *renderer) certificatePage(l Lang) {
	p, c := r.pdf, r.c
	r.newPage(l, false)
	w := pageShort - certLeft - certRight

	p.SetFont(fontFamily, "B", 9.5)
	p.MultiCell(w, 4.5, label(l, labelAuthority), "", "C", false)
	p.Ln(4)

	if c.DuplicateIssuedOn != nil {
		// §48: a duplicate says so, with the day it was issued.
		p.SetFont(fontFamily, "B", 11)
		p.SetTextColor(150, 0, 0)
		p.MultiCell(w, 6, fill(label(l, labelDuplicate), "date", formatDate(l, *c.DuplicateIssuedOn, dateDated)), "", "C", false)
		p.SetTextColor(0, 0, 0)
	}
	p.SetFont(fontFamily, "B", 15)
	p.MultiCell(w, 7.5, fill(label(l, labelTitle), "number", oneLine(c.Number)), "", "C", false)
	p.SetFont(fontFamily, "", 10.5)
	p.MultiCell(w, 5, label(l, labelSubtitle), "", "C", false)
	p.Ln(4)

	r.objectName(w)
	p.SetFont(fontFamily, "", 8.5)
	p.MultiCell(w, 4, fill(label(l, labelObjectKind), "kind", label(l, kindPrefix+c.Object.Kind)), "", "C", false)
	p.Ln(2)

	p.SetFont(fontFamily, "B", 10)
	if c.ValidUntil != nil {
		p.MultiCell(w, 5, fill(label(l, labelValidUntil), "date", formatDate(l, *c.ValidUntil, dateUntil), "number", oneLine(c.Number)), "", "C", false)
	} else {
		p.MultiCell(w, 5, fill(label(l, labelValidOperation), "number", oneLine(c.Number)), "", "C", false)
	}
	p.Ln(3)

	r.para(label(l, labelOwner), map[string]string{"name": oneLine(c.Owner.Name), "id": oneLine(c.Owner.IdentityNumber)})
	p.Ln(1)
	r.para(label(l, labelCertify), nil)
	r.objectName(w)
	p.Ln(1)
	r.para(label(l, labelComplies), map[string]string{"composition": label(l, kinds[c.Object.Kind])})
	r.para(label(l, labelProcessing), map[string]string{"category": oneLine(c.InformationCategory.In(l))})
	r.para(label(l, labelProhibited), nil)
	r.list(c.Prohibitions, l)
	r.para(label(l, labelControl), nil)
	r.para(label(l, labelAct), map[string]string{"number": oneLine(c.Act.Number), "date": formatDate(l, c.Act.Date, dateDated)})
	r.actSigned(l, c.Act)
	if a := c.AdditionalAct; a != nil {
		r.para(label(l, labelAdditionalAct), map[string]string{"number": oneLine(a.Number), "date": formatDate(l, a.Date, dateDated)})
		r.actSigned(l, *a)
	}
	r.para(label(l, labelPeriod), map[string]string{"period": oneLine(c.ValidityPeriod.In(l))})
	r.para(label(l, labelNotify), nil)
	r.list(c.NotifiableChanges, l)

	r.signature(l, w)
}

// objectName writes the object's name in bold, centred, over a rule, as the form's blank for it.
func (r *renderer) objectName(w float64) {
	p := r.pdf
	p.SetFont(fontFamily, "B", 12)
	p.MultiCell(w, 6, oneLine(r.c.Object.Name), "B", "C", false)
	p.SetFont(fontFamily, "", 7)
	p.MultiCell(w, 3.5, label(r.lang, labelObjectCaption), "", "C", false)
}

// para writes a paragraph of the form: its fixed words in the regular face and the values put in
// its blanks ({key}) in bold, wrapped between the margins.
func (r *renderer) para(tmpl string, values map[string]string) {
	left, _, _, _ := r.pdf.GetMargins()
	const lh = bodySize * 0.48
	writeTemplate(r.pdf, left, bodySize, lh, tmpl, values)
	r.pdf.Ln(lh + 1)
}

// list writes numbered items, "1) ...", with the text hanging from its number.
func (r *renderer) list(items []Text, l Lang) {
	p := r.pdf
	left, _, right, _ := p.GetMargins()
	w, _ := p.GetPageSize()
	const indent = 8.0
	const lh = bodySize * 0.48
	for i, t := range items {
		p.SetFont(fontFamily, "", bodySize)
		p.SetX(left + 2)
		p.CellFormat(indent-2, lh, strconv.Itoa(i+1)+")", "", 0, "L", false, 0, "")
		p.SetFont(fontFamily, "B", bodySize)
		p.MultiCell(w-left-right-indent, lh, oneLine(t.In(l)), "", "L", false)
	}
	p.Ln(1)
}

// actSigned cites an act's electronic digital signature (issue 17), when it has one.
func (r *renderer) actSigned(l Lang, a Act) {
	if a.SignedBy != "" {
		r.para(label(l, labelActSigned), map[string]string{"signer": oneLine(a.SignedBy)})
	}
}
