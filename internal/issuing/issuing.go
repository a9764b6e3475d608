// Package issuing makes a certificate once the authority decided to issue it (§28, §38): its
// number (by the attestation service, without gaps), the certificate of Annex 7 rendered as PDF
// in Kazakh, Russian and English, the acts of the survey and of the additional survey stored
// beside it, all in the Object Lock bucket, and the certificate's entry in the register (§29),
// signed, with each document's version and SHA-256. It also renders duplicates (§48).
//
// Every step is idempotent, so a repeated delivery of the task completes what an interrupted one
// began: the number is taken once, the PDF renders to the same bytes and is written once under
// its key, and the register entry's first revision is written only if it is not there.
package issuing

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/attestation"
	"attestation/internal/certificate"
	"attestation/internal/identity"
	"attestation/internal/policy"
	"attestation/internal/register"
)

// Numbers gives a case its certificate number (attestation.Service.IssueCertificate).
type Numbers interface {
	IssueCertificate(ctx context.Context, caseID string, at time.Time) (attestation.CertificateIssue, error)
}

// Cases reads cases (the attestation case store).
type Cases interface {
	Get(ctx context.Context, id string) (attestation.Case, error)
}

// Register keeps the register's entries (dynamostore.Store).
type Register interface {
	Entry(ctx context.Context, number string) (register.Entry, error)
	PutEntry(ctx context.Context, e register.Entry, rev register.Revision) error
}

// Store reads and writes documents in a bucket (s3store.Records): the documents bucket, where
// the package and the acts were filed, and the Object Lock bucket, where certificates are kept.
type Store interface {
	Put(ctx context.Context, key, contentType string, body []byte) (attestation.Document, error)
	Open(ctx context.Context, key, versionID string) ([]byte, error)
}

// Service issues certificates.
type Service struct {
	numbers   Numbers
	cases     Cases
	reg       Register
	documents Store // the documents bucket: the package as filed, the acts as uploaded
	records   Store // the Object Lock bucket
	signer    register.Signer
	cal       policy.Calendar
	baseURL   string // the public API's address: the QR code opens <baseURL>/certificates/<year>/<seq>
	log       *slog.Logger
}

// New returns the issuing service. baseURL is the public address of the API, without a trailing
// slash.
func New(numbers Numbers, cases Cases, reg Register, documents, records Store, signer register.Signer, cal policy.Calendar, baseURL string, log *slog.Logger) *Service {
	return &Service{numbers: numbers, cases: cases, reg: reg, documents: documents, records: records, signer: signer, cal: cal,
		baseURL: strings.TrimRight(baseURL, "/"), log: log}
}

// Issue makes the certificate of a case decided for issue, and its register entry.
func (s *Service) Issue(ctx context.Context, caseID string, at time.Time) (attestation.CertificateIssue, error) {
	iss, err := s.numbers.IssueCertificate(ctx, caseID, at)
	if err != nil {
		return attestation.CertificateIssue{}, err
	}
	if _, err := s.reg.Entry(ctx, iss.Number); err == nil {
		return iss, nil // entered already: a repeated delivery
	} else if !errors.Is(err, apperr.NotFound) {
		return attestation.CertificateIssue{}, fmt.Errorf("issue certificate %s: %w", iss.Number, err)
	}
	c, err := s.cases.Get(ctx, caseID)
	if err != nil {
		return attestation.CertificateIssue{}, fmt.Errorf("issue certificate %s: %w", iss.Number, err)
	}
	e, err := s.entry(ctx, c, iss.Number, at)
	if err != nil {
		return attestation.CertificateIssue{}, fmt.Errorf("issue certificate %s of %s: %w", iss.Number, caseID, err)
	}
	paragraph := "§28, §29"
	if c.AdditionalSurveyAct != nil {
		paragraph = "§38, §29"
	}
	rev := register.Revision{Number: 1, At: e.UpdatedAt, Actor: "issue-certificate", Role: string(identity.Scheduler),
		What: "certificate " + e.Number + " issued and entered in the register", Paragraph: paragraph, Seal: e.Seal}
	err = s.reg.PutEntry(ctx, e, rev)
	if errors.Is(err, apperr.Conflict) {
		if _, gerr := s.reg.Entry(ctx, e.Number); gerr == nil {
			return iss, nil // another delivery entered it first
		}
	}
	if err != nil {
		return attestation.CertificateIssue{}, fmt.Errorf("issue certificate %s of %s: enter in the register: %w", iss.Number, caseID, err)
	}
	s.log.InfoContext(ctx, "certificate entered in the register", "caseId", caseID, "certificate", e.Number,
		"pdfVersion", e.Certificate.VersionID, "pdfSha256", e.Certificate.SHA256)
	return iss, nil
}

// entry renders and stores the certificate and the acts, and makes the entry's first revision.
func (s *Service) entry(ctx context.Context, c attestation.Case, number string, at time.Time) (register.Entry, error) {
	ed, err := policy.Load(c.Edition)
	if err != nil {
		return register.Entry{}, err
	}
	year, seq, err := ed.ParseCertificateNumber(number)
	if err != nil {
		return register.Entry{}, err
	}
	kind, err := ed.Kind(c.ObjectKind)
	if err != nil {
		return register.Entry{}, err
	}
	if c.SurveyAct == nil || c.Terms == nil {
		return register.Entry{}, apperr.Errorf(apperr.Conflict, "", "the case lacks the act's details or the certificate's terms (§24, Annex 7)")
	}
	prefix := fmt.Sprintf("certificates/%04d/%05d/", year, seq)

	cert, err := s.certificate(ctx, c, number, at, kind, ed, year, seq)
	if err != nil {
		return register.Entry{}, err
	}
	e := register.Entry{Number: number, Year: year, Seq: seq, CaseID: c.ID, Edition: c.Edition, EditionOutOfForce: c.EditionOutOfForce, ObjectID: c.ObjectID,
		ObjectName: c.ObjectName, ObjectKind: c.ObjectKind, Mandatory: kind.Mandatory,
		OwnerName: c.ApplicantName, OwnerBIN: c.OrganizationBIN, OwnerIndividual: c.ApplicantIndividual, Developer: c.Developer,
		IssuedAt: at.UTC(), ValidUntil: cert.ValidUntil, Status: register.Valid,
		// §28: the owner has it once it is sent (Receive); the monitoring year of §42 starts then
		// (a paper case's at the office's hand-over: register.Service.HandOver).
		AwaitingReceipt: true, AtOffice: c.Paper != nil}

	// The acts, stored beside the certificate (§28: the act is sent with it).
	for _, a := range []struct {
		kind    string
		details *attestation.ActDetails
		dst     *register.Act
	}{{attestation.DocSurveyAct, c.SurveyAct, &e.Act}, {attestation.DocAdditionalSurveyAct, c.AdditionalSurveyAct, nil}} {
		if a.details == nil {
			continue
		}
		doc, err := s.keepAct(ctx, c, a.kind, prefix)
		if err != nil {
			return register.Entry{}, err
		}
		date, err := a.details.ActDate()
		if err != nil {
			return register.Entry{}, fmt.Errorf("%s date: %w", a.kind, err)
		}
		act := register.Act{Number: a.details.Number, Date: date.UTC(), Day: register.ActDay(date), Document: doc, Signed: actSignature(c, a.kind)}
		if a.dst != nil {
			*a.dst = act
		} else {
			e.AdditionalAct = &act
		}
	}

	data, err := json.Marshal(cert)
	if err != nil {
		return register.Entry{}, fmt.Errorf("encode certificate data: %w", err)
	}
	pdf, err := certificate.Render(cert)
	if err != nil {
		return register.Entry{}, fmt.Errorf("render certificate: %w", err)
	}
	if e.Data, err = s.keep(ctx, prefix+"certificate.json", "application/json", data); err != nil {
		return register.Entry{}, err
	}
	if e.Certificate, err = s.keep(ctx, prefix+"certificate.pdf", "application/pdf", pdf); err != nil {
		return register.Entry{}, err
	}

	return register.Next(ctx, s.signer, register.Entry{}, e, at)
}

// Receive records the sending of the certificate with the act (§28, §38) and the owner's receipt
// of it, at the moment attestation's one rule of receipt gives (Case.CertificateReceivedAt), with
// the obligations that run from it: the connection to the monitoring system within one year of
// receipt (§42). Until the sending only the authority reads the entry. A paper case's certificate
// waits at the Committee's office: the entry is published, and the monitoring year waits for the
// hand-over (register.Service.HandOver). A repeated delivery changes nothing.
func (s *Service) Receive(ctx context.Context, caseID string) (attestation.CertificateIssue, error) {
	c, err := s.cases.Get(ctx, caseID)
	if err != nil {
		return attestation.CertificateIssue{}, fmt.Errorf("receipt of the certificate of %s: %w", caseID, err)
	}
	if c.Certificate == "" {
		return attestation.CertificateIssue{}, apperr.Errorf(apperr.Conflict, "", "receipt of the certificate of %s: the case has no certificate", caseID)
	}
	sent, ok := c.DecisionSentAt()
	if !ok || !c.CertificateSent() {
		return attestation.CertificateIssue{}, apperr.Errorf(apperr.Conflict, "", "receipt of certificate %s: the authority has not sent it (§28)", c.Certificate)
	}
	var received *time.Time
	if at, ok := c.CertificateReceivedAt(); ok {
		received = &at
	}
	iss := attestation.CertificateIssue{Number: c.Certificate}
	for attempt := 0; attempt < 5; attempt++ {
		prev, err := s.reg.Entry(ctx, c.Certificate)
		if err != nil {
			return attestation.CertificateIssue{}, fmt.Errorf("receipt of certificate %s: %w", c.Certificate, err)
		}
		if !prev.AwaitingReceipt {
			return iss, nil // recorded already, or entered before receipt was recorded
		}
		e, err := register.Received(prev, received, s.cal)
		if err != nil {
			return attestation.CertificateIssue{}, fmt.Errorf("receipt of certificate %s: %w", c.Certificate, err)
		}
		at := sent
		if received != nil {
			at = *received
		}
		next, err := register.Next(ctx, s.signer, prev, e, at)
		if err != nil {
			return attestation.CertificateIssue{}, err
		}
		paragraph := "§28, §42"
		if c.AdditionalSurveyAct != nil {
			paragraph = "§38, §42"
		}
		what := "the certificate and the act sent to the owner, who received them " + at.Format(time.RFC3339)
		if received == nil {
			what = "the certificate and the act sent to the owner through the Committee's office, where they wait to be handed over"
		}
		switch m := next.Monitoring; {
		case m != nil && m.Runs():
			what += "; the object is connected to the monitoring system by " + m.DueAt.Format(time.RFC3339)
		case m != nil:
			what += "; the year to connect the object to the monitoring system runs from the hand-over"
		}
		rev := register.Revision{Number: next.Revision, At: next.UpdatedAt, Actor: "issue-certificate", Role: string(identity.Scheduler),
			What: what, Paragraph: paragraph, Seal: next.Seal}
		err = s.reg.PutEntry(ctx, next, rev)
		if errors.Is(err, apperr.Conflict) {
			continue // another delivery, or another change: read again
		}
		if err != nil {
			return attestation.CertificateIssue{}, fmt.Errorf("receipt of certificate %s: %w", c.Certificate, err)
		}
		s.log.InfoContext(ctx, "certificate sent to its owner", "caseId", caseID, "certificate", c.Certificate, "receivedAt", received)
		return iss, nil
	}
	return attestation.CertificateIssue{}, apperr.Errorf(apperr.Conflict, "", "receipt of certificate %s: the entry kept changing", c.Certificate)
}

// certificate fills the form of Annex 7 from the case, its package and its decision.
func (s *Service) certificate(ctx context.Context, c attestation.Case, number string, at time.Time, kind policy.Kind, ed *policy.Edition, year, seq int) (certificate.Certificate, error) {
	t := c.Terms
	cert := certificate.Certificate{Number: number, IssuedOn: at.UTC(),
		Object:              certificate.Object{Name: c.ObjectName, Kind: c.ObjectKind},
		Owner:               certificate.Owner{Name: c.ApplicantName, IdentityNumber: c.OrganizationBIN},
		ValidityPeriod:      certificate.IndustrialOperation,
		InformationCategory: certificate.PublicInformation,
		Prohibitions:        texts(t.Prohibitions),
		NotifiableChanges:   texts(t.NotifiableChanges),
		Chairman:            certificate.Chairman{Name: t.Chairman.Name, Position: text(t.Chairman.Position)},
		VerificationURL:     fmt.Sprintf("%s/certificates/%04d/%05d", s.baseURL, year, seq),
	}
	switch {
	case t.InformationText != nil:
		cert.InformationCategory = text(*t.InformationText)
	case t.InformationCategory == attestation.InformationRestricted:
		cert.InformationCategory = certificate.RestrictedInformation
	}
	if kind.ValidityStep != "" {
		// §40: the e-government platform's certificate is valid for one year.
		d, err := ed.Due(s.cal, kind.ValidityStep, at)
		if err != nil {
			return certificate.Certificate{}, fmt.Errorf("validity (§40): %w", err)
		}
		until := d.At.UTC()
		cert.ValidUntil = &until
		cert.ValidityPeriod = certificate.OneYear
	}
	actDate, err := c.SurveyAct.ActDate()
	if err != nil {
		return certificate.Certificate{}, fmt.Errorf("survey act date: %w", err)
	}
	cert.Act = certificate.Act{Number: c.SurveyAct.Number, Date: actDate, SignedBy: signedBy(actSignature(c, attestation.DocSurveyAct))}
	if a := c.AdditionalSurveyAct; a != nil {
		d, err := a.ActDate()
		if err != nil {
			return certificate.Certificate{}, fmt.Errorf("additional survey act date: %w", err)
		}
		cert.AdditionalAct = &certificate.Act{Number: a.Number, Date: d, SignedBy: signedBy(actSignature(c, attestation.DocAdditionalSurveyAct))}
	}
	// Annex 7's tables come from the lists of the package (Annexes 5 and 6).
	if c.Package != nil {
		body, err := s.documents.Open(ctx, c.Package.Key, c.Package.VersionID)
		if err != nil {
			return certificate.Certificate{}, fmt.Errorf("read the package as filed: %w", err)
		}
		if err := checkSum(body, c.Package.SHA256); err != nil {
			return certificate.Certificate{}, fmt.Errorf("the package as filed: %w", err)
		}
		var pkg attestation.Package
		if err := json.Unmarshal(body, &pkg); err != nil {
			return certificate.Certificate{}, fmt.Errorf("decode the package as filed: %w", err)
		}
		cert.Hardware = certificate.HardwareRows(pkg.Hardware)
		cert.Software = certificate.SoftwareRows(pkg.Software)
	}
	if err := cert.Validate(); err != nil {
		return certificate.Certificate{}, err
	}
	return cert, nil
}

// keepAct copies the case's act of the given kind into the Object Lock bucket beside the
// certificate, after checking its bytes against the SHA-256 pinned at upload.
func (s *Service) keepAct(ctx context.Context, c attestation.Case, kind, prefix string) (register.Document, error) {
	var act *attestation.Document
	for i := range c.Documents {
		if c.Documents[i].Kind == kind {
			act = &c.Documents[i] // the last one attached is the act handed over
		}
	}
	if act == nil {
		return register.Document{}, apperr.Errorf(apperr.Conflict, "", "the case has no %s document", kind)
	}
	body, err := s.documents.Open(ctx, act.Key, act.VersionID)
	if err != nil {
		return register.Document{}, fmt.Errorf("read %s: %w", kind, err)
	}
	if err := checkSum(body, act.SHA256); err != nil {
		return register.Document{}, fmt.Errorf("%s: %w", kind, err)
	}
	return s.keep(ctx, prefix+strings.ReplaceAll(kind, "_", "-"), http.DetectContentType(body), body)
}

func (s *Service) keep(ctx context.Context, key, contentType string, body []byte) (register.Document, error) {
	d, err := s.records.Put(ctx, key, contentType, body)
	if err != nil {
		return register.Document{}, fmt.Errorf("keep %s: %w", key, err)
	}
	return register.Document{Key: d.Key, VersionID: d.VersionID, SHA256: d.SHA256}, nil
}

// checkSum compares body with a hex SHA-256, when one was pinned.
func checkSum(body []byte, want string) error {
	if want == "" {
		return nil
	}
	sum := sha256.Sum256(body)
	if got := hex.EncodeToString(sum[:]); got != want {
		return fmt.Errorf("stored bytes have SHA-256 %s, %s was pinned", got, want)
	}
	return nil
}

// Duplicate renders a duplicate of the certificate (§48) from the data it was rendered from, marked
// with its day of issue, and keeps it in the Object Lock bucket.
func (s *Service) Duplicate(ctx context.Context, e register.Entry, req register.DuplicateRequest, at time.Time) (register.Document, error) {
	body, err := s.records.Open(ctx, e.Data.Key, e.Data.VersionID)
	if err != nil {
		return register.Document{}, fmt.Errorf("duplicate of %s: read the certificate's data: %w", e.Number, err)
	}
	if err := checkSum(body, e.Data.SHA256); err != nil {
		return register.Document{}, fmt.Errorf("duplicate of %s: the certificate's data: %w", e.Number, err)
	}
	var cert certificate.Certificate
	if err := json.Unmarshal(body, &cert); err != nil {
		return register.Document{}, fmt.Errorf("duplicate of %s: decode the certificate's data: %w", e.Number, err)
	}
	on := at.UTC()
	cert.DuplicateIssuedOn = &on
	pdf, err := certificate.Render(cert)
	if err != nil {
		return register.Document{}, fmt.Errorf("duplicate of %s: render: %w", e.Number, err)
	}
	return s.keep(ctx, fmt.Sprintf("certificates/%04d/%05d/duplicate-%s.pdf", e.Year, e.Seq, req.ID), "application/pdf", pdf)
}

func text(t attestation.Text) certificate.Text { return certificate.Text{KK: t.KK, RU: t.RU, EN: t.EN} }

func texts(ts []attestation.Text) []certificate.Text {
	out := make([]certificate.Text, len(ts))
	for i, t := range ts {
		out[i] = text(t)
	}
	return out
}

// actSignature cites the electronic digital signature of the case's act of kind (the last one
// attached, the one handed over), or nil when it was filed unsigned (issue 17). The signer's IIN
// stays out: the register is public.
func actSignature(c attestation.Case, kind string) *register.ActSignature {
	var sig *attestation.Signature
	for _, d := range c.Documents {
		if d.Kind == kind {
			sig = d.Signature
		}
	}
	if sig == nil {
		return nil
	}
	return &register.ActSignature{Signer: sig.Signer, BIN: sig.BIN, Serial: sig.Serial, Issuer: sig.Issuer, SigningTime: sig.SigningTime.UTC()}
}

// signedBy is how the certificate cites an act's signature: the signer, the organisation's BIN
// and the certificate's serial; "" for an unsigned act.
func signedBy(s *register.ActSignature) string {
	if s == nil {
		return ""
	}
	out := s.Signer
	if s.BIN != "" {
		out += ", BIN " + s.BIN
	}
	return out + ", certificate " + s.Serial + " (" + s.SigningTime.Format("2006-01-02 15:04 UTC") + ")"
}
