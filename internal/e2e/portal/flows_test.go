package portal

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"attestation/internal/localstack"
)

// start opens the portal in a fresh browser in lang, on the sign-in page.
func start(t *testing.T, lang string) *page {
	t.Helper()
	p := &page{t: t, ctx: browser(t), l: dictionary(t, lang)}
	if err := chromedp.Do(p.ctx, chromedp.Navigate(stack.APIURL+localstack.PortalPath)); err != nil {
		t.Fatal(err)
	}
	p.press(p.l.L("lang." + lang))
	p.see(p.l.L("signin.title"))
	return p
}

// TestPortalReturnWithReasonsPar15: in Kazakh, a filing whose receipt keeps failing waits in the
// authority's attention queue and is resumed from the case page with reasons (another is closed as
// unrecoverable); the authority returns the application at the
// completeness check with two reasons (§15, standard §10), one a line of the form; the applicant
// sees the application returned and each reason on its timeline. The same applicant then sends its
// annual plan (§11, Annex 1), late in October, and files a complaint about the return with the
// authority for the quality of state services (standard §11), which answers it, and a second with
// the service provider (the list then follows the cursor, one a page); it registers its contacts
// for messages; the authority reads its oversight reports (§4, §11).
func TestPortalReturnWithReasonsPar15(t *testing.T) {
	built(t)
	p := start(t, "kk")
	l := p.l
	object := "Portal returned kk"
	handedBack(p, object)
	reasons := []string{"5-қосымшадағы жабдықтар тізімінде IP мекенжайлары көрсетілмеген", "Желі схемасына қол қойылмаған"}
	staffStep(p, "authority", object, l.L("outcome.return"), func() {
		p.fill(l.L("step.reasons"), reasons[0]+"\n"+reasons[1])
	})
	openCase(p, object)
	p.see(l.L("stage.returned"))
	for _, r := range reasons {
		p.see(r)
	}
	if eval[bool](p, `!!document.querySelector("form.step-form")`) {
		t.Fatal("§15: a returned application still offers a step")
	}
	p.axe("a returned application")

	// §11, Annex 1: the list of the year, due on Monday 2 March 2026 (March 1 is a Sunday), sent in
	// October: late.
	p.press(l.L("nav.plan"))
	p.see(l.L("plan.none", "year", 2026))
	p.press(l.L("plan.addRow"))
	p.choose(l.L("cases.object"), object)
	// A date outside the list's year is refused (422): the problem's type has its Kazakh title, and
	// its field and paragraph stand under Kazakh headings, the field by the form's own label.
	p.fill(l.L("plan.plannedDate"), "2025-11-16")
	p.press(l.L("plan.send"))
	p.see(l.L("problem.invalid-request") + " (422)")
	for _, h := range []string{l.L("problem.field"), l.L("problem.paragraph"), l.L("problem.what"),
		l.L("draft.row", "n", 1) + " · " + l.L("plan.plannedDate") + " rows[0].plannedDate", "§11, Annex 1"} {
		p.see(h)
	}
	p.axe("a refusal with its field problems")
	p.fill(l.L("plan.plannedDate"), "2026-11-16")
	p.press(l.L("plan.send"))
	p.see(l.L("plan.late"))
	p.see(l.L("plan.revision"))
	p.axe("the annual plan")
	p.screenshot("portal-annual-plan-kk.png")

	// Standard §11: a complaint about the return to the authority for the quality of state services.
	subject := "Өтінім негізсіз қайтарылды деп санаймыз"
	p.press(l.L("nav.complaints"))
	p.press(l.L("addressee.quality_authority"))
	p.fill(l.L("complaints.subject"), subject)
	p.choose(l.L("complaints.case"), object)
	p.press(l.L("complaints.fileButton"))
	p.see(subject)
	p.see(l.L("complaintStatus.registered"))
	p.see(l.L("due.daysLeft", "n", 15))
	p.axe("the complaints (applicant)")
	// A second complaint, with the service provider (5 working days): the list has two pages of one.
	second := "Шарт жобасы кешігіп жіберілді"
	p.press(l.L("addressee.service_provider"))
	p.fill(l.L("complaints.subject"), second)
	p.press(l.L("complaints.fileButton"))
	p.see(second)
	p.see(l.L("due.daysLeft", "n", 5))

	// The organisation's contacts: where its messages are mailed and in which language.
	p.press(l.L("nav.contacts"))
	p.fill(l.L("contacts.addresses"), "security@example.kz\nit@example.kz")
	p.choose(l.L("contacts.language"), l.L("lang.ru"))
	p.press(l.L("contacts.save"))
	p.see(before(l.L("contacts.saved")))
	p.axe("the contacts")
	p.press(l.L("nav.messages"))
	p.press(l.L("nav.contacts"))
	p.until("the contacts read again", "control("+js(l.L("contacts.addresses"))+")?.value === "+js("security@example.kz\nit@example.kz")+
		" && control("+js(l.L("contacts.language"))+")?.value === \"ru\"")
	p.signOut()

	answer := "Қайтару негізді: 5-қосымша толық емес"
	p.signIn("quality_authority")
	p.see(subject)
	p.fill(l.L("complaints.answer"), answer)
	p.choose(l.L("complaints.outcome"), l.L("complaintOutcome.rejected"))
	p.axe("the complaints (quality authority)")
	p.press(l.L("complaints.decideButton"))
	p.see(answer)
	p.screenshot("portal-complaints-kk.png")
	p.signOut()

	// One complaint a page: the other comes with the next page, through the cursor.
	p.signInPaged("applicant", 1)
	p.press(l.L("nav.complaints"))
	if n := p.shown(); n != 1 {
		t.Fatalf("the complaints show %d, want a page of 1", n)
	}
	if n := p.allPages(); n != 2 {
		t.Fatalf("the complaints' pages hold %d, want 2", n)
	}
	p.see(answer)
	p.see(l.L("complaintStatus.considered"))
	p.signOut()

	p.signIn("authority")
	p.press(l.L("nav.oversight"))
	p.see(l.L("oversight.operation"))
	p.see(before(l.L("oversight.plannedWithout")))
	p.axe("the oversight reports")
	p.signOut()
}

// registerFunction is the function that records a filing's receipt (functions/register-application).
const registerFunction = "register-application"

// handedBack files object and one more package while recording their receipt keeps failing past
// the definition's retries (the local stack's fault switch: the test's setting, like its clock),
// so both wait in the authority's queue as needing attention. The authority closes the second as
// unrecoverable with its reasons (it ends discontinued) and, the cause fixed, resumes object with
// its reasons: its receipt is recorded and its completeness check opens. It ends signed out.
func handedBack(p *page, object string) {
	p.t.Helper()
	l, t := p.l, p.t
	if err := stack.InjectFault(registerFunction, 100); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stack.InjectFault(registerFunction, 0) })
	closed := object + ", discontinued"
	for _, o := range []string{object, closed} {
		draftAndFile(p, o)
		p.signOut()
	}

	p.signIn("authority")
	p.choose(l.L("queue.step"), l.L("step.case_needs_attention"))
	deadline := time.Now().Add(60 * time.Second)
	for !eval[bool](p, "norm(document.body.innerText).includes("+js(object)+") && norm(document.body.innerText).includes("+js(closed)+")") {
		if time.Now().After(deadline) {
			t.Fatalf("the cases never came to the attention queue:\n%s", eval[string](p, "document.body.innerText"))
		}
		eval[bool](p, "press("+js(l.L("queue.refresh"))+")")
		time.Sleep(300 * time.Millisecond)
	}
	p.see(l.L("term.title")) // standard §4: each item's service term
	p.axe("the attention queue")
	p.press(closed)
	p.see(l.L("attention.title"))
	p.see("TransientError")
	p.axe("a case that needs attention")
	reason := "Тіркеу қызметі қалпына келмейді"
	p.fill(l.L("attention.closeReasons"), reason)
	p.press(l.L("attention.closeButton"))
	p.see(l.L("stage.discontinued"))
	p.see(reason)

	if err := stack.InjectFault(registerFunction, 0); err != nil { // the cause is fixed
		t.Fatal(err)
	}
	p.press(l.L("nav.queue"))
	p.choose(l.L("queue.step"), l.L("step.case_needs_attention"))
	p.press(object)
	p.see(l.L("attention.title"))
	p.fill(l.L("attention.resumeReasons"), "Тіркеу қызметі қалпына келтірілді")
	p.press(l.L("attention.resumeButton"))
	p.see(l.L("step.formTitle", "step", l.L("step.completeness_check")))
	p.signOut()
}
