package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

func TestGuestUserSchemaIsValid(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var resp resource.SchemaResponse
	NewGuestUserResource().Schema(ctx, resource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("schema: %v", resp.Diagnostics)
	}
	if d := resp.Schema.ValidateImplementation(ctx); d.HasError() {
		t.Fatalf("schema implementation: %v", d)
	}
	for name, a := range resp.Schema.Attributes {
		if a.GetMarkdownDescription() == "" {
			t.Errorf("attribute %s has no MarkdownDescription", name)
		}
	}
	// Every profile field in the table is an attribute of the model: a typo
	// in the table would otherwise surface only at apply time.
	for _, f := range profileStringFields {
		if _, ok := resp.Schema.Attributes[f.attr]; !ok {
			t.Errorf("profile field %s is not in the schema", f.attr)
		}
	}
}

func ref[T any](v T) *T { return &v }

// Read records Entra's value of every profile property, configured or not:
// the plan keeps an unconfigured one at its state value, so recording it
// makes an import plan nothing when the configuration matches the
// directory, while a configured one edited out of band shows as drift.
func TestApplyUserRecordsEntraValues(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	changed := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	u := &graph.User{
		ID: "11111111-2222-3333-4444-555555555555", DisplayName: "Alice", UserPrincipalName: "alice_partner.example#EXT#@contoso.onmicrosoft.com",
		Mail: "alice@partner.example", UserType: "Member", ExternalUserState: "Accepted", ExternalUserStateChangeDateTime: &changed,
		CreationType: "Invitation", AccountEnabled: ref(true),
		Profile:        map[string]string{"jobTitle": "Engineer", "department": "R&D", "surname": ""},
		BusinessPhones: []string{"+1 555"}, OtherMails: []string{"Alice@Partner.example", "a2@partner.example"},
	}
	prior := guestUserResourceModelV0{
		Email: types.StringValue("ALICE@partner.example"),
		Profile: profileValues{"job_title": types.StringValue("Old title"), "city": types.StringValue("Paris"),
			"department": types.StringNull()},
		AccountEnabled: types.BoolNull(),
		BusinessPhones: types.ListNull(types.StringType),
		OtherMails:     types.SetValueMust(types.StringType, nil),
	}
	m := prior
	if d := m.applyUser(ctx, u, &prior); d.HasError() {
		t.Fatal(d)
	}
	if m.Profile.get("job_title").ValueString() != "Engineer" {
		t.Errorf("job_title = %v, want Graph's value so drift shows", m.Profile.get("job_title"))
	}
	if m.Profile.get("department").ValueString() != "R&D" || m.DisplayName.ValueString() != "Alice" || !m.AccountEnabled.ValueBool() {
		t.Errorf("unconfigured properties must record Entra's values: %v %v %v", m.Profile.get("department"), m.DisplayName, m.AccountEnabled)
	}
	// Entra's "no value" is "" where "" is a configuration value (it
	// clears), null where the property cannot be cleared.
	if m.Profile.get("city").IsNull() || m.Profile.get("city").ValueString() != "" || m.Profile.get("surname").ValueString() != "" || m.Profile.get("surname").IsNull() {
		t.Errorf("empty clearable properties = %v %v, want \"\"", m.Profile.get("city"), m.Profile.get("surname"))
	}
	if !m.Profile.get("usage_location").IsNull() {
		t.Errorf("empty usage_location = %v, want null (it cannot be cleared, so \"\" is no configuration value)", m.Profile.get("usage_location"))
	}
	var phones []string
	m.BusinessPhones.ElementsAs(ctx, &phones, false)
	if len(phones) != 1 || phones[0] != "+1 555" {
		t.Errorf("business_phones = %v", m.BusinessPhones)
	}
	if m.Email.ValueString() != "ALICE@partner.example" {
		t.Errorf("email = %v, want the configured spelling kept", m.Email)
	}
	var mails []string
	m.OtherMails.ElementsAs(ctx, &mails, false)
	if len(mails) != 1 || mails[0] != "a2@partner.example" {
		t.Errorf("other_mails = %v, want the invited address hidden", mails)
	}
	if m.UserType.ValueString() != "Member" || m.InvitationState.ValueString() != "Accepted" ||
		m.InvitationStateChangedAt.ValueString() != "2026-01-02T03:04:05Z" || m.ID.ValueString() != u.ID {
		t.Errorf("computed values not copied: %+v", m)
	}

	// Import: email null -> filled from Graph's mail; the profile is recorded.
	imp := guestUserResourceModelV0{Email: types.StringNull(), BusinessPhones: types.ListNull(types.StringType), OtherMails: types.SetNull(types.StringType)}
	m2 := imp
	m2.applyUser(ctx, u, &imp)
	if m2.Email.ValueString() != "alice@partner.example" {
		t.Errorf("imported email = %v", m2.Email)
	}
	mails = nil
	m2.OtherMails.ElementsAs(ctx, &mails, false)
	if m2.Profile.get("job_title").ValueString() != "Engineer" || len(mails) != 1 || mails[0] != "a2@partner.example" {
		t.Errorf("import must record the profile (invited address hidden): %v %v", m2.Profile.get("job_title"), mails)
	}
}

func TestProfileUpdateSendsOnlyChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	base := guestUserResourceModelV0{
		Email: types.StringValue("a@b.example"), UserType: types.StringValue("Guest"),
		AccountEnabled: types.BoolNull(), BusinessPhones: types.ListNull(types.StringType), OtherMails: types.SetNull(types.StringType),
	}
	for _, f := range profileStringFields {
		f.setValue(&base, types.StringNull())
	}
	base.DisplayName = types.StringValue("A")
	base.Profile = base.Profile.with("job_title", types.StringValue("x")).with("city", types.StringValue("Paris"))
	// Create: everything configured except what the invitation carries.
	upd, _ := profileUpdate(ctx, nil, &base, true)
	if upd.DisplayName != nil || upd.UserType != nil {
		t.Errorf("create PATCH carries display_name/user_type the invitation already set: %+v", upd)
	}
	if upd.Profile["jobTitle"] != "x" || upd.Profile["city"] != "Paris" || len(upd.Profile) != 2 || upd.BusinessPhones != nil || upd.OtherMails != nil {
		t.Errorf("create PATCH wrong: %+v", upd)
	}
	// Nothing configured: unconfigured attributes plan unknown on create,
	// and no PATCH is sent at all (least privilege).
	bare := base
	for _, f := range profileStringFields {
		f.setValue(&bare, types.StringUnknown())
	}
	bare.AccountEnabled, bare.BusinessPhones, bare.OtherMails = types.BoolUnknown(), types.ListUnknown(types.StringType), types.SetUnknown(types.StringType)
	if upd, _ := profileUpdate(ctx, nil, &bare, true); !upd.IsEmpty() {
		t.Errorf("no profile configured must mean no PATCH, got %+v", upd)
	}

	// Update: job_title changed, city cleared with "", user_type changed.
	to := base
	to.Profile = to.Profile.with("job_title", types.StringValue("y")).with("city", types.StringValue(""))
	to.UserType = types.StringValue("Member")
	upd, _ = profileUpdate(ctx, &base, &to, false)
	if city, ok := upd.Profile["city"]; upd.Profile["jobTitle"] != "y" || !ok || city != "" || upd.UserType == nil || *upd.UserType != "Member" {
		t.Errorf("update PATCH = %+v, want job_title y, city cleared, user_type Member", upd)
	}
	delete(upd.Profile, "jobTitle")
	delete(upd.Profile, "city")
	upd.UserType = nil
	if !upd.IsEmpty() {
		t.Errorf("update PATCH has unchanged fields: %+v", upd)
	}
}

// Removing an attribute from the configuration never writes: the plan
// keeps the state value (UseStateForUnknown), and a null that reaches the
// builder anyway is not sent. "" is sent (as JSON null) only for the
// properties Graph documents as nullable; usageLocation and displayName
// would answer 400.
func TestProfileUpdateRemovalAndClearPerProperty(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	state := nullModel()
	for _, f := range profileStringFields {
		f.setValue(&state, types.StringValue("v"))
	}
	state.AccountEnabled = types.BoolValue(true)
	state.BusinessPhones = types.ListValueMust(types.StringType, []attr.Value{types.StringValue("+1 555")})
	state.OtherMails = types.SetValueMust(types.StringType, []attr.Value{types.StringValue("x@partner.example")})

	// What Terraform plans when every attribute is removed: the state.
	kept := state
	if upd, _ := profileUpdate(ctx, &state, &kept, false); !upd.IsEmpty() {
		t.Errorf("removing every attribute plans the state values and must send nothing, got %+v", upd)
	}
	nulled := state
	for _, f := range profileStringFields {
		f.setValue(&nulled, types.StringNull())
	}
	nulled.AccountEnabled, nulled.BusinessPhones, nulled.OtherMails = types.BoolNull(), types.ListNull(types.StringType), types.SetNull(types.StringType)
	if upd, _ := profileUpdate(ctx, &state, &nulled, false); !upd.IsEmpty() {
		t.Errorf("a null plan must never become a PATCH with null, got %+v", upd)
	}

	for _, f := range profileStringFields {
		to := state
		f.setValue(&to, types.StringValue(""))
		upd, _ := profileUpdate(ctx, &state, &to, false)
		got := f.written(&upd)
		switch {
		case f.clear.clearable() && (got == nil || *got != ""):
			t.Errorf("%s = \"\": want it cleared (JSON null), got %+v", f.attr, upd)
		case !f.clear.clearable() && !upd.IsEmpty():
			t.Errorf("%s cannot be cleared: want no PATCH, got %+v", f.attr, upd)
		}
		if f.clear.clearable() {
			delete(upd.Profile, f.prop.Graph)
			if !upd.IsEmpty() {
				t.Errorf("%s = \"\": PATCH has other fields: %+v", f.attr, upd)
			}
		}
	}

	// Lists clear with [].
	to := state
	to.BusinessPhones = types.ListValueMust(types.StringType, nil)
	to.OtherMails = types.SetValueMust(types.StringType, nil)
	upd, _ := profileUpdate(ctx, &state, &to, false)
	if upd.BusinessPhones == nil || len(*upd.BusinessPhones) != 0 || upd.OtherMails == nil || len(*upd.OtherMails) != 0 {
		t.Errorf("[] must empty the lists: %+v", upd)
	}
}

// "" is judged by the property's clear rule alone: accepted where Graph
// can clear the property, refused with the reason where it cannot, and
// never handed to a length or format check.
func TestEmptyStringFollowsClearRule(t *testing.T) {
	t.Parallel()
	rules := map[string]clearRule{}
	for _, f := range profileStringFields {
		rules[f.attr] = f.clear
		r := runStringValidator(f.clear.validators(f.validators)[0], types.StringValue(""))
		if f.clear.clearable() {
			if r.Diagnostics.HasError() {
				t.Errorf("%s = \"\" refused: %v", f.attr, r.Diagnostics)
			}
			continue
		}
		if !r.Diagnostics.HasError() || r.Diagnostics.Errors()[0].Summary() != "Property Cannot Be Cleared" || len(r.Diagnostics) != 1 {
			t.Errorf("%s = \"\": want one Property Cannot Be Cleared error, got %v", f.attr, r.Diagnostics)
		}
	}
	if rules["usage_location"] != clearNotNullable || rules["display_name"] != clearRequired {
		t.Errorf("usage_location and display_name must not be clearable: %v", rules)
	}
	// Values still go through the field's own validators.
	for _, f := range profileStringFields {
		if f.attr == "usage_location" {
			if r := runStringValidator(f.clear.validators(f.validators)[0], types.StringValue("XX")); !r.Diagnostics.HasError() {
				t.Errorf("usage_location XX accepted")
			}
		}
	}
}

func TestReinvitePlanned(t *testing.T) {
	t.Parallel()
	s := guestUserResourceModelV0{Email: types.StringValue("a@b.example"), ReinviteTrigger: types.StringValue("1")}
	cases := []struct {
		email, trigger types.String
		want           bool
	}{
		{types.StringValue("A@B.example"), types.StringValue("1"), false},
		{types.StringValue("c@b.example"), types.StringValue("1"), true},
		{types.StringValue("a@b.example"), types.StringValue("2"), true},
		{types.StringValue("a@b.example"), types.StringNull(), false},
		{types.StringValue("a@b.example"), types.StringUnknown(), true},
		{types.StringUnknown(), types.StringValue("1"), true},
	}
	for _, c := range cases {
		p := s
		p.Email, p.ReinviteTrigger = c.email, c.trigger
		if got := reinvitePlanned(&s, &p); got != c.want {
			t.Errorf("email %v trigger %v: got %v want %v", c.email, c.trigger, got, c.want)
		}
	}
}

func TestCaseInsensitiveEmailPlan(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		state, config, want string
	}{
		{"alice@x.example", "Alice@X.example", "alice@x.example"},
		{"alice@x.example", "bob@x.example", "bob@x.example"},
	} {
		resp := planmodifier.StringResponse{PlanValue: types.StringValue(c.config)}
		caseInsensitiveString().PlanModifyString(context.Background(), planmodifier.StringRequest{
			StateValue: types.StringValue(c.state), ConfigValue: types.StringValue(c.config), PlanValue: types.StringValue(c.config),
		}, &resp)
		if resp.PlanValue.ValueString() != c.want {
			t.Errorf("%s -> %s: planned %s, want %s", c.state, c.config, resp.PlanValue, c.want)
		}
	}
}

func TestUsageLocationAndLanguageValidators(t *testing.T) {
	t.Parallel()
	if n := len(isoCountryCodes); n != 249 {
		t.Errorf("ISO 3166-1 has 249 alpha-2 codes, the list has %d", n)
	}
	for _, ok := range []string{"US", "DE", "GB", "ZW", "AX"} {
		if r := runStringValidator(usageLocationValidator(), types.StringValue(ok)); r.Diagnostics.HasError() {
			t.Errorf("%s rejected: %v", ok, r.Diagnostics)
		}
	}
	for in, want := range map[string]string{"us": `Write it in upper case.`, "XX": "not an ISO 3166-1", "USA": "not an ISO 3166-1", "UK": "not an ISO 3166-1"} {
		r := runStringValidator(usageLocationValidator(), types.StringValue(in))
		if !r.Diagnostics.HasError() || !strings.Contains(r.Diagnostics.Errors()[0].Detail(), want) {
			t.Errorf("%s: want error containing %q, got %v", in, want, r.Diagnostics)
		}
	}
	for _, ok := range []string{"en", "en-US", "de-DE", "pt-BR", "zh-Hans", "zh-CN", "sr-Latn-RS", "FR", "fil", "es-419"} {
		if r := runStringValidator(invitationLanguageValidator(), types.StringValue(ok)); r.Diagnostics.HasError() {
			t.Errorf("%s rejected: %v", ok, r.Diagnostics)
		}
	}
	for _, bad := range []string{"english", "e", "en-USA", "en-1", "en_US", "en-", " en", "zh-Hans-"} {
		r := runStringValidator(invitationLanguageValidator(), types.StringValue(bad))
		if !r.Diagnostics.HasError() || r.Diagnostics.Errors()[0].Summary() != "Invalid Attribute Value Match" ||
			!strings.Contains(r.Diagnostics.Errors()[0].Detail(), "must be an ISO 639 language code") {
			t.Errorf("%s: want Invalid Attribute Value Match naming ISO 639, got %v", bad, r.Diagnostics)
		}
	}
}

// configOf renders a model as a configuration of the resource's schema.
func configOf(t *testing.T, m guestUserResourceModelV0) tfsdk.Config {
	t.Helper()
	ctx := context.Background()
	s := guestUserSchemaV0(ctx)
	st := tfsdk.State{Schema: s, Raw: tftypes.NewValue(s.Type().TerraformType(ctx), nil)}
	if d := setModel(ctx, &st, &m); d.HasError() {
		t.Fatalf("building config: %v", d)
	}
	return tfsdk.Config{Schema: s, Raw: st.Raw}
}

func nullModel() guestUserResourceModelV0 {
	m := guestUserResourceModelV0{
		BusinessPhones: types.ListNull(types.StringType),
		OtherMails:     types.SetNull(types.StringType),
		GroupIDs:       types.SetNull(types.StringType),
		SponsorIDs:     types.SetNull(types.StringType),
		Timeouts:       timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{"create": types.StringType, "read": types.StringType, "update": types.StringType, "delete": types.StringType})},
	}
	return m
}

// Graph ignores messageLanguage when a body is given: the plan says so.
func TestGuestUserValidateConfigWarnsLanguageWithBody(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		msg  *invitationMessageModelV0
		warn bool
	}{
		{&invitationMessageModelV0{Body: types.StringValue("Hi"), Language: types.StringValue("de"), CcRecipient: types.StringNull()}, true},
		{&invitationMessageModelV0{Body: types.StringNull(), Language: types.StringValue("de"), CcRecipient: types.StringNull()}, false},
		{&invitationMessageModelV0{Body: types.StringValue("Hi"), Language: types.StringNull(), CcRecipient: types.StringNull()}, false},
		{nil, false},
	} {
		m := nullModel()
		m.InvitationMessage = c.msg
		var resp resource.ValidateConfigResponse
		(&guestUserResource{}).ValidateConfig(context.Background(), resource.ValidateConfigRequest{Config: configOf(t, m)}, &resp)
		if resp.Diagnostics.HasError() {
			t.Fatalf("unexpected error: %v", resp.Diagnostics)
		}
		got := resp.Diagnostics.WarningsCount() == 1 && resp.Diagnostics.Warnings()[0].Summary() == "Invitation Language Ignored"
		if got != c.warn {
			t.Errorf("message %+v: warning %v, want %v (%v)", c.msg, got, c.warn, resp.Diagnostics)
		}
	}
}
