package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// The filters of the b2b_guest_users data source and of the b2b_guest_user
// list resource are the same attributes with the same validation, so a
// query that works in one works in the other. They live here once.

// invitationStateValues are Graph's externalUserState values a guest can have.
var invitationStateValues = []string{"PendingAcceptance", "Accepted"}

// filterUserTypeValues are the userType values the filters accept.
var filterUserTypeValues = []string{filterDefaultUserType, "Member"}

// filterDefaultUserType is what user_type means when unset: the data source
// is about guests, and members are listed only when asked for.
const filterDefaultUserType = "Guest"

// guestUsersFilterModelV0 is the filter part of both configurations.
type guestUsersFilterModelV0 struct {
	InvitationState   types.String `tfsdk:"invitation_state"`
	EmailDomain       types.String `tfsdk:"email_domain"`
	DisplayNamePrefix types.String `tfsdk:"display_name_prefix"`
	CreatedAfter      types.String `tfsdk:"created_after"`
	CreatedBefore     types.String `tfsdk:"created_before"`
	MemberOfGroupID   types.String `tfsdk:"member_of_group_id"`
	UserType          types.String `tfsdk:"user_type"`

	staleGuestFilterModelV0 // inactive_for_days, never_signed_in, pending_for_days, expired
}

// guestFilterAttribute describes one filter for both schema kinds.
type guestFilterAttribute struct {
	description string
	validators  []validator.String
}

// guestFilterAttributes are the filters, keyed by attribute name.
func guestFilterAttributes() map[string]guestFilterAttribute {
	return map[string]guestFilterAttribute{
		"invitation_state": {
			description: "Only guests whose invitation is in this state (Graph's `externalUserState`): " + quotedList(invitationStateValues) + ".",
			validators:  []validator.String{stringvalidator.OneOf(invitationStateValues...)},
		},
		"email_domain": {
			description: "Only users whose `mail` ends with `@` followed by this domain, e.g. `partner.example` (case-insensitive; " +
				"a subdomain such as `eu.partner.example` is a different domain). Graph evaluates it as an advanced query, " +
				"whose index can lag a few seconds behind new invitations.",
			validators: []validator.String{stringCheckValidator{description: "a domain name such as partner.example", check: checkEmailDomain}},
		},
		"display_name_prefix": {
			description: "Only users whose display name starts with this text (case-insensitive).",
			validators:  []validator.String{graphLengthAtMost(256)}, // displayName's 256 characters
		},
		"created_after": {
			description: "Only users created at or after this time (RFC 3339, e.g. `2024-01-31T00:00:00Z`).",
			validators:  []validator.String{stringCheckValidator{description: "an RFC 3339 timestamp", check: checkRFC3339}},
		},
		"created_before": {
			description: "Only users created at or before this time (RFC 3339, e.g. `2024-12-31T23:59:59Z`).",
			validators:  []validator.String{stringCheckValidator{description: "an RFC 3339 timestamp", check: checkRFC3339}},
		},
		"member_of_group_id": {
			description: "Only direct members of the group with this object ID. Needs the Microsoft Graph application permission " +
				"`GroupMember.Read.All` (or `Group.Read.All`, `Directory.Read.All`) in addition to `User.Read.All`.",
			validators: []validator.String{guidValidator("object ID of the group")},
		},
		"user_type": {
			description: "Only users of this type: " + quotedList(filterUserTypeValues) + ". Defaults to `Guest`.",
			validators:  []validator.String{stringvalidator.OneOf(filterUserTypeValues...)},
		},
	}
}

// checkEmailDomain returns "" when s is a domain name, else what is wrong.
func checkEmailDomain(s string) string {
	if strings.Contains(s, "@") {
		return fmt.Sprintf("%q contains @: expected only the domain part of the addresses, e.g. partner.example", s)
	}
	if !isDomainName(s) {
		return fmt.Sprintf("%q is not a domain name: expected labels of letters, digits and hyphens separated by dots, e.g. partner.example", s)
	}
	return ""
}

// checkRFC3339 returns "" when s is an RFC 3339 timestamp, else what is wrong.
func checkRFC3339(s string) string {
	if _, err := time.Parse(time.RFC3339, s); err != nil {
		return fmt.Sprintf("%q is not an RFC 3339 timestamp: expected a date, time and offset such as 2024-01-31T00:00:00Z or 2024-01-31T09:00:00+01:00", s)
	}
	return ""
}

// validateRange reports created_after later than created_before, a filter
// that matches nothing and is always a mistake. Unknown values are skipped.
func (f guestUsersFilterModelV0) validateRange() diag.Diagnostics {
	var diags diag.Diagnostics
	if f.CreatedAfter.IsNull() || f.CreatedAfter.IsUnknown() || f.CreatedBefore.IsNull() || f.CreatedBefore.IsUnknown() {
		return diags
	}
	after, err1 := time.Parse(time.RFC3339, f.CreatedAfter.ValueString())
	before, err2 := time.Parse(time.RFC3339, f.CreatedBefore.ValueString())
	if err1 != nil || err2 != nil {
		return diags // the attribute validators report the format
	}
	if after.After(before) {
		diags.AddAttributeError(path.Root("created_after"), "Invalid Attribute Combination",
			fmt.Sprintf("Attribute created_after (%s) is later than created_before (%s), so no user can match: "+
				"expected created_after at or before created_before.", f.CreatedAfter.ValueString(), f.CreatedBefore.ValueString()))
	}
	return diags
}

// userType is the user_type filter with its default applied.
func (f guestUsersFilterModelV0) userType() string {
	if f.UserType.IsNull() || f.UserType.IsUnknown() {
		return filterDefaultUserType
	}
	return f.UserType.ValueString()
}

// graphFilter turns the configuration into the graph package's filter.
// Validation has already run, so a parse error cannot happen here; it is
// still reported rather than ignored, with the attribute path.
func (f guestUsersFilterModelV0) graphFilter() (graph.GuestFilter, diag.Diagnostics) {
	var diags diag.Diagnostics
	gf := graph.GuestFilter{
		UserType:          f.userType(),
		ExternalUserState: f.InvitationState.ValueString(),
		DisplayNamePrefix: f.DisplayNamePrefix.ValueString(),
		MailDomain:        f.EmailDomain.ValueString(),
	}
	parse := func(name string, v types.String) *time.Time {
		if v.IsNull() || v.IsUnknown() {
			return nil
		}
		t, err := time.Parse(time.RFC3339, v.ValueString())
		if err != nil {
			diags.AddAttributeError(path.Root(name), "Invalid Attribute Value",
				fmt.Sprintf("Attribute %s: %s.", name, checkRFC3339(v.ValueString())))
			return nil
		}
		return &t
	}
	gf.CreatedAfter = parse("created_after", f.CreatedAfter)
	gf.CreatedBefore = parse("created_before", f.CreatedBefore)
	return gf, diags
}

// listGuests runs the query: the group's members when member_of_group_id
// is set (filtered the same way), else GET /users with $filter.
// maxResults > 0 stops once that many guests are found.
func (f guestUsersFilterModelV0) listGuests(ctx context.Context, data *providerData, c *graph.Client, pageSize, maxResults int) ([]graph.User, diag.Diagnostics) {
	gf, diags := f.graphFilter()
	if diags.HasError() {
		return nil, diags
	}
	if !data.ReadSignInActivity {
		for _, attr := range f.needsSignIn() {
			diags.Append(signInNotReadDiagnostic(attr))
		}
		if diags.HasError() {
			return nil, diags
		}
	}
	stale := staleQuery{staleGuestFilterModelV0: f.staleGuestFilterModelV0, now: data.clock()}
	stale.apply(&gf)
	gf.PageSize, gf.MaxResults = pageSize, maxResults
	if stale.local() {
		gf.MaxResults = 0 // the provider drops users after the listing, then applies maxResults
	}
	users, diags := f.listUsers(ctx, c, gf, diags)
	return stale.keepStale(users, maxResults), diags
}

// listUsers runs gf: the group's members when member_of_group_id is set
// (filtered the same way), else GET /users with $filter.
func (f guestUsersFilterModelV0) listUsers(ctx context.Context, c *graph.Client, gf graph.GuestFilter, diags diag.Diagnostics) ([]graph.User, diag.Diagnostics) {
	if group := f.MemberOfGroupID.ValueString(); group != "" {
		users, err := c.ListGroupMemberUsers(ctx, group, gf)
		if graph.IsNotFound(err) {
			diags.AddAttributeError(path.Root("member_of_group_id"), "Group Not Found",
				errorDetail(fmt.Sprintf("Listed the members of the group with object ID %q: the directory has no such group.", group),
					"Check the group's object ID (Entra admin center > Groups > the group > Object ID).", err))
			return nil, diags
		}
		if err != nil {
			diags.Append(graphErrorAttributeDiagnostic(path.Root("member_of_group_id"), "Error Listing Guest Users",
				fmt.Sprintf("Listing the user members of group %s (GET /groups/%s/members, then GET /users for their sign-ins when read_sign_in_activity is true) failed; the Graph error below names the request.", group, group), err))
			return nil, diags
		}
		return users, diags
	}
	users, err := c.ListUsers(ctx, gf)
	if err != nil {
		diags.Append(graphErrorDiagnostic("Error Listing Guest Users",
			"Listing the users that match the filters (GET /users with $filter) failed.", err))
		return nil, diags
	}
	return users, diags
}
