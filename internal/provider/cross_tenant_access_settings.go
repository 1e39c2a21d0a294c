package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// The cross-tenant access settings shared by b2b_cross_tenant_access_partner
// and b2b_cross_tenant_access_default: schema builders, models and their
// mapping to the graph package's plain types. Facts come from
// https://learn.microsoft.com/graph/api/resources/crosstenantaccesspolicyb2bsetting,
// https://learn.microsoft.com/graph/api/resources/crosstenantaccesspolicytargetconfiguration,
// https://learn.microsoft.com/graph/api/resources/crosstenantaccesspolicytarget and
// https://learn.microsoft.com/graph/api/resources/crosstenantaccesspolicyinboundtrust.

const (
	ctCreateTimeout = 5 * time.Minute
	ctReadTimeout   = 2 * time.Minute
	ctUpdateTimeout = 5 * time.Minute
	ctDeleteTimeout = 5 * time.Minute
)

// Allowed values, listed once for the validators and the descriptions.
// unknownFutureValue is Graph's evolvable-enum sentinel, not a setting.
var (
	ctAccessTypes     = []string{"allowed", "blocked"}
	ctUserGroupTypes  = []string{"user", "group"}
	ctApplicationType = []string{"application"}
	// ctKeywords are the targets that stand for a set instead of an ID,
	// each with the one target_type it fits.
	ctKeywords = map[string]string{
		"AllUsers": "user", "AllApplications": "application", "AllMicrosoftApps": "application", "Office365": "application",
	}
	// ctTenantIDPattern: Graph keys a partner by its tenant ID, a GUID.
	ctTenantIDPattern = guidPattern
)

func ctQuoted(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = "`" + v + "`"
	}
	return strings.Join(q, ", ")
}

// ctTargetModel is one target of a rule.
type ctTargetModel struct {
	Target     types.String `tfsdk:"target"`
	TargetType types.String `tfsdk:"target_type"`
}

// ctRuleModel is a rule: access allowed or blocked for its targets.
type ctRuleModel struct {
	AccessType types.String    `tfsdk:"access_type"`
	Targets    []ctTargetModel `tfsdk:"targets"`
}

// ctB2BModel is one direction of B2B collaboration or direct connect.
type ctB2BModel struct {
	UsersAndGroups *ctRuleModel `tfsdk:"users_and_groups"`
	Applications   *ctRuleModel `tfsdk:"applications"`
}

// ctTrustModel is inboundTrust.
type ctTrustModel struct {
	MFAAccepted                types.Bool `tfsdk:"mfa_accepted"`
	CompliantDeviceAccepted    types.Bool `tfsdk:"compliant_device_accepted"`
	HybridJoinedDeviceAccepted types.Bool `tfsdk:"hybrid_joined_device_accepted"`
}

// ctConsentModel is automaticUserConsentSettings.
type ctConsentModel struct {
	InboundAllowed  types.Bool `tfsdk:"inbound_allowed"`
	OutboundAllowed types.Bool `tfsdk:"outbound_allowed"`
}

// ctSettingsModel holds the four B2B settings and the inbound trust, the
// part of the model both resources share.
type ctSettingsModel struct {
	B2BCollaborationInbound  *ctB2BModel   `tfsdk:"b2b_collaboration_inbound"`
	B2BCollaborationOutbound *ctB2BModel   `tfsdk:"b2b_collaboration_outbound"`
	B2BDirectConnectInbound  *ctB2BModel   `tfsdk:"b2b_direct_connect_inbound"`
	B2BDirectConnectOutbound *ctB2BModel   `tfsdk:"b2b_direct_connect_outbound"`
	InboundTrust             *ctTrustModel `tfsdk:"inbound_trust"`
}

// ctSettingDescriptions say what each B2B setting governs.
var ctSettingDescriptions = map[string]string{
	"b2b_collaboration_inbound":   "Who from the other organization may be invited as a B2B collaboration guest, and to which of this tenant's applications (Graph `b2bCollaborationInbound`).",
	"b2b_collaboration_outbound":  "Which of this tenant's users and groups may be invited by the other organization, and to which of its applications (Graph `b2bCollaborationOutbound`).",
	"b2b_direct_connect_inbound":  "Who from the other organization may reach this tenant's applications through B2B direct connect (Teams shared channels), without a guest account (Graph `b2bDirectConnectInbound`).",
	"b2b_direct_connect_outbound": "Which of this tenant's users may reach the other organization's applications through B2B direct connect (Graph `b2bDirectConnectOutbound`).",
}

// ctTargetPattern matches what a target of the given types may be: an
// object ID (a GUID) or one of the keywords that fit those types. Graph
// takes nothing else
// (https://learn.microsoft.com/graph/api/resources/crosstenantaccesspolicytarget:
// "the unique identifier of the user, group, or application", a keyword, or
// a reserved application value); the keywords are case-sensitive as the
// page spells them.
func ctTargetPattern(types []string) (*regexp.Regexp, string) {
	var kws []string
	for kw, typ := range ctKeywords {
		if slices.Contains(types, typ) {
			kws = append(kws, kw)
		}
	}
	slices.Sort(kws)
	quoted := make([]string, len(kws))
	for i, kw := range kws {
		quoted[i] = regexp.QuoteMeta(kw)
	}
	re := regexp.MustCompile(`^(` + guidExpr + `|` + strings.Join(quoted, "|") + `)$`)
	return re, "must be an object ID (a GUID) or one of the keywords " + strings.Join(kws, ", ")
}

// ctRuleAttribute is users_and_groups or applications; types are the
// target types the list may hold.
func ctRuleAttribute(what string, types []string, keywords string) schema.SingleNestedAttribute {
	targetRE, targetMsg := ctTargetPattern(types)
	return schema.SingleNestedAttribute{
		MarkdownDescription: "The rule for " + what + ": whether its targets are allowed or blocked.",
		Optional:            true,
		Attributes: map[string]schema.Attribute{
			"access_type": schema.StringAttribute{
				MarkdownDescription: "Whether the targets are allowed or blocked: one of " + ctQuoted(ctAccessTypes) + ". `blocked` applies to the targets; everyone else is allowed, and the other way round.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.OneOf(ctAccessTypes...)},
			},
			"targets": schema.SetNestedAttribute{
				MarkdownDescription: "The users, groups or applications the rule applies to (at least one).",
				Required:            true,
				Validators:          []validator.Set{setvalidator.SizeAtLeast(1)},
				NestedObject: schema.NestedAttributeObject{
					Validators: []validator.Object{ctKeywordTypeValidator{}},
					Attributes: map[string]schema.Attribute{
						"target": schema.StringAttribute{
							MarkdownDescription: "An object ID (GUID) or a keyword: " + keywords + ".",
							Required:            true,
							Validators:          []validator.String{stringvalidator.RegexMatches(targetRE, targetMsg)},
						},
						"target_type": schema.StringAttribute{
							MarkdownDescription: "The kind of target: one of " + ctQuoted(types) + ".",
							Required:            true,
							Validators:          []validator.String{stringvalidator.OneOf(types...)},
						},
					},
				},
			},
		},
	}
}

func ctB2BAttribute(name, inherit string) schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		MarkdownDescription: ctSettingDescriptions[name] + " " + inherit,
		Optional:            true,
		Validators:          []validator.Object{ctNotEmptyValidator{}},
		Attributes: map[string]schema.Attribute{
			"users_and_groups": ctRuleAttribute("users and groups", ctUserGroupTypes, "`AllUsers` (target_type `user`)"),
			"applications": ctRuleAttribute("applications", ctApplicationType,
				"`AllApplications`, `AllMicrosoftApps` or `Office365` (target_type `application`)"),
		},
	}
}

func ctTrustAttribute(inherit string) schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		MarkdownDescription: "Which Conditional Access claims from the other organization's Microsoft Entra tenant this tenant trusts (Graph `inboundTrust`). " + inherit,
		Optional:            true,
		Attributes: map[string]schema.Attribute{
			"mfa_accepted": schema.BoolAttribute{
				MarkdownDescription: "Trust multifactor authentication done in the other tenant (`isMfaAccepted`).",
				Required:            true,
			},
			"compliant_device_accepted": schema.BoolAttribute{
				MarkdownDescription: "Trust the other tenant's compliant-device claim (`isCompliantDeviceAccepted`).",
				Required:            true,
			},
			"hybrid_joined_device_accepted": schema.BoolAttribute{
				MarkdownDescription: "Trust the other tenant's Microsoft Entra hybrid joined device claim (`isHybridAzureADJoinedDeviceAccepted`).",
				Required:            true,
			},
		},
	}
}

// ctSettingsAttributes are the shared attributes; inherit says what an
// unset one means for the resource.
func ctSettingsAttributes(inherit string) map[string]schema.Attribute {
	attrs := map[string]schema.Attribute{"inbound_trust": ctTrustAttribute(inherit)}
	for name := range ctSettingDescriptions {
		attrs[name] = ctB2BAttribute(name, inherit)
	}
	return attrs
}

// ctKeywordTypeValidator refuses a keyword target with a target_type it
// does not fit, which Graph refuses: AllUsers is a user target, and
// AllApplications, AllMicrosoftApps and Office365 are application targets
// (https://learn.microsoft.com/graph/api/resources/crosstenantaccesspolicytarget).
type ctKeywordTypeValidator struct{}

var _ validator.Object = ctKeywordTypeValidator{}

func (ctKeywordTypeValidator) Description(context.Context) string {
	return "a keyword target (AllUsers, AllApplications, AllMicrosoftApps, Office365) has the target_type it stands for"
}

func (v ctKeywordTypeValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (ctKeywordTypeValidator) ValidateObject(_ context.Context, req validator.ObjectRequest, resp *validator.ObjectResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	attrs := req.ConfigValue.Attributes()
	target, ok1 := attrs["target"].(basetypes.StringValue)
	typ, ok2 := attrs["target_type"].(basetypes.StringValue)
	if !ok1 || !ok2 || target.IsNull() || target.IsUnknown() || typ.IsNull() || typ.IsUnknown() {
		return
	}
	if want, isKeyword := ctKeywords[target.ValueString()]; isKeyword && want != typ.ValueString() {
		resp.Diagnostics.AddAttributeError(req.Path.AtName("target_type"), "Target Type Does Not Fit The Target",
			fmt.Sprintf("The target %q stands for all %ss, so its target_type must be %q, not %q; Microsoft Graph refuses the pair.\n\n"+
				"Set target_type = %q, or name a specific object by its ID instead of the keyword.",
				target.ValueString(), want, want, typ.ValueString(), want))
	}
}

// ctNotEmptyValidator refuses a setting written as {}: Graph would store
// no rule, which reads back as an unset (inherited) setting, not as {}.
type ctNotEmptyValidator struct{}

var _ validator.Object = ctNotEmptyValidator{}

func (ctNotEmptyValidator) Description(context.Context) string {
	return "sets users_and_groups, applications or both"
}

func (v ctNotEmptyValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (ctNotEmptyValidator) ValidateObject(_ context.Context, req validator.ObjectRequest, resp *validator.ObjectResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	for _, a := range req.ConfigValue.Attributes() {
		if !a.IsNull() {
			return
		}
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Empty Cross-Tenant Access Setting",
		"The setting names neither users_and_groups nor applications, so it would configure nothing.\n\n"+
			"Set at least one rule, or remove the setting to inherit it.")
}

// ctFromRule and the functions below map between models and graph types.
func ctToRule(m *ctRuleModel) *graph.CrossTenantTargetConfiguration {
	if m == nil {
		return nil
	}
	out := &graph.CrossTenantTargetConfiguration{AccessType: m.AccessType.ValueString()}
	for _, t := range m.Targets {
		out.Targets = append(out.Targets, graph.CrossTenantTarget{Target: t.Target.ValueString(), TargetType: t.TargetType.ValueString()})
	}
	return out
}

func ctFromRule(g *graph.CrossTenantTargetConfiguration) *ctRuleModel {
	if g == nil {
		return nil
	}
	out := &ctRuleModel{AccessType: types.StringValue(g.AccessType), Targets: []ctTargetModel{}}
	for _, t := range g.Targets {
		out.Targets = append(out.Targets, ctTargetModel{Target: types.StringValue(t.Target), TargetType: types.StringValue(t.TargetType)})
	}
	return out
}

func ctToB2B(m *ctB2BModel) *graph.CrossTenantB2BSetting {
	if m == nil {
		return nil
	}
	return &graph.CrossTenantB2BSetting{UsersAndGroups: ctToRule(m.UsersAndGroups), Applications: ctToRule(m.Applications)}
}

func ctFromB2B(g *graph.CrossTenantB2BSetting) *ctB2BModel {
	if g == nil {
		return nil
	}
	return &ctB2BModel{UsersAndGroups: ctFromRule(g.UsersAndGroups), Applications: ctFromRule(g.Applications)}
}

func ctToTrust(m *ctTrustModel) *graph.CrossTenantInboundTrust {
	if m == nil {
		return nil
	}
	return &graph.CrossTenantInboundTrust{
		MFAAccepted:                m.MFAAccepted.ValueBoolPointer(),
		CompliantDeviceAccepted:    m.CompliantDeviceAccepted.ValueBoolPointer(),
		HybridJoinedDeviceAccepted: m.HybridJoinedDeviceAccepted.ValueBoolPointer(),
	}
}

// ctFromTrust maps inboundTrust; a null claim inside it reads as false,
// which is what Entra applies.
func ctFromTrust(g *graph.CrossTenantInboundTrust) *ctTrustModel {
	if g == nil {
		return nil
	}
	return &ctTrustModel{
		MFAAccepted:                types.BoolValue(g.MFAAccepted != nil && *g.MFAAccepted),
		CompliantDeviceAccepted:    types.BoolValue(g.CompliantDeviceAccepted != nil && *g.CompliantDeviceAccepted),
		HybridJoinedDeviceAccepted: types.BoolValue(g.HybridJoinedDeviceAccepted != nil && *g.HybridJoinedDeviceAccepted),
	}
}

func (m ctSettingsModel) toGraph() graph.CrossTenantSettings {
	return graph.CrossTenantSettings{
		B2BCollaborationInbound:  ctToB2B(m.B2BCollaborationInbound),
		B2BCollaborationOutbound: ctToB2B(m.B2BCollaborationOutbound),
		B2BDirectConnectInbound:  ctToB2B(m.B2BDirectConnectInbound),
		B2BDirectConnectOutbound: ctToB2B(m.B2BDirectConnectOutbound),
		InboundTrust:             ctToTrust(m.InboundTrust),
	}
}

func ctSettingsFromGraph(g graph.CrossTenantSettings) ctSettingsModel {
	return ctSettingsModel{
		B2BCollaborationInbound:  ctFromB2B(g.B2BCollaborationInbound),
		B2BCollaborationOutbound: ctFromB2B(g.B2BCollaborationOutbound),
		B2BDirectConnectInbound:  ctFromB2B(g.B2BDirectConnectInbound),
		B2BDirectConnectOutbound: ctFromB2B(g.B2BDirectConnectOutbound),
		InboundTrust:             ctFromTrust(g.InboundTrust),
	}
}

// ctStringList converts a list model value to Go strings.
func ctStringList(l types.List) []string {
	out := []string{}
	for _, e := range l.Elements() {
		if s, ok := e.(basetypes.StringValue); ok {
			out = append(out, s.ValueString())
		}
	}
	return out
}

func ctListValue(vals []string) types.List {
	elems := make([]attr.Value, len(vals))
	for i, v := range vals {
		elems[i] = types.StringValue(v)
	}
	return types.ListValueMust(types.StringType, elems)
}

// ctImportByTenantID is ImportState of the resources keyed by a partner's
// tenant ID (what names the resource, for the error): tenant_id and id
// get Graph's spelling, the lower-case GUID, whatever the import ID's.
func ctImportByTenantID(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse, what string) {
	id := strings.TrimSpace(req.ID)
	if !ctTenantIDPattern.MatchString(id) {
		resp.Diagnostics.AddError("Invalid Import ID",
			errorDetail(fmt.Sprintf("Importing %s by %q, which is not a tenant ID.", what, req.ID),
				"Give the partner organization's tenant ID, a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47.", nil))
		return
	}
	id = strings.ToLower(id)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("tenant_id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
}
