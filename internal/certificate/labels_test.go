package certificate

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// placeholder matches a label's blank: {number}, {date}, ...
var placeholder = regexp.MustCompile(`\{[a-z]+\}`)

// allLabelKeys are every key the renderer asks for: the constants, the kinds' names and the
// composition of each kind.
func allLabelKeys() []string {
	keys := []string{
		labelAuthority, labelTitle, labelSubtitle, labelObjectCaption, labelObjectKind, labelValidUntil,
		labelValidOperation, labelOwner, labelCertify, labelComplies, labelProcessing, labelProhibited,
		labelControl, labelAct, labelAdditionalAct, labelActSigned, labelPeriod, labelNotify, labelChairman, labelSeal,
		labelIssued, labelVerify, labelSHA256, labelAnnex, labelTable1, labelTable2, labelContinued,
		labelEmptyTable, labelPage, labelDuplicate,
	}
	for _, c := range hardwareColumns {
		keys = append(keys, c.label)
	}
	for _, c := range softwareColumns {
		keys = append(keys, c.label)
	}
	for kind, composition := range kinds {
		keys = append(keys, kindPrefix+kind, composition)
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// TestLabelsComplete proves every label exists, not empty, in every language, that no language has a
// label the others lack, and that each label has the same blanks in every language.
func TestLabelsComplete(t *testing.T) {
	if len(labels) != len(Languages()) {
		t.Fatalf("labels has %d languages, want %d", len(labels), len(Languages()))
	}
	want := allLabelKeys()
	for _, l := range Languages() {
		t.Run(string(l), func(t *testing.T) {
			m, ok := labels[l]
			if !ok {
				t.Fatalf("no labels for %s", l)
			}
			for _, k := range want {
				if strings.TrimSpace(m[k]) == "" {
					t.Errorf("%s: label %q is missing or empty", l, k)
				}
			}
			for k := range m {
				if !slices.Contains(want, k) {
					t.Errorf("%s: label %q is used nowhere", l, k)
				}
			}
		})
	}
	for _, k := range want {
		ref := placeholder.FindAllString(labels[English][k], -1)
		slices.Sort(ref)
		for _, l := range Languages() {
			got := placeholder.FindAllString(labels[l][k], -1)
			slices.Sort(got)
			if !slices.Equal(got, ref) {
				t.Errorf("label %q: %s has blanks %v, English has %v", k, l, got, ref)
			}
		}
	}
}

// TestLabelsInTheirLanguage checks the Kazakh and Russian labels are written in Cyrillic, and that
// the Kazakh ones use the letters of the Kazakh alphabet that Russian lacks.
func TestLabelsInTheirLanguage(t *testing.T) {
	var kk strings.Builder
	for _, k := range allLabelKeys() {
		kk.WriteString(labels[Kazakh][k])
		for _, l := range []Lang{Kazakh, Russian} {
			s := labels[l][k]
			if k == labelSHA256 || k == labelPage {
				continue
			}
			if !strings.ContainsFunc(s, func(r rune) bool { return r >= 'а' && r <= 'я' || r >= 'А' && r <= 'Я' }) {
				t.Errorf("%s label %q has no Cyrillic: %q", l, k, s)
			}
		}
	}
	for _, r := range "әғқңөұүі" {
		if !strings.ContainsRune(kk.String(), r) {
			t.Errorf("the Kazakh labels never use %q", r)
		}
	}
	for _, name := range []string{"Сәйкестік аттестаты", "Ақпараттық қауіпсіздік комитеті", "Мемлекеттік техникалық қызмет"} {
		if !strings.Contains(strings.ToLower(kk.String()), strings.ToLower(name)) {
			t.Errorf("the Kazakh labels never name %q", name)
		}
	}
	var ru strings.Builder
	for _, k := range allLabelKeys() {
		ru.WriteString(labels[Russian][k])
	}
	for _, name := range []string{"Аттестат соответствия", "Комитет информационной безопасности", "Государственную техническую службу"} {
		if !strings.Contains(strings.ToLower(ru.String()), strings.ToLower(name)) {
			t.Errorf("the Russian labels never name %q", name)
		}
	}
}

// TestFormatDate pins how each language writes a date, and that the date is Kazakhstan's: 19:30 UTC
// on 13 March is already 14 March in Almaty.
func TestFormatDate(t *testing.T) {
	at := time.Date(2025, time.March, 13, 19, 30, 0, 0, time.UTC)
	tests := []struct {
		lang Lang
		dc   dateCase
		want string
	}{
		{Kazakh, datePlain, "2025 жылғы «14» наурыз"},
		{Kazakh, dateUntil, "2025 жылғы «14» наурызға"},
		{Kazakh, dateDated, "2025 жылғы «14» наурыздағы"},
		{Russian, datePlain, "«14» марта 2025 года"},
		{Russian, dateDated, "«14» марта 2025 года"},
		{English, datePlain, "14 March 2025"},
		{English, dateUntil, "14 March 2025"},
	}
	for _, tt := range tests {
		t.Run(string(tt.lang), func(t *testing.T) {
			if got := formatDate(tt.lang, at, tt.dc); got != tt.want {
				t.Errorf("formatDate(%s, %v) = %q, want %q", tt.lang, tt.dc, got, tt.want)
			}
		})
	}
	for m := range 12 {
		for _, names := range [][12]string{monthsKK, monthsKKDat, monthsKKLoc, monthsRU, monthsEN} {
			if names[m] == "" {
				t.Errorf("month %d has no name", m+1)
			}
		}
	}
}

// TestFill replaces every blank and leaves the rest.
func TestFill(t *testing.T) {
	got := fill("Annex to the certificate No. {number} dated {date}", "number", "2025/00042", "date", "14 March 2025")
	if want := "Annex to the certificate No. 2025/00042 dated 14 March 2025"; got != want {
		t.Errorf("fill = %q, want %q", got, want)
	}
}
