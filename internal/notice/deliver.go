package notice

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"attestation/internal/apperr"
	"attestation/internal/identity"
)

// Delivery of the outbox (issue 13): the notify function, fed by the table's stream, delivers each
// new notification at least once: an event on the project's EventBridge bus (for integrators: a
// portal's cabinet, an SMS gateway) and one e-mail per registered address of its audience. Every
// effect is recorded on the notification as it happens (the event's ID, each address mailed), and
// a repeated delivery of the same notification (the stream delivers at least once; a failed batch
// is delivered again) skips what is recorded, so each event and each mail is sent once. The
// window left is a crash between a send and its record: that one is sent again.

// Publisher publishes a notification on the project's bus.
type Publisher interface {
	// Publish returns the event's ID.
	Publish(ctx context.Context, n Notification) (string, error)
}

// Mailer sends one e-mail.
type Mailer interface {
	// Send returns the mail's message ID; ErrBounced when the mail service refuses the address.
	Send(ctx context.Context, to string, m Mail) (string, error)
}

// ErrBounced is a refusal of an address by the mail service: no retry mends it.
var ErrBounced = errors.New("address refused by the mail service")

// Ledger is the outbox as the delivery reads and marks it.
type Ledger interface {
	// Get reads a notification with the addresses mailed so far (Notification.Mailed), in one
	// strongly consistent read.
	Get(ctx context.Context, id string) (Notification, error)
	// MarkPublished records the event's ID once; false if one was recorded already.
	MarkPublished(ctx context.Context, id, eventID string) (bool, error)
	// MarkMailed records one address mailed with its message ID.
	MarkMailed(ctx context.Context, id, address, messageID string) error
	// RecordDelivery records the outcome once.
	RecordDelivery(ctx context.Context, id string, d Delivery) error
	// MarkAttemptFailed counts one failed delivery of a notification not yet delivered and returns
	// how many have failed so far.
	MarkAttemptFailed(ctx context.Context, id string) (int, error)
}

// Deliverer delivers notifications.
type Deliverer struct {
	ledger    Ledger
	bus       Publisher
	mail      Mailer
	contacts  ContactStore
	staff     map[identity.Role][]string // staff addresses per role (the deployment's parameters)
	staffLang Language
	max       int
}

// DelivererDeps are what a Deliverer is built on; every one but Mail (no sender configured: no
// mail, outcome no_mail) and Staff is required.
type DelivererDeps struct {
	Ledger    Ledger
	Bus       Publisher
	Mail      Mailer
	Contacts  ContactStore
	Staff     map[identity.Role][]string
	StaffLang Language // default Russian
	// MaxAttempts: after this many failed deliveries the notification is recorded failed and the
	// delivery reports no error, so the stream moves on (0: never; the stream's own retries end it,
	// and the on-failure queue gets its place). Keep it within the stream's retries.
	MaxAttempts int
}

// NewDeliverer returns the deliverer on d.
func NewDeliverer(d DelivererDeps) (*Deliverer, error) {
	if d.Ledger == nil || d.Bus == nil || d.Contacts == nil {
		return nil, errors.New("deliverer: Ledger, Bus and Contacts are required")
	}
	if !d.StaffLang.Valid() {
		d.StaffLang = Russian
	}
	if d.MaxAttempts < 0 {
		return nil, errors.New("deliverer: MaxAttempts must not be negative")
	}
	return &Deliverer{ledger: d.Ledger, bus: d.Bus, mail: d.Mail, contacts: d.Contacts, staff: d.Staff, staffLang: d.StaffLang,
		max: d.MaxAttempts}, nil
}

// Deliver delivers notification id: the event once, each mail once, then the outcome. An error
// is transient (the stream delivers it again); a refused address is recorded as bounced. Each
// failure is counted on the notification; the one that reaches MaxAttempts records the outcome
// "failed" and answers no error, so the stream moves on.
func (d *Deliverer) Deliver(ctx context.Context, id string, now time.Time) (Delivery, error) {
	out, err := d.deliver(ctx, id, now)
	if err == nil || d.max == 0 {
		return out, err
	}
	n, cerr := d.ledger.MarkAttemptFailed(ctx, id)
	if cerr != nil || n < d.max {
		return Delivery{}, errors.Join(err, cerr)
	}
	// What the last attempt did get done stays on the record: the event published, the
	// addresses mailed before the one that kept failing.
	failed := Delivery{Outcome: DeliveryFailed, At: now.UTC(), EventID: out.EventID, To: out.To, Mail: out.Mail,
		Detail: clipDetail(fmt.Sprintf("not delivered after %d attempts: %v", n, err))}
	if rerr := d.ledger.RecordDelivery(ctx, id, failed); rerr != nil {
		return Delivery{}, errors.Join(err, rerr)
	}
	return failed, nil
}

func (d *Deliverer) deliver(ctx context.Context, id string, now time.Time) (Delivery, error) {
	n, err := d.ledger.Get(ctx, id)
	if apperr.KindOf(err) == apperr.NotFound {
		return Delivery{}, nil // not a notification of this table (never expected): nothing to do
	}
	if err != nil {
		return Delivery{}, fmt.Errorf("deliver %s: %w", id, err)
	}
	if n.Delivery != nil && n.Delivery.Outcome != "" {
		again := *n.Delivery
		again.Repeated = true
		return again, nil // delivered already
	}
	out := Delivery{At: now.UTC()}
	if n.EventID != "" {
		out.EventID = n.EventID
	} else {
		eventID, err := d.bus.Publish(ctx, n)
		if err != nil {
			return Delivery{}, fmt.Errorf("deliver %s: publish: %w", id, err)
		}
		if _, err := d.ledger.MarkPublished(ctx, id, eventID); err != nil {
			return Delivery{}, fmt.Errorf("deliver %s: %w", id, err)
		}
		out.EventID = eventID
	}
	to, lang, err := d.addresses(ctx, n.To)
	if err != nil {
		return out, fmt.Errorf("deliver %s: %w", id, err)
	}
	if d.mail == nil {
		to = nil // no sender configured
	}
	mailed := n.Mailed // read with the notification: no second read
	m, err := Render(n, lang)
	if err != nil {
		return Delivery{}, err
	}
	out.Outcome = DeliverySent
	if len(to) == 0 {
		out.Outcome = DeliveryNoMail
	}
	for _, a := range to {
		if msg, ok := mailed[a]; ok {
			out.To, out.Mail = append(out.To, a), append(out.Mail, msg)
			continue
		}
		msg, err := d.mail.Send(ctx, a, m)
		if errors.Is(err, ErrBounced) {
			out.Outcome, out.Detail = DeliveryBounced, "refused: "+a
			continue
		}
		if err != nil {
			return out, fmt.Errorf("deliver %s: mail: %w", id, err) // out: what was done before (Deliver)
		}
		if err := d.ledger.MarkMailed(ctx, id, a, msg); err != nil {
			return out, fmt.Errorf("deliver %s: %w", id, err)
		}
		out.To, out.Mail = append(out.To, a), append(out.Mail, msg)
	}
	if err := d.ledger.RecordDelivery(ctx, id, out); err != nil {
		return Delivery{}, fmt.Errorf("deliver %s: %w", id, err)
	}
	return out, nil
}

// addresses are the audience's addresses and language: an organisation's registered contacts,
// or a staff role's addresses from the deployment.
func (d *Deliverer) addresses(ctx context.Context, to Audience) ([]string, Language, error) {
	if to.BIN == "" {
		return d.staff[to.Role], d.staffLang, nil
	}
	c, err := d.contacts.Contacts(ctx, to.BIN)
	if apperr.KindOf(err) == apperr.NotFound {
		return nil, Russian, nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("contacts: %w", err)
	}
	return c.Addresses, c.Language, nil
}

// maxDetail bounds a delivery's detail (an error's text can be long).
const maxDetail = 300

func clipDetail(s string) string {
	if len(s) <= maxDetail {
		return s
	}
	cut := maxDetail
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
