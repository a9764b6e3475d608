package certificate

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"unicode/utf16"

	"codeberg.org/go-pdf/fpdf"
)

// The pages' content streams are compressed here, not by fpdf. fpdf compresses each page with a
// new zlib writer, and a new writer allocates about 1.2 MB (the deflate window and hash tables): a
// certificate of 40 pages allocated about 46 MB for that alone. fpdf has no hook for its
// compressor, so the document is laid out uncompressed and output rewrites it: each page's
// content stream is compressed with a reused writer (zlib.Writer.Reset, the same bytes as a new
// writer; as many pages at a time as there are CPUs, compressAll) as fpdf does it (BestSpeed,
// the same dictionary /Filter /FlateDecode /Length), and the cross-reference table is written
// again with the new offsets. The result is byte for byte the document fpdf compresses itself
// (TestCompressedPagesAreFpdfsBytes); should a later fpdf lay the file out otherwise, the document
// is kept uncompressed (a valid, larger PDF) rather than broken.
// The fonts' streams are compressed by fpdf, a new writer each (four per document), when it
// writes them itself; most documents' fonts are objects written once (fontblock.go).
//
// Nor does fpdf copy the pages' content into the document: before it writes the document, output
// takes each page's buffer out of it (fpdf writes an empty stream for each page) and compresses
// the page straight from its buffer, putting the total number of pages where a page wrote the
// alias AliasNbPages set, as fpdf's replaceAliases does (in the text as written and in its UTF-16
// form). fpdf's way copies every page about five times over (the alias replaced on a string copy
// of each page, twice; the page copied into a string, then into the document's growing buffer,
// which the rewrite reads once more): about a quarter of a certificate's allocations. A document
// whose pages cannot be taken (another fpdf, another alias registered) is written by fpdf whole;
// one whose rewrite then fails is laid out again and written whole.

// fpdfCompresses, when true, makes output let fpdf compress the pages (the tests' reference).
var fpdfCompresses = false

// refuseRewrite, when true, makes compressPages refuse a document whose pages were taken or
// whose fonts were stood in for, as it refuses a layout it does not know (the tests' way to reach
// output's fallback).
var refuseRewrite = false

// fpdfCopiesPages, when true, makes output leave the pages in the document fpdf writes (the
// tests' reference for taking them).
var fpdfCopiesPages = false

// output closes pdf and returns its document, pages compressed; reduced says pdf has the reduced
// fonts, whose objects may be the shared ones (fontblock.go); again lays the same document out
// anew, should the rewrite of the one with its pages taken or its fonts stood in for fail.
func output(pdf *fpdf.Fpdf, reduced bool, again func() *fpdf.Fpdf) ([]byte, error) {
	// The last page's footer first, as Close writes it: the runes it writes count for the fonts.
	closed := closeLastPage(pdf)
	var fonts *splicedFonts
	if reduced && closed && (!fpdfCompresses || fpdfWritesFonts) {
		fonts = standInFonts(pdf) // nil: fpdf writes the fonts itself
	}
	if fpdfCompresses {
		var buf bytes.Buffer
		err := pdf.Output(&buf)
		return buf.Bytes(), err
	}
	pdf.SetCompression(false)
	w := pageCompressor{fonts: fonts}
	if closed && !fpdfCopiesPages {
		w.pages, w.alias, w.nb = takePages(pdf)
	}
	if err := pdf.Output(&w); err != nil {
		return nil, err
	}
	if w.out == nil && (w.pages != nil || w.fonts != nil) {
		// The document fpdf wrote without its pages is not one compressPages knows: lay it out
		// again and let fpdf write it whole.
		pdf = again()
		pdf.SetCompression(false)
		w = pageCompressor{}
		if err := pdf.Output(&w); err != nil {
			return nil, err
		}
	}
	if w.out == nil {
		return nil, errors.New("pdf: no document written")
	}
	return w.out, nil
}

// closeLastPage does what fpdf's Close does before it writes the document: it writes the last
// page's footer, as a footer (no page break), then removes the footer so that Close does not
// write it again. It reports whether it could (the fields it reads are fpdf v0.12.0's, go.mod pins
// it); when it could not, pdf is unchanged and Close writes the footer.
func closeLastPage(pdf *fpdf.Fpdf) bool {
	if pdf.Err() || pdf.PageNo() == 0 {
		return false
	}
	v := reflect.ValueOf(pdf).Elem()
	stateF, err1 := field(v, "state")
	inFooterF, err2 := field(v, "inFooter")
	footerF, err3 := field(v, "footerFnc")
	lpiF, err4 := field(v, "footerFncLpi")
	if errors.Join(err1, err2, err3, err4) != nil || stateF.Kind() != reflect.Int || inFooterF.Kind() != reflect.Bool ||
		footerF.Type() != reflect.TypeFor[func()]() || lpiF.Kind() != reflect.Func || !lpiF.IsNil() || stateF.Int() != 2 {
		return false
	}
	if footer, _ := footerF.Interface().(func()); footer != nil {
		inFooterF.SetBool(true)
		footer()
		inFooterF.SetBool(false)
		pdf.SetFooterFunc(nil)
	}
	return !pdf.Err()
}

// takePages takes the pages' content out of pdf, whose last page closeLastPage closed, leaving
// each page empty. It returns the pages (1-based, as fpdf keeps them), the alias of the total
// number of pages and that number; nil pages if they stay in pdf (the fields it reads are fpdf
// v0.12.0's, go.mod pins it; or another alias is registered).
func takePages(pdf *fpdf.Fpdf) (pages []*bytes.Buffer, alias string, nb int) {
	if pdf.Err() || pdf.PageNo() == 0 {
		return nil, "", 0
	}
	v := reflect.ValueOf(pdf).Elem()
	pagesF, err1 := field(v, "pages")
	aliasF, err2 := field(v, "aliasNbPagesStr")
	aliasesF, err3 := field(v, "aliasMap")
	if errors.Join(err1, err2, err3) != nil || pagesF.Type() != reflect.TypeFor[[]*bytes.Buffer]() || aliasF.Kind() != reflect.String ||
		aliasesF.Kind() != reflect.Map || aliasesF.Len() != 0 || pagesF.Len() != pdf.PageNo()+1 {
		return nil, "", 0
	}
	all := pagesF.Interface().([]*bytes.Buffer)
	pages = slices.Clone(all)
	for n := 1; n < len(all); n++ {
		all[n] = new(bytes.Buffer)
	}
	return pages, aliasF.String(), pdf.PageNo()
}

// pageCompressor receives fpdf's uncompressed document (bytes.Buffer.WriteTo writes it in one
// piece) and keeps it with its pages compressed: the pages in the document, or, when pages is
// set, the pages taken out of it (with alias replaced by nb).
type pageCompressor struct {
	pages []*bytes.Buffer
	alias string
	nb    int
	fonts *splicedFonts // fonts written as stand-ins, to be replaced by their shared objects
	out   []byte
}

func (w *pageCompressor) Write(p []byte) (int, error) {
	if w.out != nil {
		return 0, errors.New("pdf: the document came in more than one piece")
	}
	var rw rewrite
	if w.pages != nil {
		rw.taken = &takenPages{pages: w.pages, alias: w.alias, nb: strconv.Itoa(w.nb)}
	}
	var err error
	if w.fonts != nil {
		rw.fonts, err = w.fonts.byNumber()
	}
	var out []byte
	if err == nil {
		out, err = compressPages(p, rw)
	}
	switch {
	case err == nil:
	case rw.taken != nil || w.fonts != nil:
		// Without its pages or its fonts the document is nothing: output lays it out again.
		return len(p), nil
	default:
		// Not the layout compressPages knows: keep the document as fpdf wrote it.
		out = bytes.Clone(p)
	}
	w.out = out
	return len(p), nil
}

// takenPages are the pages output took out of the document before fpdf wrote it.
type takenPages struct {
	pages     []*bytes.Buffer // 1-based
	alias, nb string          // the alias of the total number of pages, and that number
}

// size is how many bytes the pages hold.
func (t *takenPages) size() int {
	n := 0
	for _, p := range t.pages[1:] {
		n += p.Len()
	}
	return n
}

// write writes page n to zw with every alias of the number of pages replaced as fpdf's
// replaceAliases replaces it: the alias as written, then its UTF-16 form (fpdf's utf8toutf16
// without a byte-order mark), the number in the same form. The two forms cannot overlap (one
// holds zero bytes, the other none), so one pass replaces both.
func (t *takenPages) write(zw io.Writer, n int) error {
	page := t.pages[n].Bytes()
	if t.alias == "" {
		_, err := zw.Write(page)
		return err
	}
	plain, wide := []byte(t.alias), utf16BE(t.alias)
	nb, wideNb := []byte(t.nb), utf16BE(t.nb)
	// next is where the next occurrence of a form starts in page (or -1), from from on.
	next := func(form []byte, from int) int {
		if i := bytes.Index(page[from:], form); i >= 0 {
			return from + i
		}
		return -1
	}
	done := 0                             // page[:done] is written
	i, j := next(plain, 0), next(wide, 0) // each form's next occurrence, found once
	for i >= 0 || j >= 0 {
		at, from, to := i, plain, nb
		if j >= 0 && (i < 0 || j < i) {
			at, from, to = j, wide, wideNb
		}
		if _, err := zw.Write(page[done:at]); err != nil {
			return err
		}
		if _, err := zw.Write(to); err != nil {
			return err
		}
		done = at + len(from)
		// The occurrence written, and one of the other form starting inside it (there is none:
		// the forms cannot overlap), are behind: look on from done.
		if i >= 0 && i < done {
			i = next(plain, done)
		}
		if j >= 0 && j < done {
			j = next(wide, done)
		}
	}
	_, err := zw.Write(page[done:])
	return err
}

// utf16BE is s in UTF-16, big-endian, without a byte-order mark (fpdf's utf8toutf16(s, false)).
func utf16BE(s string) []byte {
	out := make([]byte, 0, 2*len(s))
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u>>8), byte(u))
	}
	return out
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

// rewrite is what compressPages puts into the document besides compressing its pages.
type rewrite struct {
	taken *takenPages          // the pages taken out before fpdf wrote it, if any
	fonts map[int]*fontObjects // the shared objects of each font's stand-in, by its number
}

// compressPages rewrites doc, an uncompressed document as fpdf v0.12.0 writes it, with every
// page's content stream compressed: its own, or, when rw.taken is set, the page taken out before
// it was written (the n-th page object in the file is page n, as fpdf's putpages writes them); and
// each font's stand-in in rw.fonts replaced by the font's Type0 object, the other six objects of
// the font appended, numbered after the document's last. An error says the layout is not the one
// expected.
func compressPages(doc []byte, rw rewrite) ([]byte, error) {
	if refuseRewrite && (rw.taken != nil || rw.fonts != nil) {
		return nil, errors.New("pdf: the rewrite is refused (a test)")
	}
	taken := rw.taken
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
	contents := map[int]int{} // content stream → its page, 1-based
	for _, n := range order {
		if c, ok := pageContents(doc[offsets[n]:end[n]], n); ok {
			contents[c] = len(contents) + 1
		}
	}
	if len(contents) == 0 {
		return nil, errors.New("pdf: no page found")
	}
	size := len(doc) / 2
	if taken != nil {
		if len(contents) != len(taken.pages)-1 {
			return nil, fmt.Errorf("pdf: %d pages in the document, %d taken", len(contents), len(taken.pages)-1)
		}
		size = len(doc) + taken.size()/4
	}

	out := bytes.NewBuffer(make([]byte, 0, size))
	out.Write(doc[:offsets[order[0]]]) // the header
	newOffsets := make([]int, len(offsets))
	appended := len(offsets) // the number of the next object appended
	var tail []appendedObject
	compressed, err := compressAll(doc, order, offsets, end, contents, rw)
	if err != nil {
		return nil, err
	}
	for _, n := range order {
		newOffsets[n] = out.Len()
		obj := doc[offsets[n]:end[n]]
		page := contents[n]
		if b := rw.fonts[n]; b != nil {
			body, ok := bytes.CutPrefix(obj, []byte(strconv.Itoa(n)+" 0 obj\n"))
			if !ok || !bytes.Equal(body, standIn(b.name)) {
				return nil, fmt.Errorf("pdf: object %d is not the stand-in of font %s", n, b.name)
			}
			to := map[int]int{b.first: n}
			for j := 1; j < 7; j++ {
				to[b.first+j] = appended + j - 1
			}
			objs, err := b.renumbered(to)
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(out, "%d 0 obj\n", n)
			writePieces(out, objs[0])
			for j := 1; j < 7; j++ {
				tail = append(tail, appendedObject{n: appended + j - 1, body: objs[j]})
			}
			appended += 6
			continue
		}
		if page == 0 {
			out.Write(obj)
			continue
		}
		stream := compressed[page]
		fmt.Fprintf(out, "%d 0 obj\n<</Filter /FlateDecode /Length %d>>\nstream\n", n, len(stream))
		out.Write(stream)
		out.WriteString("\nendstream\nendobj\n")
	}
	if len(tail) != 6*len(rw.fonts) {
		return nil, fmt.Errorf("pdf: %d fonts to put in, %d found", len(rw.fonts), len(tail)/6)
	}
	for _, o := range tail {
		newOffsets = append(newOffsets, out.Len())
		fmt.Fprintf(out, "%d 0 obj\n", o.n)
		writePieces(out, o.body)
	}
	at := out.Len()
	fmt.Fprintf(out, "xref\n0 %d\n0000000000 65535 f \n", len(newOffsets))
	for n := 1; n < len(newOffsets); n++ {
		fmt.Fprintf(out, "%010d 00000 n \n", newOffsets[n])
	}
	if len(tail) > 0 {
		size := []byte("trailer\n<<\n/Size " + strconv.Itoa(len(offsets)) + "\n")
		rest, ok := bytes.CutPrefix(trailer, size)
		if !ok {
			return nil, errors.New("pdf: the trailer does not start with the document's size")
		}
		fmt.Fprintf(out, "trailer\n<<\n/Size %d\n", len(newOffsets))
		trailer = rest
	}
	out.Write(trailer)
	fmt.Fprintf(out, "startxref\n%d\n%%%%EOF\n", at)
	return out.Bytes(), nil
}

// compressAll compresses the content stream of every page (by its number, 1-based) that
// compressPages writes: as many at a time as there are CPUs, at most compressors. Each page is
// compressed alone, with a reset writer, so the bytes are those of one writer doing them in turn.
func compressAll(doc []byte, order, offsets, end []int, contents map[int]int, rw rewrite) ([][]byte, error) {
	type job struct{ n, page int }
	var jobs []job
	for _, n := range order {
		if rw.fonts[n] == nil && contents[n] != 0 {
			jobs = append(jobs, job{n, contents[n]})
		}
	}
	out := make([][]byte, len(contents)+1)
	errs := make([]error, len(jobs))
	var next atomic.Int64
	work := func() {
		var scratch bytes.Buffer
		zw := getWriter(&scratch)
		defer putWriter(zw)
		for i := int(next.Add(1)) - 1; i < len(jobs); i = int(next.Add(1)) - 1 {
			j := jobs[i]
			out[j.page], errs[i] = compressPage(zw, doc[offsets[j.n]:end[j.n]], j.n, j.page, rw.taken)
		}
	}
	workers := min(runtime.GOMAXPROCS(0), compressors, len(jobs))
	var wg sync.WaitGroup
	for range workers - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
	return out, errors.Join(errs...)
}

// compressors is the most pages compressAll compresses at a time.
const compressors = 4

// compressPage compresses page's content stream (object n, obj) with zw: the bytes fpdf's stream
// held or, where the page was taken out before fpdf wrote it, the taken page.
func compressPage(zw *zlib.Writer, obj []byte, n, page int, taken *takenPages) ([]byte, error) {
	data, err := streamData(obj, n)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw.Reset(&buf)
	if taken != nil {
		if len(data) != 0 {
			return nil, fmt.Errorf("pdf: page %d was taken, yet its stream holds %d bytes", page, len(data))
		}
		buf.Grow(taken.pages[page].Len() / 3)
		err = taken.write(zw, page)
	} else {
		buf.Grow(len(data))
		_, err = zw.Write(data)
	}
	if err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// appendedObject is an object compressPages appends after the document's last.
type appendedObject struct {
	n    int
	body [][]byte // its pieces, one after another
}

func writePieces(out *bytes.Buffer, pieces [][]byte) {
	for _, p := range pieces {
		out.Write(p)
	}
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
