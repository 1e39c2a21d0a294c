package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// The partner tenant check: a tenant_id that is a well-formed GUID but
// names no tenant (a typo) would otherwise create a partner entry that
// governs nobody, and the plan would not say so. At plan time, for a new
// entry or a changed tenant_id only, the ID is looked up with
// findTenantInformationByTenantId
// (https://learn.microsoft.com/graph/api/tenantrelationship-findtenantinformationbytenantid,
// CrossTenantInformation.ReadBasic.All): not found fails the plan on
// tenant_id; found, the partner's plan shows the tenant's name and default
// domain (tenant_display_name, tenant_default_domain_name); a look-up that
// fails otherwise (permission, network) warns and the plan goes on. A plan
// that keeps tenant_id sends no look-up: a refresh costs nothing more.
// The look-ups go through the admission cache, so one run asks once per
// tenant, whichever resource or data source asks first.
//
// Why computed attributes rather than a warning: the framework's plan
// modification exists to replace unknown values with ones known at plan
// time (https://developer.hashicorp.com/terraform/plugin/framework/resources/plan-modification),
// and a value in the diff is where a reviewer reads what will be created;
// a warning on every new partner would teach reviewers to skip warnings.
// Warnings are kept for what could not be checked.

// The partner's computed attributes that show who
// tenant_id is.
const (
	ctTenantDisplayNameAttr   = "tenant_display_name"
	ctTenantDefaultDomainAttr = "tenant_default_domain_name"
)

// ctTenantNameAttributes are the schema of the two attributes.
func ctTenantNameAttributes() map[string]schema.Attribute {
	const when = " Looked up at plan time (Microsoft Graph `findTenantInformationByTenantId`) when the entry is created or imported or its `tenant_id` changes, " +
		"so the plan shows the reviewer which organization `tenant_id` is; kept as it is otherwise (a refresh does not look it up). " +
		"Null when the look-up was not possible (it needs `CrossTenantInformation.ReadBasic.All`)."
	return map[string]schema.Attribute{
		ctTenantDisplayNameAttr: schema.StringAttribute{
			MarkdownDescription: "The partner tenant's display name." + when,
			Computed:            true,
		},
		ctTenantDefaultDomainAttr: schema.StringAttribute{
			MarkdownDescription: "The partner tenant's default domain." + when,
			Computed:            true,
		},
	}
}

// ctTenantNamesFrom is what the two attributes hold for t (nil: unknown to
// the provider, so null).
func ctTenantNamesFrom(t *graph.TenantInformation) (displayName, defaultDomain types.String) {
	if t == nil {
		return types.StringNull(), types.StringNull()
	}
	return types.StringValue(t.DisplayName), types.StringValue(t.DefaultDomainName)
}

// ctCheckPartnerTenant runs the check for a plan of a resource keyed by a
// partner tenant_id. With names, the resource has the two computed
// attributes and the plan gets them: looked up for a new tenant_id, the
// state's otherwise.
func ctCheckPartnerTenant(ctx context.Context, data *providerData, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse, names bool) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	var planned types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("tenant_id"), &planned)...)
	if planned.IsNull() || planned.IsUnknown() || resp.Diagnostics.HasError() {
		return // known only after apply: Create fills the names in
	}
	if !req.State.Raw.IsNull() {
		var prior types.String
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("tenant_id"), &prior)...)
		if strings.EqualFold(prior.ValueString(), planned.ValueString()) {
			if names {
				ctKeepTenantNames(ctx, req, resp)
			}
			return
		}
	}
	if data == nil || data.Client == nil {
		return // provider configuration known only after apply
	}
	id := planned.ValueString()
	t, err := data.admission.tenantByID(ctx, data.Client, id)
	switch {
	case err != nil:
		tflog.Warn(ctx, "could not look the partner tenant ID up at plan time", map[string]any{"partner_tenant_id": strings.ToLower(id), "error": err.Error()})
		resp.Diagnostics.Append(ctTenantUnverifiedDiagnostic(id, err))
	case t == nil:
		resp.Diagnostics.Append(ctTenantNotFoundDiagnostic(id))
		return
	default:
		tflog.Debug(ctx, "partner tenant found", map[string]any{"partner_tenant_id": t.TenantID, "display_name": t.DisplayName})
	}
	if names {
		d, dom := ctTenantNamesFrom(t)
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(ctTenantDisplayNameAttr), d)...)
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(ctTenantDefaultDomainAttr), dom)...)
	}
}

// ctKeepTenantNames plans the names as they are in state, null included:
// the tenant is the same, and a plan that changes only settings must not
// show them as known after apply (nor look them up).
func ctKeepTenantNames(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	for _, a := range []string{ctTenantDisplayNameAttr, ctTenantDefaultDomainAttr} {
		var v types.String
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root(a), &v)...)
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(a), v)...)
	}
}

// ctLookUpTenantNames looks the tenant up where the plan could not: at
// apply (provider configuration or tenant_id known only then) and at
// import. The names are only shown, so a failure leaves them null and
// fails nothing.
func ctLookUpTenantNames(ctx context.Context, data *providerData, c *graph.Client, tenantID string) (displayName, defaultDomain types.String) {
	t, err := data.admission.tenantByID(ctx, c, tenantID)
	if err != nil {
		tflog.Warn(ctx, "could not look the partner tenant up for its display name", map[string]any{"error": err.Error()})
	}
	return ctTenantNamesFrom(t)
}

// ctTenantNotFoundDiagnostic: the tenant ID names no tenant.
func ctTenantNotFoundDiagnostic(id string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("tenant_id"), "Partner Tenant Not Found",
		errorDetail(fmt.Sprintf("Looked up the Microsoft Entra tenant with tenant_id %s (findTenantInformationByTenantId): no tenant has this ID, "+
			"so the settings planned for it would apply to no organization. Nothing is created.", id),
			"Check the ID for a typo: copy it from the partner (Microsoft Entra admin center, Overview, Tenant ID), "+
				"or look it up by one of the partner's domain names with the b2b_tenant data source.", nil))
}

// ctTenantUnverifiedDiagnostic: the look-up failed for another reason;
// the plan goes on without the check, as the group and sponsor checks do.
func ctTenantUnverifiedDiagnostic(id string, err error) diag.Diagnostic {
	next := "The plan goes on without this check: make sure tenant_id is the partner's tenant ID, because settings for a mistyped ID apply to no organization. "
	if graph.IsForbidden(err) || graph.IsUnauthorized(err) {
		next += "To have plans check it and show the tenant's name, grant the application the Microsoft Graph application permission CrossTenantInformation.ReadBasic.All (with admin consent)."
	} else {
		next += "The next plan that changes tenant_id checks again."
	}
	return diag.NewAttributeWarningDiagnostic(path.Root("tenant_id"), "Could Not Verify Partner Tenant",
		errorDetail(fmt.Sprintf("The provider looks tenant_id %s up at plan time (findTenantInformationByTenantId) to catch a tenant ID that names no tenant, "+
			"and the look-up failed.", id), next, err))
}
