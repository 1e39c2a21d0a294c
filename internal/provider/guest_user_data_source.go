package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

var (
	_ datasource.DataSource                     = (*guestUserDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*guestUserDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*guestUserDataSource)(nil)
)

// guestUserDataSourceReadTimeout bounds a read when timeouts.read is unset;
// Graph throttling retries run until this deadline.
const guestUserDataSourceReadTimeout = 5 * time.Minute

// NewGuestUserDataSource is the factory registered in the provider.
func NewGuestUserDataSource() datasource.DataSource { return &guestUserDataSource{} }

// guestUserDataSource reads one existing user (guest or member) by object ID or email.
type guestUserDataSource struct {
	data *providerData
}

// guestUserDataSourceModelV0 is the b2b_guest_user data source.
type guestUserDataSourceModelV0 struct {
	ObjectID                 types.String `tfsdk:"object_id"`
	Email                    types.String `tfsdk:"email"`
	ID                       types.String `tfsdk:"id"`
	UserPrincipalName        types.String `tfsdk:"user_principal_name"`
	Mail                     types.String `tfsdk:"mail"`
	OtherMails               types.List   `tfsdk:"other_mails"`
	UserType                 types.String `tfsdk:"user_type"`
	InvitationState          types.String `tfsdk:"invitation_state"`
	InvitationStateChangedAt types.String `tfsdk:"invitation_state_changed_at"`
	CreationType             types.String `tfsdk:"creation_type"`
	CreatedAt                types.String `tfsdk:"created_at"`
	AccountEnabled           types.Bool   `tfsdk:"account_enabled"`
	BusinessPhones           types.List   `tfsdk:"business_phones"`

	// Sign-in activity (sign_in_activity.go): read only when the provider opts in.
	LastSignInAt               types.String `tfsdk:"last_sign_in_at"`
	LastNonInteractiveSignInAt types.String `tfsdk:"last_non_interactive_sign_in_at"`
	LastSuccessfulSignInAt     types.String `tfsdk:"last_successful_sign_in_at"`

	DisplayName types.String `tfsdk:"display_name"`

	Timeouts timeouts.Value `tfsdk:"timeouts"`

	// Profile holds the profile strings of the user-property table by
	// attribute name (see guestUserResourceModelV0.Profile).
	Profile profileValues `tfsdk:"-"`
}

func (m *guestUserDataSourceModelV0) profile() *profileValues { return &m.Profile }

// Metadata implements datasource.DataSource.
func (d *guestUserDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_guest_user"
}

// Schema implements datasource.DataSource.
func (d *guestUserDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = guestUserDataSourceSchemaV0(ctx)
}

// dataSourceStringAttrs are the computed string attributes and what they mean.
var dataSourceStringAttrs = map[string]string{
	"id":                          "The object ID of the user (same as `object_id`).",
	"user_principal_name":         "The user principal name; for invited guests it has the form `alice_partner.example#EXT#@contoso.onmicrosoft.com`.",
	"mail":                        "The user's primary email address.",
	"user_type":                   "`Guest` or `Member`.",
	"invitation_state":            "The invitation (external user) state: `PendingAcceptance`, `Accepted`, or null for users that were not invited.",
	"invitation_state_changed_at": "When `invitation_state` last changed (RFC 3339).",
	"creation_type":               "How the account was created; `Invitation` for B2B guests, null for users created directly.",
	"created_at":                  "When the user was created (RFC 3339).",
}

func guestUserDataSourceSchemaV0(ctx context.Context) schema.Schema {
	attrs := map[string]schema.Attribute{
		"object_id": schema.StringAttribute{
			Optional:            true,
			Computed:            true,
			MarkdownDescription: "The object ID of the user to read. Exactly one of `object_id` and `email` must be set; when `email` is set this is the ID found.",
			Validators:          []validator.String{guidValidator("object ID of the user")},
		},
		"email": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "The email address to look up, matched case-insensitively against `mail` and `otherMails`. " +
				"Exactly one user must match. Exactly one of `object_id` and `email` must be set.",
			Validators: []validator.String{emailValidator()},
		},
		"other_mails": schema.ListAttribute{
			Computed:            true,
			ElementType:         types.StringType,
			MarkdownDescription: "Additional email addresses of the user.",
		},
		"business_phones": schema.ListAttribute{
			Computed:            true,
			ElementType:         types.StringType,
			MarkdownDescription: "The business phone numbers.",
		},
		"account_enabled": schema.BoolAttribute{
			Computed:            true,
			MarkdownDescription: "Whether the account can sign in.",
		},
		"timeouts": timeouts.Attributes(ctx),
	}
	for name, desc := range dataSourceStringAttrs {
		attrs[name] = schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	for name, a := range signInDataSourceAttributes() {
		attrs[name] = a
	}
	for _, f := range profileStringFields {
		desc := profileDescription(f.prop)
		if f.attr == "display_name" {
			desc = "The user's display name." // the row's text speaks of the invitation
		}
		attrs[f.attr] = schema.StringAttribute{Computed: true, MarkdownDescription: desc + " Null when Entra has no value."}
	}
	return schema.Schema{
		MarkdownDescription: "Reads one existing user of the directory, usually a B2B guest, by object ID or by email address. " +
			"Needs the Microsoft Graph application permission `User.Read.All` (or `User.ReadWrite.All`, `Directory.Read.All`).",
		Attributes: attrs,
	}
}

// ConfigValidators implements datasource.DataSourceWithConfigValidators.
func (d *guestUserDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("object_id"), path.MatchRoot("email")),
	}
}

// Configure implements datasource.DataSourceWithConfigure.
func (d *guestUserDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	data, diags := providerDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	d.data = data
}

// Read implements datasource.DataSource.
func (d *guestUserDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m guestUserDataSourceModelV0
	resp.Diagnostics.Append(getModel(ctx, req.Config, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	client, diags := d.data.requireClient()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := m.Timeouts.Read(ctx, guestUserDataSourceReadTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	// The email lookup selects the same properties as GetUser, so a single
	// match is used as it is rather than read again by ID.
	var u *graph.User
	if !m.ObjectID.IsNull() {
		id := m.ObjectID.ValueString()
		got, err := client.GetUser(ctx, id)
		if err != nil {
			if graph.IsNotFound(err) {
				resp.Diagnostics.AddAttributeError(path.Root("object_id"), "User Not Found",
					errorDetail(fmt.Sprintf("Read the user with object ID %q: the directory has no such user.", id),
						"Check the object ID; a deleted user is in the directory's deleted items and cannot be read here.", err))
				return
			}
			resp.Diagnostics.Append(graphErrorDiagnostic("Error Reading User", fmt.Sprintf("Reading the user with object ID %q failed.", id), err))
			return
		}
		u = got
	} else {
		email := m.Email.ValueString()
		tflog.Debug(ctx, "looking up user by email", map[string]any{"email": email})
		users, err := client.FindUsersByEmail(ctx, email)
		if err != nil {
			resp.Diagnostics.Append(graphErrorAttributeDiagnostic(path.Root("email"), "Error Looking Up User",
				fmt.Sprintf("Searching the directory for a user whose mail or otherMails is %q failed.", email), err))
			return
		}
		switch len(users) {
		case 0:
			resp.Diagnostics.AddAttributeError(path.Root("email"), "User Not Found",
				errorDetail(fmt.Sprintf("Searched the directory for a user whose mail or otherMails is %q (case-insensitive); no user matched.", email),
					"Check the address. A guest invited moments ago may take a few seconds to become visible; look it up by object_id to avoid that.", nil))
			return
		case 1:
			u = &users[0]
		default:
			resp.Diagnostics.AddAttributeError(path.Root("email"), "More Than One User Found",
				errorDetail(fmt.Sprintf("Searched the directory for a user whose mail or otherMails is %q; %d users matched: %s.", email, len(users), userIDs(users)),
					"Look the user up by object_id instead.", nil))
			return
		}
	}

	resp.Diagnostics.Append(m.fromUser(ctx, u)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(setModel(ctx, &resp.State, &m)...)
}

// userIDs lists the object IDs of users for a diagnostic that has to say
// which users an ambiguous email address matched.
func userIDs(users []graph.User) string {
	ids := make([]string, len(users))
	for i := range users {
		ids[i] = users[i].ID
	}
	return strings.Join(ids, ", ")
}
