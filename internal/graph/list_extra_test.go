package graph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestListGroupMemberUsersPagesAndFilters serves a group's members in two
// pages and checks the client follows the next link, selects every
// property, and keeps only the users the filter matches, the way Graph's
// $filter would (case-insensitive, inclusive time bounds). The list is the
// uncast one (the cast to users is an advanced query, see
// group-list-members): a member group that would pass the filter is
// skipped by its @odata.type.
func TestListGroupMemberUsersPagesAndFilters(t *testing.T) {
	f := newFake(t)
	const group = "0f0e0d0c-0b0a-0908-0706-050403020100"
	user := func(id, mail, name, state, created string) map[string]any {
		u := userJSON(id, mail)
		u["@odata.type"] = "#microsoft.graph.user"
		u["displayName"] = name
		u["externalUserState"] = state
		u["createdDateTime"] = created
		return u
	}
	f.setGraph(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1.0/groups/"+group+"/members" {
			graphError(w, 404, "Request_ResourceNotFound", "Resource '"+strings.TrimPrefix(r.URL.Path, "/v1.0/groups/")+"' does not exist.", "req-1")
			return
		}
		if r.URL.Query().Get("page") == "2" {
			writeJSON(w, 200, map[string]any{"value": []any{
				user("u3", "Cy@Partner.Example", "Alpha Cy", "Accepted", "2025-01-01T00:00:00Z"),
				user("u4", "dee@partner.example", "Dee", "Accepted", "2025-01-01T00:00:00Z"),
			}})
			return
		}
		writeJSON(w, 200, map[string]any{
			"value": []any{
				user("u1", "al@partner.example", "alpha Al", "Accepted", "2024-01-01T00:00:00Z"),
				user("u2", "bo@other.example", "Alpha Bo", "Accepted", "2025-01-01T00:00:00Z"),
				user("u5", "ed@partner.example", "Alpha Ed", "PendingAcceptance", "2025-01-01T00:00:00Z"),
				map[string]any{"@odata.type": "#microsoft.graph.group", "id": "g1", "displayName": "Alpha Team", "userType": "Guest", "externalUserState": "Accepted",
					"mail": "team@partner.example", "createdDateTime": "2025-01-01T00:00:00Z"},
			},
			"@odata.nextLink": f.srv.URL + "/v1.0/groups/" + group + "/members?page=2",
		})
	})
	c := f.client(f.config())
	after := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	users, err := c.ListGroupMemberUsers(context.Background(), group, GuestFilter{
		UserType: "guest", ExternalUserState: "Accepted", DisplayNamePrefix: "ALPHA", MailDomain: "partner.example",
		CreatedAfter: &after, PageSize: 2,
	})
	if err != nil {
		t.Fatalf("ListGroupMemberUsers: %v", err)
	}
	var got []string
	for _, u := range users {
		got = append(got, u.ID)
	}
	// u1 is too old, u2 in another domain, u4 not "alpha", u5 pending.
	if strings.Join(got, ",") != "u3" {
		t.Fatalf("users = %v; want [u3]", got)
	}
	calls := f.calls()
	if len(calls) != 2 {
		t.Fatalf("%d Graph calls; want 2 (two pages)", len(calls))
	}
	if top := calls[0].Query.Get("$top"); top != "2" {
		t.Errorf("$top = %q; want 2", top)
	}
	for _, call := range calls {
		if call.Header.Get("ConsistencyLevel") != "" || call.Query.Has("$count") {
			t.Errorf("members listed as an advanced query: %v %v", call.Header, call.Query)
		}
	}
	if sel := calls[0].Query.Get("$select"); !strings.Contains(sel, "externalUserState") || !strings.Contains(sel, "createdDateTime") {
		t.Errorf("$select = %q; want every User property", sel)
	}

	_, err = c.ListGroupMemberUsers(context.Background(), "11111111-0000-0000-0000-000000000000", GuestFilter{})
	if !IsNotFound(err) {
		t.Fatalf("unknown group: err = %v; want a not-found error", err)
	}
	var ge *Error
	if !errors.As(err, &ge) {
		t.Fatalf("err = %T; want a *graph.Error", err)
	}
	if ge.Operation != "GET /groups/{id}/members" {
		t.Errorf("Operation = %q", ge.Operation)
	}
}

// TestGuestFilterMatchesBounds pins the inclusive time bounds and the
// user without a creation time, which no time filter can match.
func TestGuestFilterMatchesBounds(t *testing.T) {
	at := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	u := User{UserType: "Guest", CreatedDateTime: &at}
	if !(GuestFilter{CreatedAfter: &at, CreatedBefore: &at}).Matches(u) {
		t.Error("bounds equal to createdDateTime must match (ge / le)")
	}
	later := at.Add(time.Second)
	if (GuestFilter{CreatedAfter: &later}).Matches(u) {
		t.Error("created before created_after matched")
	}
	if (GuestFilter{CreatedBefore: &at}).Matches(User{}) {
		t.Error("a user without createdDateTime matched a time filter")
	}
	if !(GuestFilter{}).Matches(User{}) {
		t.Error("the empty filter must match every user")
	}
}

// TestListGroupMemberUsersReadsSignInsFromUsers: with the sign-in opt-in,
// the members are listed without signInActivity (Graph documents it on
// /users only) and their sign-ins are read through GET /users with
// $filter=id in (...), at most 15 IDs a request (the documented limit of
// an in clause). This fake answers like a strict Graph: members never
// carry signInActivity, and an in clause over 15 values is refused.
func TestListGroupMemberUsersReadsSignInsFromUsers(t *testing.T) {
	f := newFake(t)
	const group = "0f0e0d0c-0b0a-0908-0706-050403020100"
	const n = 17
	at := "2025-03-01T10:00:00Z"
	id := func(i int) string { return fmt.Sprintf("0000000%d-0000-0000-0000-0000000000%02d", i%10, i) }
	f.setGraph(strictMembersGraph(group, n, id, at))
	cfg := f.config()
	cfg.ReadSignInActivity = true
	users, err := f.client(cfg).ListGroupMemberUsers(context.Background(), group, GuestFilter{PageSize: 999})
	if err != nil {
		t.Fatalf("ListGroupMemberUsers: %v", err)
	}
	if len(users) != n {
		t.Fatalf("%d users; want %d", len(users), n)
	}
	for i, u := range users {
		if signedIn := i%10 == 0; u.SignInActivity.Never() == signedIn {
			t.Errorf("user %d (%s): sign-in activity %+v; want signed in = %v", i, u.ID, u.SignInActivity, signedIn)
		}
	}
	if sa := users[10].SignInActivity; sa == nil || sa.LastSuccessfulSignIn == nil || sa.LastSuccessfulSignIn.Format(time.RFC3339) != at {
		t.Errorf("user 10 sign-in activity = %+v; want last successful sign-in %s", sa, at)
	}
	calls := f.calls()
	if len(calls) != 3 {
		t.Fatalf("%d Graph calls; want 3 (the members, then 15 + 2 users)", len(calls))
	}
	if sel := calls[0].Query.Get("$select"); strings.Contains(sel, "signInActivity") {
		t.Errorf("members $select = %q: signInActivity is documented on /users only", sel)
	}
	if top := calls[0].Query.Get("$top"); top != "999" {
		t.Errorf("members $top = %q; want 999 (the 500 cap applies to reads selecting signInActivity)", top)
	}
	for _, c := range calls[1:] {
		if sel := c.Query.Get("$select"); sel != "id,signInActivity" {
			t.Errorf("users $select = %q; want id,signInActivity", sel)
		}
	}
}

// strictMembersGraph answers as TestListGroupMemberUsersReadsSignInsFromUsers
// describes: n user members of group without signInActivity, and /users
// with id in (...) of at most 15 values, every tenth member signed in at at.
func strictMembersGraph(group string, n int, id func(int) string, at string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1.0/groups/" + group + "/members":
			var v []any
			for i := range n {
				u := userJSON(id(i), fmt.Sprintf("g%d@partner.example", i))
				u["@odata.type"] = "#microsoft.graph.user"
				v = append(v, u)
			}
			writeJSON(w, 200, map[string]any{"value": v})
		case "/v1.0/users":
			filter := r.URL.Query().Get("$filter")
			list, ok := strings.CutPrefix(filter, "id in (")
			if !ok || !strings.HasSuffix(list, ")") {
				graphError(w, 400, "BadRequest", "unexpected filter "+filter, "req-2")
				return
			}
			vals := strings.Split(strings.TrimSuffix(list, ")"), ",")
			if len(vals) > 15 {
				graphError(w, 400, "Request_UnsupportedQuery", "too many values in the in clause", "req-3")
				return
			}
			var v []any
			for _, q := range vals {
				uid := strings.Trim(q, "'")
				u := map[string]any{"id": uid, "signInActivity": nil}
				if strings.HasSuffix(uid, "0") { // every tenth member signed in
					u["signInActivity"] = map[string]any{"lastSignInDateTime": at, "lastSuccessfulSignInDateTime": at}
				}
				v = append(v, u)
			}
			writeJSON(w, 200, map[string]any{"value": v})
		default:
			graphError(w, 404, "Request_ResourceNotFound", "not found", "req-1")
		}
	}
}
