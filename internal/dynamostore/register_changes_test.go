package dynamostore_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/attestation"
	"attestation/internal/register"
)

// §43-§44: each change notice lives in an item of its own under its certificate; the entry keeps
// a summary of each without its words, so a certificate's notices never grow the entry item past
// DynamoDB's 400 KB.

func TestPar43ChangeNoticesLiveInTheirOwnItems(t *testing.T) {
	ctx := context.Background()
	s := lifeSigner(t)
	issued := time.Date(2026, 3, 2, 5, 0, 0, 0, time.UTC)
	e := lifeEntry(t, s, "state_is", "990140000019", issued, nil)
	desc := strings.Repeat("d", 20000)
	// 50 notices of 20,000 bytes: 1 MB of words, which no single item could hold.
	for i := 1; i <= register.MaxChanges; i++ {
		at := issued.Add(time.Duration(i) * time.Hour)
		e = revise(t, s, e, at, func(n *register.Entry) {
			n.Changes = append(n.Changes, register.ChangeNotice{ID: fmt.Sprintf("c%d", i), Description: fmt.Sprintf("%05d", i) + desc,
				ReceivedAt: at, DueAt: at.Add(72 * time.Hour)})
		})
	}
	// Decide one: its reasons go to its item, its decision to the summary too.
	decided := issued.Add(100 * time.Hour)
	e = revise(t, s, e, decided, func(n *register.Entry) {
		n.Changes = slices.Clone(n.Changes) // as the service's clone: the revision before stays as read
		n.Changes[2].Decision, n.Changes[2].Reasons, n.Changes[2].DecidedAt = register.ReattestationNotRequired, []string{"minor"}, &decided
		// Law Art. 51(11): the commission whose protocol the decision was taken on, in the notice's item.
		n.Changes[2].Commission = &attestation.Commission{Meeting: "2026-03-06", ProtocolNumber: "P-3", Step: "change_decision",
			Members: []attestation.CommissionMember{{Name: "A. Chair", Position: "Chairman", Role: attestation.MemberChair}}}
	})
	got, err := store.Entry(ctx, e.Number)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Changes) != register.MaxChanges {
		t.Fatalf("read %d notices, want %d", len(got.Changes), register.MaxChanges)
	}
	for i, c := range got.Changes {
		if c.ID != fmt.Sprintf("c%d", i+1) || c.Description != fmt.Sprintf("%05d", i+1)+desc {
			t.Fatalf("notice %d reads %s with %d bytes of description", i, c.ID, len(c.Description))
		}
	}
	if c := got.Changes[2]; c.Decision != register.ReattestationNotRequired || len(c.Reasons) != 1 || c.Reasons[0] != "minor" || c.DecidedAt == nil {
		t.Errorf("decided notice reads %s %v %q", c.Decision, c.DecidedAt, c.Reasons)
	}
	if cm := got.Changes[2].Commission; cm == nil || cm.ProtocolNumber != "P-3" || len(cm.Members) != 1 || cm.Members[0].Name != "A. Chair" {
		t.Errorf("Art51(11): the decided notice's commission reads %+v", cm)
	}
	if got.InlineChanges {
		t.Error("an entry written as summaries reads as inline")
	}
	if err := register.Verify(got, mustPEM(t, s)); err != nil {
		t.Errorf("the entry read with its notices no longer verifies: %v", err)
	}
	// The entry item itself stays small.
	raw := rawItem(t, "CERT#"+e.Number, "ENTRY")
	var plain map[string]any
	if err := attributevalue.UnmarshalMap(raw, &plain); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(fmt.Sprint(plain), "A. Chair") || !strings.Contains(fmt.Sprint(plain), "not_required") {
		t.Error("the entry item holds the commission's names (the notice's own item keeps them), or lacks the decision")
	}
	if n := itemSize(t, raw); n > 64<<10 {
		t.Errorf("the entry item holds %d bytes with %d notices; want at most 64 KB", n, register.MaxChanges)
	}
	// The owner's list shows the notices whole too.
	list, _, err := store.ListEntries(ctx, register.CertificateQuery{OwnerBIN: "990140000019"}, 100, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range list {
		if l.Number == e.Number && (len(l.Changes) != register.MaxChanges || l.Changes[49].Description != "00050"+desc) {
			t.Errorf("the owner's list shows %d notices", len(l.Changes))
		}
	}
}

// An entry stored before the notices got their own items holds them inline: it still reads whole,
// and its next revision moves them into their own items.
func TestPar43AnEntryWithInlineNoticesStillReads(t *testing.T) {
	ctx := context.Background()
	s := lifeSigner(t)
	issued := time.Date(2026, 3, 2, 5, 0, 0, 0, time.UTC)
	e := lifeEntry(t, s, "state_is", "990140000027", issued, nil)
	at := issued.Add(time.Hour)
	e = revise(t, s, e, at, func(n *register.Entry) {
		n.Changes = append(n.Changes, register.ChangeNotice{ID: "c1", Description: "new segment", ReceivedAt: at, DueAt: at.Add(72 * time.Hour)})
	})
	// Rewrite the stored entry in the old shape: the notice whole inside it, no item of its own.
	table := stackTable()
	raw := rawItem(t, "CERT#"+e.Number, "ENTRY")
	entry := raw["entry"].(*ddbtypes.AttributeValueMemberM)
	changes := entry.Value["Changes"].(*ddbtypes.AttributeValueMemberL)
	c := changes.Value[0].(*ddbtypes.AttributeValueMemberM)
	delete(c.Value, "Apart")
	c.Value["Description"] = &ddbtypes.AttributeValueMemberS{Value: "new segment"}
	if _, err := stack.Clients.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: raw}); err != nil {
		t.Fatal(err)
	}
	if _, err := stack.Clients.DynamoDB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &table, Key: map[string]ddbtypes.AttributeValue{
		"pk": &ddbtypes.AttributeValueMemberS{Value: "CERT#" + e.Number}, "sk": &ddbtypes.AttributeValueMemberS{Value: "CHANGE#c1"}}}); err != nil {
		t.Fatal(err)
	}
	got, err := store.Entry(ctx, e.Number)
	if err != nil {
		t.Fatal(err)
	}
	if !got.InlineChanges || len(got.Changes) != 1 || got.Changes[0].Description != "new segment" {
		t.Fatalf("the old shape reads %+v (inline %v)", got.Changes, got.InlineChanges)
	}
	// The next revision (a monitoring notice, the notice unchanged) moves the notice out.
	connected := at.Add(time.Hour)
	revise(t, s, got, connected, func(n *register.Entry) {
		n.Monitoring = &register.Monitoring{DueAt: connected, ConnectedAt: &connected}
	})
	if it := rawItem(t, "CERT#"+e.Number, "CHANGE#c1"); it == nil {
		t.Fatal("the inline notice got no item of its own")
	}
	again, err := store.Entry(ctx, e.Number)
	if err != nil {
		t.Fatal(err)
	}
	if again.InlineChanges || len(again.Changes) != 1 || again.Changes[0].Description != "new segment" {
		t.Errorf("after the move the entry reads %+v (inline %v)", again.Changes, again.InlineChanges)
	}
}

func stackTable() string { return stack.Template.Tables[0].Name }

// itemSize is the size of an item's encoding, near DynamoDB's own measure.
func itemSize(t *testing.T, item map[string]ddbtypes.AttributeValue) int {
	t.Helper()
	var m map[string]any
	if err := attributevalue.UnmarshalMap(item, &m); err != nil {
		t.Fatal(err)
	}
	return len(fmt.Sprint(m))
}

func mustPEM(t *testing.T, s register.Signer) []byte {
	t.Helper()
	pem, err := s.PublicKeyPEM(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return pem
}
