package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Create invites the guest (or adopts the user that already has the
// address), applies the profile the invitation does not carry, applies
// the access (groups, sponsors), reads the guest back and saves it. Once
// the invitation is sent, no step returns an error (see createRun).
func (r *guestUserResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan guestUserResourceModelV0
	ctx, cancel, c := r.begin(ctx, profiled(req.Plan), &plan, timeouts.Value.Create, defaultCreateTimeout, &resp.Diagnostics)
	defer cancel()
	if c == nil {
		return
	}
	email := plan.Email.ValueString()
	ctx = tflog.SetField(ctx, "email", email)

	unlock, ok := r.holdAddress(ctx, email, &resp.Diagnostics)
	if !ok {
		return
	}
	defer unlock()
	existing, ok := lookUpAddress(ctx, c, email, &resp.Diagnostics)
	if !ok {
		return
	}
	if len(existing) > 0 {
		r.adopt(ctx, c, &plan, existing, resp)
		return
	}

	// Built before the invitation, so a conversion problem stops the
	// create while nothing exists yet.
	invitation, diags := r.invitation(&plan, "")
	resp.Diagnostics.Append(diags...)
	profile, diags := profileUpdate(ctx, nil, &plan, true)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	inv, ok := r.invite(ctx, c, invitation, &resp.Diagnostics)
	if !ok {
		return
	}

	run := r.invited(ctx, c, &plan, inv, profile, resp)
	run.sponsorsInvited = len(invitation.SponsorIDs) > 0
	u, ok := run.waitReadable()
	if !ok {
		return
	}
	if u, ok = run.applyProfile(u); !ok {
		return
	}
	if !run.applyAccess() || !run.applyExpiry() {
		return
	}
	resp.Diagnostics.Append(readBack(ctx, &plan, u)...)
	saveState(ctx, &resp.State, resp.Identity, &plan, &resp.Diagnostics)
}

// holdAddress takes this run's lock on the address, held until Create
// returns: another block with the address waits, then finds the user this
// one gave it to (guest_user_resource_safety.go). ok is false, and nothing
// is held, when the wait ended or another block already has the address.
func (r *guestUserResource) holdAddress(ctx context.Context, email string, diags *diag.Diagnostics) (unlock func(), ok bool) {
	unlock, d := r.lockAddress(ctx, email, "Creating the guest user for "+email)
	diags.Append(d...)
	if d.HasError() {
		return nil, false
	}
	if owner := r.data.addresses.owner(email); owner != "" {
		unlock()
		diags.Append(sameRunOwnerDiagnostic(email, owner))
		return nil, false
	}
	return unlock, true
}

// lookUpAddress finds the users that already have the address (mail or
// otherMails), so the same person is never invited twice.
func lookUpAddress(ctx context.Context, c *graph.Client, email string, diags *diag.Diagnostics) ([]graph.User, bool) {
	existing, err := c.FindUsersByEmail(ctx, email)
	if err != nil {
		diags.Append(graphErrorDiagnostic("Error Looking Up Guest User",
			fmt.Sprintf("Before inviting %s, the provider looks the address up (mail and otherMails) so it never invites the same person twice.", email), err))
		return nil, false
	}
	return existing, true
}

// invite sends the invitation (see inviteOnce) and gives the address to
// the new guest for the rest of this run.
func (r *guestUserResource) invite(ctx context.Context, c *graph.Client, req graph.InvitationRequest, diags *diag.Diagnostics) (*graph.Invitation, bool) {
	email := req.InvitedUserEmailAddress
	if ctx.Err() != nil {
		diags.AddError("Guest User Not Invited",
			fmt.Sprintf("Terraform stopped the operation (interrupted, or timeouts.create ran out) before the invitation to %s was sent; nothing was created. Apply again.", email))
		return nil, false
	}
	// Once sent, the invitation runs to its answer even if Terraform is
	// interrupted (still within timeouts.create): cut short, Graph may
	// create the guest while its ID is lost, and a guest outside the state
	// is invisible to the next apply's look-up while Graph replicates it.
	inviteCtx, stopInvite := context.WithCancel(context.WithoutCancel(ctx))
	if deadline, ok := ctx.Deadline(); ok {
		inviteCtx, stopInvite = context.WithDeadline(context.WithoutCancel(ctx), deadline)
	}
	inv, err := inviteOnce(inviteCtx, c, req)
	stopInvite()
	if err != nil {
		diags.Append(graphErrorDiagnostic("Error Inviting Guest User",
			fmt.Sprintf("Sending the invitation (POST /invitations) to %s failed; no user was created unless the error says the answer was lost, "+
				"in which case the next apply looks the address up before inviting again.", email), err))
		return nil, false
	}
	r.data.addresses.claim(email, inv.InvitedUserID)
	tflog.Info(ctx, "invited guest user", map[string]any{"object_id": inv.InvitedUserID, "email_sent": req.SendInvitationMessage})
	return inv, true
}

// createRun is a create past its invitation. The user exists, and Create
// returns no error whatever happens: an error would taint the guest, and
// Terraform replaces a tainted guest (deletes it, invites the person
// again). A failing step saves the plan with a warning instead; see
// guest_user_resource_incomplete.go.
type createRun struct {
	r       *guestUserResource
	ctx     context.Context
	c       *graph.Client
	plan    *guestUserResourceModelV0
	profile graph.UserUpdate
	resp    *resource.CreateResponse
	email   string
	id      string
	// left lists what is not done yet, as the warning names it.
	left []string
	// sponsorsInvited: the invitation carried sponsor_ids (invitedUserSponsors).
	sponsorsInvited bool
}

// invited records the invitation's answer in the plan and starts the steps after it.
func (r *guestUserResource) invited(ctx context.Context, c *graph.Client, plan *guestUserResourceModelV0, inv *graph.Invitation, profile graph.UserUpdate, resp *resource.CreateResponse) *createRun {
	plan.ID = types.StringValue(inv.InvitedUserID)
	plan.RedeemURL = stringOrNull(inv.InviteRedeemURL)
	return &createRun{
		r: r, ctx: ctx, c: c, plan: plan, profile: profile, resp: resp,
		email: plan.Email.ValueString(), id: inv.InvitedUserID,
		left: createStepsAfterInvite(plan, !profile.IsEmpty()),
	}
}

// incomplete saves the plan with a warning that says what failed and what
// is left; it returns false, for the step to return.
func (s *createRun) incomplete(failed string, attr path.Path, err error, unconfirmed bool) bool {
	s.r.saveIncompleteCreate(s.ctx, *s.plan, incompleteCreate{
		email: s.email, id: s.id, failed: failed, left: s.left, err: err, attr: attr, unconfirmed: unconfirmed,
	}, s.resp)
	return false
}

// waitReadable waits until Graph has replicated the new user.
func (s *createRun) waitReadable() (*graph.User, bool) {
	u, err := waitReadable(s.ctx, s.c, s.id)
	if err != nil {
		return nil, s.incomplete(fmt.Sprintf("waiting for user %s to become readable (Graph replicates a new user before it can be read)", s.id), path.Empty(), err, true)
	}
	return u, true
}

// applyProfile PATCHes the profile properties the invitation does not
// carry, and returns the user as Graph then shows it.
func (s *createRun) applyProfile(u *graph.User) (*graph.User, bool) {
	if s.profile.IsEmpty() {
		return u, true
	}
	if err := s.c.UpdateUser(s.ctx, s.id, s.profile); err != nil {
		return nil, s.incomplete(fmt.Sprintf("setting its profile (PATCH /users/%s)", s.id), path.Empty(), err, false)
	}
	s.left = s.left[1:]
	u, err := s.c.GetUser(s.ctx, s.id)
	if err != nil {
		return nil, s.incomplete(fmt.Sprintf("reading user %s back after setting its profile", s.id), path.Empty(), err, false)
	}
	return u, true
}

// applyAccess adds the group memberships and sponsors.
func (s *createRun) applyAccess() bool {
	groups, sponsors, failed := applyAccess(s.ctx, s.c, s.id, s.invitedAccess(), s.plan)
	if failed != nil {
		// The plan's sets are saved, not what was achieved: the refresh
		// reads the real memberships and sponsors.
		for len(s.left) > 0 && !strings.Contains(s.left[0], failed.attr) {
			s.left = s.left[1:]
		}
		return s.incomplete(fmt.Sprintf("changing %s of user %s", failed.attr, s.id), path.Root(failed.attr), failed.err, false)
	}
	s.plan.GroupIDs, s.plan.SponsorIDs = groups, sponsors
	return true
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
