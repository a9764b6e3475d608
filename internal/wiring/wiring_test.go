package wiring

import (
	"bytes"
	"testing"
)

func TestLoadConfigNamesWhatIsMissing(t *testing.T) {
	_, err := LoadConfig(func(string) (string, bool) { return "", false })
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("TABLE_NAME")) {
		t.Fatalf("err = %v, want it to name TABLE_NAME", err)
	}
	env := map[string]string{"TABLE_NAME": "t", "DOCUMENTS_BUCKET": "d", "RECORDS_BUCKET": "r", "POLICY_EDITION": "e", "S3_PATH_STYLE": "maybe"}
	if _, err := LoadConfig(func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err == nil {
		t.Fatal("S3_PATH_STYLE=maybe accepted")
	}
}
