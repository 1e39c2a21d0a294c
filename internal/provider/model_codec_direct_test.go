package provider

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"testing"

	dstimeouts "github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The reference the direct codec is held to: getModel and setModel as
// they were, through the framework's reflection (Get, Set, ObjectValueFrom,
// As), with the profile strings split off and merged back.

func getModelReflect(ctx context.Context, src modelGetter, m profiledModel) diag.Diagnostics {
	var obj types.Object
	diags := src.Get(ctx, &obj)
	if diags.HasError() {
		return diags
	}
	if obj.IsNull() || obj.IsUnknown() {
		return src.Get(ctx, m)
	}
	attrs, attrTypes := obj.Attributes(), obj.AttributeTypes(ctx)
	profile := make(profileValues, len(profileAttrs))
	for _, name := range profileAttrs {
		v, ok := attrs[name].(types.String)
		if !ok {
			diags.Append(codecError("read", fmt.Sprintf("the schema has no string attribute %q for the user-property table's profile row", name)))
			return diags
		}
		profile[name] = v
	}
	rest, d := types.ObjectValue(without(attrTypes, profileAttrs), without(attrs, profileAttrs))
	diags.Append(d...)
	if diags.HasError() {
		return diags
	}
	diags.Append(rest.As(ctx, m, basetypes.ObjectAsOptions{})...)
	*m.profile() = profile
	return diags
}

func setModelReflect(ctx context.Context, dst modelSetter, m profiledModel) diag.Diagnostics {
	var diags diag.Diagnostics
	var s interface{ Type() attr.Type }
	switch d := dst.(type) {
	case *tfsdk.State:
		s = d.Schema
	case *tfsdk.Plan:
		s = d.Schema
	}
	objType, ok := s.Type().(attr.TypeWithAttributeTypes)
	if !ok {
		return diag.Diagnostics{codecError("write", "no object schema")}
	}
	attrTypes := objType.AttributeTypes()
	rest, d := types.ObjectValueFrom(ctx, without(attrTypes, profileAttrs), m)
	diags.Append(d...)
	if diags.HasError() {
		return diags
	}
	all := maps.Clone(rest.Attributes())
	for _, name := range profileAttrs {
		all[name] = (*m.profile()).get(name)
	}
	obj, d := types.ObjectValue(attrTypes, all)
	diags.Append(d...)
	if diags.HasError() {
		return diags
	}
	diags.Append(dst.Set(ctx, obj)...)
	return diags
}

func without[V any](m map[string]V, drop []string) map[string]V {
	out := maps.Clone(m)
	for _, k := range drop {
		delete(out, k)
	}
	return out
}

// codecCase is one object value of a schema: attributes set as listed,
// the others null (or unknown when unknownRest).
type codecCase struct {
	name        string
	set         map[string]tftypes.Value
	unknownRest bool
}

var (
	strSet  = tftypes.Set{ElementType: tftypes.String}
	unknown = tftypes.UnknownValue
)

func tfStrings(typ tftypes.Type, ss ...string) tftypes.Value {
	vals := make([]tftypes.Value, 0, len(ss))
	for _, s := range ss {
		vals = append(vals, tftypes.NewValue(tftypes.String, s))
	}
	return tftypes.NewValue(typ, vals)
}

// codecCases are the values both codecs convert: null and unknown
// attributes, empty and full strings, bools, lists and sets (empty,
// unknown, with elements, one with duplicates the framework refuses),
// nested blocks (null, set, with unknown attributes, unknown) and
// timeouts.
func codecCases(obj tftypes.Object) []codecCase {
	timeoutsType, _ := obj.AttributeTypes["timeouts"].(tftypes.Object) // both schemas have one
	timeoutVals := map[string]tftypes.Value{}
	for name, at := range timeoutsType.AttributeTypes {
		timeoutVals[name] = tftypes.NewValue(at, nil)
	}
	timeoutVals["read"] = tftypes.NewValue(tftypes.String, "5m")
	cases := []codecCase{
		{name: "all null", set: map[string]tftypes.Value{}},
		{name: "all unknown", set: map[string]tftypes.Value{}, unknownRest: true},
		{name: "typical state", set: map[string]tftypes.Value{
			"id": tftypes.NewValue(tftypes.String, "00000000-0000-0000-0000-000000000001"), "email": tftypes.NewValue(tftypes.String, "a@b.example"),
			"display_name": tftypes.NewValue(tftypes.String, "Ann"), "job_title": tftypes.NewValue(tftypes.String, ""),
			"department": tftypes.NewValue(tftypes.String, "Sales"), "account_enabled": tftypes.NewValue(tftypes.Bool, true),
			"adopt_existing": tftypes.NewValue(tftypes.Bool, false),
			"timeouts":       tftypes.NewValue(timeoutsType, timeoutVals),
		}},
		{name: "unknown timeouts", set: map[string]tftypes.Value{"timeouts": tftypes.NewValue(timeoutsType, unknown)}},
	}
	if _, ok := obj.AttributeTypes["business_phones"]; ok {
		phones := obj.AttributeTypes["business_phones"]
		mails := obj.AttributeTypes["other_mails"]
		cases = append(cases,
			codecCase{name: "collections", set: map[string]tftypes.Value{
				"business_phones": tfStrings(phones, "+1 555"), "other_mails": tfStrings(mails, "x@y.example", "z@y.example"),
			}},
			codecCase{name: "empty collections", set: map[string]tftypes.Value{
				"business_phones": tfStrings(phones), "other_mails": tfStrings(mails),
			}},
			codecCase{name: "unknown collections", set: map[string]tftypes.Value{
				"business_phones": tftypes.NewValue(phones, unknown), "other_mails": tftypes.NewValue(mails, unknown),
			}},
		)
		if mails.Is(tftypes.Set{}) {
			cases = append(cases, codecCase{name: "set with duplicates", set: map[string]tftypes.Value{
				"other_mails": tfStrings(mails, "x@y.example", "x@y.example"),
			}})
		}
	}
	if msgType, ok := obj.AttributeTypes["invitation_message"].(tftypes.Object); ok {
		cases = append(cases,
			codecCase{name: "nested block set", set: map[string]tftypes.Value{
				"invitation_message": tftypes.NewValue(msgType, map[string]tftypes.Value{
					"body": tftypes.NewValue(tftypes.String, "Hello"), "language": tftypes.NewValue(tftypes.String, nil),
					"cc_recipient": tftypes.NewValue(tftypes.String, unknown),
				}),
				"group_ids": tfStrings(strSet, "g1", "g2"), "sponsor_ids": tftypes.NewValue(strSet, unknown),
			}},
			codecCase{name: "nested block unknown", set: map[string]tftypes.Value{
				"invitation_message": tftypes.NewValue(msgType, unknown),
			}},
		)
	}
	return cases
}

func (c codecCase) value(obj tftypes.Object) tftypes.Value {
	vals := map[string]tftypes.Value{}
	for name, at := range obj.AttributeTypes {
		if v, ok := c.set[name]; ok {
			vals[name] = v
		} else if c.unknownRest {
			vals[name] = tftypes.NewValue(at, unknown)
		} else {
			vals[name] = tftypes.NewValue(at, nil)
		}
	}
	return tftypes.NewValue(obj, vals)
}

// codecSubject is one model type with the schema it is decoded from.
type codecSubject struct {
	name   string
	schema interface{ Type() attr.Type }
	state  func(raw tftypes.Value) tfsdk.State
	model  func() profiledModel
}

func codecSubjects(ctx context.Context) []codecSubject {
	rs := guestUserSchemaV0(ctx)
	ds := guestUserDataSourceSchemaV0(ctx)
	return []codecSubject{
		{name: "resource", schema: rs, state: func(raw tftypes.Value) tfsdk.State { return tfsdk.State{Schema: rs, Raw: raw} },
			model: func() profiledModel { return &guestUserResourceModelV0{} }},
		{name: "data source", schema: ds, state: func(raw tftypes.Value) tfsdk.State { return tfsdk.State{Schema: ds, Raw: raw} },
			model: func() profiledModel { return &guestUserDataSourceModelV0{} }},
	}
}

// The direct codec decodes and encodes every model type exactly as the
// framework's reflection does, for every case: the same model (or both an
// error), and the same Terraform value written back from it, through a
// state, a plan and a configuration.
func TestDirectCodecMatchesFrameworkReflection(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, sub := range codecSubjects(ctx) {
		obj := mustObject(t, sub.schema.Type().TerraformType(ctx))
		for _, c := range codecCases(obj) {
			st := sub.state(c.value(obj))
			sources := map[string]modelGetter{
				"state": st, "plan": tfsdk.Plan(st), "config": tfsdk.Config(st),
				"profiled state": profiled(&st),
			}
			for what, src := range sources {
				checkDecode(ctx, t, sub.name+" "+c.name+" "+what, src, sub.model)
			}
			m := sub.model()
			if d := getModelReflect(ctx, st, m); !d.HasError() {
				checkEncode(ctx, t, sub.name+" "+c.name, func() tfsdk.State { return sub.state(tftypes.NewValue(obj, nil)) }, m)
			}
		}
	}
}

// checkDecode: getModel and the reflection decode src to the same model,
// or both fail.
func checkDecode(ctx context.Context, t *testing.T, what string, src modelGetter, model func() profiledModel) {
	t.Helper()
	direct, ref := model(), model()
	dd, rd := getModel(ctx, src, direct), getModelReflect(ctx, src, ref)
	if dd.HasError() != rd.HasError() {
		t.Errorf("%s: direct decode errors %v, reflection %v", what, dd, rd)
		return
	}
	if !rd.HasError() && !reflect.DeepEqual(direct, ref) {
		t.Errorf("%s: direct decode\n%+v\nreflection\n%+v", what, direct, ref)
	}
}

// checkEncode: setModel and the reflection write the same value of m into
// a state (or both fail), and setModel writes it into a plan too.
func checkEncode(ctx context.Context, t *testing.T, what string, empty func() tfsdk.State, m profiledModel) {
	t.Helper()
	directOut, refOut := empty(), empty()
	dd, rd := setModel(ctx, &directOut, m), setModelReflect(ctx, &refOut, m)
	if dd.HasError() != rd.HasError() {
		t.Errorf("%s: direct encode errors %v, reflection %v", what, dd, rd)
		return
	}
	if rd.HasError() {
		return
	}
	if !directOut.Raw.Equal(refOut.Raw) {
		diffs, _ := refOut.Raw.Diff(directOut.Raw)
		t.Errorf("%s: direct encode differs from reflection: %v", what, diffs)
	}
	plan := tfsdk.Plan{Schema: directOut.Schema, Raw: empty().Raw}
	if d := setModel(ctx, &plan, m); d.HasError() || !plan.Raw.Equal(refOut.Raw) {
		t.Errorf("%s: direct encode into a plan: %v", what, d)
	}
}

// Models the providers' code builds (not decoded) encode the same way, and
// a model whose collections or timeouts have no element types (a zero
// value) is refused by both.
func TestDirectCodecEncodesBuiltModelsAsReflectionDoes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rs := guestUserSchemaV0(ctx)
	full := newGuestUserModel()
	full.ID, full.Email, full.AccountEnabled = types.StringValue("id"), types.StringValue("a@b.example"), types.BoolValue(true)
	full.OtherMails = types.SetValueMust(types.StringType, []attr.Value{types.StringValue("o@b.example")})
	full.BusinessPhones = types.ListValueMust(types.StringType, []attr.Value{})
	full.InvitationMessage = &invitationMessageModelV0{Body: types.StringValue("hi"), Language: types.StringNull(), CcRecipient: types.StringUnknown()}
	full.Profile = distinctProfile().with("city", types.StringUnknown())
	full.Timeouts = timeouts.Value{Object: types.ObjectValueMust(map[string]attr.Type{
		"create": types.StringType, "read": types.StringType, "update": types.StringType, "delete": types.StringType,
	}, map[string]attr.Value{"create": types.StringValue("1m"), "read": types.StringNull(), "update": types.StringNull(), "delete": types.StringNull()})}
	badSet := newGuestUserModel()
	badSet.GroupIDs = types.SetValueMust(types.StringType, []attr.Value{types.StringValue("g"), types.StringValue("g")})

	ds := guestUserDataSourceSchemaV0(ctx)
	dm := guestUserDataSourceModelV0{
		OtherMails: types.ListNull(types.StringType), BusinessPhones: types.ListValueMust(types.StringType, []attr.Value{types.StringValue("1")}),
		Timeouts: dstimeouts.Value{Object: types.ObjectNull(map[string]attr.Type{"read": types.StringType})},
		Profile:  distinctProfile(),
	}
	resource := func() tfsdk.State {
		return tfsdk.State{Schema: rs, Raw: tftypes.NewValue(rs.Type().TerraformType(ctx), nil)}
	}
	dataSource := func() tfsdk.State {
		return tfsdk.State{Schema: ds, Raw: tftypes.NewValue(ds.Type().TerraformType(ctx), nil)}
	}
	for name, c := range map[string]struct {
		state func() tfsdk.State
		model profiledModel
	}{
		"full":          {resource, &full},
		"empty":         {resource, func() *guestUserResourceModelV0 { m := newGuestUserModel(); return &m }()},
		"zero":          {resource, &guestUserResourceModelV0{}},
		"duplicate set": {resource, &badSet},
		"data source":   {dataSource, &dm},
		"zero ds":       {dataSource, &guestUserDataSourceModelV0{}},
	} {
		checkEncode(ctx, t, name, c.state, c.model)
	}
}

// A schema built anew for every call (no framework path does that today)
// does not grow the codec cache past its bound, and still decodes.
func TestDirectCodecCacheIsBounded(t *testing.T) {
	ctx := context.Background()
	for range maxCachedCodecs + 10 {
		ds := guestUserDataSourceSchemaV0(ctx)
		st := tfsdk.State{Schema: ds, Raw: codecCase{set: map[string]tftypes.Value{
			"id": tftypes.NewValue(tftypes.String, "x"),
		}}.value(mustObject(t, ds.Type().TerraformType(ctx)))}
		var m guestUserDataSourceModelV0
		if d := getModel(ctx, st, &m); d.HasError() || m.ID.ValueString() != "x" {
			t.Fatalf("getModel: %v, id %s", d, m.ID)
		}
	}
	if n := codecCached.Load(); n > maxCachedCodecs {
		t.Errorf("%d codecs cached, want at most %d", n, maxCachedCodecs)
	}
}

func mustObject(t *testing.T, typ tftypes.Type) tftypes.Object {
	t.Helper()
	obj, ok := typ.(tftypes.Object)
	if !ok {
		t.Fatalf("%s is not an object type", typ)
	}
	return obj
}
