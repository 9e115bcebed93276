//go:build tools

// Package tools pins the Pulumi Python language host. It lives in its own
// module (not in ../pulumi-cli) because the only pseudo-version of the
// untagged language-host module that the Go module proxy serves
// (bee5e4fa4815, 2025-08-06) does not compile against sdk/v3 v3.274.0; it
// needs the sdk/pkg release that followed it, v3.188.0. See ../README.md.
package tools

import (
	_ "github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3"
)
