package provider

import (
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// The three invitations b2b_guest_user and b2b_resend_invitation send
// (create, re-invitation on reinvite_trigger or an email change, resend)
// differ only in the reset of an existing user's redemption.
func TestInvitationRequestSameForCreateReinviteAndResend(t *testing.T) {
	t.Parallel()
	const id = "11111111-1111-1111-1111-111111111111"
	msg := &invitationMessageModelV0{CcRecipient: types.StringValue("cc@corp.example"), Body: types.StringValue("Welcome"), Language: types.StringNull()}
	var plan guestUserResourceModelV0
	plan.Email = types.StringValue("alice@partner.example")
	plan.DisplayName = types.StringValue("Alice")
	plan.UserType = types.StringValue("Guest")
	plan.RedirectURL = types.StringValue("https://myapps.microsoft.com")
	plan.SendInvitationMessage = types.BoolValue(true)
	plan.InvitationMessage = msg
	r := &guestUserResource{data: &providerData{}}

	create, diags := r.invitation(&plan, "")
	if diags.HasError() {
		t.Fatalf("create: %v", diags)
	}
	reinvite, diags := r.invitation(&plan, id)
	if diags.HasError() {
		t.Fatalf("reinvite: %v", diags)
	}
	a := &resendInvitationAction{data: &providerData{}}
	opts, diags := a.options(&resendInvitationActionModelV0{
		ObjectID: types.StringValue(id), Email: types.StringNull(), RedirectURL: plan.RedirectURL,
		SendInvitationMessage: plan.SendInvitationMessage, InvitationMessage: msg,
	})
	if diags.HasError() {
		t.Fatalf("resend: %v", diags)
	}
	resend := opts.request("alice@partner.example", "Alice", "Guest", id)

	want := graph.InvitationRequest{
		InvitedUserEmailAddress: "alice@partner.example",
		InvitedUserDisplayName:  "Alice",
		InviteRedirectURL:       "https://myapps.microsoft.com",
		InvitedUserType:         "Guest",
		SendInvitationMessage:   true,
		Message:                 &graph.InvitationMessage{CustomizedMessageBody: "Welcome", CcRecipients: []string{"cc@corp.example"}},
	}
	if !reflect.DeepEqual(create, want) {
		t.Errorf("create:\n got %+v\nwant %+v", create, want)
	}
	want.ResetRedemption, want.InvitedUserID = true, id
	if !reflect.DeepEqual(reinvite, want) {
		t.Errorf("reinvite:\n got %+v\nwant %+v", reinvite, want)
	}
	if !reflect.DeepEqual(resend, want) {
		t.Errorf("resend:\n got %+v\nwant %+v", resend, want)
	}
}

// Unset, the redirect URL and the email come from the provider block; without
// a provider default the resource sends no email (Graph's default) and the
// action sends one; with neither redirect URL both refuse on redirect_url.
func TestInvitationOptionsDefaults(t *testing.T) {
	t.Parallel()
	yes := true
	withDefaults := &providerData{DefaultRedirectURL: "https://portal.example", DefaultSendInvitationMessage: &yes}
	var plan guestUserResourceModelV0
	plan.Email = types.StringValue("bob@partner.example")
	cfg := resendInvitationActionModelV0{ObjectID: types.StringNull(), Email: plan.Email, RedirectURL: types.StringNull(), SendInvitationMessage: types.BoolNull()}

	req, diags := (&guestUserResource{data: withDefaults}).invitation(&plan, "")
	if diags.HasError() || req.InviteRedirectURL != "https://portal.example" || !req.SendInvitationMessage {
		t.Errorf("resource with provider defaults: %+v %v", req, diags)
	}
	opts, diags := (&resendInvitationAction{data: withDefaults}).options(&cfg)
	if diags.HasError() || opts.redirect != "https://portal.example" || !opts.send {
		t.Errorf("action with provider defaults: %+v %v", opts, diags)
	}

	plan.RedirectURL = types.StringValue("https://own.example")
	cfg.RedirectURL = plan.RedirectURL
	req, _ = (&guestUserResource{data: &providerData{}}).invitation(&plan, "")
	if req.InviteRedirectURL != "https://own.example" || req.SendInvitationMessage {
		t.Errorf("resource without provider defaults: %+v", req)
	}
	opts, _ = (&resendInvitationAction{data: &providerData{}}).options(&cfg)
	if opts.redirect != "https://own.example" || !opts.send {
		t.Errorf("action without provider defaults: %+v", opts)
	}

	plan.RedirectURL, cfg.RedirectURL = types.StringNull(), types.StringNull()
	for name, diags := range map[string]interface{ HasError() bool }{
		"resource": func() interface{ HasError() bool } { _, d := (&guestUserResource{}).invitation(&plan, ""); return d }(),
		"action":   func() interface{ HasError() bool } { _, d := (&resendInvitationAction{}).options(&cfg); return d }(),
	} {
		if !diags.HasError() {
			t.Errorf("%s without any redirect URL: no error", name)
		}
	}
}
