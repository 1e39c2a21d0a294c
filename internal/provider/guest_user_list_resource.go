package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

var (
	_ list.ListResource                   = (*guestUserListResource)(nil)
	_ list.ListResourceWithConfigure      = (*guestUserListResource)(nil)
	_ list.ListResourceWithValidateConfig = (*guestUserListResource)(nil)
)

// guestUserListTimeout bounds one `terraform query` listing: list blocks
// have no timeouts argument, and Graph throttling retries run until it.
const guestUserListTimeout = 10 * time.Minute

// NewGuestUserListResource is the factory registered in the provider.
func NewGuestUserListResource() list.ListResource { return &guestUserListResource{} }

// guestUserListResource finds existing users for `terraform query`
// (Terraform 1.14+), so they can be imported into b2b_guest_user.
type guestUserListResource struct {
	data *providerData
}

// Metadata implements list.ListResource. The name is the managed
// resource's: Terraform pairs a list resource with the resource it lists.
func (r *guestUserListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_guest_user"
}

// ListResourceConfigSchema implements list.ListResource.
func (r *guestUserListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = guestUserListSchemaV0()
}

func guestUserListSchemaV0() schema.Schema {
	attrs := map[string]schema.Attribute{}
	for name, f := range guestFilterAttributes() {
		attrs[name] = schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: f.description,
			Validators:          f.validators,
		}
	}
	for name, a := range staleFilterListAttributes() {
		attrs[name] = a
	}
	return schema.Schema{
		MarkdownDescription: "Finds existing users of the directory, B2B guests by default, for `terraform query` " +
			"(Terraform 1.14 and later), with the same filters as the `b2b_guest_users` data source. Each result carries the " +
			"resource identity (`object_id`) and, with `include_resource = true`, the attributes an import would read, so " +
			"`terraform query -generate-config-out=guests.tf` writes an `import` block and a `b2b_guest_user` configuration " +
			"for every guest found (named after the list block, `<name>_0`, `<name>_1`, ... in the order Graph lists them: rename them before committing). " +
			"Importing sends no invitation. OpenTofu has no `query` command and ignores `.tfquery.hcl` files: there, find guests with the " +
			"`b2b_guest_users` data source and import them with `import` blocks and `for_each` (see the importing guide).",
		Attributes: attrs,
	}
}

// ValidateListResourceConfig implements list.ListResourceWithValidateConfig.
func (r *guestUserListResource) ValidateListResourceConfig(ctx context.Context, req list.ValidateConfigRequest, resp *list.ValidateConfigResponse) {
	var f guestUsersFilterModelV0
	resp.Diagnostics.Append(req.Config.Get(ctx, &f)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(f.validateRange()...)
	resp.Diagnostics.Append(f.validateStale()...)
}

// Configure implements list.ListResourceWithConfigure.
func (r *guestUserListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data, diags := providerDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	r.data = data
}

// List implements list.ListResource.
func (r *guestUserListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var f guestUsersFilterModelV0
	diags := req.Config.Get(ctx, &f)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	client, d := r.data.requireClient()
	diags.Append(d...)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}

	listCtx, cancel := context.WithTimeout(ctx, guestUserListTimeout)
	// Graph is asked before the stream starts, so a failed query is one
	// error rather than a partial list followed by an error.
	// -limit (default 100) bounds the listing itself, not only the stream,
	// so a query over a large tenant stops paging once it has enough.
	users, d := f.listGuests(listCtx, r.data, client, 0, int(max(req.Limit, 0)))
	cancel()
	diags.Append(d...)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	tflog.Debug(ctx, "listed users for terraform query", map[string]any{
		"count": len(users), "limit": req.Limit, "include_resource": req.IncludeResource,
	})

	stream.Results = func(push func(list.ListResult) bool) {
		for i := range users {
			if req.Limit > 0 && int64(i) >= req.Limit {
				return
			}
			u := &users[i]
			result := req.NewListResult(ctx)
			result.DisplayName = guestDisplayName(u)
			result.Diagnostics.Append(result.Identity.Set(ctx, guestUserIdentityModelV0{ObjectID: types.StringValue(u.ID)})...)
			if req.IncludeResource {
				m, d := importedGuestUserModel(ctx, u)
				result.Diagnostics.Append(d...)
				if !d.HasError() {
					result.Diagnostics.Append(setModel(ctx, result.Resource, &m)...)
				}
			}
			if !push(result) {
				return
			}
		}
	}
}

// guestDisplayName is how a result is shown in `terraform query` output:
// the name alone is ambiguous (guests often share one), the address is not.
func guestDisplayName(u *graph.User) string {
	addr := primaryAddress(u)
	switch {
	case u.DisplayName == "":
		return addr
	case addr == "" || addr == u.DisplayName:
		return u.DisplayName
	default:
		return u.DisplayName + " <" + addr + ">"
	}
}

// importedGuestUserModel is the state an import of u followed by a read
// produces (ImportState then Read): identifying and computed values, the
// defaults of on_destroy and adopt_existing, and Entra's profile values.
// Generated configuration therefore plans clean, and matches what
// `terraform import` would have written.
func importedGuestUserModel(ctx context.Context, u *graph.User) (guestUserResourceModelV0, diag.Diagnostics) {
	prior := guestUserResourceModelV0{
		ID:             types.StringValue(u.ID),
		Email:          types.StringNull(),
		OnDestroy:      types.StringValue(onDestroyDelete),
		AdoptExisting:  types.BoolValue(false),
		AccountEnabled: types.BoolNull(),
		BusinessPhones: types.ListNull(types.StringType),
		OtherMails:     types.SetNull(types.StringType),
		GroupIDs:       types.SetNull(types.StringType),
		SponsorIDs:     types.SetNull(types.StringType),
		Timeouts: timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{
			"create": types.StringType, "read": types.StringType, "update": types.StringType, "delete": types.StringType,
		})},
	}
	m := prior
	diags := m.applyUser(ctx, u, &prior)
	return m, diags
}
