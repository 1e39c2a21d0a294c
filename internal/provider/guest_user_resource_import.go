package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// ImportState takes an object ID, an email address or a resource identity,
// refuses an internal account, and saves what identifies the guest; the
// Read that follows fills the rest.
func (r *guestUserResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := req.ID
	if id == "" && req.Identity != nil {
		var ident guestUserIdentityModelV0
		resp.Diagnostics.Append(req.Identity.Get(ctx, &ident)...)
		if resp.Diagnostics.HasError() {
			return
		}
		id = ident.ObjectID.ValueString()
	}
	email := types.StringNull()
	switch {
	case strings.Contains(id, "@"):
		found, ok := r.importByEmail(ctx, id, &resp.Diagnostics)
		if !ok {
			return
		}
		email, id = types.StringValue(id), found
	case !isGUID(id):
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("The import ID %q is neither an object ID (a GUID such as 00000000-0000-0000-0000-000000000000) nor an email address. "+
				"Import by object ID or by the guest's email address, e.g. terraform import b2b_guest_user.example alice@partner.example.", id))
		return
	}

	// An import never takes over an internal account (by ID, email or identity).
	if r.refuseInternalImport(ctx, id, &resp.Diagnostics); resp.Diagnostics.HasError() {
		return
	}

	// Only what identifies the user and the attributes with defaults are
	// set here; the Read that follows records Entra's profile values, so
	// the plan after an import is empty when the configuration matches the
	// directory, and an attribute the configuration does not set is kept.
	m := newGuestUserModel()
	m.ID, m.Email = types.StringValue(id), email
	m.OnDestroy, m.AdoptExisting = types.StringValue(onDestroyDelete), types.BoolValue(false)
	saveState(ctx, &resp.State, resp.Identity, &m, &resp.Diagnostics)
}

// importByEmail returns the object ID of the one user with the address
// as mail or in otherMails.
func (r *guestUserResource) importByEmail(ctx context.Context, email string, diags *diag.Diagnostics) (string, bool) {
	if problem := emailProblem(email); problem != "" {
		diags.AddError("Invalid Import ID",
			fmt.Sprintf("The import ID %q contains @, so it was read as an email address, but %s. "+
				"Import by object ID (a GUID) or by the guest's email address, e.g. terraform import b2b_guest_user.example alice@partner.example.", email, problem))
		return "", false
	}
	c, d := r.client()
	diags.Append(d...)
	if d.HasError() {
		return "", false
	}
	users, err := c.FindUsersByEmail(ctx, email)
	if err != nil {
		diags.Append(graphErrorDiagnostic("Error Importing Guest User",
			fmt.Sprintf("Looking up %s (mail and otherMails) to import it failed.", email), err))
		return "", false
	}
	switch len(users) {
	case 0:
		diags.AddError("Guest User Not Found",
			fmt.Sprintf("No user has %s as mail or in otherMails, so there is nothing to import. Check the address, or import by object ID.", email))
		return "", false
	case 1:
		return users[0].ID, true
	default:
		diags.AddError("Email Address Matches Several Users",
			fmt.Sprintf("%s is the mail or one of the otherMails of %d users (%s). Import the one you mean by its object ID.", email, len(users), userIDs(users)))
		return "", false
	}
}
