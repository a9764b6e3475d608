package httpapi

// officeClaims are an officer of the Committee's office as API Gateway hands the claims over: the
// name is the receipt mark's (standard §9).
var officeClaims = map[string]string{"sub": "u-office", "name": "Nurlanova Aliya Serikovna", "cognito:groups": "[office]", "aud": "attestation-web"}

func init() { claimsOf["office"] = officeClaims }
