package emulator

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"
)

// TestLatitudeBatchOrder: with BatchOrder every batch of two or more items
// comes back in another order than the requests', each item with its
// request's id, and the same seed gives the same order.
func TestLatitudeBatchOrder(t *testing.T) {
	orderOf := func(seed uint64) []string {
		s := start(t, Options{FaultSeed: seed, Latitude: Latitude{BatchOrder: true}})
		tok := token(t, s, s.DefaultApp())
		var items []map[string]any
		want := map[string]string{}
		for i := range 5 {
			id, _ := s.SeedUser(SeedUser{Email: fmt.Sprintf("o%d@partner.example", i)})
			items = append(items, map[string]any{"id": strconv.Itoa(i + 1), "method": "GET", "url": "/users/" + id + "?$select=id"})
			want[strconv.Itoa(i+1)] = id
		}
		r := graph(t, s, tok, "POST", "/$batch", batchReq(items...))
		mustStatus(t, r, 200)
		var got []string
		for _, it := range arr(r.Body["responses"]) {
			m := obj(it)
			if id := str(obj(m["body"])["id"]); id != want[str(m["id"])] {
				t.Errorf("item %v answers for user %s, want %s", m["id"], id, want[str(m["id"])])
			}
			got = append(got, str(m["id"]))
		}
		return got
	}
	a := orderOf(7)
	if slices.Equal(a, []string{"1", "2", "3", "4", "5"}) {
		t.Errorf("answered in request order: %v", a)
	}
	if b := orderOf(7); !slices.Equal(a, b) {
		t.Errorf("same seed, orders %v and %v", a, b)
	}
	// Two items: the only other order is the reverse, whatever the draw.
	for seed := uint64(1); seed <= 4; seed++ {
		s := start(t, Options{FaultSeed: seed, Latitude: Latitude{BatchOrder: true}})
		tok := token(t, s, s.DefaultApp())
		id, _ := s.SeedUser(SeedUser{Email: "two@partner.example"})
		r := graph(t, s, tok, "POST", "/$batch", batchReq(
			map[string]any{"id": "a", "method": "GET", "url": "/users/" + id},
			map[string]any{"id": "b", "method": "GET", "url": "/users/" + id}))
		if ids := []string{str(obj(arr(r.Body["responses"])[0])["id"]), str(obj(arr(r.Body["responses"])[1])["id"])}; ids[0] != "b" {
			t.Errorf("seed %d: two items answered %v", seed, ids)
		}
	}
}

// TestLatitudePageSize: pages hold PageSize items although $top asks for
// more; the next link keeps the $top asked for and reading it to the end
// lists everything once, for users, group members, memberOf and sponsors.
func TestLatitudePageSize(t *testing.T) {
	s := start(t, Options{Latitude: Latitude{PageSize: 2}})
	s.SetPermissions(s.DefaultApp().ClientID, []string{PermUserReadWriteAll, PermDirectoryReadWriteAll})
	tok := token(t, s, s.DefaultApp())
	var ids []string
	for i := range 5 {
		id, _ := s.SeedUser(SeedUser{Email: fmt.Sprintf("p%d@partner.example", i)})
		ids = append(ids, id)
	}
	gid, err := s.SeedGroup("g", ids...)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"g2", "g3"} {
		if _, err := s.SeedGroup(name, ids[0]); err != nil {
			t.Fatal(err)
		}
	}
	for _, sp := range ids[1:4] {
		if err := s.AddSponsor(ids[0], sp); err != nil {
			t.Fatal(err)
		}
	}
	readAll := func(path string, hdr ...string) (all []string, pages int) {
		link := path
		for link != "" {
			r := graph(t, s, tok, "GET", link, nil, hdr...)
			mustStatus(t, r, 200)
			pages++
			vs := values(r)
			if len(vs) > 2 {
				t.Fatalf("%s: page of %d items", link, len(vs))
			}
			for _, v := range vs {
				all = append(all, str(v["id"]))
			}
			link = str(r.Body["@odata.nextLink"])
			if link != "" {
				if u, _ := url.Parse(link); u.Query().Get("$top") != "999" {
					t.Fatalf("next link %s lost $top=999", link)
				}
			}
		}
		return all, pages
	}
	for _, c := range []struct {
		path string
		want int
		hdr  []string
	}{
		{"/users?$top=999&$select=id", 5, nil},
		{"/users?$top=999&$select=id&$filter=" + url.QueryEscape("userType eq 'Guest'"), 5, nil},
		{"/groups/" + gid + "/members?$top=999&$select=id", 5, nil},
		{"/groups/" + gid + "/members/microsoft.graph.user?$top=999&$select=id&$count=true", 5, []string{"ConsistencyLevel", "eventual"}},
		{"/users/" + ids[0] + "/memberOf?$top=999&$select=id", 3, nil},
		{"/users/" + ids[0] + "/sponsors?$top=999&$select=id", 3, nil},
	} {
		got, pages := readAll(c.path, c.hdr...)
		if len(got) != c.want || pages != (c.want+1)/2 {
			t.Errorf("%s: %d items in %d pages, want %d in %d", c.path, len(got), pages, c.want, (c.want+1)/2)
		}
		slices.Sort(got)
		if len(slices.Compact(got)) != len(got) {
			t.Errorf("%s: an item listed twice: %v", c.path, got)
		}
	}
}

var sevenDigits = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$`)

// TestLatitudeFractionalSeconds: every user timestamp, however it was set
// (invitation, redemption, PATCH, back-dating, sign-in, delete), comes
// back with seven fractional digits, and parses to the instant stored.
func TestLatitudeFractionalSeconds(t *testing.T) {
	clock := NewFakeClock(time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.UTC))
	s := start(t, Options{Clock: clock, Latitude: Latitude{FractionalSeconds: true}})
	s.SetPermissions(s.DefaultApp().ClientID, []string{PermUserInviteAll, PermUserReadWriteAll,
		PermUserDeleteRestoreAll, PermAuditLogReadAll, PermUserLifeCycleInfoReadWriteAll})
	tok := token(t, s, s.DefaultApp())
	r := invite(t, s, tok, "frac@partner.example")
	mustStatus(t, r, 201)
	id := str(obj(r.Body["invitedUser"])["id"])
	if err := s.RedeemInvitation(id); err != nil {
		t.Fatal(err)
	}
	mustStatus(t, graph(t, s, tok, "PATCH", "/users/"+id, map[string]any{"employeeLeaveDateTime": "2026-12-31T00:00:00Z"}), 204)
	at := time.Date(2026, 2, 1, 8, 0, 0, 500_000_000, time.UTC)
	if err := s.SetSignInActivity(id, SignInTimes{LastSignIn: &at}); err != nil {
		t.Fatal(err)
	}
	r = graph(t, s, tok, "GET", "/users/"+id+"?$select=createdDateTime,externalUserStateChangeDateTime,employeeLeaveDateTime,signInActivity", nil)
	mustStatus(t, r, 200)
	for _, v := range []any{r.Body["createdDateTime"], r.Body["externalUserStateChangeDateTime"],
		r.Body["employeeLeaveDateTime"], obj(r.Body["signInActivity"])["lastSignInDateTime"]} {
		if !sevenDigits.MatchString(str(v)) {
			t.Errorf("timestamp %v has not seven fractional digits (%s)", v, r.Raw)
		}
	}
	if got, _ := time.Parse(time.RFC3339Nano, str(r.Body["createdDateTime"])); !got.Equal(clock.Now().Truncate(100 * time.Nanosecond)) {
		t.Errorf("createdDateTime %v, want %v", got, clock.Now())
	}
	// A filter compares instants, whatever the form.
	r = graph(t, s, tok, "GET", "/users?$select=id&$filter="+url.QueryEscape("createdDateTime ge 2026-03-01T10:00:00Z"), nil,
		"ConsistencyLevel", "eventual")
	if mustStatus(t, r, 200); len(values(r)) != 1 {
		t.Errorf("createdDateTime ge: %s", r.Raw)
	}
	mustStatus(t, graph(t, s, tok, "DELETE", "/users/"+id, nil), 204)
	r = graph(t, s, tok, "GET", "/directory/deletedItems/"+id, nil)
	if mustStatus(t, r, 200); !sevenDigits.MatchString(str(r.Body["deletedDateTime"])) {
		t.Errorf("deletedDateTime %v", r.Body["deletedDateTime"])
	}
}

// TestLatitudeUnaskedProperties: users carry id, @odata.type and a
// property nobody asked for, on a GET, in a list and in a batch item.
func TestLatitudeUnaskedProperties(t *testing.T) {
	s := start(t, Options{Latitude: Latitude{UnaskedProperties: true}})
	tok := token(t, s, s.DefaultApp())
	id, _ := s.SeedUser(SeedUser{Email: "extra@partner.example"})
	check := func(what string, u map[string]any) {
		t.Helper()
		if u["id"] != id || u["@odata.type"] != "#microsoft.graph.user" || obj(u[unaskedProperty]) == nil {
			t.Errorf("%s: %v", what, u)
		}
	}
	r := graph(t, s, tok, "GET", "/users/"+id+"?$select=displayName", nil)
	mustStatus(t, r, 200)
	check("GET", r.Body)
	r = graph(t, s, tok, "GET", "/users?$select=displayName", nil)
	mustStatus(t, r, 200)
	check("list", values(r)[0])
	r = graph(t, s, tok, "POST", "/$batch", batchReq(map[string]any{"id": "1", "method": "GET", "url": "/users/" + id + "?$select=mail"}))
	mustStatus(t, r, 200)
	check("batch", obj(obj(arr(r.Body["responses"])[0])["body"]))
}
