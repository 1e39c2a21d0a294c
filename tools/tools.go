// Copyright (c) The terraform-provider-b2b authors
// SPDX-License-Identifier: MPL-2.0

//go:build generate

// Package tools pins the developer tools that `go generate` runs. It lives in
// its own module so that their dependencies never leak into the provider's
// go.mod, and the build tag keeps it out of every normal build.
package tools

import (
	_ "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs"
)

// Examples are formatted first because tfplugindocs copies them verbatim into
// docs/, and the docs check in CI must not depend on who ran the generator.
//go:generate terraform fmt -recursive ../examples/

// tfplugindocs uses the Terraform CLI found on PATH (never --tf-version, which
// would download one) to read the provider schema from a local build.
//go:generate go run github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs generate --provider-dir .. --provider-name b2b --rendered-provider-name "Entra B2B"
