package certificate

import (
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
