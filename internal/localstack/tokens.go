package localstack

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"sync"
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
	// DemoOffice is an officer of the Committee's office, who receives paper filings and hands
	// results over (standard §3, §9); the receipt mark carries this full name.
	DemoOffice = User{Subject: "demo-office", Name: "Nurlanova Aliya Serikovna", Role: identity.Office}
)

// Issuer stands in for the Cognito user pool: it signs RS256 tokens with a key made at start,
// and verifies them the way API Gateway's JWT authorizer does.
type Issuer struct {
	key      *rsa.PrivateKey
	kid      string
	issuer   string
	audience []string
	clock    *Clock

	// minted keeps the tokens signed for a moment: an RS256 signature is the same for the same
	// claims, and the tests ask for one per call on a frozen clock (signing is most of their CPU).
	mu     sync.Mutex
	minted map[mintKey]string
}

type mintKey struct {
	user User
	now  int64
	ttl  time.Duration
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
	key := mintKey{user: u, now: now.UnixNano(), ttl: ttl}
	i.mu.Lock()
	tok, ok := i.minted[key]
	i.mu.Unlock()
	if ok {
		return tok, nil
	}
	tok, err := i.sign(u, now, ttl)
	if err != nil {
		return "", err
	}
	i.mu.Lock()
	if i.minted == nil || len(i.minted) >= 4096 {
		i.minted = map[mintKey]string{}
	}
	i.minted[key] = tok
	i.mu.Unlock()
	return tok, nil
}

// sign signs an ID token for u issued at now.
func (i *Issuer) sign(u User, now time.Time, ttl time.Duration) (string, error) {
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

// Verify checks a bearer token as the JWT authorizer does (RS256 with the issuer's key named by
// kid, iss, aud, exp, nbf, iat not in the future, no critical header parameter it does not
// understand, and it understands none) and returns the claims as API Gateway hands them to a
// function (see renderClaims). A refused token is a *TokenRefusal. Expiry is exact, as API
// Gateway's: a token is valid up to the second before its exp, with no leeway.
func (i *Issuer) Verify(raw string) (map[string]string, error) {
	raw = strings.TrimSpace(raw)
	if len(raw) > 7 && strings.EqualFold(raw[:7], "bearer ") {
		raw = strings.TrimSpace(raw[7:])
	}
	if raw == "" {
		return nil, &TokenRefusal{Description: "no token"}
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		if crit, ok := t.Header["crit"]; ok {
			return nil, fmt.Errorf("critical header parameters %v not understood", crit)
		}
		if kid, _ := t.Header["kid"].(string); kid != i.kid {
			return nil, fmt.Errorf("unknown key id %q", kid)
		}
		return &i.key.PublicKey, nil
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(i.issuer), jwt.WithAudience(i.audience...),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithJSONNumber(), jwt.WithTimeFunc(i.clock.Now))
	if err != nil {
		return nil, refusal(err, claims, i.clock.Now())
	}
	return renderClaims(claims), nil
}

// TokenRefusal is why the authorizer refused a token. Description is what API Gateway's JWT
// authorizer puts in the 401's www-authenticate header (error_description) and in
// $context.authorizer.error of the access log; Detail adds what the local stack knows besides
// (the token's exp and the clock's reading, for an expired token), for the access log only.
type TokenRefusal struct {
	Description string
	Detail      string
	err         error
}

func (r *TokenRefusal) Error() string {
	if r.Detail == "" {
		return r.Description
	}
	return r.Description + " (" + r.Detail + ")"
}

func (r *TokenRefusal) Unwrap() error { return r.err }

// Challenge is the www-authenticate header of the 401, as API Gateway writes it:
// Bearer scope="" error="invalid_token" error_description="the token has expired".
func (r *TokenRefusal) Challenge() string {
	return `Bearer scope="" error="invalid_token" error_description="` + strings.ReplaceAll(r.Description, `"`, `'`) + `"`
}

// refusal words a verification error in API Gateway's terms.
func refusal(err error, claims jwt.MapClaims, now time.Time) *TokenRefusal {
	r := &TokenRefusal{err: err}
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		r.Description = "the token is malformed"
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		r.Description = "the token cannot be verified: " + lastCause(err)
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		r.Description = "the token's signature does not verify"
		if c := lastCause(err); strings.HasPrefix(c, "signing method") {
			r.Description = c // "signing method HS256 is invalid"
		}
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		r.Description = "the token has no exp claim"
	case errors.Is(err, jwt.ErrTokenExpired):
		r.Description = "the token has expired"
		if exp, e := claims.GetExpirationTime(); e == nil && exp != nil {
			r.Detail = fmt.Sprintf("exp %s, the local clock reads %s: fetch a fresh token from GET /_local/token after moving the clock",
				exp.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
		}
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		r.Description = "the token is not valid yet"
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		r.Description = "the token was issued in the future"
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		r.Description = "the token does not have a valid audience"
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		r.Description = "the token does not have a valid issuer"
	default:
		r.Description = "the token is invalid"
	}
	return r
}

// lastCause is the innermost words of a jwt error ("signing method HS256 is invalid").
func lastCause(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		return s[i+2:]
	}
	return s
}

// renderClaims renders claims as API Gateway's JWT authorizer puts them in a payload-v2 event's
// requestContext.authorizer.jwt.claims: every value a string; a string as it is; a number as its
// JSON text and a boolean as true or false; an array as "[" and its elements separated by single
// spaces and "]" (a string element as it is, any other as JSON); an object as its JSON text; a
// null claim left out.
func renderClaims(claims map[string]any) map[string]string {
	out := map[string]string{}
	for k, v := range claims {
		if v == nil {
			continue
		}
		out[k] = renderClaim(v)
	}
	return out
}

func renderClaim(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case float64:
		return big.NewFloat(x).Text('f', -1)
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, len(x))
		for j, p := range x {
			if s, ok := p.(string); ok {
				parts[j] = s
				continue
			}
			b, _ := json.Marshal(p)
			parts[j] = string(b)
		}
		return "[" + strings.Join(parts, " ") + "]"
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
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
