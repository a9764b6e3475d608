package dynamostore

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

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
		ReadAt: &read, Delivery: &notice.Delivery{Outcome: notice.DeliverySent, EventID: "e-1", Mail: []string{"m-1"},
			To: []string{"office@example.kz"}, At: goldenAt(3, 10).Add(2 * time.Second)}}
}

// goldenStaffNotification: a step opened in a staff role's queue, not yet delivered.
func goldenStaffNotification() notice.Notification {
	due := goldenAt(5, 12)
	return notice.Notification{ID: "C-0001.4.1", Kind: notice.StepOpened, To: notice.Audience{Role: identity.STS},
		CaseID: "C-0001", Object: "Portal", Step: "send_contract", Paragraph: "§17", DueAt: &due, At: goldenAt(2, 10)}
}

func goldenNoticeItems() []goldenItem {
	enc := func(n notice.Notification) func() (map[string]types.AttributeValue, error) {
		return func() (map[string]types.AttributeValue, error) {
			return firstPut(noticePuts("t", []notice.Notification{n}))
		}
	}
	return []goldenItem{
		{"notification", goldenNotification(), enc(goldenNotification()), decodeAs(func(it notificationItem) any { return it.domain() })},
		{"notification_staff", goldenStaffNotification(), enc(goldenStaffNotification()), decodeAs(func(it notificationItem) any { return it.domain() })},
	}
}
