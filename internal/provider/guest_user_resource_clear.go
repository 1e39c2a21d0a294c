package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// What setting, removing and emptying a profile attribute means. Terraform
// requires a non-computed attribute's plan to equal its configuration, so
// a null configuration could never keep an imported value without a diff.
// The profile attributes are therefore Optional+Computed: the state always
// records Entra's value, and an attribute the configuration does not set
// keeps its state value in the plan (UseStateForUnknown), so it is never
// written. Removing an attribute thus stops managing it; clearing a value
// is said explicitly, with "" or [].

// unmanagedWhenUnset starts the removal rule of every profile attribute's
// description; the clear rule follows it.
const unmanagedWhenUnset = "Unmanaged when unset: Terraform records Entra's value but never changes it, and it never diffs. " +
	"Removing it from the configuration stops managing it and leaves Entra's value as it is. "

// clearRule is what `""` in the configuration means for a profile string,
// from the property's entry on https://learn.microsoft.com/graph/api/resources/user.
type clearRule int

const (
	// clearToNull: Graph stores null for "no value", so `""` clears the
	// property (sent as JSON null) and Entra's "no value" reads back as "".
	clearToNull clearRule = iota
	// clearRequired: Graph requires the property and documents that it
	// "cannot be cleared during updates" (displayName).
	clearRequired
	// clearNotNullable: Graph documents the property as "Not nullable" and
	// answers 400 to null (usageLocation).
	clearNotNullable
)

// clearable reports whether `""` clears the property.
func (c clearRule) clearable() bool { return c == clearToNull }

// why is the reason a property cannot be cleared, for docs and diagnostics.
func (c clearRule) why() string {
	switch c {
	case clearRequired:
		return "Microsoft Graph requires it and documents that it cannot be cleared during updates"
	case clearNotNullable:
		return "Microsoft Graph documents it as not nullable and refuses null with 400 Bad Request"
	default:
		return ""
	}
}

// description is the attribute documentation's sentence on clearing.
func (c clearRule) description() string {
	if c.clearable() {
		return "Set it to `\"\"` to clear it in Entra (the provider sends null); Entra's \"no value\" reads back as `\"\"`."
	}
	return "It cannot be cleared: " + c.why() + ", so `\"\"` is refused at plan time."
}

// emptyValue is how Entra's "no value" is recorded: "" where the
// configuration can say "" (so a configuration with "" for an empty
// property, e.g. from an empty CSV cell, plans nothing after an import),
// null where it cannot.
func (c clearRule) emptyValue() types.String {
	if c.clearable() {
		return types.StringValue("")
	}
	return types.StringNull()
}

// validators wraps a field's validators so that "" is judged by the clear
// rule alone: accepted where it clears, refused with the reason where it
// cannot, and never passed to a length or format check meant for values.
func (c clearRule) validators(inner []validator.String) []validator.String {
	return []validator.String{emptyStringRule{rule: c, inner: inner}}
}

type emptyStringRule struct {
	rule  clearRule
	inner []validator.String
}

func (v emptyStringRule) Description(ctx context.Context) string {
	var parts []string
	for _, in := range v.inner {
		parts = append(parts, in.Description(ctx))
	}
	if v.rule.clearable() {
		parts = append(parts, `"" clears the property`)
	} else {
		parts = append(parts, `"" is refused: the property cannot be cleared`)
	}
	return strings.Join(parts, "; ")
}

func (v emptyStringRule) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v emptyStringRule) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if req.ConfigValue.ValueString() != "" {
		for _, in := range v.inner {
			in.ValidateString(ctx, req, resp)
		}
		return
	}
	if v.rule.clearable() {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Property Cannot Be Cleared",
		fmt.Sprintf("%s is set to \"\", which would clear it in Entra, but %s. "+
			"Set a value, or remove the attribute to stop managing it: Entra's current value is then kept as it is.",
			req.Path, v.rule.why()))
}

// otherMailsKeptUnlessEmailChanges is UseStateForUnknown for other_mails,
// except when the email changes: the provider then adds the new address to
// otherMails itself (Graph re-invites only to one of them), so Entra's
// list after the apply is not the prior one and the plan leaves it unknown.
func otherMailsKeptUnlessEmailChanges() planmodifier.Set { return otherMailsModifier{} }

type otherMailsModifier struct{}

func (otherMailsModifier) Description(context.Context) string {
	return "Keeps the prior value when unset, except across an email change, which adds the new address to otherMails."
}

func (m otherMailsModifier) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (otherMailsModifier) PlanModifySet(ctx context.Context, req planmodifier.SetRequest, resp *planmodifier.SetResponse) {
	if req.State.Raw.IsNull() || !req.PlanValue.IsUnknown() || req.ConfigValue.IsUnknown() {
		return
	}
	var cfgEmail, stateEmail types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("email"), &cfgEmail)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("email"), &stateEmail)...)
	if resp.Diagnostics.HasError() || cfgEmail.IsUnknown() || !strings.EqualFold(cfgEmail.ValueString(), stateEmail.ValueString()) {
		return
	}
	resp.PlanValue = req.StateValue
}
