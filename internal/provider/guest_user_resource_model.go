package provider

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

var preferredLanguagePattern = regexp.MustCompile(`^[a-z]{2}(-[A-Z]{2})?$`)

// guestUserResourceModelV0 is the state and plan of b2b_guest_user, schema version 0.
type guestUserResourceModelV0 struct {
	ID                    types.String              `tfsdk:"id"`
	Email                 types.String              `tfsdk:"email"`
	RedirectURL           types.String              `tfsdk:"redirect_url"`
	UserType              types.String              `tfsdk:"user_type"`
	SendInvitationMessage types.Bool                `tfsdk:"send_invitation_message"`
	InvitationMessage     *invitationMessageModelV0 `tfsdk:"invitation_message"`
	ReinviteTrigger       types.String              `tfsdk:"reinvite_trigger"`
	OnDestroy             types.String              `tfsdk:"on_destroy"`
	AdoptExisting         types.Bool                `tfsdk:"adopt_existing"`

	DisplayName       types.String `tfsdk:"display_name"`
	GivenName         types.String `tfsdk:"given_name"`
	Surname           types.String `tfsdk:"surname"`
	JobTitle          types.String `tfsdk:"job_title"`
	Department        types.String `tfsdk:"department"`
	CompanyName       types.String `tfsdk:"company_name"`
	OfficeLocation    types.String `tfsdk:"office_location"`
	MobilePhone       types.String `tfsdk:"mobile_phone"`
	FaxNumber         types.String `tfsdk:"fax_number"`
	UsageLocation     types.String `tfsdk:"usage_location"`
	EmployeeID        types.String `tfsdk:"employee_id"`
	EmployeeType      types.String `tfsdk:"employee_type"`
	StreetAddress     types.String `tfsdk:"street_address"`
	City              types.String `tfsdk:"city"`
	State             types.String `tfsdk:"state"`
	PostalCode        types.String `tfsdk:"postal_code"`
	Country           types.String `tfsdk:"country"`
	PreferredLanguage types.String `tfsdk:"preferred_language"`
	AccountEnabled    types.Bool   `tfsdk:"account_enabled"`
	BusinessPhones    types.List   `tfsdk:"business_phones"`
	OtherMails        types.Set    `tfsdk:"other_mails"`

	GroupIDs   types.Set `tfsdk:"group_ids"`
	SponsorIDs types.Set `tfsdk:"sponsor_ids"`

	UserPrincipalName        types.String `tfsdk:"user_principal_name"`
	Mail                     types.String `tfsdk:"mail"`
	InvitationState          types.String `tfsdk:"invitation_state"`
	InvitationStateChangedAt types.String `tfsdk:"invitation_state_changed_at"`
	CreationType             types.String `tfsdk:"creation_type"`
	CreatedAt                types.String `tfsdk:"created_at"`
	RedeemURL                types.String `tfsdk:"redeem_url"`

	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

// invitationMessageModelV0 is the invitation_message block.
type invitationMessageModelV0 struct {
	CcRecipient types.String `tfsdk:"cc_recipient"`
	Body        types.String `tfsdk:"body"`
	Language    types.String `tfsdk:"language"`
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

func timeOrNull(t *time.Time) types.String {
	if t == nil || t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}

// applyUser copies what Graph returned into m. Managed-ness comes from
// prior: an optional attribute that is null in prior (not configured, or
// imported) stays null, so unmanaged properties never diff. Configured ones
// take Graph's value, so an out-of-band edit shows up as a diff.
// email and redirect_url are inputs Graph does not echo; email is filled
// from Graph only when prior has none (import).
func (m *guestUserResourceModelV0) applyUser(ctx context.Context, u *graph.User, prior *guestUserResourceModelV0) diag.Diagnostics {
	var diags diag.Diagnostics
	m.ID = types.StringValue(u.ID)
	if prior.Email.IsNull() || prior.Email.IsUnknown() {
		m.Email = stringOrNull(primaryAddress(u))
	}
	m.UserType = stringOrNull(u.UserType)
	if m.UserType.IsNull() {
		m.UserType = types.StringValue(userTypeGuest)
	}

	for _, f := range profileStringFields {
		if p := *f.model(prior); p.IsNull() {
			*f.model(m) = types.StringNull()
			continue
		}
		if v := f.user(u); v != nil && *v != "" {
			*f.model(m) = types.StringValue(*v)
		} else {
			*f.model(m) = types.StringNull()
		}
	}
	if prior.AccountEnabled.IsNull() {
		m.AccountEnabled = types.BoolNull()
	} else if u.AccountEnabled != nil {
		m.AccountEnabled = types.BoolValue(*u.AccountEnabled)
	} else {
		m.AccountEnabled = types.BoolNull()
	}
	if prior.BusinessPhones.IsNull() {
		m.BusinessPhones = types.ListNull(types.StringType)
	} else {
		l, d := types.ListValueFrom(ctx, types.StringType, nonNilStrings(u.BusinessPhones))
		diags.Append(d...)
		m.BusinessPhones = l
	}
	if prior.OtherMails.IsNull() {
		m.OtherMails = types.SetNull(types.StringType)
	} else {
		s, d := types.SetValueFrom(ctx, types.StringType, reportedOtherMails(ctx, u.OtherMails, m.Email, prior.OtherMails))
		diags.Append(d...)
		m.OtherMails = s
	}

	m.UserPrincipalName = stringOrNull(u.UserPrincipalName)
	m.Mail = stringOrNull(u.Mail)
	m.InvitationState = stringOrNull(u.ExternalUserState)
	m.InvitationStateChangedAt = timeOrNull(u.ExternalUserStateChangeDateTime)
	m.CreationType = stringOrNull(u.CreationType)
	m.CreatedAt = timeOrNull(u.CreatedDateTime)
	return diags
}

// primaryAddress is the address an imported user is known by: mail, or
// the first otherMails entry for users without a mailbox address.
func primaryAddress(u *graph.User) string {
	if u.Mail != "" {
		return u.Mail
	}
	if len(u.OtherMails) > 0 {
		return u.OtherMails[0]
	}
	return ""
}

// reportedOtherMails hides the invited address from other_mails unless the
// configuration lists it: the provider itself adds it to otherMails on an
// email change (Graph needs it there to re-invite), and reporting it would
// make every such guest diff forever.
func reportedOtherMails(ctx context.Context, graphMails []string, email types.String, prior types.Set) []string {
	listed := map[string]bool{}
	if !prior.IsNull() && !prior.IsUnknown() {
		var p []string
		_ = prior.ElementsAs(ctx, &p, false)
		for _, a := range p {
			listed[strings.ToLower(a)] = true
		}
	}
	out := []string{}
	for _, a := range graphMails {
		if strings.EqualFold(a, email.ValueString()) && !listed[strings.ToLower(a)] {
			continue
		}
		// Keep the configured spelling when Graph returns another case, so
		// case alone never diffs.
		out = append(out, a)
	}
	return out
}

// stringsOf converts a known list or set of strings.
func stringsOf(ctx context.Context, v interface {
	IsNull() bool
	IsUnknown() bool
}) ([]string, diag.Diagnostics) {
	var out []string
	var diags diag.Diagnostics
	switch t := v.(type) {
	case types.List:
		if t.IsNull() || t.IsUnknown() {
			return nil, nil
		}
		diags = t.ElementsAs(ctx, &out, false)
	case types.Set:
		if t.IsNull() || t.IsUnknown() {
			return nil, nil
		}
		diags = t.ElementsAs(ctx, &out, false)
	}
	return out, diags
}

// profileUpdate builds the PATCH that turns the state `from` into the plan
// `to`: only attributes whose value changed, and only managed ones. A nil
// from (create) means "nothing set yet": every configured field the
// invitation does not carry is sent.
func profileUpdate(ctx context.Context, from, to *guestUserResourceModelV0, creating bool) (graph.UserUpdate, diag.Diagnostics) {
	var upd graph.UserUpdate
	var diags diag.Diagnostics
	for _, f := range profileStringFields {
		t := *f.model(to)
		if creating {
			if t.IsNull() || f.viaInvitation {
				continue
			}
			v := t.ValueString()
			*f.update(&upd) = &v
			continue
		}
		if t.Equal(*f.model(from)) {
			continue
		}
		if t.IsNull() {
			if f.notClearable {
				continue
			}
			empty := ""
			*f.update(&upd) = &empty // the graph client sends JSON null
			continue
		}
		v := t.ValueString()
		*f.update(&upd) = &v
	}
	if !creating && !to.UserType.Equal(from.UserType) && !to.UserType.IsNull() {
		v := to.UserType.ValueString()
		upd.UserType = &v
	}
	if !to.AccountEnabled.IsNull() && (creating || !to.AccountEnabled.Equal(from.AccountEnabled)) {
		v := to.AccountEnabled.ValueBool()
		upd.AccountEnabled = &v
	}
	if creating || !to.BusinessPhones.Equal(from.BusinessPhones) {
		if !to.BusinessPhones.IsNull() || !creating {
			phones, d := stringsOf(ctx, to.BusinessPhones)
			diags.Append(d...)
			phones = nonNilStrings(phones)
			upd.BusinessPhones = &phones
		}
	}
	if creating || !to.OtherMails.Equal(from.OtherMails) {
		if !to.OtherMails.IsNull() || !creating {
			mails, d := stringsOf(ctx, to.OtherMails)
			diags.Append(d...)
			mails = nonNilStrings(mails)
			upd.OtherMails = &mails
		}
	}
	return upd, diags
}

// invitationMessage converts the invitation_message block.
func (m *guestUserResourceModelV0) invitationMessage() *graph.InvitationMessage {
	return invitationMessageOf(m.InvitationMessage)
}

func invitationMessageOf(b *invitationMessageModelV0) *graph.InvitationMessage {
	if b == nil {
		return nil
	}
	msg := &graph.InvitationMessage{
		CustomizedMessageBody: b.Body.ValueString(),
		MessageLanguage:       b.Language.ValueString(),
	}
	if !b.CcRecipient.IsNull() && b.CcRecipient.ValueString() != "" {
		msg.CcRecipients = []string{b.CcRecipient.ValueString()}
	}
	if msg.CustomizedMessageBody == "" && msg.MessageLanguage == "" && len(msg.CcRecipients) == 0 {
		return nil
	}
	return msg
}

// nullUnknowns replaces unknown computed values with null so a partial
// state (saved after a failure following the invitation) can be stored.
func (m *guestUserResourceModelV0) nullUnknowns() {
	for _, s := range []*types.String{&m.ID, &m.UserPrincipalName, &m.Mail, &m.InvitationState,
		&m.InvitationStateChangedAt, &m.CreationType, &m.CreatedAt, &m.RedeemURL, &m.UserType, &m.OnDestroy} {
		if s.IsUnknown() {
			*s = types.StringNull()
		}
	}
	if m.AdoptExisting.IsUnknown() {
		m.AdoptExisting = types.BoolNull()
	}
}
