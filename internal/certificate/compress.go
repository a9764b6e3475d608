package certificate

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"strconv"

	"codeberg.org/go-pdf/fpdf"
)

// The pages' content streams are compressed here, not by fpdf. fpdf compresses each page with a
// new zlib writer, and a new writer allocates about 1.2 MB (the deflate window and hash tables): a
// certificate of 40 pages allocated about 46 MB for that alone. fpdf has no hook for its
// compressor, so the document is laid out uncompressed and output rewrites it: each page's
// content stream is compressed with one reused writer (zlib.Writer.Reset, the same bytes as a new
// writer) as fpdf does it (BestSpeed, the same dictionary /Filter /FlateDecode /Length), and the
// cross-reference table is written again with the new offsets. The result is byte for byte the
// document fpdf compresses itself (TestCompressedPagesAreFpdfsBytes); should a later fpdf lay the
// file out otherwise, the document is kept uncompressed (a valid, larger PDF) rather than broken.
// The fonts' streams are still compressed by fpdf, a new writer each (four per document).

// fpdfCompresses, when true, makes output let fpdf compress the pages (the tests' reference).
var fpdfCompresses = false

// output closes pdf and returns its document, pages compressed.
func output(pdf *fpdf.Fpdf) ([]byte, error) {
	if fpdfCompresses {
		var buf bytes.Buffer
		err := pdf.Output(&buf)
		return buf.Bytes(), err
	}
	pdf.SetCompression(false)
	var w pageCompressor
	if err := pdf.Output(&w); err != nil {
		return nil, err
	}
	if w.out == nil {
		return nil, errors.New("pdf: no document written")
	}
	return w.out, nil
}

// pageCompressor receives fpdf's uncompressed document (bytes.Buffer.WriteTo writes it in one
// piece) and keeps it with its pages compressed.
type pageCompressor struct {
	out []byte
}

func (w *pageCompressor) Write(p []byte) (int, error) {
	if w.out != nil {
		return 0, errors.New("pdf: the document came in more than one piece")
	}
	out, err := compressPages(p)
	if err != nil {
		// Not the layout compressPages knows: keep the document as fpdf wrote it.
		out = bytes.Clone(p)
	}
	w.out = out
	return len(p), nil
}

// writers are idle zlib writers, kept across documents (a sync.Pool would drop them at every
// garbage collection, and a document makes several).
var writers = make(chan *zlib.Writer, 4)

func getWriter(dst *bytes.Buffer) *zlib.Writer {
	select {
	case zw := <-writers:
		zw.Reset(dst)
		return zw
	default:
		zw, err := zlib.NewWriterLevel(dst, zlib.BestSpeed)
		if err != nil {
			panic(err) // only for an invalid level
		}
		return zw
	}
}

func putWriter(zw *zlib.Writer) {
	zw.Reset(nil)
	select {
	case writers <- zw:
	default:
	}
}

// compressPages rewrites doc, an uncompressed document as fpdf v0.12.0 writes it, with every
// page's content stream compressed; an error says the layout is not the one expected.
func compressPages(doc []byte) ([]byte, error) {
	xref, err := startXref(doc)
	if err != nil {
		return nil, err
	}
	offsets, trailer, err := readXref(doc, xref)
	if err != nil {
		return nil, err
	}
	// Objects in file order, each running to the next one (the last to the table).
	order := make([]int, 0, len(offsets))
	for n := 1; n < len(offsets); n++ {
		order = append(order, n)
	}
	sortByOffset(order, offsets)
	end := make([]int, len(offsets))
	for i, n := range order {
		end[n] = xref
		if i+1 < len(order) {
			end[n] = offsets[order[i+1]]
		}
		if end[n] <= offsets[n] {
			return nil, fmt.Errorf("pdf: object %d overlaps the next", n)
		}
	}
	contents := map[int]bool{}
	for _, n := range order {
		if c, ok := pageContents(doc[offsets[n]:end[n]], n); ok {
			contents[c] = true
		}
	}
	if len(contents) == 0 {
		return nil, errors.New("pdf: no page found")
	}

	out := bytes.NewBuffer(make([]byte, 0, len(doc)/2))
	out.Write(doc[:offsets[order[0]]]) // the header
	newOffsets := make([]int, len(offsets))
	var scratch bytes.Buffer
	zw := getWriter(&scratch)
	defer putWriter(zw)
	for _, n := range order {
		newOffsets[n] = out.Len()
		obj := doc[offsets[n]:end[n]]
		if !contents[n] {
			out.Write(obj)
			continue
		}
		data, err := streamData(obj, n)
		if err != nil {
			return nil, err
		}
		scratch.Reset()
		scratch.Grow(len(data))
		zw.Reset(&scratch)
		if _, err := zw.Write(data); err != nil {
			return nil, err
		}
		if err := zw.Close(); err != nil {
			return nil, err
		}
		fmt.Fprintf(out, "%d 0 obj\n<</Filter /FlateDecode /Length %d>>\nstream\n", n, scratch.Len())
		out.Write(scratch.Bytes())
		out.WriteString("\nendstream\nendobj\n")
	}
	at := out.Len()
	fmt.Fprintf(out, "xref\n0 %d\n0000000000 65535 f \n", len(offsets))
	for n := 1; n < len(offsets); n++ {
		fmt.Fprintf(out, "%010d 00000 n \n", newOffsets[n])
	}
	out.Write(trailer)
	fmt.Fprintf(out, "startxref\n%d\n%%%%EOF\n", at)
	return out.Bytes(), nil
}

// startXref is the offset of the cross-reference table, from the file's last lines.
func startXref(doc []byte) (int, error) {
	const eof = "\n%%EOF\n"
	if !bytes.HasSuffix(doc, []byte(eof)) {
		return 0, errors.New("pdf: no %%EOF at the end")
	}
	body := doc[:len(doc)-len(eof)]
	i := bytes.LastIndex(body, []byte("\nstartxref\n"))
	if i < 0 {
		return 0, errors.New("pdf: no startxref")
	}
	x, err := strconv.Atoi(string(body[i+len("\nstartxref\n"):]))
	if err != nil || x <= 0 || x >= i {
		return 0, errors.New("pdf: bad startxref")
	}
	return x, nil
}

// readXref reads the table at xref: the offset of each object (index 0 unused), and the trailer
// dictionary's lines up to startxref.
func readXref(doc []byte, xref int) ([]int, []byte, error) {
	rest := doc[xref:]
	head, rest, ok := bytes.Cut(rest, []byte("\n"))
	if !ok || string(head) != "xref" {
		return nil, nil, errors.New("pdf: no xref table")
	}
	head, rest, ok = bytes.Cut(rest, []byte("\n"))
	count, err := strconv.Atoi(string(bytes.TrimPrefix(head, []byte("0 "))))
	if !ok || !bytes.HasPrefix(head, []byte("0 ")) || err != nil || count < 2 {
		return nil, nil, errors.New("pdf: bad xref subsection")
	}
	const entry = 20 // "0000000123 00000 n \n"
	if len(rest) < count*entry || string(rest[:entry]) != "0000000000 65535 f \n" {
		return nil, nil, errors.New("pdf: bad xref entries")
	}
	offsets := make([]int, count)
	seen := map[int]bool{}
	for n := 1; n < count; n++ {
		e := rest[n*entry : (n+1)*entry]
		if string(e[10:]) != " 00000 n \n" {
			return nil, nil, fmt.Errorf("pdf: bad xref entry %d", n)
		}
		off, err := strconv.Atoi(string(e[:10]))
		if err != nil || off <= 0 || off >= xref || seen[off] {
			return nil, nil, fmt.Errorf("pdf: bad offset of object %d", n)
		}
		seen[off] = true
		offsets[n] = off
	}
	trailer := rest[count*entry:]
	i := bytes.LastIndex(trailer, []byte("startxref\n"))
	if i < 0 || !bytes.HasPrefix(trailer, []byte("trailer\n")) {
		return nil, nil, errors.New("pdf: no trailer")
	}
	return offsets, trailer[:i], nil
}

func sortByOffset(order, offsets []int) {
	// Insertion sort: fpdf writes most objects in order already.
	for i := 1; i < len(order); i++ {
		for j := i; j > 0 && offsets[order[j]] < offsets[order[j-1]]; j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
}

// pageContents is the number of the content stream of obj, object n, if it is a page.
func pageContents(obj []byte, n int) (int, bool) {
	prefix := strconv.Itoa(n) + " 0 obj\n<</Type /Page\n"
	if !bytes.HasPrefix(obj, []byte(prefix)) {
		return 0, false
	}
	const key = "\n/Contents "
	i := bytes.Index(obj, []byte(key))
	if i < 0 {
		return 0, false
	}
	num, rest, ok := bytes.Cut(obj[i+len(key):], []byte(" 0 R>>\n"))
	if !ok || !bytes.HasPrefix(rest, []byte("endobj\n")) {
		return 0, false
	}
	c, err := strconv.Atoi(string(num))
	if err != nil || c <= 0 {
		return 0, false
	}
	return c, true
}

// streamData is the data of obj, object n, an uncompressed stream of fpdf's page content.
func streamData(obj []byte, n int) ([]byte, error) {
	prefix := strconv.Itoa(n) + " 0 obj\n<</Length "
	if !bytes.HasPrefix(obj, []byte(prefix)) {
		return nil, fmt.Errorf("pdf: object %d is not an uncompressed stream", n)
	}
	num, rest, ok := bytes.Cut(obj[len(prefix):], []byte(">>\nstream\n"))
	length, err := strconv.Atoi(string(num))
	const tail = "\nendstream\nendobj\n"
	if !ok || err != nil || len(rest) != length+len(tail) || string(rest[length:]) != tail {
		return nil, fmt.Errorf("pdf: object %d is not an uncompressed stream", n)
	}
	return rest[:length], nil
}
