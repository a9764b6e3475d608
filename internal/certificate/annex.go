package certificate

import (
	_ "embed"
	"strconv"
	"strings"
)

// The annex to the certificate (Annex 7): Table 1 (hardware) and Table 2 (software), their
// columns and the texts of a row, and the heading of an annex page. The tables' drawing is in
// table.go.

// column is a column of a table of the annex.
type column struct {
	label  string  // key of its heading
	width  float64 // mm
	center bool
}

// Table 1 (hardware) and Table 2 (software) of the annex to Annex 7, column by column; the widths
// add up to the landscape page less its margins (277 mm).
var (
	hardwareColumns = []column{
		{labelColItem, 9, true},
		{labelHWManufacturer, 30, false},
		{labelHWSerial, 30, false},
		{labelHWCertificate, 28, false},
		{labelHWLocation, 30, false},
		{labelHWType, 27, false},
		{labelHWPurpose, 43, false},
		{labelHWProtection, 42, false},
		{labelHWIntegrated, 38, false},
	}
	softwareColumns = []column{
		{labelColItem, 9, true},
		{labelSWDeveloper, 33, false},
		{labelSWName, 38, false},
		{labelSWVersion, 22, false},
		{labelSWInstalledOn, 35, false},
		{labelSWType, 32, false},
		{labelSWPurpose, 58, false},
		{labelSWProtection, 50, false},
	}
)

// hardwareCells is a row of Table 1 as the texts of its columns.
func hardwareCells(i int, h HardwareRow) []string {
	return []string{strconv.Itoa(i + 1), h.ManufacturerModel, h.SerialNumber, h.CertificateNumber, h.Location,
		h.Type, h.Purpose, h.Protection, h.IntegratedSoftware}
}

// softwareCells is a row of Table 2 as the texts of its columns.
func softwareCells(i int, s SoftwareRow) []string {
	return []string{strconv.Itoa(i + 1), s.Developer, s.Name, s.Version, strings.Join(s.InstalledOn, ", "),
		s.Type, s.Purpose, s.Protection}
}

// annex draws the annex to the certificate in the language l: Table 1 and Table 2.
func (r *renderer) annex(l Lang) {
	p := r.pdf
	r.newPage(l, true)
	r.annexHeading(l)
	hw := make([][]string, len(r.c.Hardware))
	for i, h := range r.c.Hardware {
		hw[i] = hardwareCells(i, h)
	}
	r.table(l, labelTable1, hardwareColumns, hw)
	sw := make([][]string, len(r.c.Software))
	for i, s := range r.c.Software {
		sw[i] = softwareCells(i, s)
	}
	p.Ln(5)
	r.table(l, labelTable2, softwareColumns, sw)
}

// annexHeading writes "Annex to the certificate No. ... dated ..." at the top of an annex page.
func (r *renderer) annexHeading(l Lang) {
	p := r.pdf
	p.SetFont(fontFamily, "B", 10)
	p.SetX(annexMargin)
	p.MultiCell(pageLong-2*annexMargin, 5, fill(label(l, labelAnnex), "number", oneLine(r.c.Number), "date", formatDate(l, r.c.IssuedOn, dateDated)), "", "C", false)
	p.Ln(2)
}
