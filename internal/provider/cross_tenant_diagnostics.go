package provider

import (
	"context"
	"reflect"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-log/tflog"

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
// of picks the attribute's setting out of a default configuration, to
// compare the tenant's with the system default.
var ctDefaultSystemValues = []struct {
	attr, value string
	of          func(graph.CrossTenantDefault) any
}{
	{"b2b_collaboration_inbound", "B2B collaboration inbound allowed for all users and applications of every organization",
		func(d graph.CrossTenantDefault) any { return d.B2BCollaborationInbound }},
	{"b2b_collaboration_outbound", "B2B collaboration outbound allowed for all users and applications",
		func(d graph.CrossTenantDefault) any { return d.B2BCollaborationOutbound }},
	{"b2b_direct_connect_inbound", "B2B direct connect inbound blocked",
		func(d graph.CrossTenantDefault) any { return d.B2BDirectConnectInbound }},
	{"b2b_direct_connect_outbound", "B2B direct connect outbound blocked",
		func(d graph.CrossTenantDefault) any { return d.B2BDirectConnectOutbound }},
	{"inbound_trust", "no MFA or device claims of other organizations trusted",
		func(d graph.CrossTenantDefault) any { return d.InboundTrust }},
	{"invitation_redemption", "redemption through Microsoft Entra ID, then SAML/WS-Fed, then social providers, with the default fallback",
		func(d graph.CrossTenantDefault) any { return d.InvitationRedemption }},
}

// ctDefaultPlanWarnings warns a reviewer of the two plans of
// b2b_cross_tenant_access_default whose effect in Entra the plan's diff does
// not show:
//   - a create writes the whole default configuration, so each setting the
//     configuration leaves unset becomes the system default whatever the
//     tenant has now (a default that blocks every organization would be
//     opened to all), while the plan shows only the attributes set. With a
//     client, the tenant's default is read (one GET of the singleton) and
//     only the unset settings that differ from the system default now are
//     named; none, and there is no warning. Without one (provider values
//     unknown until apply), or when the read fails, every unset setting is;
//   - a destroy calls resetToSystemDefault, so the settings do not go away
//     (as "-> null" reads) but become the system default.
//
// Import shows the tenant's current default as a diff, and a removed block
// with destroy = false stops managing it without changing it, so each
// warning names that way out.
func ctDefaultPlanWarnings(ctx context.Context, c *graph.Client, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
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
		ctDefaultCreateWarning(ctx, c, req.Plan, resp)
	}
}

// ctDefaultCreateWarning is the create half of ctDefaultPlanWarnings.
func ctDefaultCreateWarning(ctx context.Context, c *graph.Client, plan tfsdk.Plan, resp *resource.ModifyPlanResponse) {
	var current *graph.CrossTenantDefault
	if c != nil {
		rctx, cancel := context.WithTimeout(ctx, ctReadTimeout)
		got, err := c.GetCrossTenantDefault(rctx)
		cancel()
		if err != nil {
			tflog.Debug(ctx, "could not read the default cross-tenant access configuration to say which unset settings the create replaces", map[string]any{"error": err.Error()})
		} else if got.IsServiceDefault {
			// Graph: the configuration is the system default, so writing
			// the system default for the unset settings replaces nothing.
			// https://learn.microsoft.com/graph/api/resources/crosstenantaccesspolicyconfigurationdefault
			return
		} else {
			current = got
		}
	}
	system := ctSystemDefault()
	var replaced []string
	for _, v := range ctDefaultSystemValues {
		var val attr.Value
		if d := plan.GetAttribute(ctx, path.Root(v.attr), &val); d.HasError() || val == nil || !val.IsNull() {
			continue
		}
		if current != nil && reflect.DeepEqual(v.of(*current), v.of(system)) {
			continue
		}
		replaced = append(replaced, v.attr+" ("+v.value+")")
	}
	if len(replaced) == 0 {
		return
	}
	what := "The settings this configuration leaves unset become the system default, whatever the tenant has now, and this plan cannot show what they replace: "
	if current != nil {
		what = "The tenant's default differs from the system default in settings this configuration leaves unset, so the create replaces them, and this plan cannot show their current values: "
	}
	resp.Diagnostics.AddWarning("Unset Default Cross-Tenant Access Settings Become The System Default",
		errorDetail("Creating b2b_cross_tenant_access_default writes the tenant's whole default cross-tenant access configuration. "+
			what+strings.Join(replaced, "; ")+". "+
			"A default set in the portal to block every organization, for example, would be opened to all.",
			"To see the tenant's current default as a diff before anything changes, import it first "+
				"(an import block with id = \"default\", or terraform import <address> default) and plan again.", nil))
}
