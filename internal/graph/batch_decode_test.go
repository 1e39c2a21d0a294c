package graph

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	jsonserialization "github.com/microsoft/kiota-serialization-json-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// The batch path decodes users itself; it must give exactly what the SDK
// path (a direct GET) gives, or a refresh would show drift that a single
// read does not.
func TestBatchDecodeMatchesSDK(t *testing.T) {
	full, _ := json.Marshal(benchUserJSON(7))
	all, _ := allSelected(t)
	cases := map[string]string{
		"bench user":              string(full),
		"every selected property": string(all),
		"nulls and empty arrays":  `{"id":"u1","displayName":null,"mail":null,"givenName":null,"businessPhones":[],"otherMails":[],"accountEnabled":false}`,
		"absent properties":       `{"id":"u2","userType":"Member"}`,
		"fractional time":         `{"id":"u3","createdDateTime":"2026-03-04T05:06:07.1234567Z","externalUserStateChangeDateTime":"2026-03-04T05:06:07+02:00"}`,
		"odata noise":             `{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users/$entity","@odata.type":"#microsoft.graph.user","id":"u4","otherMails":["a@b.example","c@d.example"],"businessPhones":["+1 555"]}`,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := decodeUserJSON([]byte(body))
			if err != nil {
				t.Fatal(err)
			}
			want := sdkDecode(t, body)
			if !reflect.DeepEqual(got, want) {
				gj, _ := json.Marshal(got)
				wj, _ := json.Marshal(want)
				t.Errorf("batch decode differs from the SDK:\n got %s\nwant %s", gj, wj)
			}
		})
	}
}

// sdkDecode is the SDK path: kiota's parse node, then toUser.
func sdkDecode(t *testing.T, body string) *User {
	t.Helper()
	node, err := jsonserialization.NewJsonParseNode([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	v, err := node.GetObjectValue(models.CreateUserFromDiscriminatorValue)
	if err != nil {
		t.Fatal(err)
	}
	u, ok := v.(models.Userable)
	if !ok {
		t.Fatalf("the SDK parsed a %T, not a user", v)
	}
	return toUser(u)
}

// Null and absent are the same to every decoder, for every property the
// client selects: Graph writes null for an empty property today, but a
// property left out of an answer (a future server, or an OData service
// honouring omit-values=nulls) must not read differently.
func TestNullAndAbsentDecodeAlike(t *testing.T) {
	nulls := map[string]any{"id": "u1"}
	for _, name := range append(slices.Clone(userSelect), signInActivityProp, employeeLeaveDateTimeProp) {
		if name != "id" {
			nulls[name] = nil
		}
	}
	withNulls, _ := json.Marshal(nulls)
	absent := `{"id":"u1"}`
	want, err := decodeUserJSON([]byte(absent))
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeUserJSON(withNulls)
	if err != nil {
		t.Fatal(err)
	}
	for name, u := range map[string]*User{"batch, nulls": got, "SDK, nulls": sdkDecode(t, string(withNulls)), "SDK, absent": sdkDecode(t, absent)} {
		if !reflect.DeepEqual(u, want) {
			gj, _ := json.Marshal(u)
			wj, _ := json.Marshal(want)
			t.Errorf("%s decodes differently from absent properties:\n got %s\nwant %s", name, gj, wj)
		}
	}
}
