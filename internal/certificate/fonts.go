package certificate

import (
	"fmt"
	"reflect"
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

// fontPrototype is a document with the two fonts parsed, or why they cannot be shared.
var fontPrototype = sync.OnceValues(func() (*fpdf.Fpdf, error) {
	p := fpdf.New("P", "mm", "A4", "")
	p.AliasNbPages("") // as the renderers do: it decides the runes every subset starts with
	p.AddUTF8FontFromBytes(fontFamily, "", fontRegular)
	p.AddUTF8FontFromBytes(fontFamily, "B", fontBold)
	if err := p.Error(); err != nil {
		return nil, err
	}
	if _, err := fontsMap(p); err != nil {
		return nil, err
	}
	return p, nil
})

// parseFonts, when true, makes addFonts parse the fonts as fpdf does (the tests' reference).
var parseFonts = false

// addFonts gives pdf the two DejaVu fonts: copies of the parsed prototype's, or parsed from the
// embedded bytes when copying is not possible. pdf must have had AliasNbPages called.
func addFonts(pdf *fpdf.Fpdf) {
	if !parseFonts {
		if proto, err := fontPrototype(); err == nil {
			if err := copyFonts(proto, pdf); err == nil {
				return
			}
		}
	}
	pdf.AddUTF8FontFromBytes(fontFamily, "", fontRegular)
	pdf.AddUTF8FontFromBytes(fontFamily, "B", fontBold)
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
