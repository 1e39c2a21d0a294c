package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Update applies the profile (moving the guest to a new email address
// first, if it changed), re-invites it when reinvite_trigger or the email
// changed, applies the access (groups, sponsors), reads the guest back and
// saves it. A failing step saves what Entra now holds (see updateRun.keep).
func (r *guestUserResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state guestUserResourceModelV0
	resp.Diagnostics.Append(getModel(ctx, req.State, &state)...)
	ctx, cancel, c := r.begin(ctx, profiled(req.Plan), &plan, timeouts.Value.Update, defaultUpdateTimeout, &resp.Diagnostics)
	defer cancel()
	if c == nil {
		return
	}
	// Computed values carried over; a re-invitation replaces redeem_url.
	plan.ID, plan.RedeemURL = state.ID, state.RedeemURL
	ctx = tflog.SetField(ctx, "object_id", state.ID.ValueString())
	run := &updateRun{
		r: r, ctx: ctx, c: c, plan: &plan, state: &state, resp: resp, id: state.ID.ValueString(),
		emailChanged: !strings.EqualFold(plan.Email.ValueString(), state.Email.ValueString()),
	}

	if run.emailChanged {
		unlock, ok := run.reserveNewAddress()
		if !ok {
			return
		}
		defer unlock()
	}
	if !run.applyExpiry() || !run.applyProfile() {
		return
	}
	if reinvitePlanned(&state, &plan) && !run.reinvite() {
		return
	}
	if !run.applyAccess() {
		return
	}
	u, ok := run.getUser()
	if !ok {
		return
	}
	resp.Diagnostics.Append(readBack(ctx, &plan, u)...)
	saveState(ctx, &resp.State, resp.Identity, &plan, &resp.Diagnostics)
}

// updateRun is one Update in progress, between its steps.
type updateRun struct {
	r            *guestUserResource
	ctx          context.Context
	c            *graph.Client
	plan, state  *guestUserResourceModelV0
	resp         *resource.UpdateResponse
	id           string
	emailChanged bool
}

// keep ends a failed step: the state is what Entra now holds as far as we
// know (before the PATCH, the prior state; after it, the plan without what
// failed), so the next apply retries exactly what is missing.
func (u *updateRun) keep(m guestUserResourceModelV0, d ...diag.Diagnostic) bool {
	saveState(u.ctx, &u.resp.State, u.resp.Identity, &m, &u.resp.Diagnostics)
	u.resp.Diagnostics.Append(d...)
	return false
}

// reserveNewAddress checks the new email before any write, under the
// address lock, so that no other resource of this run moves a user to the
// address between the check and the PATCH.
func (u *updateRun) reserveNewAddress() (unlock func(), ok bool) {
	return u.r.reserveNewAddress(u.ctx, u.c, u.id, u.plan.Email.ValueString(), func(d diag.Diagnostic) { u.keep(*u.state, d) })
}

// applyProfile PATCHes the profile properties that changed, with the new
// email among otherMails when it changed, and gives the address to the
// guest for the rest of this run.
func (u *updateRun) applyProfile() bool {
	upd, diags := profileUpdate(u.ctx, u.state, u.plan, false)
	u.resp.Diagnostics.Append(diags...)
	if !u.keepInvitedAddress(&upd) {
		return false
	}
	if !upd.IsEmpty() {
		if err := u.c.UpdateUser(u.ctx, u.id, upd); err != nil {
			return u.keep(*u.state, graphErrorDiagnostic("Error Updating Guest User",
				fmt.Sprintf("Updating user %s (PATCH /users/%s) failed; nothing was changed.", u.id, u.id), err))
		}
	}
	if u.emailChanged {
		u.r.data.addresses.claim(u.plan.Email.ValueString(), u.id)
	}
	return true
}

// keepInvitedAddress puts the invited address into the PATCH's otherMails
// where it must be there.
func (u *updateRun) keepInvitedAddress(upd *graph.UserUpdate) bool {
	switch {
	case u.emailChanged:
		// Graph re-invites a user at a new address only when that address
		// is already one of its otherMails:
		// https://learn.microsoft.com/entra/external-id/reset-redemption-status
		mails, err := u.r.otherMailsWith(u.ctx, u.c, u.id, u.plan, upd.OtherMails)
		if err != nil {
			return u.keep(*u.state, graphErrorDiagnostic("Error Changing Guest User Email",
				fmt.Sprintf("Changing the address of user %s to %s needs its current otherMails; reading them failed. Nothing was changed.", u.id, u.plan.Email.ValueString()), err))
		}
		upd.OtherMails = &mails
	case upd.OtherMails != nil && !strings.EqualFold(u.state.Mail.ValueString(), u.plan.Email.ValueString()):
		// The invited address lives in otherMails since an earlier email
		// change (other_mails does not report it): rewriting other_mails
		// must not drop it, or the guest loses the address it redeems with.
		if mails, err := u.r.otherMailsWith(u.ctx, u.c, u.id, u.plan, upd.OtherMails); err == nil {
			upd.OtherMails = &mails
		}
	}
	return true
}

// reinvite re-sends the invitation with the redemption reset, to the new
// address if the email changed.
func (u *updateRun) reinvite() bool {
	invitation, diags := u.r.invitation(u.plan, u.id)
	if diags.HasError() {
		return u.keep(u.r.withoutReinvite(*u.plan, *u.state), diags...)
	}
	inv, err := u.c.Invite(u.ctx, invitation)
	if err != nil {
		return u.keep(u.r.withoutReinvite(*u.plan, *u.state), graphErrorDiagnostic("Error Re-Inviting Guest User",
			fmt.Sprintf("Re-sending the invitation of user %s to %s with resetRedemption failed. Profile changes, if any, were applied; "+
				"the next apply retries the invitation.", u.id, u.plan.Email.ValueString()), err))
	}
	tflog.Info(u.ctx, "re-invited guest user with redemption reset", map[string]any{"email_changed": u.emailChanged})
	u.plan.RedeemURL = stringOrNull(inv.InviteRedeemURL)
	return true
}

// applyAccess moves the group memberships and sponsors to the plan's.
func (u *updateRun) applyAccess() bool {
	var failed *accessChange
	u.plan.GroupIDs, u.plan.SponsorIDs, failed = applyAccess(u.ctx, u.c, u.id, u.state, u.plan)
	if failed != nil {
		return u.keep(u.applied(), accessDiagnostic(u.id, failed, "After the other changes were applied"))
	}
	return true
}

// getUser reads the guest back after the changes.
func (u *updateRun) getUser() (*graph.User, bool) {
	got, err := u.c.GetUser(u.ctx, u.id)
	if err != nil {
		return nil, u.keep(u.applied(), graphErrorDiagnostic("Error Reading Guest User", fmt.Sprintf("Reading user %s back after the update failed.", u.id), err))
	}
	return got, true
}

// applied is the plan as applied so far, with the values only Graph knows
// (unknown in the plan) null until the next refresh reads them.
func (u *updateRun) applied() guestUserResourceModelV0 {
	m := *u.plan
	m.nullUnknowns()
	return m
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
