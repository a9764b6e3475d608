package certificate

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"codeberg.org/go-pdf/fpdf"
)

// The fonts are parsed once per process and every document gets its own copy of the parsed
// definitions. fpdf parses a TrueType font in AddUTF8FontFromBytes (its tables, its 65,536 widths,
// and a SHA-1 of the whole definition as JSON: most of a certificate's time and memory before
// this cache) and has no API to share a parsed font between documents, so addFonts copies the
// parsed definition of a prototype document into the new one. A copy is what AddUTF8FontFromBytes
// would have built from the same bytes: the widths and the font bytes are shared read-only, and
// what a document changes is its own (the set of runes it uses; the subsetting state, which
// GenerateCutFont resets before use and reads the font through a reader of its own).
// TestCachedFontsRenderTheSameBytes checks that a document rendered with the copies is byte for
// byte the one rendered by parsing the fonts again; TestRenderConcurrently runs renders in
// parallel under -race. The field names are fpdf v0.12.0's (go.mod pins it); a version that
// renames them makes addFonts fail and the renderers fall back to parsing.

// The documents use reduced copies of the two fonts: only the glyphs of the scripts a certificate
// or a decision is written in (reducedRunes: Latin with its Latin-1 and Extended-A letters,
// Cyrillic with the Kazakh letters, the usual punctuation, № and the currency signs), cut from the
// full fonts once per process by fpdf's own subsetting (GenerateCutFont, what fpdf embeds in
// every document). fpdf subsets the font again for each document and reads its whole character
// map, widths and glyph offsets to do so; from a font of about 90 KB instead of 740 KB that work
// is a fraction (a recall decision allocated 12 MB with the full fonts, under 9 MB with the
// reduced ones). The glyphs and their widths are the full fonts', so the pages are laid out the
// same (TestReducedFontsLayOutTheSamePages); a document that writes a rune outside reducedRunes
// (a name in Greek, say) is laid out again with the full fonts (TestRuneBeyondTheReducedFonts).

// fontFiles are the TrueType files of the regular and the bold face.
type fontFiles struct{ regular, bold []byte }

// fontPrototype is a document with the two full fonts parsed, or why they cannot be shared.
var fontPrototype = sync.OnceValues(func() (*fpdf.Fpdf, error) {
	return prototype(fontFiles{fontRegular, fontBold})
})

// reducedPrototype is a document with the two reduced fonts parsed.
var reducedPrototype = sync.OnceValues(func() (*fpdf.Fpdf, error) {
	files, err := reducedFonts()
	if err != nil {
		return nil, err
	}
	return prototype(files)
})

func prototype(files fontFiles) (*fpdf.Fpdf, error) {
	p := fpdf.New("P", "mm", "A4", "")
	p.AliasNbPages("") // as the renderers do: it decides the runes every subset starts with
	p.AddUTF8FontFromBytes(fontFamily, "", files.regular)
	p.AddUTF8FontFromBytes(fontFamily, "B", files.bold)
	if err := p.Error(); err != nil {
		return nil, err
	}
	if _, err := fontsMap(p); err != nil {
		return nil, err
	}
	return p, nil
}

// reducedRunes are the runes the reduced fonts keep.
var reducedRunes = sync.OnceValue(func() map[int]int {
	m := map[int]int{}
	for _, r := range [][2]int{
		{0x20, 0x7e},     // Basic Latin
		{0xa0, 0x17f},    // Latin-1 Supplement, Latin Extended-A (« » § ° and accented letters)
		{0x400, 0x52f},   // Cyrillic and its supplement (ә ғ қ ң ө ұ ү һ і)
		{0x2010, 0x2027}, // dashes, quotation marks, bullet, ellipsis
		{0x2030, 0x203a}, // per mille, primes, angle quotation marks
		{0x20ac, 0x20ac}, // €
		{0x20b8, 0x20b8}, // ₸
		{0x2116, 0x2116}, // №
		{0x2122, 0x2122}, // ™
	} {
		for c := r[0]; c <= r[1]; c++ {
			m[c] = c
		}
	}
	return m
})

// reducedFonts cuts the reduced fonts from the full ones.
var reducedFonts = sync.OnceValues(func() (fontFiles, error) {
	proto, err := fontPrototype()
	if err != nil {
		return fontFiles{}, err
	}
	doc := fpdf.New("P", "mm", "A4", "")
	if err := copyFonts(proto, doc); err != nil {
		return fontFiles{}, err
	}
	m, err := fontsMap(doc)
	if err != nil {
		return fontFiles{}, err
	}
	cut := map[string][]byte{}
	for it := m.MapRange(); it.Next(); {
		def := reflect.New(it.Value().Type()).Elem()
		def.Set(it.Value())
		file, err := field(def, "utf8File")
		if err != nil {
			return fontFiles{}, err
		}
		method := file.MethodByName("GenerateCutFont")
		if !method.IsValid() || method.Type().NumIn() != 1 || method.Type().In(0) != reflect.TypeFor[map[int]int]() ||
			method.Type().NumOut() != 1 || method.Type().Out(0) != reflect.TypeFor[[]byte]() {
			return fontFiles{}, fmt.Errorf("fpdf: no GenerateCutFont(map[int]int) []byte on %s", file.Type())
		}
		font := method.Call([]reflect.Value{reflect.ValueOf(maps.Clone(reducedRunes()))})[0].Bytes()
		if len(font) == 0 {
			return fontFiles{}, fmt.Errorf("fpdf: font %v not cut", it.Key())
		}
		cut[it.Key().String()] = font
	}
	regular, bold := cut[strings.ToLower(fontFamily)], cut[strings.ToLower(fontFamily)+"B"]
	if regular == nil || bold == nil || len(cut) != 2 {
		return fontFiles{}, fmt.Errorf("fpdf: fonts %v, want %s and its bold", slices.Collect(maps.Keys(cut)), fontFamily)
	}
	return fontFiles{regular: regular, bold: bold}, nil
})

// parseFonts, when true, makes addFonts parse the fonts as fpdf does (the tests' reference).
var parseFonts = false

// addFonts gives pdf the two DejaVu fonts, reduced unless full is set (or the reduced ones cannot
// be made); it says whether they are the reduced ones. The fonts are copies of a parsed
// prototype's, or parsed from their bytes when copying is not possible. pdf must have had
// AliasNbPages called.
func addFonts(pdf *fpdf.Fpdf, full bool) (reduced bool) {
	files, proto := fontFiles{fontRegular, fontBold}, fontPrototype
	if !full {
		if f, err := reducedFonts(); err == nil {
			files, proto, reduced = f, reducedPrototype, true
		}
	}
	if !parseFonts {
		if p, err := proto(); err == nil {
			if err := copyFonts(p, pdf); err == nil {
				return reduced
			}
		}
	}
	pdf.AddUTF8FontFromBytes(fontFamily, "", files.regular)
	pdf.AddUTF8FontFromBytes(fontFamily, "B", files.bold)
	return reduced
}

// withinReducedFonts reports whether every rune pdf's text wrote is one the reduced fonts keep.
func withinReducedFonts(pdf *fpdf.Fpdf) bool {
	m, err := fontsMap(pdf)
	if err != nil {
		return false
	}
	keep := reducedRunes()
	for it := m.MapRange(); it.Next(); {
		def := reflect.New(it.Value().Type()).Elem()
		def.Set(it.Value())
		used, err := field(def, "usedRunes")
		if err != nil || used.Kind() != reflect.Map || used.Type().Key().Kind() != reflect.Int {
			return false
		}
		for r := used.MapRange(); r.Next(); {
			// fpdf marks a rune written with the rune itself; 0 is a rune the font starts with, unused.
			if c := int(r.Key().Int()); r.Value().Int() != 0 && keep[c] == 0 {
				return false
			}
		}
	}
	return true
}

// field is the unexported field name of v (a struct), made settable.
func field(v reflect.Value, name string) (reflect.Value, error) {
	f := v.FieldByName(name)
	if !f.IsValid() {
		return reflect.Value{}, fmt.Errorf("fpdf: no field %s in %s", name, v.Type())
	}
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem(), nil
}

// fontsMap is pdf's map of font definitions by key.
func fontsMap(pdf *fpdf.Fpdf) (reflect.Value, error) {
	m, err := field(reflect.ValueOf(pdf).Elem(), "fonts")
	if err != nil {
		return reflect.Value{}, err
	}
	if m.Kind() != reflect.Map {
		return reflect.Value{}, fmt.Errorf("fpdf: fonts is a %s", m.Kind())
	}
	return m, nil
}

// copyFonts puts into dst a copy of every font definition of proto: a fresh set of used runes
// (the prototype's start set) and a fresh copy of the parsed font with its own reader.
func copyFonts(proto, dst *fpdf.Fpdf) error {
	from, err := fontsMap(proto)
	if err != nil {
		return err
	}
	to, err := fontsMap(dst)
	if err != nil {
		return err
	}
	iter := from.MapRange()
	for iter.Next() {
		def := reflect.New(iter.Value().Type()).Elem()
		def.Set(iter.Value())
		used, err := field(def, "usedRunes")
		if err != nil {
			return err
		}
		fresh := reflect.MakeMapWithSize(used.Type(), used.Len())
		for r := used.MapRange(); r.Next(); {
			fresh.SetMapIndex(r.Key(), r.Value())
		}
		used.Set(fresh)
		file, err := field(def, "utf8File")
		if err != nil {
			return err
		}
		if file.Kind() != reflect.Pointer || file.IsNil() {
			return fmt.Errorf("fpdf: font %v has no parsed UTF-8 font", iter.Key())
		}
		fileCopy := reflect.New(file.Type().Elem())
		fileCopy.Elem().Set(file.Elem())
		reader, err := field(fileCopy.Elem(), "fileReader")
		if err != nil {
			return err
		}
		if reader.Kind() != reflect.Pointer || reader.IsNil() {
			return fmt.Errorf("fpdf: font %v has no reader", iter.Key())
		}
		readerCopy := reflect.New(reader.Type().Elem())
		readerCopy.Elem().Set(reader.Elem())
		reader.Set(readerCopy)
		file.Set(fileCopy)
		to.SetMapIndex(iter.Key(), def)
	}
	return nil
}
