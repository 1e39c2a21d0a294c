package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ resource.Resource                   = (*guestUserResource)(nil)
	_ resource.ResourceWithConfigure      = (*guestUserResource)(nil)
	_ resource.ResourceWithImportState    = (*guestUserResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*guestUserResource)(nil)
	_ resource.ResourceWithValidateConfig = (*guestUserResource)(nil)
	_ resource.ResourceWithIdentity       = (*guestUserResource)(nil)
)

// NewGuestUserResource returns the b2b_guest_user resource, which manages one
// invited (B2B collaboration) user for its whole life.
func NewGuestUserResource() resource.Resource { return &guestUserResource{} }

type guestUserResource struct {
	data *providerData
}

func (r *guestUserResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_guest_user"
}

func (r *guestUserResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data, diags := providerDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	if data != nil {
		r.data = data
	}
}

func (r *guestUserResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = guestUserSchemaV0(ctx)
}

func (r *guestUserResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"object_id": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       "The object ID (a GUID) of the user in Microsoft Entra ID.",
			},
		},
	}
}

// guestUserIdentityModelV0 is the resource identity: the object ID alone
// names a user in its tenant.
type guestUserIdentityModelV0 struct {
	ObjectID types.String `tfsdk:"object_id"`
}

// guestUserSchemaV0 is version 0 of the b2b_guest_user schema.
func guestUserSchemaV0(ctx context.Context) schema.Schema {
	attrs := map[string]schema.Attribute{
		"id": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "The object ID of the user in Microsoft Entra ID (a GUID). It never changes: an email change or a re-invitation keeps the same object, its group memberships and app assignments.",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"email": schema.StringAttribute{
			Required: true,
			MarkdownDescription: "The email address the invitation is sent to. Compared case-insensitively: `Alice@Partner.example` and `alice@partner.example` are the same guest, and a change of case alone plans nothing. " +
				"Changing it does **not** replace the guest: the new address is added to the user's `otherMails` and the invitation is re-sent to it with its redemption status reset (`resetRedemption`), so the object ID, group memberships and app access are kept and the guest redeems again with the new address. " +
				"The value " + emailValidator().Description(ctx) + ".",
			Validators:    []validator.String{emailValidator()},
			PlanModifiers: []planmodifier.String{caseInsensitiveString()},
		},
		"redirect_url": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Where the guest lands after redeeming the invitation, e.g. `https://myapps.microsoft.com`. Required to create the guest (and to re-invite it) unless the provider block sets `default_redirect_url`. Graph does not store it, so it is not read back: an imported guest has none, and setting it afterwards only updates the state. Rely on the provider's `default_redirect_url` for an import block to plan as a no-op. " +
				"The value " + httpsURLValidator().MarkdownDescription(ctx) + ".",
			Validators: []validator.String{httpsURLValidator()},
		},
		"user_type": schema.StringAttribute{
			Optional:            true,
			Computed:            true,
			Default:             stringdefault.StaticString(userTypeGuest),
			MarkdownDescription: "The user type: " + quotedList(userTypes) + ". Defaults to `" + userTypeGuest + "`. Changed in place (PATCH), without a new invitation.",
			Validators:          []validator.String{stringvalidator.OneOf(userTypes...)},
		},
		"send_invitation_message": schema.BoolAttribute{
			Optional: true,
			MarkdownDescription: "Whether Microsoft sends the invitation email when the guest is invited or re-invited. When unset, the provider's `default_send_invitation_message` applies, and without that **no email is sent** (Graph's own default): the guest then redeems through `redeem_url` or any direct link to your apps. " +
				"Only used when an invitation is sent; changing it alone does nothing in Entra.",
		},
		"reinvite_trigger": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Any string. When it changes to a new non-null value, the invitation is sent again for the same user with its redemption status reset (`resetRedemption`), keeping the object ID, groups and app access; the plan shows an in-place update. " +
				"Removing it does nothing. Use for a guest who lost access to the original mailbox or identity provider. " +
				"Like a new guest, a re-invitation is refused at plan time when the cross-tenant access settings block the guest's organization (*Guest Organization Blocked*).",
			Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"on_destroy": schema.StringAttribute{
			Optional: true,
			Computed: true,
			Default:  stringdefault.StaticString(onDestroyDelete),
			MarkdownDescription: "What destroying this resource does in Entra: " + quotedList(onDestroyModes) + ". " +
				"`delete` (default) soft-deletes the user, restorable from deleted items for 30 days; `purge` also removes it from deleted items (permanent); " +
				"`disable` sets `accountEnabled = false` and keeps the user; `abandon` only removes it from the Terraform state. " +
				"`purge` and `disable` wait until Graph shows the change; `delete` ends when Graph has accepted the deletion.",
			Validators: []validator.String{stringvalidator.OneOf(onDestroyModes...)},
		},
		"adopt_existing": schema.BoolAttribute{
			Optional: true,
			Computed: true,
			Default:  booldefault.StaticBool(false),
			MarkdownDescription: "When the email already belongs to a user at create time, take that user under management instead of failing (no invitation is sent, no email goes out). The plan shows a create, so it warns, naming the guest it will take over (and fails for an internal account's address); the apply warns again. " +
				"Defaults to `false`: create then fails with the object ID and the `terraform import` command to use. An internal account of the tenant (not a B2B guest) is never adopted.",
		},
		"expires_on": schema.StringAttribute{Optional: true, MarkdownDescription: expiresOnDescription, Validators: []validator.String{expiresOnValidator{}}},
		"account_enabled": schema.BoolAttribute{
			Optional: true,
			Computed: true,
			MarkdownDescription: "Whether the account can sign in. " + unmanagedWhenUnset +
				"It cannot be cleared (an account is either enabled or not): to block sign-in, set `false`.",
			PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
		},
		"business_phones": schema.ListAttribute{
			Optional:    true,
			Computed:    true,
			ElementType: types.StringType,
			MarkdownDescription: "The business phone number, as a list of at most one element (Graph allows only one). " + unmanagedWhenUnset +
				"Set `[]` to clear it in Entra.",
			Validators: []validator.List{
				listvalidator.SizeAtMost(1),
				// Graph documents no length for businessPhones; 64 characters matches mobilePhone.
				listvalidator.ValueStringsAre(graphLengthAtMost(64)),
			},
			PlanModifiers: []planmodifier.List{listplanmodifier.UseStateForUnknown()},
		},
		"other_mails": schema.SetAttribute{
			Optional:    true,
			Computed:    true,
			ElementType: types.StringType,
			MarkdownDescription: "Additional email addresses of the user (Graph `otherMails`). " + unmanagedWhenUnset +
				"Set `[]` to clear it in Entra. " +
				"When `email` changes, the provider adds the new address to `otherMails` as Graph requires for a re-invitation; that address is not reported here unless you list it, so it never causes a diff " +
				"(when `other_mails` is unset, the plan of an email change shows it as known after apply).",
			Validators:    []validator.Set{setvalidator.ValueStringsAre(emailValidator())},
			PlanModifiers: []planmodifier.Set{otherMailsKeptUnlessEmailChanges()},
		},

		"user_principal_name": computedString("The user principal name Entra assigned, e.g. `alice_partner.example#EXT#@contoso.onmicrosoft.com`."),
		"mail":                computedString("The user's primary email address (Graph `mail`)."),
		"invitation_state": computedString("The redemption state of the invitation (Graph `externalUserState`): `PendingAcceptance` until the guest redeems it, then `Accepted`. " +
			"A redemption is not a configuration change and never causes a diff."),
		"invitation_state_changed_at": computedString("When `invitation_state` last changed (RFC 3339)."),
		"creation_type":               computedString("How the user was created (Graph `creationType`): `Invitation` for invited guests; null for a user that was not invited (e.g. adopted)."),
		"created_at":                  computedString("When the user was created (RFC 3339)."),
		"redeem_url": schema.StringAttribute{
			Computed:  true,
			Sensitive: true,
			MarkdownDescription: "The invitation redemption URL. Only known right after the invitation is sent (create, email change or `reinvite_trigger` change); it is kept unchanged afterwards and is null for an imported or adopted guest. " +
				"Treat it as a secret: whoever holds it can redeem the invitation.",
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
	}
	for name, a := range accessAttributes() {
		attrs[name] = a
	}
	for name, a := range signInResourceAttributes() {
		attrs[name] = a
	}
	for _, f := range profileStringFields {
		attrs[f.attr] = schema.StringAttribute{
			Optional:            true,
			Computed:            true,
			MarkdownDescription: f.description + " " + unmanagedWhenUnset + f.clear.description(),
			Validators:          f.clear.validators(f.validators),
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		}
	}

	return schema.Schema{
		Version: 0,
		MarkdownDescription: "Invites an external user to the tenant with Microsoft Entra B2B collaboration and manages the guest for its whole life: profile, user type, email changes and re-invitations in place, drift detection and import.\n\n" +
			"Create first looks the email up (`mail` and `otherMails`): an existing user is an error naming its object ID and the import command, unless `adopt_existing = true`. " +
			"Within one run, blocks with the same address (in any letter case) are serialised, so only one invites; an email change onto an address another user holds is refused; and import and `adopt_existing` refuse an internal account (a user whose `creationType` is not `Invitation`, with no `externalUserState` and no `#EXT#` in its `userPrincipalName`). See the [one guest per address](../guides/one-guest-per-address) guide. " +
			"It then sends the invitation, waits until the new user is readable (Graph replicates for a few seconds), sets the profile fields the invitation cannot carry, adds the group memberships and sponsors (`group_ids`, `sponsor_ids`; retried while Graph does not yet accept the new user), and reads the user back. " +
			"With no profile fields set, only `User.Invite.All` and a read permission are needed; setting profile fields or changing anything later needs `User.ReadWrite.All`.\n\n" +
			"**Unset means unmanaged**: a profile attribute you do not set is never written to Entra and never diffs; the state records Entra's value, so an import plans nothing when the configuration matches the directory, and only real differences otherwise. " +
			"Removing an attribute from the configuration stops managing it and leaves Entra's value as it is (no change is planned). " +
			"To clear a property, set it to `\"\"` (strings Graph can clear) or `[]` (lists); `display_name`, `usage_location` and `account_enabled` cannot be cleared.",
		Attributes: attrs,
		Blocks: map[string]schema.Block{
			"invitation_message": schema.SingleNestedBlock{
				MarkdownDescription: "Customizes the invitation email (Graph `invitedUserMessageInfo`). Used only when an email is sent.",
				Attributes: map[string]schema.Attribute{
					"cc_recipient": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "One additional address to copy the invitation email to (Graph supports only one). The value " + emailValidator().Description(ctx) + ".",
						Validators:          []validator.String{emailValidator()},
					},
					"body": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "A plain-text message added to the invitation email.",
						Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
					},
					"language": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "The language of the invitation email: an ISO 639 language code, optionally with a script and region, e.g. `de`, `en-US`, `pt-BR` or `zh-Hans`; Graph's default is `en-US`. " +
							"Graph ignores it when `body` is set (the plan warns).",
						Validators: []validator.String{invitationLanguageValidator()},
					},
				},
			},
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
	}
}

func computedString(desc string) schema.StringAttribute {
	return schema.StringAttribute{
		Computed:            true,
		MarkdownDescription: desc,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}
