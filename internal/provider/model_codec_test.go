package provider

import (
	"context"
	"maps"
	"strings"
	"testing"

	dstimeouts "github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// distinctProfile is every profile row of the table set to a value of its
// own, so a value written under another attribute, or dropped, differs.
func distinctProfile() profileValues {
	p := profileValues{}
	for _, name := range profileAttrs {
		p[name] = types.StringValue("v " + name)
	}
	return p
}

// checkProfileAttributes: every profile attribute of the object read from
// src holds want's value.
func checkProfileAttributes(ctx context.Context, t *testing.T, what string, src interface {
	GetAttribute(context.Context, path.Path, any) diag.Diagnostics
}, want profileValues) {
	t.Helper()
	for _, name := range profileAttrs {
		var got types.String
		if d := src.GetAttribute(ctx, path.Root(name), &got); d.HasError() {
			t.Fatalf("%s: %s: %v", what, name, d)
		}
		if !got.Equal(want[name]) {
			t.Errorf("%s: attribute %s = %s, want %s", what, name, got, want[name])
		}
	}
}

// The codec writes every profile row of the table to its attribute and
// reads it back, beside the struct's own fields, for the resource's state
// and plan and the data source's state.
func TestModelCodecRoundTripsEveryProfileRow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rs := guestUserSchemaV0(ctx)
	want := distinctProfile()

	m := newGuestUserModel()
	m.ID, m.DisplayName, m.Profile = types.StringValue("id-1"), types.StringValue("Display"), maps.Clone(want)
	state := &tfsdk.State{Schema: rs, Raw: tftypes.NewValue(rs.Type().TerraformType(ctx), nil)}
	if d := setModel(ctx, state, &m); d.HasError() {
		t.Fatalf("setModel(state): %v", d)
	}
	checkProfileAttributes(ctx, t, "resource state", state, want)
	var back guestUserResourceModelV0
	if d := getModel(ctx, state, &back); d.HasError() {
		t.Fatalf("getModel(state): %v", d)
	}
	if !maps.Equal(back.Profile, want) || back.ID != m.ID || back.DisplayName != m.DisplayName {
		t.Errorf("resource state read back as id %s display_name %s profile %v, want %s %s %v", back.ID, back.DisplayName, back.Profile, m.ID, m.DisplayName, want)
	}

	plan := &tfsdk.Plan{Schema: rs, Raw: state.Raw}
	back.Profile = back.Profile.with("job_title", types.StringUnknown())
	if d := setModel(ctx, plan, &back); d.HasError() {
		t.Fatalf("setModel(plan): %v", d)
	}
	var planned guestUserResourceModelV0
	if d := getModel(ctx, profiled(plan), &planned); d.HasError() {
		t.Fatalf("getModel(profiled(plan)): %v", d)
	}
	if !planned.Profile.get("job_title").IsUnknown() || !planned.Profile.get("city").Equal(want["city"]) {
		t.Errorf("plan read back job_title %s city %s, want unknown and %s", planned.Profile.get("job_title"), planned.Profile.get("city"), want["city"])
	}
	if !back.Profile.get("city").Equal(want["city"]) || !m.Profile.get("job_title").Equal(want["job_title"]) {
		t.Error("with edited the map it was called on: copies of a model share edits")
	}

	ds := guestUserDataSourceSchemaV0(ctx)
	dm := guestUserDataSourceModelV0{
		OtherMails: types.ListNull(types.StringType), BusinessPhones: types.ListNull(types.StringType),
		Timeouts: dstimeouts.Value{Object: types.ObjectNull(map[string]attr.Type{"read": types.StringType})},
		Profile:  maps.Clone(want),
	}
	dstate := &tfsdk.State{Schema: ds, Raw: tftypes.NewValue(ds.Type().TerraformType(ctx), nil)}
	if d := setModel(ctx, dstate, &dm); d.HasError() {
		t.Fatalf("setModel(data source state): %v", d)
	}
	checkProfileAttributes(ctx, t, "data source state", dstate, want)
}

// A model without a profile value writes null, as an unset field did.
func TestModelCodecMissingValueIsNull(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rs := guestUserSchemaV0(ctx)
	m := newGuestUserModel()
	state := &tfsdk.State{Schema: rs, Raw: tftypes.NewValue(rs.Type().TerraformType(ctx), nil)}
	if d := setModel(ctx, state, &m); d.HasError() {
		t.Fatalf("setModel: %v", d)
	}
	nulls := profileValues{}
	for _, name := range profileAttrs {
		nulls[name] = types.StringNull()
	}
	checkProfileAttributes(ctx, t, "empty model", state, nulls)
}

// A schema without a profile row's attribute is a provider defect the
// codec names, rather than a value silently lost.
func TestModelCodecNamesAMissingProfileAttribute(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rs := guestUserSchemaV0(ctx)
	m := newGuestUserModel()
	m.Profile = distinctProfile()
	state := &tfsdk.State{Schema: rs, Raw: tftypes.NewValue(rs.Type().TerraformType(ctx), nil)}
	if d := setModel(ctx, state, &m); d.HasError() {
		t.Fatalf("setModel: %v", d)
	}
	short := rschema.Schema{Attributes: maps.Clone(rs.Attributes), Blocks: rs.Blocks}
	delete(short.Attributes, "department")
	var attrs map[string]tftypes.Value
	if err := state.Raw.As(&attrs); err != nil {
		t.Fatal(err)
	}
	delete(attrs, "department")
	shortState := &tfsdk.State{Schema: short, Raw: tftypes.NewValue(short.Type().TerraformType(ctx), attrs)}
	var got guestUserResourceModelV0
	d := getModel(ctx, shortState, &got)
	if !d.HasError() || d.Errors()[0].Summary() != "Provider Model Error" || !strings.Contains(d.Errors()[0].Detail(), `no string attribute "department"`) {
		t.Errorf("getModel on a schema without department = %v, want a Provider Model Error naming it", d)
	}
}
