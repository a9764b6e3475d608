package httpapi

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
	"attestation/internal/identity"
	"attestation/internal/register"
)

// The public routes of the register of certificates (§29): anyone, without a token, verifies a
// certificate by its number (JSON, or a page for a person who scanned the certificate's QR code),
// reads the entry's signed history, searches the register and fetches the key that verifies it
// offline. The owner's applicants and staff fetch the certificate's PDF.

// RegisterPublicService is what the public routes of the register need
// (*register.PublicService).
type RegisterPublicService interface {
	Verify(ctx context.Context, number string, now time.Time) (register.Verification, error)
	History(ctx context.Context, number string) ([]register.PublicRevision, error)
	Search(ctx context.Context, q register.Query, now time.Time) (register.SearchPage, error)
	PublicKey(ctx context.Context) (register.PublicKey, error)
	CertificateDocument(ctx context.Context, actor identity.Actor, number string, which register.Copy) (register.StoredCopy, attestation.Presigned, error)
}

var _ RegisterPublicService = (*register.PublicService)(nil)

// CertificateNumbering makes and reads certificate numbers by the policy's rule
// (*policy.Edition).
type CertificateNumbering interface {
	CertificateNumber(year, seq int) (string, error)
	ParseCertificateNumber(s string) (year, seq int, err error)
}

// publicRegister is the service and numbering behind the public routes of the register.
type publicRegister struct {
	svc     RegisterPublicService
	numbers CertificateNumbering
}

// registerPublicRoutes are the public routes of the register, and the certificate's PDF.
func (h *Handler) registerPublicRoutes() map[string]route {
	return map[string]route{
		"GET /certificates/{year}/{seq}":          {roles: nil, handle: h.verifyCertificate},
		"GET /certificates/{year}/{seq}/history":  {roles: nil, handle: h.certificateHistory},
		"GET /register":                           {roles: nil, handle: h.searchRegister},
		"GET /register/public-key":                {roles: nil, handle: h.registerPublicKey},
		"GET /certificates/{year}/{seq}/document": {roles: []identity.Role{identity.Applicant, identity.Authority, identity.STS}, handle: h.certificateDocument},
	}
}

// rawResponse is an answer the handler renders itself: the verification page, the public key as
// PEM, and the negotiated JSON of the same routes (which varies by Accept).
type rawResponse struct {
	contentType string
	body        []byte
}

func (r rawResponse) response(status int) events.APIGatewayV2HTTPResponse {
	h := map[string]string{"Content-Type": r.contentType, "Cache-Control": "no-store", "Vary": "Accept",
		"X-Content-Type-Options": "nosniff"}
	if strings.HasPrefix(r.contentType, "text/html") {
		h["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
		h["Referrer-Policy"] = "no-referrer"
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: status, Body: string(r.body), Headers: h}
}

// negotiatedJSON is a JSON answer of a route that also answers another type.
func negotiatedJSON(v any) (rawResponse, error) {
	b, err := json.Marshal(inUTC(v))
	if err != nil {
		return rawResponse{}, fmt.Errorf("encode answer: %w", err)
	}
	return rawResponse{contentType: "application/json", body: append(b, '\n')}, nil
}

// acceptQuality is the quality the Accept header gives the media type want (type/subtype), from
// its most specific matching range; no header accepts everything.
func acceptQuality(accept, want string) float64 {
	if strings.TrimSpace(accept) == "" {
		return 1
	}
	wantType, _, _ := strings.Cut(want, "/")
	best, bestSpec := 0.0, -1
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		spec := -1
		switch {
		case mt == want:
			spec = 2
		case mt == wantType+"/*":
			spec = 1
		case mt == "*/*":
			spec = 0
		}
		if spec < bestSpec || spec < 0 {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 && f <= 1 {
				q = f
			}
		}
		if spec > bestSpec || q > best {
			best, bestSpec = q, spec
		}
	}
	return best
}

// wantsHTML: the caller prefers an HTML page to JSON (a browser); a tie answers JSON.
func wantsHTML(r *request) bool {
	accept, _ := header(r.Headers, "Accept")
	html := acceptQuality(accept, "text/html")
	return html > 0 && html > acceptQuality(accept, "application/json")
}

//go:embed register_page.html
var registerPageHTML string

// registerPages are the register's pages, parsed on the first page asked for (not at every cold
// start of the API: about 2,000 allocations that JSON routes never use).
var registerPages = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("register").Funcs(template.FuncMap{
		"date":     func(t time.Time) string { return t.In(almatyZone()).Format("02.01.2006") },
		"datetime": func(t time.Time) string { return t.In(almatyZone()).Format("02.01.2006 15:04 UTC-07:00") },
		"deref": func(v any) any {
			switch p := v.(type) {
			case *time.Time:
				return *p
			case *bool:
				return *p
			}
			return v
		},
		"statusWords": func(s register.Status) string { return statusWords[s] },
	}).Parse(registerPageHTML))
})

// statusWords are the statuses in Kazakh, Russian and English.
var statusWords = map[register.Status]string{
	register.Valid:      "Жарамды · Действителен · Valid",
	register.Recalled:   "Кері қайтарып алынды · Отозван · Recalled",
	register.Expired:    "Мерзімі өтті · Срок действия истёк · Expired",
	register.Terminated: "Тоқтатылды · Прекращён · Terminated",
}

// almatyZone is Asia/Almaty, where the page shows dates (UTC+5 when the zone is not available).
func almatyZone() *time.Location {
	if loc, err := time.LoadLocation("Asia/Almaty"); err == nil {
		return loc
	}
	return time.FixedZone("UTC+5", 5*3600)
}

// pageData is what a page of the register shows.
type pageData struct {
	Title      string
	V          register.Verification
	HistoryURL string
	Code       string // a refusal's code word (not-found, bad-request)
	Words      string
	Detail     string
}

func renderPage(name string, d pageData) (rawResponse, error) {
	var buf bytes.Buffer
	if err := registerPages().ExecuteTemplate(&buf, name, d); err != nil {
		return rawResponse{}, fmt.Errorf("render the %s page: %w", name, err)
	}
	return rawResponse{contentType: "text/html; charset=utf-8", body: buf.Bytes()}, nil
}

// problemPage is a refusal as a page, for a browser.
func problemPage(status int, detail string) (int, any, error) {
	d := pageData{Title: "Аттестат · Аттестат · Certificate", Code: "not-found", Detail: detail,
		Words: "Тізілімде мұндай аттестат жоқ · Такого аттестата нет в реестре · No such certificate in the register"}
	if status == http.StatusBadRequest {
		d.Code, d.Words = "bad-request", "Аттестат нөмірі қате · Неверный номер аттестата · Not a certificate number"
	}
	page, err := renderPage("problem", d)
	if err != nil {
		return 0, nil, err
	}
	return status, page, nil
}

// certificateNumberParam builds the certificate's number from the path's {year} and {seq}.
func (p *publicRegister) certificateNumberParam(r *request) (string, error) {
	ys, ss := r.PathParameters["year"], r.PathParameters["seq"]
	year, err := strconv.Atoi(ys)
	if len(ys) != 4 || err != nil || year < 1000 {
		return "", badRequest(apperr.Invalid, fmt.Sprintf("year: %q is not a year of four digits (YYYY)", ys))
	}
	seq, err := strconv.Atoi(ss)
	if ss == "" || len(ss) > 9 || strings.TrimLeft(ss, "0123456789") != "" || err != nil {
		return "", badRequest(apperr.Invalid, fmt.Sprintf("seq: %q is not a certificate's sequence number (digits)", ss))
	}
	number, err := p.numbers.CertificateNumber(year, seq)
	if err != nil {
		return "", badRequest(apperr.Invalid, "seq: "+err.Error())
	}
	return number, nil
}

// certificateError turns the service's not-found into this API's 404 for a certificate: one body
// for every certificate a caller may not see.
func certificateError(err error) error {
	if errors.Is(err, attestation.ErrNotFound) {
		return badRequest(apperr.NotFound, "no such certificate in the register")
	}
	return err
}

// verifyCertificate: GET /certificates/{year}/{seq}, public. The verification as JSON, or as a
// page when the caller prefers HTML (a person who scanned the certificate's QR code).
func (h *Handler) verifyCertificate(ctx context.Context, r *request) (int, any, error) {
	p := h.registerPublic
	html := wantsHTML(r)
	number, err := p.certificateNumberParam(r)
	if err != nil {
		if html {
			pub := apperr.PublicOf(err)
			return problemPage(pub.Status, pub.Detail)
		}
		return 0, nil, err
	}
	v, err := p.svc.Verify(ctx, number, r.now)
	if err != nil {
		if html && errors.Is(err, attestation.ErrNotFound) {
			return problemPage(http.StatusNotFound, "№ "+number)
		}
		return 0, nil, certificateError(err)
	}
	if html {
		page, err := renderPage("verification", pageData{Title: "№ " + v.Number + " · " + string(v.Status), V: v,
			HistoryURL: r.RawPath + "/history"})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, page, nil
	}
	body, err := negotiatedJSON(v)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, body, nil
}

// CertificateHistory is an entry's signed revisions, oldest first.
type CertificateHistory struct {
	Number    string                    `json:"number"`
	Revisions []register.PublicRevision `json:"revisions"`
}

// certificateHistory: GET /certificates/{year}/{seq}/history, public.
func (h *Handler) certificateHistory(ctx context.Context, r *request) (int, any, error) {
	p := h.registerPublic
	number, err := p.certificateNumberParam(r)
	if err != nil {
		return 0, nil, err
	}
	revs, err := p.svc.History(ctx, number)
	if err != nil {
		return 0, nil, certificateError(err)
	}
	return http.StatusOK, CertificateHistory{Number: number, Revisions: revs}, nil
}

// searchRegister: GET /register, public: by number, objectName, ownerBin and status, paged.
func (h *Handler) searchRegister(ctx context.Context, r *request) (int, any, error) {
	p := h.registerPublic
	q, problems := register.ParseQuery(r.QueryStringParameters, func(s string) error {
		_, _, err := p.numbers.ParseCertificateNumber(s)
		return err
	})
	if len(problems) > 0 {
		var parts []string
		for _, pr := range problems {
			parts = append(parts, pr.Field+": "+pr.Message)
		}
		return 0, nil, badRequest(apperr.Invalid, strings.Join(parts, "; "))
	}
	page, err := p.svc.Search(ctx, q, r.now)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, page, nil
}

// registerPublicKey: GET /register/public-key, public: the PEM, or JSON when the caller asks for
// application/json.
func (h *Handler) registerPublicKey(ctx context.Context, r *request) (int, any, error) {
	p := h.registerPublic
	k, err := p.svc.PublicKey(ctx)
	if err != nil {
		return 0, nil, err
	}
	accept, _ := header(r.Headers, "Accept")
	if j := acceptQuality(accept, "application/json"); j > 0 && j > acceptQuality(accept, "application/x-pem-file") {
		body, err := negotiatedJSON(k)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, body, nil
	}
	return http.StatusOK, rawResponse{contentType: "application/x-pem-file", body: []byte(k.PEM)}, nil
}

// CertificateDocumentLink is one stored document of a certificate (the certificate as issued, its
// latest duplicate, or the copy of a recall decision), pinned to its version, and the request that
// downloads that version.
type CertificateDocumentLink struct {
	Copy     register.Copy         `json:"copy"`
	IssuedAt time.Time             `json:"issuedAt"`
	Document register.Document     `json:"document"`
	Get      attestation.Presigned `json:"get"`
}

// certificateDocument: GET /certificates/{year}/{seq}/document[?copy=…], for the owner's
// applicants and staff.
func (h *Handler) certificateDocument(ctx context.Context, r *request) (int, any, error) {
	p := h.registerPublic
	number, err := p.certificateNumberParam(r)
	if err != nil {
		return 0, nil, err
	}
	which := register.Copy(r.QueryStringParameters["copy"])
	if which == "" {
		which = register.CopyCurrent
	}
	if !slices.Contains(register.Copies, which) {
		return 0, nil, badRequest(apperr.Invalid, fmt.Sprintf("copy: %q is not a copy of a certificate; one of %v", which, register.Copies))
	}
	c, link, err := p.svc.CertificateDocument(ctx, r.actor, number, which)
	if nc := (*register.NoCopyError)(nil); errors.As(err, &nc) {
		return 0, nil, badRequest(apperr.NotFound, "certificate "+number+": "+nc.Reason)
	}
	if err != nil {
		return 0, nil, certificateError(err)
	}
	return http.StatusOK, CertificateDocumentLink{Copy: c.Copy, IssuedAt: c.IssuedAt, Document: c.Document, Get: link}, nil
}
