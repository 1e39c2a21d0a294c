package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

var (
	_ datasource.DataSource                   = (*guestUsersDataSource)(nil)
	_ datasource.DataSourceWithConfigure      = (*guestUsersDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*guestUsersDataSource)(nil)
)

// guestUsersDataSourceReadTimeout bounds a read when timeouts.read is unset.
// Listing a large tenant is many pages, each retried on throttling.
const guestUsersDataSourceReadTimeout = 10 * time.Minute

// NewGuestUsersDataSource is the factory registered in the provider.
func NewGuestUsersDataSource() datasource.DataSource { return &guestUsersDataSource{} }

// guestUsersDataSource lists the users (guests by default) matching filters.
type guestUsersDataSource struct {
	data *providerData
}

// guestUsersDataSourceModelV0 is the b2b_guest_users data source.
type guestUsersDataSourceModelV0 struct {
	guestUsersFilterModelV0

	Guests   types.List     `tfsdk:"guests"`
	Total    types.Int64    `tfsdk:"total"`
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

// guestSummaryAttrs are the attributes of each element of guests, with
// their descriptions; the object type is derived from it.
var guestSummaryAttrs = map[string]string{
	"id":                          "The object ID of the user.",
	"email":                       "The user's primary email address (Graph's `mail`).",
	"display_name":                "The display name.",
	"user_principal_name":         "The user principal name, e.g. `alice_partner.example#EXT#@contoso.onmicrosoft.com`.",
	"invitation_state":            "`PendingAcceptance`, `Accepted`, or null for users that were not invited.",
	"invitation_state_changed_at": "When `invitation_state` last changed (RFC 3339).",
	"created_at":                  "When the user was created (RFC 3339).",
}

// guestSummaryAttrsWithProfile adds every profile string of the resource
// (the user-property table's rows) to guestSummaryAttrs; display_name is
// there already with this data source's wording.
var guestSummaryAttrsWithProfile = func() map[string]string {
	out := make(map[string]string, len(guestSummaryAttrs)+len(profileStringFields))
	for _, f := range profileStringFields {
		out[f.attr] = profileDescription(f.prop) + " Null when Entra has no value."
	}
	for name, desc := range guestSummaryAttrs {
		out[name] = desc
	}
	for name, desc := range signInAttrs {
		out[name] = desc
	}
	return out
}()

func guestSummaryType() types.ObjectType {
	t := map[string]attr.Type{}
	for name := range guestSummaryAttrsWithProfile {
		t[name] = types.StringType
	}
	return types.ObjectType{AttrTypes: t}
}

// Metadata implements datasource.DataSource.
func (d *guestUsersDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_guest_users"
}

// Schema implements datasource.DataSource.
func (d *guestUsersDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = guestUsersDataSourceSchemaV0(ctx)
}

func guestUsersDataSourceSchemaV0(ctx context.Context) schema.Schema {
	attrs := map[string]schema.Attribute{}
	for name, f := range guestFilterAttributes() {
		attrs[name] = schema.StringAttribute{
			Optional: true,
			// user_type is computed too, so the state shows the default that was applied.
			Computed:            name == "user_type",
			MarkdownDescription: f.description,
			Validators:          f.validators,
		}
	}

	nested := map[string]schema.Attribute{}
	for name, desc := range guestSummaryAttrsWithProfile {
		nested[name] = schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	for name, a := range staleFilterDataSourceAttributes() {
		attrs[name] = a
	}
	attrs["guests"] = schema.ListNestedAttribute{
		Computed: true,
		MarkdownDescription: "The matching users, in the order Graph returns them. To use them with `for_each`, " +
			"make a map keyed by `id` (stable) rather than by position.",
		NestedObject: schema.NestedAttributeObject{Attributes: nested},
	}
	attrs["total"] = schema.Int64Attribute{
		Computed:            true,
		MarkdownDescription: "The number of matching users (the length of `guests`). Named `total` because `count` is a meta-argument Terraform reserves.",
	}
	attrs["timeouts"] = timeouts.Attributes(ctx)

	return schema.Schema{
		MarkdownDescription: "Lists the users of the directory, B2B guests by default, that match every filter given " +
			"(filters combine with *and*; none means all guests), paging through all results. Useful for reminding " +
			"everyone whose invitation is still pending, for audits, and to generate `import` blocks for guests that " +
			"exist today. Needs the Microsoft Graph application permission `User.Read.All` (or `User.ReadWrite.All`, " +
			"`Directory.Read.All`).",
		Attributes: attrs,
	}
}

// ValidateConfig implements datasource.DataSourceWithValidateConfig.
func (d *guestUsersDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var m guestUsersDataSourceModelV0
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(m.validateRange()...)
	resp.Diagnostics.Append(m.validateStale()...)
}

// Configure implements datasource.DataSourceWithConfigure.
func (d *guestUsersDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	data, diags := providerDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	d.data = data
}

// Read implements datasource.DataSource.
func (d *guestUsersDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m guestUsersDataSourceModelV0
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, diags := d.data.requireClient()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := m.Timeouts.Read(ctx, guestUsersDataSourceReadTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	users, diags := m.listGuests(ctx, d.data, client, 0, 0)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Debug(ctx, "listed users", map[string]any{"count": len(users), "user_type": m.userType()})

	m.UserType = types.StringValue(m.userType())
	list, diags := guestSummaries(users)
	resp.Diagnostics.Append(diags...)
	m.Guests = list
	m.Total = types.Int64Value(int64(len(users)))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// guestSummaries maps Graph users to the guests list. An empty result is
// an empty list, not null, so length() and for_each work unconditionally.
func guestSummaries(users []graph.User) (types.List, diag.Diagnostics) {
	var diags diag.Diagnostics
	ot := guestSummaryType()
	elems := make([]attr.Value, 0, len(users))
	for _, u := range users {
		vals := map[string]attr.Value{
			"id":                          types.StringValue(u.ID),
			"email":                       nonEmptyString(u.Mail),
			"user_principal_name":         nonEmptyString(u.UserPrincipalName),
			"invitation_state":            nonEmptyString(u.ExternalUserState),
			"invitation_state_changed_at": rfc3339(u.ExternalUserStateChangeDateTime),
			"created_at":                  rfc3339(u.CreatedDateTime),
		}
		for _, f := range profileStringFields {
			vals[f.attr] = types.StringPointerValue(f.user(&u))
		}
		for name, v := range signInSummaryValues(&u) {
			vals[name] = v
		}
		o, d := types.ObjectValue(ot.AttrTypes, vals)
		diags.Append(d...)
		elems = append(elems, o)
	}
	l, d := types.ListValue(ot, elems)
	diags.Append(d...)
	return l, diags
}
