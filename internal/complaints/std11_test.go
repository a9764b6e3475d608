package complaints

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"attestation/internal/attestation"
	"attestation/internal/identity"
)

// postRegistration is a complaint to the head of the STS received by post on Thursday 2026-10-15
// at 10:00 Almaty.
func postRegistration() Registration {
	return Registration{Addressee: STSHead, Channel: ChannelPost, Organization: ownBIN, ComplainantName: "A. Aigerim",
		Subject: "The act of the survey came late", IncomingNumber: "ВХ-2026/0412", RegisteredBy: "Serikbayev A.", ReceivedAt: filedAt}
}

func TestStd11Addressees(t *testing.T) {
	ctx := context.Background()
	t.Run("standard §11 a complaint is filed with the head of the Ministry or of the STS, each considered within 5 working days", func(t *testing.T) {
		s, _ := newService(t)
		for _, a := range []Addressee{MinistryHead, STSHead} {
			c := file(t, s, applicant, filing(a), filedAt)
			if !c.DueAt.Equal(endOfDay(2026, 10, 22)) || c.Addressee != a || !strings.Contains(c.History[0].What, addresseeName(a)) {
				t.Fatalf("%s: due %v, %+v", a, c.DueAt.In(almaty), c)
			}
		}
		if MinistryHead.Role() != identity.Authority || STSHead.Role() != identity.STS {
			t.Fatalf("roles %s %s", MinistryHead.Role(), STSHead.Role())
		}
	})
	t.Run("standard §11 the STS reads, lists and decides the complaints to its head, and no other", func(t *testing.T) {
		s, _ := newService(t)
		toSTS := file(t, s, applicant, filing(STSHead), filedAt)
		toMinistry := file(t, s, applicant, filing(MinistryHead), filedAt)
		if c, err := s.Get(ctx, sts, toSTS.ID); err != nil || c.ID != toSTS.ID {
			t.Fatalf("%+v %v", c, err)
		}
		if _, err := s.Get(ctx, sts, toMinistry.ID); !errors.Is(err, attestation.ErrNotFound) {
			t.Fatalf("the STS reads a complaint to the Ministry: %v", err)
		}
		if list, _, err := s.List(ctx, sts, 10, ""); err != nil || len(list) != 1 || list[0].ID != toSTS.ID {
			t.Fatalf("%v %v", list, err)
		}
		if _, err := s.Decide(ctx, authority, toSTS.ID, DecisionInput{Outcome: Rejected, Answer: "no"}, filedAt); !errors.Is(err, attestation.ErrForbidden) {
			t.Fatalf("the authority decides a complaint to the STS's head: %v", err)
		}
		if c, err := s.Decide(ctx, sts, toSTS.ID, DecisionInput{Outcome: Upheld, Answer: "The act is sent."}, filedAt); err != nil || c.Decision.Role != identity.STS {
			t.Fatalf("%+v %v", c, err)
		}
		if c, err := s.Decide(ctx, authority, toMinistry.ID, DecisionInput{Outcome: Upheld, Answer: "Answered."}, filedAt); err != nil || c.Status != StatusConsidered {
			t.Fatalf("%+v %v", c, err)
		}
	})
	t.Run("standard §11 staff list by addressee: the authority those to the head of the Ministry, not those to the STS", func(t *testing.T) {
		s, _ := newService(t)
		toMinistry := file(t, s, applicant, filing(MinistryHead), filedAt)
		file(t, s, applicant, filing(ServiceProvider), filedAt)
		if list, _, err := s.ListFiledWith(ctx, authority, MinistryHead, 10, ""); err != nil || len(list) != 1 || list[0].ID != toMinistry.ID {
			t.Fatalf("%v %v", list, err)
		}
		if _, _, err := s.ListFiledWith(ctx, authority, STSHead, 10, ""); !errors.Is(err, attestation.ErrForbidden) {
			t.Fatalf("%v", err)
		}
		if _, _, err := s.ListFiledWith(ctx, authority, "minister", 10, ""); !errors.Is(err, attestation.ErrInvalid) {
			t.Fatalf("%v", err)
		}
	})
}

func TestStd11RegistrationMark(t *testing.T) {
	ctx := context.Background()
	t.Run("standard §11 a complaint filed online is marked online, its number its incoming number, registered on receipt", func(t *testing.T) {
		s, _ := newService(t)
		c := file(t, s, applicant, filing(ServiceProvider), filedAt)
		m := c.Mark()
		if m.Channel != ChannelOnline || m.IncomingNumber != c.Number || !m.Date.Equal(c.RegisteredAt) || m.RegisteredBy != "" || c.Channel != ChannelOnline {
			t.Fatalf("mark %+v", m)
		}
		if (Complaint{Number: "C-2025/00001"}).Mark().Channel != ChannelOnline {
			t.Fatal("a complaint stored before channels were recorded is not read as filed online")
		}
	})
	t.Run("standard §11 the STS's office registers a complaint received by post with its incoming number, date and registrar", func(t *testing.T) {
		s, st := newService(t)
		now := filedAt.Add(26 * time.Hour) // registered the next day; the period counts from the receipt
		c, err := s.Register(ctx, sts, postRegistration(), now)
		if err != nil {
			t.Fatal(err)
		}
		m := c.Mark()
		if m.Channel != ChannelPost || m.IncomingNumber != "ВХ-2026/0412" || m.RegisteredBy != "Serikbayev A." || c.RegisteredBySubject != sts.Subject ||
			!m.Date.Equal(filedAt) || !c.FiledAt.Equal(filedAt) || !c.DueAt.Equal(endOfDay(2026, 10, 22)) {
			t.Fatalf("complaint %+v, mark %+v", c, m)
		}
		if c.OrganizationBIN != ownBIN || c.ApplicantName != "A. Aigerim" || c.Number != "C-2026/00001" {
			t.Fatalf("complaint %+v", c)
		}
		if h := st.events[c.ID]; len(h) != 1 || !h[0].At.Equal(now) || !strings.Contains(h[0].What, "received by post, incoming number ВХ-2026/0412, registered by Serikbayev A.") {
			t.Fatalf("history %+v", h)
		}
	})
	t.Run("standard §11 every problem of a registration names its field", func(t *testing.T) {
		s, st := newService(t)
		in := Registration{Addressee: ServiceProvider, Channel: ChannelOnline, Organization: "12", ReceivedAt: filedAt.Add(time.Hour), CaseID: otherCase}
		_, err := s.Register(ctx, sts, in, filedAt)
		ps := problemsOf(t, err)
		for _, want := range [][2]string{{"addressee", "registers only complaints addressed to it"}, {"channel", "post, email, office"},
			{"organization", "12 digits"}, {"complainantName", "required"}, {"incomingNumber", "required"}, {"registeredBy", "required"},
			{"receivedAt", "after its registration"}, {"subject", "required"}, {"caseId", "no case"}} {
			if !hasProblem(ps, want[0], want[1]) {
				t.Errorf("no problem of %s saying %q: %v", want[0], want[1], ps)
			}
		}
		in = postRegistration()
		in.ReceivedAt = filedAt.Add(-MaxReceiptAge - time.Hour)
		if ps := problemsOf(t, errOf(s.Register(ctx, sts, in, filedAt))); !hasProblem(ps, "receivedAt", "at most 30 days") {
			t.Errorf("%v", ps)
		}
		if len(st.complaints) != 0 {
			t.Fatal("a refused registration wrote")
		}
	})
	t.Run("standard §11 an applicant registers nothing: it files online", func(t *testing.T) {
		s, _ := newService(t)
		if _, err := s.Register(ctx, applicant, postRegistration(), filedAt); !errors.Is(err, attestation.ErrForbidden) {
			t.Fatalf("%v", err)
		}
	})
}
