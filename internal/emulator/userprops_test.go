package emulator

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/entra-b2b/terraform-provider-b2b/internal/userprop"
)

// docsFilterTable is the user table of the docs' filter include
// (https://learn.microsoft.com/graph/aad-advanced-queries#user-properties,
// stored version 039d8ebc) for the properties the emulator models, plus
// the rows the resource page gives for id, externalUserState, ageGroup and
// consentProvidedForMinor. It is written out here, apart from the table
// the emulator derives its filter rows from, so that a dropped row or
// operator fails TestUserFilterTableMatchesDocs.
var docsFilterTable = map[string]string{
	"id":                      "eq=default",
	"accountEnabled":          "eq=default",
	"ageGroup":                "eq=default",
	"businessPhones":          "eq=advanced startsWith=advanced collection",
	"city":                    "eq=default startsWith=default isNil=advanced",
	"companyName":             "eq=advanced startsWith=advanced isNil=advanced",
	"consentProvidedForMinor": "eq=default",
	"country":                 "eq=default startsWith=default isNil=advanced",
	"createdDateTime":         "eq=default geLe=default isNil=advanced",
	"creationType":            "eq=default",
	"department":              "eq=default startsWith=default isNil=advanced",
	"displayName":             "eq=default startsWith=default isNil=advanced",
	"employeeHireDate":        "geLe=advanced",
	"employeeId":              "eq=default isNil=advanced",
	// employeeLeaveDateTime, from the resource page: "Supports $filter (eq, ne, not , ge, le, in)".
	"employeeLeaveDateTime": "eq=default geLe=default",
	"employeeType":          "eq=advanced",
	"externalUserState":     "eq=default",
	"faxNumber":             "eq=advanced startsWith=advanced isNil=advanced",
	"givenName":             "eq=default startsWith=default isNil=advanced",
	"imAddresses":           "eq=default startsWith=default collection",
	"jobTitle":              "eq=default startsWith=default isNil=advanced",
	"mail":                  "eq=default startsWith=default isNil=advanced endsWith",
	"mailNickname":          "eq=default startsWith=default isNil=advanced",
	"mobilePhone":           "eq=advanced startsWith=advanced isNil=advanced",
	"officeLocation":        "eq=advanced startsWith=advanced isNil=advanced",
	"otherMails":            "eq=default startsWith=default endsWith collection",
	"postalCode":            "eq=advanced startsWith=advanced isNil=advanced",
	"preferredLanguage":     "eq=advanced startsWith=advanced isNil=advanced",
	"proxyAddresses":        "eq=default startsWith=default endsWith collection",
	"state":                 "eq=default isNil=advanced",
	"streetAddress":         "eq=advanced startsWith=advanced isNil=advanced",
	"surname":               "eq=default startsWith=default isNil=advanced",
	"usageLocation":         "eq=default startsWith=default isNil=advanced",
	"userPrincipalName":     "eq=default startsWith=default endsWith",
	"userType":              "eq=default isNil=advanced",
}

func describeRow(r filterRow) string {
	mode := map[support]string{byDefault: "default", advancedOnly: "advanced"}
	var out []string
	for _, c := range []struct {
		op string
		s  support
	}{{"eq", r.eq}, {"startsWith", r.startsWith}, {"geLe", r.geLe}, {"isNil", r.isNil}} {
		if c.s != notFilterable {
			out = append(out, c.op+"="+mode[c.s])
		}
	}
	if r.endsWith {
		out = append(out, "endsWith")
	}
	if r.collection {
		out = append(out, "collection")
	}
	return strings.Join(out, " ")
}

func TestUserFilterTableMatchesDocs(t *testing.T) {
	t.Parallel()
	got := map[string]string{}
	for _, r := range userFilterTable {
		if _, dup := got[r.name]; dup {
			t.Errorf("userFilterTable has two rows for %s", r.name)
		}
		got[r.name] = describeRow(r)
	}
	names := make([]string, 0, len(docsFilterTable))
	for n := range docsFilterTable {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if g, ok := got[n]; !ok {
			t.Errorf("userFilterTable has no row for %s; the docs give %q", n, docsFilterTable[n])
		} else if g != docsFilterTable[n] {
			t.Errorf("userFilterTable row %s = %q, the docs give %q", n, g, docsFilterTable[n])
		}
	}
	for n, g := range got {
		if _, ok := docsFilterTable[n]; !ok {
			t.Errorf("userFilterTable has a row for %s (%q) the docs do not list", n, g)
		}
	}
}

// validSample is a value of p of exactly n characters that passes the
// emulator's format checks, or "" when the property has no such value.
func validSample(p userprop.Prop, n int) string {
	switch p.Graph {
	case "usageLocation":
		return strings.Repeat("D", n)
	case "preferredLanguage":
		if n < 2 {
			return ""
		}
		s := "en"
		for len(s) < n {
			chunk := min(8, n-len(s)-1)
			if chunk < 2 {
				return ""
			}
			s += "-" + strings.Repeat("A", chunk)
		}
		return s
	case "mail":
		// local@<labels>.example, each label at most 63 characters.
		if n < 12 {
			return ""
		}
		dom := "example"
		for rest := n - len("a@") - len(dom); rest > 0; {
			l := min(63, rest-1)
			if l < 1 {
				return ""
			}
			dom = strings.Repeat("b", l) + "." + dom
			rest -= l + 1
		}
		if s := "a@" + dom; validEmail(s) {
			return s
		}
		return "" // addresses end at 254 characters (RFC 5321) before mail's 256
	}
	return strings.Repeat("x", n)
}

// The emulator's PATCH validation must accept and refuse exactly what the
// table says: read-only refused, null only where clearable, the maximum
// length accepted and one character more refused, only the allowed values
// of an enumeration.
func TestPatchFollowsTable(t *testing.T) {
	t.Parallel()
	accepts := func(name string, v any) string {
		_, msg := validatePatch(map[string]any{name: v})
		return msg
	}
	for _, p := range userprop.Users {
		t.Run(p.Graph, func(t *testing.T) {
			t.Parallel()
			if !p.Writable {
				if msg := accepts(p.Graph, "x"); !strings.Contains(msg, "read-only") {
					t.Errorf("PATCH %s (not writable) = %q, want read-only", p.Graph, msg)
				}
				return
			}
			checkNullPatch(t, p, accepts)
			switch p.Type {
			case userprop.Bool:
				if msg := accepts(p.Graph, true); msg != "" {
					t.Errorf("PATCH %s: true refused: %s", p.Graph, msg)
				}
			case userprop.StringList, userprop.StringSet:
				checkListPatch(t, p, accepts)
			case userprop.String:
				checkStringPatch(t, p, accepts)
			case userprop.Time:
				checkTimePatch(t, p)
			}
		})
	}
}

// checkTimePatch: a DateTimeOffset is accepted with any offset and stored
// in UTC, as Graph answers it; anything else is refused.
func checkTimePatch(t *testing.T, p userprop.Prop) {
	t.Helper()
	got, msg := validatePatch(map[string]any{p.Graph: "2026-01-31T02:00:00+02:00"})
	if msg != "" || got[p.Graph] != "2026-01-31T00:00:00Z" {
		t.Errorf("PATCH %s = 2026-01-31T02:00:00+02:00: stored %v (%q), want 2026-01-31T00:00:00Z", p.Graph, got[p.Graph], msg)
	}
	for _, bad := range []any{"31/01/2026", "2026-01-31", 20260131} {
		if _, msg := validatePatch(map[string]any{p.Graph: bad}); msg == "" {
			t.Errorf("PATCH %s = %v accepted; Graph wants a DateTimeOffset", p.Graph, bad)
		}
	}
}

// checkNullPatch: null is accepted exactly where the row is clearable (lists
// and sets always are, as the empty collection).
func checkNullPatch(t *testing.T, p userprop.Prop, accepts func(string, any) string) {
	t.Helper()
	nullMsg := accepts(p.Graph, nil)
	if clears := p.Clearable() || p.Type == userprop.StringList || p.Type == userprop.StringSet; clears != (nullMsg == "") {
		t.Errorf("PATCH %s: null accepted = %v, the table says clearable = %v (%q)", p.Graph, nullMsg == "", clears, nullMsg)
	}
}

// checkListPatch: the empty list is accepted, and an element of the row's
// maximum length is accepted and one character more refused.
func checkListPatch(t *testing.T, p userprop.Prop, accepts func(string, any) string) {
	t.Helper()
	if msg := accepts(p.Graph, []any{}); msg != "" {
		t.Errorf("PATCH %s: [] refused: %s", p.Graph, msg)
	}
	if p.MaxLen <= 0 {
		return
	}
	if msg := accepts(p.Graph, []any{strings.Repeat("1", p.MaxLen)}); msg != "" {
		t.Errorf("PATCH %s: an element of %d characters refused: %s", p.Graph, p.MaxLen, msg)
	}
	if msg := accepts(p.Graph, []any{strings.Repeat("1", p.MaxLen+1)}); msg == "" {
		t.Errorf("PATCH %s: an element of %d characters accepted, the limit is %d", p.Graph, p.MaxLen+1, p.MaxLen)
	}
}

func checkStringPatch(t *testing.T, p userprop.Prop, accepts func(string, any) string) {
	t.Helper()
	if len(p.Values) > 0 {
		for _, v := range p.Values {
			if msg := accepts(p.Graph, v); msg != "" {
				t.Errorf("PATCH %s = %q (an allowed value) refused: %s", p.Graph, v, msg)
			}
		}
		if msg := accepts(p.Graph, "Bogus"); msg == "" {
			t.Errorf("PATCH %s = \"Bogus\" accepted; allowed: %v", p.Graph, p.Values)
		}
		return
	}
	if p.MaxLen == 0 {
		t.Fatalf("%s is a writable free-text string without MaxLen", p.Graph)
	}
	if s := validSample(p, p.MaxLen); s != "" {
		if msg := accepts(p.Graph, s); msg != "" {
			t.Errorf("PATCH %s with %d characters (the limit) refused: %s", p.Graph, p.MaxLen, msg)
		}
	}
	// Multi-byte characters count as one each, as Graph counts them.
	if p.Graph != "usageLocation" && p.Graph != "preferredLanguage" && p.Graph != "mail" {
		if msg := accepts(p.Graph, strings.Repeat("é", p.MaxLen)); msg != "" {
			t.Errorf("PATCH %s with %d two-byte characters refused: %s", p.Graph, p.MaxLen, msg)
		}
		// A character outside the Basic Multilingual Plane is two UTF-16
		// code units, and Graph counts those (userprop.Length): the limit
		// holds half as many emoji, and one more is refused although it is
		// fewer runes than the limit.
		fits := strings.Repeat("😀", p.MaxLen/2) + strings.Repeat("x", p.MaxLen%2)
		if msg := accepts(p.Graph, fits); msg != "" {
			t.Errorf("PATCH %s with %d UTF-16 code units (the limit) of emoji refused: %s", p.Graph, p.MaxLen, msg)
		}
		over := strings.Repeat("😀", p.MaxLen/2+1)
		if msg := accepts(p.Graph, over); msg != fmt.Sprintf("Invalid value specified for property '%s' of resource 'User'.", p.Graph) {
			t.Errorf("PATCH %s with %d emoji (%d runes, %d UTF-16 code units, limit %d) = %q, want Graph's invalid value error",
				p.Graph, p.MaxLen/2+1, p.MaxLen/2+1, p.MaxLen+2-p.MaxLen%2, p.MaxLen, msg)
		}
	}
	over := validSample(p, p.MaxLen+1)
	if over == "" {
		over = strings.Repeat("x", p.MaxLen+1)
	}
	if msg := accepts(p.Graph, over); msg != fmt.Sprintf("Invalid value specified for property '%s' of resource 'User'.", p.Graph) {
		t.Errorf("PATCH %s with %d characters (limit+1) = %q, want Graph's invalid value error", p.Graph, p.MaxLen+1, msg)
	}
}
