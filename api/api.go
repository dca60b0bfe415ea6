// Package api holds the public HTTP contract: api/openapi.yaml, the OpenAPI 3 document of every
// operation the ingress serves, embedded so that services can serve it and validate against it.
package api

import _ "embed"

// OpenAPI is the OpenAPI 3.0 document, as YAML.
//
//go:embed openapi.yaml
var OpenAPI []byte
