package register_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"attestation/internal/attestation"
	"attestation/internal/identity"
	"attestation/internal/register"
	"attestation/internal/signing"
)

func newSigner(t testing.TB, id string) *signing.Local {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return signing.NewLocal(k, id)
}

func publicKey(t testing.TB, s register.Signer) []byte {
	t.Helper()
	p, err := s.PublicKeyPEM(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var issued = time.Date(2026, 10, 20, 6, 0, 0, 0, time.UTC)

// draft is an entry as the issue path fills it, before its first revision.
func draft(number, object, ownerBIN string) register.Entry {
	return register.Entry{Number: number, Year: 2026, Seq: 1, CaseID: "A-1", Edition: "rules-2016-amended-2018",
		ObjectName: object, ObjectKind: "state_is", Mandatory: true, OwnerName: "Министрство цифрового развития", OwnerBIN: ownerBIN,
		Developer: "Ұлттық ақпараттық технологиялар",
		Act:       register.Act{Number: "ACT-1", Date: issued.Add(-24 * time.Hour), Document: register.Document{Key: "acts/1.pdf", VersionID: "v1", SHA256: strings.Repeat("a", 64)}},
		IssuedAt:  issued, Certificate: register.Document{Key: "certificates/2026-00001.pdf", VersionID: "cv1", SHA256: strings.Repeat("c", 64)},
		Status: register.Valid}
}

// revise makes e the next signed revision after prev.
func revise(t testing.TB, s register.Signer, prev, e register.Entry, at time.Time) register.Entry {
	t.Helper()
	out, err := register.Next(context.Background(), s, prev, e, at)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestVerificationPar29(t *testing.T) {
	s := newSigner(t, "key-1")
	pub := publicKey(t, s)
	e := revise(t, s, register.Entry{}, draft("2026/00001", "Единая система «Әлем»", "120540001238"), issued)
	now := issued.Add(48 * time.Hour)

	t.Run("§29 a valid entry: its status, object, owner, developer, act, dates, hash and a signature that checks", func(t *testing.T) {
		v, problem := register.Verified(e, pub, now, "https://api.example/register/public-key")
		if problem != nil || !v.SignatureValid {
			t.Fatalf("signature: %v %v", v.SignatureValid, problem)
		}
		if v.Status != register.Valid || v.Returned != nil || v.Object.Name != e.ObjectName || v.Object.Kind != "state_is" ||
			v.Owner.Name != e.OwnerName || v.Owner.BIN != "120540001238" || v.Developer != e.Developer ||
			v.Act.Number != "ACT-1" || v.Act.SHA256 != e.Act.Document.SHA256 || !v.IssuedAt.Equal(issued) ||
			v.CertificateSHA256 != strings.Repeat("c", 64) || v.Revision != 1 || !v.CheckedAt.Equal(now) ||
			v.PublicKeyURL != "https://api.example/register/public-key" {
			t.Fatalf("%+v", v)
		}
		if !bytes.Equal(v.Payload, e.Seal.Payload) || v.Signature.KeyID != "key-1" || v.Signature.Algorithm != signing.AlgorithmECDSASHA256 {
			t.Fatalf("payload or signature not the seal's: %+v", v.Signature)
		}
		// Anyone holding the public key checks the answer offline: the payload is the entry shown.
		if err := signing.Verify(pub, v.Payload, v.Signature); err != nil {
			t.Fatal(err)
		}
		signed, _ := json.Marshal(v.Entry)
		if !bytes.Equal(signed, v.Payload) {
			t.Fatalf("entry %s is not the payload %s", signed, v.Payload)
		}
		b, _ := json.Marshal(v)
		for _, member := range []string{`"status":"valid"`, `"signatureValid":true`, `"payload":"`, `"keyId":"key-1"`, `"certificateSha256":"`, `"publicKeyUrl":"`} {
			if !bytes.Contains(b, []byte(member)) {
				t.Errorf("the JSON lacks %s: %s", member, b)
			}
		}
	})

	t.Run("§29 an individual owner's IIN is not in the answer", func(t *testing.T) {
		d := draft("2026/00002", "Сайт", "880101300123")
		d.OwnerIndividual = true
		ind := revise(t, s, register.Entry{}, d, issued)
		v, problem := register.Verified(ind, pub, now, register.PublicKeyPath)
		if problem != nil || !v.SignatureValid {
			t.Fatal(problem)
		}
		b, _ := json.Marshal(v)
		if bytes.Contains(b, []byte("880101300123")) || v.Owner.BIN != "" {
			t.Fatalf("the IIN is published: %s", b)
		}
	})

	t.Run("§40 a valid entry whose term has ended answers expired before the deadline check marks it", func(t *testing.T) {
		d := draft("2026/00003", "E-government platform", "120540001238")
		until := issued.AddDate(1, 0, 0)
		d.ValidUntil = &until
		pl := revise(t, s, register.Entry{}, d, issued)
		for _, tc := range []struct {
			at   time.Time
			want register.Status
		}{{until.Add(-time.Second), register.Valid}, {until, register.Expired}, {until.AddDate(0, 1, 0), register.Expired}} {
			v, problem := register.Verified(pl, pub, tc.at, register.PublicKeyPath)
			if v.Status != tc.want || problem != nil || !v.SignatureValid {
				t.Fatalf("at %s: %s %v, want %s with a valid signature", tc.at, v.Status, problem, tc.want)
			}
			if v.Entry.Status != register.Valid {
				t.Fatalf("the signed entry says %s", v.Entry.Status)
			}
		}
	})

	t.Run("§46 a recalled certificate says whether it was returned", func(t *testing.T) {
		r := e
		r.Status = register.Recalled
		r.Recall = &register.Recall{Ground: "not_reattested", Number: 1, Paragraph: "§45(1)", DecidedAt: issued.Add(72 * time.Hour), ReturnDueAt: issued.Add(144 * time.Hour)}
		recalled := revise(t, s, e, r, issued.Add(72*time.Hour))
		v, problem := register.Verified(recalled, pub, now, register.PublicKeyPath)
		if problem != nil || v.Status != register.Recalled || v.Returned == nil || *v.Returned || v.Recall == nil || v.Recall.Paragraph != "§45(1)" {
			t.Fatalf("%+v %v", v, problem)
		}
		back := recalled
		rec := *recalled.Recall
		at := issued.Add(96 * time.Hour)
		rec.ReturnedAt = &at
		back.Recall = &rec
		returned := revise(t, s, recalled, back, at)
		v, problem = register.Verified(returned, pub, now, register.PublicKeyPath)
		if problem != nil || v.Returned == nil || !*v.Returned || v.Revision != 3 {
			t.Fatalf("%+v %v", v, problem)
		}
	})

	t.Run("§29 a tampered entry answers signatureValid false", func(t *testing.T) {
		for name, tamper := range map[string]func(*register.Entry){
			"status":           func(e *register.Entry) { e.Status = register.Recalled },
			"object name":      func(e *register.Entry) { e.ObjectName = "Another system" },
			"certificate hash": func(e *register.Entry) { e.Certificate.SHA256 = strings.Repeat("d", 64) },
			"valid until":      func(e *register.Entry) { u := issued.AddDate(5, 0, 0); e.ValidUntil = &u },
			"revision":         func(e *register.Entry) { e.Revision = 7 },
			"signature": func(e *register.Entry) {
				e.Seal.Signature.Value = append([]byte(nil), e.Seal.Signature.Value[:len(e.Seal.Signature.Value)-1]...)
			},
		} {
			t.Run(name, func(t *testing.T) {
				x := e
				x.Seal.Signature.Value = append([]byte(nil), e.Seal.Signature.Value...)
				tamper(&x)
				v, problem := register.Verified(x, pub, now, register.PublicKeyPath)
				if v.SignatureValid || problem == nil || !errors.Is(problem, signing.ErrBadSignature) {
					t.Fatalf("signatureValid %t, problem %v", v.SignatureValid, problem)
				}
				// The answer still shows what the register signed.
				if !bytes.Equal(v.Payload, e.Seal.Payload) || v.Entry.Status != register.Valid || v.Entry.ObjectName != e.ObjectName {
					t.Fatalf("signed entry %+v", v.Entry)
				}
			})
		}
		t.Run("signed by another key", func(t *testing.T) {
			other := revise(t, newSigner(t, "key-1"), register.Entry{}, draft("2026/00001", e.ObjectName, e.OwnerBIN), issued)
			if v, problem := register.Verified(other, pub, now, register.PublicKeyPath); v.SignatureValid || !errors.Is(problem, signing.ErrBadSignature) {
				t.Fatalf("%t %v", v.SignatureValid, problem)
			}
		})
	})
}

// memStore is an in-memory register for the service's unit tests.
type memStore struct {
	entries map[string]register.Entry
	revs    map[string][]register.Revision
}

func (m *memStore) Entry(ctx context.Context, number string) (register.Entry, error) {
	e, ok := m.entries[number]
	if !ok {
		return register.Entry{}, fmt.Errorf("entry %s: %w", number, attestation.ErrNotFound)
	}
	return e, nil
}

func (m *memStore) Revisions(ctx context.Context, number string) ([]register.Revision, error) {
	r, ok := m.revs[number]
	if !ok {
		return nil, fmt.Errorf("history %s: %w", number, attestation.ErrNotFound)
	}
	return r, nil
}

func (m *memStore) SearchEntries(ctx context.Context, f register.Filter, limit int, cursor string) ([]register.Entry, string, error) {
	return nil, "", errors.New("not used here")
}

func (m *memStore) put(e register.Entry, what string) {
	if m.entries == nil {
		m.entries, m.revs = map[string]register.Entry{}, map[string][]register.Revision{}
	}
	m.entries[e.Number] = e
	m.revs[e.Number] = append(m.revs[e.Number], register.Revision{Number: e.Revision, At: e.UpdatedAt, Actor: "staff-1", Role: "authority", What: what, Seal: e.Seal})
}

type links struct{ key, version string }

func (l *links) PresignGet(ctx context.Context, key, versionID string, expiry time.Duration) (attestation.Presigned, error) {
	l.key, l.version = key, versionID
	return attestation.Presigned{URL: "https://records.example/" + key + "?versionId=" + versionID, Method: "GET"}, nil
}

func TestPublicServicePar29(t *testing.T) {
	ctx := context.Background()
	s := newSigner(t, "key-1")
	e1 := revise(t, s, register.Entry{}, draft("2026/00001", "Registry", "120540001238"), issued)
	st := &memStore{}
	st.put(e1, "issued")
	r := e1
	r.Status = register.Recalled
	r.Recall = &register.Recall{Ground: "violation", Number: 2, Paragraph: "§45(2)", DecidedAt: issued.Add(time.Hour)}
	e2 := revise(t, s, e1, r, issued.Add(time.Hour))
	st.put(e2, "recalled")
	var logs bytes.Buffer
	lk := &links{}
	svc := register.NewPublicService(st, s, "key-1", "https://api.example/", lk, slog.New(slog.NewJSONHandler(&logs, nil)))

	t.Run("§29 the public key is published with its ID and algorithm", func(t *testing.T) {
		k, err := svc.PublicKey(ctx)
		if err != nil || k.KeyID != "key-1" || k.Algorithm != signing.AlgorithmECDSASHA256 || !strings.HasPrefix(k.PEM, "-----BEGIN PUBLIC KEY-----") {
			t.Fatalf("%+v %v", k, err)
		}
	})
	t.Run("§46 the verification of a recalled entry", func(t *testing.T) {
		v, err := svc.Verify(ctx, "2026/00001", issued.Add(2*time.Hour))
		if err != nil || v.Status != register.Recalled || !v.SignatureValid || v.Returned == nil || *v.Returned || v.PublicKeyURL != "https://api.example/register/public-key" {
			t.Fatalf("%+v %v", v, err)
		}
		if logs.Len() != 0 {
			t.Fatalf("logged %s", logs.String())
		}
	})
	t.Run("an unknown number is not found", func(t *testing.T) {
		if _, err := svc.Verify(ctx, "2026/09999", issued); !errors.Is(err, attestation.ErrNotFound) {
			t.Fatalf("%v", err)
		}
		if _, err := svc.History(ctx, "2026/09999"); !errors.Is(err, attestation.ErrNotFound) {
			t.Fatalf("%v", err)
		}
	})
	t.Run("§29 a tampered entry answers signatureValid false and the log says so at error level", func(t *testing.T) {
		x := e2
		x.Status = register.Valid
		st.entries["2026/00001"] = x
		defer func() { st.entries["2026/00001"] = e2 }()
		logs.Reset()
		v, err := svc.Verify(ctx, "2026/00001", issued.Add(2*time.Hour))
		if err != nil || v.SignatureValid {
			t.Fatalf("%+v %v", v, err)
		}
		var line map[string]any
		if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
			t.Fatalf("log %q: %v", logs.String(), err)
		}
		if line["level"] != "ERROR" || line["certificate"] != "2026/00001" || !strings.Contains(fmt.Sprint(line["msg"]), "fails verification") {
			t.Fatalf("log %v", line)
		}
	})
	t.Run("§29 the history: every revision signed and linked to the one before, oldest first", func(t *testing.T) {
		h, err := svc.History(ctx, "2026/00001")
		if err != nil || len(h) != 2 {
			t.Fatalf("%v %v", h, err)
		}
		for i, r := range h {
			if r.Revision != i+1 || !r.SignatureValid || !r.ChainValid || r.Entry == nil || r.Role != "authority" {
				t.Fatalf("revision %d: %+v", i+1, r)
			}
		}
		if h[1].Entry.PreviousSHA256 != h[0].PayloadSHA256 || h[1].Entry.Status != register.Recalled || h[0].What != "issued" {
			t.Fatalf("%+v", h)
		}
		b, _ := json.Marshal(h)
		if bytes.Contains(b, []byte("staff-1")) {
			t.Fatalf("the history names the person who acted: %s", b)
		}
	})
	t.Run("§29 a history with a revision removed or altered does not check", func(t *testing.T) {
		pub := publicKey(t, s)
		revs := st.revs["2026/00001"]
		if _, problems := register.History(revs[1:], pub); len(problems) == 0 {
			t.Fatal("the first revision removed: no problem")
		}
		altered := append([]register.Revision(nil), revs...)
		altered[0].Seal.Payload = bytes.Replace(altered[0].Seal.Payload, []byte("Registry"), []byte("Registrx"), 1)
		out, problems := register.History(altered, pub)
		if len(problems) == 0 || out[0].SignatureValid || out[1].ChainValid {
			t.Fatalf("an altered first revision: %+v %v", out, problems)
		}
	})
	t.Run("the certificate's PDF, pinned to its version, for the owner's applicant and staff", func(t *testing.T) {
		owner := identity.Actor{Subject: "a", Role: identity.Applicant, BIN: "120540001238"}
		other := identity.Actor{Subject: "b", Role: identity.Applicant, BIN: "990340001230"}
		for _, a := range []identity.Actor{owner, {Subject: "c", Role: identity.Authority}, {Subject: "d", Role: identity.STS}} {
			*lk = links{}
			c, p, err := svc.CertificateDocument(ctx, a, "2026/00001", register.CopyCurrent)
			d := c.Document
			if err != nil || c.Copy != register.CopyOriginal || d.VersionID != "cv1" || lk.key != e1.Certificate.Key || lk.version != "cv1" || p.Method != "GET" {
				t.Fatalf("%s: %+v %+v %v", a.Role, d, p, err)
			}
		}
		_, _, foreign := svc.CertificateDocument(ctx, other, "2026/00001", register.CopyCurrent)
		_, _, missing := svc.CertificateDocument(ctx, other, "2026/09999", register.CopyOriginal)
		if !errors.Is(foreign, attestation.ErrNotFound) || !errors.Is(missing, attestation.ErrNotFound) {
			t.Fatalf("another organisation: %v; missing: %v", foreign, missing)
		}
		if _, _, err := svc.CertificateDocument(ctx, identity.Actor{Subject: "q", Role: identity.QualityAuthority}, "2026/00001", register.CopyCurrent); !errors.Is(err, attestation.ErrForbidden) {
			t.Fatalf("quality authority: %v", err)
		}
	})
}

// TestStoredCopies: which stored document GET …/document answers for each copy asked for.
func TestStoredCopies(t *testing.T) {
	issued := time.Date(2026, 11, 18, 5, 0, 0, 0, time.UTC)
	e := register.Entry{Number: "2026/00001", IssuedAt: issued,
		Certificate: register.Document{Key: "certificates/2026/00001/certificate.pdf", VersionID: "c1", SHA256: "aa"}}
	pick := func(t *testing.T, e register.Entry, which register.Copy) register.StoredCopy {
		t.Helper()
		c, err := e.StoredCopy(which)
		if err != nil {
			t.Fatalf("%s: %v", which, err)
		}
		return c
	}
	noCopy := func(t *testing.T, e register.Entry, which register.Copy, says string) {
		t.Helper()
		_, err := e.StoredCopy(which)
		var nc *register.NoCopyError
		if !errors.As(err, &nc) || !errors.Is(err, attestation.ErrNotFound) || !strings.Contains(nc.Reason, says) {
			t.Fatalf("%s: %v, want a NoCopyError saying %q", which, err, says)
		}
	}
	t.Run("without a duplicate the current copy is the certificate as issued", func(t *testing.T) {
		for _, which := range []register.Copy{"", register.CopyCurrent, register.CopyOriginal} {
			if c := pick(t, e, which); c.Copy != register.CopyOriginal || c.Document.VersionID != "c1" || !c.IssuedAt.Equal(issued) {
				t.Fatalf("%q: %+v", which, c)
			}
		}
		noCopy(t, e, register.CopyDuplicate, "§48")
		noCopy(t, e, register.CopyRecallDecision, "§45")
	})
	t.Run("§48 after duplicates the current copy is the latest duplicate issued; the original stays", func(t *testing.T) {
		first, second := issued.AddDate(0, 1, 0), issued.AddDate(0, 2, 0)
		d := e
		d.Duplicates = []register.DuplicateRequest{
			{ID: "D-2", IssuedAt: &second, Document: &register.Document{Key: "dup-2.pdf", VersionID: "d2"}},
			{ID: "D-1", IssuedAt: &first, Document: &register.Document{Key: "dup-1.pdf", VersionID: "d1"}},
			{ID: "D-3"}, // a notice not yet answered
		}
		for _, which := range []register.Copy{register.CopyCurrent, register.CopyDuplicate} {
			if c := pick(t, d, which); c.Copy != register.CopyDuplicate || c.Document.VersionID != "d2" || !c.IssuedAt.Equal(second) {
				t.Fatalf("%s: %+v", which, c)
			}
		}
		if c := pick(t, d, register.CopyOriginal); c.Document.VersionID != "c1" {
			t.Fatalf("original: %+v", c)
		}
	})
	t.Run("§45 §46 a recalled certificate has the copy of the decision sent to the owner", func(t *testing.T) {
		decided := issued.AddDate(0, 3, 0)
		r := e
		r.Recall = &register.Recall{Ground: "owner_application", DecidedAt: decided,
			Decision: &register.Document{Key: "recall-decision.json", VersionID: "r1"}}
		if c := pick(t, r, register.CopyRecallDecision); c.Copy != register.CopyRecallDecision || c.Document.VersionID != "r1" || !c.IssuedAt.Equal(decided) {
			t.Fatalf("%+v", c)
		}
		if c := pick(t, r, register.CopyCurrent); c.Copy != register.CopyOriginal {
			t.Fatalf("current after a recall: %+v", c)
		}
	})
	t.Run("a copy that is no copy is refused", func(t *testing.T) {
		if _, err := e.StoredCopy("scan"); !errors.Is(err, attestation.ErrInvalid) {
			t.Fatalf("%v", err)
		}
	})
}
