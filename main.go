// Command terraform-provider-b2b serves the b2b Terraform provider, which
// manages Microsoft Entra ID B2B guest users as code.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/entra-b2b/terraform-provider-b2b/internal/provider"
)

// version is stamped by the release build (goreleaser: -ldflags "-X main.version=...").
// "dev" marks a local build in the User-Agent and in support requests.
var version = "dev"

// commit is the source revision of a release build (goreleaser: -X main.commit=...).
// It is kept out of the provider's version string, which Terraform and the
// User-Agent show as a plain semantic version; it only labels a start-up failure.
var commit = "none"

const address = "registry.terraform.io/entra-b2b/b2b"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	tuneGC(os.LookupEnv)
	stopProfile := startProfiles(os.Getenv)
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	} else {
		quietUnreadLogs(os.LookupEnv, os.Setenv)
	}
	err := tf6server.Serve(address, func() tfprotov6.ProviderServer {
		return newDetachingServer(providerserver.NewProtocol6(provider.New(version, provider.WithClock(time.Now))())())
	}, opts...)
	stopProfile()
	if err != nil {
		// Terraform is not attached yet, so tflog has no sink: stderr is all there is.
		log.Fatalf("terraform-provider-b2b %s (commit %s): %v", version, commit, err)
	}
}

// quietUnreadLogs switches the SDK's and the provider's log output off when
// Terraform is going to discard it. terraform-plugin-log defaults every
// logger to TRACE, so each RPC writes dozens of JSON lines (the framework
// traces every attribute it touches) that Terraform parses and, unless
// TF_LOG or TF_LOG_PROVIDER is set, throws away (its provider logger is then
// off). BENCHMARKS.md: a plan of 300 guests took 21 s with them and 7 s
// without. Terraform hands its environment to the provider, so the provider
// sees the same TF_LOG; a variable the user set explicitly is left alone.
// Not in -debug mode, where the provider's stderr is the user's terminal.
func quietUnreadLogs(lookup func(string) (string, bool), set func(string, string) error) {
	for _, k := range []string{"TF_LOG_PROVIDER", "TF_LOG"} {
		if v, _ := lookup(k); strings.TrimSpace(v) != "" && !strings.EqualFold(strings.TrimSpace(v), "off") {
			return
		}
	}
	// TF_LOG_SDK also silences its subsystems (proto, framework), which
	// inherit its level unless their own variable is set.
	for _, k := range []string{"TF_LOG_SDK", "TF_LOG_PROVIDER_B2B"} {
		if _, ok := lookup(k); !ok {
			_ = set(k, "OFF")
		}
	}
}

// frameworkServer is every RPC surface the framework's server implements.
//
// The three interfaces are deprecated only in favour of ProviderServer,
// which will absorb their methods in a later terraform-plugin-go; until
// then they are the way to name what the framework serves.
type frameworkServer interface {
	tfprotov6.ProviderServerWithListResource //nolint:staticcheck // see above
	tfprotov6.ProviderServerWithActions      //nolint:staticcheck // see above
	tfprotov6.ProviderServerWithStateStores  //nolint:staticcheck // see above
}

// detachingServer works around terraform-plugin-framework (v1.19.0)
// keeping every RPC's context until StopProvider: its proto6server appends
// the cancel function of a context derived from each request's to a slice
// that only StopProvider empties, and Terraform calls StopProvider only on
// interrupt. Each kept context holds the whole per-request chain of loggers
// and fields (about 60 kB a guest over validate, upgrade, read and plan), so
// the provider's live heap grew with every guest: 145 MB at 1,000 guests,
// twice that in RSS under the Go collector's default target.
//
// The per-resource RPCs therefore hand the framework a context that passes
// everything through to the request's own until the RPC returns, and then
// lets go of it; what the framework keeps is a few hundred bytes. Streaming
// RPCs (list, invoke action, state bytes) are passed as they are: their
// results are produced after the method returns.
type detachingServer struct {
	frameworkServer
}

func newDetachingServer(s tfprotov6.ProviderServer) tfprotov6.ProviderServer {
	fs, ok := s.(frameworkServer)
	if !ok {
		// A framework that dropped one of these surfaces: serve it unwrapped
		// rather than hide RPCs from Terraform.
		return s
	}
	return detachingServer{fs}
}

func detached[Req, Resp any](ctx context.Context, req Req, rpc func(context.Context, Req) (Resp, error)) (Resp, error) {
	d := newDetachableContext(ctx)
	defer d.detach()
	return rpc(d, req)
}

func (s detachingServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return detached(ctx, req, s.frameworkServer.ValidateResourceConfig)
}

func (s detachingServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return detached(ctx, req, s.frameworkServer.UpgradeResourceState)
}

func (s detachingServer) UpgradeResourceIdentity(ctx context.Context, req *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	return detached(ctx, req, s.frameworkServer.UpgradeResourceIdentity)
}

func (s detachingServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return detached(ctx, req, s.frameworkServer.ReadResource)
}

func (s detachingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return detached(ctx, req, s.frameworkServer.PlanResourceChange)
}

func (s detachingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return detached(ctx, req, s.frameworkServer.ApplyResourceChange)
}

func (s detachingServer) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return detached(ctx, req, s.frameworkServer.ImportResourceState)
}

func (s detachingServer) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return detached(ctx, req, s.frameworkServer.ValidateDataResourceConfig)
}

func (s detachingServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return detached(ctx, req, s.frameworkServer.ReadDataSource)
}

// detachableContext forwards to the request's context until detach, and
// then behaves as a cancelled context without values.
type detachableContext struct {
	cur atomic.Pointer[context.Context]
}

// gone is what a detached context forwards to.
var gone = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

func newDetachableContext(ctx context.Context) *detachableContext {
	d := &detachableContext{}
	d.cur.Store(&ctx)
	return d
}

func (d *detachableContext) detach() { d.cur.Store(&gone) }

func (d *detachableContext) ctx() context.Context { return *d.cur.Load() }

// Deadline implements context.Context.
func (d *detachableContext) Deadline() (time.Time, bool) { return d.ctx().Deadline() }

// Done implements context.Context.
func (d *detachableContext) Done() <-chan struct{} { return d.ctx().Done() }

// Err implements context.Context.
func (d *detachableContext) Err() error { return d.ctx().Err() }

// Value implements context.Context. It forwards the context package's own
// lookups too, so contexts derived from this one register with the
// request's cancellation directly instead of through a goroutine.
func (d *detachableContext) Value(key any) any { return d.ctx().Value(key) }
