package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/actionvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

var (
	_ action.Action                     = (*resendInvitationAction)(nil)
	_ action.ActionWithConfigure        = (*resendInvitationAction)(nil)
	_ action.ActionWithConfigValidators = (*resendInvitationAction)(nil)
)

// NewResendInvitationAction returns the b2b_resend_invitation action, which
// re-sends a guest's invitation on demand (terraform apply -invoke) or from
// a lifecycle action_trigger, without touching any resource state.
func NewResendInvitationAction() action.Action { return &resendInvitationAction{} }

type resendInvitationAction struct {
	data *providerData
}

// resendInvitationActionModelV0 is the action's configuration, version 0.
type resendInvitationActionModelV0 struct {
	ObjectID              types.String              `tfsdk:"object_id"`
	Email                 types.String              `tfsdk:"email"`
	RedirectURL           types.String              `tfsdk:"redirect_url"`
	SendInvitationMessage types.Bool                `tfsdk:"send_invitation_message"`
	InvitationMessage     *invitationMessageModelV0 `tfsdk:"invitation_message"`
}

func (a *resendInvitationAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_resend_invitation"
}

func (a *resendInvitationAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	data, diags := providerDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	if data != nil {
		a.data = data
	}
}

func (a *resendInvitationAction) Schema(ctx context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = resendInvitationSchemaV0(ctx)
}

func resendInvitationSchemaV0(ctx context.Context) schema.Schema {
	return schema.Schema{
		MarkdownDescription: "Re-sends the B2B invitation of an existing guest with its redemption status reset (`resetRedemption`): the object ID, group memberships and app access are kept, and the guest redeems again. " +
			"A guest who had redeemed goes back to `PendingAcceptance` (the next refresh shows it in `invitation_state`, with no diff) and signs in again after redeeming the new invitation. " +
			"The guest must exist: the action never invites a new user, and a guest deleted in the portal fails with *Guest User Not Found* (restore it from deleted items, or apply its `b2b_guest_user`, which invites it again). " +
			"An internal account of the tenant is refused (*User Is An Internal Account*): an invitation with redemption reset would convert it to B2B collaboration for good. " +
			"Identify the guest by `object_id` or by `email` (exactly one). Changes no Terraform state. Needs Terraform 1.14 or later and `User.Invite.All`; " +
			"OpenTofu has no `action` blocks (it fails with *Unsupported block type*): there, change the guest's `reinvite_trigger` instead.",
		Attributes: map[string]schema.Attribute{
			"object_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "The object ID (GUID) of the guest, e.g. `b2b_guest_user.example.id`.",
				Validators:          []validator.String{guidValidator("object ID of the guest user")},
			},
			"email": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The guest's email address; it must match exactly one user's mail or otherMails. The invitation is sent to this address. " +
					"The value " + emailValidator().Description(ctx) + ".",
				Validators: []validator.String{emailValidator()},
			},
			"redirect_url": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Where the guest lands after redeeming. Defaults to the provider's `default_redirect_url`; one of the two is required. The value " + httpsURLValidator().MarkdownDescription(ctx) + ".",
				Validators:          []validator.String{httpsURLValidator()},
			},
			"send_invitation_message": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Whether Microsoft emails the invitation. Defaults to the provider's `default_send_invitation_message`, else `true`: re-sending an invitation without an email is rarely what is meant.",
			},
		},
		Blocks: map[string]schema.Block{
			"invitation_message": schema.SingleNestedBlock{
				MarkdownDescription: "Customizes the invitation email, as in `b2b_guest_user`.",
				Attributes: map[string]schema.Attribute{
					"cc_recipient": schema.StringAttribute{Optional: true, MarkdownDescription: "One additional address to copy the email to.", Validators: []validator.String{emailValidator()}},
					"body":         schema.StringAttribute{Optional: true, MarkdownDescription: "A plain-text message added to the email.", Validators: []validator.String{stringvalidator.LengthAtLeast(1)}},
					"language": schema.StringAttribute{Optional: true, MarkdownDescription: "The language of the email (ignored by Graph when `body` is set): an ISO 639 language code, optionally with a script and region, e.g. `de`, `en-US` or `zh-Hans`. Graph's default is `en-US`.",
						Validators: []validator.String{invitationLanguageValidator()}},
				},
			},
		},
	}
}

func (a *resendInvitationAction) ConfigValidators(context.Context) []action.ConfigValidator {
	return []action.ConfigValidator{
		actionvalidator.ExactlyOneOf(path.MatchRoot("object_id"), path.MatchRoot("email")),
	}
}

func (a *resendInvitationAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var cfg resendInvitationActionModelV0
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, diags := a.data.requireClient()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	opts, diags := a.options(&cfg)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	var u *graph.User
	var address string
	if !cfg.ObjectID.IsNull() {
		u, address = resendTargetByID(ctx, c, cfg.ObjectID.ValueString(), &resp.Diagnostics)
	} else {
		u, address = resendTargetByEmail(ctx, c, cfg.Email.ValueString(), &resp.Diagnostics)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if !isB2BCollaborationUser(u) {
		resp.Diagnostics.Append(resendInternalAccountDiagnostic(cfg, u))
		return
	}

	if resp.SendProgress != nil {
		resp.SendProgress(action.InvokeProgressEvent{Message: fmt.Sprintf("Re-sending the invitation of user %s to %s", u.ID, address)})
	}
	_, err := c.Invite(ctx, opts.request(address, u.DisplayName, u.UserType, u.ID))
	if err != nil {
		resp.Diagnostics.Append(graphErrorDiagnostic("Error Re-Sending Invitation",
			fmt.Sprintf("Re-sending the invitation of user %s to %s (POST /invitations with resetRedemption) failed.", u.ID, address), err))
		return
	}
	tflog.Info(ctx, "re-sent invitation with redemption reset", map[string]any{"object_id": u.ID, "email_sent": opts.send})
}

// resendTargetByID reads the guest named by object_id and the address to
// re-send to; a diagnostic on object_id when there is none.
func resendTargetByID(ctx context.Context, c *graph.Client, id string, diags *diag.Diagnostics) (*graph.User, string) {
	got, err := c.GetUser(ctx, id)
	if graph.IsNotFound(err) {
		diags.Append(diag.NewAttributeErrorDiagnostic(path.Root("object_id"), "Guest User Not Found",
			errorDetail(fmt.Sprintf("Reading user %s to re-send its invitation: the directory has no such user, so no invitation was sent.", id),
				resendGoneHint, err)))
		return nil, ""
	}
	if err != nil {
		diags.Append(graphErrorAttributeDiagnostic(path.Root("object_id"), "Error Reading Guest User",
			fmt.Sprintf("Reading user %s to re-send its invitation failed; no invitation was sent.", id), err))
		return nil, ""
	}
	address := primaryAddress(got)
	if address == "" {
		diags.AddAttributeError(path.Root("object_id"), "Guest User Has No Email Address",
			fmt.Sprintf("User %s has neither mail nor otherMails, so there is no address to re-send the invitation to. Use email instead of object_id.", id))
		return nil, ""
	}
	return got, address
}

// resendTargetByEmail finds the one user whose mail or otherMails is
// address; a diagnostic on email when none or several have it.
func resendTargetByEmail(ctx context.Context, c *graph.Client, address string, diags *diag.Diagnostics) (*graph.User, string) {
	users, err := c.FindUsersByEmail(ctx, address)
	if err != nil {
		diags.Append(graphErrorAttributeDiagnostic(path.Root("email"), "Error Looking Up Guest User",
			fmt.Sprintf("Looking up %s (mail and otherMails) to re-send its invitation failed; no invitation was sent.", address), err))
		return nil, ""
	}
	switch len(users) {
	case 1:
		return &users[0], address
	case 0:
		diags.Append(diag.NewAttributeErrorDiagnostic(path.Root("email"), "Guest User Not Found",
			errorDetail(fmt.Sprintf("Looking up %s (mail and otherMails, case-insensitive) to re-send its invitation: no user has it, so no invitation was sent.", address),
				"Check the address. "+resendGoneHint, nil)))
	default:
		diags.AddAttributeError(path.Root("email"), "Guest User Not Found Uniquely",
			fmt.Sprintf("%s must be the mail or one of the otherMails of exactly one user to re-send its invitation, and %d users have it (%s). "+
				"Use object_id to name the user.", address, len(users), userIDs(users)))
	}
	return nil, ""
}

// resendInternalAccountDiagnostic refuses to re-send to an internal
// account (isB2BCollaborationUser). An invitation with resetRedemption to
// an internal user is Entra's way to convert it to B2B collaboration: once
// redeemed it signs in with external credentials, and the conversion is
// one-way (https://learn.microsoft.com/entra/external-id/invite-internal-users).
// A mistyped email or object_id must not do that to an employee.
func resendInternalAccountDiagnostic(cfg resendInvitationActionModelV0, u *graph.User) diag.Diagnostic {
	p := path.Root("object_id")
	if cfg.ObjectID.IsNull() {
		p = path.Root("email")
	}
	return diag.NewAttributeErrorDiagnostic(p, "User Is An Internal Account",
		errorDetail(fmt.Sprintf("Re-sending an invitation to user %s (%s) was refused: it is an internal account of the tenant, not a B2B guest "+
			"(%s). "+
			"An invitation with resetRedemption to an internal account converts it to B2B collaboration once redeemed: it then signs in with external credentials "+
			"instead of its own, and the change cannot be undone (https://learn.microsoft.com/entra/external-id/invite-internal-users). Nothing was sent.",
			u.ID, u.UserPrincipalName, internalAccountEvidence(u)),
			"Check object_id or email: b2b_resend_invitation is for B2B guests. If converting this account to B2B collaboration is really what you want, "+
				"do it deliberately in the Entra admin center (the user's overview > B2B collaboration > Invite), not through this action.", nil))
}

// resendGoneHint is what to do when the guest to re-invite does not
// exist: the action only re-sends, it never invites a new user, and the
// usual causes are a deletion in the portal or a replica not yet caught up.
const resendGoneHint = "A guest deleted in the portal is in the directory's deleted items for 30 days: restore it there and invoke the action again, " +
	"or, if a b2b_guest_user manages it, run terraform apply, which invites it again as a new user. " +
	"A guest invited moments ago can take a few seconds to become readable; invoke the action again shortly."

// options resolves the action's invitation settings as b2b_guest_user does,
// except that an unset send_invitation_message without a provider default
// sends the email: re-sending an invitation nobody receives is rarely meant.
func (a *resendInvitationAction) options(cfg *resendInvitationActionModelV0) (invitationOptions, diag.Diagnostics) {
	o := resolveInvitationOptions(a.data, cfg.RedirectURL, cfg.SendInvitationMessage, true, invitationMessageOf(cfg.InvitationMessage))
	if o.redirect == "" {
		return o, diag.Diagnostics{diag.NewAttributeErrorDiagnostic(path.Root("redirect_url"), "Missing Redirect URL",
			"Re-sending an invitation needs a redirect URL, and neither redirect_url nor the provider's default_redirect_url is set. "+
				"Set redirect_url in the action's config block or default_redirect_url in the provider block.")}
	}
	return o, nil
}
