//go:build tools

// Package tools pins the Pulumi YAML language host (github.com/pulumi/pulumi-yaml v1.25.0) so that `go build`
// can produce pulumi-language-yaml from the Go module proxy alone. It is compiled against the pkg/v3 and sdk/v3 its own go.mod requires (v3.206.0): it does not
// compile against the CLI's v3.274.0. The engine talks to it over the stable gRPC protocol.
package tools

import (
	_ "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"
)
