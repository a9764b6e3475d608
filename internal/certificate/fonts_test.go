package certificate

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unsafe"

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
// takes out of the document and compresses (compress.go) are byte for byte the documents fpdf
// compresses itself (the alias of the number of pages replaced as fpdf replaces it), and so are
// those whose pages output compresses in the document fpdf wrote whole; and the taking path is the
// one taken.
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
	fpdfWritesFonts = true // the fonts as fpdf writes them (TestSplicedFontsAreFpdfs checks the shared ones)
	defer func() { fpdfWritesFonts = false }()
	ourCert, ourRecall := render()
	againCert, againRecall := render() // the writers reused
	fpdfCopiesPages = true
	wholeCert, wholeRecall := render()
	fpdfCopiesPages = false
	fpdfCompresses = true
	fpdfCert, fpdfRecall := render()
	fpdfCompresses = false
	for _, tc := range []struct {
		name       string
		got, other []byte
	}{
		{"certificate", ourCert, fpdfCert}, {"certificate, again", againCert, fpdfCert},
		{"recall decision", ourRecall, fpdfRecall}, {"recall decision, again", againRecall, fpdfRecall},
		{"certificate, pages left in the document", wholeCert, fpdfCert}, {"recall decision, pages left in the document", wholeRecall, fpdfRecall},
	} {
		if !bytes.Equal(tc.got, tc.other) {
			t.Errorf("%s: %d bytes with the pages compressed here, %d by fpdf: not the same document", tc.name, len(tc.got), len(tc.other))
		}
	}
	for name, pdf := range map[string]*fpdf.Fpdf{"certificate": layOut(sampleCertificate(20, 30), nil, false).pdf,
		"recall decision": layOutRecall(sampleRecall("operation_ceased"), false).pdf} {
		n := pdf.PageNo()
		if !closeLastPage(pdf) {
			t.Errorf("%s: the last page is not closed", name)
		}
		if pages, alias, nb := takePages(pdf); len(pages) != n+1 || alias != "{nb}" || nb != n || pages[n].Len() == 0 {
			t.Errorf("%s: the pages are not taken out of the document: %d of %d, alias %q", name, len(pages)-1, n, alias)
		}
	}
	// A layout compressPages does not know is refused (and output keeps it uncompressed).
	if _, err := compressPages(bytes.Replace(fpdfCert, []byte("xref\n0 "), []byte("xref\n1 "), 1), rewrite{}); err == nil {
		t.Error("a broken cross-reference table was rewritten")
	}
	if _, err := compressPages(fpdfCert, rewrite{}); err == nil {
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

// canonical is doc's objects as reached from its trailer (/Root, /Info), in the order first
// reached, each with the references in its dictionary written as that order: two documents made
// of the same objects, numbered otherwise, give the same.
func canonical(t *testing.T, doc []byte) []string {
	t.Helper()
	x, err := startXref(doc)
	if err != nil {
		t.Fatal(err)
	}
	offsets, trailer, err := readXref(doc, x)
	if err != nil {
		t.Fatal(err)
	}
	bodies := objectBodies(doc, offsets, x)
	order := map[int]int{}
	var queue []int
	relabel := func(b []byte) string {
		return string(reference.ReplaceAllFunc(b, func(ref []byte) []byte {
			n, _ := strconv.Atoi(string(bytes.Fields(ref)[0]))
			if _, seen := order[n]; !seen {
				order[n] = len(order)
				queue = append(queue, n)
			}
			return []byte(fmt.Sprintf("#%d", order[n]))
		}))
	}
	out := []string{relabel(trailer)}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		body := bodies[n]
		if body == nil {
			t.Fatalf("object %d is not laid out as fpdf lays objects out", n)
		}
		dict, stream := body, []byte(nil)
		if i := bytes.Index(body, []byte(">>\nstream\n")); i >= 0 {
			dict, stream = body[:i], body[i:]
		}
		out = append(out, relabel(dict)+string(stream))
	}
	if len(out) != len(offsets) {
		t.Errorf("%d objects reached of %d", len(out)-1, len(offsets)-1)
	}
	return out
}

// TestSplicedFontsAreFpdfs: a certificate and a recall decision whose fonts are the shared objects
// (fontblock.go) are, object for object, the documents fpdf writes when told their text used every
// common rune (only the objects' numbers differ); the shared objects are the ones put in; and a
// document that writes a rune beyond the common ones (within the reduced fonts) is written by
// fpdf's own path, with the subset of the runes it used.
func TestSplicedFontsAreFpdfs(t *testing.T) {
	render := func(c Certificate, d RecallDecision) (cert, recall []byte) {
		t.Helper()
		cert, err := Render(c)
		if err != nil {
			t.Fatal(err)
		}
		recall, err = RenderRecallDecision(d)
		if err != nil {
			t.Fatal(err)
		}
		return cert, recall
	}
	c, d := sampleCertificate(20, 30), sampleRecall("operation_ceased")
	splicedCert, splicedRecall := render(c, d)
	fpdfWritesFonts = true
	fpdfCert, fpdfRecall := render(c, d)
	fpdfWritesFonts = false
	for _, tc := range []struct {
		name            string
		spliced, byFpdf []byte
	}{{"certificate", splicedCert, fpdfCert}, {"recall decision", splicedRecall, fpdfRecall}} {
		if bytes.Contains(tc.spliced, []byte("/Subtype /Type1")) || bytes.Count(tc.spliced, []byte("/Subtype /Type0")) != 2 {
			t.Errorf("%s: the fonts' stand-ins were not replaced", tc.name)
		}
		if bytes.Equal(tc.spliced, tc.byFpdf) {
			t.Errorf("%s: the same bytes as fpdf's: the shared objects were not put in", tc.name)
		}
		if !reflect.DeepEqual(canonical(t, tc.spliced), canonical(t, tc.byFpdf)) {
			t.Errorf("%s: not the objects fpdf writes for the common runes", tc.name)
		}
		if r, f := pdfText(t, writePDF(t, tc.spliced), 1, 99), pdfText(t, writePDF(t, tc.byFpdf), 1, 99); r != f {
			t.Errorf("%s: pdftotext reads another text", tc.name)
		}
	}

	// Ÿ is in the reduced fonts, not among the common runes.
	c.Object.Name += " Ÿ"
	d.ObjectName += " Ÿ"
	ownCert, ownRecall := render(c, d)
	fpdfCompresses = true
	wantCert, wantRecall := render(c, d)
	fpdfCompresses = false
	if !bytes.Equal(ownCert, wantCert) || !bytes.Equal(ownRecall, wantRecall) {
		t.Error("a document with a rune beyond the common ones is not the one fpdf writes with the runes it used")
	}
	if text := squeeze(pdfText(t, writePDF(t, ownCert), 1, 99)); !strings.Contains(text, "Ÿ") {
		t.Error("the rune beyond the common ones is not in the certificate's text")
	}
}

// TestARewriteThatFailsLaysTheDocumentOutAgain: when the document fpdf wrote without its pages and
// with its fonts' stand-ins is not one the rewrite knows, output lays the document out again and
// lets fpdf write it whole: the certificate and the recall decision are then fpdf's own.
func TestARewriteThatFailsLaysTheDocumentOutAgain(t *testing.T) {
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
	refuseRewrite = true
	gotCert, gotRecall := render()
	refuseRewrite = false
	fpdfCompresses = true
	wantCert, wantRecall := render()
	fpdfCompresses = false
	if !bytes.Equal(gotCert, wantCert) || !bytes.Equal(gotRecall, wantRecall) {
		t.Errorf("after a refused rewrite: certificate %d bytes, fpdf's %d; recall decision %d, fpdf's %d",
			len(gotCert), len(wantCert), len(gotRecall), len(wantRecall))
	}
}

// TestFastTextAndWriteAreFpdfs: certificates rendered with text and write (fastpath.go) are byte
// for byte those rendered with fpdf's Text and Write: the sample, one whose cells and paragraphs
// hold the signs fpdf escapes (parentheses, a backslash) and long unbroken words, one within the
// full fonts (a Greek name), and the recall decision.
func TestFastTextAndWriteAreFpdfs(t *testing.T) {
	signs := sampleCertificate(6, 9)
	signs.Object.Name = `System (core) \ back-office ` + strings.Repeat("Ж", 120)
	signs.Owner.Name = `LLP "Owner" (Astana)\branch`
	signs.Hardware[0].ManufacturerModel = `Dell (R750) \ rack ` + strings.Repeat("x", 90)
	signs.Software[1].Name = `name (with) ) unbalanced ( \\`
	greek := sampleCertificate(2, 2)
	greek.Object.Name = "Σύστημα πληροφοριών Ω"
	for name, c := range map[string]Certificate{"sample": sampleCertificate(20, 30), "signs": signs, "greek": greek} {
		fast, err := Render(c)
		if err != nil {
			t.Fatal(err)
		}
		fpdfDraws = true
		slow, err := Render(c)
		fpdfDraws = false
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(fast, slow) {
			t.Errorf("%s: %d bytes with text and write, %d with fpdf's Text and Write: not the same document", name, len(fast), len(slow))
		}
	}
	if !fieldsOfFpdf().ok {
		t.Error("fpdf's fields are not found: text and write call fpdf's own")
	}
}

// TestOneLine: oneLine is strings.Join(strings.Fields(s), " ") for every kind of value, and
// returns a value that is one line already without copying it.
func TestOneLine(t *testing.T) {
	for _, s := range []string{"", " ", "a", "a b", " a", "a ", "a  b", "a\tb", "a\nb", "a\u00a0b", "a\u2003b", "«Е-Әкімдік» жүйесі", "x\xffy z", "a \n b"} {
		if got, want := oneLine(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", s, got, want)
		}
	}
	s := "Dell PowerEdge R750 (rack)"
	if got := oneLine(s); unsafe.StringData(got) != unsafe.StringData(s) {
		t.Error("a value that is one line already was copied")
	}
}
