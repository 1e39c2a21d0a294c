package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// inviteLookupWindow is how long Create keeps looking an address up after
// an invitation whose answer was lost before it concludes that Graph never
// acted. It must outlast Graph's replication of new users, which hides a
// fresh guest from $filter for seconds and occasionally tens of seconds.
// A variable so tests can shorten it.
var inviteLookupWindow = 60 * time.Second

// maxInviteAttempts bounds how often one Create sends POST /invitations.
const maxInviteAttempts = 3

// inviteOnce sends the invitation so that the guest is invited at most
// once. The graph client never repeats a POST /invitations whose
// connection broke, because Graph may have created the guest before the
// answer was lost; here the address is looked up until replication could
// have shown it, a user that appears is taken as the invitation's result,
// and only when none appears is the invitation sent again.
func inviteOnce(ctx context.Context, c *graph.Client, req graph.InvitationRequest) (*graph.Invitation, error) {
	for attempt := 1; ; attempt++ {
		inv, err := c.Invite(ctx, req)
		if err == nil || !answerLost(ctx, err) || attempt == maxInviteAttempts {
			return inv, err
		}
		tflog.Warn(ctx, "the answer to the invitation was lost; looking the address up before inviting again",
			map[string]any{"attempt": attempt, "lookup_window": inviteLookupWindow.String()})
		id, lookupErr := findAfterLostInvitation(ctx, c, req.InvitedUserEmailAddress)
		switch {
		case lookupErr != nil:
			return nil, fmt.Errorf("%w; looking the address up afterwards also failed: %w", err, lookupErr)
		case id != "":
			tflog.Info(ctx, "the lost invitation had created the guest user", map[string]any{"object_id": id})
			// Graph's answer, and with it the redeem URL, is gone: the
			// guest still redeems through the email or any app link.
			return &graph.Invitation{InvitedUserID: id}, nil
		case ctx.Err() != nil:
			return nil, err
		}
	}
}

// answerLost reports an invitation whose outcome is unknown while the
// operation still has time left: no HTTP answer at all (connection dropped
// or reset after sending), or a 500, 502 or 504, which a gateway in front of
// Graph also gives when Graph acted but its answer did not come back in
// time (graph.IsOutcomeUnknown). Graph documents no idempotency key for
// POST /invitations (https://learn.microsoft.com/graph/api/invitation-post),
// so sending it again blindly could mail the guest twice.
func answerLost(ctx context.Context, err error) bool {
	return ctx.Err() == nil && graph.IsOutcomeUnknown(err)
}

// findAfterLostInvitation polls the address for up to inviteLookupWindow
// and returns the user's ID, or "" if none appeared in that time.
func findAfterLostInvitation(ctx context.Context, c *graph.Client, email string) (string, error) {
	lookupCtx, cancel := context.WithTimeout(ctx, inviteLookupWindow)
	defer cancel()
	var found []graph.User
	err := waitUntil(lookupCtx, "the invited address appears in the directory", func(ctx context.Context) (bool, error, error) {
		users, err := c.FindUsersByEmail(ctx, email)
		switch {
		case err == nil && len(users) > 0:
			found = users
			return true, nil, nil
		case err == nil:
			return false, errors.New("no user has the address yet"), nil
		case graph.IsForbidden(err) || graph.IsUnauthorized(err) || graph.IsBadRequest(err):
			return false, nil, err
		default:
			return false, err, nil
		}
	})
	switch {
	case err == nil && len(found) > 1:
		return "", fmt.Errorf("after the lost invitation %d users have the address %s; import the right one", len(found), email)
	case err == nil:
		return found[0].ID, nil
	case lookupCtx.Err() != nil:
		// The window passed (or the operation's timeout): nothing appeared.
		return "", nil
	default:
		return "", err
	}
}

// invitationOptions are the parts of an invitation that come from the
// configuration and the provider's defaults, not from the user invited:
// where the guest lands after redeeming, whether Microsoft emails the
// invitation, and that email's text. b2b_guest_user (create and
// re-invitation) and b2b_resend_invitation resolve them the same way.
type invitationOptions struct {
	redirect string
	send     bool
	message  *graph.InvitationMessage
}

// resolveInvitationOptions takes redirect_url, else the provider's
// default_redirect_url ("" when neither is set: the caller words the
// error for its own block), and send_invitation_message, else the
// provider's default_send_invitation_message, else sendDefault.
func resolveInvitationOptions(data *providerData, redirect types.String, send types.Bool, sendDefault bool, msg *graph.InvitationMessage) invitationOptions {
	o := invitationOptions{redirect: redirect.ValueString(), send: sendDefault, message: msg}
	if o.redirect == "" && data != nil {
		o.redirect = data.DefaultRedirectURL
	}
	switch {
	case !send.IsNull():
		o.send = send.ValueBool()
	case data != nil && data.DefaultSendInvitationMessage != nil:
		o.send = *data.DefaultSendInvitationMessage
	}
	return o
}

// request is the POST /invitations body for the person at email. A
// non-empty reinviteID names the existing user whose redemption Graph
// resets (a re-invitation or a resend: same object ID, the guest redeems
// again); "" invites a new guest.
// https://learn.microsoft.com/graph/api/invitation-post
func (o invitationOptions) request(email, displayName, userType, reinviteID string) graph.InvitationRequest {
	return graph.InvitationRequest{
		InvitedUserEmailAddress: email,
		InvitedUserDisplayName:  displayName,
		InviteRedirectURL:       o.redirect,
		InvitedUserType:         userType,
		SendInvitationMessage:   o.send,
		Message:                 o.message,
		ResetRedemption:         reinviteID != "",
		InvitedUserID:           reinviteID,
	}
}

// invitation is b2b_guest_user's invitation to m's email: a new guest when
// reinviteID is "", else a re-invitation of that user (see request). An
// unset send_invitation_message without a provider default sends no email,
// Graph's own default.
func (r *guestUserResource) invitation(m *guestUserResourceModelV0, reinviteID string) (graph.InvitationRequest, diag.Diagnostics) {
	o := resolveInvitationOptions(r.data, m.RedirectURL, m.SendInvitationMessage, false, m.invitationMessage())
	if o.redirect == "" {
		return graph.InvitationRequest{}, diag.Diagnostics{diag.NewAttributeErrorDiagnostic(path.Root("redirect_url"), "Missing Redirect URL",
			"Sending the invitation needs a redirect URL, and neither redirect_url nor the provider's default_redirect_url is set. "+
				"Set redirect_url on the resource (e.g. \"https://myapps.microsoft.com\") or default_redirect_url in the provider block.")}
	}
	req := o.request(m.Email.ValueString(), m.DisplayName.ValueString(), m.UserType.ValueString(), reinviteID)
	if reinviteID == "" {
		req.SponsorIDs = invitationSponsorIDs(m.SponsorIDs)
	}
	return req, nil
}

// invitationSponsorIDs are the sponsors a new guest's invitation carries
// (invitedUserSponsors): Graph v1.0 documents the relationship on the
// invitation (https://learn.microsoft.com/graph/api/resources/invitation#relationships),
// so the invitation sets them under User.Invite.All, with no sponsor call
// (User.ReadWrite.All) after it. None for an empty or unknown set: an empty
// sponsor_ids removes the sponsors Entra gave the guest, which Create's
// access step does.
func invitationSponsorIDs(s types.Set) []string {
	if s.IsNull() || s.IsUnknown() {
		return nil
	}
	var ids []string
	for _, e := range s.Elements() {
		v, ok := e.(types.String)
		if !ok || v.IsNull() || v.IsUnknown() {
			return nil
		}
		ids = append(ids, v.ValueString())
	}
	return ids
}

// invitedAccess is what the access step starts from after the invitation:
// nothing, or the sponsors the invitation already set.
func (s *createRun) invitedAccess() *guestUserResourceModelV0 {
	if !s.sponsorsInvited {
		return nil
	}
	from := newGuestUserModel()
	from.SponsorIDs = s.plan.SponsorIDs
	return &from
}
