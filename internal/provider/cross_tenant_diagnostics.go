package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// ctWritePermission is the application permission every write to the
// cross-tenant access policy needs; it also allows reading it.
// (https://learn.microsoft.com/graph/api/crosstenantaccesspolicyconfigurationpartner-get#permissions
// and https://learn.microsoft.com/graph/api/crosstenantaccesspolicy-post-partners#permissions).
const ctWritePermission = "Policy.ReadWrite.CrossTenantAccess"

// ctCreateLookupDiagnostic reports a failed look-up made before a create
// (is there an entry already?). A 403 there names the write permission,
// not the read one the look-up itself needs: the create that follows needs
// the write permission anyway and it covers the read, so an administrator
// who granted the read permission the generic hint names would be back at
// the next apply with a second 403.
func ctCreateLookupDiagnostic(summary, attempted string, err error) diag.Diagnostic {
	if !graph.IsForbidden(err) {
		return graphErrorDiagnostic(summary, attempted, err)
	}
	return diag.NewErrorDiagnostic(summary, errorDetail(attempted,
		"The application is missing the Microsoft Graph application permission "+ctWritePermission+". "+
			"This look-up alone needs only Policy.Read.All, but the create that follows needs "+ctWritePermission+", which allows the look-up too: "+
			"an administrator must add "+ctWritePermission+" to the app registration (API permissions > Microsoft Graph > Application permissions) and grant admin consent; "+
			"tokens issued before the grant keep their old roles for up to an hour.", err))
}

// ctDefaultSystemValues says, per attribute of b2b_cross_tenant_access_default,
// what the system default is (ctSystemDefault), in the words a reviewer
// needs to judge what an unset attribute or a reset does.
var ctDefaultSystemValues = []struct{ attr, value string }{
	{"b2b_collaboration_inbound", "B2B collaboration inbound allowed for all users and applications of every organization"},
	{"b2b_collaboration_outbound", "B2B collaboration outbound allowed for all users and applications"},
	{"b2b_direct_connect_inbound", "B2B direct connect inbound blocked"},
	{"b2b_direct_connect_outbound", "B2B direct connect outbound blocked"},
	{"inbound_trust", "no MFA or device claims of other organizations trusted"},
	{"invitation_redemption", "redemption through Microsoft Entra ID, then SAML/WS-Fed, then social providers, with the default fallback"},
}

// ctDefaultPlanWarnings warns a reviewer of the two plans of
// b2b_cross_tenant_access_default whose effect in Entra the plan's diff does
// not show:
//   - a create writes the whole default configuration, so each setting the
//     configuration leaves unset becomes the system default whatever the
//     tenant has now (a default that blocks every organization would be
//     opened to all), while the plan shows only the attributes set;
//   - a destroy calls resetToSystemDefault, so the settings do not go away
//     (as "-> null" reads) but become the system default.
//
// Import shows the tenant's current default as a diff, and a removed block
// with destroy = false stops managing it without changing it, so each
// warning names that way out. No Graph call: the warning holds whatever the
// tenant's settings are.
func ctDefaultPlanWarnings(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	switch {
	case req.Plan.Raw.IsNull():
		values := make([]string, len(ctDefaultSystemValues))
		for i, v := range ctDefaultSystemValues {
			values[i] = v.value
		}
		resp.Diagnostics.AddWarning("Default Cross-Tenant Access Settings Will Be Reset",
			errorDetail("Destroying b2b_cross_tenant_access_default calls resetToSystemDefault: the settings do not go away, as the plan's \"-> null\" may suggest, "+
				"but become the system default for every organization without a b2b_cross_tenant_access_partner entry: "+strings.Join(values, "; ")+".",
				"To stop managing the default and keep its settings as they are, remove it from the state instead: "+
					"a removed block (from = b2b_cross_tenant_access_default.<name>) with lifecycle { destroy = false }, or terraform state rm.", nil))
	case req.State.Raw.IsNull():
		var unset []string
		for _, v := range ctDefaultSystemValues {
			var val attr.Value
			if d := req.Plan.GetAttribute(ctx, path.Root(v.attr), &val); d.HasError() || val == nil || !val.IsNull() {
				continue
			}
			unset = append(unset, v.attr+" ("+v.value+")")
		}
		if len(unset) == 0 {
			return
		}
		resp.Diagnostics.AddWarning("Unset Default Cross-Tenant Access Settings Become The System Default",
			errorDetail("Creating b2b_cross_tenant_access_default writes the tenant's whole default cross-tenant access configuration. "+
				"The settings this configuration leaves unset become the system default, whatever the tenant has now, and this plan cannot show what they replace: "+
				strings.Join(unset, "; ")+". "+
				"A default set in the portal to block every organization, for example, would be opened to all.",
				"To see the tenant's current default as a diff before anything changes, import it first "+
					"(an import block with id = \"default\", or terraform import <address> default) and plan again; "+
					"if the tenant's default is still the system default, nothing changes.", nil))
	}
}
