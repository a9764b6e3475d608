package certificate

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// RecallDecision is the authority's decision to recall a certificate (§45), as the copy sent to the owner renders it (§46).
type RecallDecision struct {
	Certificate     string // the certificate's number, e.g. 2026/00001
	ObjectName      string
	OwnerName       string
	OwnerBIN        string   // BIN or IIN of the owner (the copy goes to the owner itself)
	Ground          string   // the policy's recall ground id: not_reattested | owner_application | audit_noncompliance | changed_conditions | operation_ceased
	Paragraph       string   // e.g. §45(2)
	Reasons         []string // the authority's reasons, as written (any language)
	ChangeID        string   // the change notice a §45(4) recall rests on, may be empty
	DecidedAt       time.Time
	DecidedBy       string    // the name of the person who decided
	ReturnDueAt     time.Time // the certificate is returned by this moment (§46); zero when AtOffice
	ReturnParagraph string    // e.g. §46
	Terminated      bool      // §45(5): the register's termination mark is set
	// AtOffice: the copy is handed over at the Committee's office (a paper case): the return's
	// period runs from that hand-over, so the copy names no date.
	AtOffice bool
}

// Limits of a recall decision, as the register accepts them: bounds of this service, so rendering
// takes bounded work.
const (
	maxRecallReasons      = 50   // reasons of a decision
	maxRecallReasonLength = 4000 // characters of one reason
)

// defaultReturnParagraph is the paragraph printed for the return when the decision names none.
const defaultReturnParagraph = "§46"

// Validate checks that the decision has what its copy prints: the certificate's number, the object,
// the owner, a ground of §45, the dates of the decision and of the return (not before the
// decision), and nothing the renderer cannot print. It returns nil or an *InvalidError naming each
// wrong field (by the names of the register's JSON: certificate, objectName, reasons[1], ...).
func (d RecallDecision) Validate() error {
	if almatyErr != nil {
		return fmt.Errorf("recall decision: time zone of Kazakhstan: %w", almatyErr)
	}
	v := &checker{}
	v.name("certificate", d.Certificate, maxNameLength)
	v.name("objectName", d.ObjectName, maxNameLength)
	v.name("ownerName", d.OwnerName, maxNameLength)
	v.optional("ownerBin", d.OwnerBIN, maxNameLength)
	if strings.TrimSpace(d.Ground) == "" {
		v.add("ground", "missing")
	} else if _, ok := findRecallGround(d.Ground); !ok {
		ids := make([]string, len(recallGrounds))
		for i, g := range recallGrounds {
			ids[i] = g.id
		}
		v.add("ground", fmt.Sprintf("unknown ground %q: one of %s (§45)", clip(d.Ground), strings.Join(ids, ", ")))
	}
	v.optional("paragraph", d.Paragraph, maxNameLength)
	if len(d.Reasons) > maxRecallReasons {
		v.add("reasons", fmt.Sprintf("%d reasons: at most %d", len(d.Reasons), maxRecallReasons))
	} else {
		for i, r := range d.Reasons {
			v.name(fmt.Sprintf("reasons[%d]", i), r, maxRecallReasonLength)
		}
	}
	v.optional("changeId", d.ChangeID, maxNameLength)
	v.date("decidedAt", d.DecidedAt)
	v.optional("decidedBy", d.DecidedBy, maxNameLength)
	if !d.AtOffice {
		v.date("returnDueAt", d.ReturnDueAt)
	}
	if !d.DecidedAt.IsZero() && !d.ReturnDueAt.IsZero() && d.ReturnDueAt.Before(d.DecidedAt) {
		v.add("returnDueAt", "before the decision: the certificate is returned after it (§46)")
	}
	v.optional("returnParagraph", d.ReturnParagraph, maxNameLength)
	if len(v.problems) == 0 {
		return nil
	}
	return &InvalidError{Problems: v.problems}
}

// findRecallGround finds a ground of §45 by the policy's id.
func findRecallGround(id string) (recallGround, bool) {
	for _, g := range recallGrounds {
		if g.id == id {
			return g, true
		}
	}
	return recallGround{}, false
}

// RenderRecallDecision renders the copy of the decision as a PDF: one A4 page (more only if the reasons need it), a section in each language (Kazakh, Russian, English, in that order, as the certificate's sections are), deterministic for the same input (no timestamps in the metadata, as the certificate renderer does).
//
// The PDF's creation date is the moment of the decision and nothing else varies, so the same
// decision always gives the same bytes (with the same build). A decision that cannot be printed
// is an *InvalidError, an apperr.Unprocessable, naming each wrong field.
func RenderRecallDecision(d RecallDecision) ([]byte, error) {
	doc, _, err := renderRecall(d)
	return doc, err
}

// Geometry of the copy of the decision, in millimetres: A4 portrait, the three sections one under
// another.
const (
	recallLeft      = 20.0
	recallRight     = 15.0
	recallTop       = 11.0
	recallBottom    = 15.0
	recallBodySize  = 8.0                   // pt
	recallLine      = recallBodySize * 0.44 // mm per line of the body
	recallIndent    = 6.0                   // the hanging indent of the ground and the reasons
	recallMinRoom   = 45.0                  // a section does not start with less room than this on the page
	recallSeparator = 3.0                   // space above and below the rule between sections
)

// layOutRecall draws the copy of the decision, with the full fonts or the reduced ones.
func layOutRecall(d RecallDecision, full bool) *recallRenderer {
	r := newRecallRenderer(d, full)
	for i, l := range Languages() {
		r.section(l, i == 0)
	}
	return r
}

// recallRenderer draws one copy of a recall decision.
type recallRenderer struct {
	reduced bool // the fonts are the reduced ones (fonts.go)
	pdf     *fpdf.Fpdf
	d       RecallDecision
}

// renderRecall checks the decision and prints its copy; it also says how many pages it took.
func renderRecall(d RecallDecision) ([]byte, int, error) {
	if err := d.Validate(); err != nil {
		return nil, 0, fmt.Errorf("render the decision to recall certificate %q: %w", clip(d.Certificate), err)
	}
	r := layOutRecall(d, fullFonts)
	if r.reduced && !withinReducedFonts(r.pdf) {
		r = layOutRecall(d, true) // a rune the reduced fonts lack (fonts.go)
	}
	pages := r.pdf.PageNo()
	// Pages compressed with a reused writer (compress.go), the fonts' objects shared (fontblock.go).
	doc, err := output(r.pdf, r.reduced, func() *fpdf.Fpdf { return layOutRecall(d, !r.reduced).pdf })
	if err != nil {
		return nil, 0, fmt.Errorf("render the decision to recall certificate %s: %w", d.Certificate, err)
	}
	return doc, pages, nil
}

// newRecallRenderer starts the PDF: fonts, footer, and metadata fixed by the decision alone.
func newRecallRenderer(d RecallDecision, full bool) *recallRenderer {
	pdf := fpdf.New("P", "mm", "A4", "")
	r := &recallRenderer{pdf: pdf, d: d}
	pdf.SetCatalogSort(true)
	decided := d.DecidedAt.In(almaty)
	pdf.SetCreationDate(decided)
	pdf.SetModificationDate(decided)
	pdf.SetProducer(producer, false)
	pdf.SetCreator(producer, false)
	titles := make([]string, 0, 3)
	authors := make([]string, 0, 3)
	for _, l := range Languages() {
		titles = append(titles, fill(recallLabel(l, recallTitle), "number", oneLine(d.Certificate)))
		authors = append(authors, label(l, labelAuthority))
	}
	pdf.SetTitle(strings.Join(titles, " / "), true)
	pdf.SetSubject(oneLine(d.ObjectName), true)
	pdf.SetAuthor(strings.Join(authors, " / "), true)
	pdf.SetLang("kk")
	pdf.AliasNbPages("")
	r.reduced = addFonts(pdf, full) // parsed once per process (fonts.go)
	pdf.SetFooterFunc(r.footer)
	pdf.SetMargins(recallLeft, recallTop, recallRight)
	pdf.SetAutoPageBreak(true, recallBottom)
	return r
}

// footer writes the certificate's number and the page's number at the foot of every page, in no
// language, since a page holds the sections of several.
func (r *recallRenderer) footer() {
	p := r.pdf
	w, h := p.GetPageSize()
	p.SetFont(fontFamily, "", 7)
	p.SetTextColor(90, 90, 90)
	p.SetXY(recallLeft, h-footerFromBottom)
	s := "№ " + oneLine(r.d.Certificate) + " · " + strconv.Itoa(p.PageNo()) + " / {nb}"
	p.CellFormat(w-recallLeft-recallRight, 4, s, "", 0, "C", false, 0, "")
	p.SetTextColor(0, 0, 0)
}

// section draws the copy of the decision in the language l: under the previous section, after a
// rule, or on a new page when too little of this one is left.
func (r *recallRenderer) section(l Lang, first bool) {
	p, d := r.pdf, r.d
	w := pageShort - recallLeft - recallRight
	switch {
	case first || p.GetY()+recallMinRoom > pageLong-recallBottom:
		p.AddPage()
	default:
		p.Ln(recallSeparator)
		p.SetDrawColor(150, 150, 150)
		p.SetLineWidth(0.2)
		p.Line(recallLeft, p.GetY(), recallLeft+w, p.GetY())
		p.SetDrawColor(0, 0, 0)
		p.Ln(recallSeparator)
	}
	p.SetFont(fontFamily, "B", 9)
	p.MultiCell(w, 4.2, label(l, labelAuthority), "", "C", false)
	p.Ln(1)
	p.SetFont(fontFamily, "B", 11)
	p.MultiCell(w, 5.2, fill(recallLabel(l, recallTitle), "number", oneLine(d.Certificate)), "", "C", false)
	p.SetFont(fontFamily, "", 7.5)
	p.SetTextColor(90, 90, 90)
	p.MultiCell(w, 3.4, recallLabel(l, recallCopy), "", "C", false)
	p.SetTextColor(0, 0, 0)
	p.Ln(1.5)

	r.para(recallLabel(l, recallDecidedOn), map[string]string{"date": formatDate(l, d.DecidedAt, datePlain)})
	r.para(recallLabel(l, recallObject), map[string]string{"name": oneLine(d.ObjectName)})
	if strings.TrimSpace(d.OwnerBIN) != "" {
		r.para(label(l, labelOwner), map[string]string{"name": oneLine(d.OwnerName), "id": oneLine(d.OwnerBIN)})
	} else {
		r.para(recallLabel(l, recallOwnerNoID), map[string]string{"name": oneLine(d.OwnerName)})
	}

	g, _ := findRecallGround(d.Ground)
	paragraph := d.Paragraph
	if strings.TrimSpace(paragraph) == "" {
		paragraph = g.paragraph
	}
	r.para(recallLabel(l, recallGroundHead), map[string]string{"paragraph": rulesParagraph(l, paragraph)})
	r.hanging("", recallLabel(l, recallGroundPrefix+g.id), true)
	if strings.TrimSpace(d.ChangeID) != "" {
		r.para(recallLabel(l, recallChange), map[string]string{"id": oneLine(d.ChangeID)})
	}
	if len(d.Reasons) > 0 {
		r.para(recallLabel(l, recallReasons), nil)
		for i, reason := range d.Reasons {
			r.hanging(strconv.Itoa(i+1)+")", paragraphs(reason), false)
		}
	}
	p.Ln(1)

	returnParagraph := d.ReturnParagraph
	if strings.TrimSpace(returnParagraph) == "" {
		returnParagraph = defaultReturnParagraph
	}
	if d.AtOffice && d.ReturnDueAt.IsZero() {
		r.para(recallLabel(l, recallReturnOffice), map[string]string{
			"number":    oneLine(d.Certificate),
			"paragraph": rulesParagraph(l, returnParagraph),
		})
	} else {
		r.para(recallLabel(l, recallReturn), map[string]string{
			"number":    oneLine(d.Certificate),
			"date":      formatDate(l, d.ReturnDueAt, dateUntil),
			"paragraph": rulesParagraph(l, returnParagraph),
		})
	}
	if d.Terminated {
		r.para(recallLabel(l, recallTerminated), nil)
	}
	if strings.TrimSpace(d.DecidedBy) != "" {
		p.Ln(1)
		r.para(recallLabel(l, recallDecidedBy), map[string]string{"name": oneLine(d.DecidedBy)})
	}
}

// para writes a sentence of the copy: its fixed words in the regular face and the values put in its
// blanks ({key}) in bold, wrapped between the margins.
func (r *recallRenderer) para(tmpl string, values map[string]string) {
	writeTemplate(r.pdf, recallLeft, recallBodySize, recallLine, tmpl, values)
	r.pdf.Ln(recallLine + 0.6)
}

// hanging writes a text indented under the sentence before, after a mark ("1)") when there is one,
// in bold or regular.
func (r *recallRenderer) hanging(mark, text string, bold bool) {
	p := r.pdf
	w := pageShort - recallLeft - recallRight
	p.SetFont(fontFamily, "", recallBodySize)
	p.SetX(recallLeft + 1)
	p.CellFormat(recallIndent-1, recallLine, mark, "", 0, "L", false, 0, "")
	style := ""
	if bold {
		style = "B"
	}
	p.SetFont(fontFamily, style, recallBodySize)
	p.MultiCell(w-recallIndent, recallLine, text, "", "L", false)
	p.Ln(0.6)
}

// paragraphs keeps the line breaks of a reason as written and makes each line one line of single
// spaces, dropping empty ones, so tabs or stray control of layout cannot upset the page.
func paragraphs(s string) string {
	var lines []string
	for _, line := range strings.Split(s, "\n") {
		if line = oneLine(line); line != "" {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "\n")
}

// paragraphRef matches the policy's paragraph of the Rules: §46, or §45(2).
var paragraphRef = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^§\s*([0-9]+)(?:\(([0-9]+)\))?$`) }) // compiled on first use

// rulesParagraph writes a paragraph of the Rules as the language cites one: «подпункт 2) пункта 45
// Правил», «Қағидалардың 45-тармағының 2) тармақшасы», "§45(2) of the Rules". A reference of
// another shape is printed as given.
func rulesParagraph(l Lang, ref string) string {
	ref = oneLine(ref)
	m := paragraphRef().FindStringSubmatch(ref)
	switch {
	case m == nil:
		return ref
	case m[2] == "":
		return fill(recallLabel(l, recallPar), "par", m[1])
	default:
		return fill(recallLabel(l, recallSubpar), "par", m[1], "sub", m[2])
	}
}
