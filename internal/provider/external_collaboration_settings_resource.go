package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

var (
	_ resource.Resource                = (*externalCollaborationSettingsResource)(nil)
	_ resource.ResourceWithConfigure   = (*externalCollaborationSettingsResource)(nil)
	_ resource.ResourceWithImportState = (*externalCollaborationSettingsResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*externalCollaborationSettingsResource)(nil)
)

// externalCollaborationSettingsID is the id of the tenant's one
// authorizationPolicy, and so the only import ID.
const externalCollaborationSettingsID = "authorizationPolicy"

// externalCollaborationSettingsTimeout bounds each operation when the
// timeouts block leaves it unset: one PATCH and one GET, with throttling retries.
const externalCollaborationSettingsTimeout = 5 * time.Minute

// guestAccessLevel is one value of guest_user_access: its name in the
// configuration, the role template Graph stores in guestUserRoleId, and
// what it means. The list is the one source for the validator, the
// description and both directions of the mapping.
type guestAccessLevel struct {
	name, roleID, meaning string
}

var guestAccessLevels = []guestAccessLevel{
	{"same_as_member", graph.GuestRoleSameAsMember, "guests have the same access to directory data as members (the User role)"},
	{"limited", graph.GuestRoleLimited, "guests have limited access to properties and memberships of directory objects (the Guest User role; Entra's default)"},
	{"restricted", graph.GuestRoleRestricted, "guests can see only their own profile and directory objects (the Restricted Guest User role)"},
}

// allowInvitesFromValues are Graph's allowInvitesFrom values and their meaning
// (https://learn.microsoft.com/graph/api/resources/authorizationpolicy, "allowInvitesFrom values").
var allowInvitesFromValues = []struct{ value, meaning string }{
	{"none", "nobody, administrators included, may invite guests"},
	{"adminsAndGuestInviters", "administrators and users in the Guest Inviter role may invite"},
	{"adminsGuestInvitersAndAllMembers", "those, and every member user, may invite"},
	{"everyone", "every user, guests included, may invite (Entra's default outside US Government)"},
}

// NewExternalCollaborationSettingsResource is the factory registered in the provider.
func NewExternalCollaborationSettingsResource() resource.Resource {
	return &externalCollaborationSettingsResource{}
}

// externalCollaborationSettingsResource manages the guest-related switches
// of the tenant's authorizationPolicy, a singleton that always exists.
type externalCollaborationSettingsResource struct {
	data *providerData
}

// externalCollaborationSettingsModelV0 is the b2b_external_collaboration_settings resource.
type externalCollaborationSettingsModelV0 struct {
	ID                                     types.String   `tfsdk:"id"`
	AllowInvitesFrom                       types.String   `tfsdk:"allow_invites_from"`
	GuestUserAccess                        types.String   `tfsdk:"guest_user_access"`
	AllowEmailVerifiedUsersToJoin          types.Bool     `tfsdk:"allow_email_verified_users_to_join"`
	AllowedToSignUpEmailBasedSubscriptions types.Bool     `tfsdk:"allowed_to_sign_up_email_based_subscriptions"`
	Timeouts                               timeouts.Value `tfsdk:"timeouts"`
}

// Metadata implements resource.Resource.
func (r *externalCollaborationSettingsResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_external_collaboration_settings"
}

// Schema implements resource.Resource.
func (r *externalCollaborationSettingsResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The tenant's external collaboration settings: who may invite guests, what guests may see, " +
			"and whether people may join by verifying their email. These are the guest-related switches of the tenant's " +
			"authorization policy (Microsoft Graph `/policies/authorizationPolicy`), which always exists: creating the resource " +
			"adopts it and changes only the attributes set in the configuration; attributes left unset are read and reported, " +
			"never changed. Only one such resource may exist per tenant.\n\n" +
			"**Destroy leaves the settings as they are** and only removes them from the state: restoring Entra's defaults " +
			"(everyone may invite) would widen who may invite guests, a change nobody planned.\n\n" +
			"Needs the Microsoft Graph application permission `Policy.ReadWrite.Authorization` (`Policy.Read.All` reads only).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Always `" + externalCollaborationSettingsID + "`, the ID of the tenant's authorization policy.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"allow_invites_from":                 allowInvitesFromAttribute(),
			"guest_user_access":                  guestUserAccessAttribute(),
			"allow_email_verified_users_to_join": optionalBool("Whether people may join the tenant by verifying their email address (email-verified self-service sign-up, `allowEmailVerifiedUsersToJoinOrganization`)."),
			"allowed_to_sign_up_email_based_subscriptions": optionalBool(
				"Whether users may sign up for email-based subscriptions, which also creates accounts for people outside the organization (`allowedToSignUpEmailBasedSubscriptions`)."),
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, Read: true, Update: true}),
		},
	}
}

func allowInvitesFromAttribute() schema.StringAttribute {
	values := make([]string, len(allowInvitesFromValues))
	lines := make([]string, len(allowInvitesFromValues))
	for i, v := range allowInvitesFromValues {
		values[i] = v.value
		lines[i] = fmt.Sprintf("`%s`: %s", v.value, v.meaning)
	}
	return schema.StringAttribute{
		Optional: true,
		Computed: true,
		MarkdownDescription: "Who may invite guests (`allowInvitesFrom`): " + strings.Join(lines, "; ") +
			". Unset: the tenant's current value is kept and reported.",
		Validators:    []validator.String{stringvalidator.OneOf(values...)},
		PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}

func guestUserAccessAttribute() schema.StringAttribute {
	names := make([]string, len(guestAccessLevels))
	lines := make([]string, len(guestAccessLevels))
	for i, l := range guestAccessLevels {
		names[i] = l.name
		lines[i] = fmt.Sprintf("`%s`: %s, role template `%s`", l.name, l.meaning, l.roleID)
	}
	return schema.StringAttribute{
		Optional: true,
		Computed: true,
		MarkdownDescription: "What guests may see in the directory (`guestUserRoleId`), by name: " + strings.Join(lines, "; ") +
			". Unset: the tenant's current value is kept and reported.",
		Validators:    []validator.String{stringvalidator.OneOf(names...)},
		PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}

func optionalBool(desc string) schema.BoolAttribute {
	return schema.BoolAttribute{
		Optional:            true,
		Computed:            true,
		MarkdownDescription: desc + " Unset: the tenant's current value is kept and reported.",
		PlanModifiers:       []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
	}
}

// Configure implements resource.ResourceWithConfigure.
func (r *externalCollaborationSettingsResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data, diags := providerDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	r.data = data
}

// guestRoleName maps a guestUserRoleId to its guest_user_access name, and
// reports false for a role the provider does not know.
func guestRoleName(roleID string) (string, bool) {
	for _, l := range guestAccessLevels {
		if strings.EqualFold(l.roleID, roleID) {
			return l.name, true
		}
	}
	return "", false
}

func guestRoleID(name string) string {
	for _, l := range guestAccessLevels {
		if l.name == name {
			return l.roleID
		}
	}
	return ""
}

// policyUpdate is the PATCH that takes state (nil for a create) to plan:
// every attribute the plan sets to a known value that differs.
func policyUpdate(plan externalCollaborationSettingsModelV0, state *externalCollaborationSettingsModelV0) graph.AuthorizationPolicyUpdate {
	var prior externalCollaborationSettingsModelV0 // all null: a create sends every set attribute
	if state != nil {
		prior = *state
	}
	changed := func(p, s attr.Value) bool { return !p.IsNull() && !p.IsUnknown() && !p.Equal(s) }
	var upd graph.AuthorizationPolicyUpdate
	if changed(plan.AllowInvitesFrom, prior.AllowInvitesFrom) {
		upd.AllowInvitesFrom = plan.AllowInvitesFrom.ValueStringPointer()
	}
	if changed(plan.GuestUserAccess, prior.GuestUserAccess) {
		id := guestRoleID(plan.GuestUserAccess.ValueString())
		upd.GuestUserRoleID = &id
	}
	if changed(plan.AllowEmailVerifiedUsersToJoin, prior.AllowEmailVerifiedUsersToJoin) {
		upd.AllowEmailVerifiedUsersToJoinOrganization = plan.AllowEmailVerifiedUsersToJoin.ValueBoolPointer()
	}
	if changed(plan.AllowedToSignUpEmailBasedSubscriptions, prior.AllowedToSignUpEmailBasedSubscriptions) {
		upd.AllowedToSignUpEmailBasedSubscriptions = plan.AllowedToSignUpEmailBasedSubscriptions.ValueBoolPointer()
	}
	return upd
}

// applyPolicy sets every attribute from what Graph returned, so that a
// change made in the portal shows as drift on the next plan.
func (m *externalCollaborationSettingsModelV0) applyPolicy(p *graph.AuthorizationPolicy) diag.Diagnostics {
	var diags diag.Diagnostics
	m.ID = types.StringValue(externalCollaborationSettingsID)
	m.AllowInvitesFrom = types.StringValue(p.AllowInvitesFrom)
	if p.AllowInvitesFrom == "" {
		m.AllowInvitesFrom = types.StringNull()
	}
	switch name, ok := guestRoleName(p.GuestUserRoleID); {
	case ok:
		m.GuestUserAccess = types.StringValue(name)
	case p.GuestUserRoleID == "":
		m.GuestUserAccess = types.StringNull()
	default:
		// A role Graph may add later: kept as its ID so the plan shows it.
		m.GuestUserAccess = types.StringValue(p.GuestUserRoleID)
		diags.AddAttributeWarning(path.Root("guest_user_access"), "Unknown Guest User Role",
			errorDetail(fmt.Sprintf("The tenant grants guests the role template %s, which is none of the three this provider knows.", p.GuestUserRoleID),
				"The attribute holds the role ID; set guest_user_access to one of the documented names to replace it.", nil))
	}
	m.AllowEmailVerifiedUsersToJoin = types.BoolPointerValue(p.AllowEmailVerifiedUsersToJoinOrganization)
	m.AllowedToSignUpEmailBasedSubscriptions = types.BoolPointerValue(p.AllowedToSignUpEmailBasedSubscriptions)
	return diags
}

func (m *externalCollaborationSettingsModelV0) timeoutsBlock() timeouts.Value { return m.Timeouts }

// save bounds the operation by its timeout, sends upd (if it changes
// anything), reads the policy back into m and saves m to state.
func (r *externalCollaborationSettingsResource) save(ctx context.Context, m *externalCollaborationSettingsModelV0,
	timeout operationTimeout, upd graph.AuthorizationPolicyUpdate, summary string, state *tfsdk.State,
) diag.Diagnostics {
	var diags diag.Diagnostics
	ctx, cancel, client := connectModel(ctx, r.data, m, timeout, externalCollaborationSettingsTimeout, &diags)
	defer cancel()
	if client == nil {
		return diags
	}
	if !upd.IsEmpty() {
		tflog.Debug(ctx, "updating the authorization policy", map[string]any{"fields": updatedFields(upd)})
		if err := client.UpdateAuthorizationPolicy(ctx, upd); err != nil {
			diags.Append(graphErrorDiagnostic(summary,
				fmt.Sprintf("Changing %s of the tenant's authorization policy (PATCH /policies/authorizationPolicy) failed.", updatedFields(upd)), err))
			return diags
		}
	}
	p, err := client.GetAuthorizationPolicy(ctx)
	if err != nil {
		diags.Append(graphErrorDiagnostic(summary, "Reading the tenant's authorization policy (GET /policies/authorizationPolicy) failed.", err))
		return diags
	}
	diags.Append(m.applyPolicy(p)...)
	if diags.HasError() {
		return diags
	}
	diags.Append(state.Set(ctx, m)...)
	return diags
}

// updatedFields names the Graph properties an update sends, for logs and diagnostics.
func updatedFields(upd graph.AuthorizationPolicyUpdate) string {
	var f []string
	if upd.AllowInvitesFrom != nil {
		f = append(f, "allowInvitesFrom")
	}
	if upd.GuestUserRoleID != nil {
		f = append(f, "guestUserRoleId")
	}
	if upd.AllowEmailVerifiedUsersToJoinOrganization != nil {
		f = append(f, "allowEmailVerifiedUsersToJoinOrganization")
	}
	if upd.AllowedToSignUpEmailBasedSubscriptions != nil {
		f = append(f, "allowedToSignUpEmailBasedSubscriptions")
	}
	return strings.Join(f, ", ")
}

// Create implements resource.Resource: it adopts the singleton and
// patches the attributes the configuration sets.
func (r *externalCollaborationSettingsResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan externalCollaborationSettingsModelV0
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(r.save(ctx, &plan, timeouts.Value.Create, policyUpdate(plan, nil),
		"Error Setting External Collaboration Settings", &resp.State)...)
}

// Read implements resource.Resource: every attribute from Graph, so that
// a change made in the portal shows as drift.
func (r *externalCollaborationSettingsResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state externalCollaborationSettingsModelV0
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(r.save(ctx, &state, timeouts.Value.Read, graph.AuthorizationPolicyUpdate{},
		"Error Reading External Collaboration Settings", &resp.State)...)
}

// Update implements resource.Resource: one PATCH of the changed attributes.
func (r *externalCollaborationSettingsResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state externalCollaborationSettingsModelV0
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(r.save(ctx, &plan, timeouts.Value.Update, policyUpdate(plan, &state),
		"Error Updating External Collaboration Settings", &resp.State)...)
}

// Delete implements resource.Resource. The policy cannot be deleted, and
// restoring Entra's defaults would open invitations to everyone, so the
// settings stay as they are; a warning says so.
func (r *externalCollaborationSettingsResource) Delete(ctx context.Context, _ resource.DeleteRequest, resp *resource.DeleteResponse) {
	tflog.Info(ctx, "external collaboration settings removed from state; the tenant's authorization policy is left as it is", nil)
	resp.Diagnostics.AddWarning("External Collaboration Settings Left As They Are",
		errorDetail("Removed b2b_external_collaboration_settings from the state only. The tenant's authorization policy always exists and keeps the values it has now.",
			"To restore Entra's defaults, apply the resource with allow_invites_from = \"everyone\", guest_user_access = \"limited\" and the switches set to true before removing it.", nil))
}

// ModifyPlan implements resource.ResourceWithModifyPlan. It changes no
// plan: a destroy plan shows every setting going to null, which reads as
// "the settings are removed or reset", while Delete leaves them as they are;
// the warning tells the reviewer so before the apply, not only after it.
func (r *externalCollaborationSettingsResource) ModifyPlan(_ context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if !req.Plan.Raw.IsNull() {
		return
	}
	resp.Diagnostics.AddWarning("External Collaboration Settings Will Be Left As They Are",
		errorDetail("Destroying b2b_external_collaboration_settings only removes it from the state: the plan shows its settings going to null, "+
			"but the tenant's authorization policy always exists and keeps the values it has now (who may invite guests, what guests may see, email-verified sign-up).",
			"To restore Entra's defaults, apply the resource with allow_invites_from = \"everyone\", guest_user_access = \"limited\" and the switches set to true before removing it.", nil))
}

// ImportState implements resource.ResourceWithImportState. The policy is a
// singleton, so the only ID is "authorizationPolicy".
func (r *externalCollaborationSettingsResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if req.ID != externalCollaborationSettingsID {
		resp.Diagnostics.AddError("Unexpected Import Identifier",
			errorDetail(fmt.Sprintf("Importing b2b_external_collaboration_settings with the ID %q: the tenant has one authorization policy, whose ID is %q.", req.ID, externalCollaborationSettingsID),
				fmt.Sprintf("Import it with the ID %q.", externalCollaborationSettingsID), nil))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), externalCollaborationSettingsID)...)
}
