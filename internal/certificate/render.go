package certificate

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"codeberg.org/go-pdf/fpdf"
)

// The embedded fonts: DejaVu Sans covers Cyrillic and the Kazakh letters (ә ғ қ ң ө ұ ү һ і).
// Their license is fonts/COPYRIGHT.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
)

const fontFamily = "DejaVuSans"

// Page geometry, in millimetres: A4, the certificate in portrait, the annex in landscape, whose
// width the tables' nine columns need.
const (
	pageShort = 210.0
	pageLong  = 297.0

	// The certificate's page.
	certLeft   = 20.0
	certRight  = 15.0
	certTop    = 15.0
	certBottom = 20.0

	// The annex's pages.
	annexMargin = 10.0
	annexTop    = 10.0
	annexBottom = 15.0 // the footer is below

	footerFromBottom = 9.0

	// Tables.
	cellPad         = 1.0 // inner padding of a cell
	bodyFontSize    = 7.5 // pt, rows
	headFontSize    = 7.0 // pt, column headings, or smaller down to minHeadFontSize if a word is too wide
	minHeadFontSize = 5.5
	bodyLineHeight  = 3.3 // mm per line of a row
	headLineHeight  = 3.0 // mm per line of a heading
	numberRowH      = 4.0 // the row of column numbers under the headings (1, 2, ... 9)

	qrSize = 36.0 // mm, with its quiet zone
)

// producer names the program in the PDF's metadata, without a version or a build time.
const producer = "attestation"

// Render checks the certificate and prints it as one PDF: for each language (Kazakh, Russian,
// English) the certificate on a portrait page and its annex, Table 1 and Table 2, on landscape
// pages; a table that runs long continues on further pages with its headings repeated. The fonts
// are embedded, the creation date is the date of issue and nothing random is written, so the same
// certificate always gives the same bytes (with the same build: another version of the PDF library
// or of the fonts may lay out other bytes, which is why the register keeps the SHA-256 of the file
// it stored). A certificate that cannot be printed is an *InvalidError naming each wrong field.
func Render(c Certificate) ([]byte, error) {
	doc, _, err := render(c)
	return doc, err
}

// section is the pages of one language, numbered from 1.
type section struct {
	lang        Lang
	first, last int
}

// render prints the certificate and says which pages hold each language.
func render(c Certificate) ([]byte, []section, error) {
	if err := c.Validate(); err != nil {
		return nil, nil, fmt.Errorf("render certificate %q: %w", clip(c.Number), err)
	}
	modules, err := qrModules(c.VerificationURL)
	if err != nil {
		return nil, nil, fmt.Errorf("render certificate %s: %w", c.Number, err)
	}
	r := layOut(c, modules, fullFonts)
	if r.reduced && !withinReducedFonts(r.pdf) {
		r = layOut(c, modules, true) // a rune the reduced fonts lack (fonts.go)
	}
	// Pages compressed with a reused writer (compress.go), the fonts' objects shared (fontblock.go).
	doc, err := output(r.pdf, r.reduced, func() *fpdf.Fpdf { return layOut(c, modules, !r.reduced).pdf })
	if err != nil {
		return nil, nil, fmt.Errorf("render certificate %s: %w", c.Number, err)
	}
	return doc, r.sections, nil
}

// fullFonts, when true, makes the renderers use the full fonts (the tests' reference).
var fullFonts = false

// layOut draws every page of the certificate, with the full fonts or the reduced ones.
func layOut(c Certificate, modules [][]bool, full bool) *renderer {
	r := newRenderer(c, modules, full)
	for _, l := range Languages() {
		first := r.pdf.PageNo() + 1
		r.certificatePage(l)
		r.annex(l)
		r.sections = append(r.sections, section{lang: l, first: first, last: r.pdf.PageNo()})
	}
	return r
}

// renderer draws one certificate.
type renderer struct {
	// rowLines are the lines of the table rows' cells split already, by value and width: the
	// annex's values are the same in each language.
	rowLines map[rowCell][]string
	reduced  bool // the fonts are the reduced ones (fonts.go)
	pdf      *fpdf.Fpdf
	c        Certificate
	qr       [][]bool
	lang     Lang // the language of the page being drawn, for its footer
	sections []section
	marks    runeMarks               // the runes text marked used in the fonts (fastpath.go)
	heads    map[headKey]*headLayout // the tables' headings, laid out once per language (table.go)
}

func newRenderer(c Certificate, modules [][]bool, full bool) *renderer {
	pdf := fpdf.New("P", "mm", "A4", "")
	r := &renderer{pdf: pdf, c: c, qr: modules, lang: Kazakh}
	pdf.SetCatalogSort(true)
	issued := c.IssuedOn.In(almaty)
	pdf.SetCreationDate(issued)
	pdf.SetModificationDate(issued)
	pdf.SetProducer(producer, false)
	pdf.SetCreator(producer, false)
	pdf.SetTitle(strings.Join([]string{
		fill(label(Kazakh, labelTitle), "number", c.Number),
		fill(label(Russian, labelTitle), "number", c.Number),
		fill(label(English, labelTitle), "number", c.Number),
	}, " / "), true)
	pdf.SetSubject(oneLine(c.Object.Name), true)
	pdf.SetAuthor(label(Kazakh, labelAuthority)+" / "+label(Russian, labelAuthority)+" / "+label(English, labelAuthority), true)
	pdf.SetLang("kk")
	pdf.AliasNbPages("")
	r.reduced = addFonts(pdf, full) // parsed once per process (fonts.go)
	pdf.SetFooterFunc(r.footer)
	return r
}

// footer writes the certificate's number and the page's number at the foot of every page.
func (r *renderer) footer() {
	p := r.pdf
	w, h := p.GetPageSize()
	left, _, right, _ := p.GetMargins()
	p.SetFont(fontFamily, "", 7.5)
	p.SetTextColor(90, 90, 90)
	y := h - footerFromBottom
	p.SetXY(left, y)
	p.CellFormat((w-left-right)/2, 4, oneLine(fill(label(r.lang, labelTitle), "number", r.c.Number)), "", 0, "L", false, 0, "")
	p.CellFormat((w-left-right)/2, 4, fill(label(r.lang, labelPage), "page", strconv.Itoa(p.PageNo()), "pages", "{nb}"), "", 0, "R", false, 0, "")
	p.SetTextColor(0, 0, 0)
}

// newPage starts a page of the language l: portrait for the certificate, landscape for the annex.
func (r *renderer) newPage(l Lang, landscape bool) {
	p := r.pdf
	if landscape {
		p.SetMargins(annexMargin, annexTop, annexMargin)
		p.SetAutoPageBreak(false, annexBottom)
		p.AddPageFormat("L", fpdf.SizeType{Wd: pageShort, Ht: pageLong})
	} else {
		p.SetMargins(certLeft, certTop, certRight)
		p.SetAutoPageBreak(true, certBottom)
		p.AddPageFormat("P", fpdf.SizeType{Wd: pageShort, Ht: pageLong})
	}
	growPage(p) // room for a page like the one before (fastpath.go)
	// The footer of the page before ran inside AddPageFormat; from here on the page is l's.
	r.lang = l
	p.SetTextColor(0, 0, 0)
	p.SetDrawColor(0, 0, 0)
}

// writeTemplate writes tmpl from left at size points, lineHeight apart: its fixed words in the
// regular face and the values put in its blanks ({key}) in bold, wrapped between the margins.
func writeTemplate(p *fpdf.Fpdf, left, size, lineHeight float64, tmpl string, values map[string]string) {
	p.SetX(left)
	for tmpl != "" {
		open := strings.IndexByte(tmpl, '{')
		end := -1
		if open >= 0 {
			end = strings.IndexByte(tmpl[open:], '}')
		}
		if open < 0 || end < 0 {
			p.SetFont(fontFamily, "", size)
			write(p, lineHeight, tmpl) // fpdf's Write, faster (fastpath.go)
			return
		}
		if open > 0 {
			p.SetFont(fontFamily, "", size)
			write(p, lineHeight, tmpl[:open])
		}
		p.SetFont(fontFamily, "B", size)
		write(p, lineHeight, values[tmpl[open+1:open+end]])
		tmpl = tmpl[open+end+1:]
	}
}

// split wraps s into lines no wider than w in the current font; a word wider than a line is broken.
func (r *renderer) split(s string, w float64) []string {
	if s == "" {
		return nil
	}
	// SplitText keeps a cell margin on each side; give it the width with that margin added back.
	return r.pdf.SplitText(s, w+2*r.pdf.GetCellMargin())
}

// oneLine makes a value one line of single spaces, so a caller's line breaks or tabs cannot upset
// the layout. A value that is one already is returned as it is (most are: no copy).
func oneLine(s string) string {
	space := true // at the start, a space would be a leading one
	for _, r := range s {
		if unicode.IsSpace(r) && (r != ' ' || space) {
			return strings.Join(strings.Fields(s), " ")
		}
		space = r == ' '
	}
	if space && s != "" {
		return strings.Join(strings.Fields(s), " ") // a trailing space
	}
	return s
}
