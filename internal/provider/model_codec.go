package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/entra-b2b/terraform-provider-b2b/internal/userprop"
)

// The profile strings of the user-property table (internal/userprop rows
// with Profile set) have no struct field in any model: a model keeps its
// other attributes as ordinary tfsdk fields and its profile strings in a
// profileValues map. The framework maps a struct by its tfsdk tags only,
// so models are read and written through getModel and setModel, which
// split the profile attributes off the object before the framework's
// reflection sees it and merge them back after. Adding a profile row to
// the table therefore adds the attribute to every model without an edit
// here or in a model struct.

// profileValues are a model's profile strings by attribute name. A
// missing entry is null, as a zero types.String field was. The map is
// never edited in place (with returns a copy, decoders build a new one),
// so copies of a model stay independent, as they were with struct fields.
type profileValues map[string]types.String

// get is the value of attribute attr; null when the map has none.
func (p profileValues) get(attr string) types.String {
	if v, ok := p[attr]; ok {
		return v
	}
	return types.StringNull()
}

// with is a copy of p with attribute attr set to v.
func (p profileValues) with(attr string, v types.String) profileValues {
	out := make(profileValues, len(p)+1)
	for k, x := range p {
		out[k] = x
	}
	out[attr] = v
	return out
}

// profiledModel is a model whose profile strings live in a profileValues
// map (tagged tfsdk:"-") rather than in struct fields.
type profiledModel interface {
	profile() *profileValues
}

// profileAttrs are the attributes the codec keeps out of the struct: the
// table's profile rows, in table order.
var profileAttrs = func() []string {
	var out []string
	for _, p := range userprop.Profiles() {
		out = append(out, p.Attr)
	}
	return out
}()

// modelGetter is a plan, state or configuration to decode a model from.
type modelGetter interface {
	Get(ctx context.Context, target any) diag.Diagnostics
}

// modelSetter is a plan, state or list result to encode a model into.
type modelSetter interface {
	Set(ctx context.Context, val any) diag.Diagnostics
}

// getModel decodes src into m: the profile strings into m's profile map,
// everything else by the framework's reflection into m's tfsdk fields.
func getModel(ctx context.Context, src modelGetter, m profiledModel) diag.Diagnostics {
	var obj types.Object
	diags := src.Get(ctx, &obj)
	if diags.HasError() {
		return diags
	}
	if obj.IsNull() || obj.IsUnknown() {
		// No attributes to split: the framework says what it says of a
		// null plan or state decoded into a struct.
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

// setModel encodes m into dst: m's tfsdk fields by the framework's
// reflection against dst's schema without the profile attributes, then
// the profile strings merged in, then the whole object written at once.
func setModel(ctx context.Context, dst modelSetter, m profiledModel) diag.Diagnostics {
	var diags diag.Diagnostics
	attrTypes, ok := schemaAttributeTypes(dst)
	if !ok {
		diags.Append(codecError("write", fmt.Sprintf("%T carries no object schema", dst)))
		return diags
	}
	rest, d := types.ObjectValueFrom(ctx, without(attrTypes, profileAttrs), m)
	diags.Append(d...)
	if diags.HasError() {
		return diags
	}
	attrs := rest.Attributes()
	all := make(map[string]attr.Value, len(attrTypes))
	for k, v := range attrs {
		all[k] = v
	}
	profile := *m.profile()
	for _, name := range profileAttrs {
		all[name] = profile.get(name)
	}
	obj, d := types.ObjectValue(attrTypes, all)
	diags.Append(d...)
	if diags.HasError() {
		return diags
	}
	diags.Append(dst.Set(ctx, obj)...)
	return diags
}

// schemaAttributeTypes are the attribute types of dst's schema.
func schemaAttributeTypes(dst modelSetter) (map[string]attr.Type, bool) {
	var s interface{ Type() attr.Type }
	switch d := dst.(type) {
	case *tfsdk.State:
		s = d.Schema
	case *tfsdk.Plan:
		s = d.Schema
	case *tfsdk.Resource:
		s = d.Schema
	}
	if s == nil {
		return nil, false
	}
	t, ok := s.Type().(attr.TypeWithAttributeTypes)
	if !ok {
		return nil, false
	}
	return t.AttributeTypes(), true
}

// without is a copy of m without the keys drop.
func without[V any](m map[string]V, drop []string) map[string]V {
	out := make(map[string]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	for _, k := range drop {
		delete(out, k)
	}
	return out
}

// codecError is the diagnostic of a model that does not fit its schema:
// always a provider defect.
func codecError(op, what string) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Provider Model Error",
		fmt.Sprintf("Could not %s the model of this resource or data source: %s. This is a bug in the provider; please report it.", op, what))
}

// profiledSource decodes models through getModel, for code that takes a
// plain plan or state (the operations' preamble).
type profiledSource struct{ src modelGetter }

// profiled wraps a plan, state or configuration so that Get decodes a
// profiledModel through getModel.
func profiled(src modelGetter) profiledSource { return profiledSource{src: src} }

// Get implements modelGetter; a target without a profile map (a
// types.Object, another model) is decoded by src as it is.
func (p profiledSource) Get(ctx context.Context, target any) diag.Diagnostics {
	m, ok := target.(profiledModel)
	if !ok {
		return p.src.Get(ctx, target)
	}
	return getModel(ctx, p.src, m)
}
