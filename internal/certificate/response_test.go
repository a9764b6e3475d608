package certificate

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

func sampleResponse() Response {
	return Response{CaseID: "A-20261015-0000000000000001", Decision: "return", Paragraph: "§15, standard §10",
		ObjectName: "ИС «Электронные лицензии»", ApplicantName: "ТОО «Қазақ Деректер»", ApplicantID: "120540001238",
		Grounds: []string{"incomplete_package", "expired_documents"}, Reasons: []string{"Нет технического задания"},
		DecidedAt: time.Date(2026, 10, 16, 5, 0, 0, 0, time.UTC), DecidedBy: "Әлібеков С."}
}

// Standard §6, §10: the reasoned response to a return or refusal names its grounds in Kazakh,
// Russian and English, and renders the same bytes for the same response.
func TestStd6Std10ReasonedResponseRenders(t *testing.T) {
	for _, decision := range []string{"return", "refuse"} {
		r := sampleResponse()
		r.Decision = decision
		a, err := RenderResponse(r)
		if err != nil {
			t.Fatalf("%s: %v", decision, err)
		}
		b, _ := RenderResponse(r)
		if !bytes.HasPrefix(a, []byte("%PDF-")) || !bytes.Equal(a, b) {
			t.Fatalf("%s: not a deterministic PDF", decision)
		}
	}
	t.Run("every ground and label is worded in every language", func(t *testing.T) {
		for _, l := range Languages() {
			for _, g := range responseGrounds {
				if _, ok := responseLabels[l][responseGroundPrefix+g]; !ok {
					t.Errorf("%s: no wording of %s", l, g)
				}
			}
			if len(responseLabels[l]) != len(responseLabels[English]) {
				t.Errorf("%s has %d labels, English %d", l, len(responseLabels[l]), len(responseLabels[English]))
			}
		}
	})
	t.Run("a response without grounds or with an unknown one is refused", func(t *testing.T) {
		for _, grounds := range [][]string{nil, {"because"}} {
			r := sampleResponse()
			r.Grounds = grounds
			var inv *InvalidError
			if _, err := RenderResponse(r); !errors.As(err, &inv) {
				t.Errorf("grounds %v: %v", grounds, err)
			}
		}
	})
}
