package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// caseInsensitiveString keeps the prior value when the configuration
// differs from it only in letter case. Email addresses are
// case-insensitive in Entra, so Alice@X.com -> alice@x.com must plan
// nothing (and an imported address spelled differently must not diff).
func caseInsensitiveString() planmodifier.String { return caseInsensitiveModifier{} }

type caseInsensitiveModifier struct{}

func (caseInsensitiveModifier) Description(context.Context) string {
	return "A change of letter case alone is not a change."
}

func (m caseInsensitiveModifier) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (caseInsensitiveModifier) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if strings.EqualFold(req.StateValue.ValueString(), req.ConfigValue.ValueString()) {
		resp.PlanValue = req.StateValue
	}
}

// ValidateConfig catches combinations the per-attribute validators cannot see.
func (r *guestUserResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var groups, sponsors types.Set
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("group_ids"), &groups)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("sponsor_ids"), &sponsors)...)
	validateAccessConfig(ctx, groups, sponsors, &resp.Diagnostics)
	validateExpiryConfig(ctx, req, resp)

	var msg *invitationMessageModelV0
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("invitation_message"), &msg)...)
	if resp.Diagnostics.HasError() || msg == nil {
		return
	}
	if !msg.Body.IsNull() && !msg.Language.IsNull() {
		resp.Diagnostics.AddAttributeWarning(path.Root("invitation_message").AtName("language"),
			"Invitation Language Ignored",
			"Microsoft Graph ignores messageLanguage when a customized message body is given: the email is sent "+
				"with the body as written, in the default layout language. Remove language, or remove body to get the "+
				"localized default message.")
	}
}

// reinvitePlanned reports whether the plan from state to plan sends a new
// invitation: a new email address, or reinvite_trigger changed to a new
// value. Unknown values count as a change, since they may be one.
func reinvitePlanned(state, plan *guestUserResourceModelV0) bool {
	if plan.Email.IsUnknown() || !strings.EqualFold(plan.Email.ValueString(), state.Email.ValueString()) {
		return true
	}
	if plan.ReinviteTrigger.IsUnknown() {
		return true
	}
	return !plan.ReinviteTrigger.IsNull() && !plan.ReinviteTrigger.Equal(state.ReinviteTrigger)
}

// ModifyPlan checks, at plan time, what depends on the provider's defaults,
// and marks what a re-invitation will change as unknown.
func (r *guestUserResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		warnOnDestroy(ctx, req, resp)
		return
	}

	var plan guestUserResourceModelV0
	resp.Diagnostics.Append(getModel(ctx, req.Plan, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}

	creating := req.State.Raw.IsNull()
	invites := creating
	var prior *guestUserResourceModelV0
	if !creating {
		var state guestUserResourceModelV0
		resp.Diagnostics.Append(getModel(ctx, req.State, &state)...)
		if resp.Diagnostics.HasError() {
			return
		}
		prior = &state
		invites = r.planReinvite(ctx, &state, &plan, resp)
	}

	r.planExpiry(ctx, req, prior, &plan, resp)
	if invites {
		r.requireRedirectURL(creating, &plan, &resp.Diagnostics)
	}
	if !resp.Diagnostics.HasError() {
		r.checkAccessTargets(ctx, prior, &plan, &resp.Diagnostics)
	}
	if cause, ok := admissionNeeded(prior, &plan); ok && !resp.Diagnostics.HasError() {
		r.checkAdmission(ctx, plan.Email.ValueString(), cause, &resp.Diagnostics)
	}
	if creating && !resp.Diagnostics.HasError() {
		r.planAdoption(ctx, &plan, &resp.Diagnostics)
	}
	if r.data.signInTimesNeverRead() {
		nullSignInTimes(req.State, &resp.Plan)
	}
	keepSignInTimes(req.State, &resp.Plan) // last: after every change to the plan
}

// warnOnDestroy says, when a guest is destroyed, that on_destroy keeps the
// user in Entra ID (abandon or disable).
func warnOnDestroy(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var state guestUserResourceModelV0
	resp.Diagnostics.Append(getModel(ctx, req.State, &state)...)
	switch state.OnDestroy.ValueString() {
	case onDestroyAbandon:
		resp.Diagnostics.AddWarning("Guest User Will Be Kept",
			"on_destroy = \"abandon\": destroying b2b_guest_user for "+state.Email.ValueString()+
				" only removes it from the Terraform state; the user "+state.ID.ValueString()+" stays in Entra ID.")
	case onDestroyDisable:
		resp.Diagnostics.AddWarning("Guest User Will Be Disabled, Not Deleted",
			"on_destroy = \"disable\": destroying b2b_guest_user for "+state.Email.ValueString()+
				" sets accountEnabled = false on user "+state.ID.ValueString()+" and keeps it in Entra ID.")
	}
}

// planReinvite reports whether the update re-invites the guest. If it
// does, what a new invitation resets is planned as unknown, and a new
// email address is checked and announced.
func (r *guestUserResource) planReinvite(ctx context.Context, state, plan *guestUserResourceModelV0, resp *resource.ModifyPlanResponse) bool {
	if !reinvitePlanned(state, plan) {
		return false
	}
	// A new invitation resets redemption and issues a new redeem URL.
	plan.InvitationState = types.StringUnknown()
	plan.InvitationStateChangedAt = types.StringUnknown()
	plan.RedeemURL = types.StringUnknown()
	plan.Mail = types.StringUnknown()
	resp.Diagnostics.Append(setModel(ctx, &resp.Plan, plan)...)
	if plan.Email.IsUnknown() || strings.EqualFold(plan.Email.ValueString(), state.Email.ValueString()) {
		return true // reinvite_trigger changed, or the new address is not known yet
	}
	r.checkNewAddressAtPlan(ctx, state.ID.ValueString(), plan.Email.ValueString(), &resp.Diagnostics)
	if !resp.Diagnostics.HasError() {
		resp.Diagnostics.AddAttributeWarning(path.Root("email"), "Guest User Will Be Re-Invited",
			"Changing email keeps user "+state.ID.ValueString()+" (object ID, groups and app access) and does not replace it: "+
				plan.Email.ValueString()+" is added to its otherMails and the invitation is re-sent to it with the redemption "+
				"status reset, so the guest must redeem again with the new address.")
	}
	return true
}

// requireRedirectURL fails the plan of an invitation (creating, or a
// re-invitation) that has no redirect URL, neither its own nor the
// provider's default.
func (r *guestUserResource) requireRedirectURL(creating bool, plan *guestUserResourceModelV0, diags *diag.Diagnostics) {
	if !plan.RedirectURL.IsNull() || r.data == nil || r.data.DefaultRedirectURL != "" {
		return
	}
	what := "create the guest user"
	if !creating {
		what = "re-invite the guest user (email or reinvite_trigger changed)"
	}
	diags.AddAttributeError(path.Root("redirect_url"), "Missing Redirect URL",
		"To "+what+", the invitation needs a redirect URL, and neither redirect_url nor the provider's "+
			"default_redirect_url is set. Set redirect_url on the resource (e.g. \"https://myapps.microsoft.com\") "+
			"or default_redirect_url in the provider block.")
}
