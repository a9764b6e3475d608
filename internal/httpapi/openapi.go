package httpapi

import _ "embed"

// openAPI is the API's OpenAPI 3.0.3 description: every route of the handler, who may call it,
// its parameters, request bodies and answers.
//
//go:embed openapi.yaml
var openAPI []byte

// OpenAPI returns the API's OpenAPI 3.0.3 document (YAML), the form API Gateway HTTP APIs
// import. The caller gets its own copy.
func OpenAPI() []byte {
	return append([]byte(nil), openAPI...)
}
