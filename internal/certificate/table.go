package certificate

import (
	_ "embed"
	"strconv"
	"strings"
)

// A table of the annex: its title, its headings with the row of column numbers, and its rows,
// continued on further pages.

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
			cells[j][i] = r.rowCellLines(row[i], c.width-2*cellPad)
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
		rect(p, annexMargin, y, total, h, "D")
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

// rowCell is a value of a row's cell split to a width, in the rows' font.
type rowCell struct {
	value string
	width float64
}

// rowCellLines are the lines of a row's cell holding value, w wide, in the rows' font (set): split
// once per certificate, since each language's annex has the same values in the same columns.
func (r *renderer) rowCellLines(value string, w float64) []string {
	if lines, ok := r.rowLines[rowCell{value, w}]; ok {
		return lines
	}
	if r.rowLines == nil {
		r.rowLines = map[rowCell][]string{}
	}
	lines := r.split(oneLine(value), w)
	r.rowLines[rowCell{value, w}] = lines
	return lines
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

// headLayout is how a table's headings are laid out in a language: the size of their font, the
// lines of each column's heading, and their height. A table's headings are drawn again on every
// page it continues on; they are laid out once.
type headLayout struct {
	size   float64
	lines  [][]string
	height float64
}

// headKey names a table's headings in a language: the language and the table's columns.
type headKey struct {
	l    Lang
	cols *column
}

// heading is the layout of the headings of the table of cols in the language l.
func (r *renderer) heading(l Lang, cols []column) *headLayout {
	key := headKey{l, &cols[0]}
	if h, ok := r.heads[key]; ok {
		return h
	}
	size := r.headingSize(l, cols)
	r.pdf.SetFont(fontFamily, "B", size)
	h := &headLayout{size: size, lines: make([][]string, len(cols))}
	n := 1
	for i, c := range cols {
		h.lines[i] = r.split(label(l, c.label), c.width-2*cellPad)
		n = max(n, len(h.lines[i]))
	}
	h.height = float64(n)*headLineHeight + 2*cellPad
	if r.heads == nil {
		r.heads = map[headKey]*headLayout{}
	}
	r.heads[key] = h
	return h
}

// headingHeight is the height of a table's headings in the language l.
func (r *renderer) headingHeight(l Lang, cols []column) float64 {
	return r.heading(l, cols).height
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
	head := r.heading(l, cols)
	p.SetFont(fontFamily, "B", head.size)
	p.SetFillColor(232, 232, 232)
	p.SetLineWidth(0.2)
	x, y := annexMargin, p.GetY()
	for i, c := range cols {
		rect(p, x, y, c.width, h, "FD")
		lines := head.lines[i]
		top := y + (h-float64(len(lines))*headLineHeight)/2 - cellPad
		for j, s := range lines {
			r.textAt(x, top, c.width, j, headLineHeight, s, true)
		}
		x += c.width
	}
	y += h
	p.SetFont(fontFamily, "", 6.5)
	x = annexMargin
	for i, c := range cols {
		rect(p, x, y, c.width, numberRowH, "FD")
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
		rect(p, x, y, c.width, h, "D")
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
	text(p, &r.marks, tx, y+cellPad+float64(i)*lh+lh*0.78, s) // fpdf's Text, faster (fastpath.go)
}
