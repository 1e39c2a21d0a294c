package provider

import (
	"context"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"

	"github.com/entra-b2b/terraform-provider-b2b/internal/userprop"
)

// tfsdkTags are the tfsdk tags of a model struct, embedded structs included.
func tfsdkTags(t reflect.Type) []string {
	var out []string
	for _, f := range reflect.VisibleFields(t) {
		if tag := f.Tag.Get("tfsdk"); tag != "" && tag != "-" {
			out = append(out, tag)
		}
	}
	sort.Strings(out)
	return out
}

// homes are the attributes a model holds: its tfsdk fields and, when it
// implements profiledModel, the table's profile rows (its Profile map).
func homes(t *testing.T, what string, model reflect.Type) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, tag := range tfsdkTags(model) {
		out[tag] = "field"
	}
	if !reflect.PointerTo(model).Implements(reflect.TypeFor[profiledModel]()) {
		return out
	}
	for _, name := range profileAttrs {
		if out[name] != "" {
			t.Errorf("%s: %q is both a tfsdk field and a profile row; the codec would decode it twice", what, name)
		}
		out[name] = "profile row"
	}
	return out
}

// sameNames fails unless every attribute the model holds (tfsdk field or
// profile row of the table) is a schema attribute (or block) and every
// schema attribute has a home in the model.
func sameNames(t *testing.T, what string, model reflect.Type, schemaNames []string) {
	t.Helper()
	inSchema := map[string]bool{}
	for _, n := range schemaNames {
		inSchema[n] = true
	}
	inModel := homes(t, what, model)
	for name, home := range inModel {
		if !inSchema[name] {
			t.Errorf("%s: model %s %q has no schema attribute", what, home, name)
		}
	}
	for _, n := range schemaNames {
		if inModel[n] == "" {
			t.Errorf("%s: schema attribute %q has no field in %v and no profile row in the user-property table", what, n, model)
		}
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Every model struct field is in its schema and every schema attribute in
// its model, for the resource, both data sources (and the guests element)
// and the list resource. The framework would otherwise fail only when
// Terraform first calls the resource.
func TestModelsMatchSchemas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	rs := guestUserSchemaV0(ctx)
	sameNames(t, "b2b_guest_user resource", reflect.TypeFor[guestUserResourceModelV0](), append(keys(rs.Attributes), keys(rs.Blocks)...))
	msg, ok := rs.Blocks["invitation_message"].(rschema.SingleNestedBlock)
	if !ok {
		t.Fatalf("invitation_message is a %T", rs.Blocks["invitation_message"])
	}
	sameNames(t, "invitation_message block", reflect.TypeFor[invitationMessageModelV0](), keys(msg.Attributes))

	ds := guestUserDataSourceSchemaV0(ctx)
	sameNames(t, "b2b_guest_user data source", reflect.TypeFor[guestUserDataSourceModelV0](), keys(ds.Attributes))

	gs := guestUsersDataSourceSchemaV0(ctx)
	sameNames(t, "b2b_guest_users data source", reflect.TypeFor[guestUsersDataSourceModelV0](), keys(gs.Attributes))
	guests, ok := gs.Attributes["guests"].(dsschema.ListNestedAttribute)
	if !ok {
		t.Fatalf("guests is a %T", gs.Attributes["guests"])
	}
	nested := guests.NestedObject.Attributes
	if got, want := keys(guestSummaryType().AttrTypes), keys(nested); !sameSet(got, want) {
		t.Errorf("b2b_guest_users guests: object type %v, schema %v", got, want)
	}

	ls := guestUserListSchemaV0()
	sameNames(t, "b2b_guest_user list resource", reflect.TypeFor[guestUsersFilterModelV0](), keys(ls.Attributes))
}

func sameSet(a, b []string) bool {
	sort.Strings(a)
	sort.Strings(b)
	return reflect.DeepEqual(a, b)
}

// Every table row with an attribute is in the resource with the shape the
// row says: its type, computed-only or Optional+Computed, and a plan that
// keeps Entra's recorded value when the configuration does not set it
// (UseStateForUnknown, or other_mails' variant of it). Both data sources
// expose every profile string of the resource.
func TestSchemasFollowTable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var rresp resource.SchemaResponse
	NewGuestUserResource().Schema(ctx, resource.SchemaRequest{}, &rresp)
	var dresp datasource.SchemaResponse
	NewGuestUserDataSource().Schema(ctx, datasource.SchemaRequest{}, &dresp)
	summary := guestSummaryType().AttrTypes

	for _, p := range userprop.Users {
		if p.Attr == "" {
			continue
		}
		a, ok := rresp.Schema.Attributes[p.Attr]
		if !ok {
			t.Errorf("row %s: resource has no attribute %s", p.Graph, p.Attr)
			continue
		}
		if _, ok := dresp.Schema.Attributes[p.Attr]; !ok {
			t.Errorf("row %s: b2b_guest_user data source has no attribute %s", p.Graph, p.Attr)
		}
		checkResourceAttributeFollowsRow(ctx, t, p, a)
	}
	for _, f := range profileStringFields {
		if _, ok := summary[f.attr]; !ok {
			t.Errorf("b2b_guest_users guests lacks profile attribute %s", f.attr)
		}
		if a, ok := rresp.Schema.Attributes[f.attr].(rschema.StringAttribute); ok {
			checkDescriptionListsValues(t, f.attr, a.MarkdownDescription, f.prop.Values)
		}
	}
}

// checkResourceAttributeFollowsRow: the resource attribute a has the type
// the row says, is computed-only or Optional+Computed as the row says, and
// (userType aside, which has a Default) keeps the state value when unset.
func checkResourceAttributeFollowsRow(ctx context.Context, t *testing.T, p userprop.Prop, a rschema.Attribute) {
	t.Helper()
	want := map[userprop.Type]string{userprop.String: "StringAttribute", userprop.Time: "StringAttribute", userprop.Bool: "BoolAttribute",
		userprop.StringList: "ListAttribute", userprop.StringSet: "SetAttribute"}[p.Type]
	if got := reflect.TypeOf(a).Name(); got != want {
		t.Errorf("row %s: attribute %s is a %s, the table says %s", p.Graph, p.Attr, got, want)
	}
	if p.ComputedOnly != (a.IsComputed() && !a.IsOptional()) {
		t.Errorf("row %s: computed-only = %v in the table, attribute %s has Optional=%v Computed=%v", p.Graph, p.ComputedOnly, p.Attr, a.IsOptional(), a.IsComputed())
	}
	if !p.ComputedOnly && (!a.IsOptional() || !a.IsComputed()) {
		t.Errorf("row %s: attribute %s must be Optional+Computed (unset means unmanaged)", p.Graph, p.Attr)
	}
	if p.Graph == "userType" {
		return // a Default, not a kept state value
	}
	keep := stringplanmodifier.UseStateForUnknown().Description(ctx)
	if mods := planModifierDescriptions(ctx, a); !containsAny(mods, keep, "Keeps the prior value") {
		t.Errorf("row %s: attribute %s has plan modifiers %q; it must keep the state value when unset (UseStateForUnknown)", p.Graph, p.Attr, mods)
	}
}

// checkDescriptionListsValues: an enumeration's description names every
// allowed value, as `value`.
func checkDescriptionListsValues(t *testing.T, attr, description string, values []string) {
	t.Helper()
	for _, v := range values {
		if !strings.Contains(description, "`"+v+"`") {
			t.Errorf("%s: description does not list the allowed value %s", attr, v)
		}
	}
}

func planModifierDescriptions(ctx context.Context, a any) []string {
	var out []string
	switch x := a.(type) {
	case rschema.StringAttribute:
		for _, m := range x.PlanModifiers {
			out = append(out, m.Description(ctx))
		}
	case rschema.BoolAttribute:
		for _, m := range x.PlanModifiers {
			out = append(out, m.Description(ctx))
		}
	case rschema.ListAttribute:
		for _, m := range x.PlanModifiers {
			out = append(out, m.Description(ctx))
		}
	case rschema.SetAttribute:
		for _, m := range x.PlanModifiers {
			out = append(out, m.Description(ctx))
		}
	}
	return out
}

func containsAny(mods []string, wants ...string) bool {
	for _, m := range mods {
		for _, w := range wants {
			if strings.HasPrefix(m, w) {
				return true
			}
		}
	}
	return false
}
