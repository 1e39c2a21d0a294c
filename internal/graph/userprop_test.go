package graph

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/entra-b2b/terraform-provider-b2b/internal/userprop"
)

// goField is the User field of a typed (non-profile) row: Graph's name
// with its first letter upper-cased and a trailing "Id" spelled "ID".
func goField(graphName string) string {
	n := strings.ToUpper(graphName[:1]) + graphName[1:]
	if strings.HasSuffix(n, "Id") {
		n = strings.TrimSuffix(n, "Id") + "ID"
	}
	return n
}

// The typed fields of User must be exactly the table's non-profile rows:
// a row without a field would never be read, a field without a row never
// selected.
func TestUserFieldsMatchTable(t *testing.T) {
	t.Parallel()
	// Read on demand, not by every read (signin.go): no table row.
	want := map[string]bool{"Profile": true, "SignInActivity": true, "EmployeeLeaveDateTime": true}
	for _, p := range userprop.Users {
		if !p.Profile && p.Selected {
			want[goField(p.Graph)] = true
		}
	}
	typ := reflect.TypeFor[User]()
	have := map[string]bool{}
	for i := range typ.NumField() {
		have[typ.Field(i).Name] = true
		if !want[typ.Field(i).Name] {
			t.Errorf("graph.User.%s has no selected, non-profile row in userprop.Users", typ.Field(i).Name)
		}
	}
	for f := range want {
		if !have[f] {
			t.Errorf("userprop.Users has a typed row for %s, but graph.User has no field %s", f, f)
		}
	}
}

// selectedValue is the value User carries for a selected property, as
// JSON-comparable Go (nil when absent).
func selectedValue(u *User, p userprop.Prop) any {
	if p.Profile {
		if v := u.ProfileValue(p.Graph); v != nil {
			return *v
		}
		return nil
	}
	f := reflect.ValueOf(u).Elem().FieldByName(goField(p.Graph))
	switch v := f.Interface().(type) {
	case string:
		if v == "" {
			return nil
		}
		return v
	case *time.Time:
		if v == nil {
			return nil
		}
		return v.Format(time.RFC3339)
	case *bool:
		if v == nil {
			return nil
		}
		return *v
	case []string:
		if len(v) == 0 {
			return nil
		}
		out := make([]any, len(v))
		for i, s := range v {
			out[i] = s
		}
		return out
	}
	return fmt.Sprintf("unhandled %T", f.Interface())
}

// allSelected is testdata/user_all_selected.json: every selected property
// set to a distinct, non-empty value, so a property the decoder drops or
// misnames (a JSON tag, a table row) differs from the fixture.
func allSelected(t *testing.T) ([]byte, map[string]any) {
	t.Helper()
	raw, err := os.ReadFile("testdata/user_all_selected.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return raw, m
}

func TestAllSelectedFixtureSetsEveryProperty(t *testing.T) {
	t.Parallel()
	_, m := allSelected(t)
	seen := map[string]string{}
	for _, name := range userSelect {
		v, ok := m[name]
		if !ok || v == nil || v == "" {
			t.Errorf("testdata/user_all_selected.json does not set the selected property %q", name)
			continue
		}
		if _, isBool := v.(bool); isBool {
			continue
		}
		key := fmt.Sprint(v)
		if other, dup := seen[key]; dup {
			t.Errorf("%s and %s share the value %v; give each a distinct one", other, name, v)
		}
		seen[key] = name
	}
	for k := range m {
		if _, ok := userprop.ByGraph(k); !ok && !strings.HasPrefix(k, "@odata.") {
			t.Errorf("the fixture sets %q, which is no row of userprop.Users", k)
		}
	}
}

// Both decoding paths must carry every selected property of the fixture,
// value for value.
func TestDecodersCarryEverySelectedProperty(t *testing.T) {
	t.Parallel()
	raw, m := allSelected(t)
	batch, err := decodeUserJSON(raw)
	if err != nil {
		t.Fatal(err)
	}
	sdk := sdkDecode(t, string(raw))
	for _, p := range userprop.Users {
		if !p.Selected {
			continue
		}
		want := m[p.Graph]
		if p.Type == userprop.Time {
			ts, _ := time.Parse(time.RFC3339, fmt.Sprint(want))
			want = ts.UTC().Format(time.RFC3339)
		}
		for path, u := range map[string]*User{"batch": batch, "SDK": sdk} {
			if got := selectedValue(u, p); !reflect.DeepEqual(got, want) {
				t.Errorf("%s decoder: %s = %#v, want %#v", path, p.Graph, got, want)
			}
		}
	}
}
