package emulator

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// groupFixture is a server with an all-powerful admin app, a guest and a
// group, for the membership and sponsor conformance tests.
type groupFixture struct {
	s     *Server
	tok   string
	guest string
	gid   string
}

func newGroupFixture(t *testing.T, opts Options) groupFixture {
	t.Helper()
	admin := App{ClientID: newGUID(), Secret: "admin", Permissions: []string{
		PermUserInviteAll, PermUserReadWriteAll, PermDirectoryReadWriteAll, PermGroupMemberReadWriteAll,
	}}
	opts.Apps = append([]App{admin}, opts.Apps...)
	s := start(t, opts)
	guest, err := s.SeedUser(SeedUser{Email: "guest@partner.example", DisplayName: "Guest"})
	if err != nil {
		t.Fatal(err)
	}
	gid, err := s.SeedGroup("Partners")
	if err != nil {
		t.Fatal(err)
	}
	return groupFixture{s: s, tok: token(t, s, admin), guest: guest, gid: gid}
}

func (f groupFixture) ref(set, id string) map[string]any {
	return map[string]any{"@odata.id": f.s.GraphEndpoint() + "/v1.0/" + set + "/" + id}
}

func mustError(t *testing.T, r resp, status int, code, msg string) {
	t.Helper()
	if r.Status != status || r.errCode() != code || r.errMessage() != msg {
		t.Errorf("got %d %s %q, want %d %s %q", r.Status, r.errCode(), r.errMessage(), status, code, msg)
	}
}

func notFoundMsg(id string) string {
	return fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", id)
}

func TestGetGroup(t *testing.T) {
	f := newGroupFixture(t, Options{})
	r := graph(t, f.s, f.tok, "GET", "/groups/"+f.gid, nil)
	mustStatus(t, r, 200)
	b := r.Body
	if b["id"] != f.gid || b["displayName"] != "Partners" || b["securityEnabled"] != true || b["mailEnabled"] != false ||
		!strings.HasSuffix(str(b["@odata.context"]), "/v1.0/$metadata#groups/$entity") {
		t.Errorf("group: %s", r.Raw)
	}
	r = graph(t, f.s, f.tok, "GET", "/groups/"+strings.ToUpper(f.gid)+"?$select=id,displayName", nil)
	mustStatus(t, r, 200)
	if len(r.Body) != 3 || r.Body["displayName"] != "Partners" || !strings.HasSuffix(str(r.Body["@odata.context"]), "#groups(id,displayName)/$entity") {
		t.Errorf("selected group: %s", r.Raw)
	}
	missing := newGUID()
	mustError(t, graph(t, f.s, f.tok, "GET", "/groups/"+missing, nil), 404, "Request_ResourceNotFound", notFoundMsg(missing))
	mustError(t, graph(t, f.s, f.tok, "GET", "/groups/"+f.gid+"?$select=nosuch", nil), 400, "Request_BadRequest",
		"Could not find a property named 'nosuch' on type 'microsoft.graph.group'.")
}

func TestGroupMemberRefs(t *testing.T) {
	f := newGroupFixture(t, Options{})
	s, tok := f.s, f.tok
	other, _ := s.SeedUser(SeedUser{Email: "other@partner.example"})
	unknown := newGUID()
	members := "/groups/" + f.gid + "/members/$ref"

	cases := []struct {
		name         string
		method, path string
		body         any
		status       int
		code, msg    string
	}{
		{"add", "POST", members, f.ref("directoryObjects", f.guest), 204, "", ""},
		{"add twice", "POST", members, f.ref("directoryObjects", f.guest), 400, "Request_BadRequest",
			"One or more added object references already exist for the following modified properties: 'members'."},
		{"add twice by users URL, other case", "POST", members, f.ref("users", strings.ToUpper(f.guest)), 400, "Request_BadRequest",
			"One or more added object references already exist for the following modified properties: 'members'."},
		{"add by users URL", "POST", members, f.ref("users", other), 204, "", ""},
		{"unknown group", "POST", "/groups/" + unknown + "/members/$ref", f.ref("directoryObjects", f.guest), 404, "Request_ResourceNotFound", notFoundMsg(unknown)},
		{"unknown member", "POST", members, f.ref("directoryObjects", unknown), 404, "Request_ResourceNotFound", notFoundMsg(unknown)},
		{"user under a groups URL", "POST", members, f.ref("groups", other), 404, "Request_ResourceNotFound", notFoundMsg(other)},
		{"no @odata.id", "POST", members, map[string]any{"id": f.guest}, 400, "Request_BadRequest",
			"The request body must contain an @odata.id with the URL of the object to add."},
		{"not an object URL", "POST", members, map[string]any{"@odata.id": "https://graph.microsoft.com/v1.0/users"}, 400, "Request_BadRequest",
			"Invalid object identifier 'https://graph.microsoft.com/v1.0/users'."},
		{"not a GUID", "POST", members, map[string]any{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/alice"}, 400, "Request_BadRequest",
			"Invalid object identifier 'https://graph.microsoft.com/v1.0/directoryObjects/alice'."},
		{"remove", "DELETE", "/groups/" + f.gid + "/members/" + other + "/$ref", nil, 204, "", ""},
		{"remove non-member", "DELETE", "/groups/" + f.gid + "/members/" + other + "/$ref", nil, 404, "Request_ResourceNotFound", notFoundMsg(f.gid)},
		{"remove from unknown group", "DELETE", "/groups/" + unknown + "/members/" + f.guest + "/$ref", nil, 404, "Request_ResourceNotFound", notFoundMsg(unknown)},
	}
	for _, tc := range cases {
		r := graph(t, s, tok, tc.method, tc.path, tc.body)
		if tc.code == "" {
			if r.Status != tc.status || len(r.Raw) != 0 {
				t.Errorf("%s: %d %s, want %d and no body", tc.name, r.Status, r.Raw, tc.status)
			}
			continue
		}
		if r.Status != tc.status || r.errCode() != tc.code || r.errMessage() != tc.msg {
			t.Errorf("%s: %d %s, want %d %s %q", tc.name, r.Status, r.Raw, tc.status, tc.code, tc.msg)
		}
	}
	ids, err := s.GroupMemberIDs(f.gid)
	if err != nil || !slices.Equal(ids, []string{f.guest}) {
		t.Errorf("members after the table: %v %v", ids, err)
	}
	c := s.Counters()
	if c["POST /v1.0/groups/{id}/members/$ref"] != 10 || c["DELETE /v1.0/groups/{id}/members/{memberId}/$ref"] != 3 {
		t.Errorf("counters %v", c)
	}
}

// A freshly invited user is not yet replicated: Graph answers 404 naming
// it when it is added as a member or sponsor or its memberOf and sponsors
// are read, and accepts it once the lag has passed.
func TestGroupsReplicationLag(t *testing.T) {
	f := newGroupFixture(t, Options{ReplicationLag: 10 * time.Second})
	s, tok := f.s, f.tok
	r := invite(t, s, tok, "new@partner.example")
	mustStatus(t, r, 201)
	uid := str(obj(r.Body["invitedUser"])["id"])

	mustError(t, graph(t, s, tok, "POST", "/groups/"+f.gid+"/members/$ref", f.ref("directoryObjects", uid)), 404, "Request_ResourceNotFound", notFoundMsg(uid))
	mustError(t, graph(t, s, tok, "POST", "/users/"+uid+"/sponsors/$ref", f.ref("users", f.guest)), 404, "Request_ResourceNotFound", notFoundMsg(uid))
	mustError(t, graph(t, s, tok, "POST", "/users/"+f.guest+"/sponsors/$ref", f.ref("users", uid)), 404, "Request_ResourceNotFound", notFoundMsg(uid))
	mustError(t, graph(t, s, tok, "GET", "/users/"+uid+"/memberOf", nil), 404, "Request_ResourceNotFound", notFoundMsg(uid))
	mustError(t, graph(t, s, tok, "GET", "/users/"+uid+"/sponsors", nil), 404, "Request_ResourceNotFound", notFoundMsg(uid))

	advance(t, s, 11*time.Second)
	mustStatus(t, graph(t, s, tok, "POST", "/groups/"+f.gid+"/members/$ref", f.ref("directoryObjects", uid)), 204)
	mustStatus(t, graph(t, s, tok, "POST", "/users/"+uid+"/sponsors/$ref", f.ref("users", f.guest)), 204)
	r = graph(t, s, tok, "GET", "/users/"+uid+"/memberOf?$select=id", nil)
	if v := values(r); r.Status != 200 || len(v) != 1 || v[0]["id"] != f.gid {
		t.Errorf("memberOf after lag: %s", r.Raw)
	}
}

// A user readable by GET can still be unknown, for LinkReplicationLag, to
// the replica serving its relationships: $ref writes and memberOf/sponsors.
func TestLinkReplicationLag(t *testing.T) {
	f := newGroupFixture(t, Options{LinkReplicationLag: 5 * time.Second})
	s, tok := f.s, f.tok
	r := invite(t, s, tok, "new@partner.example")
	mustStatus(t, r, 201)
	uid := str(obj(r.Body["invitedUser"])["id"])

	mustStatus(t, graph(t, s, tok, "GET", "/users/"+uid, nil), 200)
	mustError(t, graph(t, s, tok, "GET", "/users/"+uid+"/memberOf", nil), 404, "Request_ResourceNotFound", notFoundMsg(uid))
	mustError(t, graph(t, s, tok, "GET", "/users/"+uid+"/sponsors", nil), 404, "Request_ResourceNotFound", notFoundMsg(uid))
	mustError(t, graph(t, s, tok, "POST", "/groups/"+f.gid+"/members/$ref", f.ref("directoryObjects", uid)), 404, "Request_ResourceNotFound", notFoundMsg(uid))
	mustError(t, graph(t, s, tok, "POST", "/users/"+uid+"/sponsors/$ref", f.ref("users", f.guest)), 404, "Request_ResourceNotFound", notFoundMsg(uid))
	// Seeded (not invited) users are not affected.
	mustStatus(t, graph(t, s, tok, "POST", "/groups/"+f.gid+"/members/$ref", f.ref("directoryObjects", f.guest)), 204)

	advance(t, s, 6*time.Second)
	mustStatus(t, graph(t, s, tok, "GET", "/users/"+uid+"/sponsors", nil), 200)
	mustStatus(t, graph(t, s, tok, "POST", "/groups/"+f.gid+"/members/$ref", f.ref("directoryObjects", uid)), 204)
	mustStatus(t, graph(t, s, tok, "POST", "/users/"+uid+"/sponsors/$ref", f.ref("users", f.guest)), 204)
}

func TestMemberOf(t *testing.T) {
	f := newGroupFixture(t, Options{})
	s, tok := f.s, f.tok
	var want []string
	for i := range 5 {
		gid, err := s.SeedGroup(fmt.Sprintf("G%d", i), f.guest)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, gid)
	}
	// A group the user is not in stays out.
	if _, err := s.SeedGroup("Other"); err != nil {
		t.Fatal(err)
	}

	for _, path := range []string{"/memberOf", "/memberOf/microsoft.graph.group", "/memberOf/graph.group"} {
		t.Run(path, func(t *testing.T) {
			got, pages := memberOfPages(t, s, tok, f.guest, path)
			if pages != 3 || !slices.Equal(got, want) {
				t.Errorf("%d pages, groups %v, want %v", pages, got, want)
			}
		})
	}

	r := graph(t, s, tok, "GET", "/users/"+f.guest+"/memberOf", nil)
	mustStatus(t, r, 200)
	v := values(r)
	if len(v) != 5 || v[0]["displayName"] != "G0" || v[0]["securityEnabled"] != true ||
		!strings.HasSuffix(str(r.Body["@odata.context"]), "#directoryObjects") || r.Body["@odata.nextLink"] != nil {
		t.Errorf("default memberOf: %s", r.Raw)
	}
	r = graph(t, s, tok, "GET", "/users/"+f.guest+"/memberOf/microsoft.graph.group?$count=true&$select=id,displayName", nil, "ConsistencyLevel", "eventual")
	if !strings.HasSuffix(str(r.Body["@odata.context"]), "#groups(id,displayName)") || values(r)[4]["displayName"] != "G4" || num(r.Body["@odata.count"]) != 5 {
		t.Errorf("cast memberOf: %s", r.Raw)
	}
	mustStatus(t, graph(t, s, tok, "GET", "/users/"+f.guest+"/memberOf?$top=1000", nil), 400)
	mustStatus(t, graph(t, s, tok, "GET", "/users/"+f.guest+"/memberOf?$select=nosuch", nil), 400)
	missing := newGUID()
	mustError(t, graph(t, s, tok, "GET", "/users/"+missing+"/memberOf", nil), 404, "Request_ResourceNotFound", notFoundMsg(missing))
	if c := s.Counters(); c["GET /v1.0/users/{id}/memberOf/microsoft.graph.group"] != 7 {
		t.Errorf("cast counted %d times", c["GET /v1.0/users/{id}/memberOf/microsoft.graph.group"])
	}
}

// memberOfPages follows a user's memberOf pages of two, checking that
// each item has id and @odata.type only and that every nextLink uses the
// documented cast; it returns the group IDs and the number of pages.
func memberOfPages(t *testing.T, s *Server, tok, uid, path string) ([]string, int) {
	t.Helper()
	var got []string
	next := "/users/" + uid + path + "?$top=2&$select=id"
	var hdr []string
	if path != "/memberOf" {
		// A cast is an advanced query (see TestConformanceMemberOfCast).
		next += "&$count=true"
		hdr = []string{"ConsistencyLevel", "eventual"}
	}
	pages := 0
	// Links use the documented cast even when the request used the alias.
	canonical := strings.Replace(path, "/graph.group", "/microsoft.graph.group", 1)
	for next != "" {
		r := graph(t, s, tok, "GET", next, nil, hdr...)
		mustStatus(t, r, 200)
		pages++
		for _, v := range values(r) {
			if len(v) != 2 || v["@odata.type"] != "#microsoft.graph.group" {
				t.Errorf("item %v, want id and @odata.type only", v)
			}
			got = append(got, str(v["id"]))
		}
		next, _ = r.Body["@odata.nextLink"].(string)
		if next != "" && !strings.HasPrefix(next, s.GraphEndpoint()+"/v1.0/users/"+uid+canonical+"?") {
			t.Errorf("nextLink %s", next)
		}
	}
	return got, pages
}

func TestSponsors(t *testing.T) {
	groupsToo := App{ClientID: newGUID(), Secret: "r", Permissions: []string{PermUserReadAll, PermGroupReadAll}}
	usersOnly := App{ClientID: newGUID(), Secret: "u", Permissions: []string{PermUserReadAll}}
	f := newGroupFixture(t, Options{Apps: []App{groupsToo, usersOnly}})
	s, tok := f.s, f.tok
	boss, _ := s.SeedUser(SeedUser{Email: "boss@contoso.example", DisplayName: "Boss", UserType: "Member"})
	sponsors := "/users/" + f.guest + "/sponsors/$ref"
	unknown := newGUID()
	dup := "One or more added object references already exist for the following modified properties: 'sponsors'."

	mustStatus(t, graph(t, s, tok, "POST", sponsors, f.ref("users", boss)), 204)
	mustStatus(t, graph(t, s, tok, "POST", sponsors, f.ref("groups", f.gid)), 204)
	mustError(t, graph(t, s, tok, "POST", sponsors, f.ref("users", boss)), 400, "Request_BadRequest", dup)
	mustError(t, graph(t, s, tok, "POST", sponsors, f.ref("users", unknown)), 404, "Request_ResourceNotFound", notFoundMsg(unknown))
	// A user's ID under /groups/ is not its read URL (TestConformanceSponsorRefURL).
	mustBadRequest(t, graph(t, s, tok, "POST", sponsors, f.ref("groups", boss)), "Request_BadRequest", "is not a group")
	mustError(t, graph(t, s, tok, "POST", sponsors, f.ref("groups", unknown)), 404, "Request_ResourceNotFound", notFoundMsg(unknown))
	mustError(t, graph(t, s, tok, "POST", "/users/"+unknown+"/sponsors/$ref", f.ref("users", boss)), 404, "Request_ResourceNotFound", notFoundMsg(unknown))

	r := graph(t, s, token(t, s, groupsToo), "GET", "/users/"+f.guest+"/sponsors", nil)
	mustStatus(t, r, 200)
	v := values(r)
	if len(v) != 2 || v[0]["id"] != boss || v[0]["@odata.type"] != "#microsoft.graph.user" || v[0]["displayName"] != "Boss" ||
		v[1]["id"] != f.gid || v[1]["@odata.type"] != "#microsoft.graph.group" || v[1]["displayName"] != "Partners" ||
		!strings.HasSuffix(str(r.Body["@odata.context"]), "#directoryObjects") {
		t.Errorf("sponsors: %s", r.Raw)
	}
	// Without a group read permission a group sponsor is id and type only.
	r = graph(t, s, token(t, s, usersOnly), "GET", "/users/"+f.guest+"/sponsors?$select=id,displayName", nil)
	v = values(r)
	if len(v) != 2 || v[0]["displayName"] != "Boss" || v[1]["id"] != f.gid || v[1]["displayName"] != nil {
		t.Errorf("sponsors without Group.Read.All: %s", r.Raw)
	}
	r = graph(t, s, tok, "GET", "/users/"+f.guest+"/sponsors?$select=id&$top=1", nil)
	if v := values(r); len(v) != 1 || v[0]["id"] != boss || len(v[0]) != 2 {
		t.Errorf("first sponsor page: %s", r.Raw)
	}
	next, _ := r.Body["@odata.nextLink"].(string)
	r = graph(t, s, tok, "GET", next, nil)
	if v := values(r); len(v) != 1 || v[0]["id"] != f.gid || r.Body["@odata.nextLink"] != nil {
		t.Errorf("second sponsor page from %q: %s", next, r.Raw)
	}

	mustStatus(t, graph(t, s, tok, "DELETE", "/users/"+f.guest+"/sponsors/"+boss+"/$ref", nil), 204)
	mustError(t, graph(t, s, tok, "DELETE", "/users/"+f.guest+"/sponsors/"+boss+"/$ref", nil), 404, "Request_ResourceNotFound", notFoundMsg(boss))
	if ids, _ := s.SponsorIDs(f.guest); !slices.Equal(ids, []string{f.gid}) {
		t.Errorf("sponsors after removal: %v", ids)
	}

	// Five sponsors at most (https://learn.microsoft.com/entra/external-id/b2b-sponsors).
	for i := range 4 {
		id, _ := s.SeedUser(SeedUser{Email: fmt.Sprintf("s%d@contoso.example", i), UserType: "Member"})
		mustStatus(t, graph(t, s, tok, "POST", sponsors, f.ref("users", id)), 204)
	}
	r = graph(t, s, tok, "POST", sponsors, f.ref("users", boss))
	if r.Status != 400 || r.errCode() != "Request_BadRequest" || !strings.Contains(r.errMessage(), "5 sponsors") {
		t.Errorf("sixth sponsor: %s", r.Raw)
	}
	if err := s.AddSponsor(f.guest, boss); err == nil {
		t.Error("out-of-band sixth sponsor accepted")
	}
}

// Each endpoint refuses an app without any of its documented permissions
// with Graph's 403, and accepts one holding the least privileged one.
func TestGroupPermissions(t *testing.T) {
	apps := map[string]App{}
	var list []App
	for _, p := range []string{PermUserReadAll, PermUserReadWriteAll, PermGroupMemberReadAll, PermGroupMemberReadWriteAll, PermDirectoryReadAll, PermUserInviteAll} {
		a := App{ClientID: newGUID(), Secret: p, Permissions: []string{p}}
		apps[p] = a
		list = append(list, a)
	}
	f := newGroupFixture(t, Options{Apps: list})
	s := f.s
	tok := func(p string) string { return token(t, s, apps[p]) }
	other, _ := s.SeedUser(SeedUser{Email: "o@contoso.example", UserType: "Member"})

	cases := []struct {
		name         string
		method, path string
		body         any
		denied, ok   string
		okStatus     int
	}{
		{"get group", "GET", "/groups/" + f.gid, nil, PermUserReadWriteAll, PermGroupMemberReadAll, 200},
		{"add member", "POST", "/groups/" + f.gid + "/members/$ref", f.ref("directoryObjects", f.guest), PermGroupMemberReadAll, PermGroupMemberReadWriteAll, 204},
		{"remove member", "DELETE", "/groups/" + f.gid + "/members/" + f.guest + "/$ref", nil, PermUserReadWriteAll, PermGroupMemberReadWriteAll, 204},
		// user-list-memberof: application Directory.Read.All (least), Directory.ReadWrite.All.
		{"memberOf", "GET", "/users/" + f.guest + "/memberOf", nil, PermGroupMemberReadAll, PermDirectoryReadAll, 200},
		{"memberOf cast", "GET", "/users/" + f.guest + "/memberOf/microsoft.graph.group?$count=true", nil, PermUserReadWriteAll, PermDirectoryReadAll, 200},
		{"list sponsors", "GET", "/users/" + f.guest + "/sponsors", nil, PermDirectoryReadAll, PermUserReadAll, 200},
		{"add sponsor", "POST", "/users/" + f.guest + "/sponsors/$ref", f.ref("users", other), PermUserReadAll, PermUserReadWriteAll, 204},
		{"remove sponsor", "DELETE", "/users/" + f.guest + "/sponsors/" + other + "/$ref", nil, PermUserInviteAll, PermUserReadWriteAll, 204},
	}
	for _, tc := range cases {
		r := graph(t, s, tok(tc.denied), tc.method, tc.path, tc.body, "ConsistencyLevel", "eventual")
		if r.Status != 403 || r.errCode() != "Authorization_RequestDenied" || r.errMessage() != "Insufficient privileges to complete the operation." {
			t.Errorf("%s with %s: %d %s, want 403", tc.name, tc.denied, r.Status, r.Raw)
		}
		if r := graph(t, s, tok(tc.ok), tc.method, tc.path, tc.body, "ConsistencyLevel", "eventual"); r.Status != tc.okStatus {
			t.Errorf("%s with %s: %d %s, want %d", tc.name, tc.ok, r.Status, r.Raw, tc.okStatus)
		}
	}
}

func TestGroupsInBatch(t *testing.T) {
	f := newGroupFixture(t, Options{})
	s, tok := f.s, f.tok
	boss, _ := s.SeedUser(SeedUser{Email: "boss@contoso.example", UserType: "Member"})
	r := graph(t, s, tok, "POST", "/$batch", batchReq(
		map[string]any{"id": "1", "method": "POST", "url": "/groups/" + f.gid + "/members/$ref", "body": f.ref("directoryObjects", f.guest), "headers": map[string]string{"Content-Type": "application/json"}},
		map[string]any{"id": "2", "method": "POST", "url": "/groups/" + f.gid + "/members/$ref", "body": f.ref("directoryObjects", f.guest), "headers": map[string]string{"Content-Type": "application/json"}},
		map[string]any{"id": "3", "method": "POST", "url": "/users/" + f.guest + "/sponsors/$ref", "body": f.ref("users", boss), "headers": map[string]string{"Content-Type": "application/json"}},
		map[string]any{"id": "4", "method": "GET", "url": "/users/" + f.guest + "/memberOf?$select=id", "dependsOn": []string{"1"}},
		map[string]any{"id": "5", "method": "GET", "url": "/users/" + f.guest + "/sponsors?$select=id"},
		map[string]any{"id": "6", "method": "GET", "url": "/groups/" + f.gid + "?$select=displayName"},
		map[string]any{"id": "7", "method": "DELETE", "url": "/users/" + f.guest + "/sponsors/" + boss + "/$ref"},
		map[string]any{"id": "8", "method": "DELETE", "url": "/groups/" + f.gid + "/members/" + f.guest + "/$ref", "dependsOn": []string{"4"}},
	))
	mustStatus(t, r, 200)
	got := map[string]map[string]any{}
	for _, it := range arr(r.Body["responses"]) {
		got[str(obj(it)["id"])] = obj(it)
	}
	want := map[string]int{"1": 204, "2": 400, "3": 204, "4": 200, "5": 200, "6": 200, "7": 204, "8": 204}
	for id, st := range want {
		if int(num(got[id]["status"])) != st {
			t.Errorf("item %s: %v, want %d", id, got[id], st)
		}
	}
	if msg := str(obj(obj(got["2"]["body"])["error"])["message"]); !strings.Contains(msg, "'members'") {
		t.Errorf("item 2 error %q", msg)
	}
	if v := arr(obj(got["4"]["body"])["value"]); len(v) != 1 || obj(v[0])["id"] != f.gid {
		t.Errorf("item 4 memberOf: %v", got["4"]["body"])
	}
	if v := arr(obj(got["5"]["body"])["value"]); len(v) != 1 || obj(v[0])["id"] != boss {
		t.Errorf("item 5 sponsors: %v", got["5"]["body"])
	}
	if obj(got["6"]["body"])["displayName"] != "Partners" {
		t.Errorf("item 6 group: %v", got["6"]["body"])
	}
	if ids, _ := s.GroupMemberIDs(f.gid); len(ids) != 0 {
		t.Errorf("members after batch: %v", ids)
	}
	c := s.Counters()
	if c[BatchItemCounterPrefix+"POST /v1.0/groups/{id}/members/$ref"] != 2 || c["GET /v1.0/groups/{id}"] != 1 ||
		c[BatchItemCounterPrefix+"DELETE /v1.0/users/{id}/sponsors/{sponsorId}/$ref"] != 1 {
		t.Errorf("counters %v", c)
	}
}

// Deleting a user takes it out of group member lists and other users'
// sponsor lists; restoring it does not bring those links back.
func TestSoftDeleteDropsMembershipsAndSponsorships(t *testing.T) {
	f := newGroupFixture(t, Options{Apps: []App{{ClientID: newGUID(), Secret: "d", Permissions: []string{PermUserDeleteRestoreAll}}}})
	s, tok := f.s, f.tok
	boss, _ := s.SeedUser(SeedUser{Email: "boss@contoso.example", UserType: "Member"})
	if err := s.AddGroupMember(f.gid, boss); err != nil {
		t.Fatal(err)
	}
	if err := s.AddGroupMember(f.gid, f.guest); err != nil {
		t.Fatal(err)
	}
	if err := s.AddSponsor(f.guest, boss); err != nil {
		t.Fatal(err)
	}
	if err := s.AddSponsor(f.guest, f.gid); err != nil {
		t.Fatal(err)
	}
	mustStatus(t, graph(t, s, tok, "DELETE", "/users/"+boss, nil), 204)
	if ids, _ := s.GroupMemberIDs(f.gid); !slices.Equal(ids, []string{f.guest}) {
		t.Errorf("members after delete: %v", ids)
	}
	r := graph(t, s, tok, "GET", "/users/"+f.guest+"/sponsors?$select=id", nil)
	if v := values(r); len(v) != 1 || v[0]["id"] != f.gid {
		t.Errorf("sponsors after delete: %s", r.Raw)
	}
	deleter := s.Apps()[1]
	mustStatus(t, graph(t, s, token(t, s, deleter), "POST", "/directory/deletedItems/"+boss+"/restore", nil), 200)
	if ids, _ := s.GroupMemberIDs(f.gid); slices.Contains(ids, boss) {
		t.Errorf("restore brought the membership back: %v", ids)
	}

	// A deleted group leaves the sponsor lists too.
	if err := s.DeleteGroup(f.gid); err != nil {
		t.Fatal(err)
	}
	if ids, _ := s.SponsorIDs(f.guest); len(ids) != 0 {
		t.Errorf("sponsors after group delete: %v", ids)
	}
	mustStatus(t, graph(t, s, tok, "GET", "/groups/"+f.gid, nil), 404)
}

func TestGroupOutOfBand(t *testing.T) {
	f := newGroupFixture(t, Options{})
	s := f.s
	if err := s.RemoveGroupMember(f.gid, f.guest); err == nil || !strings.Contains(err.Error(), "not a member") {
		t.Errorf("removing a non-member: %v", err)
	}
	if err := s.AddGroupMember(newGUID(), f.guest); err == nil {
		t.Error("unknown group accepted")
	}
	if err := s.AddSponsor(f.guest, newGUID()); err == nil {
		t.Error("unknown sponsor accepted")
	}
	if _, err := s.SponsorIDs(newGUID()); err == nil {
		t.Error("sponsors of an unknown user")
	}
	if err := s.DeleteGroup(newGUID()); err == nil {
		t.Error("deleting an unknown group")
	}
}

func TestGroupControlAPI(t *testing.T) {
	f := newGroupFixture(t, Options{})
	s := f.s
	boss, _ := s.SeedUser(SeedUser{Email: "boss@contoso.example", UserType: "Member"})
	mustStatus(t, ctl(t, s, "POST", "/groups/"+f.gid+"/members/"+f.guest, nil), 204)
	mustStatus(t, ctl(t, s, "POST", "/groups/"+f.gid+"/members/"+newGUID(), nil), 404)
	r := ctl(t, s, "GET", "/groups/"+f.gid+"/members", nil)
	if r.Status != 200 || string(r.Raw) != `["`+f.guest+`"]` {
		t.Errorf("control members: %d %s", r.Status, r.Raw)
	}
	mustStatus(t, ctl(t, s, "DELETE", "/groups/"+f.gid+"/members/"+f.guest, nil), 204)
	mustStatus(t, ctl(t, s, "DELETE", "/groups/"+f.gid+"/members/"+f.guest, nil), 404)

	mustStatus(t, ctl(t, s, "POST", "/users/"+f.guest+"/sponsors/"+boss, nil), 204)
	r = ctl(t, s, "GET", "/users/"+f.guest+"/sponsors", nil)
	if r.Status != 200 || string(r.Raw) != `["`+boss+`"]` {
		t.Errorf("control sponsors: %d %s", r.Status, r.Raw)
	}
	mustStatus(t, ctl(t, s, "DELETE", "/users/"+f.guest+"/sponsors/"+boss, nil), 204)
	mustStatus(t, ctl(t, s, "DELETE", "/users/"+f.guest+"/sponsors/"+boss, nil), 404)
	mustStatus(t, ctl(t, s, "DELETE", "/groups/"+f.gid, nil), 204)
	mustStatus(t, ctl(t, s, "GET", "/groups/"+f.gid+"/members", nil), 404)
}
