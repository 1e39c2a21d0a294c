// Package userprop is the one declarative table of the Microsoft Graph user
// properties the provider reads, writes, filters on or emulates.
//
// Everything else is derived from it or checked against it by a test: the
// graph package's $select list, batch decoder, SDK conversion and PATCH
// body; the provider's resource, data source and list resource schemas and
// model conversions; the emulator's store, PATCH validation and $filter
// table. The package is plain Go with no imports of its own, so that
// internal/graph, internal/provider and internal/emulator can all use it
// without an import cycle and without Terraform types below the provider.
// Terraform-specific parts (validators) are added by the provider, keyed by
// a row's Graph name.
//
// Adding a profile value (a writable String or DateTimeOffset property
// Graph documents for guests) is one row with Profile set, plus a value in
// the decoder fixture and its tests: the provider's models keep profile
// values in a map derived from this table, not in struct fields.
//
// Facts (limits, nullability, filter operators, allowed values) are
// Microsoft Graph v1.0's, from the properties table of
// https://learn.microsoft.com/graph/api/resources/user ("Maximum length is
// N characters", "Not nullable", "Supports $filter (...)") and the user
// table of https://learn.microsoft.com/graph/aad-advanced-queries#user-properties
// (which operators need ConsistencyLevel: eventual), except where a row's
// comment says otherwise.
package userprop

// Type is a property's value type as the provider sees it.
type Type int

const (
	// String is Edm.String (and string-valued enumerations).
	String Type = iota
	// Bool is Edm.Boolean.
	Bool
	// StringList is an ordered String collection.
	StringList
	// StringSet is a String collection whose order carries no meaning.
	StringSet
	// Time is Edm.DateTimeOffset, shown in Terraform as RFC 3339.
	Time
)

// Clear is what null means for a writable property.
type Clear int

const (
	// ClearToNull: Graph stores null for "no value"; PATCH null clears it.
	// Collections are cleared with [] (or null) alike.
	ClearToNull Clear = iota
	// ClearRequired: Graph requires the property and documents that it
	// cannot be cleared during updates (displayName).
	ClearRequired
	// ClearNotNullable: Graph documents the property as not nullable and
	// answers 400 to null.
	ClearNotNullable
)

// Mode is one cell of Graph's $filter table.
type Mode byte

const (
	// No: the operator is not supported, even as an advanced query.
	No Mode = iota
	// ByDefault: supported without the advanced query parameters.
	ByDefault
	// AdvancedOnly: needs ConsistencyLevel: eventual and $count=true.
	AdvancedOnly
)

// Filter is a property's $filter support. The operators the docs table has
// no column for follow its rules: "in" goes with "eq" (same mode), "ne"
// and "not" are advanced-only wherever "eq" is supported.
type Filter struct {
	Eq, StartsWith, GeLe, IsNil Mode
	// EndsWith: advanced-only endsWith (mail, otherMails, userPrincipalName, proxyAddresses).
	EndsWith bool
	// Collection: filtered only through a lambda, /any(p:p ...).
	Collection bool
}

// Filterable reports whether any operator is supported.
func (f Filter) Filterable() bool {
	return f.Eq != No || f.StartsWith != No || f.GeLe != No || f.IsNil != No || f.EndsWith
}

// Prop is one row of the table.
type Prop struct {
	// Graph is the property's name as Graph spells it (JSON, $select, $filter).
	Graph string
	// Attr is the b2b_guest_user attribute (also the data sources'); "" when
	// the provider exposes no attribute for it.
	Attr string
	// Type is the value type.
	Type Type
	// MaxLen is Graph's maximum length in characters as Graph counts them
	// (UTF-16 code units, see Length; not bytes, not runes);
	// 0 when none applies. For collections it bounds each element.
	MaxLen int
	// Writable: Graph accepts it in PATCH /users/{id}.
	Writable bool
	// Clear is what null means when Writable.
	Clear Clear
	// ViaInvitation: POST /invitations carries it, so create needs no PATCH for it.
	ViaInvitation bool
	// Selected: every user read names it in $select.
	Selected bool
	// Filter is its $filter support.
	Filter Filter
	// ComputedOnly: the provider reports it but never writes it.
	ComputedOnly bool
	// Profile: a profile value handled generically end to end: graph.User
	// and graph.UserUpdate carry it in their Profile maps as text (a Time
	// as RFC 3339 in UTC, e.g. 2026-01-31T00:00:00Z), the provider's
	// resource and data sources derive its attribute from this row.
	Profile bool
	// Values are the allowed values of an enumeration (besides null).
	Values []string
	// Description documents the attribute (Markdown, one sentence or two).
	Description string
}

// Clearable reports whether null clears the property.
func (p Prop) Clearable() bool { return p.Clear == ClearToNull }

// Users is the table. Order is Graph's documentation order within each
// group; it decides the $select order only.
var Users = []Prop{
	// Identity and lifecycle, reported by the provider and never written.
	{Graph: "id", Attr: "id", Type: String, Selected: true, ComputedOnly: true,
		// The key: the docs' filter table leaves it out; the resource page gives eq, ne, not, in.
		Filter: Filter{Eq: ByDefault}},
	{Graph: "userPrincipalName", Attr: "user_principal_name", Type: String, MaxLen: 113, Writable: true, Clear: ClearNotNullable,
		Selected: true, ComputedOnly: true, Filter: Filter{Eq: ByDefault, StartsWith: ByDefault, EndsWith: true},
		Description: "The user principal name Entra assigned, e.g. `alice_partner.example#EXT#@contoso.onmicrosoft.com`."},
	{Graph: "mail", Attr: "mail", Type: String, MaxLen: 256, Writable: true, Selected: true, ComputedOnly: true,
		Filter:      Filter{Eq: ByDefault, StartsWith: ByDefault, IsNil: AdvancedOnly, EndsWith: true},
		Description: "The user's primary email address (Graph `mail`)."},
	{Graph: "userType", Attr: "user_type", Type: String, Writable: true, Clear: ClearNotNullable, ViaInvitation: true,
		Selected: true, Values: []string{"Guest", "Member"}, Filter: Filter{Eq: ByDefault, IsNil: AdvancedOnly}},
	// externalUserState: some versions of the docs' filter table omit it; the
	// stored one lists eq by default and eq null as not supported, and the
	// resource page gives "Supports $filter (eq, ne, not, in)".
	{Graph: "externalUserState", Attr: "invitation_state", Type: String, Selected: true, ComputedOnly: true,
		Filter: Filter{Eq: ByDefault}},
	{Graph: "externalUserStateChangeDateTime", Attr: "invitation_state_changed_at", Type: Time, Selected: true, ComputedOnly: true},
	{Graph: "creationType", Attr: "creation_type", Type: String, Selected: true, ComputedOnly: true, Filter: Filter{Eq: ByDefault}},
	{Graph: "createdDateTime", Attr: "created_at", Type: Time, Selected: true, ComputedOnly: true,
		Filter: Filter{Eq: ByDefault, GeLe: ByDefault, IsNil: AdvancedOnly}},
	{Graph: "accountEnabled", Attr: "account_enabled", Type: Bool, Writable: true, Clear: ClearNotNullable, Selected: true,
		Filter: Filter{Eq: ByDefault}},

	// displayName: 256, required, "can't be cleared during updates"; sent with the invitation.
	{Graph: "displayName", Attr: "display_name", Type: String, MaxLen: 256, Writable: true, Clear: ClearRequired, ViaInvitation: true,
		Selected: true, Filter: Filter{Eq: ByDefault, StartsWith: ByDefault, IsNil: AdvancedOnly},
		Description: "The name shown in the directory and address lists. Sent with the invitation (Graph derives one from the address when unset) and changed in place."},

	// Profile strings: one row each is the whole change.
	{Graph: "givenName", Attr: "given_name", Type: String, MaxLen: 64, Writable: true, Selected: true, Profile: true,
		Filter: Filter{Eq: ByDefault, StartsWith: ByDefault, IsNil: AdvancedOnly}, Description: "The first name."},
	{Graph: "surname", Attr: "surname", Type: String, MaxLen: 64, Writable: true, Selected: true, Profile: true,
		Filter: Filter{Eq: ByDefault, StartsWith: ByDefault, IsNil: AdvancedOnly}, Description: "The last name."},
	{Graph: "jobTitle", Attr: "job_title", Type: String, MaxLen: 128, Writable: true, Selected: true, Profile: true,
		Filter: Filter{Eq: ByDefault, StartsWith: ByDefault, IsNil: AdvancedOnly}, Description: "The job title."},
	{Graph: "department", Attr: "department", Type: String, MaxLen: 64, Writable: true, Selected: true, Profile: true,
		Filter: Filter{Eq: ByDefault, StartsWith: ByDefault, IsNil: AdvancedOnly}, Description: "The department."},
	{Graph: "companyName", Attr: "company_name", Type: String, MaxLen: 64, Writable: true, Selected: true, Profile: true,
		Filter: Filter{Eq: AdvancedOnly, StartsWith: AdvancedOnly, IsNil: AdvancedOnly}, Description: "The company the guest works for."},
	// officeLocation: the Graph page gives no maximum; 128 is the directory attribute's
	// (physicalDeliveryOfficeName, rangeUpper 128:
	// https://learn.microsoft.com/windows/win32/adschema/a-physicaldeliveryofficename).
	{Graph: "officeLocation", Attr: "office_location", Type: String, MaxLen: 128, Writable: true, Selected: true, Profile: true,
		Filter: Filter{Eq: AdvancedOnly, StartsWith: AdvancedOnly, IsNil: AdvancedOnly}, Description: "The office location."},
	{Graph: "mobilePhone", Attr: "mobile_phone", Type: String, MaxLen: 64, Writable: true, Selected: true, Profile: true,
		Filter: Filter{Eq: AdvancedOnly, StartsWith: AdvancedOnly, IsNil: AdvancedOnly}, Description: "The mobile phone number."},
	// faxNumber: the Graph page gives no maximum; 64 is the directory attribute's
	// (facsimileTelephoneNumber, rangeUpper 64, Active Directory schema).
	{Graph: "faxNumber", Attr: "fax_number", Type: String, MaxLen: 64, Writable: true, Selected: true, Profile: true,
		Filter: Filter{Eq: AdvancedOnly, StartsWith: AdvancedOnly, IsNil: AdvancedOnly}, Description: "The fax number."},
	// usageLocation: "Not nullable"; Graph answers 400 "Invalid value specified
	// for property 'usageLocation'" to null.
	{Graph: "usageLocation", Attr: "usage_location", Type: String, MaxLen: 2, Writable: true, Clear: ClearNotNullable, Selected: true, Profile: true,
		Filter:      Filter{Eq: ByDefault, StartsWith: ByDefault, IsNil: AdvancedOnly},
		Description: "The country the guest uses services in, as an upper-case ISO 3166-1 alpha-2 code (e.g. `US`); needed before licenses can be assigned."},
	// employeeHireDate: DateTimeOffset, "Supports $filter (eq, ne, not, ge, le, in)" on
	// https://learn.microsoft.com/graph/api/resources/user; the advanced query table
	// lists ge/le only, as advanced. Unlike employeeLeaveDateTime it needs no
	// User-LifeCycleInfo permission.
	{Graph: "employeeHireDate", Attr: "employee_hire_date", Type: Time, Writable: true, Selected: true, Profile: true,
		Filter: Filter{GeLe: AdvancedOnly}, Description: "When the guest was hired or starts work."},
	{Graph: "employeeId", Attr: "employee_id", Type: String, MaxLen: 16, Writable: true, Selected: true, Profile: true,
		Filter: Filter{Eq: ByDefault, IsNil: AdvancedOnly}, Description: "The employee identifier (at most 16 characters, counted as Graph counts them: an emoji or other character outside the Basic Multilingual Plane counts as 2)."},
	// employeeType: the Graph page gives no maximum; 64 is kept as a conservative bound
	// (not confirmed against Graph; raise it if Graph is shown to accept more).
	{Graph: "employeeType", Attr: "employee_type", Type: String, MaxLen: 64, Writable: true, Selected: true, Profile: true,
		Filter: Filter{Eq: AdvancedOnly}, Description: "The employee type, e.g. `Contractor` or `Vendor`."},
	{Graph: "streetAddress", Attr: "street_address", Type: String, MaxLen: 1024, Writable: true, Selected: true, Profile: true,
		Filter: Filter{Eq: AdvancedOnly, StartsWith: AdvancedOnly, IsNil: AdvancedOnly}, Description: "The street address."},
	{Graph: "city", Attr: "city", Type: String, MaxLen: 128, Writable: true, Selected: true, Profile: true,
		Filter: Filter{Eq: ByDefault, StartsWith: ByDefault, IsNil: AdvancedOnly}, Description: "The city."},
	{Graph: "state", Attr: "state", Type: String, MaxLen: 128, Writable: true, Selected: true, Profile: true,
		Filter: Filter{Eq: ByDefault, IsNil: AdvancedOnly}, Description: "The state or province."},
	{Graph: "postalCode", Attr: "postal_code", Type: String, MaxLen: 40, Writable: true, Selected: true, Profile: true,
		Filter: Filter{Eq: AdvancedOnly, StartsWith: AdvancedOnly, IsNil: AdvancedOnly}, Description: "The postal code."},
	{Graph: "country", Attr: "country", Type: String, MaxLen: 128, Writable: true, Selected: true, Profile: true,
		Filter: Filter{Eq: ByDefault, StartsWith: ByDefault, IsNil: AdvancedOnly}, Description: "The country or region (free text, e.g. `Germany`)."},
	// preferredLanguage: the page gives ISO 639-1 codes; 16 bounds a language
	// tag with a region, as the emulator has always enforced.
	{Graph: "preferredLanguage", Attr: "preferred_language", Type: String, MaxLen: 16, Writable: true, Selected: true, Profile: true,
		Filter:      Filter{Eq: AdvancedOnly, StartsWith: AdvancedOnly, IsNil: AdvancedOnly},
		Description: "The preferred language as an ISO 639-1 code with an optional ISO 3166 region, e.g. `en-US`."},
	// ageGroup and consentProvidedForMinor: String enumerations in v1.0 ("Allowed
	// values: null, Minor, NotAdult, and Adult" / "null, Granted, Denied, and
	// NotRequired"), "Supports $filter (eq, ne, not, and in)"; the docs' advanced
	// query table does not list them, so eq is taken to work by default.
	{Graph: "ageGroup", Attr: "age_group", Type: String, Writable: true, Selected: true, Profile: true,
		Values: []string{"Minor", "NotAdult", "Adult"}, Filter: Filter{Eq: ByDefault},
		Description: "The age group of the user, used with `consent_provided_for_minor` to compute Entra's legal age group classification."},
	{Graph: "consentProvidedForMinor", Attr: "consent_provided_for_minor", Type: String, Writable: true, Selected: true, Profile: true,
		Values: []string{"Granted", "Denied", "NotRequired"}, Filter: Filter{Eq: ByDefault},
		Description: "Whether consent was obtained for a minor."},

	// Collections. businessPhones: Graph documents no length; 64 matches mobilePhone.
	{Graph: "businessPhones", Attr: "business_phones", Type: StringList, MaxLen: 64, Writable: true, Selected: true,
		Filter: Filter{Eq: AdvancedOnly, StartsWith: AdvancedOnly, Collection: true}},
	{Graph: "otherMails", Attr: "other_mails", Type: StringSet, Writable: true, Selected: true,
		Filter: Filter{Eq: ByDefault, StartsWith: ByDefault, EndsWith: true, Collection: true}},
}

var byGraph = func() map[string]Prop {
	m := make(map[string]Prop, len(Users))
	for _, p := range Users {
		m[p.Graph] = p
	}
	return m
}()

// ByGraph returns the row of a property by its Graph name.
func ByGraph(name string) (Prop, bool) {
	p, ok := byGraph[name]
	return p, ok
}

// Select is the $select list: every selected property, in table order.
func Select() []string {
	var out []string
	for _, p := range Users {
		if p.Selected {
			out = append(out, p.Graph)
		}
	}
	return out
}

// Profiles returns the generic profile-string rows, in table order.
func Profiles() []Prop {
	var out []Prop
	for _, p := range Users {
		if p.Profile {
			out = append(out, p)
		}
	}
	return out
}
