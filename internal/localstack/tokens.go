package localstack

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"attestation/internal/identity"
)

// User is a person the local issuer can mint a token for.
type User struct {
	Subject string
	Name    string
	Role    identity.Role
	BIN     string // the organisation, for applicants
}

// Demo users printed by `make run`.
var (
	DemoApplicant = User{Subject: "demo-applicant", Name: "Aigerim Applicant", Role: identity.Applicant, BIN: "120540001238"}
	DemoAuthority = User{Subject: "demo-authority", Name: "Daniyar Authority", Role: identity.Authority}
	DemoSTS       = User{Subject: "demo-sts", Name: "Saule STS", Role: identity.STS}
	// DemoQualityAuthority considers the complaints addressed to the authority for the quality of
	// state services (standard §11).
	DemoQualityAuthority = User{Subject: "demo-quality-authority", Name: "Marat Quality Authority", Role: identity.QualityAuthority}
)

// Issuer stands in for the Cognito user pool: it signs RS256 tokens with a key made at start,
// and verifies them the way API Gateway's JWT authorizer does.
type Issuer struct {
	key      *rsa.PrivateKey
	kid      string
	issuer   string
	audience []string
	clock    *Clock
}

// NewIssuer makes a fresh signing key for issuer and audience; validity is judged on clock.
func NewIssuer(issuer string, audience []string, clock *Clock) (*Issuer, error) {
	if issuer == "" || len(audience) == 0 {
		return nil, errors.New("local issuer: the template's JWT authorizer needs an issuer and an audience")
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("local issuer key: %w", err)
	}
	return &Issuer{key: key, kid: "local-1", issuer: issuer, audience: audience, clock: clock}, nil
}

// Token mints an ID token for u, valid for ttl from the clock's now.
func (i *Issuer) Token(u User, ttl time.Duration) (string, error) {
	now := i.clock.Now()
	claims := jwt.MapClaims{
		"iss": i.issuer, "aud": i.audience[0], "sub": u.Subject, "name": u.Name,
		"cognito:groups": []string{string(u.Role)}, "token_use": "id",
		"iat": now.Unix(), "nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(ttl).Unix(),
	}
	if u.BIN != "" {
		claims["custom:bin"] = u.BIN
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	t.Header["kid"] = i.kid
	s, err := t.SignedString(i.key)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return s, nil
}

// Verify checks a bearer token as the JWT authorizer does (RS256 with the issuer's key, iss,
// aud, exp, nbf) and returns the claims as API Gateway hands them to a function: every value a
// string, arrays rendered as "[a b]".
func (i *Issuer) Verify(raw string) (map[string]string, error) {
	raw = strings.TrimSpace(raw)
	if len(raw) > 7 && strings.EqualFold(raw[:7], "bearer ") {
		raw = strings.TrimSpace(raw[7:])
	}
	if raw == "" {
		return nil, errors.New("no token")
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		if kid, _ := t.Header["kid"].(string); kid != i.kid {
			return nil, fmt.Errorf("unknown key id %q", kid)
		}
		return &i.key.PublicKey, nil
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(i.issuer), jwt.WithAudience(i.audience...),
		jwt.WithExpirationRequired(), jwt.WithTimeFunc(i.clock.Now))
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for k, v := range claims {
		switch x := v.(type) {
		case string:
			out[k] = x
		case []any:
			parts := make([]string, len(x))
			for j, p := range x {
				parts[j] = fmt.Sprint(p)
			}
			out[k] = "[" + strings.Join(parts, " ") + "]"
		case float64:
			out[k] = big.NewFloat(x).Text('f', -1)
		default:
			b, _ := json.Marshal(x)
			out[k] = string(b)
		}
	}
	return out, nil
}

// JWKS is the issuer's public key as a JSON Web Key Set.
func (i *Issuer) JWKS() []byte {
	pub := i.key.PublicKey
	b, _ := json.Marshal(map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "alg": "RS256", "use": "sig", "kid": i.kid,
		"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}})
	return b
}
