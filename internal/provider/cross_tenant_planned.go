package provider

import (
	"context"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// Planned cross-tenant settings, for the guests' admission check.
//
// Terraform gives a resource's plan no view of another resource's plan, but
// one provider process plans every resource of a command. So the ModifyPlan
// of b2b_cross_tenant_access_partner and b2b_cross_tenant_access_default
// records the inbound B2B collaboration rule each would leave in Entra, and
// the guest's check consults that record before the settings in effect.
// Terraform plans a resource after those it depends on, and plans
// independent resources concurrently in any order, so the record is seen
// only by a guest that depends on the policy (depends_on, or a reference
// such as tenant_id = b2b_cross_tenant_access_partner.x.tenant_id); the
// guide and the resource docs say so.

// plannedInbound is the planned b2bCollaborationInbound.usersAndGroups of
// one partner entry or of the default.
type plannedInbound struct {
	// Unknown: the plan leaves the rule unknown until apply.
	Unknown bool
	// Rule is the planned rule. nil: a partner with no rule (or no entry,
	// when destroyed) inherits the default; the default never records nil
	// (its unset rule is the system default).
	Rule *graph.CrossTenantTargetConfiguration
}

// plannedPolicies is what this command's plan does to the cross-tenant
// settings, as far as the admission check needs it.
type plannedPolicies struct {
	mu sync.Mutex
	// def is the default's planned rule; nil when the plan does not
	// manage the default.
	def *plannedInbound
	// partners by lower-case tenant ID.
	partners map[string]plannedInbound
	// unknownTenant: a partner's tenant_id is known only after apply, so
	// that entry may be any guest's tenant.
	unknownTenant bool
}

func (p *plannedPolicies) setPartner(tenantID string, in plannedInbound) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.partners == nil {
		p.partners = map[string]plannedInbound{}
	}
	p.partners[strings.ToLower(tenantID)] = in
}

func (p *plannedPolicies) setUnknownTenant() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.unknownTenant = true
}

func (p *plannedPolicies) setDefault(in plannedInbound) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.def = &in
}

// partner returns the planned rule of tenantID's partner entry, if this
// plan manages one, and whether a planned partner's tenant is unknown.
func (p *plannedPolicies) partner(tenantID string) (in plannedInbound, planned, unknownTenant bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	in, planned = p.partners[strings.ToLower(tenantID)]
	return in, planned, p.unknownTenant
}

// defaultRule returns the default's planned rule, if this plan manages it.
func (p *plannedPolicies) defaultRule() (plannedInbound, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.def == nil {
		return plannedInbound{}, false
	}
	return *p.def, true
}

// plannedInboundRule reads b2b_collaboration_inbound.users_and_groups from
// a plan of either policy resource.
func plannedInboundRule(ctx context.Context, plan tfsdk.Plan) (plannedInbound, diag.Diagnostics) {
	var in types.Object
	diags := plan.GetAttribute(ctx, path.Root("b2b_collaboration_inbound"), &in)
	if diags.HasError() || in.IsNull() {
		return plannedInbound{}, diags
	}
	if in.IsUnknown() {
		return plannedInbound{Unknown: true}, diags
	}
	ug, ok := in.Attributes()["users_and_groups"].(types.Object)
	if !ok || ug.IsNull() {
		return plannedInbound{}, diags
	}
	tv, err := ug.ToTerraformValue(ctx)
	if err != nil || !tv.IsFullyKnown() {
		return plannedInbound{Unknown: true}, diags
	}
	var m ctRuleModel
	diags.Append(ug.As(ctx, &m, basetypes.ObjectAsOptions{})...)
	return plannedInbound{Rule: ctToRule(&m)}, diags
}

// recordPlannedPartner is the partner resource's part: the planned rule
// under the planned tenant ID; on destroy, or when tenant_id changes, the
// old tenant has no entry any more and falls back to the default.
func recordPlannedPartner(ctx context.Context, p *plannedPolicies, req resource.ModifyPlanRequest) diag.Diagnostics {
	var prior, tenant types.String
	var diags diag.Diagnostics
	if !req.State.Raw.IsNull() {
		diags.Append(req.State.GetAttribute(ctx, path.Root("tenant_id"), &prior)...)
	}
	if req.Plan.Raw.IsNull() {
		p.setPartner(prior.ValueString(), plannedInbound{})
		return diags
	}
	diags.Append(req.Plan.GetAttribute(ctx, path.Root("tenant_id"), &tenant)...)
	in, d := plannedInboundRule(ctx, req.Plan)
	diags.Append(d...)
	if diags.HasError() {
		return diags
	}
	if isKnown(prior) && !strings.EqualFold(prior.ValueString(), tenant.ValueString()) {
		p.setPartner(prior.ValueString(), plannedInbound{})
	}
	if tenant.IsUnknown() {
		p.setUnknownTenant()
		return diags
	}
	p.setPartner(tenant.ValueString(), in)
	return diags
}

// recordPlannedDefault is the default resource's part: an unset rule, and
// destroy (resetToSystemDefault), mean the system default.
func recordPlannedDefault(ctx context.Context, p *plannedPolicies, plan tfsdk.Plan) diag.Diagnostics {
	in := plannedInbound{}
	var diags diag.Diagnostics
	if !plan.Raw.IsNull() {
		in, diags = plannedInboundRule(ctx, plan)
		if diags.HasError() {
			return diags
		}
	}
	if !in.Unknown && in.Rule == nil {
		in.Rule = ctSystemDefault().B2BCollaborationInbound.UsersAndGroups
	}
	p.setDefault(in)
	return diags
}
