package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// Default timeouts. Create is the longest: it waits for replication, which
// Microsoft documents as taking seconds and which can take minutes.
const (
	defaultCreateTimeout = 10 * time.Minute
	defaultReadTimeout   = 2 * time.Minute
	defaultUpdateTimeout = 10 * time.Minute
	defaultDeleteTimeout = 10 * time.Minute
)

// Polling backoff while waiting for Graph to show a change.
const (
	pollInitial = 250 * time.Millisecond
	pollMax     = 5 * time.Second
)

// waitUntil calls check with growing pauses until it reports done, fails
// for good, or ctx ends. On timeout the error names the last real failure
// (or the last observed condition), because "context deadline exceeded"
// alone tells the user nothing. When ctx is cancelled instead (Terraform
// was interrupted: Ctrl-C, or the run cancelled), the error says so and
// wraps context.Canceled: it is no timeout.
func waitUntil(ctx context.Context, what string, check func(context.Context) (done bool, retryable error, fatal error)) error {
	delay := pollInitial
	start := time.Now()
	var last error
	for attempt := 1; ; attempt++ {
		done, retryable, fatal := check(ctx)
		if done {
			return nil
		}
		if ctx.Err() != nil {
			// A call cut short by the context fails for that reason only.
			return waitEnded(ctx, what, start, attempt, last)
		}
		if fatal != nil {
			return fatal
		}
		last = retryable
		tflog.Debug(ctx, "waiting for Graph", map[string]any{"condition": what, "attempt": attempt, "last": fmt.Sprint(last)})
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return waitEnded(ctx, what, start, attempt, last)
		case <-t.C:
		}
		delay = min(delay*2, pollMax)
	}
}

// waitEnded is waitUntil's error once ctx has ended: a cancellation, or a
// timeout that names the last real result.
func waitEnded(ctx context.Context, what string, start time.Time, attempts int, last error) error {
	took := time.Since(start).Round(time.Second)
	if errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("cancelled after %s (%d attempts) while waiting until %s: Terraform stopped the operation (interrupted, e.g. Ctrl-C): %w",
			took, attempts, what, context.Canceled)
	}
	msg := fmt.Sprintf("timed out after %s (%d attempts) waiting until %s", took, attempts, what)
	if last != nil {
		return fmt.Errorf("%s; last result: %w", msg, last)
	}
	return errors.New(msg)
}

func (r *guestUserResource) client() (*graph.Client, diag.Diagnostics) {
	return r.data.requireClient()
}

// redirectURL resolves the invitation's redirect URL: the resource's, else the provider default.
func (r *guestUserResource) redirectURL(m *guestUserResourceModelV0) (string, diag.Diagnostics) {
	var diags diag.Diagnostics
	if !m.RedirectURL.IsNull() && m.RedirectURL.ValueString() != "" {
		return m.RedirectURL.ValueString(), diags
	}
	if r.data != nil && r.data.DefaultRedirectURL != "" {
		return r.data.DefaultRedirectURL, diags
	}
	diags.AddAttributeError(path.Root("redirect_url"), "Missing Redirect URL",
		"Sending the invitation needs a redirect URL, and neither redirect_url nor the provider's default_redirect_url is set. "+
			"Set redirect_url on the resource (e.g. \"https://myapps.microsoft.com\") or default_redirect_url in the provider block.")
	return "", diags
}

// sendMessage resolves send_invitation_message: the resource's, else the
// provider default, else false (Graph's default: no email).
func (r *guestUserResource) sendMessage(m *guestUserResourceModelV0) bool {
	if !m.SendInvitationMessage.IsNull() {
		return m.SendInvitationMessage.ValueBool()
	}
	if r.data != nil && r.data.DefaultSendInvitationMessage != nil {
		return *r.data.DefaultSendInvitationMessage
	}
	return false
}

func (r *guestUserResource) setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, id string, diags *diag.Diagnostics) {
	if identity == nil || id == "" {
		return
	}
	diags.Append(identity.Set(ctx, guestUserIdentityModelV0{ObjectID: types.StringValue(id)})...)
}

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

	redirect, diags := r.redirectURL(&plan)
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
	inv, err := inviteOnce(inviteCtx, c, graph.InvitationRequest{
		InvitedUserEmailAddress: email,
		InvitedUserDisplayName:  plan.DisplayName.ValueString(),
		InviteRedirectURL:       redirect,
		InvitedUserType:         plan.UserType.ValueString(),
		SendInvitationMessage:   r.sendMessage(&plan),
		Message:                 plan.invitationMessage(),
	})
	stopInvite()
	if err != nil {
		resp.Diagnostics.Append(graphErrorDiagnostic("Error Inviting Guest User",
			fmt.Sprintf("Sending the invitation (POST /invitations) to %s failed; no user was created unless the error says the answer was lost, "+
				"in which case the next apply looks the address up before inviting again.", email), err))
		return
	}
	id := inv.InvitedUserID
	r.data.addresses.claim(email, id)
	tflog.Info(ctx, "invited guest user", map[string]any{"object_id": id, "email_sent": r.sendMessage(&plan)})

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

	prior := plan
	resp.Diagnostics.Append(plan.applyUser(ctx, u, &prior)...)
	plan.Email = prior.Email
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	r.setIdentity(ctx, resp.Identity, id, &resp.Diagnostics)
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

// waitReadable polls GET /users/{id} until the new user has replicated.
// Only 404 is retried: anything else (403, 401) will not heal by waiting.
func waitReadable(ctx context.Context, c *graph.Client, id string) (*graph.User, error) {
	var u *graph.User
	err := waitUntil(ctx, fmt.Sprintf("user %s is readable", id), func(ctx context.Context) (bool, error, error) {
		got, err := c.GetUser(ctx, id)
		switch {
		case err == nil:
			u = got
			return true, nil, nil
		case graph.IsNotFound(err):
			return false, err, nil
		case ctx.Err() != nil:
			return false, err, nil
		default:
			return false, nil, err
		}
	})
	return u, err
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
	prior := *plan
	resp.Diagnostics.Append(plan.applyUser(ctx, u, &prior)...)
	plan.Email = prior.Email
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	r.setIdentity(ctx, resp.Identity, id, &resp.Diagnostics)
}

func (r *guestUserResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state guestUserResourceModelV0
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, diags := r.client()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Read(ctx, defaultReadTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	id := state.ID.ValueString()
	// A guest whose create was interrupted may still be replicating.
	u, err := readAfterInvite(ctx, c, resp.Private, id)
	if graph.IsNotFound(err) {
		tflog.Warn(ctx, "guest user no longer exists in Entra ID; removing it from the state so the next plan re-creates it",
			map[string]any{"object_id": id})
		// The framework insists on an identity even for a removed resource
		// (state written by Terraform < 1.12 has none).
		r.setIdentity(ctx, resp.Identity, id, &resp.Diagnostics)
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(graphErrorDiagnostic("Error Reading Guest User", fmt.Sprintf("Reading user %s (GET /users/%s) failed.", id, id), err))
		return
	}
	prior := state
	resp.Diagnostics.Append(state.applyUser(ctx, u, &prior)...)
	if err := readAccess(ctx, c, id, &state); err != nil {
		resp.Diagnostics.Append(graphErrorDiagnostic("Error Reading Guest User Access", "Reading the guest's group memberships or sponsors failed.", err))
		return
	}
	// Graph does not echo these inputs; keep what was configured or
	// defaulted (import leaves them null, ImportState fills the defaults).
	if state.OnDestroy.IsNull() {
		state.OnDestroy = types.StringValue(onDestroyDelete)
	}
	if state.AdoptExisting.IsNull() {
		state.AdoptExisting = types.BoolValue(false)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	r.setIdentity(ctx, resp.Identity, id, &resp.Diagnostics)
}

func (r *guestUserResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state guestUserResourceModelV0
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, diags := r.client()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	id := state.ID.ValueString()
	plan.ID = state.ID
	ctx = tflog.SetField(ctx, "object_id", id)
	emailChanged := !strings.EqualFold(plan.Email.ValueString(), state.Email.ValueString())
	reinvite := reinvitePlanned(&state, &plan)

	// On failure the state is what Entra now holds as far as we know:
	// before the PATCH, the prior state; after it, the plan without the
	// re-invitation, so the next apply retries exactly what is missing.
	keep := func(m guestUserResourceModelV0, d diag.Diagnostic) {
		resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
		resp.Diagnostics.Append(d)
	}

	if emailChanged {
		// Checked before any write, under the address lock, so that no
		// other resource of this run moves a user to the address between
		// the check and the PATCH.
		unlock, ok := r.reserveNewAddress(ctx, c, id, plan.Email.ValueString(), func(d diag.Diagnostic) { keep(state, d) })
		if !ok {
			return
		}
		defer unlock()
	}

	upd, diags := profileUpdate(ctx, &state, &plan, false)
	resp.Diagnostics.Append(diags...)
	if emailChanged {
		// Graph re-invites a user at a new address only when that address
		// is already one of its otherMails:
		// https://learn.microsoft.com/entra/external-id/reset-redemption-status
		mails, err := r.otherMailsWith(ctx, c, id, &plan, upd.OtherMails)
		if err != nil {
			keep(state, graphErrorDiagnostic("Error Changing Guest User Email",
				fmt.Sprintf("Changing the address of user %s to %s needs its current otherMails; reading them failed. Nothing was changed.", id, plan.Email.ValueString()), err))
			return
		}
		upd.OtherMails = &mails
	} else if upd.OtherMails != nil && !strings.EqualFold(state.Mail.ValueString(), plan.Email.ValueString()) {
		// The invited address lives in otherMails since an earlier email
		// change (other_mails does not report it): rewriting other_mails
		// must not drop it, or the guest loses the address it redeems with.
		mails, err := r.otherMailsWith(ctx, c, id, &plan, upd.OtherMails)
		if err == nil {
			upd.OtherMails = &mails
		}
	}
	if !upd.IsEmpty() {
		if err := c.UpdateUser(ctx, id, upd); err != nil {
			keep(state, graphErrorDiagnostic("Error Updating Guest User",
				fmt.Sprintf("Updating user %s (PATCH /users/%s) failed; nothing was changed.", id, id), err))
			return
		}
	}
	if emailChanged {
		r.data.addresses.claim(plan.Email.ValueString(), id)
	}

	plan.RedeemURL = state.RedeemURL
	if reinvite {
		redirect, diags := r.redirectURL(&plan)
		if diags.HasError() {
			partial := r.withoutReinvite(plan, state)
			resp.Diagnostics.Append(resp.State.Set(ctx, &partial)...)
			resp.Diagnostics.Append(diags...)
			return
		}
		inv, err := c.Invite(ctx, graph.InvitationRequest{
			InvitedUserEmailAddress: plan.Email.ValueString(),
			InvitedUserDisplayName:  plan.DisplayName.ValueString(),
			InviteRedirectURL:       redirect,
			InvitedUserType:         plan.UserType.ValueString(),
			SendInvitationMessage:   r.sendMessage(&plan),
			Message:                 plan.invitationMessage(),
			ResetRedemption:         true,
			InvitedUserID:           id,
		})
		if err != nil {
			keep(r.withoutReinvite(plan, state), graphErrorDiagnostic("Error Re-Inviting Guest User",
				fmt.Sprintf("Re-sending the invitation of user %s to %s with resetRedemption failed. Profile changes, if any, were applied; "+
					"the next apply retries the invitation.", id, plan.Email.ValueString()), err))
			return
		}
		tflog.Info(ctx, "re-invited guest user with redemption reset", map[string]any{"email_changed": emailChanged})
		plan.RedeemURL = stringOrNull(inv.InviteRedeemURL)
	}

	var failed *accessChange
	plan.GroupIDs, plan.SponsorIDs, failed = applyAccess(ctx, c, id, &state, &plan)
	if failed != nil {
		partial := plan
		partial.nullUnknowns()
		keep(partial, accessDiagnostic(id, failed, "After the other changes were applied"))
		return
	}

	u, err := c.GetUser(ctx, id)
	if err != nil {
		partial := plan
		partial.nullUnknowns()
		keep(partial, graphErrorDiagnostic("Error Reading Guest User", fmt.Sprintf("Reading user %s back after the update failed.", id), err))
		return
	}
	prior := plan
	resp.Diagnostics.Append(plan.applyUser(ctx, u, &prior)...)
	plan.Email = prior.Email
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	r.setIdentity(ctx, resp.Identity, id, &resp.Diagnostics)
}

// withoutReinvite is the plan with the profile applied but the email and
// reinvite_trigger still at their prior values, with computed values from
// the prior state.
func (r *guestUserResource) withoutReinvite(plan, state guestUserResourceModelV0) guestUserResourceModelV0 {
	m := plan
	m.Email, m.ReinviteTrigger = state.Email, state.ReinviteTrigger
	m.InvitationState, m.InvitationStateChangedAt, m.RedeemURL, m.Mail = state.InvitationState, state.InvitationStateChangedAt, state.RedeemURL, state.Mail
	// Memberships and sponsors are changed after the invitation, so none of them happened yet.
	m.GroupIDs, m.SponsorIDs = state.GroupIDs, state.SponsorIDs
	m.nullUnknowns()
	return m
}

// otherMailsWith returns the otherMails to PATCH so the new email is among
// them: the configured set (or the one already being patched) when
// other_mails is managed, else the user's current list.
func (r *guestUserResource) otherMailsWith(ctx context.Context, c *graph.Client, id string, plan *guestUserResourceModelV0, patched *[]string) ([]string, error) {
	var base []string
	switch {
	case patched != nil:
		base = *patched
	case isKnown(plan.OtherMails):
		got, _ := stringsOf(ctx, plan.OtherMails)
		base = got
	default:
		u, err := c.GetUser(ctx, id)
		if err != nil {
			return nil, err
		}
		base = u.OtherMails
	}
	out := append([]string{}, base...)
	for _, a := range out {
		if strings.EqualFold(a, plan.Email.ValueString()) {
			return out, nil
		}
	}
	return append(out, plan.Email.ValueString()), nil
}

func (r *guestUserResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state guestUserResourceModelV0
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	mode := state.OnDestroy.ValueString()
	ctx = tflog.SetField(ctx, "object_id", id)
	ctx = tflog.SetField(ctx, "on_destroy", mode)
	if mode == onDestroyAbandon {
		tflog.Info(ctx, "on_destroy = abandon: removing the guest user from the state only; it stays in Entra ID")
		return
	}
	c, diags := r.client()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	switch mode {
	case onDestroyDisable:
		off := false
		err := c.UpdateUser(ctx, id, graph.UserUpdate{AccountEnabled: &off})
		if graph.IsNotFound(err) {
			tflog.Info(ctx, "user already gone; nothing to disable")
			return
		}
		if err != nil {
			resp.Diagnostics.Append(graphErrorDiagnostic("Error Disabling Guest User",
				fmt.Sprintf("on_destroy = \"disable\": setting accountEnabled = false on user %s failed; the user is unchanged and kept in the state.", id), err))
			return
		}
		err = waitUntil(ctx, fmt.Sprintf("user %s shows accountEnabled = false", id), func(ctx context.Context) (bool, error, error) {
			u, err := c.GetUser(ctx, id)
			if err != nil {
				if graph.IsNotFound(err) {
					return true, nil, nil
				}
				return false, err, nil
			}
			if u.AccountEnabled != nil && !*u.AccountEnabled {
				return true, nil, nil
			}
			return false, fmt.Errorf("accountEnabled is still %v", fmtBoolPtr(u.AccountEnabled)), nil
		})
		if err != nil {
			resp.Diagnostics.Append(graphErrorDiagnostic("Error Disabling Guest User", fmt.Sprintf("Waiting for user %s to show as disabled failed.", id), err))
		}
		return

	case onDestroyDelete, onDestroyPurge, "":
		if err := c.DeleteUser(ctx, id); err != nil && !graph.IsNotFound(err) {
			resp.Diagnostics.Append(graphErrorDiagnostic("Error Deleting Guest User",
				fmt.Sprintf("Deleting user %s (DELETE /users/%s) failed; it is kept in the state.", id, id), err))
			return
		}
		if err := waitUntil(ctx, fmt.Sprintf("user %s is gone from /users", id), func(ctx context.Context) (bool, error, error) {
			_, err := c.GetUser(ctx, id)
			switch {
			case graph.IsNotFound(err):
				return true, nil, nil
			case err == nil:
				return false, errors.New("the user is still readable"), nil
			default:
				return false, err, nil
			}
		}); err != nil {
			resp.Diagnostics.Append(graphErrorDiagnostic("Error Deleting Guest User", fmt.Sprintf("Waiting for user %s to disappear after deletion failed.", id), err))
			return
		}
		if mode != onDestroyPurge {
			return
		}
		r.purge(ctx, c, id, resp)
	}
}

// purge removes a soft-deleted user from deleted items. The deleted item
// can lag behind the delete, so it waits for it to appear (or for a 404
// that outlasts the wait: then someone already purged it).
func (r *guestUserResource) purge(ctx context.Context, c *graph.Client, id string, resp *resource.DeleteResponse) {
	err := waitUntil(ctx, fmt.Sprintf("user %s is purged from deleted items", id), func(ctx context.Context) (bool, error, error) {
		err := c.PurgeDeletedUser(ctx, id)
		switch {
		case err == nil:
			return true, nil, nil
		case graph.IsNotFound(err):
			// The deleted item has not replicated yet.
			return false, err, nil
		case graph.IsForbidden(err) || graph.IsUnauthorized(err):
			return false, nil, err
		default:
			return false, err, nil
		}
	})
	if err != nil {
		resp.Diagnostics.Append(graphErrorDiagnostic("Error Purging Guest User",
			fmt.Sprintf("on_destroy = \"purge\": user %s was deleted, but removing it from deleted items (DELETE /directory/deletedItems/%s) failed. "+
				"It will be purged automatically after 30 days, or remove it in the Entra admin center.", id, id), err))
		return
	}
	if err := waitUntil(ctx, fmt.Sprintf("user %s is gone from deleted items", id), func(ctx context.Context) (bool, error, error) {
		_, err := c.GetDeletedUser(ctx, id)
		switch {
		case graph.IsNotFound(err):
			return true, nil, nil
		case err == nil:
			return false, errors.New("the deleted item is still readable"), nil
		default:
			return false, err, nil
		}
	}); err != nil {
		resp.Diagnostics.Append(graphErrorDiagnostic("Error Purging Guest User", fmt.Sprintf("Waiting for user %s to disappear from deleted items failed.", id), err))
	}
}

func fmtBoolPtr(b *bool) string {
	if b == nil {
		return "null"
	}
	return fmt.Sprint(*b)
}

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
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("email"), email)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("on_destroy"), onDestroyDelete)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("adopt_existing"), false)...)
	r.setIdentity(ctx, resp.Identity, id, &resp.Diagnostics)
}
