package certificate

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"

	"codeberg.org/go-pdf/fpdf"
)

// TestCachedFontsRenderTheSameBytes: a certificate and a recall decision rendered with the
// fonts copied from the parsed prototype are byte for byte those rendered by parsing the fonts
// again, as fpdf alone does; and the copying path is the one taken.
func TestCachedFontsRenderTheSameBytes(t *testing.T) {
	proto, err := fontPrototype()
	if err != nil {
		t.Fatalf("the fonts cannot be shared: %v", err)
	}
	doc := fpdf.New("P", "mm", "A4", "")
	if err := copyFonts(proto, doc); err != nil {
		t.Fatalf("the parsed fonts are not copied: %v", err)
	}
	if m, _ := fontsMap(doc); m.Len() != 2 {
		t.Fatalf("%d fonts copied, want the regular and the bold", m.Len())
	}
	render := func() (cert, recall []byte) {
		t.Helper()
		c, err := Render(sampleCertificate(5, 7))
		if err != nil {
			t.Fatal(err)
		}
		r, err := RenderRecallDecision(sampleRecall("operation_ceased"))
		if err != nil {
			t.Fatal(err)
		}
		return c, r
	}
	cachedCert, cachedRecall := render()
	againCert, againRecall := render() // a second document from the same prototype
	parseFonts = true
	parsedCert, parsedRecall := render()
	parseFonts = false
	for _, tc := range []struct {
		name       string
		got, other []byte
	}{
		{"certificate", cachedCert, parsedCert}, {"certificate, second copy", againCert, parsedCert},
		{"recall decision", cachedRecall, parsedRecall}, {"recall decision, second copy", againRecall, parsedRecall},
	} {
		if !bytes.Equal(tc.got, tc.other) {
			t.Errorf("%s: %d bytes with the cached fonts, %d parsing them: not the same document", tc.name, len(tc.got), len(tc.other))
		}
	}
}

// TestRenderConcurrently renders certificates and recall decisions from many goroutines at once
// (run with -race): each is the document rendered alone.
func TestRenderConcurrently(t *testing.T) {
	wantCert, err := Render(sampleCertificate(3, 4))
	if err != nil {
		t.Fatal(err)
	}
	wantRecall, err := RenderRecallDecision(sampleRecall("operation_ceased"))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 8 {
		wg.Go(func() {
			if i%2 == 0 {
				got, err := Render(sampleCertificate(3, 4))
				if err == nil && !bytes.Equal(got, wantCert) {
					err = fmt.Errorf("certificate %d differs from the one rendered alone", i)
				}
				errs <- err
				return
			}
			got, err := RenderRecallDecision(sampleRecall("operation_ceased"))
			if err == nil && !bytes.Equal(got, wantRecall) {
				err = fmt.Errorf("recall decision %d differs from the one rendered alone", i)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// TestCompressedPagesAreFpdfsBytes: the certificate and the recall decision whose pages output
// compresses (compress.go) are byte for byte the documents fpdf compresses itself, and the
// rewriting path is the one taken (the document is smaller than the uncompressed one).
func TestCompressedPagesAreFpdfsBytes(t *testing.T) {
	render := func() (cert, recall []byte) {
		t.Helper()
		c, err := Render(sampleCertificate(20, 30))
		if err != nil {
			t.Fatal(err)
		}
		r, err := RenderRecallDecision(sampleRecall("operation_ceased"))
		if err != nil {
			t.Fatal(err)
		}
		return c, r
	}
	ourCert, ourRecall := render()
	againCert, againRecall := render() // the writers reused
	fpdfCompresses = true
	fpdfCert, fpdfRecall := render()
	fpdfCompresses = false
	for _, tc := range []struct {
		name       string
		got, other []byte
	}{
		{"certificate", ourCert, fpdfCert}, {"certificate, again", againCert, fpdfCert},
		{"recall decision", ourRecall, fpdfRecall}, {"recall decision, again", againRecall, fpdfRecall},
	} {
		if !bytes.Equal(tc.got, tc.other) {
			t.Errorf("%s: %d bytes with the pages compressed here, %d by fpdf: not the same document", tc.name, len(tc.got), len(tc.other))
		}
	}
	// A layout compressPages does not know is refused (and output keeps it uncompressed).
	if _, err := compressPages(bytes.Replace(fpdfCert, []byte("xref\n0 "), []byte("xref\n1 "), 1)); err == nil {
		t.Error("a broken cross-reference table was rewritten")
	}
	if _, err := compressPages(fpdfCert); err == nil {
		t.Error("a document with its pages already compressed was rewritten")
	}
}

// pageStreams are the content streams of doc's pages, in page order, with the fonts' resource
// names (fpdf names a font by a hash of its definition) replaced by their order of first use.
func pageStreams(t *testing.T, doc []byte) [][]byte {
	t.Helper()
	x, err := startXref(doc)
	if err != nil {
		t.Fatal(err)
	}
	offsets, _, err := readXref(doc, x)
	if err != nil {
		t.Fatal(err)
	}
	end := func(n int) int { // where object n ends: the next object, or the table
		e := x
		for _, o := range offsets[1:] {
			if o > offsets[n] && o < e {
				e = o
			}
		}
		return e
	}
	names := map[string]string{}
	fontName := regexp.MustCompile(`/F[0-9a-f]{40}`)
	var out [][]byte
	for n := 1; n < len(offsets); n++ {
		c, ok := pageContents(doc[offsets[n]:end(n)], n)
		if !ok {
			continue
		}
		obj := doc[offsets[c]:end(c)]
		_, data, ok := bytes.Cut(obj, []byte(">>\nstream\n"))
		if !ok {
			t.Fatalf("object %d is not a stream", c)
		}
		zr, err := zlib.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(zr) // the stream runs on into endstream: read up to the error
		out = append(out, fontName.ReplaceAllFunc(page, func(name []byte) []byte {
			if names[string(name)] == "" {
				names[string(name)] = fmt.Sprintf("/Font%d", len(names))
			}
			return []byte(names[string(name)])
		}))
	}
	if len(out) == 0 {
		t.Fatal("no pages")
	}
	return out
}

// TestReducedFontsLayOutTheSamePages: a certificate and a recall decision printed with the reduced
// fonts have the pages, character for character and position for position, of the documents
// printed with the full fonts (only the fonts' names and their embedded subsets differ); their
// text is the same to pdftotext; and the reduced fonts are the ones used.
func TestReducedFontsLayOutTheSamePages(t *testing.T) {
	files, err := reducedFonts()
	if err != nil {
		t.Fatalf("the reduced fonts cannot be made: %v", err)
	}
	t.Logf("reduced fonts: %d and %d bytes (full: %d and %d)", len(files.regular), len(files.bold), len(fontRegular), len(fontBold))
	render := func() (cert, recall []byte) {
		t.Helper()
		c, err := Render(sampleCertificate(20, 30))
		if err != nil {
			t.Fatal(err)
		}
		r, err := RenderRecallDecision(sampleRecall("operation_ceased"))
		if err != nil {
			t.Fatal(err)
		}
		return c, r
	}
	reducedCert, reducedRecall := render()
	fullFonts = true
	fullCert, fullRecall := render()
	fullFonts = false
	for _, tc := range []struct {
		name          string
		reduced, full []byte
	}{{"certificate", reducedCert, fullCert}, {"recall decision", reducedRecall, fullRecall}} {
		if bytes.Equal(tc.reduced, tc.full) {
			t.Fatalf("%s: the same bytes with both fonts: the reduced fonts were not used", tc.name)
		}
		if !reflect.DeepEqual(pageStreams(t, tc.reduced), pageStreams(t, tc.full)) {
			t.Errorf("%s: the pages differ between the reduced and the full fonts", tc.name)
		}
		r, f := pdfText(t, writePDF(t, tc.reduced), 1, 99), pdfText(t, writePDF(t, tc.full), 1, 99)
		if r != f {
			t.Errorf("%s: pdftotext reads another text with the reduced fonts", tc.name)
		}
		t.Logf("%s: %d bytes with the reduced fonts, %d with the full ones", tc.name, len(tc.reduced), len(tc.full))
	}
}

// TestRuneBeyondTheReducedFonts: a certificate and a recall decision that write a rune the reduced
// fonts do not keep (the object's name in Greek) are printed with the full fonts, so the rune is
// printed, not a missing glyph.
func TestRuneBeyondTheReducedFonts(t *testing.T) {
	const greek = "Σύστημα πληροφοριών Ω"
	c := sampleCertificate(2, 2)
	c.Object.Name = greek
	d := sampleRecall("operation_ceased")
	d.ObjectName = greek
	got, err := Render(c)
	if err != nil {
		t.Fatal(err)
	}
	gotRecall, err := RenderRecallDecision(d)
	if err != nil {
		t.Fatal(err)
	}
	fullFonts = true
	want, _ := Render(c)
	wantRecall, _ := RenderRecallDecision(d)
	fullFonts = false
	if !bytes.Equal(got, want) {
		t.Error("a certificate with a Greek name is not printed with the full fonts")
	}
	if !bytes.Equal(gotRecall, wantRecall) {
		t.Error("a recall decision with a Greek name is not printed with the full fonts")
	}
	if text := squeeze(pdfText(t, writePDF(t, got), 1, 99)); !strings.Contains(text, squeeze(greek)) {
		t.Errorf("the Greek name is not in the certificate's text")
	}
	if !withinReducedFonts(layOut(sampleCertificate(2, 2), nil, false).pdf) {
		t.Error("the sample certificate is said to need the full fonts")
	}
}
