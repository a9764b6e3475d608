package certificate

import (
	"fmt"

	"codeberg.org/go-pdf/fpdf"
	"rsc.io/qr"
)

// qrQuietZone is the white border a reader needs around a QR code, in modules (ISO/IEC 18004).
const qrQuietZone = 4

// qrLevel is the QR code's error correction: M restores about 15% of the code, enough for a
// printed and stamped page.
const qrLevel = qr.M

// qrModules encodes the verification URL as a QR code: a square of modules, true for dark.
func qrModules(text string) ([][]bool, error) {
	code, err := qr.Encode(text, qrLevel)
	if err != nil {
		return nil, fmt.Errorf("encode QR code of %d bytes: %w", len(text), err)
	}
	m := make([][]bool, code.Size)
	for y := range m {
		m[y] = make([]bool, code.Size)
		for x := range m[y] {
			m[y][x] = code.Black(x, y)
		}
	}
	return m, nil
}

// drawQR draws the modules as vector squares in a square of side size (mm) whose top left corner is
// (x, y); the quiet zone is inside the square. Each run of dark modules in a row is one rectangle,
// so the code is crisp at any zoom and costs few drawing operations.
func drawQR(pdf *fpdf.Fpdf, modules [][]bool, x, y, size float64) {
	n := len(modules)
	if n == 0 {
		return
	}
	unit := size / float64(n+2*qrQuietZone)
	x0, y0 := x+unit*qrQuietZone, y+unit*qrQuietZone
	pdf.SetFillColor(0, 0, 0)
	for row, line := range modules {
		for col := 0; col < n; {
			if !line[col] {
				col++
				continue
			}
			start := col
			for col < n && line[col] {
				col++
			}
			rect(pdf, x0+float64(start)*unit, y0+float64(row)*unit, float64(col-start)*unit, unit, "F")
		}
	}
}
