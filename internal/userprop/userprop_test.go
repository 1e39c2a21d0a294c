package userprop

import (
	"regexp"
	"testing"
)

var snake = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// The table's own rules: names are unique, a profile string is a
// selected, writable, documented String with a limit or allowed values,
// and only writable properties have a clear rule other than the default.
func TestTableIsConsistent(t *testing.T) {
	t.Parallel()
	graphNames, attrs := map[string]bool{}, map[string]bool{}
	for _, p := range Users {
		if graphNames[p.Graph] {
			t.Errorf("%s: two rows", p.Graph)
		}
		graphNames[p.Graph] = true
		if p.Attr != "" {
			if attrs[p.Attr] || !snake.MatchString(p.Attr) {
				t.Errorf("%s: attribute %q is repeated or not snake_case", p.Graph, p.Attr)
			}
			attrs[p.Attr] = true
		}
		if p.Profile {
			checkProfileRow(t, p)
		}
		if !p.Writable && (p.Clear != ClearToNull || p.ViaInvitation || p.MaxLen != 0) {
			t.Errorf("%s: read-only, so no clear rule, invitation or limit applies", p.Graph)
		}
		if p.Filter.Collection != (p.Type == StringList || p.Type == StringSet) && p.Filter.Filterable() {
			t.Errorf("%s: collections, and only they, are filtered through a lambda", p.Graph)
		}
	}
	if got, ok := ByGraph("givenName"); !ok || got.Attr != "given_name" {
		t.Errorf("ByGraph(givenName) = %+v, %v", got, ok)
	}
	if len(Select()) == 0 || len(Profiles()) == 0 {
		t.Error("empty $select or profile list")
	}
}

// checkProfileRow: a profile value is a selected, writable, documented
// String (free text with a limit, or an enumeration) or Time (no limit,
// no values: RFC 3339 bounds it).
func checkProfileRow(t *testing.T, p Prop) {
	t.Helper()
	if (p.Type != String && p.Type != Time) || !p.Writable || !p.Selected || p.Attr == "" || p.ComputedOnly || p.Description == "" {
		t.Errorf("%s: a profile value must be a selected, writable String or Time with an attribute and a description: %+v", p.Graph, p)
	}
	switch {
	case p.Type == Time && (p.MaxLen != 0 || len(p.Values) > 0):
		t.Errorf("%s: a Time profile value has neither MaxLen nor Values", p.Graph)
	case p.Type == String && (p.MaxLen == 0) == (len(p.Values) == 0):
		t.Errorf("%s: a profile string needs exactly one of MaxLen (free text) and Values (enumeration)", p.Graph)
	}
}
