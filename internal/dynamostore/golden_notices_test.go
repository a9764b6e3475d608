package dynamostore

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"attestation/internal/attestation"
	"attestation/internal/identity"
	"attestation/internal/notice"
)

// goldenNotification is the outbox's item as issue 13 first wrote it: the contract sent (§17)
// with its due moment, read in the cabinet, delivered.
func goldenNotification() notice.Notification {
	due := goldenAt(10, 12)
	read := goldenAt(6, 9)
	return notice.Notification{ID: "C-0001.5.1", Kind: notice.ContractSent, To: notice.Audience{BIN: "123456789012"},
		CaseID: "C-0001", Object: "Portal", Step: "sign_contract", Paragraph: "§17", DueAt: &due, At: goldenAt(3, 10),
		ReadAt: &read, EventID: "e-1", Delivery: &notice.Delivery{Outcome: notice.DeliverySent, EventID: "e-1", Mail: []string{"m-1"},
			To: []string{"office@example.kz"}, At: goldenAt(3, 10).Add(2 * time.Second)}}
}

// goldenStaffNotification: a step opened in a staff role's queue, not yet delivered.
func goldenStaffNotification() notice.Notification {
	due := goldenAt(5, 12)
	return notice.Notification{ID: "C-0001.4.1", Kind: notice.StepOpened, To: notice.Audience{Role: identity.STS},
		CaseID: "C-0001", Object: "Portal", Step: "send_contract", Paragraph: "§17", DueAt: &due, At: goldenAt(2, 10)}
}

// goldenTermCase is goldenAttentionCase with its service term (standard §4), every member set.
func goldenTermCase() attestation.Case {
	c := goldenAttentionCase()
	c.ID = "C-0005"
	st := *c.OpenStep
	st.Reminded = 1
	c.OpenStep = &st
	c.Term = &attestation.ServiceTerm{DueAt: goldenAt(28, 18), Paragraph: "standard §4", Extended: true, Provisional: true, Overdue: true,
		Uncountable: "the period of standard §4 cannot be counted", Year: 2028}
	return c
}

// goldenContacts: an organisation's contacts for its notifications, in Kazakh.
func goldenContacts() notice.Contacts {
	return notice.Contacts{BIN: "120540001238", Addresses: []string{"office@example.kz", "it@example.kz"}, Language: notice.Kazakh,
		UpdatedAt: goldenAt(3, 9)}
}

func goldenNoticeItems() []goldenItem {
	enc := func(n notice.Notification) func() (map[string]types.AttributeValue, error) {
		return func() (map[string]types.AttributeValue, error) {
			return firstPut(noticePuts("t", []notice.Notification{n}))
		}
	}
	return []goldenItem{
		{"case_term", withoutDocuments(goldenTermCase()), func() (map[string]types.AttributeValue, error) {
			return attributevalue.MarshalMap(toItem(goldenTermCase()))
		}, decodeAs(func(it caseItem) any { return fromItem(it) })},
		{"term_watch", toTermWatchItem(goldenTermCase()), func() (map[string]types.AttributeValue, error) {
			return attributevalue.MarshalMap(toTermWatchItem(goldenTermCase()))
		}, decodeAs(func(it termWatchItem) any { return it })},
		{"contacts", goldenContacts(), func() (map[string]types.AttributeValue, error) {
			return attributevalue.MarshalMap(toContactsItem(goldenContacts()))
		}, decodeAs(func(it contactsItem) any { return it.domain() })},
		{"notification", goldenNotification(), enc(goldenNotification()), decodeAs(func(it notificationItem) any { return it.domain() })},
		{"notification_staff", goldenStaffNotification(), enc(goldenStaffNotification()), decodeAs(func(it notificationItem) any { return it.domain() })},
	}
}
