package provider_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
	"github.com/entra-b2b/terraform-provider-b2b/internal/provider"
)

// benchGuests is how many guests the refresh benchmark creates once; each
// op refreshes the next one, so the emulator's per-user work and the
// provider's caches see several guests, as in a prov plan.
const benchGuests = 20

// BenchmarkGuestUserRefreshRPCs is the provider's CPU per guest in a
// no-change plan (issue 13, item 1), without Terraform: one op is the four
// RPCs Terraform sends for one guest (ValidateResourceConfig,
// UpgradeResourceState, ReadResource, PlanResourceChange), served in
// process by providerserver against the emulator. "provider" is the prov
// b2b_guest_user; "floor" is a resource with the same schema whose Read
// and ModifyPlan do nothing (NewFloorProvider), fed the same state and
// configuration: what terraform-plugin-framework costs for this schema.
//
//	go test -run '^$' -bench GuestUserRefreshRPCs -benchmem ./internal/provider/
func BenchmarkGuestUserRefreshRPCs(b *testing.B) {
	env := acctest.New(b)
	srv := env.RequireEmulator(b)
	app := env.App()
	prov := newRefreshRPC(b, providerserver.NewProtocol6(provider.New("bench")())(), map[string]string{
		"graph_endpoint": srv.GraphEndpoint(), "authority_host": srv.AuthorityHost(),
		"tenant_id": srv.TenantID(), "client_id": app.ClientID, "client_secret": app.Secret,
		"default_redirect_url": "https://myapps.microsoft.com",
	})
	guests := make([]benchGuest, benchGuests)
	for i := range guests {
		guests[i] = prov.create(fmt.Sprintf("bench%03d@partner.example", i))
	}

	b.Run("provider", func(b *testing.B) { benchRefresh(b, prov, guests) })
	b.Run("floor", func(b *testing.B) {
		benchRefresh(b, newRefreshRPC(b, providerserver.NewProtocol6(provider.NewFloorProvider())(), nil), guests)
	})
}

// benchRefresh refreshes the guests in turn, one per op. Besides ns/op
// (wall time) it reports cpu-ns/op, the process's user+system CPU per op:
// with the in-process emulator that includes the emulator's own work
// (HTTPS, JSON) for "provider", none for "floor".
func benchRefresh(b *testing.B, r *refreshRPC, guests []benchGuest) {
	r.tb = b
	b.ReportAllocs()
	start := processCPU(b)
	i := 0
	for b.Loop() {
		r.refresh(guests[i%len(guests)])
		i++
	}
	b.ReportMetric(float64(processCPU(b)-start)/float64(b.N), "cpu-ns/op")
}

// processCPU is the user+system CPU time this process has used.
func processCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchGuest is one guest as Terraform holds it: its configuration and
// what the apply stored.
type benchGuest struct {
	config   tftypes.Value
	state    []byte // the state as Terraform stores it (JSON)
	private  []byte
	identity *tfprotov6.ResourceIdentityData
}

// refreshRPC drives b2b_guest_user of one provider server as Terraform does.
type refreshRPC struct {
	tb  testing.TB
	ctx context.Context
	s   tfprotov6.ProviderServer
	typ tftypes.Object
	// computed are the top-level attributes whose proposed new state is
	// the prior value when the configuration leaves them null.
	computed map[string]bool
}

const benchType = "b2b_guest_user"

// newRefreshRPC starts the server, reads its schemas and configures it
// with the given provider attributes (nil for a provider without any).
func newRefreshRPC(tb testing.TB, s tfprotov6.ProviderServer, providerAttrs map[string]string) *refreshRPC {
	tb.Helper()
	ctx := context.Background()
	schemas, err := s.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || len(schemas.Diagnostics) > 0 {
		tb.Fatalf("GetProviderSchema: %v %v", err, schemas.Diagnostics)
	}
	if _, err := s.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{}); err != nil {
		tb.Fatal(err)
	}
	rs := schemas.ResourceSchemas[benchType]
	typ, ok := rs.ValueType().(tftypes.Object)
	if !ok {
		tb.Fatalf("%s is not an object type", rs.ValueType())
	}
	r := &refreshRPC{tb: tb, ctx: ctx, s: s, typ: typ, computed: map[string]bool{}}
	for _, a := range rs.Block.Attributes {
		r.computed[a.Name] = a.Computed
	}
	pt := schemas.Provider.ValueType()
	conf, err := s.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{
		TerraformVersion: "1.14.9",
		Config:           r.dynamic(pt, objectValue(tb, pt, providerAttrs)),
	})
	if err != nil || len(conf.Diagnostics) > 0 {
		tb.Fatalf("ConfigureProvider: %v %v", err, conf.Diagnostics)
	}
	return r
}

func (r *refreshRPC) dynamic(typ tftypes.Type, v tftypes.Value) *tfprotov6.DynamicValue {
	dv, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		r.tb.Fatal(err)
	}
	return &dv
}

func (r *refreshRPC) value(dv *tfprotov6.DynamicValue) tftypes.Value {
	v, err := dv.Unmarshal(r.typ)
	if err != nil {
		r.tb.Fatal(err)
	}
	return v
}

func (r *refreshRPC) fail(rpc string, diags []*tfprotov6.Diagnostic) {
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			r.tb.Fatalf("%s: %s: %s", rpc, d.Summary, d.Detail)
		}
	}
}

// create plans and applies a new guest with a typical configuration.
func (r *refreshRPC) create(email string) benchGuest {
	config := objectValue(r.tb, r.typ, map[string]string{"email": email, "display_name": "Bench " + email, "job_title": "Buyer"})
	null := r.dynamic(r.typ, tftypes.NewValue(r.typ, nil))
	cfg := r.dynamic(r.typ, config)
	plan, err := r.s.PlanResourceChange(r.ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName: benchType, PriorState: null, ProposedNewState: cfg, Config: cfg,
	})
	if err != nil {
		r.tb.Fatal(err)
	}
	r.fail("PlanResourceChange (create)", plan.Diagnostics)
	applied, err := r.s.ApplyResourceChange(r.ctx, &tfprotov6.ApplyResourceChangeRequest{
		TypeName: benchType, PriorState: null, PlannedState: plan.PlannedState, Config: cfg, PlannedPrivate: plan.PlannedPrivate,
	})
	if err != nil {
		r.tb.Fatal(err)
	}
	r.fail("ApplyResourceChange (create)", applied.Diagnostics)
	state, err := json.Marshal(jsonOf(r.value(applied.NewState)))
	if err != nil {
		r.tb.Fatal(err)
	}
	return benchGuest{config: config, state: state, private: applied.Private, identity: applied.NewIdentity}
}

// refresh sends what Terraform sends for g in a no-change plan, and fails
// unless the plan is empty.
func (r *refreshRPC) refresh(g benchGuest) {
	cfg := r.dynamic(r.typ, g.config)
	v, err := r.s.ValidateResourceConfig(r.ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: benchType, Config: cfg})
	if err != nil {
		r.tb.Fatal(err)
	}
	r.fail("ValidateResourceConfig", v.Diagnostics)
	up, err := r.s.UpgradeResourceState(r.ctx, &tfprotov6.UpgradeResourceStateRequest{
		TypeName: benchType, Version: 0, RawState: &tfprotov6.RawState{JSON: g.state},
	})
	if err != nil {
		r.tb.Fatal(err)
	}
	r.fail("UpgradeResourceState", up.Diagnostics)
	read, err := r.s.ReadResource(r.ctx, &tfprotov6.ReadResourceRequest{
		TypeName: benchType, CurrentState: up.UpgradedState, Private: g.private, CurrentIdentity: g.identity,
	})
	if err != nil {
		r.tb.Fatal(err)
	}
	r.fail("ReadResource", read.Diagnostics)
	prior := r.value(read.NewState)
	plan, err := r.s.PlanResourceChange(r.ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName: benchType, PriorState: read.NewState, Config: cfg, PriorPrivate: read.Private,
		ProposedNewState: r.dynamic(r.typ, r.proposedNew(prior, g.config)), PriorIdentity: read.NewIdentity,
	})
	if err != nil {
		r.tb.Fatal(err)
	}
	r.fail("PlanResourceChange", plan.Diagnostics)
	if planned := r.value(plan.PlannedState); !planned.Equal(prior) || len(plan.RequiresReplace) > 0 {
		diffs, _ := prior.Diff(planned)
		r.tb.Fatalf("the refreshed guest plans a change: %v", diffs)
	}
}

// proposedNew is Terraform's proposed new state for a configuration whose
// attributes and blocks are set or null at the top level (objchange's
// ProposedNew for that case): the configured value, else the prior value
// of a computed attribute, else null.
func (r *refreshRPC) proposedNew(prior, config tftypes.Value) tftypes.Value {
	var p, c map[string]tftypes.Value
	if err := prior.As(&p); err != nil {
		r.tb.Fatal(err)
	}
	if err := config.As(&c); err != nil {
		r.tb.Fatal(err)
	}
	out := make(map[string]tftypes.Value, len(c))
	for name, v := range c {
		if v.IsNull() && r.computed[name] {
			v = p[name]
		}
		out[name] = v
	}
	return tftypes.NewValue(r.typ, out)
}

// jsonOf is v as Terraform's state file holds it.
func jsonOf(v tftypes.Value) any {
	if v.IsNull() {
		return nil
	}
	switch {
	case v.Type().Is(tftypes.String):
		var s string
		_ = v.As(&s)
		return s
	case v.Type().Is(tftypes.Bool):
		var x bool
		_ = v.As(&x)
		return x
	case v.Type().Is(tftypes.Number):
		var f big.Float
		_ = v.As(&f)
		return json.Number(f.Text('g', -1))
	case v.Type().Is(tftypes.Object{}), v.Type().Is(tftypes.Map{}):
		var m map[string]tftypes.Value
		_ = v.As(&m)
		out := make(map[string]any, len(m))
		for k, e := range m {
			out[k] = jsonOf(e)
		}
		return out
	default: // list, set, tuple
		var l []tftypes.Value
		_ = v.As(&l)
		out := make([]any, 0, len(l))
		for _, e := range l {
			out = append(out, jsonOf(e))
		}
		return out
	}
}
