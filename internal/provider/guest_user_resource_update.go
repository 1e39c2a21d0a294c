package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

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
		saveState(ctx, &resp.State, resp.Identity, &m, &resp.Diagnostics)
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
		invitation, diags := r.invitation(&plan, id)
		if diags.HasError() {
			partial := r.withoutReinvite(plan, state)
			saveState(ctx, &resp.State, resp.Identity, &partial, &resp.Diagnostics)
			resp.Diagnostics.Append(diags...)
			return
		}
		inv, err := c.Invite(ctx, invitation)
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
	resp.Diagnostics.Append(readBack(ctx, &plan, u)...)
	saveState(ctx, &resp.State, resp.Identity, &plan, &resp.Diagnostics)
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
