package httpapi

import (
	"strings"
	"testing"
)

// TestTokenOrganisationNumberRulesOfFormingTheNumber: an applicant's token names its organisation
// by a BIN or an IIN (custom:bin), checked like every number the API accepts: its structure and
// its check digit (Government Decree No. 406 of 22 May 2007). A token with any other number is
// unauthenticated, and the answer never repeats the number.
func TestTokenOrganisationNumberRulesOfFormingTheNumber(t *testing.T) {
	for _, tc := range []struct {
		rule, number string
		status       int
		detail       string
	}{
		{"a legal entity's BIN", "120540001238", 200, ""},
		{"an individual's IIN (an individual applicant files under it)", "880101300123", 200, ""},
		{"the BIN of individual entrepreneurs in joint entrepreneurship", "120660000173", 200, ""},
		{"a wrong check digit", "120540001239", 401, "check digit is wrong"},
		{"neither an IIN nor a BIN: all zeros", "000000000000", 401, "structure is wrong"},
		{"neither an IIN nor a BIN: 5th digit 7", "120570001231", 401, "structure is wrong"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			claims := map[string]string{"sub": "u-number", "cognito:groups": "[applicant]", "custom:bin": tc.number}
			resp, _ := newEnv().do(t, req{routeKey: "GET /cases/{caseId}", path: "/cases/A-1", params: caseParams("A-1"), claims: claims})
			if resp.StatusCode != tc.status || !strings.Contains(resp.Body, tc.detail) {
				t.Fatalf("%s: %d %s, want %d saying %q", tc.number, resp.StatusCode, resp.Body, tc.status, tc.detail)
			}
			if tc.status == 401 && strings.Contains(resp.Body, tc.number) {
				t.Fatalf("the answer repeats the number: %s", resp.Body)
			}
		})
	}
}
