package provider

import (
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// The stale-guest filters of b2b_guest_users and the b2b_guest_user list
// resource (issue 15, part 3). Where Graph v1.0 documents the filter, it is
// sent as $filter; otherwise the provider keeps the matching users of the
// listing itself:
//
//   - inactive_for_days, never_signed_in: by the provider. signInActivity
//     "Supports $filter (eq, ne, not, ge, le) but not with any other
//     filterable properties" (https://learn.microsoft.com/graph/api/resources/user),
//     and every listing filters on userType; Graph has no documented filter
//     for "no sign-in" (the property is absent, not null, for such users),
//     and filtering on lastSuccessfulSignInDateTime is documented for beta
//     only (https://learn.microsoft.com/entra/identity/monitoring-health/howto-manage-inactive-user-accounts).
//   - pending_for_days: externalUserState eq 'PendingAcceptance' and
//     createdDateTime le the cut-off by Graph (both documented; an
//     invitation's state cannot change before the user exists, so the
//     second is implied), then the state change time by the provider:
//     externalUserStateChangeDateTime has no documented $filter.
//   - expired: employeeLeaveDateTime le now by Graph
//     ("Supports $filter (eq, ne, not , ge, le, in)"); expired = false by
//     the provider.

// staleGuestFilterModelV0 is the stale-guest part of the filters.
type staleGuestFilterModelV0 struct {
	InactiveForDays types.Int64 `tfsdk:"inactive_for_days"`
	NeverSignedIn   types.Bool  `tfsdk:"never_signed_in"`
	PendingForDays  types.Int64 `tfsdk:"pending_for_days"`
	Expired         types.Bool  `tfsdk:"expired"`
}

const (
	dayLength     = 24 * time.Hour
	stateAccepted = "Accepted"
	statePending  = "PendingAcceptance"
)

var (
	inactiveForDaysDescription = "Only guests with no successful sign-in for at least this many days: Graph's `lastSuccessfulSignInDateTime` is at least " +
		"this old, or, when Entra has no successful sign-in on record, the guest was created at least this long ago (a guest invited yesterday is not inactive). " +
		"Needs `read_sign_in_activity = true` in the provider block. Evaluated by the provider on the listed guests: Graph filters `signInActivity` only on its own, " +
		"never with the `userType` filter every listing sends. Days are 24 hours before the time of the read."
	neverSignedInDescription = "`true`: only guests Entra has no sign-in of at all (interactive, non-interactive or successful); `false`: only guests with at least one. " +
		"Needs `read_sign_in_activity = true`. Evaluated by the provider: Graph documents no filter for a missing `signInActivity`. " +
		"Entra keeps sign-ins since April 2020, so a guest who last signed in before that counts as never signed in."
	pendingForDaysDescription = "Only guests whose invitation has not been redeemed for at least this many days: `invitation_state` is `PendingAcceptance` and it was " +
		"last set (Graph's `externalUserStateChangeDateTime`, else `createdDateTime`) at least this long ago; a re-sent invitation (`reinvite_trigger`) counts from when it was re-sent. " +
		"Graph filters on the state and the creation time; the provider checks the state change time, which Graph cannot filter on."
	expiredDescription = "`true`: only users whose `employeeLeaveDateTime` (the leave date Entra's lifecycle workflows act on) is in the past; " +
		"`false`: only users without one or with one still ahead. `true` is evaluated by Graph (`employeeLeaveDateTime le` now), `false` by the provider. " +
		"Reading `employeeLeaveDateTime` needs the Microsoft Graph application permission `User-LifeCycleInfo.Read.All`."
)

// dayValidators refuse a negative number of days at plan time.
func dayValidators() []validator.Int64 { return []validator.Int64{int64validator.AtLeast(0)} }

// staleFilterDataSourceAttributes are the filters in the data source's schema.
func staleFilterDataSourceAttributes() map[string]dsschema.Attribute {
	return map[string]dsschema.Attribute{
		"inactive_for_days": dsschema.Int64Attribute{Optional: true, MarkdownDescription: inactiveForDaysDescription, Validators: dayValidators()},
		"never_signed_in":   dsschema.BoolAttribute{Optional: true, MarkdownDescription: neverSignedInDescription},
		"pending_for_days":  dsschema.Int64Attribute{Optional: true, MarkdownDescription: pendingForDaysDescription, Validators: dayValidators()},
		"expired":           dsschema.BoolAttribute{Optional: true, MarkdownDescription: expiredDescription},
	}
}

// staleFilterListAttributes are the same filters in the list resource's schema.
func staleFilterListAttributes() map[string]listschema.Attribute {
	return map[string]listschema.Attribute{
		"inactive_for_days": listschema.Int64Attribute{Optional: true, MarkdownDescription: inactiveForDaysDescription, Validators: dayValidators()},
		"never_signed_in":   listschema.BoolAttribute{Optional: true, MarkdownDescription: neverSignedInDescription},
		"pending_for_days":  listschema.Int64Attribute{Optional: true, MarkdownDescription: pendingForDaysDescription, Validators: dayValidators()},
		"expired":           listschema.BoolAttribute{Optional: true, MarkdownDescription: expiredDescription},
	}
}

// validateStale reports pending_for_days with an invitation_state other
// than PendingAcceptance, a filter that matches nothing.
func (f guestUsersFilterModelV0) validateStale() diag.Diagnostics {
	var diags diag.Diagnostics
	if f.PendingForDays.IsNull() || f.PendingForDays.IsUnknown() || f.InvitationState.IsUnknown() {
		return diags
	}
	if s := f.InvitationState.ValueString(); s != "" && s != statePending {
		diags.AddAttributeError(path.Root("pending_for_days"), "Invalid Attribute Combination",
			fmt.Sprintf("Attribute pending_for_days finds invitations still pending, but invitation_state is %q, so no user can match: "+
				"remove invitation_state, or set it to %q.", s, statePending))
	}
	return diags
}

// needsSignIn names the set filters that need sign-in activity.
func (s staleGuestFilterModelV0) needsSignIn() []string {
	var out []string
	if !s.InactiveForDays.IsNull() {
		out = append(out, "inactive_for_days")
	}
	if !s.NeverSignedIn.IsNull() {
		out = append(out, "never_signed_in")
	}
	return out
}

// staleQuery is the stale-guest filters resolved against a time: what
// Graph filters (apply) and what the provider keeps (keep).
type staleQuery struct {
	staleGuestFilterModelV0
	now time.Time
}

// local reports whether the provider filters the listing itself, so the
// listing cannot stop after maxResults users.
func (q staleQuery) local() bool {
	s := q.staleGuestFilterModelV0
	return !s.InactiveForDays.IsNull() || !s.NeverSignedIn.IsNull() || !s.PendingForDays.IsNull() ||
		(!s.Expired.IsNull() && !s.Expired.ValueBool())
}

// cutoff is now minus days.
func (q staleQuery) cutoff(days types.Int64) time.Time {
	return q.now.Add(-time.Duration(days.ValueInt64()) * dayLength)
}

// apply adds to gf what Graph filters.
func (q staleQuery) apply(gf *graph.GuestFilter) {
	if !q.PendingForDays.IsNull() {
		gf.ExternalUserState = statePending
		if c := q.cutoff(q.PendingForDays); gf.CreatedBefore == nil || c.Before(*gf.CreatedBefore) {
			gf.CreatedBefore = &c
		}
	}
	if !q.Expired.IsNull() {
		gf.ReadEmployeeLeave = true
		if q.Expired.ValueBool() {
			now := q.now
			gf.LeftBefore = &now
		}
	}
}

// keep reports whether u passes the filters the provider evaluates.
func (q staleQuery) keep(u *graph.User) bool {
	if !q.InactiveForDays.IsNull() && !q.inactive(u) {
		return false
	}
	if !q.NeverSignedIn.IsNull() && u.SignInActivity.Never() != q.NeverSignedIn.ValueBool() {
		return false
	}
	if !q.PendingForDays.IsNull() {
		since := u.ExternalUserStateChangeDateTime
		if since == nil {
			since = u.CreatedDateTime
		}
		if !strings.EqualFold(u.ExternalUserState, statePending) || since == nil || since.After(q.cutoff(q.PendingForDays)) {
			return false
		}
	}
	if !q.Expired.IsNull() {
		expired := u.EmployeeLeaveDateTime != nil && !u.EmployeeLeaveDateTime.After(q.now)
		if expired != q.Expired.ValueBool() {
			return false
		}
	}
	return true
}

// inactive: no successful sign-in since the cut-off (see inactiveForDaysDescription).
func (q staleQuery) inactive(u *graph.User) bool {
	last := u.CreatedDateTime
	if a := u.SignInActivity; a != nil && a.LastSuccessfulSignIn != nil {
		last = a.LastSuccessfulSignIn
	}
	return last != nil && !last.After(q.cutoff(q.InactiveForDays))
}

// keepStale filters users in place and applies maxResults.
func (q staleQuery) keepStale(users []graph.User, maxResults int) []graph.User {
	out := users[:0]
	for i := range users {
		if q.keep(&users[i]) {
			out = append(out, users[i])
		}
	}
	if maxResults > 0 && len(out) > maxResults {
		out = out[:maxResults]
	}
	return out
}

// signInNotReadDiagnostic explains that a sign-in filter needs the opt-in.
func signInNotReadDiagnostic(attr string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root(attr), "Sign-In Activity Not Read",
		errorDetail(fmt.Sprintf("Attribute %s filters guests by their sign-ins, but the provider does not read sign-in activity.", attr),
			"Set read_sign_in_activity = true in the provider block (the application then needs the Microsoft Graph permission AuditLog.Read.All, "+
				"and the tenant a Microsoft Entra ID P1 or P2 licence), or remove "+attr+".", nil))
}
