package dynamostore_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"attestation/internal/attestation"
	"attestation/internal/register"
	"attestation/internal/s3store"
	"attestation/internal/signing"
)

// The public search and the open-data export against DynamoDB (and S3) in the local stack.

func searchSigner(t testing.TB) *signing.Local {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return signing.NewLocal(k, "test-key")
}

// putEntry stores the first revision of an entry of the given year and sequence.
func putEntry(t testing.TB, s register.Signer, year, seq int, object, bin string, edit func(*register.Entry)) register.Entry {
	t.Helper()
	at := time.Date(year, 3, 2, 6, 0, 0, 0, time.UTC)
	e := register.Entry{Number: fmt.Sprintf("%d/%05d", year, seq), Year: year, Seq: seq, CaseID: "A-search", Edition: "rules-2016-amended-2018",
		ObjectName: object, ObjectKind: "state_is", OwnerName: "Owner " + bin, OwnerBIN: bin, Developer: "Developer",
		Act: register.Act{Number: "ACT", Date: at}, IssuedAt: at, Status: register.Valid,
		Certificate: register.Document{Key: "certificates/x.pdf", VersionID: "v", SHA256: strings.Repeat("c", 64)}}
	if edit != nil {
		edit(&e)
	}
	e, err := register.Next(context.Background(), s, register.Entry{}, e, at)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.PutEntry(context.Background(), e, register.Revision{Number: 1, At: at, Actor: "t", Role: "authority", What: "issued", Seal: e.Seal}); err != nil {
		t.Fatal(err)
	}
	return e
}

func numbersOf(es []register.Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Number)
	}
	return out
}

// searchAll pages through a search to its end.
func searchAll(t *testing.T, f register.Filter, limit int) ([]string, int) {
	t.Helper()
	var got []string
	cursor, pages := "", 0
	for {
		es, next, err := store.SearchEntries(context.Background(), f, limit, cursor)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) > limit {
			t.Fatalf("a page of %d entries, limit %d", len(es), limit)
		}
		pages++
		got = append(got, numbersOf(es)...)
		if next == "" {
			return got, pages
		}
		if pages > 100 {
			t.Fatal("the cursor does not end")
		}
		cursor = next
	}
}

func TestSearchEntriesPar29(t *testing.T) {
	s := searchSigner(t)
	year := unusedYear() // the search sees every run's entries; this run's are of a year of their own
	recalled := func(e *register.Entry) { e.Status = register.Recalled }
	individual := func(e *register.Entry) { e.OwnerIndividual = true }
	var mine []string
	for i, tc := range []struct {
		object, bin string
		edit        func(*register.Entry)
	}{
		{"Ақпараттық жүйе «Әлем»", "120540001238", nil},
		{"Портал ӘЛЕМ", "990340001230", recalled},
		{"Registry", "120540001238", nil},
		{"Личный сайт", "880101300123", individual},
		{"Another Registry", "990340001230", nil},
		{"Closed", "120540001238", func(e *register.Entry) { e.Status = register.Terminated }},
	} {
		mine = append(mine, putEntry(t, s, year, i+1, tc.object, tc.bin, tc.edit).Number)
	}
	onlyMine := func(got []string) []string {
		var out []string
		for _, n := range got {
			if slices.Contains(mine, n) {
				out = append(out, n)
			}
		}
		return out
	}
	n := func(seqs ...int) []string {
		var out []string
		for _, q := range seqs {
			out = append(out, fmt.Sprintf("%d/%05d", year, q))
		}
		return out
	}
	for _, tc := range []struct {
		name string
		f    register.Filter
		want []string
	}{
		{"§29 every entry, by number", register.Filter{}, n(1, 2, 3, 4, 5, 6)},
		{"§29 a part of the object's name, lower-cased, Kazakh letters too", register.Filter{ObjectName: "әлем"}, n(1, 2)},
		{"§29 a part of the object's name in any case", register.Filter{ObjectName: "REGISTRY"}, n(3, 5)},
		{"§29 the owner's BIN", register.Filter{OwnerBIN: "990340001230"}, n(2, 5)},
		{"§29 an individual owner's IIN finds nothing", register.Filter{OwnerBIN: "880101300123"}, nil},
		{"§45 a status", register.Filter{Statuses: []register.Status{register.Recalled}}, n(2)},
		{"§29 any of statuses", register.Filter{Statuses: []register.Status{register.Recalled, register.Terminated}}, n(2, 6)},
		{"§29 criteria together", register.Filter{OwnerBIN: "120540001238", ObjectName: "registry", Statuses: []register.Status{register.Valid}}, n(3)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, limit := range []int{1, 2, 100} {
				got, _ := searchAll(t, tc.f, limit)
				if !slices.Equal(onlyMine(got), tc.want) {
					t.Fatalf("limit %d: %v, want %v", limit, onlyMine(got), tc.want)
				}
			}
		})
	}
	t.Run("§29 by number: one GetItem, the other criteria checked", func(t *testing.T) {
		for _, tc := range []struct {
			f    register.Filter
			want []string
		}{
			{register.Filter{Number: n(2)[0]}, n(2)},
			{register.Filter{Number: n(2)[0], Statuses: []register.Status{register.Valid}}, nil},
			{register.Filter{Number: n(4)[0], OwnerBIN: "880101300123"}, nil},
			{register.Filter{Number: n(3)[0], ObjectName: "regis"}, n(3)},
			{register.Filter{Number: fmt.Sprintf("%d/99999", year)}, nil},
		} {
			es, next, err := store.SearchEntries(context.Background(), tc.f, 10, "")
			if err != nil || next != "" || !slices.Equal(numbersOf(es), tc.want) {
				t.Fatalf("%+v: %v %q %v, want %v", tc.f, numbersOf(es), next, err, tc.want)
			}
		}
		if _, _, err := store.SearchEntries(context.Background(), register.Filter{Number: n(2)[0]}, 10, "abc"); !errors.Is(err, attestation.ErrBadCursor) {
			t.Fatalf("a cursor with a number: %v", err)
		}
	})
	t.Run("§29 a page is full at its limit and the cursor continues after its last entry", func(t *testing.T) {
		es, next, err := store.SearchEntries(context.Background(), register.Filter{ObjectName: "registry"}, 1, "")
		if err != nil || len(es) != 1 || next == "" {
			t.Fatalf("%v %q %v", numbersOf(es), next, err)
		}
		rest, _, err := store.SearchEntries(context.Background(), register.Filter{ObjectName: "registry"}, 10, next)
		if err != nil || slices.Contains(numbersOf(rest), es[0].Number) {
			t.Fatalf("%v %v", numbersOf(rest), err)
		}
	})
	t.Run("a cursor this search did not issue is refused", func(t *testing.T) {
		for name, c := range map[string]string{
			"not base64":        "%%%",
			"not JSON":          "Zm9yZ2Vk",
			"another partition": "eyJnc2kzcGsiOiJRVUVVRSNhdXRob3JpdHkiLCJnc2kzc2siOiJ4IiwicGsiOiJDRVJUI3giLCJzayI6IkVOVFJZIn0",
		} {
			if _, _, err := store.SearchEntries(context.Background(), register.Filter{}, 5, c); !errors.Is(err, attestation.ErrBadCursor) {
				t.Errorf("%s: %v", name, err)
			}
		}
	})
	t.Run("§29 AllEntries reads the whole register by number", func(t *testing.T) {
		all, err := store.AllEntries(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if got := onlyMine(numbersOf(all)); !slices.Equal(got, mine) {
			t.Fatalf("%v, want %v", got, mine)
		}
		for _, e := range all {
			if slices.Contains(mine, e.Number) && e.Seal.Signature.KeyID != "test-key" {
				t.Fatalf("%s lost its seal: %+v", e.Number, e.Seal)
			}
		}
	})
}

// TestOpenDataExportWritesTheDaysFilesOncePar29: the export reads the register from DynamoDB and
// writes its files to the Object Lock bucket; the bytes read back are the export's, the CSV
// parses, and a second run the same day writes nothing new.
func TestOpenDataExportWritesTheDaysFilesOncePar29(t *testing.T) {
	ctx := context.Background()
	s := searchSigner(t)
	// A year of its own: a day's files are written once, so every run exports another day.
	year := unusedYear()
	putEntry(t, s, year, 1, "Жүйе «Ғылым»", "120540001238", nil)
	var bucket string
	for _, b := range stack.Template.Buckets {
		if b.ObjectLock {
			bucket = b.Name
		}
	}
	almaty, err := time.LoadLocation("Asia/Almaty")
	if err != nil {
		t.Fatal(err)
	}
	od := register.NewOpenData(store, s3store.NewRecords(stack.Clients.S3, bucket), almaty)
	at := time.Date(year, 3, 2, 19, 30, 0, 0, time.UTC) // 00:30 on 3 March in Almaty
	out, err := od.Check(ctx, at)
	if err != nil {
		t.Fatal(err)
	}
	rep := out.(register.OpenDataReport)
	if rep.Day != fmt.Sprintf("%d-03-03", year) || len(rep.Files) != 2 || rep.Files[0].Stands || rep.Files[1].Stands {
		t.Fatalf("%+v", rep)
	}
	all, err := store.AllEntries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	read := func(f register.OpenDataFile) []byte {
		o, err := stack.Clients.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &f.Key, VersionId: aws.String(f.VersionID)})
		if err != nil {
			t.Fatal(err)
		}
		defer o.Body.Close()
		b, _ := io.ReadAll(o.Body)
		return b
	}
	if got := read(rep.Files[0]); !bytes.Equal(got, register.ExportJSON(all, at)) {
		t.Fatalf("register.json read back differs:\n%s", got)
	}
	gotCSV := read(rep.Files[1])
	if !bytes.Equal(gotCSV, register.ExportCSV(all, at)) {
		t.Fatalf("register.csv read back differs:\n%s", gotCSV)
	}
	rows, err := csv.NewReader(bytes.NewReader(gotCSV)).ReadAll()
	if err != nil || len(rows) != len(all)+1 || !slices.Equal(rows[0], register.CSVHeader) || !strings.Contains(string(gotCSV), "Жүйе «Ғылым»") {
		t.Fatalf("%d rows for %d entries: %v", len(rows), len(all), err)
	}

	again, err := od.Check(ctx, at.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if r := again.(register.OpenDataReport); r.Files[0].VersionID != rep.Files[0].VersionID || r.Files[1].VersionID != rep.Files[1].VersionID || r.Files[0].Stands {
		t.Fatalf("a second run the same day: %+v, first %+v", r, rep)
	}
	putEntry(t, s, year, 2, "Another", "120540001238", nil)
	changed, err := od.Check(ctx, at.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if r := changed.(register.OpenDataReport); !r.Files[0].Stands || !r.Files[1].Stands {
		t.Fatalf("the register changed the same day: %+v", r)
	}
	if got := read(rep.Files[0]); !bytes.Equal(got, register.ExportJSON(all, at)) {
		t.Fatal("the day's export was replaced")
	}
}
