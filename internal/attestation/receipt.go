package attestation

import "time"

// Receipt as the Rules count it. Several periods run from the applicant's (or owner's) receipt of
// what the authority or the STS sent, not from the decision behind it:
//
//   - §17: the applicant signs the contract within 5 working days of receiving its copies;
//   - §31: the applicant notifies rectification within 20 working days of receiving the act;
//   - §42: the object joins the monitoring system within one year of receiving the certificate;
//   - §46: the owner returns a recalled certificate within 3 working days of receiving the copy
//     of the recall decision.
//
// ReceivedAt is the one place that decides the moment of receipt; every one of those periods
// counts from it.

// The channels by which a sending reaches the applicant.
const (
	// ChannelOnline: the document is delivered through the API; the applicant has it the moment
	// the sending is recorded.
	ChannelOnline = "online"
	// ChannelOffice: the document is handed over at the office (standard §3, §5, §8); the
	// applicant has it when the hand-over is recorded (office.go: ReceiptOf, the hand-overs of a
	// paper case).
	ChannelOffice = "office"
)

// Sending is a document sent to the applicant: how, when the sending was recorded and, at the
// office, when it was handed over.
type Sending struct {
	Channel      string // ChannelOnline ("" is online) or ChannelOffice
	SentAt       time.Time
	HandedOverAt *time.Time // ChannelOffice: the recorded hand-over
}

// ReceivedAt is the moment the applicant received what was sent, as the Rules count the periods
// "from receipt" (§17, §31, §42, §46): online, the moment the sending is recorded; at the office,
// the recorded hand-over. ok is false while nothing was sent, or while a sending at the office
// waits to be handed over.
func ReceivedAt(s Sending) (at time.Time, ok bool) {
	if s.SentAt.IsZero() {
		return time.Time{}, false
	}
	switch s.Channel {
	case ChannelOffice:
		if s.HandedOverAt == nil {
			return time.Time{}, false
		}
		return s.HandedOverAt.UTC(), true
	default:
		return s.SentAt.UTC(), true
	}
}

// SentOnline is a sending recorded through the API at at.
func SentOnline(at time.Time) Sending { return Sending{Channel: ChannelOnline, SentAt: at} }

// lastAct is the act of the last survey (the additional survey's once there is one), which the
// authority sends to the applicant with its decision (§25, §28, §30, §31, §38).
func (c Case) lastAct() (Document, bool) {
	var last *Document
	for i, d := range c.Documents {
		switch {
		case d.Kind == DocAdditionalSurveyAct:
			last = &c.Documents[i]
		case d.Kind == DocSurveyAct && (last == nil || last.Kind == DocSurveyAct):
			last = &c.Documents[i]
		}
	}
	if last == nil {
		return Document{}, false
	}
	return *last, true
}

// DecisionSentAt is when the authority sent its last decision with its act (§25, §28, §30, §31,
// §38). ok is false before the sending.
func (c Case) DecisionSentAt() (time.Time, bool) {
	act, ok := c.lastAct()
	if !ok || act.SentAt == nil {
		return time.Time{}, false
	}
	return act.SentAt.UTC(), true
}

// DecisionReceivedAt is when the applicant received the authority's last decision with its act:
// the receipt (ReceiptOf) of the act sent with it. Online, the sending; in a paper case, the
// office's hand-over of the act. ok is false before the sending, and before a paper case's
// hand-over.
func (c Case) DecisionReceivedAt() (time.Time, bool) {
	sent, ok := c.DecisionSentAt()
	if !ok {
		return time.Time{}, false
	}
	act, _ := c.lastAct()
	return ReceiptOf(c, act, sent)
}

// CertificateSent reports whether the authority sent the certificate of the case to the applicant
// (§28, §38): the decision to issue was sent with the act. Before that the applicant sees neither
// the certificate's number nor its PDF; from then on a paper case's certificate waits at the
// office to be handed over.
func (c Case) CertificateSent() bool {
	if c.Certificate == "" || c.Stage != StageIssued {
		return false
	}
	_, ok := c.DecisionSentAt()
	return ok
}

// CertificateDocument is the certificate's PDF as the register keeps it under Object Lock (§28,
// Annex 7): the document the office hands over.
func CertificateDocument(number string) Document {
	return Document{Kind: DocCertificate, Key: "certificates/" + number + "/certificate.pdf"}
}

// CertificateReceivedAt is when the owner received the certificate (§42: the monitoring year runs
// from it): online, with the sending of the decision and the act (§28, §38); in a paper case, the
// office's hand-over of the certificate (ReceiptOf). ok is false before the sending, and before a
// paper case's hand-over.
func (c Case) CertificateReceivedAt() (time.Time, bool) {
	sent, ok := c.DecisionSentAt()
	if !ok || !c.CertificateSent() {
		return time.Time{}, false
	}
	return ReceiptOf(c, CertificateDocument(c.Certificate), sent)
}
