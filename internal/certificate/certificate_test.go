package certificate

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"attestation/internal/attestation"
)

// TestValidate proves a certificate without a field of Annex 7, or with a field Render cannot
// print, is refused with an error that names the field.
func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Certificate)
		field  string
	}{
		{"no number", func(c *Certificate) { c.Number = "" }, "number"},
		{"blank number", func(c *Certificate) { c.Number = "  " }, "number"},
		{"no issue date", func(c *Certificate) { c.IssuedOn = time.Time{} }, "issuedOn"},
		{"no object name", func(c *Certificate) { c.Object.Name = "" }, "object.name"},
		{"no object kind", func(c *Certificate) { c.Object.Kind = "" }, "object.kind"},
		{"unknown object kind", func(c *Certificate) { c.Object.Kind = "spaceship" }, "object.kind"},
		{"no owner", func(c *Certificate) { c.Owner = Owner{} }, "owner.name"},
		{"no owner BIN", func(c *Certificate) { c.Owner.IdentityNumber = "" }, "owner.identityNumber"},
		{"bad owner BIN", func(c *Certificate) { c.Owner.IdentityNumber = "120540001239" }, "owner.identityNumber"},
		{"valid until before issue", func(c *Certificate) { d := c.IssuedOn.AddDate(0, 0, -1); c.ValidUntil = &d }, "validUntil"},
		{"no validity period in Kazakh", func(c *Certificate) { c.ValidityPeriod.KK = "" }, "validityPeriod.kk"},
		{"no information category in Russian", func(c *Certificate) { c.InformationCategory.RU = "" }, "informationCategory.ru"},
		{"no prohibitions", func(c *Certificate) { c.Prohibitions = nil }, "prohibitions"},
		{"prohibition without English", func(c *Certificate) { c.Prohibitions[1].EN = "" }, "prohibitions[1].en"},
		{"no act number", func(c *Certificate) { c.Act.Number = "" }, "act.number"},
		{"no act date", func(c *Certificate) { c.Act.Date = time.Time{} }, "act.date"},
		{"act after issue", func(c *Certificate) { c.Act.Date = c.IssuedOn.AddDate(0, 0, 2) }, "act.date"},
		{"additional act without number", func(c *Certificate) { c.AdditionalAct.Number = "" }, "additionalAct.number"},
		{"additional act before act", func(c *Certificate) { c.AdditionalAct.Date = c.Act.Date.AddDate(0, 0, -1) }, "additionalAct.date"},
		{"no notifiable changes", func(c *Certificate) { c.NotifiableChanges = nil }, "notifiableChanges"},
		{"no chairman", func(c *Certificate) { c.Chairman.Name = "" }, "chairman.name"},
		{"no chairman position", func(c *Certificate) { c.Chairman.Position = Text{} }, "chairman.position.kk"},
		{"hardware without serial", func(c *Certificate) { c.Hardware[2].SerialNumber = "" }, "hardware[2].serialNumber"},
		{"hardware with a control character", func(c *Certificate) { c.Hardware[0].Location = "a\x00b" }, "hardware[0].location"},
		{"software without version", func(c *Certificate) { c.Software[4].Version = "" }, "software[4].version"},
		{"software installed nowhere", func(c *Certificate) { c.Software[0].InstalledOn = nil }, "software[0].installedOn"},
		{"too long a purpose", func(c *Certificate) { c.Software[1].Purpose = strings.Repeat("ә", maxTextLength+1) }, "software[1].purpose"},
		{"no verification URL", func(c *Certificate) { c.VerificationURL = "" }, "verificationUrl"},
		{"relative verification URL", func(c *Certificate) { c.VerificationURL = "/certificates/1" }, "verificationUrl"},
		{"bad SHA-256", func(c *Certificate) { c.SHA256 = "abc" }, "sha256"},
	}
	if err := sampleCertificate(5, 5).Validate(); err != nil {
		t.Fatalf("the sample is not valid: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := sampleCertificate(5, 5)
			tt.change(&c)
			err := c.Validate()
			var inv *InvalidError
			if !errors.As(err, &inv) {
				t.Fatalf("Validate() = %v, want an *InvalidError", err)
			}
			if !errors.Is(err, attestation.ErrInvalid) {
				t.Errorf("Validate() = %v, not an attestation.ErrInvalid", err)
			}
			found := false
			for _, p := range inv.Problems {
				found = found || p.Field == tt.field
			}
			if !found {
				t.Errorf("Validate() = %v, want a problem of %s", err, tt.field)
			}
			doc, err := Render(c)
			if err == nil || doc != nil {
				t.Fatalf("Render() printed a certificate with a problem of %s", tt.field)
			}
			if !strings.Contains(err.Error(), tt.field+":") || !errors.Is(err, attestation.ErrInvalid) {
				t.Errorf("Render() = %v, want an ErrInvalid naming %s", err, tt.field)
			}
		})
	}
}

// TestValidateEveryProblem reports all the wrong fields at once, not only the first.
func TestValidateEveryProblem(t *testing.T) {
	err := Certificate{}.Validate()
	var inv *InvalidError
	if !errors.As(err, &inv) {
		t.Fatalf("Validate() = %v, want an *InvalidError", err)
	}
	for _, f := range []string{"number", "issuedOn", "object.name", "object.kind", "owner.name", "owner.identityNumber",
		"validityPeriod.kk", "informationCategory.en", "prohibitions", "act.number", "act.date", "notifiableChanges",
		"chairman.name", "verificationUrl"} {
		if !strings.Contains(err.Error(), f+":") {
			t.Errorf("the error of an empty certificate does not name %s: %v", f, err)
		}
	}
}

// TestRowsFromPackage proves the tables' rows take each column from the package's lists (Annexes
// 5 and 6) and that Table 1 has no IP addresses.
func TestRowsFromPackage(t *testing.T) {
	hw := attestation.HardwareItem{
		ManufacturerModel: "m", SerialNumber: "s", CertificateNumber: "c", Location: "l", Type: "t",
		Purpose: "p", Protection: "x", IntegratedSoftware: "i", IPAddresses: []string{"10.0.0.1"},
	}
	got := HardwareRows([]attestation.HardwareItem{hw})
	want := []HardwareRow{{ManufacturerModel: "m", SerialNumber: "s", CertificateNumber: "c", Location: "l", Type: "t",
		Purpose: "p", Protection: "x", IntegratedSoftware: "i"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("HardwareRows = %+v, want %+v", got, want)
	}
	sw := attestation.SoftwareItem{Developer: "d", Name: "n", Version: "v", InstalledOn: []string{"s1", "s2"}, Type: "t",
		Purpose: "p", Protection: "x"}
	gotSW := SoftwareRows([]attestation.SoftwareItem{sw})
	wantSW := []SoftwareRow{{Developer: "d", Name: "n", Version: "v", InstalledOn: []string{"s1", "s2"}, Type: "t",
		Purpose: "p", Protection: "x"}}
	if !reflect.DeepEqual(gotSW, wantSW) {
		t.Errorf("SoftwareRows = %+v, want %+v", gotSW, wantSW)
	}
	sw.InstalledOn[0] = "changed"
	if gotSW[0].InstalledOn[0] != "s1" {
		t.Error("SoftwareRows shares the package's slice of places")
	}

	// Annex 7's Table 1 has 9 columns (item number and 8 of Annex 5, no IP addresses); Table 2 has 8.
	if n := reflect.TypeFor[HardwareRow]().NumField(); n != 8 || len(hardwareColumns) != 9 || len(hardwareCells(0, HardwareRow{})) != 9 {
		t.Errorf("Table 1: %d fields, %d columns, %d cells; want 8, 9, 9", n, len(hardwareColumns), len(hardwareCells(0, HardwareRow{})))
	}
	if n := reflect.TypeFor[SoftwareRow]().NumField(); n != 7 || len(softwareColumns) != 8 || len(softwareCells(0, SoftwareRow{})) != 8 {
		t.Errorf("Table 2: %d fields, %d columns, %d cells; want 7, 8, 8", n, len(softwareColumns), len(softwareCells(0, SoftwareRow{})))
	}
	for i := range reflect.TypeFor[HardwareRow]().NumField() {
		if f := reflect.TypeFor[HardwareRow]().Field(i); strings.Contains(strings.ToLower(f.Name), "ip") {
			t.Errorf("HardwareRow has a field %s: Annex 7's Table 1 has no IP addresses", f.Name)
		}
	}
	for _, cols := range [][]column{hardwareColumns, softwareColumns} {
		total := 0.0
		for _, c := range cols {
			total += c.width
		}
		if total != pageLong-2*annexMargin {
			t.Errorf("columns add up to %v mm, want %v", total, pageLong-2*annexMargin)
		}
	}
}

// TestValueProblemsReadOnce: nameProblem and optionalProblem, which read a value once, say what
// the checks they replaced said (strings.TrimSpace, utf8.ValidString, utf8.RuneCountInString and
// a search for control characters, one after another), for values of every kind.
func TestValueProblemsReadOnce(t *testing.T) {
	before := func(s string, limit int, required bool) string {
		switch {
		case required && strings.TrimSpace(s) == "":
			return "missing"
		case !utf8.ValidString(s):
			return "not valid UTF-8 text"
		case utf8.RuneCountInString(s) > limit:
			return fmt.Sprintf("too long: at most %d characters", limit)
		case strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && !unicode.IsSpace(r) }):
			return "contains a control character"
		}
		return ""
	}
	values := []string{"", " ", "\t\n", "\u00a0", "\u0085", "\u2003 ", "a", " a ", "Сервер «Әкімдік»", "a\x00b", "\x7f", "a\u0090",
		"a\u0085b", "\xff", " \xff", "a\xc3", "\xc3\xa9", "\u200b", "abcde", "abcdef", "ӘӘӘӘӘ", "ӘӘӘӘӘӘ", "\x01\xff", "      \x01",
		strings.Repeat(" ", 7), "\U0001F600\U0001F600\U0001F600\U0001F600\U0001F600\U0001F600", "\ufffd", "a\rb\vc\fd"}
	r := rand.New(rand.NewPCG(3, 4))
	alphabet := []rune{'a', ' ', '\t', '\n', 0, 0x1f, 0x7f, 0x85, 0x9f, 0xa0, 'Ә', 0x2028, 0xfffd, 0x1F600}
	for range 20_000 {
		var b strings.Builder
		for range r.IntN(9) {
			if r.IntN(12) == 0 {
				b.WriteByte(byte(0x80 + r.IntN(0x80))) // a stray byte
				continue
			}
			b.WriteRune(alphabet[r.IntN(len(alphabet))])
		}
		values = append(values, b.String())
	}
	for _, s := range values {
		for _, limit := range []int{0, 1, 5, 6, 100} {
			if got, want := nameProblem(s, limit), before(s, limit, true); got != want {
				t.Fatalf("nameProblem(%q, %d) = %q, before %q", s, limit, got, want)
			}
			if got, want := optionalProblem(s, limit), before(s, limit, false); got != want {
				t.Fatalf("optionalProblem(%q, %d) = %q, before %q", s, limit, got, want)
			}
		}
	}
}
