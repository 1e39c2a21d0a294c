package provider

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The direct codec behind getModel and setModel. The framework's Get and
// Set reflect over the model struct and walk the schema on every call;
// with ~50 attributes that was 7.5 % of the provider's CPU in a no-change
// plan (issue 13). Here the reflection happens once per model type and
// schema: a field plan (which struct field holds which attribute, and how
// to convert it) is cached, and each call only converts values: strings
// and bools straight from and to tftypes, other values through their
// schema type's ValueFromTerraform and ToTerraformValue, as the framework
// does. The checks the framework makes on the way (a value of the wrong
// type, a set with duplicate elements, an unknown nested block) are made
// here too; TestDirectCodecMatchesFrameworkReflection holds the two
// equal.

// schemaOf is a plan's, state's or configuration's schema: what the
// framework's tfsdk types carry (their fwschema.Schema is internal).
type schemaOf interface {
	Type() attr.Type
}

// rawOf is src's Terraform value and schema.
func rawOf(src modelGetter) (tftypes.Value, schemaOf, bool) {
	switch s := src.(type) {
	case tfsdk.State:
		return s.Raw, s.Schema, s.Schema != nil
	case *tfsdk.State:
		return s.Raw, s.Schema, s.Schema != nil
	case tfsdk.Plan:
		return s.Raw, s.Schema, s.Schema != nil
	case *tfsdk.Plan:
		return s.Raw, s.Schema, s.Schema != nil
	case tfsdk.Config:
		return s.Raw, s.Schema, s.Schema != nil
	case *tfsdk.Config:
		return s.Raw, s.Schema, s.Schema != nil
	case profiledSource:
		return rawOf(s.src)
	}
	return tftypes.Value{}, nil, false
}

// rawTarget is where setModel writes dst's Terraform value, and dst's
// schema.
func rawTarget(dst modelSetter) (*tftypes.Value, schemaOf, bool) {
	switch d := dst.(type) {
	case *tfsdk.State:
		return &d.Raw, d.Schema, d.Schema != nil
	case *tfsdk.Plan:
		return &d.Raw, d.Schema, d.Schema != nil
	case *tfsdk.Resource:
		return &d.Raw, d.Schema, d.Schema != nil
	}
	return nil, nil, false
}

// codecKey names a cached codec: the model type and the schema's
// attribute and block maps. The framework builds a schema once per
// resource or data source type and hands the same maps to every call.
type codecKey struct {
	model          reflect.Type
	attrs, blocks  uintptr
	resourceSchema bool
}

// codecEntry is a cached codec; it keeps the schema it was built for, so
// the maps its key points at are never freed and their addresses never
// reused for another schema.
type codecEntry struct {
	codec  *modelCodec
	schema schemaOf
}

var (
	codecCache sync.Map // codecKey -> codecEntry
	// codecCached counts the entries. The framework builds each schema once
	// per provider server, so a process holds a handful; past
	// maxCachedCodecs (schemas built anew per call, which no framework path
	// does today) codecs are built per call rather than pinning every
	// schema ever seen.
	codecCached atomic.Int64
)

const maxCachedCodecs = 256

// codecOf is the codec of model type t for schema sch, built on first use.
// A schema of another kind than the resource's or data source's is not
// cached (none is used today).
func codecOf(ctx context.Context, t reflect.Type, sch schemaOf) (*modelCodec, diag.Diagnostics) {
	key, cacheable := codecKey{model: t}, true
	switch s := sch.(type) {
	case rschema.Schema:
		key.attrs, key.blocks, key.resourceSchema = mapID(s.Attributes), mapID(s.Blocks), true
	case dschema.Schema:
		key.attrs, key.blocks = mapID(s.Attributes), mapID(s.Blocks)
	default:
		cacheable = false
	}
	if cacheable && key.attrs != 0 {
		if e, ok := codecCache.Load(key); ok {
			if ce, ok := e.(codecEntry); ok {
				return ce.codec, nil
			}
		}
	}
	objType, ok := sch.Type().(attr.TypeWithAttributeTypes)
	if !ok {
		return nil, diag.Diagnostics{codecError("map", fmt.Sprintf("the schema's type %T is not an object", sch.Type()))}
	}
	_, profiled := reflect.New(t).Interface().(profiledModel)
	c, err := newModelCodec(ctx, t, objType, profiled)
	if err != nil {
		return nil, diag.Diagnostics{codecError("map", err.Error())}
	}
	if cacheable && key.attrs != 0 && codecCached.Load() < maxCachedCodecs {
		if _, loaded := codecCache.LoadOrStore(key, codecEntry{codec: c, schema: sch}); !loaded {
			codecCached.Add(1)
		}
	}
	return c, nil
}

// mapID is the identity of a schema map (0 for a nil map).
func mapID[V any](m map[string]V) uintptr {
	if m == nil {
		return 0
	}
	return uintptr(reflect.ValueOf(m).UnsafePointer())
}

// fieldKind is how a field's value is converted.
type fieldKind int

const (
	kindString fieldKind = iota // types.String of a types.StringType attribute
	kindBool                    // types.Bool of a types.BoolType attribute
	kindValue                   // any other attr.Value: through the schema type
	kindObject                  // a pointer to a struct: a nested block
)

// fieldCodec converts one struct field.
type fieldCodec struct {
	attr   string
	index  int
	kind   fieldKind
	typ    attr.Type    // the schema's type of the attribute
	tfType tftypes.Type // typ.TerraformType
	goType reflect.Type // the field's type
	nested *modelCodec  // kindObject: the block's struct
}

// modelCodec converts one model struct type to and from an object value
// of one schema.
type modelCodec struct {
	tfType tftypes.Object
	fields []fieldCodec
	// profile is whether the model keeps the profile strings
	// (profileAttrs) in its profileValues map.
	profile bool
}

var (
	stringFieldType = reflect.TypeFor[types.String]()
	boolFieldType   = reflect.TypeFor[types.Bool]()
	attrValueType   = reflect.TypeFor[attr.Value]()
)

// newModelCodec plans the conversion of struct type t to and from objType,
// with the checks the framework makes of a struct against an object: a
// tfsdk tag on every field, and the same names on both sides.
func newModelCodec(ctx context.Context, t reflect.Type, objType attr.TypeWithAttributeTypes, profiled bool) (*modelCodec, error) {
	attrTypes := objType.AttributeTypes()
	tfType, ok := objType.TerraformType(ctx).(tftypes.Object)
	if !ok {
		return nil, fmt.Errorf("the schema's type %s is not an object", objType)
	}
	c := &modelCodec{tfType: tfType, profile: profiled}
	covered := map[string]bool{}
	if profiled {
		for _, name := range profileAttrs {
			if at, ok := attrTypes[name]; !ok || !at.Equal(types.StringType) {
				return nil, fmt.Errorf("the schema has no string attribute %q for the user-property table's profile row", name)
			}
			covered[name] = true
		}
	}
	for i := range t.NumField() {
		f := t.Field(i)
		tag, ok := f.Tag.Lookup("tfsdk")
		if tag == "-" {
			continue
		}
		if !ok || !f.IsExported() {
			return nil, fmt.Errorf("%s.%s has no tfsdk tag or is not exported", t, f.Name)
		}
		at, ok := attrTypes[tag]
		if !ok || covered[tag] {
			return nil, fmt.Errorf("%s.%s maps to %q, which the schema does not define (or another field maps to)", t, f.Name, tag)
		}
		covered[tag] = true
		fc, err := newFieldCodec(ctx, t, f, i, tag, at)
		if err != nil {
			return nil, err
		}
		c.fields = append(c.fields, fc)
	}
	for name := range attrTypes {
		if !covered[name] {
			return nil, fmt.Errorf("the schema's attribute %q has no field in %s", name, t)
		}
	}
	return c, nil
}

// newFieldCodec plans the conversion of field f (index i of struct t) to
// and from the attribute tag of schema type at.
func newFieldCodec(ctx context.Context, t reflect.Type, f reflect.StructField, i int, tag string, at attr.Type) (fieldCodec, error) {
	fc := fieldCodec{attr: tag, index: i, typ: at, tfType: at.TerraformType(ctx), goType: f.Type}
	switch {
	case f.Type == stringFieldType && at.Equal(types.StringType):
		fc.kind = kindString
	case f.Type == boolFieldType && at.Equal(types.BoolType):
		fc.kind = kindBool
	case f.Type.Implements(attrValueType):
		fc.kind = kindValue
	case f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct:
		ot, ok := at.(attr.TypeWithAttributeTypes)
		if !ok {
			return fc, fmt.Errorf("%s.%s is a struct pointer but %q is a %s", t, f.Name, tag, at)
		}
		nested, err := newModelCodec(ctx, f.Type.Elem(), ot, false)
		if err != nil {
			return fc, err
		}
		fc.kind, fc.nested = kindObject, nested
	default:
		return fc, fmt.Errorf("%s.%s has type %s, which the codec does not convert", t, f.Name, f.Type)
	}
	return fc, nil
}

// decode sets the fields of dst (an addressable struct) from raw, a known
// object value.
func (c *modelCodec) decode(ctx context.Context, raw tftypes.Value, dst reflect.Value) diag.Diagnostics {
	var vals map[string]tftypes.Value
	if err := raw.As(&vals); err != nil {
		return diag.Diagnostics{codecError("read", err.Error())}
	}
	for i := range c.fields {
		f := &c.fields[i]
		v, ok := vals[f.attr]
		if !ok {
			return diag.Diagnostics{codecError("read", fmt.Sprintf("the value has no attribute %q", f.attr))}
		}
		field := dst.Field(f.index)
		switch f.kind {
		case kindString:
			s, err := fromTerraform[types.String](ctx, types.StringType, v)
			if err != nil {
				return diag.Diagnostics{codecError("read", fmt.Sprintf("%s: %s", f.attr, err))}
			}
			*fieldPtr[types.String](field) = s
		case kindBool:
			b, err := fromTerraform[types.Bool](ctx, types.BoolType, v)
			if err != nil {
				return diag.Diagnostics{codecError("read", fmt.Sprintf("%s: %s", f.attr, err))}
			}
			*fieldPtr[types.Bool](field) = b
		case kindValue:
			av, diags := f.valueFromTerraform(ctx, v)
			if diags.HasError() {
				return diags
			}
			field.Set(reflect.ValueOf(av))
		case kindObject:
			if !v.IsKnown() {
				return diag.Diagnostics{codecError("read", fmt.Sprintf("the block %q is unknown; a struct pointer cannot hold an unknown value", f.attr))}
			}
			if v.IsNull() {
				field.Set(reflect.Zero(f.goType))
				continue
			}
			p := reflect.New(f.goType.Elem())
			if diags := f.nested.decode(ctx, v, p.Elem()); diags.HasError() {
				return diags
			}
			field.Set(p)
		}
	}
	if c.profile {
		profile := make(profileValues, len(profileAttrs))
		for _, name := range profileAttrs {
			s, err := fromTerraform[types.String](ctx, types.StringType, vals[name])
			if err != nil {
				return diag.Diagnostics{codecError("read", fmt.Sprintf("%s: %s", name, err))}
			}
			profile[name] = s
		}
		pm, _ := dst.Addr().Interface().(profiledModel) // c.profile: it is one
		*pm.profile() = profile
	}
	return nil
}

// valueFromTerraform converts v by the field's schema type, with the
// framework's checks (NewAttributeValue in its internal/reflect).
func (f *fieldCodec) valueFromTerraform(ctx context.Context, v tftypes.Value) (attr.Value, diag.Diagnostics) {
	av, err := f.typ.ValueFromTerraform(ctx, v)
	if err != nil {
		return nil, diag.Diagnostics{codecError("read", fmt.Sprintf("%s: %s", f.attr, err))}
	}
	if diags := validateValue(ctx, f.attr, f.typ, av, v); diags.HasError() {
		return nil, diags
	}
	if reflect.TypeOf(av) != f.goType {
		return nil, diag.Diagnostics{codecError("read", fmt.Sprintf("%s: the schema's type gives a %T, the field is a %s", f.attr, av, f.goType))}
	}
	return av, nil
}

// validateValue runs the validation the framework runs when it converts
// a value of schema type typ (a set's duplicate elements, for one).
func validateValue(ctx context.Context, name string, typ attr.Type, av attr.Value, v tftypes.Value) diag.Diagnostics {
	switch t := av.(type) {
	case xattr.ValidateableAttribute:
		var resp xattr.ValidateAttributeResponse
		t.ValidateAttribute(ctx, xattr.ValidateAttributeRequest{Path: path.Root(name)}, &resp)
		return resp.Diagnostics
	default:
		//nolint:staticcheck // the framework still runs the deprecated TypeWithValidate (sets, lists); so does the codec.
		if tv, ok := typ.(xattr.TypeWithValidate); ok {
			return tv.Validate(ctx, v, path.Root(name))
		}
	}
	return nil
}

// encode builds the object value of src (an addressable struct).
func (c *modelCodec) encode(ctx context.Context, src reflect.Value) (tftypes.Value, diag.Diagnostics) {
	vals := make(map[string]tftypes.Value, len(c.tfType.AttributeTypes))
	for i := range c.fields {
		f := &c.fields[i]
		field := src.Field(f.index)
		switch f.kind {
		case kindString, kindBool:
			av, _ := field.Interface().(attr.Value) // types.String or types.Bool
			v, diags := toTerraform(ctx, f.attr, av)
			if diags.HasError() {
				return tftypes.Value{}, diags
			}
			vals[f.attr] = v
		case kindValue:
			av, _ := field.Interface().(attr.Value) // nil is refused below
			v, diags := f.valueToTerraform(ctx, av)
			if diags.HasError() {
				return tftypes.Value{}, diags
			}
			vals[f.attr] = v
		case kindObject:
			if field.IsNil() {
				vals[f.attr] = tftypes.NewValue(f.tfType, nil)
				continue
			}
			v, diags := f.nested.encode(ctx, field.Elem())
			if diags.HasError() {
				return tftypes.Value{}, diags
			}
			vals[f.attr] = v
		}
	}
	if c.profile {
		pm, _ := src.Addr().Interface().(profiledModel) // c.profile: it is one
		profile := *pm.profile()
		for _, name := range profileAttrs {
			v, diags := toTerraform(ctx, name, profile.get(name))
			if diags.HasError() {
				return tftypes.Value{}, diags
			}
			vals[name] = v
		}
	}
	// Every attribute is present with a value of its type (checked
	// above), so NewValue cannot panic.
	return tftypes.NewValue(c.tfType, vals), nil
}

// valueToTerraform converts av, which must have the field's schema type
// (the framework's FromAttributeValue check).
func (f *fieldCodec) valueToTerraform(ctx context.Context, av attr.Value) (tftypes.Value, diag.Diagnostics) {
	if av == nil || !av.Type(ctx).TerraformType(ctx).Equal(f.tfType) {
		return tftypes.Value{}, diag.Diagnostics{codecError("write", fmt.Sprintf("%s: a value of type %v where the schema has %s", f.attr, typeOf(ctx, av), f.typ))}
	}
	v, diags := toTerraform(ctx, f.attr, av)
	if diags.HasError() {
		return tftypes.Value{}, diags
	}
	if diags := validateValue(ctx, f.attr, f.typ, av, v); diags.HasError() {
		return tftypes.Value{}, diags
	}
	return v, nil
}

// fieldPtr is the address of field, a struct field of type T (the field
// plan's kind says which).
func fieldPtr[T any](field reflect.Value) *T {
	p, _ := field.Addr().Interface().(*T)
	return p
}

func typeOf(ctx context.Context, av attr.Value) any {
	if av == nil {
		return nil
	}
	return av.Type(ctx)
}

// toTerraform converts av, a value of a type the schema gives attribute
// name, with the framework's own conversion (which fails only on a value
// state it does not know).
func toTerraform(ctx context.Context, name string, av attr.Value) (tftypes.Value, diag.Diagnostics) {
	v, err := av.ToTerraformValue(ctx)
	if err != nil {
		return tftypes.Value{}, diag.Diagnostics{codecError("write", fmt.Sprintf("%s: %s", name, err))}
	}
	return v, nil
}

// fromTerraform converts v with the framework's own conversion for typ
// (types.StringType, types.BoolType), whose values are V.
func fromTerraform[V attr.Value](ctx context.Context, typ attr.Type, v tftypes.Value) (V, error) {
	av, err := typ.ValueFromTerraform(ctx, v)
	out, _ := av.(V)
	return out, err
}
