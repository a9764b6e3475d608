package dynamostore

import (
	"strings"
	"time"

	"attestation/internal/identity"
	"attestation/internal/notice"
)

// The outbox (issue 13): a notification item, written in the transaction of the change it
// reports; the notify function reads it from the table's stream (a filter on type
// "notification") and records its delivery on it.

// notificationType is the type of a notification item; the stream filter of the notify
// function's event source mapping (template.yaml) names it.
const notificationType = "notification"

// notificationItem is a notification as stored.
type notificationItem struct {
	keys
	Type        string     `dynamodbav:"type"` // "notification"
	ID          string     `dynamodbav:"id"`
	Kind        string     `dynamodbav:"kind"`
	BIN         string     `dynamodbav:"bin,omitempty"`
	Role        string     `dynamodbav:"role,omitempty"`
	CaseID      string     `dynamodbav:"caseId,omitempty"`
	Certificate string     `dynamodbav:"certificate,omitempty"`
	Complaint   string     `dynamodbav:"complaint,omitempty"`
	Object      string     `dynamodbav:"object,omitempty"`
	Step        string     `dynamodbav:"step,omitempty"`
	Paragraph   string     `dynamodbav:"paragraph,omitempty"`
	Outcome     string     `dynamodbav:"outcome,omitempty"`
	DueAt       *time.Time `dynamodbav:"dueAt,omitempty"`
	// StartsAtHandOver and HandedOverAt: a paper case's period from the hand-over at the office
	// (notice.Notification); absent on every other notification.
	StartsAtHandOver bool            `dynamodbav:"startsAtHandOver,omitempty"`
	HandedOverAt     *time.Time      `dynamodbav:"handedOverAt,omitempty"`
	Reasons          []string        `dynamodbav:"reasons,omitempty"`
	Reminds          string          `dynamodbav:"reminds,omitempty"`
	DaysLeft         int             `dynamodbav:"daysLeft,omitempty"`
	At               time.Time       `dynamodbav:"at"`
	ReadAt           *time.Time      `dynamodbav:"readAt,omitempty"`
	EventID          string          `dynamodbav:"eventId,omitempty"` // set once the event is published
	Delivery         *storedDelivery `dynamodbav:"delivery,omitempty"`
}

// storedDelivery is a notification's delivery outcome (notice.Delivery).
type storedDelivery struct {
	Outcome string    `dynamodbav:"outcome"`
	EventID string    `dynamodbav:"eventId,omitempty"`
	Mail    []string  `dynamodbav:"mail,omitempty"`
	To      []string  `dynamodbav:"to,omitempty"`
	At      time.Time `dynamodbav:"at"`
	Detail  string    `dynamodbav:"detail,omitempty"`
}

func notificationPK(id string) string { return "NOTE#" + id }

// UnsentShardOf is the partition of the due index an undelivered notification waits in.
func UnsentShardOf(id string) string { return "UNSENT#" + strings.TrimPrefix(DueShardOf(id), "DUE#") }

// toNotificationItem is n as stored: by ID, in its audience's cabinet (gsi1, newest first) and
// in its case's list (gsi4, which projects whole items: the due and queue indexes project only
// what their own queries decode).
func toNotificationItem(n notice.Notification) notificationItem {
	sk := sortTime(n.At) + "#" + n.ID
	it := notificationItem{keys: keys{PK: notificationPK(n.ID), SK: "NOTE", GSI1PK: "NOTES#" + n.To.Key(), GSI1SK: sk},
		Type: notificationType, ID: n.ID, Kind: string(n.Kind), BIN: n.To.BIN, Role: string(n.To.Role),
		CaseID: n.CaseID, Certificate: n.Certificate, Complaint: n.Complaint, Object: n.Object, Step: n.Step,
		Paragraph: n.Paragraph, Outcome: n.Outcome, DueAt: utcPtr(n.DueAt), Reasons: n.Reasons, Reminds: string(n.Reminds),
		DaysLeft: n.DaysLeft, At: n.At.UTC(), ReadAt: utcPtr(n.ReadAt), EventID: n.EventID,
		StartsAtHandOver: n.StartsAtHandOver, HandedOverAt: utcPtr(n.HandedOverAt)}
	if n.CaseID != "" {
		it.GSI4PK, it.GSI4SK = "NOTECASE#"+n.CaseID, sk
	}
	if n.Delivery == nil {
		// Until its outcome is recorded, the notification waits in the due index's UNSENT
		// partitions, where the deadline check finds one the stream never got delivered
		// (Notices.Undelivered); recording the outcome takes it out.
		it.GSI2PK, it.GSI2SK = UnsentShardOf(n.ID), sk
	}
	if d := n.Delivery; d != nil {
		it.Delivery = &storedDelivery{Outcome: d.Outcome, EventID: d.EventID, Mail: d.Mail, To: d.To, At: d.At.UTC(), Detail: d.Detail}
	}
	return it
}

func (it notificationItem) domain() notice.Notification {
	n := notice.Notification{ID: it.ID, Kind: notice.Kind(it.Kind), To: notice.Audience{BIN: it.BIN, Role: identity.Role(it.Role)},
		CaseID: it.CaseID, Certificate: it.Certificate, Complaint: it.Complaint, Object: it.Object, Step: it.Step,
		Paragraph: it.Paragraph, Outcome: it.Outcome, DueAt: it.DueAt, Reasons: it.Reasons, Reminds: notice.Kind(it.Reminds),
		DaysLeft: it.DaysLeft, At: it.At, ReadAt: it.ReadAt, EventID: it.EventID,
		StartsAtHandOver: it.StartsAtHandOver, HandedOverAt: it.HandedOverAt}
	if d := it.Delivery; d != nil {
		n.Delivery = &notice.Delivery{Outcome: d.Outcome, EventID: d.EventID, Mail: d.Mail, To: d.To, At: d.At, Detail: d.Detail}
	}
	return n
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
