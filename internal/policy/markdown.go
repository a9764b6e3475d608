package policy

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"strings"
)

// RegenerateCommand regenerates docs/policy.md from the editions.
const RegenerateCommand = "go test ./internal/policy/ -run TestDocDrift -update"

// Markdown renders edition e as a readable document: every period with its paragraph, unit, actor,
// start and lapse; the office hours; the package rules and documents; the object kinds; the
// certificate rules. For each edition in compare it adds the fields in which that edition differs.
func (e *Edition) Markdown(compare ...*Edition) []byte {
	var b bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	row := func(cells ...string) {
		for i, c := range cells {
			cells[i] = cell(c)
		}
		w("| %s |\n", strings.Join(cells, " | "))
	}
	head := func(cells ...string) {
		row(cells...)
		seps := make([]string, len(cells))
		for i := range seps {
			seps[i] = "---"
		}
		w("|%s|\n", strings.Join(seps, "|"))
	}

	w("# Policy edition `%s`\n\n", e.id)
	w("<!-- Generated from internal/policy/editions/%s.yaml. Do not edit by hand; regenerate with: %s -->\n\n", e.id, RegenerateCommand)
	w("%s.\n\n", e.title)
	if e.id == Default() {
		w("This is the default edition: new filings fall under it unless configuration names another; a case keeps the edition it was filed under. ")
	}
	w("It applies to filings from %s. Every figure below comes from the edition file, which quotes the seed text it rests on.\n\n", e.appliesFrom.Format("2006-01-02"))

	w("## Sources\n\n")
	head("id", "act", "date", "amended by", "repealed by", "seed")
	for _, s := range e.sources {
		row(s.ID, s.Act, s.Date, dash(s.Amended), dash(s.Repealed), "`"+s.Seed+"`")
	}

	w("\n## Periods\n\n")
	w("Working days are Kazakhstan working days, counted from the day after the start; a period ends at 23:59:59 Asia/Almaty of its last day. ")
	w("`overdue` marks a step late for staff without legal effect. ")
	w("Each human step's Step Functions callback state times out %s after its due moment (the callback timeout margin); no period is written into the state machine.\n\n", e.margin.describe())
	head("step", "paragraph", "who acts", "limit", "counted from", "when it lapses", "notes")
	for _, p := range e.periods {
		row("`"+p.Step+"`", p.Paragraph, string(p.Actor), p.Limit(), p.Starts, string(p.Lapse), e.periodNotes(p))
	}

	e.remindersMarkdown(w, head, row)

	w("\n## Office hours (%s)\n\n", e.office.Paragraph)
	w("The office works %s and accepts filings %s, on working days only. ", windows(e.office.WorkingHours), windows(e.office.AcceptanceHours))
	w("A filing outside the acceptance hours counts as received at the next moment the office accepts filings: after lunch the same day, or at the opening of the next working day. ")
	w("Periods marked \"counts from the office's receipt\" start from that moment.")
	if q, sv := e.office.QueueWait, e.office.Service; q.Minutes > 0 || sv.Minutes > 0 {
		w(" A paper filing at the office records the person's arrival, the start of the service and the receipt mark; at most %d minutes of waiting in the queue (%s) and %d minutes of service (%s), a longer one reported.",
			q.Minutes, q.Paragraph, sv.Minutes, sv.Paragraph)
	}
	w("\n\n")

	w("## Application package\n\n")
	w("A filing needs the documents of every rule that applies to it: a rule applies when its `if` flag is set and its `unless` flag is not.\n\n")
	w("### Flags\n\n")
	head("flag", "paragraph", "meaning", "describes")
	for _, f := range e.flags {
		kinds := "any object"
		if len(f.Kinds) > 0 {
			kinds = strings.Join(codes(f.Kinds), ", ") + " only (a filing of another kind with the flag is refused)"
		}
		row("`"+f.ID+"`", f.Paragraph, f.Meaning, kinds)
	}
	w("\n### Rules\n\n")
	head("rule", "paragraph", "applies", "documents", "note")
	for _, r := range e.rules {
		row("`"+r.ID+"`", r.Paragraph, applies(r), strings.Join(codes(r.Require), ", "), dash(r.Note))
	}
	w("\n### Documents\n\n")
	head("document", "title", "paragraph", "group", "term")
	for _, d := range e.documents {
		title := d.Title
		if d.Annex3 > 0 {
			title = fmt.Sprintf("Annex 3 item %d: %s", d.Annex3, d.Title)
		}
		term := "—"
		if d.Expires {
			term = "has a term: the package states its last day (`expiresOn`); ended before the day of filing → `expired_documents` (standard §10)"
		}
		row("`"+d.ID+"`", title, d.Paragraph, d.Group, term)
	}

	w("\n## Refusal grounds\n\n")
	w("Standard §6, §10: a return (§15) names grounds whose effect is `%s`; a refusal to issue (§27(2), §32, §37) grounds whose effect is `%s`, each with free reasons. ", EffectRefuseAcceptance, EffectRefuseService)
	w("The applicant receives a reasoned response in Kazakh, Russian and English (PDF, and its data) under Object Lock: with a return at once, with a refusal together with the act (§30, §38); the acts a refusal rests on are kept under Object Lock beside it.\n\n")
	head("ground", "paragraph", "effect", "text")
	for _, g := range e.refusals {
		row("`"+g.ID+"`", g.Paragraph, g.Effect, g.Text)
	}

	w("\n## Objects of attestation\n\n")
	head("kind", "title", "paragraph", "attestation", "industrial operation needs a certificate", "certificate valid")
	for _, k := range e.kinds {
		att := "voluntary"
		if k.Mandatory {
			att = "mandatory"
		}
		valid := "period of industrial operation"
		if k.ValidityStep != "" {
			if p, err := e.Period(k.ValidityStep); err == nil {
				valid = fmt.Sprintf("%s (`%s`, %s)", p.Limit(), p.Step, p.Paragraph)
			}
		}
		row("`"+k.ID+"`", k.Title, k.Paragraph, att, yesNo(k.OperationRequiresCertificate), valid)
	}
	w("\n### Exemptions from mandatory attestation\n\n")
	if len(e.exemptions) == 0 {
		w("None.\n")
	} else {
		head("exemption", "paragraph", "text", "kinds")
		for _, x := range e.exemptions {
			row("`"+x.ID+"`", x.Paragraph, x.Text, strings.Join(codes(x.Kinds), ", "))
		}
	}
	w("\n### Exclusions\n\n")
	head("exclusion", "paragraph", "text")
	for _, x := range e.exclusions {
		row("`"+x.ID+"`", x.Paragraph, x.Text)
	}
	w("\n### Obligations of the owner\n\n")
	head("obligation", "paragraph", "text", "binds", "period")
	for _, o := range e.obligations {
		binds := "every object"
		if o.MandatoryOnly {
			binds = "mandatory objects"
		}
		if len(o.ExceptKinds) > 0 {
			binds += " except " + strings.Join(codes(o.ExceptKinds), ", ")
		}
		row("`"+o.ID+"`", o.Paragraph, o.Text, binds, "`"+o.Step+"`")
	}

	w("\n## Certificate\n\n")
	w("Validity (%s): %s\n\n", e.validity.Paragraph, e.validity.Text)
	example, _ := e.CertificateNumber(2025, 42)
	w("Numbering (%s): `%s`, the sequence zero-padded to %d digits and restarting every year; the 42nd certificate of 2025 is `%s`.\n\n",
		e.numbering.Paragraph, e.numbering.Pattern, e.numbering.SeqWidth, example)
	w("### Recall grounds\n\n")
	head("no.", "ground", "paragraph", "text", "applies to")
	for _, g := range e.recalls {
		to := "every object"
		if g.MandatoryOnly {
			to = "mandatory objects"
		}
		if len(g.Kinds) > 0 {
			to = strings.Join(codes(g.Kinds), ", ")
		}
		row(fmt.Sprint(g.Number), "`"+g.ID+"`", g.Paragraph, g.Text, to)
	}
	e.signaturesMarkdown(w, head, row)
	w("%s", codeRules())

	w("\n## Rules applied with these figures\n\n")
	head("paragraph", "rule")
	for _, r := range procedureRules {
		row(r[0], r[1])
	}

	for _, o := range compare {
		w("\n## Edition `%s`\n\n", o.id)
		w("%s. It applies to filings from %s. It differs from `%s` in these fields of its file (`internal/policy/editions/%s.yaml`):\n\n",
			o.title, o.appliesFrom.Format("2006-01-02"), e.id, o.id)
		head("field", e.id, o.id)
		for _, d := range Diff(e, o) {
			row("`"+d.Path+"`", d.From, d.To)
		}
	}
	return b.Bytes()
}

func (m Margin) describe() string {
	return Period{Amount: m.Amount, Unit: m.Unit}.Limit()
}

func (e *Edition) periodNotes(p Period) string {
	var notes []string
	if p.OfficeReceipt {
		notes = append(notes, "counts from the office's receipt (office hours)")
	}
	if p.Unit != WorkingDays {
		if p.NextWorkingDay {
			notes = append(notes, "a last day that is a day off moves to the next working day")
		} else {
			notes = append(notes, "not moved off a day off")
		}
	}
	if p.Replaces != "" {
		notes = append(notes, fmt.Sprintf("replaces `%s` when `%s`", p.Replaces, p.If))
	}
	if p.Extends != "" {
		if base, err := e.Period(p.Extends); err == nil {
			notes = append(notes, fmt.Sprintf("extends `%s`: %s in all", p.Extends, Period{Amount: base.Amount + p.Amount, Unit: p.Unit}.Limit()))
		}
	}
	if len(p.Requires) > 0 {
		notes = append(notes, "taken on "+strings.Join(codes(p.Requires), ", "))
	}
	if p.StartWithinDays > 0 {
		notes = append(notes, fmt.Sprintf("a start the contract states is not before the signature nor more than %d calendar days after it (project bound, `start_within_days`)", p.StartWithinDays))
	}
	if p.Note != "" {
		notes = append(notes, p.Note)
	}
	if len(notes) == 0 {
		return "—"
	}
	return strings.Join(notes, "; ")
}

func windows(ws []Window) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = w.From + "-" + w.To
	}
	return strings.Join(parts, " and ")
}

func applies(r PackageRule) string {
	var parts []string
	if r.If != "" {
		parts = append(parts, "if `"+r.If+"`")
	}
	if r.Unless != "" {
		parts = append(parts, "unless `"+r.Unless+"`")
	}
	if len(parts) == 0 {
		return "always"
	}
	return strings.Join(parts, ", ")
}

func codes(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = "`" + id + "`"
	}
	return out
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// cell escapes a table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}

// procedureRules are the rules the procedure applies with the edition's figures, by paragraph,
// as docs/policy.md lists them.
var procedureRules = [][2]string{
	{"§17, §31, §42, §46", "Periods that run from the applicant's receipt count from one moment (attestation.ReceivedAt): online, the moment the sending is recorded; at the office, the recorded hand-over."},
	{"§25, §28, §38", "The certificate's number, register entry and PDF are the authority's alone until the authority sends them with the act; the owner's receipt is then recorded in the register (task OwnerReceivesTheCertificate)."},
	{"§42", "The monitoring year runs from the owner's receipt of the certificate, not from the decision."},
	{"§16", "The STS reads a case only once the authority forwarded it."},
	{"§19", "Only an information system is geographically distributed (flag `geographically_distributed`, kinds above); the contract's stated entry into force is bounded (`start_within_days`)."},
	{"§29", "The register records the developer: taken from the registered object the filing names, or given (`object.developer`); a filing with neither is refused."},
	{"standard §13", "Anyone with the receipt number reads the stage and the next due moment, and nothing else (GET /status/{caseId})."},
	{"§44, §45(4)", "A decision that re-attestation is required obliges the owner to apply again (obligation `reattestation`, no period, met by a later certificate) and lists the certificate for the authority's recall on `changed_conditions`."},
	{"§45(2)", "The owner applies for the recall through its own route (POST …/recall-application); the authority then decides on `owner_application`."},
}

//go:embed notes/*.md
var noteFiles embed.FS

// codeRules is the rules kept in code rather than in an edition file (complaints, the survey's
// content, which edition applies), one Markdown file each under notes/, in name order, under one
// heading; "" when there are none.
func codeRules() string {
	names, err := fs.Glob(noteFiles, "notes/*.md")
	if err != nil || len(names) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n## Rules kept in code\n\n")
	b.WriteString("These rules are not figures of an edition file: the code holds them, and each names its paragraph and its test.\n")
	for _, n := range names {
		text, err := noteFiles.ReadFile(n)
		if err != nil {
			continue
		}
		b.WriteString("\n")
		b.Write(text)
	}
	return b.String()
}
