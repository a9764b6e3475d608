package certificate

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"strconv"
	"sync"

	"codeberg.org/go-pdf/fpdf"
)

// The fonts' objects are written once per process. For each UTF-8 font fpdf writes seven objects
// into every document (the Type0 font, its CIDFontType2 with the widths, the ToUnicode map, the
// CIDSystemInfo, the descriptor, the CIDToGIDMap and the subset of the font file): it cuts the
// subset of the runes the document used from the font again (parsing its tables, about 2 MB
// allocated per document) and compresses the map and the subset each with a new zlib writer (about
// 1.2 MB each, four per document): most of what a certificate allocated after its pages (see
// compress.go). fpdf has no hook for either, so a document whose text stays within commonRunes
// (every letter of Kazakh, Russian and English, the digits and ASCII's signs, and every rune of the
// documents' own labels) embeds the subset of the common runes instead, the same for every such
// document: fpdf writes those seven objects once, in a scratch document whose text used every
// common rune (fontBlocks), and output puts them into each document. fpdf writes each font of the
// document as a one-object stand-in (output tells it the font is a core one: the font's resource
// name and its object number in the page resources are fpdf's own); the rewrite (compressPages)
// puts the Type0 font in its place and appends the six others, their references renumbered.
// The glyphs and the widths are the same fonts', the pages the same (TestSplicedFontsAreFpdfs
// checks that the document is, object for object, the one fpdf writes when told the same runes
// were used). A document that writes a rune beyond commonRunes is written by fpdf's own path,
// with the subset of the runes it used.

// commonRunes are the runes the fonts' shared objects cover: ASCII's printable runes, the Russian
// and Kazakh alphabets, and every rune of the labels, the month names and the grounds' paragraphs.
var commonRunes = sync.OnceValue(func() map[int]int {
	m := map[int]int{}
	add := func(s string) {
		for _, r := range s {
			m[int(r)] = int(r)
		}
	}
	for r := 0x20; r <= 0x7e; r++ {
		m[r] = r
	}
	for r := 0x410; r <= 0x44f; r++ { // А-я
		m[r] = r
	}
	add("ЁёӘәҒғҚқҢңӨөҰұҮүҺһІі№«»·§–—") // and the footers' signs
	for _, table := range []map[Lang]map[string]string{labels, recallLabels} {
		for _, byKey := range table {
			for _, s := range byKey {
				add(s)
			}
		}
	}
	for _, months := range [][12]string{monthsKK, monthsKKDat, monthsKKLoc, monthsRU, monthsEN} {
		for _, s := range months {
			add(s)
		}
	}
	for _, g := range recallGrounds {
		add(g.paragraph)
	}
	return m
})

// fontObjects are the seven objects fpdf wrote for one UTF-8 font in the scratch document, each
// from the line after its "n 0 obj" to its "endobj" line included, numbered first to first+6.
type fontObjects struct {
	name   string // the font's Name (its key), what the core stand-in is written as
	first  int
	bodies [7][]byte
	parts  [7]objectParts // the bodies cut at their references, once
	used   map[int]int    // the font's used runes in the scratch document
}

// objectParts is an object's body cut at the references in its dictionary: text, reference, text,
// …, text, then its stream (if any), which is not searched.
type objectParts struct {
	texts  [][]byte // len(refs)+1
	refs   []int
	stream []byte
}

// cutAtReferences cuts body at the references in its dictionary.
func cutAtReferences(body []byte) objectParts {
	dict, stream := body, []byte(nil)
	if i := bytes.Index(body, []byte(">>\nstream\n")); i >= 0 {
		dict, stream = body[:i], body[i:]
	}
	var o objectParts
	from := 0
	for _, m := range reference.FindAllSubmatchIndex(dict, -1) {
		n, _ := strconv.Atoi(string(dict[m[2]:m[3]]))
		o.texts = append(o.texts, dict[from:m[0]])
		o.refs = append(o.refs, n)
		from = m[1]
	}
	o.texts = append(o.texts, dict[from:])
	o.stream = stream
	return o
}

// fontBlocks are the objects of the reduced fonts, by font key, written for the common runes.
var fontBlocks = sync.OnceValues(func() (map[string]*fontObjects, error) {
	proto, err := reducedPrototype()
	if err != nil {
		return nil, err
	}
	doc := fpdf.New("P", "mm", "A4", "")
	doc.AliasNbPages("") // as the renderers do: the runes every font starts with
	if err := copyFonts(proto, doc); err != nil {
		return nil, err
	}
	m, err := fontsMap(doc)
	if err != nil {
		return nil, err
	}
	used := map[string]map[int]int{}
	for it := m.MapRange(); it.Next(); {
		def := reflect.New(it.Value().Type()).Elem()
		def.Set(it.Value())
		u, err := usedRunes(def)
		if err != nil {
			return nil, err
		}
		maps.Copy(u, commonRunes())
		used[it.Key().String()] = maps.Clone(u)
	}
	doc.AddPage()
	var buf bytes.Buffer
	if err := doc.Output(&buf); err != nil {
		return nil, fmt.Errorf("fpdf: the fonts' scratch document: %w", err)
	}
	out := buf.Bytes()
	x, err := startXref(out)
	if err != nil {
		return nil, err
	}
	offsets, _, err := readXref(out, x)
	if err != nil {
		return nil, err
	}
	bodies := objectBodies(out, offsets, x)
	blocks := map[string]*fontObjects{}
	for it := m.MapRange(); it.Next(); {
		name, n, err := fontNameAndNumber(it.Value())
		if err != nil {
			return nil, err
		}
		if n < 1 || n+6 >= len(offsets) {
			return nil, fmt.Errorf("fpdf: font %s is object %d of %d", name, n, len(offsets))
		}
		b := &fontObjects{name: name, first: n, used: used[it.Key().String()]}
		for j := range 7 {
			b.bodies[j] = bodies[n+j]
			b.parts[j] = cutAtReferences(b.bodies[j])
		}
		if !bytes.HasPrefix(b.bodies[0], []byte("<</Type /Font\n/Subtype /Type0\n/BaseFont /utf8"+name+"\n")) {
			return nil, fmt.Errorf("fpdf: object %d is not the Type0 font %s", n, name)
		}
		if _, err := b.renumbered(map[int]int{n: 1, n + 1: 2, n + 2: 3, n + 3: 4, n + 4: 5, n + 5: 6, n + 6: 7}); err != nil {
			return nil, err
		}
		blocks[it.Key().String()] = b
	}
	if len(blocks) != 2 {
		return nil, fmt.Errorf("fpdf: %d fonts in the scratch document, want the regular and the bold", len(blocks))
	}
	return blocks, nil
})

// objectBodies are the objects of doc (offsets from its cross-reference table at x), each from the
// line after its "n 0 obj" to its "endobj" line included; nil for one not laid out so.
func objectBodies(doc []byte, offsets []int, x int) [][]byte {
	order := make([]int, 0, len(offsets))
	for n := 1; n < len(offsets); n++ {
		order = append(order, n)
	}
	sortByOffset(order, offsets)
	out := make([][]byte, len(offsets))
	for i, n := range order {
		end := x
		if i+1 < len(order) {
			end = offsets[order[i+1]]
		}
		obj := doc[offsets[n]:end]
		if body, ok := bytes.CutPrefix(obj, []byte(strconv.Itoa(n)+" 0 obj\n")); ok && bytes.HasSuffix(body, []byte("endobj\n")) {
			out[n] = body
		}
	}
	return out
}

// reference is an indirect reference in an object's dictionary.
var reference = regexp.MustCompile(`\b([0-9]+) 0 R\b`)

// renumbered are the seven objects with every reference in their dictionaries (not in their
// streams) to one of them renumbered by to, each as the pieces to write one after another (the
// bodies are not copied); a reference to any other object is an error.
func (b *fontObjects) renumbered(to map[int]int) ([7][][]byte, error) {
	var out [7][][]byte
	for j, o := range b.parts {
		pieces := make([][]byte, 0, 2*len(o.refs)+2)
		for i, n := range o.refs {
			m, ok := to[n]
			if !ok {
				return out, fmt.Errorf("fpdf: object %d of font %s refers to object %d, not one of its own", b.first+j, b.name, n)
			}
			pieces = append(pieces, o.texts[i], []byte(strconv.Itoa(m)+" 0 R"))
		}
		out[j] = append(pieces, o.texts[len(o.refs)], o.stream)
	}
	return out, nil
}

// standIn is the object fpdf writes for a font it is told is a core font named name.
func standIn(name string) []byte {
	return []byte("<</Type /Font\n/BaseFont /" + name + "\n/Subtype /Type1\n/Encoding /WinAnsiEncoding\n>>\nendobj\n")
}

// usedRunes is the usedRunes map of a font definition (settable).
func usedRunes(def reflect.Value) (map[int]int, error) {
	used, err := field(def, "usedRunes")
	if err != nil {
		return nil, err
	}
	m, ok := used.Interface().(map[int]int)
	if !ok || m == nil {
		return nil, fmt.Errorf("fpdf: usedRunes is a %s", used.Type())
	}
	return m, nil
}

// fontNameAndNumber are a font definition's Name and its object number N.
func fontNameAndNumber(def reflect.Value) (string, int, error) {
	name, n := def.FieldByName("Name"), def.FieldByName("N")
	if name.Kind() != reflect.String || n.Kind() != reflect.Int {
		return "", 0, errors.New("fpdf: a font has no Name or N")
	}
	return name.String(), int(n.Int()), nil
}

// fpdfWritesFonts, when true, makes output tell fpdf that every common rune was used and let it
// write the fonts itself, instead of putting in the shared objects (the tests' reference).
var fpdfWritesFonts = false

// splicedFonts are the fonts of a document written as core stand-ins, to be replaced by their
// shared objects: by font key.
type splicedFonts struct {
	pdf    *fpdf.Fpdf
	blocks map[string]*fontObjects
}

// standInFonts makes pdf's fonts core stand-ins when every rune pdf's text used is one the shared
// objects cover, and returns them; nil (pdf unchanged) otherwise. With fpdfWritesFonts it tells
// fpdf instead that the fonts used every common rune, and returns nil.
func standInFonts(pdf *fpdf.Fpdf) *splicedFonts {
	blocks, err := fontBlocks()
	if err != nil {
		return nil
	}
	m, err := fontsMap(pdf)
	if err != nil || m.Len() != len(blocks) {
		return nil
	}
	type change struct {
		key reflect.Value
		def reflect.Value
		tp  reflect.Value
	}
	var changes []change
	for it := m.MapRange(); it.Next(); {
		b := blocks[it.Key().String()]
		def := reflect.New(it.Value().Type()).Elem()
		def.Set(it.Value())
		tp, err := field(def, "Tp")
		if b == nil || err != nil || tp.Kind() != reflect.String || tp.String() != "UTF8" {
			return nil
		}
		used, err := usedRunes(def)
		if err != nil || def.FieldByName("Name").String() != b.name {
			return nil
		}
		for r, v := range used {
			if v != 0 && b.used[r] != v {
				return nil
			}
		}
		changes = append(changes, change{it.Key(), def, tp})
	}
	for _, c := range changes {
		if fpdfWritesFonts {
			used, _ := usedRunes(c.def)
			maps.Copy(used, blocks[c.key.String()].used)
			continue
		}
		c.tp.SetString("Core")
		m.SetMapIndex(c.key, c.def)
	}
	if fpdfWritesFonts {
		return nil
	}
	return &splicedFonts{pdf: pdf, blocks: blocks}
}

// byNumber are the shared objects of each stand-in, by the stand-in's object number (fpdf set
// the numbers as it wrote the document).
func (s *splicedFonts) byNumber() (map[int]*fontObjects, error) {
	m, err := fontsMap(s.pdf)
	if err != nil {
		return nil, err
	}
	out := map[int]*fontObjects{}
	for it := m.MapRange(); it.Next(); {
		_, n, err := fontNameAndNumber(it.Value())
		if err != nil {
			return nil, err
		}
		b := s.blocks[it.Key().String()]
		if b == nil || n <= 0 || out[n] != nil {
			return nil, fmt.Errorf("fpdf: font %v is object %d", it.Key(), n)
		}
		out[n] = b
	}
	return out, nil
}
