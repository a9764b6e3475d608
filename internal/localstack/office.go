package localstack

import "encoding/json"

// The Committee's office locally (issue 17, standard §9): the stand-in of the state registers the
// office reads through the e-government gateway (internal/egov), with the demo organisations and
// a person who may represent one by letter of attorney.

// LocalRepresentativeIIN is a person in the local state registry who files for an organisation
// by letter of attorney.
const LocalRepresentativeIIN = "850101300124"

// LocalStateRegistry is the api function's EGOV_REGISTRY: BINs and IINs with their names.
var LocalStateRegistry = func() string {
	b, err := json.Marshal(map[string]string{
		DemoApplicant.BIN:      "Demo applicant LLP",
		LocalOtherBIN:          "Other LLP",
		LocalRepresentativeIIN: "SERIKOV ARMAN BOLATULY",
	})
	if err != nil {
		panic(err)
	}
	return string(b)
}()
