package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// Expiry (expires_on). The decision is made when Terraform plans, by the
// provider's clock, as hashicorp/time's time_rotating plans a replacement
// once its rotation time has passed and hashicorp/tls plans a new
// certificate inside early_renewal_hours: nothing happens between runs, and
// a scheduled plan-and-apply enforces the date. The date itself is written
// to the user's employeeLeaveDateTime, where Entra's lifecycle workflows and
// any $filter see it, and read back with the refresh to detect drift.

// expiresOnDateLayout is the date-only form of expires_on.
const expiresOnDateLayout = "2006-01-02"

const expiresOnDescription = "When the guest's access ends: a date, `YYYY-MM-DD` (the guest expires at 00:00 UTC that day), " +
	"or an RFC 3339 time with its offset, e.g. `2026-12-31T17:00:00+01:00`. " +
	"Once the provider's clock has passed it, `terraform plan` shows `account_enabled` changing to `false`, with a warning naming the guest and the date, and apply disables the account. " +
	"Moving the date into the future plans `account_enabled = true` again. " +
	"The date is decided at plan time only: **nothing happens between Terraform runs**, so run a scheduled plan and apply (see the guest lifecycle guide). " +
	"While `expires_on` is set, the provider manages `account_enabled` (enabled until the date, disabled from it), so `account_enabled` must then be unset or `false`. " +
	"The date is stored in the user's `employeeLeaveDateTime`, where Entra's lifecycle workflows (leaver workflows) and `$filter` see it, and is read back with each refresh: an edit in Entra shows as drift. " +
	"Writing it needs the application permission `User-LifeCycleInfo.ReadWrite.All` (with `User.Read.All`), and reading it `User-LifeCycleInfo.Read.All` (or the ReadWrite permission); without them the apply or refresh fails with a diagnostic naming the permission, and guests without `expires_on` are unaffected. " +
	"Removing `expires_on` stops managing the date (Entra keeps it) and leaves `account_enabled` as it is."

// parseExpiresOn reads expires_on: a date (midnight UTC) or an RFC 3339 time.
func parseExpiresOn(s string) (time.Time, bool) {
	if t, err := time.Parse(expiresOnDateLayout, s); err == nil {
		return t.UTC(), true
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), true
	}
	return time.Time{}, false
}

// expiresOnValidator refuses, at plan time, what is neither a date nor an
// RFC 3339 time. The value is not repeated (it may come from a sensitive
// variable, and the attribute path names it).
type expiresOnValidator struct{}

func (expiresOnValidator) Description(context.Context) string {
	return "must be a date (YYYY-MM-DD) or an RFC 3339 time"
}

func (v expiresOnValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (expiresOnValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, ok := parseExpiresOn(req.ConfigValue.ValueString()); ok {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid Expiry Date",
		"expires_on must be a calendar date written YYYY-MM-DD (e.g. 2026-12-31: the guest expires at 00:00 UTC that day) "+
			"or an RFC 3339 time with its offset (e.g. 2026-12-31T17:00:00+01:00 or 2026-12-31T16:00:00Z). "+
			"The value given is neither, or names a day that does not exist. Correct the value.")
}

// validateExpiryConfig refuses account_enabled = true beside expires_on:
// Terraform keeps a configured value in the plan, so the provider could
// not plan the account disabled once the date has passed.
func validateExpiryConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var expires types.String
	var enabled types.Bool
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("expires_on"), &expires)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("account_enabled"), &enabled)...)
	if expires.IsNull() || enabled.IsNull() || enabled.IsUnknown() || !enabled.ValueBool() {
		return
	}
	resp.Diagnostics.AddAttributeError(path.Root("account_enabled"), "Conflicting Account Settings",
		"expires_on manages account_enabled: the account is enabled until the date and disabled from it. "+
			"account_enabled = true would keep it enabled after the date. Remove account_enabled (or set it to false to keep the guest disabled).")
}

// planExpiry sets the planned account_enabled from expires_on and the
// provider's clock, when account_enabled is not configured: false from the
// date on (with a warning when that disables the guest), true before it.
// A new guest that has not expired is left to Graph, which enables it.
// An expires_on unknown until apply is decided by the next plan.
func (r *guestUserResource) planExpiry(ctx context.Context, req resource.ModifyPlanRequest, prior, plan *guestUserResourceModelV0, resp *resource.ModifyPlanResponse) {
	if plan.ExpiresOn.IsNull() || plan.ExpiresOn.IsUnknown() {
		return
	}
	at, ok := parseExpiresOn(plan.ExpiresOn.ValueString())
	if !ok {
		return // the validator reported it
	}
	var configured types.Bool
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("account_enabled"), &configured)...)
	if resp.Diagnostics.HasError() || !configured.IsNull() {
		return
	}
	now := r.data.clock()
	expired := !now.Before(at)
	if !expired && prior == nil {
		return
	}
	plan.AccountEnabled = types.BoolValue(!expired)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("account_enabled"), plan.AccountEnabled)...)
	wasEnabled := prior == nil || prior.AccountEnabled.IsNull() || prior.AccountEnabled.ValueBool()
	tflog.Debug(ctx, "expires_on decides account_enabled", map[string]any{
		"expires_on": at.Format(time.RFC3339), "now": now.UTC().Format(time.RFC3339), "expired": expired,
	})
	if expired && wasEnabled {
		resp.Diagnostics.AddAttributeWarning(path.Root("expires_on"), "Guest User Expired",
			fmt.Sprintf("The guest %s expired on %s (expires_on = %q), so this plan disables its account (account_enabled = false). "+
				"Its sign-ins stop once applied; the user, its groups and sponsors are kept. Move expires_on into the future to enable it again.",
				plan.Email.ValueString(), at.Format(time.RFC3339), plan.ExpiresOn.ValueString()))
	}
}

// expiryChanged reports whether to must be written to Graph: set, and a
// different instant from what from holds.
func expiryChanged(from, to types.String) (*time.Time, bool) {
	if to.IsNull() || to.IsUnknown() {
		return nil, false
	}
	at, ok := parseExpiresOn(to.ValueString())
	if !ok {
		return nil, false
	}
	if prev, ok := parseExpiresOn(from.ValueString()); ok && !from.IsNull() && prev.Equal(at) {
		return nil, false
	}
	return &at, true
}

// writeExpiry stores the planned expires_on in employeeLeaveDateTime when it changed.
func writeExpiry(ctx context.Context, c *graph.Client, id string, from, to types.String) diag.Diagnostics {
	at, changed := expiryChanged(from, to)
	if !changed {
		return nil
	}
	err := c.SetEmployeeLeaveDateTime(ctx, id, at)
	if err == nil {
		tflog.Info(ctx, "expiry written to employeeLeaveDateTime", map[string]any{"object_id": id, "expires_on": at.Format(time.RFC3339)})
		return nil
	}
	return diag.Diagnostics{expiryErrorDiagnostic(
		fmt.Sprintf("Writing expires_on of user %s to its employeeLeaveDateTime (PATCH /users/%s) failed.", id, id),
		graph.PermLifeCycleInfoWrite+" (with User.Read.All)", err)}
}

// readExpiry refreshes a managed expires_on from employeeLeaveDateTime: the
// configured spelling is kept while the instant is the same, Graph's value
// (RFC 3339, UTC) replaces it when it differs, and null when it was cleared,
// so the plan shows the drift and writes the date again.
func readExpiry(ctx context.Context, c *graph.Client, id string, m *guestUserResourceModelV0) diag.Diagnostics {
	if m.ExpiresOn.IsNull() || m.ExpiresOn.IsUnknown() {
		return nil
	}
	got, err := c.GetEmployeeLeaveDateTime(ctx, id)
	if err != nil {
		return diag.Diagnostics{expiryErrorDiagnostic(
			fmt.Sprintf("Reading employeeLeaveDateTime of user %s, where expires_on is kept (GET /users/%s?$select=employeeLeaveDateTime), failed.", id, id),
			graph.PermLifeCycleInfoRead+" (or "+graph.PermLifeCycleInfoWrite+")", err)}
	}
	prev, ok := parseExpiresOn(m.ExpiresOn.ValueString())
	switch {
	case got == nil:
		tflog.Info(ctx, "employeeLeaveDateTime was cleared outside Terraform", map[string]any{"object_id": id})
		m.ExpiresOn = types.StringNull()
	case !ok || !prev.Equal(*got):
		m.ExpiresOn = types.StringValue(got.UTC().Format(time.RFC3339))
	}
	return nil
}

// expiryErrorDiagnostic words a failed read or write of the expiry, naming
// the permission when Graph refused it.
func expiryErrorDiagnostic(attempted, perm string, err error) diag.Diagnostic {
	if graph.IsForbidden(err) {
		return diag.NewAttributeErrorDiagnostic(path.Root("expires_on"), "Missing Permission For expires_on",
			errorDetail(attempted,
				"expires_on is kept in the user's employeeLeaveDateTime, which Microsoft Graph guards with a permission of its own. "+
					"Grant the app registration the application permission "+perm+" and admin consent, or remove expires_on from this guest.", err))
	}
	return graphErrorAttributeDiagnostic(path.Root("expires_on"), "Error Managing Guest User Expiry", attempted, err)
}

// applyExpiry is the create step that writes expires_on, after the access.
// A failure leaves the guest in state with a warning (see createRun).
func (s *createRun) applyExpiry() bool {
	d := writeExpiry(s.ctx, s.c, s.id, types.StringNull(), s.plan.ExpiresOn)
	if !d.HasError() {
		return true
	}
	s.left = []string{"the expiry date (expires_on) in employeeLeaveDateTime", s.left[len(s.left)-1]}
	err := fmt.Errorf("%s", d[0].Detail())
	return s.incomplete(fmt.Sprintf("writing expires_on of user %s", s.id), path.Root("expires_on"), err, false)
}

// applyExpiry is the update step that writes expires_on, first, so that a
// missing permission changes nothing.
func (u *updateRun) applyExpiry() bool {
	if d := writeExpiry(u.ctx, u.c, u.id, u.state.ExpiresOn, u.plan.ExpiresOn); d.HasError() {
		return u.keep(*u.state, d...)
	}
	return true
}
