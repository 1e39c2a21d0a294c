package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
	"github.com/entra-b2b/terraform-provider-b2b/internal/userprop"
)

// The profile strings of b2b_guest_user and of the data sources come from
// the user-property table (internal/userprop): the row gives the Graph
// name, the attribute, the limit, the clear rule, whether the invitation
// carries it and its documentation; this file adds what only Terraform
// needs (validators) and reads and writes each row in a model (value,
// setValue).
//
// The profile rows have no struct field: a model keeps them in its
// Profile map, and getModel/setModel (model_codec.go) map that to the
// schema. display_name is a profile string for Terraform but keeps its
// field, as graph.User keeps its typed field: the invitation carries it.

// profileStringField is one profile string of the resource: a table row
// with its Terraform parts.
type profileStringField struct {
	prop        userprop.Prop
	attr        string
	description string
	validators  []validator.String
	// viaInvitation: the invitation itself sets it, so create needs no PATCH for it.
	viaInvitation bool
	// clear is what `""` in the configuration does: clear the property
	// (JSON null) where Graph documents it as nullable, else a plan-time
	// error. Removing the attribute never clears anything.
	clear clearRule
}

// isProfileString reports whether a row is a profile string of the
// resource. displayName is one for Terraform, though graph.User keeps it
// as a typed field because the provider reasons about it (invitation,
// list results).
func isProfileString(p userprop.Prop) bool {
	return p.Profile || p.Graph == "displayName"
}

// user is the property's value in u; nil for null.
func (f profileStringField) user(u *graph.User) *string {
	if f.prop.Profile {
		return u.ProfileValue(f.prop.Graph)
	}
	return nonEmpty(u.DisplayName)
}

// value is the attribute's value in model m.
func (f profileStringField) value(m *guestUserResourceModelV0) types.String {
	if f.prop.Profile {
		return m.Profile.get(f.attr)
	}
	return m.DisplayName
}

// setValue sets the attribute's value in model m.
func (f profileStringField) setValue(m *guestUserResourceModelV0, v types.String) {
	if f.prop.Profile {
		m.Profile = m.Profile.with(f.attr, v)
		return
	}
	m.DisplayName = v
}

// write records v ("" clears) as the change of the property in upd.
func (f profileStringField) write(upd *graph.UserUpdate, v string) {
	if f.prop.Profile {
		upd.SetProfile(f.prop.Graph, v)
		return
	}
	upd.DisplayName = &v
}

// written is the change upd makes to the property, nil when none.
func (f profileStringField) written(upd *graph.UserUpdate) *string {
	if f.prop.Profile {
		if v, ok := upd.Profile[f.prop.Graph]; ok {
			return &v
		}
		return nil
	}
	return upd.DisplayName
}

// lengthUpTo bounds a profile string by Graph's maximum, counted as Graph
// counts it (graphLengthAtMost): not in UTF-8 bytes, so a 31-character
// Japanese company name (93 bytes) is well within companyName's 64, but in
// UTF-16 code units, so 33 emoji are over it. The empty string is handled
// by the field's clearRule before these run.
func lengthUpTo(longest int) []validator.String {
	return []validator.String{graphLengthAtMost(longest)}
}

// profileFormatValidators replace the length check where Graph requires a
// format that already bounds the length.
var profileFormatValidators = map[string][]validator.String{
	"usageLocation":     {usageLocationValidator()},
	"preferredLanguage": {preferredLanguageValidator()},
	"displayName":       append(lengthUpTo(256), displayNameNotBlank()),
}

// rfc3339UTC is the one spelling of a time a Time row accepts: RFC 3339
// in UTC to the second, the form Graph answers with, so what is applied
// reads back unchanged (an offset or fractions would come back rewritten
// and fail the apply as an inconsistent result).
var rfc3339UTC = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$`)

// timeFormat is how a Time row's description names the format.
const timeFormat = "an RFC 3339 time in UTC, e.g. `2026-01-31T00:00:00Z`"

// profileValidators are a row's validators of non-empty values: its
// format, the allowed values of an enumeration, or Graph's length limit.
func profileValidators(p userprop.Prop) []validator.String {
	if v, ok := profileFormatValidators[p.Graph]; ok {
		return v
	}
	if p.Type == userprop.Time {
		return []validator.String{
			stringvalidator.RegexMatches(rfc3339UTC, "must be "+strings.ReplaceAll(timeFormat, "`", "")),
			calendarTimeValidator{},
		}
	}
	if len(p.Values) > 0 {
		return []validator.String{stringvalidator.OneOf(p.Values...)}
	}
	return lengthUpTo(p.MaxLen)
}

// profileDescription is the row's documentation plus its allowed values.
func profileDescription(p userprop.Prop) string {
	if len(p.Values) > 0 {
		return p.Description + " One of " + quotedList(p.Values) + "."
	}
	if p.Type == userprop.Time {
		return p.Description + " Written as " + timeFormat + "."
	}
	return p.Description
}

func clearRuleOf(c userprop.Clear) clearRule {
	switch c {
	case userprop.ClearRequired:
		return clearRequired
	case userprop.ClearNotNullable:
		return clearNotNullable
	default:
		return clearToNull
	}
}

// profileStringFields are the resource's profile strings, in table order.
var profileStringFields = func() []profileStringField {
	var out []profileStringField
	for _, p := range userprop.Users {
		if !isProfileString(p) {
			continue
		}
		out = append(out, profileStringField{
			prop: p, attr: p.Attr, description: profileDescription(p), validators: profileValidators(p),
			viaInvitation: p.ViaInvitation, clear: clearRuleOf(p.Clear),
		})
	}
	return out
}()

// calendarTimeValidator refuses a Time row's value that has the right
// shape but names no real instant (2026-02-30T00:00:00Z, hour 24), which
// the pattern alone lets through and Graph refuses only at apply. Values of
// the wrong shape are left to the pattern, so each gets one diagnostic.
type calendarTimeValidator struct{}

var _ validator.String = calendarTimeValidator{}

func (calendarTimeValidator) Description(context.Context) string {
	return "must name a real date and time (a day that exists in its month, hours 00-23)"
}

func (v calendarTimeValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (calendarTimeValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	if !rfc3339UTC.MatchString(s) {
		return
	}
	if _, err := time.Parse(time.RFC3339, s); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Date",
			fmt.Sprintf("The value of %s is written as a time but names none: %s. "+
				"Use a day that exists in its month and hours 00-23, e.g. 2026-01-31T00:00:00Z.", attributeName(req.Path), dateProblem(err)))
	}
}

// dateProblem is what time.Parse found wrong, without repeating the value.
func dateProblem(err error) string {
	var pe *time.ParseError
	if errors.As(err, &pe) && pe.Message != "" {
		return strings.TrimPrefix(pe.Message, ": ")
	}
	return "not a valid date and time"
}
