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
	_ resource.Resource                = (*crossTenantIdentitySyncResource)(nil)
	_ resource.ResourceWithConfigure   = (*crossTenantIdentitySyncResource)(nil)
	_ resource.ResourceWithImportState = (*crossTenantIdentitySyncResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*crossTenantIdentitySyncResource)(nil)
)

// NewCrossTenantIdentitySyncResource returns b2b_cross_tenant_identity_sync,
// a partner's cross-tenant user synchronization policy
// (https://learn.microsoft.com/graph/api/resources/crosstenantidentitysyncpolicypartner).
// It is its own resource, not part of the partner, because Graph makes it
// a child entity with its own lifecycle: created with PUT, read, updated
// and deleted at .../partners/{tenantId}/identitySynchronization, and a
// partner can exist without one.
func NewCrossTenantIdentitySyncResource() resource.Resource {
	return &crossTenantIdentitySyncResource{}
}

type crossTenantIdentitySyncResource struct {
	data *providerData
}

// ctSyncModelV0 is the resource's state.
type ctSyncModelV0 struct {
	ID                 types.String   `tfsdk:"id"`
	TenantID           types.String   `tfsdk:"tenant_id"`
	DisplayName        types.String   `tfsdk:"display_name"`
	SyncInboundAllowed types.Bool     `tfsdk:"user_sync_inbound_allowed"`
	Timeouts           timeouts.Value `tfsdk:"timeouts"`
}

func (r *crossTenantIdentitySyncResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cross_tenant_identity_sync"
}

func (r *crossTenantIdentitySyncResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data, diags := providerDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	if data != nil {
		r.data = data
	}
}

func (r *crossTenantIdentitySyncResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A partner organization's cross-tenant synchronization policy: whether users may be synchronized (provisioned) " +
			"into this tenant from the partner tenant. Graph keeps it as a child of the partner configuration with its own create (PUT), read, update (PATCH) and delete, " +
			"so it is its own resource: reference the partner's `tenant_id` so the partner is created first and destroyed last. " +
			"Destroying it deletes the policy. Graph refuses to delete a partner configuration that still has this policy, so it is destroyed first. " +
			"Needs the Microsoft Graph application permission Policy.ReadWrite.CrossTenantAccess.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The partner's tenant ID in lower case.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"tenant_id": schema.StringAttribute{
				MarkdownDescription: "The partner organization's tenant ID (a GUID); a `b2b_cross_tenant_access_partner` for it must exist. Changing it replaces the resource. " +
					"A new or changed ID is looked up at plan time, and one that names no tenant fails the plan (the look-up needs `CrossTenantInformation.ReadBasic.All`; without it the plan warns and goes on).",
				Required: true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIf(ctOtherTenant,
					"Another tenant ID replaces the policy; the same ID in other letter case does not.",
					"Another tenant ID replaces the policy; the same ID in other letter case does not.")},
				Validators: []validator.String{stringvalidator.RegexMatches(ctTenantIDPattern,
					"must be a tenant ID, a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47")},
			},
			"display_name": schema.StringAttribute{
				MarkdownDescription: "A name for the policy; Microsoft suggests the partner tenant's name.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"user_sync_inbound_allowed": schema.BoolAttribute{
				MarkdownDescription: "Whether users may be synchronized from the partner tenant into this one (`userSyncInbound.isSyncAllowed`). " +
					"false stops new synchronization from the partner.",
				Required: true,
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
	}
}

// ModifyPlan checks at plan time that a new tenant_id names a tenant, as
// the partner does (cross_tenant_tenant_check.go). The partner's plan shows
// the tenant's names; this resource only refuses an ID that names none.
func (r *crossTenantIdentitySyncResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	ctCheckPartnerTenant(ctx, r.data, req, resp, false)
}

func (m *ctSyncModelV0) toGraph() graph.CrossTenantIdentitySync {
	return graph.CrossTenantIdentitySync{
		TenantID:           strings.ToLower(m.TenantID.ValueString()),
		DisplayName:        m.DisplayName.ValueString(),
		SyncInboundAllowed: m.SyncInboundAllowed.ValueBool(),
	}
}

func (m *ctSyncModelV0) apply(s *graph.CrossTenantIdentitySync) {
	m.ID = types.StringValue(strings.ToLower(m.TenantID.ValueString()))
	m.DisplayName = types.StringNull()
	if s.DisplayName != "" {
		m.DisplayName = types.StringValue(s.DisplayName)
	}
	m.SyncInboundAllowed = types.BoolValue(s.SyncInboundAllowed)
}

func (m *ctSyncModelV0) timeoutsBlock() timeouts.Value { return m.Timeouts }

// tenant is the partner's tenant ID in lower case, as Graph keys it.
func (m *ctSyncModelV0) tenant() string { return strings.ToLower(m.TenantID.ValueString()) }

func (m *ctSyncModelV0) logContext(ctx context.Context) context.Context {
	return tflog.SetField(ctx, "partner_tenant_id", m.tenant())
}

// write creates (PUT) or updates (PATCH) the policy, the methods Graph
// documents for each, and reads it back into m.
func (r *crossTenantIdentitySyncResource) write(ctx context.Context, c *graph.Client, m *ctSyncModelV0, diags *diag.Diagnostics, summary string, create bool) {
	tenant := m.tenant()
	send, method := c.UpdateCrossTenantIdentitySync, "PATCH"
	if create {
		send, method = c.PutCrossTenantIdentitySync, "PUT"
	}
	if err := send(ctx, m.toGraph()); err != nil {
		next := graphErrorHint(err)
		switch {
		case graph.IsNotFound(err) && create:
			// The partner entry is missing: that is the whole hint (the
			// generic one, about replicas and deleted objects, reads as if
			// something had been deleted).
			next = "The tenant has no partner configuration for " + tenant + ". Create it first with b2b_cross_tenant_access_partner and reference its tenant_id here " +
				"(a partner created moments ago can take a few seconds to become visible; apply again)."
		case graph.IsNotFound(err):
			// PATCH changes an existing policy only; it or its partner
			// was deleted since the last refresh.
			next = "The policy or the partner configuration for " + tenant + " was deleted outside Terraform. Run terraform apply again: the refresh drops the policy from the state and the plan re-creates it."
		}
		diags.Append(diag.NewAttributeErrorDiagnostic(path.Root("tenant_id"), summary, errorDetail(
			fmt.Sprintf("Writing the identity synchronization policy of partner tenant %s (%s .../partners/%s/identitySynchronization).", tenant, method, tenant),
			next, err)))
		return
	}
	tflog.Info(ctx, "wrote cross-tenant identity synchronization policy")
	got, err := c.GetCrossTenantIdentitySync(ctx, tenant)
	if err != nil {
		diags.Append(graphErrorDiagnostic("Error Reading Cross-Tenant Identity Sync",
			"Reading the identity synchronization policy of partner tenant "+tenant+" back after writing it.", err))
		return
	}
	m.apply(got)
}

func (r *crossTenantIdentitySyncResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.save(ctx, req.Plan, &resp.State, &resp.Diagnostics, timeouts.Value.Create, ctCreateTimeout, true)
}

func (r *crossTenantIdentitySyncResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	r.save(ctx, req.Plan, &resp.State, &resp.Diagnostics, timeouts.Value.Update, ctUpdateTimeout, false)
}

// save is Create and Update: write the planned policy, read it back, save
// it. Create looks first, as its PUT would otherwise replace a policy made
// elsewhere.
func (r *crossTenantIdentitySyncResource) save(ctx context.Context, planned tfsdk.Plan, state *tfsdk.State, diags *diag.Diagnostics,
	timeout operationTimeout, def time.Duration, create bool) {
	var plan ctSyncModelV0
	ctx, cancel, c := beginModel(ctx, r.data, planned, &plan, timeout, def, diags)
	defer cancel()
	if c == nil {
		return
	}
	summary := "Error Updating Cross-Tenant Identity Sync"
	if create {
		summary = "Error Creating Cross-Tenant Identity Sync"
		if !r.absent(ctx, c, plan.tenant(), diags) {
			return
		}
	}
	r.write(ctx, c, &plan, diags, summary, create)
	if diags.HasError() {
		return
	}
	diags.Append(state.Set(ctx, &plan)...)
}

// absent reports whether the partner has no policy yet, adding the
// diagnostic when it has one or the look-up fails.
func (r *crossTenantIdentitySyncResource) absent(ctx context.Context, c *graph.Client, tenant string, diags *diag.Diagnostics) bool {
	_, err := c.GetCrossTenantIdentitySync(ctx, tenant)
	switch {
	case err == nil:
		diags.AddAttributeError(path.Root("tenant_id"), "Cross-Tenant Identity Sync Already Exists",
			errorDetail(fmt.Sprintf("Creating the identity synchronization policy of partner tenant %s, but it already has one.", tenant),
				fmt.Sprintf("Import it so Terraform manages it: terraform import <address> %s.", tenant), nil))
		return false
	case !graph.IsNotFound(err):
		diags.Append(ctCreateLookupDiagnostic("Error Reading Cross-Tenant Identity Sync",
			"Looking up an existing identity synchronization policy of partner tenant "+tenant+" before creating one.", err))
		return false
	}
	return true
}

func (r *crossTenantIdentitySyncResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state ctSyncModelV0
	ctx, cancel, c := beginModel(ctx, r.data, req.State, &state, timeouts.Value.Read, ctReadTimeout, &resp.Diagnostics)
	defer cancel()
	if c == nil {
		return
	}
	got, err := c.GetCrossTenantIdentitySync(ctx, state.tenant())
	if graph.IsNotFound(err) {
		tflog.Warn(ctx, "cross-tenant identity synchronization policy (or its partner) no longer exists; removing it from the state")
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(ctSyncErrorDiagnostic("Error Reading Cross-Tenant Identity Sync", "Reading", state.tenant(), err))
		return
	}
	state.apply(got)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *crossTenantIdentitySyncResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state ctSyncModelV0
	ctx, cancel, c := beginModel(ctx, r.data, req.State, &state, timeouts.Value.Delete, ctDeleteTimeout, &resp.Diagnostics)
	defer cancel()
	if c == nil {
		return
	}
	if err := c.DeleteCrossTenantIdentitySync(ctx, state.tenant()); err != nil {
		resp.Diagnostics.Append(ctSyncErrorDiagnostic("Error Deleting Cross-Tenant Identity Sync", "Deleting", state.tenant(), err))
		return
	}
	tflog.Info(ctx, "deleted cross-tenant identity synchronization policy")
}

// ctSyncErrorDiagnostic reports a failed call on the policy of a partner
// tenant; doing is the verb of what was attempted.
func ctSyncErrorDiagnostic(summary, doing, tenant string, err error) diag.Diagnostic {
	return graphErrorDiagnostic(summary, doing+" the identity synchronization policy of partner tenant "+tenant+".", err)
}

// ImportState takes the partner's tenant ID.
func (r *crossTenantIdentitySyncResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	ctImportByTenantID(ctx, req, resp, "a cross-tenant identity synchronization policy")
}
