package certificate

import (
	"bytes"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"codeberg.org/go-pdf/fpdf"
)

// Text, Write and Rect as fpdf writes them, without its costs. A certificate writes a few thousand cells
// with fpdf's Text, which formats each with fmt.Sprintf and copies its text three times on the way
// (to UTF-16, escaped, formatted), and its paragraphs with fpdf's Write, which converts the whole
// paragraph to runes again for every rune it reads ([]rune(s)[i]): between them about a third of a
// certificate's time (and Rect, a string per number, a tenth). text, write and rect put on the page the very bytes fpdf's would (the same
// operators, numbers formatted as fmt formats them, the same cells for Write, whose CellFormat
// they call), and mark the runes used as fpdf does; they read the fields of fpdf's state they need
// (fpdf v0.12.0's, go.mod pins it) and, should those not be there, call fpdf's own.
// TestFastTextAndWriteAreFpdfs renders with both and compares the bytes.

// fpdfDraws, when true, makes text and write call fpdf's Text and Write (the tests' reference).
var fpdfDraws = false

// drawFields are the offsets in fpdf.Fpdf of the fields text and write read, found once.
type drawFields struct {
	ok                                              bool
	utf8, rtl, underline, strikeout, color, cMargin uintptr // isCurrentUTF8, isRTL, underline, strikeout, colorFlag; cMargin
	usedRunes, cw                                   uintptr // currentFont.usedRunes, currentFont.Cw
	textColor                                       uintptr // color.text.str: the text colour's operator
}

var fieldsOfFpdf = sync.OnceValue(func() drawFields {
	t := reflect.TypeFor[fpdf.Fpdf]()
	var d drawFields
	offset := func(name string, want reflect.Type) (uintptr, bool) {
		f, ok := t.FieldByName(name)
		return f.Offset, ok && f.Type == want && len(f.Index) == 1
	}
	boolT := reflect.TypeFor[bool]()
	var oks [9]bool
	d.utf8, oks[0] = offset("isCurrentUTF8", boolT)
	d.rtl, oks[1] = offset("isRTL", boolT)
	d.underline, oks[2] = offset("underline", boolT)
	d.strikeout, oks[3] = offset("strikeout", boolT)
	d.color, oks[4] = offset("colorFlag", boolT)
	d.cMargin, oks[7] = offset("cMargin", reflect.TypeFor[float64]())
	cf, ok := t.FieldByName("currentFont")
	if ok && cf.Type.Kind() == reflect.Struct && len(cf.Index) == 1 {
		used, ok1 := cf.Type.FieldByName("usedRunes")
		cw, ok2 := cf.Type.FieldByName("Cw")
		oks[5] = ok1 && used.Type == reflect.TypeFor[map[int]int]() && len(used.Index) == 1
		oks[6] = ok2 && cw.Type == reflect.TypeFor[[]int]() && len(cw.Index) == 1
		d.usedRunes, d.cw = cf.Offset+used.Offset, cf.Offset+cw.Offset
	}
	if c, ok := t.FieldByName("color"); ok && c.Type.Kind() == reflect.Struct && len(c.Index) == 1 {
		if tc, ok := c.Type.FieldByName("text"); ok && tc.Type.Kind() == reflect.Struct && len(tc.Index) == 1 {
			str, ok := tc.Type.FieldByName("str")
			oks[8] = ok && str.Type == reflect.TypeFor[string]() && len(str.Index) == 1
			d.textColor = c.Offset + tc.Offset + str.Offset
		}
	}
	d.ok = oks == [9]bool{true, true, true, true, true, true, true, true, true}
	return d
})

// at is the field of p at offset off, as a *T.
func at[T any](p *fpdf.Fpdf, off uintptr) *T {
	return (*T)(unsafe.Add(unsafe.Pointer(p), off))
}

// plainUTF8 reports whether p's current font is a UTF-8 one written left to right, neither
// underlined nor struck out: the state text and write reproduce.
func plainUTF8(p *fpdf.Fpdf, d drawFields) bool {
	return d.ok && !fpdfDraws && !p.Err() && *at[bool](p, d.utf8) && !*at[bool](p, d.rtl) && !*at[bool](p, d.underline) &&
		!*at[bool](p, d.strikeout) && *at[map[int]int](p, d.usedRunes) != nil
}

// runeMarks remembers which runes text marked used in each font's map already (a font's usedRunes
// is one map, shared by every copy of the font's state fpdf makes): a bit read in place of a map
// read for each rune of each cell. One runeMarks serves one document.
type runeMarks struct {
	fonts []markedFont
}

type markedFont struct {
	used unsafe.Pointer        // the font's usedRunes map
	bits *[1 << 16 / 64]uint64 // the runes of the Basic Multilingual Plane marked in it
}

// of is the marks of the font whose usedRunes is used.
func (m *runeMarks) of(used map[int]int) *[1 << 16 / 64]uint64 {
	id := *(*unsafe.Pointer)(unsafe.Pointer(&used))
	for _, f := range m.fonts {
		if f.used == id {
			return f.bits
		}
	}
	f := markedFont{used: id, bits: new([1 << 16 / 64]uint64)}
	m.fonts = append(m.fonts, f)
	return f.bits
}

// text is p.Text(x, y, s); marks, when not nil, are p's.
func text(p *fpdf.Fpdf, marks *runeMarks, x, y float64, s string) {
	d := fieldsOfFpdf()
	if !plainUTF8(p, d) || !wellFormed(s) {
		p.Text(x, y, s)
		return
	}
	used := *at[map[int]int](p, d.usedRunes)
	var bits *[1 << 16 / 64]uint64
	if marks != nil {
		bits = marks.of(used)
	}
	for _, r := range s {
		if bits != nil && r < 1<<16 {
			if bits[r/64]&(1<<(r%64)) != 0 {
				continue
			}
			bits[r/64] |= 1 << (r % 64)
		}
		if v, ok := used[int(r)]; !ok || v != int(r) { // a read costs less than a write
			used[int(r)] = int(r)
		}
	}
	k := p.GetConversionRatio()
	_, h := p.GetPageSize()
	colored := *at[bool](p, d.color)
	var buf [256]byte // most cells' operators fit
	b := buf[:0]
	if colored { // the text's colour, since it is not the fill's
		b = append(b, "q "...)
		b = append(b, *at[string](p, d.textColor)...)
		b = append(b, ' ')
	}
	b = append(b, "BT "...)
	b = appendF2(b, x*k)
	b = append(b, ' ')
	b = appendF2(b, (h-y)*k)
	b = append(b, " Td ("...)
	b = appendEscapedUTF16(b, s)
	b = append(b, ") Tj ET"...)
	if colored {
		b = append(b, " Q"...)
	}
	p.RawWriteStr(unsafe.String(unsafe.SliceData(b), len(b)))
}

// rect is p.Rect(x, y, w, h, style) for the styles "D" (op S), "FD" (op B) and "F" (op f): the
// same numbers, formatted as fpdf's putF64 formats them, written in one piece.
func rect(p *fpdf.Fpdf, x, y, w, h float64, style string) {
	var op string
	switch style {
	case "D":
		op = "S"
	case "FD":
		op = "B"
	case "F":
		op = "f"
	}
	if op == "" || fpdfDraws || p.Err() {
		p.Rect(x, y, w, h, style)
		return
	}
	k := p.GetConversionRatio()
	_, pageH := p.GetPageSize()
	var buf [64]byte
	b := appendF2(buf[:0], x*k)
	b = append(b, ' ')
	b = appendF2(b, (pageH-y)*k)
	b = append(b, ' ')
	b = appendF2(b, w*k)
	b = append(b, ' ')
	b = appendF2(b, -h*k)
	b = append(b, " re "...)
	b = append(b, op...)
	p.RawWriteStr(string(b)) // RawWriteStr ends the line as Rect does
}

// appendF2 appends v as strconv.AppendFloat(b, v, 'f', 2, 64) does, the same bytes, in integers:
// v is m·2^e exactly, and m·100 < 2^60, so v·100 is rounded to the nearest integer (ties to even,
// as strconv rounds) from m·100 and e alone. A page's numbers took an eighth of a certificate's
// time in strconv's general algorithm. Numbers of 2^56 and more, infinities and NaN go to strconv.
// TestAppendF2IsStrconvs compares the two.
func appendF2(b []byte, v float64) []byte {
	bits := math.Float64bits(v)
	biased := int(bits>>52) & 0x7ff
	m := bits & (1<<52 - 1)
	e := -1074 // a subnormal's exponent
	if biased != 0 {
		m |= 1 << 52
		e = biased - 1075
	}
	if biased == 0x7ff || e > 3 {
		return strconv.AppendFloat(b, v, 'f', 2, 64)
	}
	var q uint64 // v·100, rounded
	switch {
	case e >= 0:
		q = m * 100 << e
	case e > -64:
		s := uint(-e)
		p := m * 100
		q = p >> s
		r, half := p&(1<<s-1), uint64(1)<<(s-1)
		if r > half || r == half && q&1 == 1 {
			q++
		}
	default: // v·100 < 2^60·2^-64 < ½
		q = 0
	}
	var d [24]byte // q's digits, from the right, with the point before the last two
	i := len(d) - 3
	f := q % 100 * 2
	d[i], d[i+1], d[i+2] = '.', digitPairs[f], digitPairs[f+1]
	q /= 100
	for q >= 100 {
		p := q % 100 * 2
		q /= 100
		i -= 2
		d[i], d[i+1] = digitPairs[p], digitPairs[p+1]
	}
	if q >= 10 {
		i -= 2
		d[i], d[i+1] = digitPairs[2*q], digitPairs[2*q+1]
	} else {
		i--
		d[i] = byte('0' + q)
	}
	if bits>>63 != 0 {
		b = append(b, '-')
	}
	return append(b, d[i:]...)
}

// digitPairs are the numbers 00 to 99, two digits each.
const digitPairs = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

// wellFormed reports whether fpdf's utf8toutf16 reads s without running past its end (every
// lead byte followed by the bytes it announces).
func wellFormed(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= 224:
			i += 3
		case c >= 192:
			i += 2
		default:
			i++
		}
		if i > len(s) {
			return false
		}
	}
	return true
}

// appendEscapedUTF16 appends fpdf's escape(utf8toutf16(s, false)): each rune as two bytes, read
// as fpdf reads UTF-8 (one, two or three bytes), then \, ( and ) escaped with a backslash and a
// carriage return written \r.
func appendEscapedUTF16(b []byte, s string) []byte {
	put := func(c byte) {
		switch c {
		case '\\', '(', ')':
			b = append(b, '\\', c)
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, c)
		}
	}
	for i := 0; i < len(s); {
		c1 := s[i]
		i++
		switch {
		case c1 >= 224:
			c2, c3 := s[i], s[i+1]
			i += 2
			put(((c1 & 0x0F) << 4) + ((c2 & 0x3C) >> 2))
			put(((c2 & 0x03) << 6) + (c3 & 0x3F))
		case c1 >= 192:
			c2 := s[i]
			i++
			put((c1 & 0x1C) >> 2)
			put(((c1 & 0x03) << 6) + (c2 & 0x3F))
		default:
			put(0)
			put(c1)
		}
	}
	return b
}

// write is p.Write(h, s): fpdf's flowing text, line by line, in the very cells fpdf's Write lays
// out (its algorithm, with the text converted to runes once).
func write(p *fpdf.Fpdf, h float64, txt string) {
	d := fieldsOfFpdf()
	if !plainUTF8(p, d) {
		p.Write(h, txt)
		return
	}
	cw := *at[[]int](p, d.cw)
	cMargin := *at[float64](p, d.cMargin)
	pageW, _ := p.GetPageSize()
	lMargin, _, rMargin, _ := p.GetMargins()
	_, fontSize := p.GetFontSize()
	s := []rune(strings.ReplaceAll(txt, "\r", ""))
	nb := len(s)
	if nb == 1 && s[0] == ' ' {
		p.SetX(p.GetX() + p.GetStringWidth(" "))
		return
	}
	w := pageW - rMargin - p.GetX()
	wmax := (w - 2*cMargin) * 1000 / fontSize
	sep, i, j, l, nl := -1, 0, 0, 0.0, 1
	cell := func(width float64, line []rune, ln int) {
		p.CellFormat(width, h, string(line), "", ln, "", false, 0, "")
	}
	for i < nb {
		c := s[i]
		if c == '\n' {
			cell(w, s[j:i], 2)
			i++
			sep, j, l = -1, i, 0
			if nl == 1 {
				p.SetX(lMargin)
				w = pageW - rMargin - p.GetX()
				wmax = (w - 2*cMargin) * 1000 / fontSize
			}
			nl++
			continue
		}
		if c == ' ' {
			sep = i
		}
		if int(c) >= len(cw) { // fpdf would index past its widths; let it
			p.Write(h, string(s[j:]))
			return
		}
		l += float64(cw[int(c)])
		if l <= wmax {
			i++
			continue
		}
		// Automatic line break.
		if sep == -1 {
			if p.GetX() > lMargin {
				// Move to the next line.
				p.SetXY(lMargin, p.GetY()+h)
				w = pageW - rMargin - p.GetX()
				wmax = (w - 2*cMargin) * 1000 / fontSize
				i++
				nl++
				continue
			}
			if i == j {
				i++
			}
			cell(w, s[j:i], 2)
		} else {
			cell(w, s[j:sep], 2)
			i = sep + 1
		}
		sep, j, l = -1, i, 0
		if nl == 1 {
			p.SetX(lMargin)
			w = pageW - rMargin - p.GetX()
			wmax = (w - 2*cMargin) * 1000 / fontSize
		}
		nl++
	}
	if i != j {
		cell(l/1000*fontSize, s[j:], 0)
	}
}

// growPage makes room in the page just begun for as many bytes as the page before it holds, so
// that writing it does not grow its buffer step by step (the annex's pages are alike). The content
// is not touched.
func growPage(p *fpdf.Fpdf) {
	pages, err := field(reflect.ValueOf(p).Elem(), "pages")
	if err != nil || pages.Type() != reflect.TypeFor[[]*bytes.Buffer]() || pages.Len() != p.PageNo()+1 || p.PageNo() < 2 {
		return
	}
	all := pages.Interface().([]*bytes.Buffer)
	all[len(all)-1].Grow(all[len(all)-2].Len())
}
