package certificate

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"attestation/internal/attestation"
)

// sampleRecall is a realistic decision to recall a certificate on ground: reasons in Kazakh,
// Russian and English as an authority writes them, the return due three working days later at the
// close of the day in Almaty.
func sampleRecall(ground string) RecallDecision {
	g, _ := findRecallGround(ground)
	return RecallDecision{
		Certificate: "2026/00001",
		ObjectName:  "«Е-Әкімдік» ақпараттық жүйесі / Информационная система «Е-Акимат»",
		OwnerName:   "«Қазақстан Республикасы Цифрлық даму министрлігі» ММ",
		OwnerBIN:    "120540001238",
		Ground:      ground,
		Paragraph:   g.paragraph,
		Reasons: []string{
			"Иесінің 2026 жылғы 11 мамырдағы № 15-04/118 хаты: жүйе қызмет көрсетуден шығарылды.",
			"Письмо владельца от 11 мая 2026 года № 15-04/118.",
			"The owner's letter No. 15-04/118 of 11 May 2026.",
		},
		DecidedAt:       time.Date(2026, time.May, 12, 9, 40, 0, 0, time.UTC), // 14:40 in Almaty
		DecidedBy:       "Әбішев Шаһмардан Нұрланұлы",
		ReturnDueAt:     time.Date(2026, time.May, 15, 23, 59, 59, 0, almaty),
		ReturnParagraph: "§46",
		Terminated:      ground == "operation_ceased",
	}
}

// allRecallLabelKeys are every key of the copy of the recall decision: its own constants and the
// wording of each ground.
func allRecallLabelKeys() []string {
	keys := []string{
		recallTitle, recallCopy, recallObject, recallOwnerNoID, recallDecidedOn, recallGroundHead,
		recallReasons, recallChange, recallReturn, recallReturnOffice, recallTerminated, recallDecidedBy, recallPar, recallSubpar,
	}
	for _, g := range recallGrounds {
		keys = append(keys, recallGroundPrefix+g.id)
	}
	slices.Sort(keys)
	return keys
}

// TestRecallLabelsComplete proves, as TestLabelsComplete does for the certificate, that every label
// of the copy exists, not empty, in every language, that no language has one the others lack, that
// each has the same blanks in every language, and that none shadows a label of the certificate.
func TestRecallLabelsComplete(t *testing.T) {
	if len(recallLabels) != len(Languages()) {
		t.Fatalf("recallLabels has %d languages, want %d", len(recallLabels), len(Languages()))
	}
	want := allRecallLabelKeys()
	for _, l := range Languages() {
		m := recallLabels[l]
		for _, k := range want {
			if strings.TrimSpace(m[k]) == "" {
				t.Errorf("%s: label %q is missing or empty", l, k)
			}
		}
		for k := range m {
			if !slices.Contains(want, k) {
				t.Errorf("%s: label %q is used nowhere", l, k)
			}
			if _, ok := labels[l][k]; ok {
				t.Errorf("%s: label %q shadows the certificate's", l, k)
			}
		}
	}
	for _, k := range want {
		ref := placeholder.FindAllString(recallLabels[English][k], -1)
		slices.Sort(ref)
		for _, l := range Languages() {
			got := placeholder.FindAllString(recallLabels[l][k], -1)
			slices.Sort(got)
			if !slices.Equal(got, ref) {
				t.Errorf("label %q: %s has blanks %v, English has %v", k, l, got, ref)
			}
		}
	}
	// The Kazakh and Russian are written in Cyrillic, the Kazakh with its own letters.
	var kk strings.Builder
	for _, k := range want {
		kk.WriteString(recallLabels[Kazakh][k])
		for _, l := range []Lang{Kazakh, Russian} {
			if !strings.ContainsFunc(recallLabels[l][k], func(r rune) bool { return r >= 'а' && r <= 'я' || r >= 'А' && r <= 'Я' }) {
				t.Errorf("%s label %q has no Cyrillic: %q", l, k, recallLabels[l][k])
			}
		}
	}
	for _, r := range "әғқңөұүі" {
		if !strings.ContainsRune(kk.String(), r) {
			t.Errorf("the Kazakh labels of the recall never use %q", r)
		}
	}
}

// TestRecallGroundsPar45 pins the five grounds of §45 to the policy's ids and subparagraphs, and
// the wording of each in the official texts' terms.
func TestRecallGroundsPar45(t *testing.T) {
	ids := []string{"not_reattested", "owner_application", "audit_noncompliance", "changed_conditions", "operation_ceased"}
	for i, g := range recallGrounds {
		if g.id != ids[i] || g.paragraph != fmt.Sprintf("§45(%d)", i+1) {
			t.Errorf("ground %d is %s %s, want %s §45(%d)", i+1, g.id, g.paragraph, ids[i], i+1)
		}
	}
	if len(recallGrounds) != len(ids) {
		t.Errorf("%d grounds, want %d", len(recallGrounds), len(ids))
	}
	terms := map[string]map[Lang]string{
		"not_reattested":      {Kazakh: "41-тармағында", Russian: "пункте 41", English: "§41"},
		"owner_application":   {Kazakh: "жазбаша өтініші", Russian: "Письменное заявление собственника или владельца", English: "written application"},
		"audit_noncompliance": {Kazakh: "Кәсіпкерлік кодексіне", Russian: "Предпринимательским кодексом", English: "Entrepreneur Code"},
		"changed_conditions":  {Kazakh: "жұмыс істеу шарттары мен функционалдығының", Russian: "условий функционирования и функциональности", English: "conditions of functioning and functionality"},
		"operation_ceased":    {Kazakh: "пайдаланудың тоқтатылуы", Russian: "Прекращение эксплуатации", English: "Cessation of operation"},
	}
	for id, byLang := range terms {
		for l, term := range byLang {
			if got := recallLabel(l, recallGroundPrefix+id); !strings.Contains(got, term) {
				t.Errorf("%s %s: %q lacks %q", id, l, got, term)
			}
		}
	}
}

// TestRulesParagraph writes the policy's paragraphs as each language cites one.
func TestRulesParagraph(t *testing.T) {
	tests := []struct {
		lang Lang
		ref  string
		want string
	}{
		{Kazakh, "§45(2)", "Қағидалардың 45-тармағының 2) тармақшасы"},
		{Russian, "§45(2)", "подпункт 2) пункта 45 Правил"},
		{English, "§45(2)", "§45(2) of the Rules"},
		{Kazakh, "§46", "Қағидалардың 46-тармағы"},
		{Russian, "§46", "пункт 46 Правил"},
		{English, "§46", "§46 of the Rules"},
		{Russian, "§45(4), §47", "§45(4), §47"},
		{English, "Law Art. 51.12", "Law Art. 51.12"},
	}
	for _, tt := range tests {
		if got := rulesParagraph(tt.lang, tt.ref); got != tt.want {
			t.Errorf("rulesParagraph(%s, %q) = %q, want %q", tt.lang, tt.ref, got, tt.want)
		}
	}
}

// recallSections reads the copy back and cuts its text into the three sections by their titles, in
// the order Kazakh, Russian, English. Each section runs from its title to the next one's, and the
// text before the Kazakh title, the authority's name, is returned as head.
func recallSections(t *testing.T, d RecallDecision, doc []byte) (head string, sections map[Lang]string) {
	t.Helper()
	path := writePDF(t, doc)
	var flat string
	for page := 1; ; page++ {
		text := squeeze(pdfText(t, path, page, page))
		// The page's footer, "№ 2026/00001 · 1 / 2", is no part of a section.
		footer := squeeze("№ " + d.Certificate + " · " + strconv.Itoa(page) + " / ")
		i := strings.LastIndex(text, footer)
		if i < 0 {
			t.Fatalf("page %d has no footer %q", page, footer)
		}
		flat += text[:i]
		pages, err := strconv.Atoi(text[i+len(footer):])
		if err != nil {
			t.Fatalf("page %d: footer %q", page, text[i:])
		}
		if page >= pages {
			break
		}
	}
	sections = map[Lang]string{}
	at := make([]int, 0, 3)
	for _, l := range Languages() {
		title := squeeze(fill(recallLabel(l, recallTitle), "number", d.Certificate))
		i := strings.Index(flat, title)
		if i < 0 {
			t.Fatalf("%s: the title %q is not in the text", l, title)
		}
		if n := len(at); n > 0 && i < at[n-1] {
			t.Fatalf("%s: the section comes before the one it follows", l)
		}
		at = append(at, i)
	}
	for i, l := range Languages() {
		end := len(flat)
		if i+1 < len(at) {
			end = at[i+1]
		}
		sections[l] = flat[at[i]:end]
	}
	return flat[:at[0]], sections
}

// TestRenderRecallDecision reads each ground's copy back and finds, in each language's section, the
// title with the number, the object, the owner with its BIN, the decision's date, the ground's
// paragraph and wording in that language, the reasons once each, the return instruction with its
// due date (§46), the change notice when given, the termination mark only on §45(5), and who
// decided.
func TestRenderRecallDecision(t *testing.T) {
	for _, g := range recallGrounds {
		t.Run(g.paragraph+" "+g.id, func(t *testing.T) {
			d := sampleRecall(g.id)
			if g.id == "changed_conditions" {
				d.ChangeID = "c3"
			}
			doc, pages, err := renderRecall(d)
			if err != nil {
				t.Fatal(err)
			}
			if pages != 1 {
				t.Errorf("%d pages, want one A4 page", pages)
			}
			head, sections := recallSections(t, d, doc)
			if want := squeeze(label(Kazakh, labelAuthority)); !strings.HasSuffix(head, want) {
				t.Errorf("the copy does not open with the authority's name %q: %q", want, head)
			}
			for i, l := range Languages() {
				s := sections[l]
				has := func(what, want string) {
					t.Helper()
					if !strings.Contains(s, squeeze(want)) {
						t.Errorf("%s %s: %s %q is not in the section", g.paragraph, l, what, want)
					}
				}
				if i+1 < len(Languages()) {
					// The next section opens with the authority's name in its language.
					next := Languages()[i+1]
					if want := squeeze(label(next, labelAuthority)); !strings.HasSuffix(s, want) {
						t.Errorf("%s: the section does not open with the authority's name %q", next, want)
					}
				}
				has("title", fill(recallLabel(l, recallTitle), "number", d.Certificate))
				has("number", d.Certificate)
				has("copy for the owner", recallLabel(l, recallCopy))
				has("object", fill(recallLabel(l, recallObject), "name", d.ObjectName))
				has("owner", fill(label(l, labelOwner), "name", d.OwnerName, "id", d.OwnerBIN))
				has("date of the decision", fill(recallLabel(l, recallDecidedOn), "date", formatDate(l, d.DecidedAt, datePlain)))
				has("ground's paragraph", fill(recallLabel(l, recallGroundHead), "paragraph", rulesParagraph(l, g.paragraph)))
				has("ground's wording", recallLabel(l, recallGroundPrefix+g.id))
				has("reasons' heading", recallLabel(l, recallReasons))
				for j, r := range d.Reasons {
					if n := strings.Count(s, squeeze(r)); n != 1 {
						t.Errorf("%s %s: reason %d is printed %d times, want once", g.paragraph, l, j+1, n)
					}
				}
				has("return instruction", fill(recallLabel(l, recallReturn), "number", d.Certificate,
					"date", formatDate(l, d.ReturnDueAt, dateUntil), "paragraph", rulesParagraph(l, "§46")))
				has("decided by", fill(recallLabel(l, recallDecidedBy), "name", d.DecidedBy))
				// The ground of another subparagraph is not printed.
				for _, other := range recallGrounds {
					if other.id != g.id && strings.Contains(s, squeeze(recallLabel(l, recallGroundPrefix+other.id))) {
						t.Errorf("%s %s: the wording of %s is printed", g.paragraph, l, other.id)
					}
				}
				termination := squeeze(recallLabel(l, recallTerminated))
				if got := strings.Contains(s, termination); got != d.Terminated {
					t.Errorf("%s %s: termination line printed %v, want %v", g.paragraph, l, got, d.Terminated)
				}
				change := literals(recallLabel(l, recallChange))[0]
				if d.ChangeID != "" {
					has("change notice", fill(recallLabel(l, recallChange), "id", d.ChangeID))
				} else if strings.Contains(s, change) {
					t.Errorf("%s %s: a change notice is printed for a decision without one", g.paragraph, l)
				}
			}
			// The return instruction names three working days in each language.
			for l, words := range map[Lang]string{Kazakh: "үш жұмыс күні ішінде", Russian: "в течение трех рабочих дней", English: "within three working days"} {
				if !strings.Contains(sections[l], squeeze(words)) {
					t.Errorf("%s: the return instruction lacks %q", l, words)
				}
			}
		})
	}
}

// TestRenderRecallDecisionKazakhLetters finds the letters of the Kazakh alphabet that Russian lacks
// in the text read back from the Kazakh section: in its labels, the ground's wording, and the names
// and reasons given.
func TestRenderRecallDecisionKazakhLetters(t *testing.T) {
	d := sampleRecall("operation_ceased")
	doc, err := RenderRecallDecision(d)
	if err != nil {
		t.Fatal(err)
	}
	_, sections := recallSections(t, d, doc)
	kk := sections[Kazakh]
	for _, r := range "әғқңөұүһі" {
		if !strings.ContainsRune(kk, r) {
			t.Errorf("the Kazakh section has no %q", r)
		}
	}
	for _, s := range []string{"Әбішев Шаһмардан Нұрланұлы", "«Е-Әкімдік»", "Қағидалардың 45-тармағының 5) тармақшасы", "үш жұмыс күні", "2026 жылғы «15» мамырға дейін"} {
		if !strings.Contains(kk, squeeze(s)) {
			t.Errorf("the Kazakh section lost %q", s)
		}
	}
	// The Russian and English sections date in their own words.
	if !strings.Contains(sections[Russian], squeeze("не позднее «15» мая 2026 года")) {
		t.Error("the Russian section lacks the due date «15» мая 2026 года")
	}
	if !strings.Contains(sections[English], squeeze("by 15 May 2026")) {
		t.Error("the English section lacks the due date 15 May 2026")
	}
}

// TestRenderRecallDecisionVariants covers a decision without a BIN, without reasons, without the
// name of who decided or the paragraphs (the ground's own and §46 are printed), and with reasons
// long enough to need a second page.
func TestRenderRecallDecisionVariants(t *testing.T) {
	t.Run("§45(1) defaults", func(t *testing.T) {
		d := sampleRecall("not_reattested")
		d.OwnerBIN, d.Reasons, d.DecidedBy, d.Paragraph, d.ReturnParagraph = "", nil, "", "", ""
		doc, pages, err := renderRecall(d)
		if err != nil {
			t.Fatal(err)
		}
		if pages != 1 {
			t.Errorf("%d pages, want 1", pages)
		}
		_, sections := recallSections(t, d, doc)
		for _, l := range Languages() {
			s := sections[l]
			for _, want := range []string{
				fill(recallLabel(l, recallOwnerNoID), "name", d.OwnerName),
				fill(recallLabel(l, recallGroundHead), "paragraph", rulesParagraph(l, "§45(1)")),
				recallLabel(l, recallGroundPrefix+"not_reattested"),
				fill(recallLabel(l, recallReturn), "number", d.Certificate, "date", formatDate(l, d.ReturnDueAt, dateUntil), "paragraph", rulesParagraph(l, "§46")),
			} {
				if !strings.Contains(s, squeeze(want)) {
					t.Errorf("%s: %q is missing", l, want)
				}
			}
			for _, absent := range []string{recallLabel(l, recallReasons), literals(recallLabel(l, recallDecidedBy))[0]} {
				if strings.Contains(s, squeeze(absent)) {
					t.Errorf("%s: %q is printed for a decision without it", l, absent)
				}
			}
		}
	})
	t.Run("§45(3) long reasons", func(t *testing.T) {
		d := sampleRecall("audit_noncompliance")
		long := strings.TrimSpace(strings.Repeat("Тексеру актісінде анықталған сәйкессіздік; несоответствие, выявленное проверкой; a non-compliance found by the audit. ", 12))
		d.Reasons = []string{long, "Second reason,\n\twith a line break kept.", long + " (2)"}
		doc, pages, err := renderRecall(d)
		if err != nil {
			t.Fatal(err)
		}
		if pages < 2 {
			t.Errorf("%d pages: the long reasons need more than one", pages)
		}
		_, sections := recallSections(t, d, doc)
		for _, l := range Languages() {
			for j, r := range d.Reasons {
				if !strings.Contains(sections[l], squeeze(r)) {
					t.Errorf("%s: reason %d is lost", l, j+1)
				}
			}
			if !strings.Contains(sections[l], squeeze(recallLabel(l, recallGroundPrefix+"audit_noncompliance"))) {
				t.Errorf("%s: the ground is lost", l)
			}
		}
	})
}

// TestPar46RecallCopyHandedOverAtTheOffice: the copy of a paper case's decision is handed over at
// the Committee's office, and the return's 3 working days run from that hand-over: the copy names
// no date, and says so in every language; a copy sent online still needs its date.
func TestPar46RecallCopyHandedOverAtTheOffice(t *testing.T) {
	d := sampleRecall("owner_application")
	d.ReturnDueAt, d.AtOffice = time.Time{}, true
	doc, pages, err := renderRecall(d)
	if err != nil {
		t.Fatal(err)
	}
	if pages != 1 {
		t.Errorf("%d pages, want 1", pages)
	}
	_, sections := recallSections(t, d, doc)
	for _, l := range Languages() {
		want := fill(recallLabel(l, recallReturnOffice), "number", d.Certificate, "paragraph", rulesParagraph(l, "§46"))
		if !strings.Contains(sections[l], squeeze(want)) {
			t.Errorf("%s: the return from the hand-over %q is missing", l, want)
		}
		dated := slices.MaxFunc(literals(recallLabel(l, recallReturn)), func(a, b string) int { return len(a) - len(b) })
		if strings.Contains(sections[l], squeeze(dated)) {
			t.Errorf("%s: the dated return instruction is printed for a copy handed over at the office", l)
		}
	}
	online := sampleRecall("owner_application")
	online.ReturnDueAt = time.Time{}
	var invalid *InvalidError
	if err := online.Validate(); !errors.As(err, &invalid) || !strings.Contains(err.Error(), "returnDueAt") {
		t.Fatalf("a copy sent online without its return date: %v, want returnDueAt missing", err)
	}
}

// TestRenderRecallDecisionDeterministic renders the same decision twice, once with its moments in
// another zone, and gets the same bytes, with the moment of the decision as the PDF's creation date.
func TestRenderRecallDecisionDeterministic(t *testing.T) {
	d := sampleRecall("owner_application")
	a, err := RenderRecallDecision(d)
	if err != nil {
		t.Fatal(err)
	}
	elsewhere := time.FixedZone("elsewhere", -7*3600)
	d.DecidedAt, d.ReturnDueAt = d.DecidedAt.In(elsewhere), d.ReturnDueAt.In(elsewhere)
	d.Reasons = slices.Clone(d.Reasons)
	b, err := RenderRecallDecision(d)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatalf("two renders differ: %x vs %x", sha256.Sum256(a), sha256.Sum256(b))
	}
	if !bytes.HasPrefix(a, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", a[:min(len(a), 8)])
	}
	// 09:40 UTC is 14:40 in Almaty (UTC+5 from 2024-03-01).
	if !bytes.Contains(a, []byte("/CreationDate (D:20260512144000)")) {
		t.Error("the creation date is not the moment of the decision")
	}
	if n := bytes.Count(a, []byte("/FontFile2")); n != 2 {
		t.Errorf("%d embedded TrueType fonts, want 2 (regular and bold)", n)
	}
	d.Reasons = append(d.Reasons, "Another reason.")
	c, err := RenderRecallDecision(d)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, c) {
		t.Error("another reason gives the same bytes")
	}
}

// TestRecallDecisionInvalid refuses a decision its copy cannot print, as an attestation.ErrInvalid
// naming the field.
func TestRecallDecisionInvalid(t *testing.T) {
	tests := []struct {
		name  string
		field string
		edit  func(*RecallDecision)
	}{
		{"§45 unknown ground", "ground", func(d *RecallDecision) { d.Ground = "expired" }},
		{"§45 no ground", "ground", func(d *RecallDecision) { d.Ground = "" }},
		{"§45 no certificate number", "certificate", func(d *RecallDecision) { d.Certificate = "  " }},
		{"§45 no object name", "objectName", func(d *RecallDecision) { d.ObjectName = "" }},
		{"§46 no owner", "ownerName", func(d *RecallDecision) { d.OwnerName = "" }},
		{"§45 no date of the decision", "decidedAt", func(d *RecallDecision) { d.DecidedAt = time.Time{} }},
		{"§46 no due date of the return", "returnDueAt", func(d *RecallDecision) { d.ReturnDueAt = time.Time{} }},
		{"§46 return due before the decision", "returnDueAt", func(d *RecallDecision) { d.ReturnDueAt = d.DecidedAt.Add(-time.Second) }},
		{"§45 an empty reason", "reasons[1]", func(d *RecallDecision) { d.Reasons[1] = " \n " }},
		{"§45 a reason with a control character", "reasons[0]", func(d *RecallDecision) { d.Reasons[0] = "bell\a" }},
		{"§45 a reason too long", "reasons[2]", func(d *RecallDecision) { d.Reasons[2] = strings.Repeat("ә", maxRecallReasonLength+1) }},
		{"§45 too many reasons", "reasons", func(d *RecallDecision) { d.Reasons = make([]string, maxRecallReasons+1) }},
		{"§45(4) a change notice that is not text", "changeId", func(d *RecallDecision) { d.ChangeID = "c\x001" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := sampleRecall("owner_application")
			d.Reasons = slices.Clone(d.Reasons)
			tt.edit(&d)
			doc, err := RenderRecallDecision(d)
			if err == nil {
				t.Fatalf("rendered %d bytes, want an error", len(doc))
			}
			if !errors.Is(err, attestation.ErrInvalid) {
				t.Errorf("error %v is not attestation.ErrInvalid", err)
			}
			var inv *InvalidError
			if !errors.As(err, &inv) {
				t.Fatalf("error %v is not an *InvalidError", err)
			}
			if len(inv.Problems) != 1 || inv.Problems[0].Field != tt.field {
				t.Errorf("problems %v, want one on %s", inv.Problems, tt.field)
			}
		})
	}
	t.Run("§46 return due the moment of the decision", func(t *testing.T) {
		d := sampleRecall("owner_application")
		d.ReturnDueAt = d.DecidedAt
		if _, err := RenderRecallDecision(d); err != nil {
			t.Errorf("a return due the moment of the decision is refused: %v", err)
		}
	})
	t.Run("§45 every ground", func(t *testing.T) {
		for _, g := range recallGrounds {
			if err := sampleRecall(g.id).Validate(); err != nil {
				t.Errorf("%s: %v", g.id, err)
			}
		}
	})
}

// TestRenderRecallDecisionFontsEmbedded checks with pdffonts, when installed, that every font of
// the copy is embedded.
func TestRenderRecallDecisionFontsEmbedded(t *testing.T) {
	bin := needTool(t, "pdffonts")
	doc, err := RenderRecallDecision(sampleRecall("changed_conditions"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, writePDF(t, doc)).Output()
	if err != nil {
		t.Fatalf("pdffonts: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 4 {
		t.Errorf("pdffonts lists %d fonts, want 2:\n%s", len(lines)-2, out)
	}
	for _, line := range lines[2:] {
		if f := strings.Fields(line); len(f) >= 5 && f[len(f)-5] != "yes" {
			t.Errorf("a font is not embedded: %s", line)
		}
	}
}

// BenchmarkRenderRecallDecision renders a copy of a decision with three reasons in three languages.
func BenchmarkRenderRecallDecision(b *testing.B) {
	d := sampleRecall("operation_ceased")
	var size int
	for b.Loop() {
		doc, err := RenderRecallDecision(d)
		if err != nil {
			b.Fatal(err)
		}
		size = len(doc)
	}
	b.ReportMetric(float64(size), "pdf-bytes")
}
