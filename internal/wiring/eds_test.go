package wiring

import (
	"context"
	"strings"
	"testing"
	"time"

	"attestation/internal/eds/edstest"
)

func edsEnv(extra map[string]string) func(string) (string, bool) {
	env := map[string]string{"TABLE_NAME": "t", "DOCUMENTS_BUCKET": "d", "RECORDS_BUCKET": "r", "POLICY_EDITION": "e"}
	for k, v := range extra {
		env[k] = v
	}
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

// The trust roots come from configuration, never from the binary: inline or from an SSM
// parameter; without them no signature is taken, and requiring signatures is a configuration error.
func TestEDSConfig(t *testing.T) {
	for _, bad := range []map[string]string{
		{"EDS_REQUIRED": "true"},
		{"EDS_REQUIRED": "maybe", "EDS_TRUST_ROOTS": "x"},
		{"EDS_OCSP_TIMEOUT": "soon"},
	} {
		if _, err := LoadConfig(edsEnv(bad)); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	c, err := LoadConfig(edsEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	if v, err := Signatures(context.Background(), c.EDS, nil); err != nil || v != nil {
		t.Fatalf("no roots: %v, %v; want no verifier", v, err)
	}
	ca, err := edstest.New(edstest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, err = LoadConfig(edsEnv(map[string]string{"EDS_TRUST_ROOTS_PARAMETER": "/attestation/eds-trust", "EDS_REQUIRED": "true",
		"EDS_OCSP_TIMEOUT": "2s", "EDS_OCSP_UNREACHABLE": "accept", "EDS_STS_BIN": "990140001234"}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.EDS.Required || c.EDS.OCSPTimeout != 2*time.Second {
		t.Fatalf("EDS config = %+v", c.EDS)
	}
	reads := 0
	read := func(_ context.Context, name string) (string, error) {
		reads++
		if name != "/attestation/eds-trust" {
			t.Errorf("read parameter %q", name)
		}
		return string(ca.TrustPEM()), nil
	}
	v, err := Signatures(context.Background(), c.EDS, read)
	if err != nil || v == nil || reads != 1 {
		t.Fatalf("from the parameter: %v, %v, %d reads", v, err, reads)
	}
	c.EDS.TrustRootsParameter, c.EDS.TrustRoots = "", "not a PEM bundle"
	if _, err := Signatures(context.Background(), c.EDS, nil); err == nil || !strings.Contains(err.Error(), "EDS") {
		t.Fatalf("a bundle without a root: %v", err)
	}
}
