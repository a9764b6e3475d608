package certificate

import (
	"bytes"
	_ "embed"
	"fmt"
	"strconv"
	"strings"

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

// column is a column of a table of the annex.
type column struct {
	label  string  // key of its heading
	width  float64 // mm
	center bool
}

// Table 1 (hardware) and Table 2 (software) of the annex to Annex 7, column by column; the widths
// add up to the landscape page less its margins (277 mm).
var (
	hardwareColumns = []column{
		{labelColItem, 9, true},
		{labelHWManufacturer, 30, false},
		{labelHWSerial, 30, false},
		{labelHWCertificate, 28, false},
		{labelHWLocation, 30, false},
		{labelHWType, 27, false},
		{labelHWPurpose, 43, false},
		{labelHWProtection, 42, false},
		{labelHWIntegrated, 38, false},
	}
	softwareColumns = []column{
		{labelColItem, 9, true},
		{labelSWDeveloper, 33, false},
		{labelSWName, 38, false},
		{labelSWVersion, 22, false},
		{labelSWInstalledOn, 35, false},
		{labelSWType, 32, false},
		{labelSWPurpose, 58, false},
		{labelSWProtection, 50, false},
	}
)

// hardwareCells is a row of Table 1 as the texts of its columns.
func hardwareCells(i int, h HardwareRow) []string {
	return []string{strconv.Itoa(i + 1), h.ManufacturerModel, h.SerialNumber, h.CertificateNumber, h.Location,
		h.Type, h.Purpose, h.Protection, h.IntegratedSoftware}
}

// softwareCells is a row of Table 2 as the texts of its columns.
func softwareCells(i int, s SoftwareRow) []string {
	return []string{strconv.Itoa(i + 1), s.Developer, s.Name, s.Version, strings.Join(s.InstalledOn, ", "),
		s.Type, s.Purpose, s.Protection}
}

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
	r := newRenderer(c, modules)
	for _, l := range Languages() {
		first := r.pdf.PageNo() + 1
		r.certificatePage(l)
		r.annex(l)
		r.sections = append(r.sections, section{lang: l, first: first, last: r.pdf.PageNo()})
	}
	var buf bytes.Buffer
	if err := r.pdf.Output(&buf); err != nil {
		return nil, nil, fmt.Errorf("render certificate %s: %w", c.Number, err)
	}
	return buf.Bytes(), r.sections, nil
}

// renderer draws one certificate.
type renderer struct {
	pdf      *fpdf.Fpdf
	c        Certificate
	qr       [][]bool
	lang     Lang // the language of the page being drawn, for its footer
	sections []section
}

func newRenderer(c Certificate, modules [][]bool) *renderer {
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
	pdf.AddUTF8FontFromBytes(fontFamily, "", fontRegular)
	pdf.AddUTF8FontFromBytes(fontFamily, "B", fontBold)
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
	// The footer of the page before ran inside AddPageFormat; from here on the page is l's.
	r.lang = l
	p.SetTextColor(0, 0, 0)
	p.SetDrawColor(0, 0, 0)
}

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
	if a := c.AdditionalAct; a != nil {
		r.para(label(l, labelAdditionalAct), map[string]string{"number": oneLine(a.Number), "date": formatDate(l, a.Date, dateDated)})
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
			p.Write(lineHeight, tmpl)
			return
		}
		if open > 0 {
			p.SetFont(fontFamily, "", size)
			p.Write(lineHeight, tmpl[:open])
		}
		p.SetFont(fontFamily, "B", size)
		p.Write(lineHeight, values[tmpl[open+1:open+end]])
		tmpl = tmpl[open+end+1:]
	}
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

// signature draws the foot of the certificate: on the left the chairman's position, the signature
// line and name, the place of the seal and the date of issue, then the verification URL and the
// checksum; on the right the QR code of the URL. The block is kept on one page.
func (r *renderer) signature(l Lang, w float64) {
	p := r.pdf
	left, _, _, _ := p.GetMargins()
	textW := w - qrSize - 5
	p.SetFont(fontFamily, "", 8.5)
	posLines := len(r.split(oneLine(r.c.Chairman.Position.In(l)), textW))
	need := max(qrSize, float64(posLines)*4+6+2+5+3+4+8+9) + 3
	if p.GetY()+need > pageLong-certBottom {
		r.newPage(l, false)
	}
	p.Ln(3)
	y0 := p.GetY()
	drawQR(p, r.qr, left+w-qrSize, y0, qrSize)

	p.SetFont(fontFamily, "", 8.5)
	p.SetX(left)
	p.MultiCell(textW, 4, oneLine(r.c.Chairman.Position.In(l)), "", "L", false)
	p.Ln(2)
	y := p.GetY()
	p.SetFont(fontFamily, "B", 10)
	p.SetXY(left, y)
	p.CellFormat(30, 6, label(l, labelChairman), "", 0, "L", false, 0, "")
	p.SetLineWidth(0.2)
	p.Line(left+31, y+5, left+69, y+5)
	p.SetXY(left+72, y)
	p.MultiCell(textW-72, 6, oneLine(r.c.Chairman.Name), "", "L", false)
	p.Ln(1)
	p.SetFont(fontFamily, "", 9.5)
	p.SetX(left)
	p.CellFormat(30, 5, label(l, labelSeal), "", 0, "L", false, 0, "")
	p.CellFormat(textW-30, 5, fill(label(l, labelIssued), "date", formatDate(l, r.c.IssuedOn, datePlain)), "", 1, "L", false, 0, "")

	p.Ln(3)
	p.SetX(left)
	p.SetFont(fontFamily, "", 7.5)
	p.MultiCell(textW, 3.6, label(l, labelVerify), "", "L", false)
	p.SetX(left)
	p.SetFont(fontFamily, "B", 7.5)
	p.MultiCell(textW, 3.6, r.c.VerificationURL, "", "L", false)
	if r.c.SHA256 != "" {
		p.SetX(left)
		p.SetFont(fontFamily, "", 7.5)
		p.MultiCell(textW, 3.6, label(l, labelSHA256), "", "L", false)
		p.SetX(left)
		p.SetFont(fontFamily, "", 6.5)
		p.MultiCell(textW, 3.4, strings.ToLower(r.c.SHA256), "", "L", false)
	}
	p.SetY(max(p.GetY(), y0+qrSize))
}

// annex draws the annex to the certificate in the language l: Table 1 and Table 2.
func (r *renderer) annex(l Lang) {
	p := r.pdf
	r.newPage(l, true)
	r.annexHeading(l)
	hw := make([][]string, len(r.c.Hardware))
	for i, h := range r.c.Hardware {
		hw[i] = hardwareCells(i, h)
	}
	r.table(l, labelTable1, hardwareColumns, hw)
	sw := make([][]string, len(r.c.Software))
	for i, s := range r.c.Software {
		sw[i] = softwareCells(i, s)
	}
	p.Ln(5)
	r.table(l, labelTable2, softwareColumns, sw)
}

// annexHeading writes "Annex to the certificate No. ... dated ..." at the top of an annex page.
func (r *renderer) annexHeading(l Lang) {
	p := r.pdf
	p.SetFont(fontFamily, "B", 10)
	p.SetX(annexMargin)
	p.MultiCell(pageLong-2*annexMargin, 5, fill(label(l, labelAnnex), "number", oneLine(r.c.Number), "date", formatDate(l, r.c.IssuedOn, dateDated)), "", "C", false)
	p.Ln(2)
}

// table draws a table of the annex: its title, headings and rows. A row that does not fit the rest
// of the page goes to the next page, after the title marked continued and the headings again; a
// row taller than a whole page is split between pages line by line. The title and headings never
// stand at the foot of a page without a row under them.
func (r *renderer) table(l Lang, title string, cols []column, rows [][]string) {
	p := r.pdf
	limit := pageShort - annexBottom
	headH := r.headingHeight(l, cols)

	// Each row as the lines of its cells.
	p.SetFont(fontFamily, "", bodyFontSize)
	cells := make([][][]string, len(rows))
	heights := make([]int, len(rows)) // lines
	for j, row := range rows {
		cells[j] = make([][]string, len(cols))
		heights[j] = 1
		for i, c := range cols {
			cells[j][i] = r.split(oneLine(row[i]), c.width-2*cellPad)
			heights[j] = max(heights[j], len(cells[j][i]))
		}
	}
	// pageRoom is how many lines of rows a page of this table holds under its title and headings.
	pageRoom := int((limit - (annexTop + 13 + headH + numberRowH) - 2*cellPad) / bodyLineHeight)
	first := 1
	if len(rows) > 0 {
		first = min(heights[0], pageRoom)
	}
	if p.GetY()+6+headH+numberRowH+float64(first)*bodyLineHeight+2*cellPad > limit {
		r.newPage(l, true)
		r.annexHeading(l)
	}
	r.tableTitle(l, title, false)
	r.headings(l, cols, headH)

	if len(rows) == 0 {
		total := 0.0
		for _, c := range cols {
			total += c.width
		}
		y := p.GetY()
		h := bodyLineHeight + 2*cellPad
		p.SetFont(fontFamily, "", bodyFontSize)
		p.Rect(annexMargin, y, total, h, "D")
		r.cellLine(annexMargin, y, total, 0, label(l, labelEmptyTable), true)
		p.SetY(y + h)
		return
	}
	// fresh says the page holds no row yet, so a row too tall for it is split rather than moved on.
	fresh := true
	for j := range rows {
		n := heights[j]
		for done := 0; done < n; {
			room := int((limit - p.GetY() - 2*cellPad) / bodyLineHeight)
			if room < n-done && !fresh && (room < 1 || n-done <= pageRoom) {
				r.newPage(l, true)
				r.annexHeading(l)
				r.tableTitle(l, title, true)
				r.headings(l, cols, headH)
				fresh = true
				continue
			}
			k := max(1, min(room, n-done))
			p.SetFont(fontFamily, "", bodyFontSize)
			r.rowPart(cols, cells[j], done, k)
			done += k
			fresh = false
		}
	}
}

// tableTitle writes "Table No. 1. Hardware", and "(continued)" on the pages it continues on.
func (r *renderer) tableTitle(l Lang, title string, continued bool) {
	p := r.pdf
	s := label(l, title)
	if continued {
		s += " " + label(l, labelContinued)
	}
	p.SetFont(fontFamily, "B", 9.5)
	p.SetX(annexMargin)
	p.CellFormat(pageLong-2*annexMargin, 6, s, "", 1, "L", false, 0, "")
}

// headingHeight is the height of a table's headings in the language l.
func (r *renderer) headingHeight(l Lang, cols []column) float64 {
	r.pdf.SetFont(fontFamily, "B", r.headingSize(l, cols))
	n := 1
	for _, c := range cols {
		n = max(n, len(r.split(label(l, c.label), c.width-2*cellPad)))
	}
	return float64(n)*headLineHeight + 2*cellPad
}

// headingSize is the largest size, from headFontSize down to minHeadFontSize, at which every word
// of the headings fits its column, so no heading breaks inside a word.
func (r *renderer) headingSize(l Lang, cols []column) float64 {
	p := r.pdf
	size := headFontSize
	for ; size > minHeadFontSize; size -= 0.25 {
		p.SetFont(fontFamily, "B", size)
		fits := true
		for _, c := range cols {
			for _, word := range strings.Fields(label(l, c.label)) {
				if p.GetStringWidth(word) > c.width-2*cellPad {
					fits = false
				}
			}
		}
		if fits {
			break
		}
	}
	return size
}

// headings draws a table's headings, shaded, and under them the row of column numbers of the form.
func (r *renderer) headings(l Lang, cols []column, h float64) {
	p := r.pdf
	p.SetFont(fontFamily, "B", r.headingSize(l, cols))
	p.SetFillColor(232, 232, 232)
	p.SetLineWidth(0.2)
	x, y := annexMargin, p.GetY()
	for _, c := range cols {
		p.Rect(x, y, c.width, h, "FD")
		lines := r.split(label(l, c.label), c.width-2*cellPad)
		top := y + (h-float64(len(lines))*headLineHeight)/2 - cellPad
		for i, s := range lines {
			r.textAt(x, top, c.width, i, headLineHeight, s, true)
		}
		x += c.width
	}
	y += h
	p.SetFont(fontFamily, "", 6.5)
	x = annexMargin
	for i, c := range cols {
		p.Rect(x, y, c.width, numberRowH, "FD")
		r.textAt(x, y+(numberRowH-headLineHeight)/2-cellPad, c.width, 0, headLineHeight, strconv.Itoa(i+1), true)
		x += c.width
	}
	p.SetY(y + numberRowH)
	p.SetFont(fontFamily, "", bodyFontSize)
}

// rowPart draws lines [from, from+k) of a row's cells, with the cells' borders.
func (r *renderer) rowPart(cols []column, lines [][]string, from, k int) {
	p := r.pdf
	y := p.GetY()
	h := float64(k)*bodyLineHeight + 2*cellPad
	x := annexMargin
	for i, c := range cols {
		p.Rect(x, y, c.width, h, "D")
		for j := from; j < from+k && j < len(lines[i]); j++ {
			r.cellLine(x, y, c.width, j-from, lines[i][j], c.center)
		}
		x += c.width
	}
	p.SetY(y + h)
}

// cellLine writes line i of a body cell whose top left corner is (x, y).
func (r *renderer) cellLine(x, y, w float64, i int, s string, center bool) {
	r.textAt(x, y, w, i, bodyLineHeight, s, center)
}

// textAt writes line i of a cell at (x, y) with lines lh apart, left-aligned or centred.
func (r *renderer) textAt(x, y, w float64, i int, lh float64, s string, center bool) {
	p := r.pdf
	tx := x + cellPad
	if center {
		tx = x + (w-p.GetStringWidth(s))/2
	}
	// The baseline sits about three quarters down the line.
	p.Text(tx, y+cellPad+float64(i)*lh+lh*0.78, s)
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
// the layout.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
