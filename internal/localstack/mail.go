package localstack

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// The mail of the local stack: moto keeps what SES sent in memory; GET /_local/mail lists it.

// LocalMailFrom is the sender the local stack gives the notifications (its SES identity).
const LocalMailFrom = "notifications@attestation.local"

// LocalStaffMail are the staff's addresses per role in the local stack.
var LocalStaffMail = map[string]string{"authority": "authority@attestation.local", "sts": "sts@attestation.local",
	"quality_authority": "quality@attestation.local"}

// SentMessage is one mail moto's SES accepted.
type SentMessage struct {
	ID      string   `json:"id"`
	From    string   `json:"from"`
	To      []string `json:"to"`
	Subject string   `json:"subject"`
	Body    string   `json:"body"`
}

// SentMail lists the mail sent so far, in the order sent, as moto's model data holds it (/moto-api/data.json).
func (s *Stack) SentMail(ctx context.Context) ([]SentMessage, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.MotoURL+"/moto-api/data.json", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("sent mail: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("sent mail: %w", err)
	}
	var data map[string]map[string][]struct {
		ID           string              `json:"id"`
		Source       string              `json:"source"`
		Subject      string              `json:"subject"`
		Body         string              `json:"body"`
		Destinations map[string][]string `json:"destinations"`
	}
	if err := json.Unmarshal(b, &data); err != nil {
		return nil, fmt.Errorf("sent mail: %w", err)
	}
	out := []SentMessage{}
	for _, m := range data["ses"]["Message"] {
		var to []string
		for _, k := range []string{"ToAddresses", "CcAddresses", "BccAddresses"} {
			to = append(to, m.Destinations[k]...)
		}
		out = append(out, SentMessage{ID: m.ID, From: m.Source, To: to, Subject: m.Subject, Body: m.Body})
	}
	return out, nil
}
