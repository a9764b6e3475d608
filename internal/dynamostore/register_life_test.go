package dynamostore_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/attestation"
	"attestation/internal/calendar"
	"attestation/internal/identity"
	"attestation/internal/register"
	"attestation/internal/signing"
)

// Life after the certificate (§40-§48) against DynamoDB in the local stack: the due index the
// deadline check reads, the list of obligations, and the certificates by owner and status.

func lifeSigner(t testing.TB) *signing.Local {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return signing.NewLocal(k, "life-test-key")
}

// lifeNumber is a certificate number no other test or run uses: a random year far ahead and a
// random sequence.
func lifeNumber(t testing.TB) (string, int, int) {
	t.Helper()
	y, err := rand.Int(rand.Reader, big.NewInt(900))
	if err != nil {
		t.Fatal(err)
	}
	s, err := rand.Int(rand.Reader, big.NewInt(99998))
	if err != nil {
		t.Fatal(err)
	}
	year, seq := 3000+int(y.Int64()), 1+int(s.Int64())
	return fmt.Sprintf("%d/%05d", year, seq), year, seq
}

// lifeEntry stores revision 1 of a certificate of kind for bin, issued at issued; edit fills the
// rest.
func lifeEntry(t testing.TB, s register.Signer, kind, bin string, issued time.Time, edit func(*register.Entry)) register.Entry {
	t.Helper()
	number, year, seq := lifeNumber(t)
	e := register.Entry{Number: number, Year: year, Seq: seq, CaseID: "A-life", Edition: "rules-2016-amended-2018",
		ObjectName: "System " + number, ObjectKind: kind, Mandatory: kind != "nonstate_is", OwnerName: "Owner", OwnerBIN: bin,
		Act: register.Act{Number: "ACT", Date: issued}, IssuedAt: issued.UTC(), Status: register.Valid,
		Certificate: register.Document{Key: "certificates/x.pdf", VersionID: "v", SHA256: strings.Repeat("c", 64)}}
	if edit != nil {
		edit(&e)
	}
	e, err := register.Next(context.Background(), s, register.Entry{}, e, issued)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.PutEntry(context.Background(), e, register.Revision{Number: 1, At: issued, Actor: "t", Role: "authority", What: "issued", Seal: e.Seal}); err != nil {
		t.Fatal(err)
	}
	return e
}

// revise stores the next revision of e after edit.
func revise(t testing.TB, s register.Signer, e register.Entry, at time.Time, edit func(*register.Entry)) register.Entry {
	t.Helper()
	next := e
	edit(&next)
	next, err := register.Next(context.Background(), s, e, next, at)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.PutEntry(context.Background(), next, register.Revision{Number: next.Revision, At: at, Actor: "t", Role: "authority", What: "changed", Seal: next.Seal}); err != nil {
		t.Fatal(err)
	}
	return next
}

// watchKeysOf reads an entry item's keys in the due index.
func watchKeysOf(t testing.TB, number string) (string, string) {
	t.Helper()
	out, err := stack.Clients.DynamoDB.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(stack.Template.Tables[0].Name),
		Key: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "CERT#" + number}, "sk": &ddbtypes.AttributeValueMemberS{Value: "ENTRY"}}})
	if err != nil || out.Item == nil {
		t.Fatalf("get %s: %v", number, err)
	}
	s := func(k string) string {
		if v, ok := out.Item[k].(*ddbtypes.AttributeValueMemberS); ok {
			return v.Value
		}
		return ""
	}
	return s("gsi2pk"), s("gsi2sk")
}

func dueNumbers(t testing.TB, before time.Time) []string {
	t.Helper()
	list, err := store.DueEntries(context.Background(), before, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range list {
		out = append(out, e.Number)
	}
	return out
}

func TestRegisterWatchFollowsTheEntryPar40To48(t *testing.T) {
	s := lifeSigner(t)
	bin := uniqueBIN(t)
	issued := time.Date(2026, 10, 15, 5, 0, 0, 0, time.UTC)
	monitoringDue := time.Date(2027, 10, 15, 18, 59, 59, 0, time.UTC)
	platformEnd := time.Date(2027, 10, 14, 18, 59, 59, 0, time.UTC)

	system := lifeEntry(t, s, "state_is", bin, issued, func(e *register.Entry) { e.Monitoring = &register.Monitoring{DueAt: monitoringDue} })
	platform := lifeEntry(t, s, "egov_platform", bin, issued, func(e *register.Entry) { e.ValidUntil = &platformEnd })
	voluntary := lifeEntry(t, s, "nonstate_is", bin, issued, nil)

	t.Run("an entry with nothing open is not in the due index", func(t *testing.T) {
		if pk, sk := watchKeysOf(t, voluntary.Number); pk != "" || sk != "" {
			t.Fatalf("keys %q %q", pk, sk)
		}
	})
	t.Run("§42 §40 each entry is due at its earliest moment, and not before", func(t *testing.T) {
		if pk, sk := watchKeysOf(t, system.Number); pk != "CERT-WATCH" || sk != "2027-10-15T18:59:59Z#"+system.Number {
			t.Fatalf("keys %q %q", pk, sk)
		}
		before := dueNumbers(t, platformEnd.Add(-time.Second))
		if slices.Contains(before, system.Number) || slices.Contains(before, platform.Number) {
			t.Fatalf("due before their moments: %v", before)
		}
		at := dueNumbers(t, platformEnd)
		if !slices.Contains(at, platform.Number) || slices.Contains(at, system.Number) {
			t.Fatalf("due at the platform's end: %v", at)
		}
		both := dueNumbers(t, monitoringDue)
		if !slices.Contains(both, platform.Number) || !slices.Contains(both, system.Number) || slices.Contains(both, voluntary.Number) {
			t.Fatalf("due at the monitoring's end: %v", both)
		}
	})
	t.Run("§42 a flagged obligation stays watched but is no longer due; a closed one leaves the index", func(t *testing.T) {
		flagged := revise(t, s, system, monitoringDue.Add(time.Hour), func(e *register.Entry) {
			m := *e.Monitoring
			m.Overdue = true
			e.Monitoring = &m
		})
		if pk, sk := watchKeysOf(t, system.Number); pk != "CERT-WATCH" || sk != "~#"+system.Number {
			t.Fatalf("keys %q %q", pk, sk)
		}
		if slices.Contains(dueNumbers(t, monitoringDue.Add(48*time.Hour)), system.Number) {
			t.Fatal("a flagged obligation is due again")
		}
		if !slices.Contains(watchedNumbers(t, 2), system.Number) {
			t.Fatal("a flagged obligation is not watched")
		}
		connected := monitoringDue.Add(72 * time.Hour)
		revise(t, s, flagged, connected, func(e *register.Entry) {
			m := *e.Monitoring
			m.ConnectedAt = &connected
			e.Monitoring = &m
		})
		if pk, _ := watchKeysOf(t, system.Number); pk != "" {
			t.Fatalf("a closed obligation still indexed under %q", pk)
		}
		if slices.Contains(watchedNumbers(t, 2), system.Number) {
			t.Fatal("a closed obligation is still watched")
		}
	})
}

// watchedNumbers pages through the watched entries, limit at a time.
func watchedNumbers(t testing.TB, limit int) []string {
	t.Helper()
	var out []string
	cursor := ""
	for pages := 0; ; pages++ {
		list, next, err := store.WatchedEntries(context.Background(), limit, cursor)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) > limit || pages > 10000 {
			t.Fatalf("page of %d, limit %d", len(list), limit)
		}
		for _, e := range list {
			out = append(out, e.Number)
		}
		if cursor = next; cursor == "" {
			return out
		}
	}
}

// The service on the real store: the deadline check finds what is due through the index, flags
// it once, and the obligations read the watch.
func TestRegisterServiceOnDynamoDBPar42Par46(t *testing.T) {
	ctx := context.Background()
	s := lifeSigner(t)
	cal, err := calendar.Kazakhstan()
	if err != nil {
		t.Fatal(err)
	}
	svc, err := register.NewService(register.Deps{Store: store, Signer: s, Calendar: cal, Log: slog.New(slog.NewJSONHandler(io.Discard, nil)),
		Records: memDecisions{}, Render: func(c register.RecallCopy) ([]byte, error) { return []byte("%PDF-1.7 " + c.Certificate), nil },
		Duplicator: noDuplicates{}})
	if err != nil {
		t.Fatal(err)
	}
	bin := uniqueBIN(t)
	// Moments long past, so that the check meets no other test's entries.
	issued := time.Date(2017, 10, 16, 4, 0, 0, 0, time.UTC)
	due := time.Date(2018, 10, 16, 17, 59, 59, 0, time.UTC)
	system := lifeEntry(t, s, "state_is", bin, issued, func(e *register.Entry) { e.Monitoring = &register.Monitoring{DueAt: due} })
	recalled := lifeEntry(t, s, "state_is", bin, issued, nil)
	authority := identity.Actor{Subject: "a", Role: identity.Authority}
	decided := time.Date(2018, 10, 8, 4, 0, 0, 0, time.UTC) // Monday, 10:00 Almaty: the return is due Thursday
	if _, err := svc.Recall(ctx, authority, recalled.Number, register.RecallInput{Ground: "owner_application", Reasons: []string{"asked"}}, decided); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2018, 10, 16, 18, 0, 0, 0, time.UTC) // Wednesday 00:00 Almaty
	out, err := svc.Check(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	var mine []string
	for _, f := range out.(register.CheckReport).Flagged {
		if f.Certificate == system.Number || f.Certificate == recalled.Number {
			mine = append(mine, f.What+"/"+f.Certificate)
		}
	}
	sort.Strings(mine)
	want := []string{"certificate_return/" + recalled.Number, "monitoring_connection/" + system.Number}
	sort.Strings(want)
	if !slices.Equal(mine, want) {
		t.Fatalf("flagged %v, want %v", mine, want)
	}
	out, err = svc.Check(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range out.(register.CheckReport).Flagged {
		if f.Certificate == system.Number || f.Certificate == recalled.Number {
			t.Fatalf("flagged again: %+v", f)
		}
	}
	revs, err := store.Revisions(ctx, system.Number)
	if err != nil || len(revs) != 2 || revs[1].Role != "scheduler" || revs[1].Paragraph != "§42" {
		t.Fatalf("history %+v %v", revs, err)
	}
	pub, _ := s.PublicKeyPEM(ctx)
	if e, err := store.Entry(ctx, system.Number); err != nil || register.Verify(e, pub) != nil || !e.Monitoring.Overdue {
		t.Fatalf("%+v %v", e.Monitoring, err)
	}
	var got []string
	cursor := ""
	for pages := 0; pages < 1000; pages++ {
		obs, next, err := svc.Obligations(ctx, authority, true, 1, cursor, now)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range obs {
			if o.OwnerBIN == bin {
				got = append(got, o.Kind+"/"+o.Certificate)
			}
		}
		if cursor = next; cursor == "" {
			break
		}
	}
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Fatalf("overdue obligations %v, want %v", got, want)
	}
}

// noDuplicates is the maker of duplicates of a test that issues none.
type noDuplicates struct{}

func (noDuplicates) Duplicate(context.Context, register.Entry, register.DuplicateRequest, time.Time) (register.Document, error) {
	return register.Document{}, errors.New("this test issues no duplicates")
}

// memDecisions keeps the copies of decisions in memory (the bucket is tested in s3store).
type memDecisions struct{}

func (memDecisions) Put(_ context.Context, key, _ string, body []byte) (attestation.Document, error) {
	return attestation.Document{Key: key, VersionID: "v1", SHA256: strings.Repeat("e", 64)}, nil
}

func TestListEntriesByOwnerAndStatus(t *testing.T) {
	ctx := context.Background()
	s := lifeSigner(t)
	bin := uniqueBIN(t)
	issued := time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)
	var numbers []string
	for range 4 {
		numbers = append(numbers, lifeEntry(t, s, "state_is", bin, issued, nil).Number)
	}
	sort.Sort(sort.Reverse(sort.StringSlice(numbers)))
	recalled := numbers[2]
	e, err := store.Entry(ctx, recalled)
	if err != nil {
		t.Fatal(err)
	}
	revise(t, s, e, issued.Add(time.Hour), func(e *register.Entry) { e.Status = register.Recalled })
	// An item of the old issue path in the owner's partition (sk CERT, no entry) is no entry.
	legacy, _, _ := lifeNumber(t)
	if _, err := stack.Clients.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(stack.Template.Tables[0].Name), Item: map[string]ddbtypes.AttributeValue{
		"pk": &ddbtypes.AttributeValueMemberS{Value: "CERT#" + legacy}, "sk": &ddbtypes.AttributeValueMemberS{Value: "CERT"},
		"gsi1pk": &ddbtypes.AttributeValueMemberS{Value: "ORG#" + bin}, "gsi1sk": &ddbtypes.AttributeValueMemberS{Value: "CERT#" + legacy},
		"type": &ddbtypes.AttributeValueMemberS{Value: "certificate"}}}); err != nil {
		t.Fatal(err)
	}

	all := func(q register.CertificateQuery, limit int) []string {
		t.Helper()
		var out []string
		cursor := ""
		for pages := 0; ; pages++ {
			list, next, err := store.ListEntries(ctx, q, limit, cursor)
			if err != nil {
				t.Fatal(err)
			}
			if len(list) > limit || pages > 1000 {
				t.Fatalf("page of %d, limit %d", len(list), limit)
			}
			for _, e := range list {
				out = append(out, e.Number)
			}
			if cursor = next; cursor == "" {
				return out
			}
		}
	}
	t.Run("the owner's certificates, newest number first, a page at a time", func(t *testing.T) {
		if got := all(register.CertificateQuery{OwnerBIN: bin}, 3); !slices.Equal(got, numbers) {
			t.Fatalf("%v, want %v", got, numbers)
		}
	})
	t.Run("of one status", func(t *testing.T) {
		if got := all(register.CertificateQuery{OwnerBIN: bin, Status: register.Recalled}, 1); !slices.Equal(got, []string{recalled}) {
			t.Fatalf("%v", got)
		}
		valid := slices.DeleteFunc(slices.Clone(numbers), func(n string) bool { return n == recalled })
		if got := all(register.CertificateQuery{OwnerBIN: bin, Status: register.Valid}, 2); !slices.Equal(got, valid) {
			t.Fatalf("%v, want %v", got, valid)
		}
	})
	t.Run("§40 expired narrows to the stored statuses that may read expired: valid and expired", func(t *testing.T) {
		e, err := store.Entry(ctx, numbers[0])
		if err != nil {
			t.Fatal(err)
		}
		revise(t, s, e, issued.Add(2*time.Hour), func(e *register.Entry) { at := issued.Add(time.Hour); e.Status, e.ExpiredAt = register.Expired, &at })
		want := slices.DeleteFunc(slices.Clone(numbers), func(n string) bool { return n == recalled })
		if got := all(register.CertificateQuery{OwnerBIN: bin, Status: register.Expired}, 2); !slices.Equal(got, want) {
			t.Fatalf("%v, want %v", got, want)
		}
		if got := all(register.CertificateQuery{OwnerBIN: bin, Status: register.Valid}, 2); !slices.Equal(got, want[1:]) {
			t.Fatalf("valid: %v, want %v", got, want[1:])
		}
	})
	t.Run("the whole register, newest number first", func(t *testing.T) {
		got := all(register.CertificateQuery{}, 50)
		if !sort.IsSorted(sort.Reverse(sort.StringSlice(got))) {
			t.Fatalf("not newest first: %v", got)
		}
		for _, n := range numbers {
			if !slices.Contains(got, n) {
				t.Fatalf("%s not listed", n)
			}
		}
		if slices.Contains(got, legacy) {
			t.Fatal("an item without an entry is listed")
		}
	})
	t.Run("a cursor of another list is refused", func(t *testing.T) {
		_, cursor, err := store.ListEntries(ctx, register.CertificateQuery{OwnerBIN: bin}, 1, "")
		if err != nil || cursor == "" {
			t.Fatalf("%q %v", cursor, err)
		}
		for _, q := range []register.CertificateQuery{{OwnerBIN: uniqueBIN(t)}, {}} {
			if _, _, err := store.ListEntries(ctx, q, 1, cursor); !errors.Is(err, attestation.ErrBadCursor) {
				t.Fatalf("%+v: %v, want ErrBadCursor", q, err)
			}
		}
		if _, _, err := store.WatchedEntries(ctx, 1, cursor); !errors.Is(err, attestation.ErrBadCursor) {
			t.Fatalf("watched: %v, want ErrBadCursor", err)
		}
		if _, _, err := store.ListEntries(ctx, register.CertificateQuery{}, 1, "Zm9yZ2Vk"); !errors.Is(err, attestation.ErrBadCursor) {
			t.Fatalf("forged: %v", err)
		}
	})
}
