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
// sees the application returned and each reason on its timeline.
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
	p.signOut()
}
