package graph

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

const (
	testGroupID = "6f0c9a32-4d5e-4c1b-9a77-0a1b2c3d4e5f"
	testUserID  = "0d3c2b1a-9f8e-4d7c-8b6a-5f4e3d2c1b0a"
)

func groupsCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// refBody decodes the @odata.id of a POST .../$ref body.
func refBody(t *testing.T, b []byte) string {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("body %q is not JSON: %v", b, err)
	}
	s, _ := v["@odata.id"].(string)
	return s
}

func TestAddGroupMemberRequestAndOutcomes(t *testing.T) {
	const already = "One or more added object references already exist for the following modified properties: 'members'."
	cases := []struct {
		name     string
		status   int
		code     string
		message  string
		wantErr  bool
		wantKind ErrorKind
		wantPerm string
	}{
		{name: "added", status: 204},
		{name: "already a member", status: 400, code: "Request_BadRequest", message: already},
		{name: "bad reference", status: 400, code: "Request_BadRequest", message: "Invalid object identifier 'x'.", wantErr: true, wantKind: KindBadRequest},
		{name: "not found", status: 404, code: "Request_ResourceNotFound", message: "Resource '" + testUserID + "' does not exist or one of its queried reference-property objects are not present.", wantErr: true, wantKind: KindNotFound},
		{name: "forbidden", status: 403, code: "Authorization_RequestDenied", message: "Insufficient privileges to complete the operation.", wantErr: true, wantKind: KindForbidden, wantPerm: "GroupMember.ReadWrite.All"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.setGraph(func(w http.ResponseWriter, r *http.Request) {
				if tc.status == 204 {
					w.WriteHeader(204)
					return
				}
				graphError(w, tc.status, tc.code, tc.message, "req-1")
			})
			c := f.client(f.config())
			err := c.AddGroupMember(groupsCtx(t), testGroupID, testUserID)
			if tc.wantErr {
				checkAddGroupMemberError(t, err, tc.wantKind, tc.wantPerm)
			} else if err != nil {
				t.Fatalf("AddGroupMember: %v", err)
			}
			checkOneAddGroupMemberRequest(t, f)
		})
	}
}

// checkAddGroupMemberError: a refused add is a typed error of the given
// kind, naming the permission it lacks (if any), the operation and Graph's
// request ID.
func checkAddGroupMemberError(t *testing.T, err error, wantKind ErrorKind, wantPerm string) {
	t.Helper()
	if err == nil {
		t.Fatal("AddGroupMember succeeded, want an error")
	}
	if kindOf(err) != wantKind {
		t.Fatalf("kind = %v, want %v (%v)", kindOf(err), wantKind, err)
	}
	e := asGraphError(t, err)
	if e.RequiredPermission != wantPerm {
		t.Fatalf("RequiredPermission = %q, want %q", e.RequiredPermission, wantPerm)
	}
	if e.Operation != "POST /groups/{id}/members/$ref" || e.RequestID != "req-1" {
		t.Fatalf("error = %+v", e)
	}
}

// checkOneAddGroupMemberRequest: the add was a single POST of the user's
// directoryObjects reference to the group's members/$ref.
func checkOneAddGroupMemberRequest(t *testing.T, f *fake) {
	t.Helper()
	calls := f.calls()
	if len(calls) != 1 {
		t.Fatalf("%d Graph calls, want 1", len(calls))
	}
	got := calls[0]
	if got.Method != "POST" || got.Path != "/v1.0/groups/"+testGroupID+"/members/$ref" {
		t.Fatalf("request = %s %s", got.Method, got.Path)
	}
	if ref := refBody(t, got.Body); ref != f.srv.URL+"/v1.0/directoryObjects/"+testUserID {
		t.Fatalf("@odata.id = %q", ref)
	}
}

// Throttled adds are retried, each attempt with the reference.
func TestAddGroupMemberRetriesThrottling(t *testing.T) {
	f := newFake(t)
	var n atomic.Int32
	f.setGraph(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 2 {
			w.Header().Set("Retry-After", "0")
			graphError(w, 429, "TooManyRequests", "Too many requests", "")
			return
		}
		w.WriteHeader(204)
	})
	c := f.client(f.config())
	// kiota's retry handler answers the first 429s itself; the ones that
	// outlive it are repeated by call. Either way every attempt needs the body.
	if err := c.AddGroupMember(groupsCtx(t), testGroupID, testUserID); err != nil {
		t.Fatalf("AddGroupMember: %v", err)
	}
	calls := f.calls()
	if len(calls) != 3 {
		t.Fatalf("%d calls, want 3", len(calls))
	}
	for i, call := range calls {
		if ref := refBody(t, call.Body); ref != f.srv.URL+"/v1.0/directoryObjects/"+testUserID {
			t.Fatalf("attempt %d: @odata.id = %q", i+1, ref)
		}
	}
}

func TestRemoveGroupMemberRequestAndOutcomes(t *testing.T) {
	cases := []struct {
		name     string
		status   int
		code     string
		wantKind ErrorKind
		wantErr  bool
	}{
		{name: "removed", status: 204},
		{name: "not a member", status: 404, code: "Request_ResourceNotFound"},
		{name: "forbidden", status: 403, code: "Authorization_RequestDenied", wantErr: true, wantKind: KindForbidden},
		{name: "bad request", status: 400, code: "Request_BadRequest", wantErr: true, wantKind: KindBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.setGraph(func(w http.ResponseWriter, r *http.Request) {
				if tc.status == 204 {
					w.WriteHeader(204)
					return
				}
				graphError(w, tc.status, tc.code, "refused", "")
			})
			c := f.client(f.config())
			err := c.RemoveGroupMember(groupsCtx(t), testGroupID, testUserID)
			if tc.wantErr != (err != nil) {
				t.Fatalf("RemoveGroupMember = %v, want error %v", err, tc.wantErr)
			}
			if tc.wantErr && kindOf(err) != tc.wantKind {
				t.Fatalf("kind = %v, want %v", kindOf(err), tc.wantKind)
			}
			if tc.wantKind == KindForbidden && asGraphError(t, err).RequiredPermission != "GroupMember.ReadWrite.All" {
				t.Fatalf("RequiredPermission = %q", asGraphError(t, err).RequiredPermission)
			}
			calls := f.calls()
			if len(calls) != 1 || calls[0].Method != "DELETE" || calls[0].Path != "/v1.0/groups/"+testGroupID+"/members/"+testUserID+"/$ref" {
				t.Fatalf("calls = %+v", calls)
			}
		})
	}
}

func TestGetGroup(t *testing.T) {
	f := newFake(t)
	f.setGraph(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1.0/groups/"+testGroupID {
			writeJSON(w, 200, map[string]any{"@odata.context": "x", "id": strings.ToUpper(testGroupID), "displayName": "Partners"})
			return
		}
		graphError(w, 404, "Request_ResourceNotFound", "Resource 'x' does not exist or one of its queried reference-property objects are not present.", "")
	})
	c := f.client(f.config())
	g, err := c.GetGroup(groupsCtx(t), testGroupID)
	if err != nil {
		t.Fatalf("GetGroup: %v", err)
	}
	if g.ID != testGroupID || g.DisplayName != "Partners" {
		t.Fatalf("GetGroup = %+v", g)
	}
	if sel := f.calls()[0].Query.Get("$select"); sel != "id,displayName" {
		t.Fatalf("$select = %q", sel)
	}
	_, err = c.GetGroup(groupsCtx(t), "3a3a3a3a-0000-0000-0000-000000000000")
	if !IsNotFound(err) || asGraphError(t, err).Operation != "GET /groups/{id}" {
		t.Fatalf("missing group: %v", err)
	}
	if _, err := c.GetGroup(groupsCtx(t), " "); !IsBadRequest(err) {
		t.Fatalf("empty ID: %v", err)
	}
}

// pagedFake serves ids in pages of size per page, each next link naming
// the following offset, and records the queries it saw.
func pagedFake(t *testing.T, f *fake, path string, ids []string, per int) {
	t.Helper()
	f.setGraph(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			graphError(w, 404, "Request_ResourceNotFound", "unexpected path "+r.URL.Path, "")
			return
		}
		off := 0
		if s := r.URL.Query().Get("$skiptoken"); s != "" {
			_, _ = fmt.Sscanf(s, "%d", &off)
		}
		end := min(off+per, len(ids))
		var vals []map[string]any
		for _, id := range ids[off:end] {
			vals = append(vals, map[string]any{"@odata.type": "#microsoft.graph.group", "id": id})
		}
		body := map[string]any{"value": vals}
		if end < len(ids) {
			body["@odata.nextLink"] = fmt.Sprintf("%s%s?$select=id&$skiptoken=%d", f.srv.URL, path, end)
		}
		writeJSON(w, 200, body)
	})
}

func TestListUserGroupIDsPagesAndLowerCases(t *testing.T) {
	f := newFake(t)
	ids := []string{"AAAAAAAA-0000-0000-0000-000000000001", "bbbbbbbb-0000-0000-0000-000000000002", "CcCcCcCc-0000-0000-0000-000000000003"}
	path := "/v1.0/users/" + testUserID + "/memberOf"
	pagedFake(t, f, path, ids, 2)
	c := f.client(f.config())
	got, err := c.ListUserGroupIDs(groupsCtx(t), testUserID)
	if err != nil {
		t.Fatalf("ListUserGroupIDs: %v", err)
	}
	want := []string{"aaaaaaaa-0000-0000-0000-000000000001", "bbbbbbbb-0000-0000-0000-000000000002", "cccccccc-0000-0000-0000-000000000003"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("ids = %v, want %v", got, want)
	}
	calls := f.calls()
	if len(calls) != 2 {
		t.Fatalf("%d calls, want 2 pages", len(calls))
	}
	if q := calls[0].Query; q.Get("$select") != "id" || q.Get("$top") != "999" {
		t.Fatalf("first page query = %v", q)
	}
	if calls[1].Query.Get("$skiptoken") != "2" {
		t.Fatalf("second page query = %v", calls[1].Query)
	}
}

func TestListUserGroupIDsEmptyIsNotNil(t *testing.T) {
	f := newFake(t)
	pagedFake(t, f, "/v1.0/users/"+testUserID+"/memberOf", nil, 5)
	got, err := f.client(f.config()).ListUserGroupIDs(groupsCtx(t), testUserID)
	if err != nil || got == nil || len(got) != 0 {
		t.Fatalf("ListUserGroupIDs = %#v, %v", got, err)
	}
}

func TestListUserGroupIDsRefusesForeignNextLinkAndLoops(t *testing.T) {
	for _, next := range []string{"https://graph.example.invalid/v1.0/next", ""} {
		f := newFake(t)
		self := next == ""
		f.setGraph(func(w http.ResponseWriter, r *http.Request) {
			link := next
			if self {
				link = f.srv.URL + "/v1.0/users/" + testUserID + "/memberOf?$skiptoken=same"
			}
			writeJSON(w, 200, map[string]any{"value": []any{map[string]any{"id": testGroupID}}, "@odata.nextLink": link})
		})
		_, err := f.client(f.config()).ListUserGroupIDs(groupsCtx(t), testUserID)
		if err == nil || asGraphError(t, err).Operation != "GET /users/{id}/memberOf" {
			t.Fatalf("next %q: err = %v", next, err)
		}
		if !self && len(f.calls()) != 1 {
			t.Fatalf("followed a foreign next link: %d calls", len(f.calls()))
		}
	}
}

func TestListUserGroupIDsForbiddenNamesPermission(t *testing.T) {
	f := newFake(t)
	f.setGraph(func(w http.ResponseWriter, r *http.Request) {
		graphError(w, 403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.", "")
	})
	_, err := f.client(f.config()).ListUserGroupIDs(groupsCtx(t), testUserID)
	if !IsForbidden(err) || asGraphError(t, err).RequiredPermission != "Directory.Read.All" {
		t.Fatalf("err = %v", err)
	}
}

func TestSponsorsRequests(t *testing.T) {
	const sponsor = "5A5A5A5A-1111-2222-3333-444444444444"
	f := newFake(t)
	var addStatus atomic.Int32
	addStatus.Store(204)
	f.setGraph(sponsorsGraph(t, f, sponsor, &addStatus))
	c := f.client(f.config())
	ctx := groupsCtx(t)

	ids, err := c.ListSponsorIDs(ctx, testUserID)
	if err != nil || strings.Join(ids, ",") != strings.ToLower(sponsor)+","+testGroupID {
		t.Fatalf("ListSponsorIDs = %v, %v", ids, err)
	}
	if q := f.calls()[0].Query; q.Get("$select") != "id" {
		t.Fatalf("sponsors query = %v", q)
	}

	// Add sponsor takes the sponsor's /users/ or /groups/ read URL
	// (user-post-sponsors). Without a plan-time look-up, GET /users/{id}
	// tells the kind (a 404: not a user), so no POST names a group under
	// /users/; the kind that worked is remembered.
	kindThenPost := func(what, id, set string) {
		t.Helper()
		before := len(f.calls())
		if err := c.AddSponsor(ctx, testUserID, id); err != nil {
			t.Fatalf("AddSponsor of %s: %v", what, err)
		}
		calls := f.calls()[before:]
		if len(calls) != 2 || calls[0].Method != "GET" || !strings.EqualFold(calls[0].Path, "/v1.0/users/"+id) || calls[0].Query.Get("$select") != "id" ||
			calls[1].Method != "POST" || refBody(t, calls[1].Body) != f.srv.URL+"/v1.0/"+set+"/"+id ||
			!strings.HasPrefix(calls[1].Header.Get("Content-Type"), "application/json") {
			t.Fatalf("AddSponsor of %s sent %+v; want GET /users/%s, then the POST naming /%s/%s", what, calls, id, set, id)
		}
	}
	kindThenPost("a user", sponsor, "users")
	kindThenPost("a group", testGroupID, "groups")
	calls := f.calls()
	before := len(calls)
	if err := c.AddSponsor(ctx, testUserID, testGroupID); err != nil {
		t.Fatalf("AddSponsor of the group again: %v", err)
	}
	if n := len(f.calls()) - before; n != 1 {
		t.Fatalf("AddSponsor of a known group sponsor sent %d requests; want 1 (the kind is remembered)", n)
	}
	if set, err := c.SponsorSet(ctx, sponsor); err != nil || set != "users" {
		t.Fatalf("SponsorSet(user) = %q, %v", set, err)
	}
	if _, err := c.SponsorSet(ctx, "77777777-0000-0000-0000-000000000000"); !IsNotFound(err) {
		t.Fatalf("SponsorSet of an unknown object: %v", err)
	}
	addStatus.Store(400)
	if err := c.AddSponsor(ctx, testUserID, sponsor); err != nil {
		t.Fatalf("AddSponsor of an existing sponsor: %v", err)
	}
	addStatus.Store(404)
	if err := c.AddSponsor(ctx, testUserID, sponsor); !IsNotFound(err) {
		t.Fatalf("AddSponsor of an unknown sponsor: %v", err)
	}
	addStatus.Store(403)
	err = c.AddSponsor(ctx, testUserID, sponsor)
	if !IsForbidden(err) || asGraphError(t, err).RequiredPermission != "User.ReadWrite.All" || asGraphError(t, err).Operation != "POST /users/{id}/sponsors/$ref" {
		t.Fatalf("AddSponsor forbidden: %v", err)
	}

	if err := c.RemoveSponsor(ctx, testUserID, sponsor); err != nil {
		t.Fatalf("RemoveSponsor: %v", err)
	}
	if err := c.RemoveSponsor(ctx, testUserID, "99999999-0000-0000-0000-000000000000"); err != nil {
		t.Fatalf("RemoveSponsor of a non-sponsor: %v", err)
	}
	calls = f.calls()
	if last := calls[len(calls)-1]; last.Method != "DELETE" || last.Path != "/v1.0/users/"+testUserID+"/sponsors/99999999-0000-0000-0000-000000000000/$ref" {
		t.Fatalf("RemoveSponsor request = %s %s", last.Method, last.Path)
	}
	if err := c.AddSponsor(ctx, testUserID, ""); !IsBadRequest(err) {
		t.Fatalf("empty sponsor ID: %v", err)
	}
}

// The tests below run against the in-process emulator (real token flow,
// TLS on 127.0.0.1), which keeps membership and sponsor state.

var groupsAppPerms = []string{
	emulator.PermUserInviteAll, emulator.PermUserReadWriteAll,
	emulator.PermGroupMemberReadWriteAll, emulator.PermDirectoryReadAll,
}

func groupsEmulator(t *testing.T, perms ...[]string) (*emulator.Server, []*Client) {
	t.Helper()
	var apps []emulator.App
	for i, p := range perms {
		apps = append(apps, emulator.App{ClientID: fmt.Sprintf("00000000-0000-0000-0000-0000000000b%d", i), Secret: fmt.Sprintf("secret-%d", i), Permissions: p})
	}
	s, err := emulator.Start(emulator.Options{Apps: apps})
	if err != nil {
		t.Fatalf("start emulator: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	var clients []*Client
	for _, a := range apps {
		c, err := New(Config{
			Auth: AuthConfig{Method: AuthClientSecret, TenantID: s.TenantID(), ClientID: a.ClientID, ClientSecret: a.Secret,
				AuthorityHost: s.AuthorityHost()},
			GraphEndpoint: s.GraphEndpoint(),
			UserAgent:     "terraform-provider-b2b/test",
			HTTPClient:    &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.CA().CertPool(), MinVersion: tls.VersionTLS12}}},
		})
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		c.impl.baseRetryDelay = 50 * time.Millisecond
		clients = append(clients, c)
	}
	return s, clients
}

func seedGuest(t *testing.T, s *emulator.Server, email string) string {
	t.Helper()
	id, err := s.SeedUser(emulator.SeedUser{Email: email, DisplayName: email})
	if err != nil {
		t.Fatalf("SeedUser: %v", err)
	}
	return id
}

func seedGroup(t *testing.T, s *emulator.Server, name string, members ...string) string {
	t.Helper()
	id, err := s.SeedGroup(name, members...)
	if err != nil {
		t.Fatalf("SeedGroup: %v", err)
	}
	return id
}

func sameIDs(got, want []string) bool {
	g, w := slices.Clone(got), slices.Clone(want)
	for i := range w {
		w[i] = strings.ToLower(w[i])
	}
	slices.Sort(g)
	slices.Sort(w)
	return slices.Equal(g, w)
}

func TestEmulatorGroupMembership(t *testing.T) {
	s, cs := groupsEmulator(t, groupsAppPerms)
	c, ctx := cs[0], groupsCtx(t)
	uid := seedGuest(t, s, "ada@fabrikam.example")
	other := seedGroup(t, s, "Already", uid)
	gid := seedGroup(t, s, "Partners")

	g, err := c.GetGroup(ctx, gid)
	if err != nil || g.ID != strings.ToLower(gid) || g.DisplayName != "Partners" {
		t.Fatalf("GetGroup = %+v, %v", g, err)
	}
	if err := c.AddGroupMember(ctx, gid, uid); err != nil {
		t.Fatalf("AddGroupMember: %v", err)
	}
	if m, _ := s.GroupMemberIDs(gid); !sameIDs(m, []string{uid}) {
		t.Fatalf("members after add = %v", m)
	}
	// Adding again is answered 400 "already exist", which is success.
	s.ResetCounters()
	if err := c.AddGroupMember(ctx, gid, uid); err != nil {
		t.Fatalf("second AddGroupMember: %v", err)
	}
	if n := s.Counters()["status:400"]; n != 1 {
		t.Fatalf("the second add saw %d 400s, want the emulator's one", n)
	}
	ids, err := c.ListUserGroupIDs(ctx, uid)
	if err != nil || !sameIDs(ids, []string{gid, other}) {
		t.Fatalf("ListUserGroupIDs = %v, %v", ids, err)
	}

	if err := c.RemoveGroupMember(ctx, gid, uid); err != nil {
		t.Fatalf("RemoveGroupMember: %v", err)
	}
	if m, _ := s.GroupMemberIDs(gid); len(m) != 0 {
		t.Fatalf("members after remove = %v", m)
	}
	if err := c.RemoveGroupMember(ctx, gid, uid); err != nil {
		t.Fatalf("removing a non-member: %v", err)
	}
	if ids, err := c.ListUserGroupIDs(ctx, uid); err != nil || !sameIDs(ids, []string{other}) {
		t.Fatalf("ListUserGroupIDs after remove = %v, %v", ids, err)
	}
}

func TestEmulatorGroupNotFoundKinds(t *testing.T) {
	s, cs := groupsEmulator(t, groupsAppPerms)
	c, ctx := cs[0], groupsCtx(t)
	uid := seedGuest(t, s, "bo@fabrikam.example")
	gid := seedGroup(t, s, "Partners")
	const missing = "12345678-aaaa-bbbb-cccc-1234567890ab"

	if _, err := c.GetGroup(ctx, missing); !IsNotFound(err) {
		t.Fatalf("GetGroup(missing) = %v", err)
	}
	err := c.AddGroupMember(ctx, missing, uid)
	if !IsNotFound(err) || !strings.Contains(err.Error(), missing) {
		t.Fatalf("AddGroupMember to a missing group = %v", err)
	}
	if err := c.AddGroupMember(ctx, gid, missing); !IsNotFound(err) {
		t.Fatalf("AddGroupMember of a missing user = %v", err)
	}
	if err := c.RemoveGroupMember(ctx, missing, uid); err != nil {
		t.Fatalf("RemoveGroupMember from a missing group = %v", err)
	}
	if _, err := c.ListUserGroupIDs(ctx, missing); !IsNotFound(err) {
		t.Fatalf("ListUserGroupIDs(missing user) = %v", err)
	}
}

// Right after an invitation the user is not yet visible: the add is a
// KindNotFound while GetGroup still finds the group, which is how the
// provider tells replication from a missing group.
func TestEmulatorAddMemberBeforeReplication(t *testing.T) {
	s, cs := groupsEmulator(t, groupsAppPerms)
	c, ctx := cs[0], groupsCtx(t)
	gid := seedGroup(t, s, "Partners")
	s.SetReplicationLag(700 * time.Millisecond)
	inv, err := c.Invite(ctx, InvitationRequest{InvitedUserEmailAddress: "new@fabrikam.example", InviteRedirectURL: "https://myapps.microsoft.com"})
	if err != nil {
		t.Fatalf("Invite: %v", err)
	}
	if err := c.AddGroupMember(ctx, gid, inv.InvitedUserID); !IsNotFound(err) {
		t.Fatalf("AddGroupMember before replication = %v", err)
	}
	if _, err := c.GetGroup(ctx, gid); err != nil {
		t.Fatalf("GetGroup: %v", err)
	}
	time.Sleep(800 * time.Millisecond)
	if err := c.AddGroupMember(ctx, gid, inv.InvitedUserID); err != nil {
		t.Fatalf("AddGroupMember after replication: %v", err)
	}
}

func TestEmulatorMemberOfPaging(t *testing.T) {
	s, cs := groupsEmulator(t, groupsAppPerms)
	c, ctx := cs[0], groupsCtx(t)
	uid := seedGuest(t, s, "many@fabrikam.example")
	// One more group than a page of memberOfPageSize holds.
	want := make([]string, 0, memberOfPageSize+2)
	for i := range memberOfPageSize + 2 {
		want = append(want, seedGroup(t, s, fmt.Sprintf("g%04d", i), uid))
	}
	seedGroup(t, s, "not a member")
	s.ResetCounters()
	got, err := c.ListUserGroupIDs(ctx, uid)
	if err != nil {
		t.Fatalf("ListUserGroupIDs: %v", err)
	}
	if !sameIDs(got, want) {
		t.Fatalf("got %d IDs, want the %d seeded groups", len(got), len(want))
	}
	for _, id := range got {
		if id != strings.ToLower(id) {
			t.Fatalf("ID %q is not lower-case", id)
		}
	}
	if n := s.Counters()["GET /v1.0/users/{id}/memberOf"]; n != 2 {
		t.Fatalf("%d memberOf requests, want 2 pages", n)
	}
}

func TestEmulatorSponsors(t *testing.T) {
	s, cs := groupsEmulator(t, groupsAppPerms)
	c, ctx := cs[0], groupsCtx(t)
	uid := seedGuest(t, s, "guest@fabrikam.example")
	boss, err := s.SeedUser(emulator.SeedUser{Email: "boss@contoso.example", UserType: "Member"})
	if err != nil {
		t.Fatal(err)
	}
	team := seedGroup(t, s, "Sponsors")

	if ids, err := c.ListSponsorIDs(ctx, uid); err != nil || len(ids) != 0 {
		t.Fatalf("ListSponsorIDs before = %v, %v", ids, err)
	}
	for _, sp := range []string{boss, team, boss} {
		if err := c.AddSponsor(ctx, uid, sp); err != nil {
			t.Fatalf("AddSponsor(%s): %v", sp, err)
		}
	}
	if got, _ := s.SponsorIDs(uid); !sameIDs(got, []string{boss, team}) {
		t.Fatalf("emulator sponsors = %v", got)
	}
	ids, err := c.ListSponsorIDs(ctx, uid)
	if err != nil || !sameIDs(ids, []string{boss, team}) {
		t.Fatalf("ListSponsorIDs = %v, %v", ids, err)
	}
	if err := c.RemoveSponsor(ctx, uid, boss); err != nil {
		t.Fatalf("RemoveSponsor: %v", err)
	}
	if err := c.RemoveSponsor(ctx, uid, boss); err != nil {
		t.Fatalf("removing a non-sponsor: %v", err)
	}
	if got, _ := s.SponsorIDs(uid); !sameIDs(got, []string{team}) {
		t.Fatalf("sponsors after remove = %v", got)
	}
	// The boss object itself must survive (DELETE without /$ref would delete it).
	if _, ok := s.User(boss); !ok {
		t.Fatal("RemoveSponsor deleted the sponsor's user object")
	}
	if err := c.AddSponsor(ctx, uid, "12345678-aaaa-bbbb-cccc-1234567890ab"); !IsNotFound(err) {
		t.Fatalf("AddSponsor of an unknown object = %v", err)
	}

	// Graph's limit on sponsors is a 400 that must not pass for "already exists".
	for i := range 4 {
		sp, err := s.SeedUser(emulator.SeedUser{Email: fmt.Sprintf("s%d@contoso.example", i), UserType: "Member"})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.AddSponsor(ctx, uid, sp); err != nil {
			t.Fatalf("AddSponsor %d: %v", i, err)
		}
	}
	if err := c.AddSponsor(ctx, uid, boss); !IsBadRequest(err) {
		t.Fatalf("sixth sponsor = %v, want a 400", err)
	}
}

// The sponsor's kind is read with $select=id only: with
// read_sign_in_activity on, a full user read that Graph refuses for
// signInActivity (no AuditLog.Read.All here) must not pass a group for a
// user and send its ID under /users/, which the emulator refuses.
func TestEmulatorGroupSponsorKindWithSignInActivity(t *testing.T) {
	s, cs := groupsEmulator(t, []string{emulator.PermUserInviteAll, emulator.PermUserReadWriteAll})
	c, ctx := cs[0], groupsCtx(t)
	c.impl.cfg.ReadSignInActivity = true
	uid := seedGuest(t, s, "guest@fabrikam.example")
	team := seedGroup(t, s, "Sponsors")
	if err := c.AddSponsor(ctx, uid, team); err != nil {
		t.Fatalf("AddSponsor of a group: %v", err)
	}
	if set, err := c.SponsorSet(ctx, team); err != nil || set != "groups" {
		t.Fatalf("SponsorSet of the group = %q, %v", set, err)
	}
	if got, _ := s.SponsorIDs(uid); !sameIDs(got, []string{team}) {
		t.Fatalf("emulator sponsors = %v", got)
	}
}

func TestEmulatorGroupsForbiddenNamesPermission(t *testing.T) {
	s, cs := groupsEmulator(t, []string{emulator.PermUserInviteAll})
	c, ctx := cs[0], groupsCtx(t)
	uid := seedGuest(t, s, "x@fabrikam.example")
	gid := seedGroup(t, s, "Partners")
	checks := []struct {
		name string
		err  error
		perm string
	}{
		{"GetGroup", func() error { _, err := c.GetGroup(ctx, gid); return err }(), "GroupMember.Read.All"},
		{"AddGroupMember", c.AddGroupMember(ctx, gid, uid), "GroupMember.ReadWrite.All"},
		{"RemoveGroupMember", c.RemoveGroupMember(ctx, gid, uid), "GroupMember.ReadWrite.All"},
		{"ListUserGroupIDs", func() error { _, err := c.ListUserGroupIDs(ctx, uid); return err }(), "Directory.Read.All"},
		{"ListSponsorIDs", func() error { _, err := c.ListSponsorIDs(ctx, uid); return err }(), "User.Read.All"},
		{"AddSponsor", c.AddSponsor(ctx, uid, gid), "User.ReadWrite.All"},
		{"RemoveSponsor", c.RemoveSponsor(ctx, uid, gid), "User.ReadWrite.All"},
	}
	for _, ch := range checks {
		var e *Error
		if !IsForbidden(ch.err) || !errors.As(ch.err, &e) || e.RequiredPermission != ch.perm {
			t.Errorf("%s: %v, want Forbidden naming %s", ch.name, ch.err, ch.perm)
		}
	}
}

// Throttled membership writes are retried after Retry-After: the emulator
// answers 429 until the test lifts the fault, and the add still lands.
func TestEmulatorGroupsRetryThrottling(t *testing.T) {
	s, cs := groupsEmulator(t, groupsAppPerms)
	c, ctx := cs[0], groupsCtx(t)
	uid := seedGuest(t, s, "t@fabrikam.example")
	gid := seedGroup(t, s, "Partners")
	s.SetFaults(emulator.Faults{Rate429: 1})
	go func() {
		for s.Counters()["status:429"] < 2 {
			time.Sleep(5 * time.Millisecond)
		}
		s.SetFaults(emulator.Faults{})
	}()
	if err := c.AddGroupMember(ctx, gid, uid); err != nil {
		t.Fatalf("AddGroupMember under throttling: %v", err)
	}
	if n := s.Counters()["status:429"]; n < 2 {
		t.Fatalf("%d throttled answers, want at least 2", n)
	}
	if m, _ := s.GroupMemberIDs(gid); !sameIDs(m, []string{uid}) {
		t.Fatalf("members = %v", m)
	}
}

// A POST $ref whose answer is lost after Graph acted is repeated, and the
// repeat's "already exist" counts as success.
func TestEmulatorAddMemberRepeatedAfterDroppedConnection(t *testing.T) {
	s, cs := groupsEmulator(t, groupsAppPerms)
	c, ctx := cs[0], groupsCtx(t)
	c.impl.baseRetryDelay = 300 * time.Millisecond
	uid := seedGuest(t, s, "d@fabrikam.example")
	gid := seedGroup(t, s, "Partners")
	const key = "POST /v1.0/groups/{id}/members/$ref"
	s.ResetCounters()
	s.SetFaults(emulator.Faults{RateDrop: 1, DropAfterActing: true})
	go func() {
		for s.Counters()[key] < 1 {
			time.Sleep(2 * time.Millisecond)
		}
		s.SetFaults(emulator.Faults{})
	}()
	if err := c.AddGroupMember(ctx, gid, uid); err != nil {
		t.Fatalf("AddGroupMember: %v", err)
	}
	if n := s.Counters()[key]; n != 2 {
		t.Fatalf("%d POSTs, want the dropped one and its repeat", n)
	}
	if m, _ := s.GroupMemberIDs(gid); !sameIDs(m, []string{uid}) {
		t.Fatalf("members = %v", m)
	}
}

// asGraphError is err as an *Error, failing the test when it is not one.
func asGraphError(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *graph.Error", err, err)
	}
	return e
}

// memberOf is read without the OData cast to groups, which
// user-list-memberof counts among the advanced queries (ConsistencyLevel:
// eventual and $count, whose index lags behind a membership just added):
// the plain list is asked for and its groups picked by @odata.type, in a
// direct GET and in a batched one alike.
func TestListUserGroupIDsUncastKeepsGroupsOnly(t *testing.T) {
	const role = "11111111-2222-3333-4444-555555555555"
	const unit = "66666666-7777-8888-9999-000000000000"
	f := newFake(t)
	f.setGraph(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1.0/users/"+testUserID+"/memberOf" {
			graphError(w, 400, "Request_UnsupportedQuery", "unexpected path "+r.URL.Path, "")
			return
		}
		writeJSON(w, 200, map[string]any{"value": []any{
			map[string]any{"@odata.type": "#microsoft.graph.directoryRole", "id": role},
			map[string]any{"@odata.type": "#microsoft.graph.group", "id": testGroupID},
			map[string]any{"@odata.type": "#microsoft.graph.administrativeUnit", "id": unit},
		}})
	})
	c := f.client(f.config())
	ctx := groupsCtx(t)
	// Rounds of concurrent reads, as a refresh makes: the batcher learns
	// the concurrency and later rounds travel in batches.
	for range 3 {
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ids, err := c.ListUserGroupIDs(ctx, testUserID)
				if err == nil && strings.Join(ids, ",") != testGroupID {
					err = fmt.Errorf("ids = %v, want only the group %s", ids, testGroupID)
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	batched, direct := 0, 0
	for _, call := range f.calls() {
		switch {
		case call.Path == "/v1.0/$batch":
			batched++
		case strings.HasSuffix(call.Path, "/memberOf"):
			direct++
			if call.Header.Get("ConsistencyLevel") != "" || call.Query.Has("$count") {
				t.Errorf("memberOf sent as an advanced query: %v %v", call.Header, call.Query)
			}
		}
	}
	if batched == 0 || direct == 0 {
		t.Errorf("%d batches and %d direct reads, want both paths exercised", batched, direct)
	}
}

// sponsorsGraph answers TestSponsorsRequests' calls: the guest's sponsors
// (a user and a group), adding one with the status addStatus holds (after
// refusing a URL that names the wrong kind of object, as a strict reading
// of user-post-sponsors does), removing one, and reading each sponsor.
func sponsorsGraph(t *testing.T, f *fake, sponsor string, addStatus *atomic.Int32) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		base := "/v1.0/users/" + testUserID + "/sponsors"
		switch {
		case r.Method == "GET" && r.URL.Path == base:
			writeJSON(w, 200, map[string]any{"value": []any{
				map[string]any{"@odata.type": "#microsoft.graph.user", "id": sponsor},
				map[string]any{"@odata.type": "#microsoft.graph.group", "id": testGroupID},
			}})
		case r.Method == "POST" && r.URL.Path == base+"/$ref":
			// Like the emulator, a strict reading of user-post-sponsors:
			// the URL's entity set must be the sponsor's.
			calls := f.calls() // sequential: the last recorded call is this one
			ref := refBody(t, calls[len(calls)-1].Body)
			if strings.Contains(ref, "/directoryObjects/") ||
				(strings.Contains(ref, "/users/") && strings.HasSuffix(ref, testGroupID)) ||
				(strings.Contains(ref, "/groups/") && !strings.HasSuffix(ref, testGroupID)) {
				graphError(w, 404, "Request_ResourceNotFound", "Resource does not exist.", "")
				return
			}
			switch addStatus.Load() {
			case 204:
				w.WriteHeader(204)
			case 400:
				graphError(w, 400, "Request_BadRequest", "One or more added object references already exist for the following modified properties: 'sponsors'.", "")
			case 403:
				graphError(w, 403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.", "")
			default:
				graphError(w, 404, "Request_ResourceNotFound", "Resource '"+sponsor+"' does not exist or one of its queried reference-property objects are not present.", "")
			}
		case r.Method == "DELETE" && r.URL.Path == base+"/"+sponsor+"/$ref":
			w.WriteHeader(204)
		case r.Method == "GET" && strings.EqualFold(r.URL.Path, "/v1.0/users/"+sponsor):
			writeJSON(w, 200, userJSON(strings.ToLower(sponsor), "boss@contoso.example"))
		case r.Method == "GET" && r.URL.Path == "/v1.0/groups/"+testGroupID:
			writeJSON(w, 200, map[string]any{"id": testGroupID, "displayName": "Sponsors"})
		default:
			graphError(w, 404, "Request_ResourceNotFound", "no such sponsor", "")
		}
	}
}
