package issuing

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"attestation/internal/attestation"
	"attestation/internal/calendar"
	"attestation/internal/register"
	"attestation/internal/signing"
)

// bucket is an in-memory bucket that writes a key once, as s3store.Records does.
type bucket struct {
	mu      sync.Mutex
	objects map[string][]byte
	puts    int
}

func (b *bucket) Put(_ context.Context, key, _ string, body []byte) (attestation.Document, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.puts++
	if old, ok := b.objects[key]; ok && string(old) != string(body) {
		return attestation.Document{}, fmt.Errorf("%s: %w", key, attestation.ErrConflict)
	}
	b.objects[key] = append([]byte(nil), body...)
	sum := sha256.Sum256(body)
	return attestation.Document{Key: key, VersionID: "v-" + hex.EncodeToString(sum[:4]), SHA256: hex.EncodeToString(sum[:])}, nil
}

func (b *bucket) Open(_ context.Context, key, _ string) ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	body, ok := b.objects[key]
	if !ok {
		return nil, fmt.Errorf("%s: %w", key, attestation.ErrNotFound)
	}
	return body, nil
}

type fakeRegister struct {
	mu      sync.Mutex
	entries map[string]register.Entry
	revs    []register.Revision
}

func (r *fakeRegister) Entry(_ context.Context, n string) (register.Entry, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.entries[n]
	if !ok {
		return register.Entry{}, attestation.ErrNotFound
	}
	return e, nil
}

func (r *fakeRegister) PutEntry(_ context.Context, e register.Entry, rev register.Revision) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.entries[e.Number]; ok && e.Revision == 1 {
		return attestation.ErrConflict
	}
	r.entries[e.Number] = e
	r.revs = append(r.revs, rev)
	return nil
}

type fakeNumbers struct{ number string }

func (f fakeNumbers) IssueCertificate(context.Context, string, time.Time) (attestation.CertificateIssue, error) {
	return attestation.CertificateIssue{Number: f.number}, nil
}

type fakeCases map[string]attestation.Case

func (f fakeCases) Get(_ context.Context, id string) (attestation.Case, error) {
	c, ok := f[id]
	if !ok {
		return attestation.Case{}, attestation.ErrNotFound
	}
	return c, nil
}

type fixture struct {
	svc       *Service
	reg       *fakeRegister
	documents *bucket
	records   *bucket
	key       *ecdsa.PrivateKey
	signer    *signing.Local
}

func put(t testing.TB, b *bucket, key string, body []byte) attestation.Document {
	t.Helper()
	d, err := b.Put(context.Background(), key, "", body)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func newFixture(t testing.TB, kind string, additional bool) (fixture, attestation.Case) {
	t.Helper()
	cal, err := calendar.Kazakhstan()
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	f := fixture{reg: &fakeRegister{entries: map[string]register.Entry{}}, documents: &bucket{objects: map[string][]byte{}},
		records: &bucket{objects: map[string][]byte{}}, key: key, signer: signing.NewLocal(key, "test-key")}
	pkg := attestation.Package{
		Hardware: []attestation.HardwareItem{{ManufacturerModel: "Dell PowerEdge R650", SerialNumber: "SRV-001", Location: "Астана, серверная 1", Type: "server", Purpose: "БД", Protection: "СЗИ", IPAddresses: []string{"10.0.0.5"}}},
		Software: []attestation.SoftwareItem{{Developer: "Postgres Global", Name: "PostgreSQL", Version: "16", InstalledOn: []string{"SRV-001"}, Type: "DBMS", Purpose: "data", Protection: "roles"}},
	}
	body, _ := json.Marshal(pkg)
	filed := put(t, f.documents, "cases/A-1/package.json", body)
	act := put(t, f.documents, "documents/U-act", []byte("%PDF-1.7 act of the survey"))
	act.Kind = attestation.DocSurveyAct
	c := attestation.Case{ID: "A-1", OrganizationBIN: "120540001238", ApplicantName: "ТОО «Қазақ Деректер»", ObjectName: "ИС «Электронные лицензии»",
		ObjectKind: kind, Developer: "АО «НИТ»", Edition: "rules-2016-amended-2018", Package: &filed, Documents: []attestation.Document{act},
		SurveyAct: &attestation.ActDetails{Number: "АКТ-17", Date: "2026-10-20"}, ObjectID: "O-00000000000000aa",
		Terms: &attestation.CertificateTerms{InformationCategory: attestation.InformationRestricted,
			Prohibitions:      []attestation.Text{{KK: "Интернетке қосылуға тыйым", RU: "Запрещено подключение к Интернету", EN: "No Internet connection"}},
			NotifiableChanges: []attestation.Text{{KK: "Желі", RU: "Сеть", EN: "Network"}},
			Chairman:          attestation.Chairman{Name: "Әлібеков С.", Position: attestation.Text{KK: "Төраға", RU: "Председатель", EN: "Chairman"}}}}
	if additional {
		add := put(t, f.documents, "documents/U-add", []byte("%PDF-1.7 act of the additional survey"))
		add.Kind = attestation.DocAdditionalSurveyAct
		c.Documents = append(c.Documents, add)
		c.AdditionalSurveyAct = &attestation.ActDetails{Number: "АКТ-17/2", Date: "2026-11-02"}
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	f.svc = New(fakeNumbers{number: "2026/00007"}, fakeCases{c.ID: c}, f.reg, f.documents, f.records, f.signer, cal, "https://verify.example.kz/", log)
	return f, c
}

var issuedAt = time.Date(2026, time.November, 10, 6, 0, 0, 0, time.UTC)

// sentAt is the authority's sending of the act with the certificate (§28): Friday 2026-11-13.
var sentAt = time.Date(2026, time.November, 13, 6, 0, 0, 0, time.UTC)

var almaty, _ = time.LoadLocation("Asia/Almaty")

// sendAndReceive records the authority's sending of c's act with its certificate at at (the case
// issued, the act sent) and the owner's receipt of it in the register.
func sendAndReceive(t *testing.T, f fixture, c attestation.Case, at time.Time) {
	t.Helper()
	c.Stage, c.Certificate, c.Decision = attestation.StageIssued, "2026/00007", attestation.OutcomeIssue
	c.Documents = append([]attestation.Document(nil), c.Documents...)
	for i := range c.Documents {
		c.Documents[i].SentAt = &at
	}
	f.svc.cases = fakeCases{c.ID: c}
	if _, err := f.svc.Receive(context.Background(), c.ID); err != nil {
		t.Fatal(err)
	}
}

func pemOf(t *testing.T, s *signing.Local) []byte {
	t.Helper()
	b, err := s.PublicKeyPEM(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestIssuePar28Par29(t *testing.T) {
	ctx := context.Background()
	t.Run("§28 §29 the certificate and the act go to the Object Lock bucket and the register pins them", func(t *testing.T) {
		f, c := newFixture(t, "state_is", false)
		iss, err := f.svc.Issue(ctx, c.ID, issuedAt)
		if err != nil || iss.Number != "2026/00007" {
			t.Fatalf("issue: %+v, %v", iss, err)
		}
		e := f.reg.entries[iss.Number]
		if e.Revision != 1 || e.Status != register.Valid || e.Year != 2026 || e.Seq != 7 || e.CaseID != c.ID || e.ObjectID != c.ObjectID {
			t.Fatalf("entry %+v", e)
		}
		for _, d := range []register.Document{e.Certificate, e.Data, e.Act.Document} {
			body, ok := f.records.objects[d.Key]
			sum := sha256.Sum256(body)
			if !ok || hex.EncodeToString(sum[:]) != d.SHA256 || d.VersionID == "" {
				t.Errorf("%s is not stored as pinned", d.Key)
			}
		}
		if e.Certificate.Key != "certificates/2026/00007/certificate.pdf" || !strings.HasPrefix(string(f.records.objects[e.Certificate.Key]), "%PDF") {
			t.Errorf("certificate %+v", e.Certificate)
		}
		almaty, _ := time.LoadLocation("Asia/Almaty")
		if e.Act.Number != "АКТ-17" || e.Act.Date.In(almaty).Format(time.DateOnly) != "2026-10-20" {
			t.Errorf("act %+v", e.Act)
		}
		if err := register.Verify(e, pemOf(t, f.signer)); err != nil {
			t.Errorf("the first revision does not verify: %v", err)
		}
		var data map[string]any
		if err := json.Unmarshal(f.records.objects[e.Data.Key], &data); err != nil || data["verificationUrl"] != "https://verify.example.kz/certificates/2026/00007" {
			t.Errorf("data: %v %v", data["verificationUrl"], err)
		}
		if !strings.Contains(string(f.records.objects[e.Data.Key]), "Dell PowerEdge R650") || strings.Contains(string(f.records.objects[e.Data.Key]), "10.0.0.5") {
			t.Error("Annex 7 Table 1 comes from the package's hardware, without IP addresses")
		}
	})
	t.Run("§42 a mandatory object other than the platform is due to connect to monitoring within a year of receiving the certificate", func(t *testing.T) {
		f, c := newFixture(t, "state_is", false)
		if _, err := f.svc.Issue(ctx, c.ID, issuedAt); err != nil {
			t.Fatal(err)
		}
		e := f.reg.entries["2026/00007"]
		// Decided and entered, not yet sent: no obligation runs yet, and only the authority reads it.
		if e.Monitoring != nil || !e.AwaitingReceipt || e.Published() || e.ValidUntil != nil {
			t.Fatalf("before the sending: monitoring %+v, awaiting %v, valid until %v", e.Monitoring, e.AwaitingReceipt, e.ValidUntil)
		}
		if _, err := f.svc.Receive(ctx, c.ID); err == nil {
			t.Fatal("received before the authority sent it")
		}
		sendAndReceive(t, f, c, sentAt)
		e = f.reg.entries["2026/00007"]
		// §42: one year from the receipt on Friday 2026-11-13: Saturday 2027-11-13 moves to Monday 11-15.
		if e.Monitoring == nil || e.Monitoring.DueAt.In(almaty).Format(time.DateOnly) != "2027-11-15" || e.AwaitingReceipt ||
			e.ReceivedAt == nil || !e.ReceivedAt.Equal(sentAt) || e.Revision != 2 {
			t.Fatalf("after the receipt: %+v", e)
		}
		if err := register.Verify(e, pemOf(t, f.signer)); err != nil {
			t.Errorf("the receipt's revision does not verify: %v", err)
		}
		revs := len(f.reg.revs)
		if _, err := f.svc.Receive(ctx, c.ID); err != nil || len(f.reg.revs) != revs {
			t.Fatalf("a repeated receipt: %v, %d revisions", err, len(f.reg.revs)-revs)
		}
	})
	t.Run("§40 the e-government platform's certificate is valid for one year, and §42 does not bind it", func(t *testing.T) {
		f, c := newFixture(t, "egov_platform", false)
		if _, err := f.svc.Issue(ctx, c.ID, issuedAt); err != nil {
			t.Fatal(err)
		}
		e := f.reg.entries["2026/00007"]
		if e.ValidUntil == nil || e.ValidUntil.Year() != 2027 || e.Monitoring != nil {
			t.Fatalf("valid until %v, monitoring %+v", e.ValidUntil, e.Monitoring)
		}
	})
	t.Run("§6 a voluntary object has no monitoring obligation", func(t *testing.T) {
		f, c := newFixture(t, "nonstate_is", false)
		if _, err := f.svc.Issue(ctx, c.ID, issuedAt); err != nil {
			t.Fatal(err)
		}
		if e := f.reg.entries["2026/00007"]; e.Monitoring != nil || e.Mandatory {
			t.Fatalf("entry %+v", e)
		}
	})
	t.Run("§38 after an additional survey both acts are kept and entered", func(t *testing.T) {
		f, c := newFixture(t, "state_is", true)
		if _, err := f.svc.Issue(ctx, c.ID, issuedAt); err != nil {
			t.Fatal(err)
		}
		e := f.reg.entries["2026/00007"]
		if e.AdditionalAct == nil || e.AdditionalAct.Number != "АКТ-17/2" || e.AdditionalAct.Document.SHA256 == "" {
			t.Fatalf("additional act %+v", e.AdditionalAct)
		}
		if f.reg.revs[0].Paragraph != "§38, §29" {
			t.Errorf("paragraph %q", f.reg.revs[0].Paragraph)
		}
	})
	t.Run("a repeated delivery writes nothing twice and answers the same number", func(t *testing.T) {
		f, c := newFixture(t, "state_is", false)
		var wg sync.WaitGroup
		errs := make([]error, 5)
		for i := range errs {
			wg.Add(1)
			go func(i int) { defer wg.Done(); _, errs[i] = f.svc.Issue(ctx, c.ID, issuedAt) }(i)
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if len(f.reg.revs) != 1 {
			t.Fatalf("%d revisions written, want 1", len(f.reg.revs))
		}
		if len(f.records.objects) != 3 {
			t.Errorf("%d records stored, want the certificate, its data and the act", len(f.records.objects))
		}
	})
	t.Run("an act whose bytes differ from the SHA-256 pinned at upload is not kept", func(t *testing.T) {
		f, c := newFixture(t, "state_is", false)
		f.documents.objects[c.Documents[0].Key] = []byte("other bytes")
		_, err := f.svc.Issue(ctx, c.ID, issuedAt)
		if err == nil || !strings.Contains(err.Error(), "was pinned") {
			t.Fatalf("issue: %v", err)
		}
		if len(f.reg.entries) != 0 {
			t.Error("an entry was written")
		}
	})
	t.Run("a case without the act's details or terms cannot be entered", func(t *testing.T) {
		f, c := newFixture(t, "state_is", false)
		c.Terms = nil
		f.svc.cases = fakeCases{c.ID: c}
		if _, err := f.svc.Issue(ctx, c.ID, issuedAt); !errors.Is(err, attestation.ErrConflict) {
			t.Fatalf("issue: %v", err)
		}
	})
}

// §42: a paper case's certificate waits at the Committee's office: its sending publishes the
// entry, and the monitoring year runs from the office's hand-over (register.Service.HandOver),
// or from a hand-over recorded before the sending's task ran.
func TestPar42PaperCertificateMonitoringWaitsForTheHandOver(t *testing.T) {
	ctx := context.Background()
	paper := func(t *testing.T) (fixture, attestation.Case) {
		f, c := newFixture(t, "state_is", false)
		c.Paper = &attestation.PaperFiling{Organization: c.OrganizationBIN}
		f.svc.cases = fakeCases{c.ID: c}
		if _, err := f.svc.Issue(ctx, c.ID, issuedAt); err != nil {
			t.Fatal(err)
		}
		if e := f.reg.entries["2026/00007"]; !e.AtOffice || !e.AwaitingReceipt {
			t.Fatalf("entered %+v: want a paper case's certificate awaiting the sending", e)
		}
		return f, c
	}
	t.Run("§42 sent to the office: published, the year waits for the hand-over", func(t *testing.T) {
		f, c := paper(t)
		sendAndReceive(t, f, c, sentAt)
		e := f.reg.entries["2026/00007"]
		if e.AwaitingReceipt || !e.Published() || e.ReceivedAt != nil || e.Monitoring == nil || !e.Monitoring.AwaitsHandOver || !e.Monitoring.DueAt.IsZero() {
			t.Fatalf("after the sending: %+v, monitoring %+v", e, e.Monitoring)
		}
		if rev := f.reg.revs[len(f.reg.revs)-1]; !strings.Contains(rev.What, "runs from the hand-over") {
			t.Errorf("revision %q", rev.What)
		}
		if err := register.Verify(e, pemOf(t, f.signer)); err != nil {
			t.Errorf("the sending's revision does not verify: %v", err)
		}
	})
	t.Run("§42 handed over before the sending's task ran: the year runs from the hand-over", func(t *testing.T) {
		f, c := paper(t)
		handed := time.Date(2026, time.November, 17, 5, 0, 0, 0, time.UTC) // Tuesday 10:00 in Almaty
		c.HandOvers = []attestation.HandOver{{Document: attestation.CertificateDocument("2026/00007"), ReceivedBy: "Serikov Arman", At: handed}}
		sendAndReceive(t, f, c, sentAt)
		e := f.reg.entries["2026/00007"]
		if e.ReceivedAt == nil || !e.ReceivedAt.Equal(handed) || e.Monitoring == nil || e.Monitoring.AwaitsHandOver ||
			e.Monitoring.DueAt.In(almaty).Format(time.DateOnly) != "2027-11-17" {
			t.Fatalf("after the sending: received %v, monitoring %+v", e.ReceivedAt, e.Monitoring)
		}
	})
}

func TestDuplicatePar48(t *testing.T) {
	ctx := context.Background()
	f, c := newFixture(t, "state_is", false)
	if _, err := f.svc.Issue(ctx, c.ID, issuedAt); err != nil {
		t.Fatal(err)
	}
	e := f.reg.entries["2026/00007"]
	on := issuedAt.AddDate(0, 1, 0)
	d, err := f.svc.Duplicate(ctx, e, register.DuplicateRequest{ID: "D1"}, on)
	if err != nil {
		t.Fatal(err)
	}
	if d.Key != "certificates/2026/00007/duplicate-D1.pdf" || d.SHA256 == e.Certificate.SHA256 {
		t.Fatalf("§48 duplicate %+v", d)
	}
	again, err := f.svc.Duplicate(ctx, e, register.DuplicateRequest{ID: "D1"}, on)
	if err != nil || again != d {
		t.Fatalf("§48 a repeated duplicate: %+v, %v", again, err)
	}
}

func BenchmarkIssue(b *testing.B) {
	for b.Loop() {
		f, c := newFixture(b, "state_is", false)
		if _, err := f.svc.Issue(context.Background(), c.ID, issuedAt); err != nil {
			b.Fatal(err)
		}
	}
}
