package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/diag"

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
