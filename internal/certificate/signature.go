package certificate

import (
	_ "embed"
	"strings"
)

// The foot of the certificate's page (Annex 7): the chairman's signature block, the date of
// issue, the verification URL and checksum, and the QR code.

// signature draws the foot of the certificate: on the left the chairman's position, the signature
// line and name, the place of the seal and the date of issue, then the verification URL and the
// checksum; on the right the QR code of the URL. The block is kept on one page.
func (r *renderer) signature(l Lang, w float64) {
	p := r.pdf
	left, _, _, _ := p.GetMargins()
	textW := w - qrSize - 5
	p.SetFont(fontFamily, "", 8.5)
	posLines := len(r.split(oneLine(r.c.Chairman.Position.In(l)), textW))
	need := max(qrSize, float64(posLines)*4+6+2+5+3+4+8+9) + 3
	if p.GetY()+need > pageLong-certBottom {
		r.newPage(l, false)
	}
	p.Ln(3)
	y0 := p.GetY()
	drawQR(p, r.qr, left+w-qrSize, y0, qrSize)

	p.SetFont(fontFamily, "", 8.5)
	p.SetX(left)
	p.MultiCell(textW, 4, oneLine(r.c.Chairman.Position.In(l)), "", "L", false)
	p.Ln(2)
	y := p.GetY()
	p.SetFont(fontFamily, "B", 10)
	p.SetXY(left, y)
	p.CellFormat(30, 6, label(l, labelChairman), "", 0, "L", false, 0, "")
	p.SetLineWidth(0.2)
	p.Line(left+31, y+5, left+69, y+5)
	p.SetXY(left+72, y)
	p.MultiCell(textW-72, 6, oneLine(r.c.Chairman.Name), "", "L", false)
	p.Ln(1)
	p.SetFont(fontFamily, "", 9.5)
	p.SetX(left)
	p.CellFormat(30, 5, label(l, labelSeal), "", 0, "L", false, 0, "")
	p.CellFormat(textW-30, 5, fill(label(l, labelIssued), "date", formatDate(l, r.c.IssuedOn, datePlain)), "", 1, "L", false, 0, "")

	p.Ln(3)
	p.SetX(left)
	p.SetFont(fontFamily, "", 7.5)
	p.MultiCell(textW, 3.6, label(l, labelVerify), "", "L", false)
	p.SetX(left)
	p.SetFont(fontFamily, "B", 7.5)
	p.MultiCell(textW, 3.6, r.c.VerificationURL, "", "L", false)
	if r.c.SHA256 != "" {
		p.SetX(left)
		p.SetFont(fontFamily, "", 7.5)
		p.MultiCell(textW, 3.6, label(l, labelSHA256), "", "L", false)
		p.SetX(left)
		p.SetFont(fontFamily, "", 6.5)
		p.MultiCell(textW, 3.4, strings.ToLower(r.c.SHA256), "", "L", false)
	}
	p.SetY(max(p.GetY(), y0+qrSize))
}
