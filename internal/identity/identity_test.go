package identity

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestFromClaims(t *testing.T) {
	for _, tc := range []struct {
		name   string
		claims map[string]string
		want   Actor
		err    bool
	}{
		{"applicant as API Gateway renders groups", map[string]string{"sub": "u1", "name": "Aigerim", "cognito:groups": "[applicant]", "custom:bin": "123456789012"},
			Actor{Subject: "u1", Name: "Aigerim", Role: Applicant, BIN: "123456789012"}, false},
		{"authority with JSON groups", map[string]string{"sub": "u2", "cognito:groups": `["authority"]`}, Actor{Subject: "u2", Role: Authority}, false},
		{"sts plain", map[string]string{"sub": "u3", "cognito:groups": "sts"}, Actor{Subject: "u3", Role: STS}, false},
		{"quality authority (standard §11)", map[string]string{"sub": "u6", "cognito:groups": "[quality_authority]"}, Actor{Subject: "u6", Role: QualityAuthority}, false},
		{"unknown groups ignored", map[string]string{"sub": "u3", "cognito:groups": "[sts admins]"}, Actor{Subject: "u3", Role: STS}, false},
		{"two roles refused", map[string]string{"sub": "u4", "cognito:groups": "[sts authority]"}, Actor{}, true},
		{"no role refused", map[string]string{"sub": "u4"}, Actor{}, true},
		{"scheduler is never a token role", map[string]string{"sub": "u4", "cognito:groups": "[scheduler]"}, Actor{}, true},
		{"no subject refused", map[string]string{"cognito:groups": "[sts]"}, Actor{}, true},
		{"applicant without BIN refused", map[string]string{"sub": "u5", "cognito:groups": "[applicant]"}, Actor{}, true},
		{"applicant with short BIN refused", map[string]string{"sub": "u5", "cognito:groups": "[applicant]", "custom:bin": "12345"}, Actor{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := FromClaims(tc.claims)
			if tc.err {
				if !errors.Is(err, ErrNoIdentity) {
					t.Fatalf("err = %v, want ErrNoIdentity", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestIdentityNumbersAreMaskedInLogs(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("call", "actor", Actor{Subject: "u1", Role: Applicant, BIN: "123456789012"})
	if strings.Contains(buf.String(), "123456789012") || !strings.Contains(buf.String(), "********9012") {
		t.Fatalf("log line does not mask the BIN: %s", buf.String())
	}
	if Mask("123") != "***" {
		t.Fatalf("short numbers are masked whole")
	}
}
