package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// The floor of BenchmarkGuestUserRefreshRPCs (guest_user_bench_test.go): a
// provider whose b2b_guest_user has the very same schema and identity as
// the real one but does no work of its own, so what its RPCs cost is what
// terraform-plugin-framework costs for this schema alone.

// NewFloorProvider is the floor provider, exported to the benchmark in
// package provider_test (this file is compiled into tests only).
func NewFloorProvider() fwprovider.Provider { return floorProvider{} }

type floorProvider struct{}

func (floorProvider) Metadata(_ context.Context, _ fwprovider.MetadataRequest, resp *fwprovider.MetadataResponse) {
	resp.TypeName = "b2b"
}

func (floorProvider) Schema(context.Context, fwprovider.SchemaRequest, *fwprovider.SchemaResponse) {}

func (floorProvider) Configure(context.Context, fwprovider.ConfigureRequest, *fwprovider.ConfigureResponse) {
}

func (floorProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return floorGuestUser{} }}
}

func (floorProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

// floorGuestUser is b2b_guest_user without behaviour: no ValidateConfig,
// Read keeps the state, ModifyPlan keeps the framework's plan, the rest are
// never called by a refresh.
type floorGuestUser struct{}

func (floorGuestUser) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_guest_user"
}

func (floorGuestUser) Schema(ctx context.Context, req resource.SchemaRequest, resp *resource.SchemaResponse) {
	(&guestUserResource{}).Schema(ctx, req, resp)
}

func (floorGuestUser) IdentitySchema(ctx context.Context, req resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	(&guestUserResource{}).IdentitySchema(ctx, req, resp)
}

var (
	_ resource.ResourceWithModifyPlan = floorGuestUser{}
	_ resource.ResourceWithIdentity   = floorGuestUser{}
)

func (floorGuestUser) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (floorGuestUser) ModifyPlan(context.Context, resource.ModifyPlanRequest, *resource.ModifyPlanResponse) {
}

func (floorGuestUser) Create(context.Context, resource.CreateRequest, *resource.CreateResponse) {}

func (floorGuestUser) Update(context.Context, resource.UpdateRequest, *resource.UpdateResponse) {}

func (floorGuestUser) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
