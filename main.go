// Command terraform-provider-b2b serves the b2b Terraform provider, which
// manages Microsoft Entra ID B2B guest users as code.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/entra-b2b/terraform-provider-b2b/internal/provider"
)

// version is stamped by the release build (goreleaser: -ldflags "-X main.version=...").
// "dev" marks a local build in the User-Agent and in support requests.
var version = "dev"

// commit is the source revision of a release build (goreleaser: -X main.commit=...).
// It is kept out of the provider's version string, which Terraform and the
// User-Agent show as a plain semantic version; it only labels a start-up failure.
var commit = "none"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address:         "registry.terraform.io/entra-b2b/b2b",
		Debug:           debug,
		ProtocolVersion: 6,
	})
	if err != nil {
		// Terraform is not attached yet, so tflog has no sink: stderr is all there is.
		log.Fatalf("terraform-provider-b2b %s (commit %s): %v", version, commit, err)
	}
}
