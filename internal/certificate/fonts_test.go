package certificate

import (
	"bytes"
	"fmt"
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
