package portal

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"attestation/internal/localstack"
)

// monthNumber is how ICU writes a month it has no name for: M10.
var monthNumber = regexp.MustCompile(`\bM\d`)

// TestPortalWritesDatesInEachLanguage: the portal's date formatter (web/src/dates.ts, built alone
// into dates.js) run in the browser the tests use. Debian's headless Chromium has no Kazakh date
// data and formats kk-KZ as "2026 M10 15"; the portal writes Kazakh dates itself with the Kazakh
// month names, in Almaty time, and leaves Russian and English to Intl. Every moment is Almaty's.
func TestPortalWritesDatesInEachLanguage(t *testing.T) {
	built(t)
	p := &page{t: t, ctx: browser(t), l: dictionary(t, "en")}
	if err := chromedp.Do(p.ctx, chromedp.Navigate(stack.APIURL+localstack.PortalPath)); err != nil {
		t.Fatal(err)
	}
	p.see(p.l.L("signin.title"))
	moments := []string{"2026-10-15T05:00:00Z", "2026-12-31T19:30:00Z"}
	days := []string{"2026-03-02"}
	for m := 1; m <= 12; m++ {
		days = append(days, fmt.Sprintf("2026-%02d-15", m))
	}
	got, err := chromedp.Run(p.ctx, chromedp.Evaluate[map[string]string](`import(new URL("dates.js", document.baseURI).href).then((m) => {
		const out = {native: new Intl.DateTimeFormat("kk-KZ", {timeZone: "Asia/Almaty", dateStyle: "long"}).format(new Date("2026-10-15T05:00:00Z"))};
		for (const lang of ["kk", "ru", "en"]) {
			for (const x of `+js(moments)+`) out[lang + " moment " + x] = m.formatMoment(x, lang);
			for (const x of `+js(days)+`) out[lang + " date " + x] = m.formatDate(x, lang);
		}
		return out;
	})`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("load dates.js: %v", err)
	}
	t.Logf("this Chromium's own kk-KZ long date: %q; the portal's: %q", got["native"], got["kk date 2026-10-15"])
	kazakhMonths := []string{"қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз", "қыркүйек", "қазан", "қараша", "желтоқсан"}
	want := map[string]string{
		"kk moment 2026-10-15T05:00:00Z": "2026 ж. 15 қазан, 10:00",
		"kk moment 2026-12-31T19:30:00Z": "2027 ж. 1 қаңтар, 00:30", // past midnight in Almaty: the next year's first day
		"kk date 2026-03-02":             "2026 ж. 2 наурыз",
		"en date 2026-10-15":             "15 October 2026",
		"en moment 2026-10-15T05:00:00Z": "15 Oct 2026, 10:00",
	}
	for m, name := range kazakhMonths {
		want[fmt.Sprintf("kk date 2026-%02d-15", m+1)] = "2026 ж. 15 " + name
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %q, want %q", k, got[k], w)
		}
	}
	for _, k := range []string{"ru date 2026-10-15", "ru moment 2026-10-15T05:00:00Z"} {
		if !strings.Contains(got[k], "окт") || !strings.Contains(got[k], "2026") {
			t.Errorf("%s: %q, want the Russian month and the year", k, got[k])
		}
	}
	for k, v := range got {
		if k != "native" && (monthNumber.MatchString(v) || v == "") {
			t.Errorf("%s: %q reads like a browser without the language's data", k, v)
		}
	}
}
