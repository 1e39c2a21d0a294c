package provider

import (
	"context"
	"fmt"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework-validators/helpers/validatordiag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/entra-b2b/terraform-provider-b2b/internal/userprop"
)

// graphLengthAtMost checks, at plan time, that a string's length as
// Microsoft Graph counts it (UTF-16 code units, userprop.Length) is between
// 1 and most: every attribute it guards has "" refused or meaning clear
// elsewhere, so the least is always 1. stringvalidator has no such count: UTF8LengthBetween
// counts runes, which lets through a value Graph refuses mid-apply when it
// holds characters outside the Basic Multilingual Plane (129 emoji are 129
// runes but 258 code units, over displayName's 256). The diagnostic is the
// library's own (validatordiag, as UTF8LengthBetween words it): the
// attribute path, the rule and the counted length, never the value.
func graphLengthAtMost(most int) validator.String {
	return graphLengthValidator{most: most}
}

type graphLengthValidator struct{ most int }

var _ validator.String = graphLengthValidator{}

func (v graphLengthValidator) Description(context.Context) string {
	return fmt.Sprintf("length must be between %d and %d characters as Microsoft Graph counts them "+
		"(UTF-16 code units: an emoji or other character outside the Basic Multilingual Plane counts as 2)", 1, v.most)
}

func (v graphLengthValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v graphLengthValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if n := userprop.Length(req.ConfigValue.ValueString()); n < 1 || n > v.most {
		resp.Diagnostics.Append(validatordiag.InvalidAttributeValueLengthDiagnostic(req.Path, v.Description(ctx), strconv.Itoa(n)))
	}
}
