package register

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"attestation/internal/attestation"
	"attestation/internal/identity"
)

// Reading the register: another organisation's certificate, pages of certificates and
// obligations, the number from the URL and the signed history (§29).

func TestAnotherOrganisationsCertificateIsNotFound(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	e := f.issue(t, "state_is", issuedAt)
	when := at(2026, 11, 2, 10, 0)
	for name, call := range map[string]func(identity.Actor, string) error{
		"monitoring": func(a identity.Actor, n string) error { _, err := f.svc.NotifyMonitoring(ctx, a, n, when); return err },
		"changes": func(a identity.Actor, n string) error {
			_, _, err := f.svc.NotifyChange(ctx, a, n, ChangeInput{Description: "x"}, when)
			return err
		},
		"duplicates": func(a identity.Actor, n string) error {
			_, _, err := f.svc.RequestDuplicate(ctx, a, n, DuplicateInput{Reason: DuplicateLost}, when)
			return err
		},
		"cessation": func(a identity.Actor, n string) error {
			_, err := f.svc.NotifyCessation(ctx, a, n, CessationNotice{CeasedOn: "2026-11-01"}, when)
			return err
		},
		"get": func(a identity.Actor, n string) error { _, err := f.svc.Get(ctx, a, n, when); return err },
	} {
		t.Run(name, func(t *testing.T) {
			foreign, missing := call(stranger, e.Number), call(stranger, "2026/09999")
			mustErr(t, foreign, ErrCertificateNotFound)
			mustErr(t, missing, ErrCertificateNotFound)
			if f.store.revisions(e.Number) != 1 {
				t.Fatal("a stranger's call wrote")
			}
		})
	}
	list, _, err := f.svc.List(ctx, stranger, CertificateQuery{}, 10, "", when)
	if err != nil || len(list) != 0 {
		t.Fatalf("a stranger lists %d certificates, %v", len(list), err)
	}
	_, _, err = f.svc.List(ctx, stranger, CertificateQuery{OwnerBIN: ownerBIN}, 10, "", when)
	mustErr(t, err, attestation.ErrForbidden)
	mine, _, err := f.svc.List(ctx, owner, CertificateQuery{}, 10, "", when)
	if err != nil || len(mine) != 1 || mine[0].Number != e.Number {
		t.Fatalf("%v %v", mine, err)
	}
	_, _, err = f.svc.List(ctx, sts, CertificateQuery{}, 10, "", when)
	mustErr(t, err, attestation.ErrForbidden)
	// An applicant reads the obligations of its own organisation's certificates only.
	obs, _, err := f.svc.Obligations(ctx, owner, false, 10, "", when)
	if err != nil || len(obs) == 0 {
		t.Fatalf("the owner's obligations: %v %v", obs, err)
	}
	for _, o := range obs {
		if o.Certificate != e.Number || o.OwnerBIN != ownerBIN {
			t.Fatalf("the owner sees %+v", o)
		}
	}
	if obs, _, err := f.svc.Obligations(ctx, stranger, false, 10, "", when); err != nil || len(obs) != 0 {
		t.Fatalf("a stranger sees %v %v", obs, err)
	}
	_, _, err = f.svc.Obligations(ctx, sts, false, 10, "", when)
	mustErr(t, err, attestation.ErrForbidden)
}

func TestListAndObligationsPage(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	var numbers []string
	for range 5 {
		numbers = append(numbers, f.issue(t, "state_is", issuedAt).Number)
	}
	platform := f.issue(t, "egov_platform", issuedAt) // watched for its term, no obligation
	when := at(2026, 11, 2, 10, 0)
	if _, err := f.svc.Recall(ctx, authority, numbers[0], recall("owner_application"), at(2026, 11, 2, 10, 0)); err != nil {
		t.Fatal(err)
	}
	var all []string
	cursor := ""
	for {
		list, next, err := f.svc.List(ctx, authority, CertificateQuery{}, 4, cursor, when)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range list {
			all = append(all, e.Number)
		}
		if cursor = next; cursor == "" {
			break
		}
	}
	if len(all) != 6 || all[0] != platform.Number || all[5] != numbers[0] {
		t.Fatalf("listed %v", all)
	}
	recalled, _, _ := f.svc.List(ctx, authority, CertificateQuery{Status: Recalled}, 10, "", when)
	if len(recalled) != 1 || recalled[0].Number != numbers[0] {
		t.Fatalf("recalled: %v", recalled)
	}
	_, _, err := f.svc.List(ctx, authority, CertificateQuery{Status: "lost"}, 10, "", when)
	mustErr(t, err, attestation.ErrInvalid)

	// Five certificates with obligations (four monitoring connections, one return), a page of two.
	seen := map[string]int{}
	cursor = ""
	for pages := 0; ; pages++ {
		obs, next, err := f.svc.Obligations(ctx, authority, false, 2, cursor, at(2026, 11, 3, 10, 0))
		if err != nil {
			t.Fatal(err)
		}
		certs := map[string]bool{}
		for _, o := range obs {
			seen[o.Kind+"/"+o.Certificate]++
			certs[o.Certificate] = true
		}
		if len(certs) > 2 || pages > 5 {
			t.Fatalf("page %d holds %d certificates", pages, len(certs))
		}
		if cursor = next; cursor == "" {
			break
		}
	}
	want := map[string]int{"certificate_return/" + numbers[0]: 1}
	for _, n := range numbers[1:] {
		want["monitoring_connection/"+n] = 1
	}
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Fatalf("obligations %v, want %v", seen, want)
	}
	overdue, _, _ := f.svc.Obligations(ctx, authority, true, 10, "", at(2026, 11, 3, 10, 0))
	if len(overdue) != 0 {
		t.Fatalf("overdue: %+v", overdue)
	}
	overdue, _, _ = f.svc.Obligations(ctx, authority, true, 10, "", at(2026, 11, 6, 10, 0))
	if len(overdue) != 1 || overdue[0].Kind != WatchReturn || !overdue[0].Overdue {
		t.Fatalf("overdue after the return's period: %+v", overdue)
	}
}

func TestNumberFollowsThePolicy(t *testing.T) {
	f := newFixture(t)
	if n, err := f.svc.Number("2026", "00042"); err != nil || n != "2026/00042" {
		t.Fatalf("%q %v", n, err)
	}
	if n, err := f.svc.Number("2026", "42"); err != nil || n != "2026/00042" {
		t.Fatalf("%q %v", n, err)
	}
	for _, bad := range [][2]string{{"26", "00042"}, {"2026", "100000"}, {"2026", "0004a"}, {"{seq}", "00042"}, {"2026", "00000"}, {"2026", "+42"}, {"2026", ""}, {"+026", "1"}} {
		if _, err := f.svc.Number(bad[0], bad[1]); !errors.Is(err, attestation.ErrInvalid) {
			t.Errorf("%v: %v, want ErrInvalid", bad, err)
		}
	}
}

func TestHistoryListsEverySignedRevisionPar29(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	e := f.issue(t, "state_is", issuedAt)
	if _, err := f.svc.NotifyMonitoring(ctx, owner, e.Number, at(2026, 11, 2, 10, 0)); err != nil {
		t.Fatal(err)
	}
	revs, err := f.svc.History(ctx, e.Number)
	if err != nil || len(revs) != 2 || revs[1].Role != string(identity.Applicant) || revs[1].Paragraph != "§42" || revs[1].Actor != owner.Subject {
		t.Fatalf("%+v %v", revs, err)
	}
	_, err = f.svc.History(ctx, "2026/09999")
	mustErr(t, err, ErrCertificateNotFound)
}
