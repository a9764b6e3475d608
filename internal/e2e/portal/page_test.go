package portal

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// helpers find controls the way a person does: by the text of their label, button or link.
const helpers = `
const norm = (s) => (s || "").replace(/\s+/g, " ").trim();
const scopeOf = (within) => within ? [...document.querySelectorAll("li,section,form,article")].find((x) => x.querySelector("h2") && norm(x.querySelector("h2").textContent) === within) : document;
const control = (label, within) => {
  const scope = scopeOf(within);
  if (!scope) return null;
  const l = [...scope.querySelectorAll("label")].find((x) => norm(x.textContent) === label);
  if (!l) return null;
  return l.htmlFor ? document.getElementById(l.htmlFor) : l.querySelector("input,select,textarea");
};
const fill = (label, value, within) => {
  const el = control(label, within);
  if (!el) return false;
  const proto = el instanceof HTMLSelectElement ? HTMLSelectElement.prototype : el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(proto, "value").set.call(el, value);
  el.dispatchEvent(new Event("input", { bubbles: true }));
  el.dispatchEvent(new Event("change", { bubbles: true }));
  return true;
};
const choose = (label, text, within) => {
  const el = control(label, within);
  const o = el && [...el.options].find((x) => norm(x.textContent) === text || norm(x.textContent).startsWith(text + " ("));
  return !!o && fill(label, o.value, within);
};
const seeIn = (text, within) => {
  const scope = scopeOf(within);
  return !!scope && norm(scope.innerText).includes(text);
};
const press = (text, within) => {
  const scope = scopeOf(within);
  if (!scope) return false;
  const el = [...scope.querySelectorAll("button,a,label")].find((x) => norm(x.textContent) === text && !x.disabled);
  if (!el) return false;
  el.click();
  return true;
};
`

// page is one person's browser tab on the portal, in one language.
type page struct {
	t   *testing.T
	ctx context.Context
	l   labels
}

func js(v any) string { b, _ := json.Marshal(v); return string(b) }

// eval runs expr with the helpers in scope and answers its value.
func eval[T any](p *page, expr string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T]("(() => {"+helpers+"return ("+expr+");})()"))
	if err != nil {
		p.t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// until waits until cond (a JavaScript expression) holds, or fails naming what it waited for. The
// page itself tries cond every 20 ms (a timer's task, as a person's next look would be), so the
// test acts as soon as the page is ready, without a round trip to the browser for each look; an
// error thrown by cond fails the test at once.
func (p *page) until(what, cond string) {
	p.t.Helper()
	const limit = 45 * time.Second
	held, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](`new Promise((resolve, reject) => {
`+helpers+`
  const deadline = Date.now() + `+strconv.FormatInt(limit.Milliseconds(), 10)+`;
  const look = () => {
    try {
      if (`+cond+`) return resolve(true);
    } catch (e) {
      return reject(e);
    }
    if (Date.now() > deadline) return resolve(false);
    setTimeout(look, 20);
  };
  look();
})`, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("waiting for %s (%s): %v", what, cond, err)
	}
	if !held {
		body := eval[string](p, "document.body.innerText")
		p.t.Fatalf("waited %v for %s; the page reads:\n%s", limit, what, body)
	}
}

// see waits until the page shows text.
func (p *page) see(text string) {
	p.t.Helper()
	p.until(fmt.Sprintf("%q on the page", text), "norm(document.body.innerText).includes("+js(text)+")")
}

// press clicks the enabled button, link or label reading text, once it is there.
func (p *page) press(text string) {
	p.t.Helper()
	p.until(fmt.Sprintf("a button or link %q", text), "press("+js(text)+")")
}

// pressIn clicks text inside the card headed heading.
func (p *page) pressIn(heading, text string) {
	p.t.Helper()
	p.until(fmt.Sprintf("%q under %q", text, heading), "press("+js(text)+", "+js(heading)+")")
}

// fill types value into the field labelled label.
func (p *page) fill(label, value string) {
	p.t.Helper()
	p.until(fmt.Sprintf("a field labelled %q", label), "fill("+js(label)+", "+js(value)+")")
}

// fillIn types value into the field labelled label inside the card headed heading.
func (p *page) fillIn(heading, label, value string) {
	p.t.Helper()
	p.until(fmt.Sprintf("a field labelled %q under %q", label, heading), "fill("+js(label)+", "+js(value)+", "+js(heading)+")")
}

// choose picks the option reading text in the list labelled label.
func (p *page) choose(label, text string) {
	p.t.Helper()
	p.until(fmt.Sprintf("an option %q of %q", text, label), "choose("+js(label)+", "+js(text)+")")
}

// chooseIn picks the option reading text in the list labelled label inside the card headed heading.
func (p *page) chooseIn(heading, label, text string) {
	p.t.Helper()
	p.until(fmt.Sprintf("an option %q of %q under %q", text, label, heading), "choose("+js(label)+", "+js(text)+", "+js(heading)+")")
}

// seeIn waits until the card headed heading shows text.
func (p *page) seeIn(heading, text string) {
	p.t.Helper()
	p.until(fmt.Sprintf("%q under %q", text, heading), "seeIn("+js(text)+", "+js(heading)+")")
}

// attach chooses file in the file input labelled label.
func (p *page) attach(label, file string) {
	p.t.Helper()
	p.see(label)
	sel := chromedp.Search(fmt.Sprintf(`//input[@id=//label[normalize-space(.)=%s]/@for]`, xpathString(label)))
	if err := chromedp.Do(p.ctx, chromedp.SetUploadFiles(sel, []string{file})); err != nil {
		p.t.Fatalf("attach %s to %q: %v", file, label, err)
	}
}

func xpathString(s string) string {
	if !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	return "'" + s + "'"
}

// signIn signs in as role on the sign-in page, with the API's own page size (50) for lists.
func (p *page) signIn(role string) {
	p.t.Helper()
	p.signInPaged(role, 50)
}

// signInPaged signs in as role with perPage records a page in every list (the local sign-in's
// setting), to follow a list's cursor on few records.
func (p *page) signInPaged(role string, perPage int) {
	p.t.Helper()
	p.press(p.l.L("role." + role))
	p.fill(p.l.L("signin.pageSize"), strconv.Itoa(perPage))
	p.press(p.l.L("signin.button"))
	p.see(p.l.L("signout"))
}

// shown is how many records the list on the page shows, as its status line reads ("Shown: 3").
func (p *page) shown() int {
	p.t.Helper()
	re := regexp.MustCompile(regexp.QuoteMeta(before(p.l.L("list.shown"))) + ` (\d+)`)
	p.until("a list's status line", "norm(document.body.innerText).includes("+js(before(p.l.L("list.shown")))+")")
	m := re.FindStringSubmatch(eval[string](p, "norm(document.body.innerText)"))
	if m == nil {
		p.t.Fatalf("no %q on the page", p.l.L("list.shown"))
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// more presses "Show more" and waits until the list shows more records than before: the next
// page, read with the cursor the last one answered.
func (p *page) more() int {
	p.t.Helper()
	n := p.shown()
	p.press(p.l.L("list.more"))
	deadline := time.Now().Add(45 * time.Second)
	for p.shown() <= n {
		if time.Now().After(deadline) {
			p.t.Fatalf("the next page never came: still %d shown", n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return p.shown()
}

// allPages presses "Show more" until the list offers no next page (the last may come empty: a
// cursor says more may remain, not that it does) and answers how many records it shows.
func (p *page) allPages() int {
	p.t.Helper()
	enabled := `[...document.querySelectorAll("button")].some((b) => norm(b.textContent) === ` + js(p.l.L("list.more")) + ` && !b.disabled)`
	for i := 0; p.hasMore(); i++ {
		if i == 50 {
			p.t.Fatal("more than 50 pages")
		}
		n := p.shown()
		p.press(p.l.L("list.more"))
		pressed := time.Now()
		for p.hasMore() && p.shown() == n && (time.Since(pressed) < 1500*time.Millisecond || !eval[bool](p, enabled)) {
			if time.Since(pressed) > 45*time.Second {
				p.t.Fatal("the next page never came")
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return p.shown()
}

// hasMore reports whether the list offers a next page.
func (p *page) hasMore() bool {
	p.t.Helper()
	return eval[bool](p, `[...document.querySelectorAll("button")].some((b) => norm(b.textContent) === `+js(p.l.L("list.more"))+`)`)
}

// sign signs the file as the local signer (applicant, sts, authority) with the local stack's test
// CA (POST /_local/sign: preparing a file, not acting) and writes the detached signature beside
// it, file + ".p7s".
func sign(t *testing.T, signer, file string) string {
	t.Helper()
	content, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]string{"signer": signer, "content": base64.StdEncoding.EncodeToString(content)})
	resp, err := http.Post(stack.APIURL+"/_local/sign", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Signature, Error string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("sign %s as %s: %d %v %s", file, signer, resp.StatusCode, err, out.Error)
	}
	p7s, err := base64.StdEncoding.DecodeString(out.Signature)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file+".p7s", p7s, 0o644); err != nil {
		t.Fatal(err)
	}
	return file + ".p7s"
}

func (p *page) signOut() {
	p.t.Helper()
	p.press(p.l.L("signout"))
	p.see(p.l.L("signin.title"))
}

// pdf writes a small PDF named name into dir.
func pdf(t *testing.T, dir, name string) string {
	t.Helper()
	f := filepath.Join(dir, name+".pdf")
	if err := os.WriteFile(f, fmt.Appendf(nil, "%%PDF-1.4\n%% %s %d\n%%%%EOF\n", name, time.Now().UnixNano()), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// violation is one rule axe-core found broken.
type violation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// axeRun runs axe-core (web/node_modules, pinned by web/package-lock.json) on the page against
// WCAG 2.1 A and AA and answers its violations. The library (half a megabyte of script) is loaded
// into a document once: the portal is one page, so a flow's later checks find it there.
func (p *page) axeRun(where string) []violation {
	p.t.Helper()
	if !eval[bool](p, `typeof axe === "object" && typeof axe.run === "function"`) {
		src, err := os.ReadFile(filepath.Join(root, "web", "node_modules", "axe-core", "axe.min.js"))
		if err != nil {
			p.t.Fatalf("axe-core is not installed (make web installs it): %v", err)
		}
		if _, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](string(src)+";true")); err != nil {
			p.t.Fatalf("load axe-core: %v", err)
		}
	}
	vs, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]violation](
		`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}).then((r) => r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({target: n.target}))})))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("axe on %s: %v", where, err)
	}
	return vs
}

// axe fails on any violation of serious or critical impact on the page.
func (p *page) axe(where string) {
	p.t.Helper()
	vs := p.axeRun(where)
	p.t.Logf("axe, %s: %d violations of minor or moderate impact at most", where, len(vs))
	for _, v := range vs {
		if v.Impact == "serious" || v.Impact == "critical" {
			p.t.Errorf("axe, %s: %s (%s): %s at %v", where, v.ID, v.Impact, v.Help, v.Nodes)
		}
	}
}

// screenshot writes the page as PNG to docs/<name> when UPDATE_SCREENSHOTS is set.
func (p *page) screenshot(name string) {
	p.t.Helper()
	if os.Getenv("UPDATE_SCREENSHOTS") == "" {
		return
	}
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "docs", name), png, 0o644); err != nil {
		p.t.Fatal(err)
	}
}
