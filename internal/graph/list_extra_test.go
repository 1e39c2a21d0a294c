package graph

import (
	"context"
	"errors"
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
