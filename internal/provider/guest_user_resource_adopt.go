package provider

import (
	"context"
	"fmt"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// adopt is Create when the address already belongs to a user: with
// adopt_existing, the user is taken over without an invitation (apply the
// profile, apply the access, read back, save); otherwise, or when it is
// not a guest or not the only user with the address, it is refused. A
// failure saves nothing: the user existed before and every step is
// idempotent to redo.
func (r *guestUserResource) adopt(ctx context.Context, c *graph.Client, plan *guestUserResourceModelV0, existing []graph.User, resp *resource.CreateResponse) {
	if !adoptable(plan, existing, &resp.Diagnostics) {
		return
	}
	cur := &existing[0]
	email, id := plan.Email.ValueString(), cur.ID
	tflog.Info(ctx, "adopting existing user instead of inviting", map[string]any{"object_id": id})
	r.data.addresses.claim(email, id)

	if !adoptProfile(ctx, c, plan, cur, &resp.Diagnostics) {
		return
	}
	var failed *accessChange
	plan.GroupIDs, plan.SponsorIDs, failed = applyAccess(ctx, c, id, nil, plan)
	if failed != nil {
		resp.Diagnostics.Append(accessDiagnostic(id, failed, fmt.Sprintf("adopt_existing is set and %s belongs to user %s; its profile was set, but", email, id)))
		return
	}
	if resp.Diagnostics.Append(writeExpiry(ctx, c, id, types.StringNull(), plan.ExpiresOn)...); resp.Diagnostics.HasError() {
		return
	}
	u, err := c.GetUser(ctx, id)
	if err != nil {
		resp.Diagnostics.Append(graphErrorDiagnostic("Error Reading Guest User", fmt.Sprintf("Reading adopted user %s failed.", id), err))
		return
	}
	plan.RedeemURL = types.StringNull()
	resp.Diagnostics.Append(readBack(ctx, plan, u)...)
	saveState(ctx, &resp.State, resp.Identity, plan, &resp.Diagnostics)
	if !resp.Diagnostics.HasError() {
		resp.Diagnostics.Append(adoptedDiagnostic(email, cur))
	}
}

// adoptedDiagnostic says, in the apply's output, that a create took over
// an existing guest: no invitation went out and the guest's profile was
// written over. The plan warned already (planAdoption) when the guest
// existed then; this says what happened, and how to let go of a guest
// adopted by mistake without deleting it.
func adoptedDiagnostic(email string, cur *graph.User) diag.Diagnostic {
	return diag.NewAttributeWarningDiagnostic(path.Root("email"), "Existing Guest User Adopted",
		fmt.Sprintf("No invitation was sent to %s: the address already belonged to guest user %s, which this resource now manages "+
			"(adopt_existing = true), and its configured properties were written over the values it had. "+
			"If that is the guest you meant, nothing more is needed. If the address is a mistake, stop managing that user without deleting it "+
			"(terraform state rm with this resource's address; a removed block with lifecycle { destroy = false } also works for a resource "+
			"without for_each or count), then correct the address: only removing the resource from the configuration would delete the guest.", email, userLabel(cur)))
}

// adoptable refuses, on email, an address several users have, an internal
// account, and any user unless adopt_existing is set.
func adoptable(plan *guestUserResourceModelV0, existing []graph.User, diags *diag.Diagnostics) bool {
	email := plan.Email.ValueString()
	if len(existing) > 1 {
		diags.AddAttributeError(path.Root("email"), "Email Address Matches Several Users",
			fmt.Sprintf("The address %s is already the mail or one of the otherMails of %d users: %s. The provider cannot tell which one this resource "+
				"should manage, so it neither invites nor adopts. Remove the address from the users that should not have it, or import one explicitly: "+
				"terraform import b2b_guest_user.<resource name> <object ID>.", email, len(existing), userIDs(existing)))
		return false
	}
	id := existing[0].ID
	if !isB2BCollaborationUser(&existing[0]) {
		diags.Append(internalAccountDiagnostic(path.Root("email"),
			fmt.Sprintf("The address %s belongs to user %s, so no invitation was sent, and adopting or importing it is refused", email, id), &existing[0]))
		return false
	}
	if !plan.AdoptExisting.ValueBool() {
		diags.AddAttributeError(path.Root("email"), "Guest User Already Exists",
			fmt.Sprintf("The address %s already belongs to user %s, so no invitation was sent. To manage that user with this resource, import it:\n\n"+
				"  terraform import b2b_guest_user.<resource name> %s\n\n"+
				"or add an import block (to = b2b_guest_user.<resource name>, id = %q), or set adopt_existing = true to take it over on create "+
				"without sending an invitation.", email, id, id, id))
		return false
	}
	return true
}

// adoptProfile makes the user look like the configuration: every
// configured property is sent, including display_name and user_type,
// which for a new user the invitation would have carried.
func adoptProfile(ctx context.Context, c *graph.Client, plan *guestUserResourceModelV0, cur *graph.User, diags *diag.Diagnostics) bool {
	upd, d := profileUpdate(ctx, nil, plan, true)
	diags.Append(d...)
	if isKnown(plan.DisplayName) && plan.DisplayName.ValueString() != cur.DisplayName {
		v := plan.DisplayName.ValueString()
		upd.DisplayName = &v
	}
	if plan.UserType.ValueString() != cur.UserType {
		v := plan.UserType.ValueString()
		upd.UserType = &v
	}
	if upd.IsEmpty() {
		return true
	}
	if err := c.UpdateUser(ctx, cur.ID, upd); err != nil {
		diags.Append(graphErrorDiagnostic("Error Adopting Guest User",
			fmt.Sprintf("adopt_existing is set and %s belongs to user %s; setting its configured properties (PATCH /users/%s) failed. Nothing was saved to the state.",
				plan.Email.ValueString(), cur.ID, cur.ID), err))
		return false
	}
	return true
}

// planAdoption tells the reviewer, at plan time, what a create with
// adopt_existing = true will do with its address. Terraform can only show
// such a create as a create, so without this the plan reads as "invite"
// while the apply takes over an existing guest and writes the
// configuration over its profile: a typo onto someone else's address
// would surface only in the apply's output, after the damage. The plan
// warns, naming the user, or fails for what the apply would refuse (an
// internal account, several users: adoptable, as at create). Create looks the address up again
// under the address lock and decides on that answer: this look-up only
// informs, so a failure to make it logs and leaves the plan as it is, and
// a user that appears between plan and apply is still handled at apply.
// Without adopt_existing the apply refuses any existing user, which costs
// nothing, so the plan makes no look-up there.
func (r *guestUserResource) planAdoption(ctx context.Context, plan *guestUserResourceModelV0, diags *diag.Diagnostics) {
	if r.data == nil || r.data.Client == nil || !isKnown(plan.Email) || !isKnown(plan.AdoptExisting) || !plan.AdoptExisting.ValueBool() {
		return
	}
	email := plan.Email.ValueString()
	existing, err := r.data.Client.FindUsersByEmail(ctx, email)
	if err != nil {
		tflog.Warn(ctx, "could not look the address up at plan time; the create looks it up again", map[string]any{"error": err.Error()})
		return
	}
	if len(existing) > 0 && adoptable(plan, existing, diags) {
		diags.Append(willAdoptDiagnostic(email, &existing[0]))
	}
}

// willAdoptDiagnostic is planAdoption's warning for a guest the create
// will take over.
func willAdoptDiagnostic(email string, cur *graph.User) diag.Diagnostic {
	return diag.NewAttributeWarningDiagnostic(path.Root("email"), "Existing Guest User Will Be Adopted",
		fmt.Sprintf("This plan shows a create, but %s already belongs to guest user %s. With adopt_existing = true the apply sends no invitation: "+
			"it takes that user over and writes the configured properties over the values it has now. If that is the guest you meant, apply. "+
			"If the address is a mistake (someone else's address), correct it before applying: once adopted, removing the resource from the "+
			"configuration would delete that guest.", email, userLabel(cur)))
}

// userLabel names a user in a diagnostic: its object ID, and its display
// name when it has one, as the reviewer knows it.
func userLabel(cur *graph.User) string {
	if cur.DisplayName == "" {
		return cur.ID
	}
	return fmt.Sprintf("%s (%s)", cur.ID, cur.DisplayName)
}
