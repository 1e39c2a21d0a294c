package provider

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
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
	_ resource.Resource                = (*crossTenantDefaultResource)(nil)
	_ resource.ResourceWithConfigure   = (*crossTenantDefaultResource)(nil)
	_ resource.ResourceWithImportState = (*crossTenantDefaultResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*crossTenantDefaultResource)(nil)
)

// ctDefaultID is the only ID of the singleton.
const ctDefaultID = "default"

// NewCrossTenantAccessDefaultResource returns b2b_cross_tenant_access_default:
// the tenant's default cross-tenant access settings, for every
// organization without a partner entry
// (https://learn.microsoft.com/graph/api/resources/crosstenantaccesspolicyconfigurationdefault).
func NewCrossTenantAccessDefaultResource() resource.Resource { return &crossTenantDefaultResource{} }

type crossTenantDefaultResource struct {
	data *providerData
}

// ctRedemptionModel is invitationRedemptionIdentityProviderConfiguration.
type ctRedemptionModel struct {
	PrimaryOrder types.List   `tfsdk:"primary_identity_provider_precedence_order"`
	Fallback     types.String `tfsdk:"fallback_identity_provider"`
}

// ctDefaultModelV0 is the resource's state.
type ctDefaultModelV0 struct {
	ID types.String `tfsdk:"id"`
	ctSettingsModel
	InvitationRedemption *ctRedemptionModel `tfsdk:"invitation_redemption"`
	IsServiceDefault     types.Bool         `tfsdk:"is_service_default"`
	Timeouts             timeouts.Value     `tfsdk:"timeouts"`
}

// Redemption identity providers
// (https://learn.microsoft.com/graph/api/resources/invitationredemptionidentityproviderconfiguration):
// the primary ones may be ordered, and a fallback "must always be specified".
var (
	ctPrimaryIdPs  = []string{"azureActiveDirectory", "externalFederation", "socialIdentityProviders"}
	ctFallbackIdPs = []string{"defaultConfiguredIdp", "emailOneTimePasscode", "microsoftAccount"}
)

func ctAllTargets(access string) *graph.CrossTenantB2BSetting {
	return &graph.CrossTenantB2BSetting{
		UsersAndGroups: &graph.CrossTenantTargetConfiguration{AccessType: access, Targets: []graph.CrossTenantTarget{{Target: "AllUsers", TargetType: "user"}}},
		Applications:   &graph.CrossTenantTargetConfiguration{AccessType: access, Targets: []graph.CrossTenantTarget{{Target: "AllApplications", TargetType: "application"}}},
	}
}

// ctSystemDefault is what resetToSystemDefault restores and what an unset
// attribute of this resource means: B2B collaboration allowed for
// everyone both ways, B2B direct connect blocked both ways, no claims
// trusted, and the redemption order Microsoft Entra ID, SAML/WS-Fed, social,
// then the default fallback. The B2B settings and the trust are the service
// default of the response example of
// https://learn.microsoft.com/graph/api/crosstenantaccesspolicyconfigurationdefault-get
// (see also https://learn.microsoft.com/entra/external-id/cross-tenant-access-overview);
// no page gives the redemption order's default value, so it follows the
// order of
// https://learn.microsoft.com/graph/api/resources/invitationredemptionidentityproviderconfiguration.
// The emulator's systemDefault is the same (its TestSystemDefaultMatchesDocs
// checks it against the docs; the default resource's acceptance tests, that
// unset attributes plan no change against it).
func ctSystemDefault() graph.CrossTenantDefault {
	f := false
	return graph.CrossTenantDefault{
		CrossTenantSettings: graph.CrossTenantSettings{
			B2BCollaborationInbound:  ctAllTargets("allowed"),
			B2BCollaborationOutbound: ctAllTargets("allowed"),
			B2BDirectConnectInbound:  ctAllTargets("blocked"),
			B2BDirectConnectOutbound: ctAllTargets("blocked"),
			InboundTrust:             &graph.CrossTenantInboundTrust{MFAAccepted: &f, CompliantDeviceAccepted: &f, HybridJoinedDeviceAccepted: &f},
		},
		InvitationRedemption: &graph.InvitationRedemption{PrimaryOrder: slices.Clone(ctPrimaryIdPs), Fallback: "defaultConfiguredIdp"},
	}
}

func (r *crossTenantDefaultResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cross_tenant_access_default"
}

func (r *crossTenantDefaultResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data, diags := providerDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	if data != nil {
		r.data = data
	}
}

const ctDefaultUnset = "Unset: the system default, which Terraform then keeps (a change made in the portal shows as drift)."

func (r *crossTenantDefaultResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := ctSettingsAttributes(ctDefaultUnset)
	attrs["id"] = schema.StringAttribute{
		MarkdownDescription: "Always `" + ctDefaultID + "`: the tenant has one default configuration.",
		Computed:            true,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
	attrs["is_service_default"] = schema.BoolAttribute{
		MarkdownDescription: "Whether Graph reports the configuration as the untouched system default (`isServiceDefault`).",
		Computed:            true,
	}
	attrs["invitation_redemption"] = schema.SingleNestedAttribute{
		MarkdownDescription: "The order of identity providers a guest redeems an invitation with (Graph `invitationRedemptionIdentityProviderConfiguration`). " + ctDefaultUnset,
		Optional:            true,
		Attributes: map[string]schema.Attribute{
			"primary_identity_provider_precedence_order": schema.ListAttribute{
				MarkdownDescription: "The primary identity providers in the order they are tried, each at most once: " + ctQuoted(ctPrimaryIdPs) + ". Leave one out to skip it.",
				ElementType:         types.StringType,
				Required:            true,
				Validators: []validator.List{
					listvalidator.UniqueValues(),
					listvalidator.ValueStringsAre(stringvalidator.OneOf(ctPrimaryIdPs...)),
				},
			},
			"fallback_identity_provider": schema.StringAttribute{
				MarkdownDescription: "Used when no primary provider applies to the guest; Graph requires it: one of " + ctQuoted(ctFallbackIdPs) + ".",
				Required:            true,
				Validators:          []validator.String{stringvalidator.OneOf(ctFallbackIdPs...)},
			},
		},
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The tenant's default cross-tenant access settings, which apply to every organization without a `b2b_cross_tenant_access_partner` entry, " +
			"and the invitation redemption order. A singleton: creating the resource takes the existing configuration over (PATCH), " +
			"and every setting the configuration leaves unset is written as the system default, replacing whatever the portal set there (the plan reads the tenant's default and warns, naming each unset setting that differs from the system default now; it cannot show their current values): " +
			"import the default first (ID `default`) so the plan shows the tenant's current settings as a diff. " +
			"Destroying it calls resetToSystemDefault, which restores the system default (the plan warns); " +
			"to stop managing it and keep its settings, use a `removed` block with `lifecycle { destroy = false }`. " +
			"A `b2b_guest_user` that depends on this resource (`depends_on`) is checked at plan time against the inbound B2B collaboration rule as planned here; " +
			"without the dependency Terraform may plan the guest first, and it is checked against the settings in effect. " +
			"Automatic redemption (automaticUserConsentSettings) is always off in the default configuration and Graph refuses to change it; set it per partner. " +
			"Needs the Microsoft Graph application permission Policy.ReadWrite.CrossTenantAccess.",
		Attributes: attrs,
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
	}
}

// ModifyPlan records the planned inbound B2B collaboration rule for the
// guests' admission check (see cross_tenant_planned.go), and warns of what a
// create or destroy does that the diff does not show; it changes no plan.
func (r *crossTenantDefaultResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil {
		ctDefaultPlanWarnings(ctx, nil, req, resp)
		return
	}
	ctDefaultPlanWarnings(ctx, r.data.Client, req, resp)
	resp.Diagnostics.Append(recordPlannedDefault(ctx, &r.data.admission.planned, req.Plan)...)
}

// desired is what the configuration asks Graph for: unset settings are
// the system default.
func (m *ctDefaultModelV0) desired() graph.CrossTenantDefault {
	d := ctSystemDefault()
	s := m.toGraph()
	if s.B2BCollaborationInbound != nil {
		d.B2BCollaborationInbound = s.B2BCollaborationInbound
	}
	if s.B2BCollaborationOutbound != nil {
		d.B2BCollaborationOutbound = s.B2BCollaborationOutbound
	}
	if s.B2BDirectConnectInbound != nil {
		d.B2BDirectConnectInbound = s.B2BDirectConnectInbound
	}
	if s.B2BDirectConnectOutbound != nil {
		d.B2BDirectConnectOutbound = s.B2BDirectConnectOutbound
	}
	if s.InboundTrust != nil {
		d.InboundTrust = s.InboundTrust
	}
	if r := m.InvitationRedemption; r != nil {
		d.InvitationRedemption = &graph.InvitationRedemption{PrimaryOrder: ctStringList(r.PrimaryOrder), Fallback: r.Fallback.ValueString()}
	}
	return d
}

// ctSameB2B compares two settings regardless of the order of targets.
func ctSameB2B(a, b *graph.CrossTenantB2BSetting) bool {
	norm := func(s *graph.CrossTenantB2BSetting) *graph.CrossTenantB2BSetting {
		if s == nil {
			return nil
		}
		out := &graph.CrossTenantB2BSetting{}
		for dst, src := range map[**graph.CrossTenantTargetConfiguration]*graph.CrossTenantTargetConfiguration{
			&out.UsersAndGroups: s.UsersAndGroups, &out.Applications: s.Applications,
		} {
			if src == nil {
				continue
			}
			c := &graph.CrossTenantTargetConfiguration{AccessType: src.AccessType, Targets: slices.Clone(src.Targets)}
			slices.SortFunc(c.Targets, func(x, y graph.CrossTenantTarget) int {
				return strings.Compare(x.TargetType+"/"+x.Target, y.TargetType+"/"+y.Target)
			})
			*dst = c
		}
		return out
	}
	return reflect.DeepEqual(norm(a), norm(b))
}

// apply writes Graph's configuration into the model. A setting equal to
// the system default stays null where prior (the configuration or the
// previous state) has it null, so an unset attribute does not show a diff.
func (m *ctDefaultModelV0) apply(d *graph.CrossTenantDefault, prior ctDefaultModelV0) {
	sys := ctSystemDefault()
	read := ctSettingsFromGraph(d.CrossTenantSettings)
	b2b := []struct {
		prior, read **ctB2BModel
		got, sys    *graph.CrossTenantB2BSetting
	}{
		{&prior.B2BCollaborationInbound, &read.B2BCollaborationInbound, d.B2BCollaborationInbound, sys.B2BCollaborationInbound},
		{&prior.B2BCollaborationOutbound, &read.B2BCollaborationOutbound, d.B2BCollaborationOutbound, sys.B2BCollaborationOutbound},
		{&prior.B2BDirectConnectInbound, &read.B2BDirectConnectInbound, d.B2BDirectConnectInbound, sys.B2BDirectConnectInbound},
		{&prior.B2BDirectConnectOutbound, &read.B2BDirectConnectOutbound, d.B2BDirectConnectOutbound, sys.B2BDirectConnectOutbound},
	}
	for _, s := range b2b {
		if *s.prior == nil && ctSameB2B(s.got, s.sys) {
			*s.read = nil
		}
	}
	if prior.InboundTrust == nil && reflect.DeepEqual(ctFromTrust(d.InboundTrust), ctFromTrust(sys.InboundTrust)) {
		read.InboundTrust = nil
	}
	m.ctSettingsModel = read
	m.InvitationRedemption = nil
	if r := d.InvitationRedemption; r != nil && (prior.InvitationRedemption != nil || !reflect.DeepEqual(r, sys.InvitationRedemption)) {
		m.InvitationRedemption = &ctRedemptionModel{PrimaryOrder: ctListValue(r.PrimaryOrder), Fallback: types.StringValue(r.Fallback)}
	}
	m.ID = types.StringValue(ctDefaultID)
	m.IsServiceDefault = types.BoolValue(d.IsServiceDefault)
}

func (m *ctDefaultModelV0) timeoutsBlock() timeouts.Value { return m.Timeouts }

func (r *crossTenantDefaultResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.save(ctx, req.Plan, &resp.State, &resp.Diagnostics, timeouts.Value.Create, ctCreateTimeout)
}

func (r *crossTenantDefaultResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	r.save(ctx, req.Plan, &resp.State, &resp.Diagnostics, timeouts.Value.Update, ctUpdateTimeout)
}

// save is Create and Update alike: the singleton always exists, so both
// PATCH it to the planned configuration and read it back.
func (r *crossTenantDefaultResource) save(ctx context.Context, planned tfsdk.Plan, state *tfsdk.State, diags *diag.Diagnostics,
	timeout operationTimeout, def time.Duration) {
	var plan ctDefaultModelV0
	ctx, cancel, c := beginModel(ctx, r.data, planned, &plan, timeout, def, diags)
	defer cancel()
	if c == nil {
		return
	}
	if err := c.UpdateCrossTenantDefault(ctx, plan.desired()); err != nil {
		diags.Append(graphErrorDiagnostic("Error Updating Cross-Tenant Access Default",
			"Updating the default cross-tenant access configuration (PATCH /policies/crossTenantAccessPolicy/default).", err))
		return
	}
	tflog.Info(ctx, "updated the default cross-tenant access configuration")
	got, err := c.GetCrossTenantDefault(ctx)
	if err != nil {
		diags.Append(graphErrorDiagnostic("Error Reading Cross-Tenant Access Default",
			"Reading the default cross-tenant access configuration back after updating it.", err))
		return
	}
	plan.apply(got, plan)
	diags.Append(state.Set(ctx, &plan)...)
}

func (r *crossTenantDefaultResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state ctDefaultModelV0
	ctx, cancel, c := beginModel(ctx, r.data, req.State, &state, timeouts.Value.Read, ctReadTimeout, &resp.Diagnostics)
	defer cancel()
	if c == nil {
		return
	}
	got, err := c.GetCrossTenantDefault(ctx)
	if err != nil {
		resp.Diagnostics.Append(graphErrorDiagnostic("Error Reading Cross-Tenant Access Default",
			"Reading the default cross-tenant access configuration (GET /policies/crossTenantAccessPolicy/default).", err))
		return
	}
	state.apply(got, state)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *crossTenantDefaultResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state ctDefaultModelV0
	ctx, cancel, c := beginModel(ctx, r.data, req.State, &state, timeouts.Value.Delete, ctDeleteTimeout, &resp.Diagnostics)
	defer cancel()
	if c == nil {
		return
	}
	if err := c.ResetCrossTenantDefault(ctx); err != nil {
		resp.Diagnostics.Append(graphErrorDiagnostic("Error Resetting Cross-Tenant Access Default",
			"Resetting the default cross-tenant access configuration to the system default (POST /policies/crossTenantAccessPolicy/default/resetToSystemDefault).", err))
		return
	}
	tflog.Info(ctx, "reset the default cross-tenant access configuration to the system default")
}

// ImportState accepts only "default": the tenant has one configuration.
func (r *crossTenantDefaultResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if req.ID != ctDefaultID {
		resp.Diagnostics.AddError("Invalid Import ID",
			errorDetail(fmt.Sprintf("Importing the default cross-tenant access configuration by %q.", req.ID),
				fmt.Sprintf("The tenant has one default configuration; import it with the ID %q.", ctDefaultID), nil))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), ctDefaultID)...)
}
