package notice

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// The texts of the notifications are data (texts/texts.json): by kind, in Kazakh, Russian and
// English, each naming the case, the step, the paragraph and the due moment in Asia/Almaty time.

// Language is a language the texts are kept in.
type Language string

// The languages of the texts.
const (
	Kazakh  Language = "kk"
	Russian Language = "ru"
	English Language = "en"
)

// Valid reports whether l is one of the texts' languages.
func (l Language) Valid() bool { return l == Kazakh || l == Russian || l == English }

//go:embed texts/texts.json
var textsJSON []byte

type texts struct {
	Subject map[Language]string `json:"subject"`
	Due     map[Language]string `json:"due"`
	// StartsAtHandOver and HandedOver: a paper case's period from the hand-over at the office.
	StartsAtHandOver map[Language]string          `json:"startsAtHandOver"`
	HandedOver       map[Language]string          `json:"handedOver"`
	Footer           map[Language]string          `json:"footer"`
	Kinds            map[Kind]map[Language]string `json:"kinds"`
}

var loadTexts = sync.OnceValues(func() (texts, error) {
	var t texts
	if err := json.Unmarshal(textsJSON, &t); err != nil {
		return texts{}, fmt.Errorf("notification texts: %w", err)
	}
	return t, nil
})

var almaty = sync.OnceValues(func() (*time.Location, error) { return time.LoadLocation("Asia/Almaty") })

// Mail is a notification as an e-mail.
type Mail struct {
	Subject string
	Body    string
}

// Render writes n as a mail in lang (Russian when lang is not one of the texts').
func Render(n Notification, lang Language) (Mail, error) {
	t, err := loadTexts()
	if err != nil {
		return Mail{}, err
	}
	if !lang.Valid() {
		lang = Russian
	}
	loc, err := almaty()
	if err != nil {
		return Mail{}, fmt.Errorf("notification texts: %w", err)
	}
	what, ok := t.Kinds[n.Kind][lang]
	if !ok {
		what = t.Kinds["default"][lang]
	}
	due, handed := "", ""
	if n.DueAt != nil {
		due = n.DueAt.In(loc).Format("2006-01-02 15:04:05")
	}
	if n.HandedOverAt != nil {
		handed = n.HandedOverAt.In(loc).Format("2006-01-02 15:04:05")
	}
	r := strings.NewReplacer("{case}", n.CaseID, "{object}", n.Object, "{step}", dash(n.Step), "{paragraph}", dash(n.Paragraph),
		"{due}", due, "{handedOver}", handed, "{outcome}", n.Outcome, "{days}", strconv.Itoa(n.DaysLeft),
		"{certificate}", prefixed(n.CaseID, n.Certificate), "{complaint}", prefixed(n.CaseID+n.Certificate, n.Complaint))
	what = r.Replace(what)
	subject := strings.NewReplacer("{what}", what).Replace(r.Replace(t.Subject[lang]))
	lines := []string{capitalized(what) + "."}
	if reminds, ok := t.Kinds[n.Reminds][lang]; ok && n.Kind == Reminder {
		lines = append(lines, capitalized(r.Replace(reminds))+".") // what the reminder is of
	}
	if handed != "" {
		lines = append(lines, r.Replace(t.HandedOver[lang]))
	}
	if due != "" {
		lines = append(lines, r.Replace(t.Due[lang]))
	}
	if n.StartsAtHandOver {
		lines = append(lines, r.Replace(t.StartsAtHandOver[lang]))
	}
	if n.Outcome != "" {
		lines = append(lines, n.Outcome)
	}
	lines = append(lines, n.Reasons...)
	lines = append(lines, r.Replace(t.Footer[lang]))
	return Mail{Subject: subject, Body: strings.Join(lines, "\n")}, nil
}

func capitalized(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// prefixed is s after a separator when before is not empty.
func prefixed(before, s string) string {
	if s == "" || before == "" {
		return s
	}
	return ", " + s
}
