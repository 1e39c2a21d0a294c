package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

func (r *guestUserResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan guestUserResourceModelV0
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, diags := r.client()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	email := plan.Email.ValueString()
	ctx = tflog.SetField(ctx, "email", email)

	// Held until Create returns: another block with this address waits,
	// then finds the user this one gave it to (guest_user_resource_safety.go).
	unlock, diags := r.lockAddress(ctx, email, "Creating the guest user for "+email)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	defer unlock()
	if owner := r.data.addresses.owner(email); owner != "" {
		resp.Diagnostics.Append(sameRunOwnerDiagnostic(email, owner))
		return
	}

	existing, err := c.FindUsersByEmail(ctx, email)
	if err != nil {
		resp.Diagnostics.Append(graphErrorDiagnostic("Error Looking Up Guest User",
			fmt.Sprintf("Before inviting %s, the provider looks the address up (mail and otherMails) so it never invites the same person twice.", email), err))
		return
	}
	if len(existing) > 0 {
		r.adopt(ctx, c, &plan, existing, resp)
		return
	}

	invitation, diags := r.invitation(&plan, "")
	resp.Diagnostics.Append(diags...)
	// Built before the invitation, so a conversion problem stops the
	// create while nothing exists yet.
	upd, diags := profileUpdate(ctx, nil, &plan, true)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if ctx.Err() != nil {
		resp.Diagnostics.AddError("Guest User Not Invited",
			fmt.Sprintf("Terraform stopped the operation (interrupted, or timeouts.create ran out) before the invitation to %s was sent; nothing was created. Apply again.", email))
		return
	}
	// Once sent, the invitation runs to its answer even if Terraform is
	// interrupted (still within timeouts.create): cut short, Graph may
	// create the guest while its ID is lost, and a guest outside the state
	// is invisible to the next apply's look-up while Graph replicates it.
	inviteCtx, stopInvite := context.WithCancel(context.WithoutCancel(ctx))
	if deadline, ok := ctx.Deadline(); ok {
		inviteCtx, stopInvite = context.WithDeadline(context.WithoutCancel(ctx), deadline)
	}
	inv, err := inviteOnce(inviteCtx, c, invitation)
	stopInvite()
	if err != nil {
		resp.Diagnostics.Append(graphErrorDiagnostic("Error Inviting Guest User",
			fmt.Sprintf("Sending the invitation (POST /invitations) to %s failed; no user was created unless the error says the answer was lost, "+
				"in which case the next apply looks the address up before inviting again.", email), err))
		return
	}
	id := inv.InvitedUserID
	r.data.addresses.claim(email, id)
	tflog.Info(ctx, "invited guest user", map[string]any{"object_id": id, "email_sent": invitation.SendInvitationMessage})

	// From here on the user exists, and Create returns no error whatever
	// happens: an error would taint the guest, and Terraform replaces a
	// tainted guest (deletes it, invites the person again). A failure saves
	// the plan with a warning instead; see guest_user_resource_incomplete.go.
	plan.ID = types.StringValue(id)
	plan.RedeemURL = stringOrNull(inv.InviteRedeemURL)
	left := createStepsAfterInvite(&plan, !upd.IsEmpty())
	incomplete := func(failed string, attr path.Path, err error, unconfirmed bool) {
		r.saveIncompleteCreate(ctx, plan, incompleteCreate{
			email: email, id: id, failed: failed, left: left, err: err, attr: attr, unconfirmed: unconfirmed,
		}, resp)
	}

	u, err := waitReadable(ctx, c, id)
	if err != nil {
		incomplete(fmt.Sprintf("waiting for user %s to become readable (Graph replicates a new user before it can be read)", id), path.Empty(), err, true)
		return
	}

	if !upd.IsEmpty() {
		if err := c.UpdateUser(ctx, id, upd); err != nil {
			incomplete(fmt.Sprintf("setting its profile (PATCH /users/%s)", id), path.Empty(), err, false)
			return
		}
		left = left[1:]
		if u, err = c.GetUser(ctx, id); err != nil {
			incomplete(fmt.Sprintf("reading user %s back after setting its profile", id), path.Empty(), err, false)
			return
		}
	}

	groups, sponsors, failed := applyAccess(ctx, c, id, nil, &plan)
	if failed != nil {
		// The plan's sets are saved, not what was achieved: the refresh
		// reads the real memberships and sponsors.
		for len(left) > 0 && !strings.Contains(left[0], failed.attr) {
			left = left[1:]
		}
		incomplete(fmt.Sprintf("changing %s of user %s", failed.attr, id), path.Root(failed.attr), failed.err, false)
		return
	}
	plan.GroupIDs, plan.SponsorIDs = groups, sponsors

	resp.Diagnostics.Append(readBack(ctx, &plan, u)...)
	saveState(ctx, &resp.State, resp.Identity, &plan, &resp.Diagnostics)
}

// createStepsAfterInvite lists, in order, what Create does after the
// invitation, as the warning of an incomplete create names it.
func createStepsAfterInvite(plan *guestUserResourceModelV0, patch bool) []string {
	var steps []string
	if patch {
		steps = append(steps, "the profile properties the invitation does not carry (PATCH)")
	}
	if !plan.GroupIDs.IsNull() && len(plan.GroupIDs.Elements()) > 0 {
		steps = append(steps, "the group memberships in group_ids")
	}
	if !plan.SponsorIDs.IsNull() {
		steps = append(steps, "the sponsors in sponsor_ids")
	}
	return append(steps, "reading the guest's read-only attributes (mail, user_principal_name, invitation_state ...), which the next refresh fills")
}

// adopt handles create when the address already belongs to a user.
func (r *guestUserResource) adopt(ctx context.Context, c *graph.Client, plan *guestUserResourceModelV0, existing []graph.User, resp *resource.CreateResponse) {
	email := plan.Email.ValueString()
	if len(existing) > 1 {
		resp.Diagnostics.AddAttributeError(path.Root("email"), "Email Address Matches Several Users",
			fmt.Sprintf("The address %s is already the mail or one of the otherMails of %d users: %s. The provider cannot tell which one this resource "+
				"should manage, so it neither invites nor adopts. Remove the address from the users that should not have it, or import one explicitly: "+
				"terraform import b2b_guest_user.<resource name> <object ID>.", email, len(existing), userIDs(existing)))
		return
	}
	id := existing[0].ID
	if !isB2BCollaborationUser(&existing[0]) {
		resp.Diagnostics.Append(internalAccountDiagnostic(path.Root("email"),
			fmt.Sprintf("The address %s belongs to user %s, so no invitation was sent, and adopting or importing it is refused", email, id), &existing[0]))
		return
	}
	if !plan.AdoptExisting.ValueBool() {
		resp.Diagnostics.AddAttributeError(path.Root("email"), "Guest User Already Exists",
			fmt.Sprintf("The address %s already belongs to user %s, so no invitation was sent. To manage that user with this resource, import it:\n\n"+
				"  terraform import b2b_guest_user.<resource name> %s\n\n"+
				"or add an import block (to = b2b_guest_user.<resource name>, id = %q), or set adopt_existing = true to take it over on create "+
				"without sending an invitation.", email, id, id, id))
		return
	}

	tflog.Info(ctx, "adopting existing user instead of inviting", map[string]any{"object_id": id})
	r.data.addresses.claim(email, id)
	// Adopting means "make the user look like the configuration": every
	// configured property is sent, including display_name and user_type,
	// which for a new user the invitation would have carried.
	cur := existing[0]
	upd, diags := profileUpdate(ctx, nil, plan, true)
	resp.Diagnostics.Append(diags...)
	if isKnown(plan.DisplayName) && plan.DisplayName.ValueString() != cur.DisplayName {
		v := plan.DisplayName.ValueString()
		upd.DisplayName = &v
	}
	if plan.UserType.ValueString() != cur.UserType {
		v := plan.UserType.ValueString()
		upd.UserType = &v
	}
	if !upd.IsEmpty() {
		if err := c.UpdateUser(ctx, id, upd); err != nil {
			resp.Diagnostics.Append(graphErrorDiagnostic("Error Adopting Guest User",
				fmt.Sprintf("adopt_existing is set and %s belongs to user %s; setting its configured properties (PATCH /users/%s) failed. Nothing was saved to the state.", email, id, id), err))
			return
		}
	}
	var failed *accessChange
	plan.GroupIDs, plan.SponsorIDs, failed = applyAccess(ctx, c, id, nil, plan)
	if failed != nil {
		// The user existed before: nothing was invited, so nothing is
		// saved; the memberships made so far are idempotent to redo.
		resp.Diagnostics.Append(accessDiagnostic(id, failed, fmt.Sprintf("adopt_existing is set and %s belongs to user %s; its profile was set, but", email, id)))
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
}
