package portal

import (
	"testing"

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

// TestPortalReturnWithReasonsPar15: in Kazakh, the authority returns a filed application at the
// completeness check with two reasons (§15, standard §10), one a line of the form; the applicant
// sees the application returned and each reason on its timeline. The same applicant then sends its
// annual plan (§11, Annex 1), late in October, and files a complaint about the return with the
// authority for the quality of state services (standard §11), which answers it; the authority reads
// its oversight reports (§4, §11).
func TestPortalReturnWithReasonsPar15(t *testing.T) {
	built(t)
	p := start(t, "kk")
	l := p.l
	object := "Portal returned kk"
	fileCase(p, object)
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

	p.signIn("applicant")
	p.press(l.L("nav.complaints"))
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
