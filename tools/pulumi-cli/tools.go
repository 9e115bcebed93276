//go:build tools

// Package tools pins the Pulumi CLI/engine (pkg/v3 v3.274.0) so that
// `go build` can produce it from the Go module proxy alone.
//
// The Python language host is NOT built from this module: the only
// pseudo-version of github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3
// that the proxy serves (bee5e4fa4815, 2025-08-06) does not compile against
// sdk/v3 v3.274.0. It has its own module in ./langhost (pinned to pkg/sdk
// v3.188.0). See README.md.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
