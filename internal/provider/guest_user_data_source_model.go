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

	for _, f := range dataSourceProfileFields {
		*f.model(m) = types.StringPointerValue(f.user(u))
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

// dataSourceProfileField is a profile string of the b2b_guest_user data
// source: the resource's field (the same table row), bound to the data
// source's model.
type dataSourceProfileField struct {
	profileStringField
	model func(*guestUserDataSourceModelV0) *types.String
}

// dataSourceProfileFields are the data source's profile strings: every
// profile string of the resource, so the two cannot drift apart.
var dataSourceProfileFields = func() []dataSourceProfileField {
	out := make([]dataSourceProfileField, 0, len(profileStringFields))
	for _, f := range profileStringFields {
		out = append(out, dataSourceProfileField{profileStringField: f, model: stringFieldOf[guestUserDataSourceModelV0](f.attr)})
	}
	return out
}()
