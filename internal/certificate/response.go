package certificate

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Response is the reasoned response to an applicant whose application is returned (§15) or whose
// certificate is refused (§27(2), §32, §37): the standard's §6 asks for a reasoned answer naming
// its grounds (standard §10). It prints like the copy of a recall decision: a section in each
// language, Kazakh, Russian, English.
type Response struct {
	CaseID        string
	Decision      string // return | refuse
	Paragraph     string // e.g. §15, standard §10
	ObjectName    string
	ApplicantName string
	ApplicantID   string // BIN; empty for an individual
	Grounds       []string
	Reasons       []string
	DecidedAt     time.Time
	DecidedBy     string
}

// The refusal grounds of the policy (standard §10, §12) the response words in each language.
var responseGrounds = []string{"incomplete_package", "expired_documents", "inaccurate_documents", "noncompliance_with_rules", "after_application_window"}

// Validate checks that the response has what it prints.
func (r Response) Validate() error {
	if almatyErr != nil {
		return fmt.Errorf("reasoned response: time zone of Kazakhstan: %w", almatyErr)
	}
	v := &checker{}
	v.name("caseId", r.CaseID, maxNameLength)
	if r.Decision != "return" && r.Decision != "refuse" {
		v.add("decision", "want return or refuse")
	}
	v.optional("paragraph", r.Paragraph, maxNameLength)
	v.name("objectName", r.ObjectName, maxNameLength)
	v.name("applicantName", r.ApplicantName, maxNameLength)
	v.optional("applicantId", r.ApplicantID, maxNameLength)
	if len(r.Grounds) == 0 || len(r.Grounds) > 10 {
		v.add("grounds", "one to ten grounds of standard §10")
	}
	for i, g := range r.Grounds {
		if !contains(responseGrounds, g) {
			v.add(fmt.Sprintf("grounds[%d]", i), fmt.Sprintf("unknown ground %q: one of %s (standard §10)", clip(g), strings.Join(responseGrounds, ", ")))
		}
	}
	if len(r.Reasons) > maxRecallReasons {
		v.add("reasons", fmt.Sprintf("%d reasons: at most %d", len(r.Reasons), maxRecallReasons))
	}
	for i, reason := range r.Reasons {
		v.name(fmt.Sprintf("reasons[%d]", i), reason, maxRecallReasonLength)
	}
	v.date("decidedAt", r.DecidedAt)
	v.optional("decidedBy", r.DecidedBy, maxNameLength)
	if len(v.problems) == 0 {
		return nil
	}
	return &InvalidError{Problems: v.problems}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// RenderResponse renders the reasoned response as a PDF, deterministic for the same input (its
// dates are the decision's), with the recall decision's page and sentences (recall.go).
func RenderResponse(r Response) ([]byte, error) {
	if err := r.Validate(); err != nil {
		return nil, fmt.Errorf("render the reasoned response on case %q: %w", clip(r.CaseID), err)
	}
	// The copy of a recall decision's renderer, footed with the case's number.
	rr := newRecallRenderer(RecallDecision{Certificate: r.CaseID, ObjectName: r.ObjectName, DecidedAt: r.DecidedAt}, true) // full fonts: free reasons may hold any letter
	titles := make([]string, 0, 3)
	for _, l := range Languages() {
		titles = append(titles, fill(responseLabel(l, responseTitlePrefix+r.Decision), "number", oneLine(r.CaseID)))
	}
	rr.pdf.SetTitle(strings.Join(titles, " / "), true)
	for i, l := range Languages() {
		responseSection(rr, r, l, i == 0)
	}
	var buf bytes.Buffer
	if err := rr.pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("render the reasoned response on case %s: %w", r.CaseID, err)
	}
	return buf.Bytes(), nil
}

// responseSection draws the response in the language l.
func responseSection(rr *recallRenderer, r Response, l Lang, first bool) {
	p := rr.pdf
	w := pageShort - recallLeft - recallRight
	switch {
	case first || p.GetY()+recallMinRoom > pageLong-recallBottom:
		p.AddPage()
	default:
		p.Ln(recallSeparator)
		p.SetDrawColor(150, 150, 150)
		p.SetLineWidth(0.2)
		p.Line(recallLeft, p.GetY(), recallLeft+w, p.GetY())
		p.SetDrawColor(0, 0, 0)
		p.Ln(recallSeparator)
	}
	p.SetFont(fontFamily, "B", 9)
	p.MultiCell(w, 4.2, label(l, labelAuthority), "", "C", false)
	p.Ln(1)
	p.SetFont(fontFamily, "B", 11)
	p.MultiCell(w, 5.2, fill(responseLabel(l, responseTitlePrefix+r.Decision), "number", oneLine(r.CaseID)), "", "C", false)
	p.Ln(1.5)
	rr.para(recallLabel(l, recallDecidedOn), map[string]string{"date": formatDate(l, r.DecidedAt, datePlain)})
	rr.para(recallLabel(l, recallObject), map[string]string{"name": oneLine(r.ObjectName)})
	if strings.TrimSpace(r.ApplicantID) != "" {
		rr.para(responseLabel(l, responseApplicant), map[string]string{"name": oneLine(r.ApplicantName), "id": oneLine(r.ApplicantID)})
	} else {
		rr.para(responseLabel(l, responseApplicantNoID), map[string]string{"name": oneLine(r.ApplicantName)})
	}
	rr.para(responseLabel(l, responseGroundsHead), map[string]string{"paragraph": oneLine(r.Paragraph)})
	for i, g := range r.Grounds {
		rr.hanging(strconv.Itoa(i+1)+")", responseLabel(l, responseGroundPrefix+g), true)
	}
	if len(r.Reasons) > 0 {
		rr.para(recallLabel(l, recallReasons), nil)
		for i, reason := range r.Reasons {
			rr.hanging(strconv.Itoa(i+1)+")", paragraphs(reason), false)
		}
	}
	p.Ln(1)
	rr.para(responseLabel(l, responseAgain+r.Decision), nil)
	if strings.TrimSpace(r.DecidedBy) != "" {
		rr.para(recallLabel(l, recallDecidedBy), map[string]string{"name": oneLine(r.DecidedBy)})
	}
}

// The keys of the response's own labels.
const (
	responseTitlePrefix   = "response.title."    // + return | refuse; {number}
	responseApplicant     = "response.applicant" // {name} {id}
	responseApplicantNoID = "response.applicantNoId"
	responseGroundsHead   = "response.grounds" // {paragraph}
	responseGroundPrefix  = "response.ground."
	responseAgain         = "response.again." // + return | refuse
)

var responseLabels = map[Lang]map[string]string{
	Kazakh: {
		responseTitlePrefix + "return":                    "№ {number} өтінімді қайтару туралы дәлелді жауап",
		responseTitlePrefix + "refuse":                    "№ {number} өтінім бойынша сәйкестік аттестатын беруден дәлелді бас тарту",
		responseApplicant:                                 "Өтініш беруші: {name}, БСН {id}",
		responseApplicantNoID:                             "Өтініш беруші: {name}",
		responseGroundsHead:                               "Негіздер: {paragraph}",
		responseGroundPrefix + "incomplete_package":       "Өтініш беруші стандарттың 9-тармағында көзделген құжаттар топтамасын толық ұсынбаған",
		responseGroundPrefix + "expired_documents":        "Қолданылу мерзімі өткен құжаттар ұсынылған",
		responseGroundPrefix + "inaccurate_documents":     "Ұсынылған құжаттардың және (немесе) олардағы деректердің (мәліметтердің) анық еместігі анықталды",
		responseGroundPrefix + "noncompliance_with_rules": "Өтініш берушінің және (немесе) ұсынылған материалдардың, объектілердің, деректер мен мәліметтердің Қағидалардың талаптарына сәйкес келмеуі",
		responseGroundPrefix + "after_application_window": "Өтінім ағымдағы жылдың 1 қарашасынан кейін келіп түсті",
		responseAgain + "return":                          "Анықталған кемшіліктер жойылғаннан кейін өтініш беруші өтінімді қайта жібере алады.",
		responseAgain + "refuse":                          "Бас тарту өтініш берушіні Қағидаларда белгіленген тәртіппен қайта өтініш беру құқығынан айырмайды.",
	},
	Russian: {
		responseTitlePrefix + "return":                    "Мотивированный ответ о возврате заявки № {number}",
		responseTitlePrefix + "refuse":                    "Мотивированный отказ в выдаче аттестата соответствия по заявке № {number}",
		responseApplicant:                                 "Заявитель: {name}, БИН {id}",
		responseApplicantNoID:                             "Заявитель: {name}",
		responseGroundsHead:                               "Основания: {paragraph}",
		responseGroundPrefix + "incomplete_package":       "Заявитель представил неполный пакет документов согласно перечню пункта 9 стандарта",
		responseGroundPrefix + "expired_documents":        "Представлены документы с истекшим сроком действия",
		responseGroundPrefix + "inaccurate_documents":     "Установлена недостоверность документов, представленных заявителем, и (или) данных (сведений), содержащихся в них",
		responseGroundPrefix + "noncompliance_with_rules": "Несоответствие заявителя и (или) представленных материалов, объектов, данных и сведений требованиям Правил",
		responseGroundPrefix + "after_application_window": "Заявка поступила после 1 ноября текущего года",
		responseAgain + "return":                          "После устранения выявленных недостатков заявитель вправе повторно направить заявку.",
		responseAgain + "refuse":                          "Отказ не лишает заявителя права повторно обратиться в порядке, установленном Правилами.",
	},
	English: {
		responseTitlePrefix + "return":                    "Reasoned response: application No. {number} is returned",
		responseTitlePrefix + "refuse":                    "Reasoned refusal to issue the certificate of compliance on application No. {number}",
		responseApplicant:                                 "Applicant: {name}, BIN {id}",
		responseApplicantNoID:                             "Applicant: {name}",
		responseGroundsHead:                               "Grounds: {paragraph}",
		responseGroundPrefix + "incomplete_package":       "The applicant submitted an incomplete package against the list of §9 of the standard",
		responseGroundPrefix + "expired_documents":        "Documents with an expired term were submitted",
		responseGroundPrefix + "inaccurate_documents":     "The documents submitted by the applicant, or data in them, were found to be inaccurate",
		responseGroundPrefix + "noncompliance_with_rules": "The applicant or the submitted materials, objects, data and information do not comply with the Rules",
		responseGroundPrefix + "after_application_window": "The application reached the authority after November 1 of the current year",
		responseAgain + "return":                          "Once the deficiencies are remedied the applicant may file the application again.",
		responseAgain + "refuse":                          "The refusal does not prevent the applicant from applying again in the procedure of the Rules.",
	},
}

// responseLabel returns the fixed text of key in l: the response's own, or the recall copy's.
func responseLabel(l Lang, key string) string {
	if s, ok := responseLabels[l][key]; ok {
		return s
	}
	return recallLabel(l, key)
}
