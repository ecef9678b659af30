// Package docs embeds the documents the binary serves: the OpenAPI
// description of the JSON API (openapi.json, at /api/v1/openapi.json).
package docs

import _ "embed"

// OpenAPI is openapi.json.
//
//go:embed openapi.json
var OpenAPI []byte
