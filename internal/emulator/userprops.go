package emulator

import (
	"github.com/entra-b2b/terraform-provider-b2b/internal/userprop"
)

// The emulator's view of the user properties: the provider's table
// (internal/userprop, Graph's facts from
// https://learn.microsoft.com/graph/api/resources/user) plus the few
// properties only the emulator models (Entra sets them on an invited user,
// the provider never reads them). Store, PATCH validation and $filter are
// derived from these, so a row added to the table is stored, selected,
// validated and filtered here without another edit.

// emulatorOnlyProps are modelled by the emulator but absent from the table.
var emulatorOnlyProps = append([]userprop.Prop{
	{Graph: "identities", Type: userprop.StringList, Writable: true},
	// imAddresses and proxyAddresses: "Read-only"; filter rows from the
	// docs' user table.
	{Graph: "imAddresses", Type: userprop.StringList,
		Filter: userprop.Filter{Eq: userprop.ByDefault, StartsWith: userprop.ByDefault, Collection: true}},
	{Graph: "proxyAddresses", Type: userprop.StringList,
		Filter: userprop.Filter{Eq: userprop.ByDefault, StartsWith: userprop.ByDefault, EndsWith: true, Collection: true}},
	// mailNickname: 64, "must be specified when a user is created".
	{Graph: "mailNickname", Type: userprop.String, MaxLen: 64, Writable: true, Clear: userprop.ClearNotNullable,
		Filter: userprop.Filter{Eq: userprop.ByDefault, StartsWith: userprop.ByDefault, IsNil: userprop.AdvancedOnly}},
	{Graph: "deletedDateTime", Type: userprop.Time},
	leaveDateRow, // employeeLeaveDateTime (lifecycle.go)
}, signInProps...) // signInActivity (signin.go)

// modelledProps is every property the emulator stores, by Graph name.
var modelledProps = func() map[string]userprop.Prop {
	m := map[string]userprop.Prop{}
	for _, p := range append(append([]userprop.Prop{}, userprop.Users...), emulatorOnlyProps...) {
		m[p.Graph] = p
	}
	return m
}()

// userProps lists the user properties the emulator models. Only these can
// be selected or patched.
var userProps = func() []string {
	out := make([]string, 0, len(modelledProps))
	for _, p := range userprop.Users {
		out = append(out, p.Graph)
	}
	for _, p := range emulatorOnlyProps {
		out = append(out, p.Graph)
	}
	return out
}()

// collectionProps are the collections: stored as [] rather than null.
var collectionProps = func() map[string]bool {
	m := map[string]bool{}
	for name, p := range modelledProps {
		if p.Type == userprop.StringList || p.Type == userprop.StringSet {
			m[name] = true
		}
	}
	return m
}()

// readOnlyProps cannot be written with PATCH.
var readOnlyProps = func() map[string]bool {
	m := map[string]bool{}
	for name, p := range modelledProps {
		if !p.Writable {
			m[name] = true
		}
	}
	return m
}()

// maxLen holds the length limits, in UTF-16 code units (userprop.Length), of writable string
// properties (and of each element of businessPhones).
var maxLen = func() map[string]int {
	m := map[string]int{}
	for name, p := range modelledProps {
		if p.Writable && p.MaxLen > 0 {
			m[name] = p.MaxLen
		}
	}
	return m
}()

// notNullable lists the writable string properties that PATCH cannot set
// to null; Graph answers 400 "Invalid value specified for property '…' of
// resource 'User'.". The table's rule per property: usageLocation is "Not
// nullable", displayName "can't be cleared during updates",
// userPrincipalName is required (the sign-in name), userType is Member or
// Guest; mailNickname "must be specified when a user is created". Every
// other string is nullable: null is how Graph reports it unset.
var notNullable = func() map[string]bool {
	m := map[string]bool{}
	for name, p := range modelledProps {
		if p.Writable && p.Type == userprop.String && !p.Clearable() {
			m[name] = true
		}
	}
	return m
}()

func mode(m userprop.Mode) support {
	switch m {
	case userprop.ByDefault:
		return byDefault
	case userprop.AdvancedOnly:
		return advancedOnly
	default:
		return notFilterable
	}
}

// filterRowsOf turns the filter support of props into userFilterTable rows.
func filterRowsOf(props []userprop.Prop) []filterRow {
	var out []filterRow
	for _, p := range props {
		f := p.Filter
		if !f.Filterable() {
			continue
		}
		out = append(out, filterRow{
			name: p.Graph, eq: mode(f.Eq), startsWith: mode(f.StartsWith), geLe: mode(f.GeLe), isNil: mode(f.IsNil),
			endsWith: f.EndsWith, collection: f.Collection,
		})
	}
	return out
}
