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
		log.Fatal(err.Error())
	}
}
