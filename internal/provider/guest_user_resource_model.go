package provider

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
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
	ExpiresOn             types.String              `tfsdk:"expires_on"`

	DisplayName    types.String `tfsdk:"display_name"`
	AccountEnabled types.Bool   `tfsdk:"account_enabled"`
	BusinessPhones types.List   `tfsdk:"business_phones"`
	OtherMails     types.Set    `tfsdk:"other_mails"`

	GroupIDs   types.Set `tfsdk:"group_ids"`
	SponsorIDs types.Set `tfsdk:"sponsor_ids"`

	UserPrincipalName        types.String `tfsdk:"user_principal_name"`
	Mail                     types.String `tfsdk:"mail"`
	InvitationState          types.String `tfsdk:"invitation_state"`
	InvitationStateChangedAt types.String `tfsdk:"invitation_state_changed_at"`
	CreationType             types.String `tfsdk:"creation_type"`
	CreatedAt                types.String `tfsdk:"created_at"`
	RedeemURL                types.String `tfsdk:"redeem_url"`

	// Sign-in activity (sign_in_activity.go): computed, read only when the provider opts in.
	LastSignInAt               types.String `tfsdk:"last_sign_in_at"`
	LastNonInteractiveSignInAt types.String `tfsdk:"last_non_interactive_sign_in_at"`
	LastSuccessfulSignInAt     types.String `tfsdk:"last_successful_sign_in_at"`

	Timeouts timeouts.Value `tfsdk:"timeouts"`

	// Profile holds the profile strings of the user-property table
	// (given_name, department, ...) by attribute name: no field per row.
	// getModel and setModel (model_codec.go) map them to the schema.
	Profile profileValues `tfsdk:"-"`
}

func (m *guestUserResourceModelV0) profile() *profileValues { return &m.Profile }

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

// applyUser copies what Graph returned into m. Every profile attribute
// records Entra's value, configured or not: the plan keeps an unconfigured
// one at its state value (Optional+Computed, UseStateForUnknown), so it
// never diffs and is never written, while a configured one that was edited
// out of band differs from its configuration and shows as drift. An import
// therefore plans nothing when the configuration matches the directory.
// email and redirect_url are inputs Graph does not echo; email is filled
// from Graph only when prior has none (import). prior also says which
// addresses other_mails lists (see reportedOtherMails).
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

	// A new map, not an edit of the one m may share with a copy (prior).
	m.Profile = make(profileValues, len(profileAttrs))
	for _, f := range profileStringFields {
		v := f.clear.emptyValue()
		if s := f.user(u); s != nil && *s != "" {
			v = types.StringValue(*s)
		}
		if f.prop.Profile {
			m.Profile[f.attr] = v
		} else {
			f.setValue(m, v)
		}
	}
	if u.AccountEnabled != nil {
		m.AccountEnabled = types.BoolValue(*u.AccountEnabled)
	} else {
		m.AccountEnabled = types.BoolNull()
	}
	l, d := types.ListValueFrom(ctx, types.StringType, nonNilStrings(u.BusinessPhones))
	diags.Append(d...)
	m.BusinessPhones = l
	s, d := types.SetValueFrom(ctx, types.StringType, reportedOtherMails(ctx, u.OtherMails, m.Email, prior.OtherMails))
	diags.Append(d...)
	m.OtherMails = s

	m.UserPrincipalName = stringOrNull(u.UserPrincipalName)
	m.Mail = stringOrNull(u.Mail)
	m.InvitationState = stringOrNull(u.ExternalUserState)
	m.InvitationStateChangedAt = timeOrNull(u.ExternalUserStateChangeDateTime)
	m.CreationType = stringOrNull(u.CreationType)
	m.CreatedAt = timeOrNull(u.CreatedDateTime)
	m.LastSignInAt, m.LastNonInteractiveSignInAt, m.LastSuccessfulSignInAt = signInActivityModel(u)
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
// `to`: only attributes whose value changed. A nil from (create or adopt)
// means "nothing known yet": every configured field the invitation does not
// carry is sent. Null or unknown in `to` is never sent: an attribute the
// configuration does not set plans its state value, so removing one from
// the configuration writes nothing (Graph refuses null for usageLocation).
// Clearing is explicit: "" (sent as JSON null, only where the clear rule
// allows it; the validators refuse it elsewhere) or [] for a list.
func profileUpdate(ctx context.Context, from, to *guestUserResourceModelV0, creating bool) (graph.UserUpdate, diag.Diagnostics) {
	var upd graph.UserUpdate
	writeProfileStrings(&upd, from, to, creating)
	if !creating && isKnown(to.UserType) && !to.UserType.Equal(from.UserType) {
		v := to.UserType.ValueString()
		upd.UserType = &v
	}
	if isKnown(to.AccountEnabled) && (creating || !to.AccountEnabled.Equal(from.AccountEnabled)) {
		v := to.AccountEnabled.ValueBool()
		upd.AccountEnabled = &v
	}
	// nil priors: nothing known yet, so every known list is sent.
	var priorPhones, priorMails attr.Value
	if !creating {
		priorPhones, priorMails = from.BusinessPhones, from.OtherMails
	}
	var diags, d diag.Diagnostics
	upd.BusinessPhones, d = stringsUpdate(ctx, priorPhones, to.BusinessPhones)
	diags.Append(d...)
	upd.OtherMails, d = stringsUpdate(ctx, priorMails, to.OtherMails)
	diags.Append(d...)
	return upd, diags
}

// writeProfileStrings adds to upd the string attributes of the profile
// table that profileUpdate sends (see there).
func writeProfileStrings(upd *graph.UserUpdate, from, to *guestUserResourceModelV0, creating bool) {
	for _, f := range profileStringFields {
		t := f.value(to)
		if !isKnown(t) || (creating && f.viaInvitation) || (!creating && t.Equal(f.value(from))) {
			continue
		}
		v := t.ValueString()
		if v == "" && !f.clear.clearable() {
			continue
		}
		f.write(upd, v) // the graph client sends "" as JSON null
	}
}

// stringsUpdate is the list or set of strings to send for the planned
// value to, whose state value is from (nil when nothing is known yet): nil
// when to is null, unknown or unchanged. An empty list is sent as [].
func stringsUpdate(ctx context.Context, from, to attr.Value) (*[]string, diag.Diagnostics) {
	if !isKnown(to) || (from != nil && to.Equal(from)) {
		return nil, nil
	}
	vals, diags := stringsOf(ctx, to)
	vals = nonNilStrings(vals)
	return &vals, diags
}

// isKnown reports whether a planned value is one to write: neither null
// (nothing configured, nothing recorded) nor unknown (Entra's value, not
// yet read, of an attribute the configuration does not set).
func isKnown(v interface {
	IsNull() bool
	IsUnknown() bool
}) bool {
	return !v.IsNull() && !v.IsUnknown()
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
	// Unconfigured profile attributes are unknown until Entra's value is
	// read; the next refresh records it.
	profile := make(profileValues, len(m.Profile))
	for name, v := range m.Profile {
		if v.IsUnknown() {
			v = types.StringNull()
		}
		profile[name] = v
	}
	m.Profile = profile
	if m.DisplayName.IsUnknown() {
		m.DisplayName = types.StringNull()
	}
	if m.AdoptExisting.IsUnknown() {
		m.AdoptExisting = types.BoolNull()
	}
	if m.AccountEnabled.IsUnknown() {
		m.AccountEnabled = types.BoolNull()
	}
	if m.BusinessPhones.IsUnknown() {
		m.BusinessPhones = types.ListNull(types.StringType)
	}
	if m.OtherMails.IsUnknown() {
		m.OtherMails = types.SetNull(types.StringType)
	}
}
