package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

var (
	_ resource.Resource                = (*crossTenantPartnerResource)(nil)
	_ resource.ResourceWithConfigure   = (*crossTenantPartnerResource)(nil)
	_ resource.ResourceWithImportState = (*crossTenantPartnerResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*crossTenantPartnerResource)(nil)
)

// NewCrossTenantAccessPartnerResource returns b2b_cross_tenant_access_partner:
// the cross-tenant access settings for one partner organization
// (https://learn.microsoft.com/graph/api/resources/crosstenantaccesspolicyconfigurationpartner).
func NewCrossTenantAccessPartnerResource() resource.Resource { return &crossTenantPartnerResource{} }

type crossTenantPartnerResource struct {
	data *providerData
}

// ctPartnerModelV0 is the resource's state.
type ctPartnerModelV0 struct {
	ID                      types.String `tfsdk:"id"`
	TenantID                types.String `tfsdk:"tenant_id"`
	TenantDisplayName       types.String `tfsdk:"tenant_display_name"`
	TenantDefaultDomainName types.String `tfsdk:"tenant_default_domain_name"`
	ctSettingsModel
	AutomaticUserConsent *ctConsentModel `tfsdk:"automatic_user_consent"`
	Timeouts             timeouts.Value  `tfsdk:"timeouts"`
}

func (r *crossTenantPartnerResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cross_tenant_access_partner"
}

func (r *crossTenantPartnerResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data, diags := providerDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	if data != nil {
		r.data = data
	}
}

const ctPartnerInherit = "Unset: the partner inherits this setting from the default configuration (`b2b_cross_tenant_access_default`); Graph stores null."

func (r *crossTenantPartnerResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = crossTenantPartnerSchemaV0(ctx)
}

func crossTenantPartnerSchemaV0(ctx context.Context) schema.Schema {
	attrs := ctSettingsAttributes(ctPartnerInherit)
	attrs["id"] = schema.StringAttribute{
		MarkdownDescription: "The partner's tenant ID in lower case, as Graph keys the entry.",
		Computed:            true,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
	attrs["tenant_id"] = schema.StringAttribute{
		MarkdownDescription: "The partner organization's Microsoft Entra tenant ID (a GUID). Changing it replaces the resource. " +
			"To write a partner by domain, look the tenant ID up with the `b2b_tenant` data source.",
		Required: true,
		PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIf(ctOtherTenant,
			"Another tenant ID replaces the partner entry; the same ID in other letter case does not.",
			"Another tenant ID replaces the partner entry; the same ID in other letter case does not.")},
		Validators: []validator.String{stringvalidator.RegexMatches(ctTenantIDPattern,
			"must be a tenant ID, a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47 (a domain name is not accepted; use the b2b_tenant data source to look one up)")},
	}
	for name, a := range ctTenantNameAttributes() {
		attrs[name] = a
	}
	attrs["automatic_user_consent"] = schema.SingleNestedAttribute{
		MarkdownDescription: "Automatic redemption (Graph `automaticUserConsentSettings`): invitations between the two organizations are redeemed without the consent prompt. " +
			"It takes effect only when both organizations allow it, this one inbound and the partner outbound (or the other way round). " +
			"Unset: Graph stores null and the default applies, which is always false.",
		Optional: true,
		Attributes: map[string]schema.Attribute{
			"inbound_allowed": schema.BoolAttribute{
				MarkdownDescription: "Users from the partner are redeemed into this tenant without a consent prompt.",
				Required:            true,
			},
			"outbound_allowed": schema.BoolAttribute{
				MarkdownDescription: "This tenant's users are redeemed into the partner without a consent prompt.",
				Required:            true,
			},
		},
	}
	return schema.Schema{
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
		MarkdownDescription: "The cross-tenant access settings for one partner organization: B2B collaboration and B2B direct connect, inbound and outbound, " +
			"which of its Conditional Access claims are trusted, and automatic redemption. Settings left unset inherit the default configuration. " +
			"A new entry, or a changed `tenant_id`, is looked up at plan time: a tenant ID that names no tenant (a typo) fails the plan, " +
			"and the plan shows the tenant's name and default domain (`tenant_display_name`, `tenant_default_domain_name`); " +
			"the look-up needs `CrossTenantInformation.ReadBasic.All`, and without it the plan warns and goes on. " +
			"Destroying the resource deletes the partner entry, so the organization falls back to the default settings; " +
			"Graph refuses while the partner still has a user synchronization policy (`b2b_cross_tenant_identity_sync`), which must be destroyed first. " +
			"A `b2b_guest_user` that depends on this resource (`depends_on`) is checked at plan time against the inbound B2B collaboration rule as planned here; " +
			"without the dependency Terraform may plan the guest first, and it is checked against the settings in effect. " +
			"Needs the Microsoft Graph application permission Policy.ReadWrite.CrossTenantAccess (Policy.Read.All is enough to plan).",
		Attributes: attrs,
	}
}

// ctOtherTenant replaces the resource only for another tenant: Graph
// keys partners by the GUID, whatever its letter case.
func ctOtherTenant(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
	resp.RequiresReplace = !strings.EqualFold(req.StateValue.ValueString(), req.PlanValue.ValueString())
}

// ModifyPlan refuses the provider's own tenant, checks that a new
// tenant_id names a tenant and plans its names (cross_tenant_tenant_check.go),
// and records the planned inbound B2B collaboration rule for the guests'
// admission check (see cross_tenant_planned.go).
func (r *crossTenantPartnerResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil {
		return
	}
	r.refuseOwnTenant(ctx, req, resp)
	if resp.Diagnostics.HasError() {
		return
	}
	ctCheckPartnerTenant(ctx, r.data, req, resp, true)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(recordPlannedPartner(ctx, &r.data.admission.planned, req)...)
}

// refuseOwnTenant stops, at plan time, a partner entry for the tenant the
// provider signs in to: cross-tenant access settings govern other
// organizations (https://learn.microsoft.com/entra/external-id/cross-tenant-access-overview),
// so an entry for the tenant itself would be a mistaken ID, not a policy.
// A provider tenant_id given as a domain name is resolved as the guests'
// admission check resolves it (once per run); a failed look-up leaves the
// check to apply.
func (r *crossTenantPartnerResource) refuseOwnTenant(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data.Client == nil {
		return
	}
	var planned types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("tenant_id"), &planned)...)
	if planned.IsNull() || planned.IsUnknown() {
		return
	}
	home, err := r.data.admission.isHomeTenant(ctx, r.data.Client, r.data.TenantID, planned.ValueString())
	if err != nil || !home {
		return
	}
	resp.Diagnostics.AddAttributeError(path.Root("tenant_id"), "Partner Tenant Is This Tenant",
		errorDetail(fmt.Sprintf("tenant_id %s is the tenant this provider signs in to (the provider block's tenant_id). "+
			"Cross-tenant access settings govern other organizations; the tenant's own users are not subject to them.", planned.ValueString()),
			"Use the tenant ID of the partner organization: the b2b_tenant data source finds it by one of the partner's domain names.", nil))
}

func (m *ctPartnerModelV0) timeoutsBlock() timeouts.Value { return m.Timeouts }

// tenant is Graph's key of the entry: the tenant ID in lower case.
func (m *ctPartnerModelV0) tenant() string { return strings.ToLower(m.TenantID.ValueString()) }

func (m *ctPartnerModelV0) logContext(ctx context.Context) context.Context {
	return tflog.SetField(ctx, "partner_tenant_id", m.tenant())
}

func (m *ctPartnerModelV0) toGraph() graph.CrossTenantPartner {
	p := graph.CrossTenantPartner{TenantID: strings.ToLower(m.TenantID.ValueString()), CrossTenantSettings: m.ctSettingsModel.toGraph()}
	if a := m.AutomaticUserConsent; a != nil {
		p.AutomaticUserConsent = &graph.CrossTenantConsent{InboundAllowed: a.InboundAllowed.ValueBoolPointer(), OutboundAllowed: a.OutboundAllowed.ValueBoolPointer()}
	}
	return p
}

// apply writes what Graph returned into the model; the configured spelling
// of tenant_id is kept when it names the same tenant.
func (m *ctPartnerModelV0) apply(p *graph.CrossTenantPartner) {
	if !strings.EqualFold(m.TenantID.ValueString(), p.TenantID) {
		m.TenantID = types.StringValue(p.TenantID)
	}
	// id is Graph's key, the lower-case GUID, whatever the spelling in
	// tenant_id, so it never changes in place.
	m.ID = types.StringValue(strings.ToLower(m.TenantID.ValueString()))
	m.ctSettingsModel = ctSettingsFromGraph(p.CrossTenantSettings)
	m.AutomaticUserConsent = nil
	if a := p.AutomaticUserConsent; a != nil {
		m.AutomaticUserConsent = &ctConsentModel{
			InboundAllowed:  types.BoolValue(a.InboundAllowed != nil && *a.InboundAllowed),
			OutboundAllowed: types.BoolValue(a.OutboundAllowed != nil && *a.OutboundAllowed),
		}
	}
}

func (r *crossTenantPartnerResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.save(ctx, req.Plan, &resp.State, &resp.Diagnostics, timeouts.Value.Create, ctCreateTimeout, r.create)
}

func (r *crossTenantPartnerResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	r.save(ctx, req.Plan, &resp.State, &resp.Diagnostics, timeouts.Value.Update, ctUpdateTimeout, r.update)
}

// save is Create and Update: write the planned entry with send, save it,
// read it back and save what Graph holds. The plan is saved before the
// read-back, so a failed read leaves the partner in state to be
// refreshed, not orphaned in the tenant.
func (r *crossTenantPartnerResource) save(ctx context.Context, planned tfsdk.Plan, state *tfsdk.State, diags *diag.Diagnostics,
	timeout operationTimeout, def time.Duration, send func(context.Context, *graph.Client, *ctPartnerModelV0, *diag.Diagnostics)) {
	var plan ctPartnerModelV0
	ctx, cancel, c := beginModel(ctx, r.data, planned, &plan, timeout, def, diags)
	defer cancel()
	if c == nil {
		return
	}
	send(ctx, c, &plan, diags)
	if diags.HasError() {
		return
	}
	diags.Append(state.Set(ctx, &plan)...)
	r.readInto(ctx, c, &plan, diags)
	if diags.HasError() {
		return
	}
	diags.Append(state.Set(ctx, &plan)...)
}

// create looks first, so an entry made in the portal is adopted by import
// rather than overwritten, then creates the entry.
func (r *crossTenantPartnerResource) create(ctx context.Context, c *graph.Client, plan *ctPartnerModelV0, diags *diag.Diagnostics) {
	tenant := plan.tenant()
	if _, err := c.GetCrossTenantPartner(ctx, tenant); err == nil {
		diags.Append(ctPartnerExistsDiagnostic(tenant))
		return
	} else if !graph.IsNotFound(err) {
		diags.Append(ctCreateLookupDiagnostic("Error Reading Cross-Tenant Access Partner",
			fmt.Sprintf("Looking up an existing partner configuration for tenant %s before creating one.", tenant), err))
		return
	}
	created, err := c.CreateCrossTenantPartner(ctx, plan.toGraph())
	if graph.IsConflict(err) {
		diags.Append(ctPartnerExistsDiagnostic(tenant))
		return
	}
	if err != nil {
		diags.Append(graphErrorAttributeDiagnostic(path.Root("tenant_id"), "Error Creating Cross-Tenant Access Partner",
			fmt.Sprintf("Creating the partner configuration for tenant %s (POST /policies/crossTenantAccessPolicy/partners).", tenant), err))
		return
	}
	tflog.Info(ctx, "created cross-tenant access partner configuration")
	plan.ID = types.StringValue(created.TenantID)
	if plan.TenantDisplayName.IsUnknown() || plan.TenantDefaultDomainName.IsUnknown() {
		plan.TenantDisplayName, plan.TenantDefaultDomainName = ctLookUpTenantNames(ctx, r.data, c, plan.tenant())
	}
}

// update sends every setting, an unset one as null, so the partner
// inherits the default for it again.
func (r *crossTenantPartnerResource) update(ctx context.Context, c *graph.Client, plan *ctPartnerModelV0, diags *diag.Diagnostics) {
	tenant := plan.tenant()
	if err := c.UpdateCrossTenantPartner(ctx, plan.toGraph()); err != nil {
		diags.Append(graphErrorDiagnostic("Error Updating Cross-Tenant Access Partner",
			fmt.Sprintf("Updating the partner configuration for tenant %s (PATCH /policies/crossTenantAccessPolicy/partners/%s).", tenant, tenant), err))
		return
	}
	tflog.Info(ctx, "updated cross-tenant access partner configuration")
}

func ctPartnerExistsDiagnostic(tenant string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("tenant_id"), "Cross-Tenant Access Partner Already Exists",
		errorDetail(fmt.Sprintf("Creating a partner configuration for tenant %s, but the tenant already has one (made in the portal or by another configuration).", tenant),
			fmt.Sprintf("Import it so Terraform manages it: terraform import <address> %s (or an import block with id = %q).", tenant, tenant), nil))
}

// readInto reads the partner back after a write.
func (r *crossTenantPartnerResource) readInto(ctx context.Context, c *graph.Client, m *ctPartnerModelV0, diags *diag.Diagnostics) {
	p, err := c.GetCrossTenantPartner(ctx, m.tenant())
	if err != nil {
		diags.Append(graphErrorDiagnostic("Error Reading Cross-Tenant Access Partner",
			fmt.Sprintf("Reading the partner configuration for tenant %s back after writing it.", m.TenantID.ValueString()), err))
		return
	}
	m.apply(p)
}

func (r *crossTenantPartnerResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state ctPartnerModelV0
	ctx, cancel, c := beginModel(ctx, r.data, req.State, &state, timeouts.Value.Read, ctReadTimeout, &resp.Diagnostics)
	defer cancel()
	if c == nil {
		return
	}
	tenant := state.tenant()
	p, err := c.GetCrossTenantPartner(ctx, tenant)
	if graph.IsNotFound(err) {
		tflog.Warn(ctx, "cross-tenant access partner configuration no longer exists; removing it from the state so the next plan re-creates it")
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(graphErrorDiagnostic("Error Reading Cross-Tenant Access Partner",
			fmt.Sprintf("Reading the partner configuration for tenant %s.", tenant), err))
		return
	}
	state.apply(p)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *crossTenantPartnerResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state ctPartnerModelV0
	ctx, cancel, c := beginModel(ctx, r.data, req.State, &state, timeouts.Value.Delete, ctDeleteTimeout, &resp.Diagnostics)
	defer cancel()
	if c == nil {
		return
	}
	tenant := state.tenant()
	if err := c.DeleteCrossTenantPartner(ctx, tenant); err != nil {
		if ctPartnerHasIdentitySync(ctx, c, tenant) {
			resp.Diagnostics.Append(ctPartnerHasSyncDiagnostic(tenant, err))
			return
		}
		resp.Diagnostics.Append(graphErrorDiagnostic("Error Deleting Cross-Tenant Access Partner",
			fmt.Sprintf("Deleting the partner configuration for tenant %s, which restores the default settings for that organization.", tenant), err))
		return
	}
	tflog.Info(ctx, "deleted cross-tenant access partner configuration; the organization now gets the default settings")
}

// ctPartnerHasIdentitySync reports whether a refused partner delete is the
// documented refusal: Graph deletes no partner configuration that still
// has a user synchronization policy
// (https://learn.microsoft.com/graph/api/crosstenantaccesspolicyconfigurationpartner-delete).
// The page names no status or code for it, so the policy is looked up
// instead of matching an error code.
func ctPartnerHasIdentitySync(ctx context.Context, c *graph.Client, tenant string) bool {
	_, err := c.GetCrossTenantIdentitySync(ctx, tenant)
	return err == nil
}

func ctPartnerHasSyncDiagnostic(tenant string, err error) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Cross-Tenant Access Partner Has An Identity Sync Policy",
		errorDetail(fmt.Sprintf("Deleting the partner configuration for tenant %s, but it still has a user synchronization policy, "+
			"and Microsoft Graph deletes a partner configuration only after its policy is deleted.", tenant),
			"Destroy the b2b_cross_tenant_identity_sync for this tenant first: give it tenant_id = b2b_cross_tenant_access_partner.<name>.tenant_id "+
				"so Terraform orders the two, or import it (terraform import <address> "+tenant+") if it was made outside Terraform and destroy it.", err))
}

// ImportState takes the partner's tenant ID. The tenant's names are looked
// up once here, as a create would have planned them; a failed look-up
// leaves them null.
func (r *crossTenantPartnerResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	ctImportByTenantID(ctx, req, resp, "a cross-tenant access partner")
	if resp.Diagnostics.HasError() || r.data == nil || r.data.Client == nil {
		return
	}
	name, domain := ctLookUpTenantNames(ctx, r.data, r.data.Client, req.ID)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(ctTenantDisplayNameAttr), name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(ctTenantDefaultDomainAttr), domain)...)
}
