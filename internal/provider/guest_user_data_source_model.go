package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// fromUser copies a graph.User into the model. Graph's null (a nil
// pointer or "") becomes a null attribute, so `!= null` tests in HCL work.
func (m *guestUserDataSourceModelV0) fromUser(ctx context.Context, u *graph.User) diag.Diagnostics {
	var diags diag.Diagnostics
	m.ID = types.StringValue(u.ID)
	m.ObjectID = types.StringValue(u.ID)
	m.UserPrincipalName = nonEmptyString(u.UserPrincipalName)
	m.Mail = nonEmptyString(u.Mail)
	m.UserType = nonEmptyString(u.UserType)
	m.InvitationState = nonEmptyString(u.ExternalUserState)
	m.InvitationStateChangedAt = rfc3339(u.ExternalUserStateChangeDateTime)
	m.CreationType = nonEmptyString(u.CreationType)
	m.CreatedAt = rfc3339(u.CreatedDateTime)
	m.AccountEnabled = types.BoolPointerValue(u.AccountEnabled)
	m.LastSignInAt, m.LastNonInteractiveSignInAt, m.LastSuccessfulSignInAt = signInActivityModel(u)

	m.Profile = make(profileValues, len(profileAttrs))
	for _, f := range profileStringFields {
		v := types.StringPointerValue(f.user(u))
		if f.prop.Profile {
			m.Profile[f.attr] = v
		} else {
			m.DisplayName = v
		}
	}

	// Graph returns [] rather than null for empty collections; an empty
	// list (not null) keeps length() usable in HCL.
	var d diag.Diagnostics
	m.OtherMails, d = types.ListValueFrom(ctx, types.StringType, nonNilStrings(u.OtherMails))
	diags.Append(d...)
	m.BusinessPhones, d = types.ListValueFrom(ctx, types.StringType, nonNilStrings(u.BusinessPhones))
	diags.Append(d...)
	return diags
}

func nonEmptyString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

func rfc3339(t *time.Time) types.String {
	if t == nil || t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
