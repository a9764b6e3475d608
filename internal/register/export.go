package register

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"attestation/internal/apperr"

	"attestation/internal/attestation"
	"attestation/internal/signing"
)

// The daily open-data export of the register (§29): every entry's public view with its seal as
// JSON, and one row per entry as CSV. The same entries at the same moment always give the same
// bytes: entries are ordered by number, and nothing in the files depends on the moment of the
// export but each entry's status at it (a certificate past its term is expired, §40, whether or
// not the deadline check has marked it).

// Exported is one entry in the JSON export: its status at the moment of the export, its public
// view as signed, the signed bytes and the signature, so that anyone can verify each entry of
// the file with the published key.
type Exported struct {
	Status    Status            `json:"status"`
	Entry     Public            `json:"entry"`
	Payload   []byte            `json:"payload"`
	Signature signing.Signature `json:"signature"`
}

// Export is the JSON export's document.
type Export struct {
	Register     string     `json:"register"`
	PublicKeyURL string     `json:"publicKeyUrl"`
	Count        int        `json:"count"`
	Entries      []Exported `json:"entries"`
}

func byNumber(entries []Entry) []Entry {
	out := append([]Entry(nil), entries...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out
}

// ExportJSON renders the entries' public views with their seals and their statuses at now,
// ordered by number.
func ExportJSON(entries []Entry, now time.Time) []byte {
	doc := Export{Register: "register of certificates (§29)", PublicKeyURL: PublicKeyPath, Entries: []Exported{}}
	for _, e := range byNumber(entries) {
		doc.Entries = append(doc.Entries, Exported{Status: e.StatusAt(now), Entry: e.PublicView(), Payload: e.Seal.Payload, Signature: e.Seal.Signature})
	}
	doc.Count = len(doc.Entries)
	b, err := json.MarshalIndent(doc, "", " ")
	if err != nil {
		// Public holds strings, numbers, times and byte slices: it always encodes.
		panic(fmt.Sprintf("register export: %v", err))
	}
	return append(b, '\n')
}

// CSVHeader is the export's first row: the columns of §29, in its order, then the seal.
var CSVHeader = []string{
	"number", "status",
	"objectName", "objectKind", // §29(1)
	"ownerName", "ownerBin", // §29(2): an individual owner's IIN is left out
	"developer",                         // §29(3)
	"actNumber", "actDate", "actSha256", // §29(4)
	"additionalActNumber", "additionalActDate", "additionalActSha256", // §29(4)
	"issuedAt", "validUntil", "certificateSha256", "duplicates", // §29(5)
	"recallGround", "recallParagraph", "recalledAt", "returned", "returnedAt", // §29(6)
	"expiredAt", "terminatedAt", // §29(7)
	"revision", "updatedAt", "payloadSha256", "signatureKeyId",
}

// ExportCSV renders one row per entry (its public view, its status and expiry at now), ordered
// by number: RFC 4180 (CRLF line ends, quoted fields where needed), UTF-8, times in RFC 3339 UTC,
// every cell safe to open in a spreadsheet (SpreadsheetSafe).
func ExportCSV(entries []Entry, now time.Time) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	rows := [][]string{CSVHeader}
	for _, e := range byNumber(entries) {
		row := csvRow(e, now)
		for i, cell := range row {
			row[i] = SpreadsheetSafe(cell)
		}
		rows = append(rows, row)
	}
	if err := w.WriteAll(rows); err != nil {
		panic(fmt.Sprintf("register export: %v", err)) // a bytes.Buffer does not fail
	}
	return buf.Bytes()
}

// formulaStarts are the first characters that make a spreadsheet read a cell as a formula (OWASP,
// CSV Injection): equals, plus, minus, at, tab and carriage return; and NUL (OWASP ASVS 1.2.10).
const formulaStarts = "=+-@\t\r\x00"

// SpreadsheetSafe neutralises a CSV cell as OWASP's CSV Injection advice says: a cell that begins
// with one of =, +, -, @, tab, carriage return (or NUL) gets a single quote in front, so that a
// spreadsheet shows it as text and never evaluates it (an object named "=HYPERLINK(...)" stays
// those characters). Every other cell is unchanged. A reader of the CSV who wants the exact text
// drops a leading single quote followed by one of those characters; the JSON export holds every
// value unchanged, as signed.
func SpreadsheetSafe(cell string) string {
	if cell != "" && strings.IndexByte(formulaStarts, cell[0]) >= 0 {
		return "'" + cell
	}
	return cell
}

func csvRow(e Entry, now time.Time) []string {
	p := e.AsOf(now).PublicView() // the status and expiry at now; the seal columns are the stored revision's
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	opt := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return ts(*t)
	}
	row := []string{p.Number, string(p.Status), p.ObjectName, p.ObjectKind, p.OwnerName, p.OwnerBIN, p.Developer,
		p.Act.Number, p.Act.day(), p.Act.SHA256}
	if a := p.AdditionalAct; a != nil {
		row = append(row, a.Number, a.day(), a.SHA256)
	} else {
		row = append(row, "", "", "")
	}
	row = append(row, ts(p.IssuedAt), opt(p.ValidUntil), p.CertificateHash, strconv.Itoa(len(p.Duplicates)))
	if r := p.Recall; r != nil {
		row = append(row, r.Ground, r.Paragraph, ts(r.DecidedAt), strconv.FormatBool(r.Returned), opt(r.ReturnedAt))
	} else {
		row = append(row, "", "", "", "", "")
	}
	row = append(row, opt(p.ExpiredAt), opt(p.TerminatedAt), strconv.Itoa(p.Revision), ts(p.UpdatedAt),
		PayloadSHA256(e.Seal.Payload), e.Seal.Signature.KeyID)
	return row
}

// Lister reads every entry of the register (dynamostore.Store).
type Lister interface {
	AllEntries(ctx context.Context) ([]Entry, error)
}

// Records writes a key once (s3store.Records): the same bytes again answer the version stored,
// other bytes apperr.Conflict.
type Records interface {
	Put(ctx context.Context, key, contentType string, body []byte) (attestation.Document, error)
}

// OpenData is the daily open-data export, a watch of the deadline check: at each run it writes
// open-data/<day in Asia/Almaty>/register.json and register.csv to the records bucket.
type OpenData struct {
	entries Lister
	records Records
	loc     *time.Location
}

// NewOpenData returns the export; days are counted in loc (Asia/Almaty).
func NewOpenData(entries Lister, records Records, loc *time.Location) *OpenData {
	return &OpenData{entries: entries, records: records, loc: loc}
}

// OpenDataReport is what one run of the export did.
type OpenDataReport struct {
	Day     string         `json:"day"`
	Entries int            `json:"entries"`
	Files   []OpenDataFile `json:"files"`
}

// OpenDataFile is one file of the day's export.
type OpenDataFile struct {
	Key       string `json:"key"`
	VersionID string `json:"versionId,omitempty"`
	SHA256    string `json:"sha256,omitempty"` // of the bytes written; absent when the day's file stands
	// Stands: the day's file was already written with other bytes (the register changed since);
	// it is kept, as a key is written once, and tomorrow's export carries the change.
	Stands bool `json:"stands,omitempty"`
}

// Check writes the day's export at now. A run again the same day writes nothing new: the same
// bytes answer the version stored, and a register changed since leaves the day's export as it
// stands, which the report says.
func (o *OpenData) Check(ctx context.Context, now time.Time) (any, error) {
	day := now.In(o.loc).Format("2006-01-02")
	all, err := o.entries.AllEntries(ctx)
	if err != nil {
		return nil, fmt.Errorf("open-data export of %s: %w", day, err)
	}
	entries := make([]Entry, 0, len(all))
	for _, e := range all {
		if e.Published() { // §28: a certificate not yet sent to its owner is not public
			entries = append(entries, e)
		}
	}
	rep := OpenDataReport{Day: day, Entries: len(entries)}
	for _, f := range []struct {
		name, contentType string
		body              []byte
	}{
		{"register.json", "application/json", ExportJSON(entries, now)},
		{"register.csv", "text/csv; charset=utf-8; header=present", ExportCSV(entries, now)},
	} {
		key := "open-data/" + day + "/" + f.name
		d, err := o.records.Put(ctx, key, f.contentType, f.body)
		switch {
		case errors.Is(err, apperr.Conflict):
			rep.Files = append(rep.Files, OpenDataFile{Key: key, Stands: true})
		case err != nil:
			return rep, fmt.Errorf("open-data export of %s: %w", day, err)
		default:
			rep.Files = append(rep.Files, OpenDataFile{Key: d.Key, VersionID: d.VersionID, SHA256: d.SHA256})
		}
	}
	return rep, nil
}
