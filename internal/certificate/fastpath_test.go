package certificate

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestAppendF2IsStrconvs: appendF2 writes what strconv writes, for the numbers a page holds and
// for the hard ones: ties at the third decimal, the smallest and largest, negative zeros, the
// edges of its integer arithmetic.
func TestAppendF2IsStrconvs(t *testing.T) {
	check := func(v float64) {
		t.Helper()
		want := strconv.FormatFloat(v, 'f', 2, 64)
		if got := string(appendF2([]byte("x"), v)); got != "x"+want {
			t.Fatalf("appendF2(%v (%#x)) = %q, strconv %q", v, math.Float64bits(v), got[1:], want)
		}
	}
	for _, v := range []float64{
		0, math.Copysign(0, -1), 0.005, 0.015, 0.025, 0.125, 0.375, 1.005, 2.675, 0.045, 1.115, -0.001, -0.005, -0.0049,
		0.0049999999999999, 0.00499999999999999999, 99.995, 999.995, 841.89, 595.28, 283.46456692913387,
		math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, math.MaxFloat64, -math.MaxFloat64,
		1 << 52, 1 << 53, 1 << 55, 1 << 56, 1<<56 + 8, 1 << 57, 1 << 60, 1e17, 1e300,
		math.Inf(1), math.Inf(-1), math.NaN(), math.Nextafter(0.005, 0), math.Nextafter(0.005, 1),
	} {
		check(v)
		check(-v)
	}
	// Every two-decimal tie and its neighbours up to 1,000, and the page's own numbers (points:
	// millimetres × 72/25.4).
	for i := range 100_000 {
		tie := (float64(i) + 0.5) / 100
		check(tie)
		check(math.Nextafter(tie, 0))
		check(math.Nextafter(tie, 20000))
		check(float64(i) / 1000 * 72 / 25.4)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 100_000 {
		check(r.Float64() * 1000)
		check(-r.Float64() * 2000)
		check(math.Float64frombits(r.Uint64())) // any number at all
		check(r.NormFloat64() * float64(int64(1)<<r.IntN(70)))
	}
}

func BenchmarkAppendF2(b *testing.B) {
	buf := make([]byte, 0, 32)
	b.Run("appendF2", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			buf = appendF2(buf[:0], float64(i%60000)*0.0283464567)
		}
	})
	b.Run("strconv", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			buf = strconv.AppendFloat(buf[:0], float64(i%60000)*0.0283464567, 'f', 2, 64)
		}
	})
}

// TestAliasReplacedAsBefore: takenPages.write, which finds each form of the alias once, writes
// what it wrote when it searched for both forms again after each occurrence, on pages of the two
// forms, their pieces and other bytes in every order.
func TestAliasReplacedAsBefore(t *testing.T) {
	before := func(t *takenPages, page []byte) []byte {
		var out bytes.Buffer
		plain, wide := []byte(t.alias), utf16BE(t.alias)
		nb, wideNb := []byte(t.nb), utf16BE(t.nb)
		for len(page) > 0 {
			i, j := bytes.Index(page, plain), bytes.Index(page, wide)
			at, from, to := i, plain, nb
			if j >= 0 && (i < 0 || j < i) {
				at, from, to = j, wide, wideNb
			}
			if at < 0 {
				break
			}
			out.Write(page[:at])
			out.Write(to)
			page = page[at+len(from):]
		}
		out.Write(page)
		return out.Bytes()
	}
	pieces := [][]byte{[]byte("{nb}"), utf16BE("{nb}"), []byte("{n"), []byte("b}"), {0}, []byte("{"), []byte("BT (x) Tj ET\n"), utf16BE("{n")}
	r := rand.New(rand.NewPCG(7, 8))
	for range 5_000 {
		var page bytes.Buffer
		for range r.IntN(12) {
			page.Write(pieces[r.IntN(len(pieces))])
		}
		tp := &takenPages{pages: []*bytes.Buffer{nil, bytes.NewBuffer(bytes.Clone(page.Bytes()))}, alias: "{nb}", nb: "37"}
		var got bytes.Buffer
		if err := tp.write(&got, 1); err != nil {
			t.Fatal(err)
		}
		if want := before(tp, page.Bytes()); !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("page %q: %q, before %q", page.Bytes(), got.Bytes(), want)
		}
	}
}
