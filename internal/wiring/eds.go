package wiring

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"attestation/internal/eds"
)

// EDSConfig configures the verification of electronic digital signatures (issue 17). The trust
// roots are a PEM bundle (the NCA's roots and intermediates) from configuration, never from the
// binary: inline (EDS_TRUST_ROOTS, the local stack) or an SSM parameter (EDS_TRUST_ROOTS_PARAMETER:
// a bundle outgrows Lambda's 4 KB of environment). Without either, the service takes no
// signatures, and EDS_REQUIRED must be false.
type EDSConfig struct {
	TrustRoots          string        // EDS_TRUST_ROOTS: the PEM bundle itself
	TrustRootsParameter string        // EDS_TRUST_ROOTS_PARAMETER: the SSM parameter holding it
	Required            bool          // EDS_REQUIRED: the edition's signature rules bind filings and steps
	OCSPURL             string        // EDS_OCSP_URL: overrides every certificate's OCSP responder
	OCSPTimeout         time.Duration // EDS_OCSP_TIMEOUT: per OCSP request (default 5s)
	OCSPCache           time.Duration // EDS_OCSP_CACHE: how long an OCSP answer is reused (default 5m; 0 never)
	OnUnreachable       string        // EDS_OCSP_UNREACHABLE: refuse (default) or accept (recorded "unavailable")
	STSBIN              string        // EDS_STS_BIN: the BIN whose employees sign for the STS
	AuthorityBIN        string        // EDS_AUTHORITY_BIN: the BIN whose employees sign for the authority
}

func loadEDS(lookup func(string) (string, bool), c *EDSConfig) error {
	c.TrustRoots, _ = lookup("EDS_TRUST_ROOTS")
	c.TrustRootsParameter, _ = lookup("EDS_TRUST_ROOTS_PARAMETER")
	c.OCSPURL, _ = lookup("EDS_OCSP_URL")
	c.OnUnreachable, _ = lookup("EDS_OCSP_UNREACHABLE")
	c.STSBIN, _ = lookup("EDS_STS_BIN")
	c.AuthorityBIN, _ = lookup("EDS_AUTHORITY_BIN")
	if v, ok := lookup("EDS_REQUIRED"); ok && v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("EDS_REQUIRED=%q: want true or false", v)
		}
		c.Required = b
	}
	if v, ok := lookup("EDS_OCSP_TIMEOUT"); ok && v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("EDS_OCSP_TIMEOUT=%q: want a positive duration such as 5s", v)
		}
		c.OCSPTimeout = d
	}
	if v, ok := lookup("EDS_OCSP_CACHE"); ok && v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return fmt.Errorf("EDS_OCSP_CACHE=%q: want a duration such as 5m, or 0 to ask every time", v)
		}
		c.OCSPCache = d
		if d == 0 {
			c.OCSPCache = -1 // eds: negative is never
		}
	}
	if c.Required && c.TrustRoots == "" && c.TrustRootsParameter == "" {
		return errors.New("EDS_REQUIRED is true but neither EDS_TRUST_ROOTS nor EDS_TRUST_ROOTS_PARAMETER names the trust roots")
	}
	return nil
}

// Signatures builds the verifier of electronic digital signatures, or nil when no trust roots
// are configured. readParameter (a Systems Manager read: issuecert.ReadParameter) is called only
// when the bundle is in a parameter, so that the functions that verify nothing link no SSM client.
func Signatures(ctx context.Context, c EDSConfig, readParameter func(ctx context.Context, name string) (string, error)) (*eds.Verifier, error) {
	bundle := c.TrustRoots
	if bundle == "" && c.TrustRootsParameter != "" {
		v, err := readParameter(ctx, c.TrustRootsParameter)
		if err != nil {
			return nil, fmt.Errorf("read parameter %s (EDS_TRUST_ROOTS_PARAMETER): %w", c.TrustRootsParameter, err)
		}
		bundle = v
	}
	if bundle == "" {
		return nil, nil
	}
	orgs := map[string]string{}
	if c.STSBIN != "" {
		orgs["sts"] = c.STSBIN
	}
	if c.AuthorityBIN != "" {
		orgs["authority"] = c.AuthorityBIN
	}
	v, err := eds.New(eds.Config{TrustPEM: []byte(bundle), OCSPURL: c.OCSPURL, OCSPTimeout: c.OCSPTimeout, OCSPCache: c.OCSPCache,
		OnUnreachable: eds.Policy(c.OnUnreachable), Organizations: orgs})
	if err != nil {
		return nil, fmt.Errorf("EDS: %w", err)
	}
	return v, nil
}
