package provider

import (
	"context"
	"fmt"

	"reflect"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entra-b2b/terraform-provider-b2b/internal/userprop"
)

// The profile strings of the user-property table (internal/userprop rows
// with Profile set) have no struct field in any model: a model keeps its
// other attributes as ordinary tfsdk fields and its profile strings in a
// profileValues map. The framework maps a struct by its tfsdk tags only,
// so models are read and written through getModel and setModel, whose
// codec (model_codec_direct.go) maps the tfsdk fields and the profile
// attributes together. Adding a profile row to the table therefore adds
// the attribute to every model without an edit here or in a model struct.

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

// getModel decodes src into m: every tfsdk field and every profile string,
// straight from src's Terraform value through the cached codec of m's type
// (model_codec_direct.go), which gives what the framework's reflection
// (src.Get) gives, without its per-call reflection.
func getModel(ctx context.Context, src modelGetter, m profiledModel) diag.Diagnostics {
	raw, sch, ok := rawOf(src)
	if !ok {
		return diag.Diagnostics{codecError("read", fmt.Sprintf("%T is not a plan, state or configuration", src))}
	}
	if !raw.IsKnown() || raw.IsNull() {
		// No attributes to decode: the framework says what it says of a
		// null or unknown object decoded into a struct.
		return src.Get(ctx, m)
	}
	c, diags := codecOf(ctx, reflect.TypeOf(m).Elem(), sch)
	if diags.HasError() {
		return diags
	}
	return c.decode(ctx, raw, reflect.ValueOf(m).Elem())
}

// setModel encodes m into dst: the whole object, tfsdk fields and profile
// strings, built as one Terraform value by m's codec and written at once.
func setModel(ctx context.Context, dst modelSetter, m profiledModel) diag.Diagnostics {
	raw, sch, ok := rawTarget(dst)
	if !ok {
		return diag.Diagnostics{codecError("write", fmt.Sprintf("%T carries no object schema", dst))}
	}
	c, diags := codecOf(ctx, reflect.TypeOf(m).Elem(), sch)
	if diags.HasError() {
		return diags
	}
	v, diags := c.encode(ctx, reflect.ValueOf(m).Elem())
	if diags.HasError() {
		return diags
	}
	*raw = v
	return nil
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
