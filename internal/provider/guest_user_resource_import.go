package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func (r *guestUserResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := req.ID
	email := types.StringNull()
	if id == "" && req.Identity != nil {
		var ident guestUserIdentityModelV0
		resp.Diagnostics.Append(req.Identity.Get(ctx, &ident)...)
		if resp.Diagnostics.HasError() {
			return
		}
		id = ident.ObjectID.ValueString()
	}
	switch {
	case strings.Contains(id, "@"):
		if problem := emailProblem(id); problem != "" {
			resp.Diagnostics.AddError("Invalid Import ID",
				fmt.Sprintf("The import ID %q contains @, so it was read as an email address, but %s. "+
					"Import by object ID (a GUID) or by the guest's email address, e.g. terraform import b2b_guest_user.example alice@partner.example.", id, problem))
			return
		}
		c, diags := r.client()
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
		users, err := c.FindUsersByEmail(ctx, id)
		if err != nil {
			resp.Diagnostics.Append(graphErrorDiagnostic("Error Importing Guest User",
				fmt.Sprintf("Looking up %s (mail and otherMails) to import it failed.", id), err))
			return
		}
		switch len(users) {
		case 0:
			resp.Diagnostics.AddError("Guest User Not Found",
				fmt.Sprintf("No user has %s as mail or in otherMails, so there is nothing to import. Check the address, or import by object ID.", id))
			return
		case 1:
		default:
			resp.Diagnostics.AddError("Email Address Matches Several Users",
				fmt.Sprintf("%s is the mail or one of the otherMails of %d users (%s). Import the one you mean by its object ID.", id, len(users), userIDs(users)))
			return
		}
		email = types.StringValue(id)
		id = users[0].ID
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
