package certificate

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// needTool returns the path of a poppler-utils program, or skips the test when it is not installed.
func needTool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed (Debian package poppler-utils: apt-get install poppler-utils), so the PDF is not read back", name)
	}
	return path
}

// writePDF writes doc to a file in the test's temporary directory.
func writePDF(t testing.TB, doc []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "certificate.pdf")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// pdfText extracts the text of pages first..last in content-stream order, so the lines of one table
// cell, and the cells of one row, follow each other.
func pdfText(t testing.TB, path string, first, last int) string {
	t.Helper()
	bin := needTool(t, "pdftotext")
	out, err := exec.Command(bin, "-enc", "UTF-8", "-raw", "-f", strconv.Itoa(first), "-l", strconv.Itoa(last), path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// squeeze drops all white space, so text wrapped onto several lines compares with the value given.
func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// literals are the fixed parts of a label, between its blanks.
func literals(s string) []string {
	var out []string
	for _, part := range placeholder.Split(s, -1) {
		if p := squeeze(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// TestRenderText reads the PDF back and finds, in the pages of each language, every label of the
// form in that language, every field of the certificate and every row of both tables.
func TestRenderText(t *testing.T) {
	c := sampleCertificate(50, 100)
	doc, sections, err := render(c)
	if err != nil {
		t.Fatal(err)
	}
	path := writePDF(t, doc)
	if len(sections) != 3 {
		t.Fatalf("%d sections, want 3", len(sections))
	}
	for _, s := range sections {
		t.Run(string(s.lang), func(t *testing.T) {
			l := s.lang
			text := pdfText(t, path, s.first, s.last)
			flat := squeeze(text)
			has := func(what, want string) {
				t.Helper()
				if !strings.Contains(flat, squeeze(want)) {
					t.Errorf("%s: %s %q is not in the text of pages %d-%d", l, what, want, s.first, s.last)
				}
			}
			// The form's fixed text in this language.
			skip := map[string]bool{labelValidUntil: true, labelEmptyTable: true, labelDuplicate: true} // a duplicate: TestRenderDuplicatePar48
			for kind, comp := range kinds {
				if kind != c.Object.Kind {
					skip[kindPrefix+kind], skip[comp] = true, true
				}
			}
			skip[kinds[c.Object.Kind]] = false
			for _, k := range allLabelKeys() {
				if skip[k] {
					continue
				}
				for _, lit := range literals(label(l, k)) {
					has("label "+k, lit)
				}
			}
			// Every field of Annex 7.
			has("number", c.Number)
			has("object name", c.Object.Name)
			has("object kind", label(l, kindPrefix+c.Object.Kind))
			has("owner", c.Owner.Name)
			has("owner BIN", c.Owner.IdentityNumber)
			has("validity", fill(label(l, labelValidOperation), "number", c.Number))
			has("information category", c.InformationCategory.In(l))
			for _, p := range c.Prohibitions {
				has("prohibition", p.In(l))
			}
			has("act", fill(label(l, labelAct), "number", c.Act.Number, "date", formatDate(l, c.Act.Date, dateDated)))
			has("additional act", fill(label(l, labelAdditionalAct), "number", c.AdditionalAct.Number, "date", formatDate(l, c.AdditionalAct.Date, dateDated)))
			has("validity period", c.ValidityPeriod.In(l))
			for _, n := range c.NotifiableChanges {
				has("notifiable change", n.In(l))
			}
			has("chairman", c.Chairman.Name)
			has("chairman's position", c.Chairman.Position.In(l))
			has("date of issue", fill(label(l, labelIssued), "date", formatDate(l, c.IssuedOn, datePlain)))
			has("annex heading", fill(label(l, labelAnnex), "number", c.Number, "date", formatDate(l, c.IssuedOn, dateDated)))
			has("verification URL", c.VerificationURL)
			has("SHA-256", c.SHA256)
			// Every row of both tables, its cells in order.
			for i, h := range c.Hardware {
				has(fmt.Sprintf("Table 1 row %d", i+1), strings.Join(hardwareCells(i, h), ""))
			}
			for i, sw := range c.Software {
				has(fmt.Sprintf("Table 2 row %d", i+1), strings.Join(softwareCells(i, sw), ""))
			}
			for _, ip := range sampleHardware(50)[7].IPAddresses {
				if strings.Contains(text, ip) {
					t.Errorf("%s: the IP address %s is printed; Annex 7's Table 1 has none", l, ip)
				}
			}
			if l == Kazakh {
				for _, r := range "әғқңөұүһіӘҒҚҢӨҰҮҺІ" {
					if !strings.ContainsRune(text, r) && strings.ContainsRune(c.Object.Name+c.Owner.Name+c.Chairman.Name+label(l, labelTitle), r) {
						t.Errorf("the Kazakh letter %q is lost", r)
					}
				}
				for _, r := range "әғқңөұүһі" {
					if !strings.ContainsRune(text, r) {
						t.Errorf("the Kazakh pages have no %q", r)
					}
				}
			}
			// No label key leaks for want of a translation.
			for _, k := range allLabelKeys() {
				if strings.Contains(k, ".") && strings.Contains(text, k) {
					t.Errorf("%s: the label key %q is printed instead of its text", l, k)
				}
			}
		})
	}
}

// TestRenderTablesContinue proves a long table continues on further pages with its title marked
// continued and its headings repeated, and that a row taller than a page is split, not lost.
func TestRenderTablesContinue(t *testing.T) {
	c := sampleCertificate(40, 120)
	long := strings.TrimSpace(strings.Repeat("Ұзақ сипаттама һәм мәтін; очень длинное описание; a very long description. ", 25))
	c.Hardware[3].Purpose = long[:strings.LastIndex(long[:maxTextLength], " ")]
	c.Hardware[3].Protection = c.Hardware[3].Purpose
	c.Hardware[3].IntegratedSoftware = c.Hardware[3].Purpose
	doc, sections, err := render(c)
	if err != nil {
		t.Fatal(err)
	}
	path := writePDF(t, doc)
	en := sections[2]
	annexPages := 0
	for page := en.first + 1; page <= en.last; page++ {
		text := squeeze(pdfText(t, path, page, page))
		annexPages++
		if !strings.Contains(text, squeeze(fill(label(English, labelAnnex), "number", c.Number, "date", formatDate(English, c.IssuedOn, dateDated)))) {
			t.Errorf("page %d has no annex heading", page)
		}
		t1 := strings.Contains(text, squeeze(label(English, labelHWSerial)))
		t2 := strings.Contains(text, squeeze(label(English, labelSWInstalledOn)))
		if !t1 && !t2 {
			t.Errorf("page %d has no table headings", page)
		}
		if page > en.first+1 && !strings.Contains(text, squeeze(label(English, labelContinued))) && !(t2 && !t1) {
			t.Errorf("page %d continues a table without saying so", page)
		}
	}
	if annexPages < 8 {
		t.Errorf("the English annex has %d pages; 40 hardware rows, one of them longer than a page, and 120 software rows need more", annexPages)
	}
	all := squeeze(pdfText(t, path, en.first, en.last))
	for _, word := range strings.Fields(c.Hardware[3].Purpose)[:5] {
		if !strings.Contains(all, word) {
			t.Errorf("the long row lost %q", word)
		}
	}
	if n := strings.Count(all, squeeze(c.Hardware[3].Purpose)[:40]); n < 3 {
		t.Errorf("the long row's three long cells start %d times, want 3", n)
	}
}

// TestRenderVariants covers a certificate with a term (the e-government platform, §40) and one
// without lists of hardware and software (an object on ICT services, §13(7)).
func TestRenderVariants(t *testing.T) {
	c := sampleCertificate(0, 0)
	c.Object.Kind = "egov_platform"
	until := time.Date(2026, time.March, 14, 0, 0, 0, 0, time.UTC)
	c.ValidUntil = &until
	c.ValidityPeriod = OneYear
	c.AdditionalAct = nil
	c.SHA256 = ""
	doc, sections, err := render(c)
	if err != nil {
		t.Fatal(err)
	}
	path := writePDF(t, doc)
	for _, s := range sections {
		if s.last != s.first+1 {
			t.Errorf("%s: pages %d-%d, want the certificate and one page of empty tables", s.lang, s.first, s.last)
		}
		flat := squeeze(pdfText(t, path, s.first, s.last))
		for _, want := range []string{
			fill(label(s.lang, labelValidUntil), "date", formatDate(s.lang, until, dateUntil), "number", c.Number),
			label(s.lang, kinds["egov_platform"]),
			OneYear.In(s.lang),
			label(s.lang, labelEmptyTable),
		} {
			if !strings.Contains(flat, squeeze(want)) {
				t.Errorf("%s: %q is missing", s.lang, want)
			}
		}
		if strings.Count(flat, squeeze(label(s.lang, labelEmptyTable))) != 2 {
			t.Errorf("%s: want both tables empty", s.lang)
		}
		for _, absent := range []string{literals(label(s.lang, labelAdditionalAct))[0], literals(label(s.lang, labelSHA256))[0]} {
			if strings.Contains(flat, absent) {
				t.Errorf("%s: %q is printed for a certificate without it", s.lang, absent)
			}
		}
	}
}

// TestRenderDeterministic renders the same certificate twice and gets the same bytes, with the date
// of issue as the PDF's creation date.
func TestRenderDeterministic(t *testing.T) {
	c := sampleCertificate(50, 100)
	a, err := Render(c)
	if err != nil {
		t.Fatal(err)
	}
	// Another instance of the same moment, in another zone, is the same certificate.
	c.IssuedOn = c.IssuedOn.In(time.FixedZone("elsewhere", -7*3600))
	b, err := Render(c)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatalf("two renders differ: %x vs %x", sha256.Sum256(a), sha256.Sum256(b))
	}
	if !bytes.HasPrefix(a, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", a[:min(len(a), 8)])
	}
	// 10:30 UTC is 15:30 in Almaty (UTC+5 from 2024-03-01).
	if !bytes.Contains(a, []byte("/CreationDate (D:20250314153000)")) {
		t.Error("the creation date is not the date of issue")
	}
	c.Number = "2025/00043"
	d, err := Render(c)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, d) {
		t.Error("another number gives the same bytes")
	}
}

// TestRenderFontsEmbedded checks the PDF carries the DejaVu fonts it uses.
func TestRenderFontsEmbedded(t *testing.T) {
	doc, err := Render(sampleCertificate(2, 2))
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(doc, []byte("/FontFile2")); n != 2 {
		t.Errorf("%d embedded TrueType fonts, want 2 (regular and bold)", n)
	}
	if !bytes.Contains(bytes.ToLower(doc), []byte("dejavusans")) {
		t.Error("the DejaVu Sans font is not named")
	}
	if pdffonts, err := exec.LookPath("pdffonts"); err == nil {
		out, err := exec.Command(pdffonts, writePDF(t, doc)).Output()
		if err != nil {
			t.Fatalf("pdffonts: %v", err)
		}
		for _, line := range strings.Split(string(out), "\n")[2:] {
			if f := strings.Fields(line); len(f) >= 5 && f[len(f)-5] != "yes" {
				t.Errorf("a font is not embedded: %s", line)
			}
		}
	}
}

// TestQREncodesURL decodes the QR code the certificate draws, as modules, with an independent
// reader.
func TestQREncodesURL(t *testing.T) {
	for _, u := range []string{sampleURL, "https://register.example.kz/certificates/2025-00042?lang=kk#" + strings.Repeat("x", 200)} {
		m, err := qrModules(u)
		if err != nil {
			t.Fatal(err)
		}
		if got := decodeQR(t, modulesImage(m, 6)); got != u {
			t.Errorf("the QR code decodes to %q, want %q", got, u)
		}
	}
}

// TestRenderQR rasterises each language's certificate page and decodes the QR code on it.
func TestRenderQR(t *testing.T) {
	bin := needTool(t, "pdftoppm")
	c := sampleCertificate(3, 3)
	doc, sections, err := render(c)
	if err != nil {
		t.Fatal(err)
	}
	path := writePDF(t, doc)
	for _, s := range sections {
		prefix := filepath.Join(t.TempDir(), "page")
		if out, err := exec.Command(bin, "-png", "-r", "150", "-f", strconv.Itoa(s.first), "-l", strconv.Itoa(s.first), "-singlefile", path, prefix).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v: %s", err, out)
		}
		f, err := os.Open(prefix + ".png")
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		// The QR code is in the right third of the page, below its middle.
		b := img.Bounds()
		crop := image.Rect(b.Min.X+b.Dx()*2/3, b.Min.Y+b.Dy()/2, b.Max.X, b.Max.Y)
		sub := img.(interface {
			SubImage(image.Rectangle) image.Image
		}).SubImage(crop)
		if got := decodeQR(t, sub); got != c.VerificationURL {
			t.Errorf("%s: the QR code on page %d decodes to %q, want %q", s.lang, s.first, got, c.VerificationURL)
		}
	}
}

// decodeQR reads a QR code from an image.
func decodeQR(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("decode QR code: %v", err)
	}
	return res.GetText()
}

// modulesImage draws QR modules as an image, scale pixels a module, with the quiet zone.
func modulesImage(m [][]bool, scale int) image.Image {
	n := (len(m) + 2*qrQuietZone) * scale
	img := image.NewGray(image.Rect(0, 0, n, n))
	for y := range n {
		for x := range n {
			img.SetGray(x, y, color.Gray{Y: 255})
			my, mx := y/scale-qrQuietZone, x/scale-qrQuietZone
			if my >= 0 && my < len(m) && mx >= 0 && mx < len(m) && m[my][mx] {
				img.SetGray(x, y, color.Gray{Y: 0})
			}
		}
	}
	return img
}

// BenchmarkRender renders a realistic certificate: 50 rows of hardware and 100 of software, in
// three languages.
func BenchmarkRender(b *testing.B) {
	c := sampleCertificate(50, 100)
	var size int
	for b.Loop() {
		doc, err := Render(c)
		if err != nil {
			b.Fatal(err)
		}
		size = len(doc)
	}
	b.ReportMetric(float64(size), "pdf-bytes")
}

// TestRenderDuplicatePar48 prints the duplicate's mark with its day of issue in every language, and
// nothing of the kind on the certificate itself.
func TestRenderDuplicatePar48(t *testing.T) {
	c := sampleCertificate(1, 1)
	plain, sections, err := render(c)
	if err != nil {
		t.Fatal(err)
	}
	on := time.Date(2026, time.November, 20, 0, 0, 0, 0, time.UTC)
	c.DuplicateIssuedOn = &on
	dup, dupSections, err := render(c)
	if err != nil {
		t.Fatal(err)
	}
	plainPath, dupPath := writePDF(t, plain), writePDF(t, dup)
	for i, s := range dupSections {
		mark := squeeze(fill(label(s.lang, labelDuplicate), "date", formatDate(s.lang, on, dateDated)))
		if got := squeeze(pdfText(t, dupPath, s.first, s.last)); !strings.Contains(got, mark) {
			t.Errorf("§48 %s: the duplicate lacks %q", s.lang, mark)
		}
		word := literals(label(s.lang, labelDuplicate))[0]
		if got := pdfText(t, plainPath, sections[i].first, sections[i].last); strings.Contains(got, strings.TrimSpace(word)) {
			t.Errorf("§48 %s: the certificate itself says %q", s.lang, word)
		}
	}
}
