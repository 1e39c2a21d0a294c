package emulator

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestGraphRejectsBadTokens(t *testing.T) {
	s := start(t, Options{TokenLifetime: time.Hour})
	good := token(t, s, s.DefaultApp())

	forgedKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	jt, _ := parseJWT(good)
	forged, _ := signJWT(forgedKey, nil, jt.claims)

	other := start(t, Options{})
	otherTenant := token(t, other, other.DefaultApp())

	for name, tok := range map[string]string{"missing": "", "garbage": "not-a-jwt", "forged": forged, "other tenant": otherTenant} {
		t.Run(name, func(t *testing.T) {
			r := graph(t, s, tok, http.MethodGet, "/users", nil)
			mustStatus(t, r, http.StatusUnauthorized)
			if r.errCode() != "InvalidAuthenticationToken" || r.errMessage() == "" {
				t.Errorf("error: %s", r.Raw)
			}
			if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer ") {
				t.Errorf("WWW-Authenticate = %q", r.Header.Get("WWW-Authenticate"))
			}
			inner := obj(obj(r.Body["error"])["innerError"])
			if inner["request-id"] != r.Header.Get("request-id") || inner["date"] == nil {
				t.Errorf("innerError %v, request-id header %q", inner, r.Header.Get("request-id"))
			}
		})
	}
	mustStatus(t, graph(t, s, good, http.MethodGet, "/users", nil), http.StatusOK)
	advance(t, s, 2*time.Hour)
	r := graph(t, s, good, http.MethodGet, "/users", nil)
	mustStatus(t, r, http.StatusUnauthorized)
	if !strings.Contains(r.errMessage(), "expired") {
		t.Errorf("expired token: %s", r.Raw)
	}
}

func TestPermissions(t *testing.T) {
	inviter := App{ClientID: newGUID(), Secret: "s1", Permissions: []string{PermUserInviteAll}}
	reader := App{ClientID: newGUID(), Secret: "s2", Permissions: []string{PermUserReadAll}}
	writer := App{ClientID: newGUID(), Secret: "s3", Permissions: []string{PermDirectoryReadWriteAll}}
	s := start(t, Options{Apps: []App{inviter, reader, writer}})
	id, _ := s.SeedUser(SeedUser{Email: "a@partner.example"})

	inv, rd, wr := token(t, s, inviter), token(t, s, reader), token(t, s, writer)
	cases := []struct {
		tok, method, path string
		body              any
		want              int
	}{
		{inv, "GET", "/users", nil, 403},
		{inv, "GET", "/users/" + id, nil, 403},
		{inv, "PATCH", "/users/" + id, map[string]any{"jobTitle": "x"}, 403},
		{inv, "DELETE", "/users/" + id, nil, 403},
		{rd, "POST", "/invitations", map[string]any{"invitedUserEmailAddress": "b@partner.example", "inviteRedirectUrl": "https://x.example"}, 403},
		{rd, "PATCH", "/users/" + id, map[string]any{"jobTitle": "x"}, 403},
		{rd, "GET", "/users/" + id, nil, 200},
		// Directory.ReadWrite.All cannot delete users (user-delete permissions table).
		{wr, "DELETE", "/users/" + id, nil, 403},
		{wr, "PATCH", "/users/" + id, map[string]any{"jobTitle": "x"}, 204},
		{inv, "POST", "/invitations", map[string]any{"invitedUserEmailAddress": "b@partner.example", "inviteRedirectUrl": "https://x.example"}, 201},
	}
	for _, tc := range cases {
		r := graph(t, s, tc.tok, tc.method, tc.path, tc.body)
		if r.Status != tc.want {
			t.Errorf("%s %s: %d, want %d: %s", tc.method, tc.path, r.Status, tc.want, r.Raw)
		}
		if tc.want == 403 && (r.errCode() != "Authorization_RequestDenied" || r.errMessage() != "Insufficient privileges to complete the operation.") {
			t.Errorf("403 body: %s", r.Raw)
		}
	}

	// Like Entra, a token keeps the roles it was issued with.
	s.SetPermissions(reader.ClientID, nil)
	mustStatus(t, graph(t, s, rd, "GET", "/users", nil), 200)
	mustStatus(t, graph(t, s, token(t, s, reader), "GET", "/users", nil), 403)
}

func TestInvitationShapeAndUser(t *testing.T) {
	s := start(t, Options{TenantDomain: "contoso.onmicrosoft.com"})
	tok := token(t, s, s.DefaultApp())
	r := graph(t, s, tok, "POST", "/invitations", map[string]any{
		"invitedUserEmailAddress": "Alice@Partner.example",
		"invitedUserDisplayName":  "Alice",
		"inviteRedirectUrl":       "https://myapps.microsoft.com",
		"sendInvitationMessage":   true,
		"invitedUserMessageInfo": map[string]any{
			"customizedMessageBody": "Welcome",
			"ccRecipients":          []any{map[string]any{"emailAddress": map[string]any{"address": "boss@contoso.example"}}},
		},
	})
	mustStatus(t, r, http.StatusCreated)
	b := r.Body
	if b["status"] != "PendingAcceptance" || b["invitedUserType"] != "Guest" || b["sendInvitationMessage"] != true ||
		b["invitedUserEmailAddress"] != "Alice@Partner.example" || b["invitedUserDisplayName"] != "Alice" ||
		b["inviteRedirectUrl"] != "https://myapps.microsoft.com/" || b["resetRedemption"] != false {
		t.Errorf("invitation: %s", r.Raw)
	}
	if ru, _ := b["inviteRedeemUrl"].(string); !strings.HasPrefix(ru, s.URL()+"/redeem") || b["id"] == "" {
		t.Errorf("redeem url %q", ru)
	}
	uid := str(obj(b["invitedUser"])["id"])
	if !isGUID(uid) {
		t.Fatalf("invitedUser.id %q", uid)
	}
	u, ok := s.User(uid)
	if !ok {
		t.Fatal("invited user not in directory")
	}
	want := map[string]any{
		"userType": "Guest", "creationType": "Invitation", "externalUserState": "PendingAcceptance",
		"mail": "Alice@Partner.example", "displayName": "Alice", "accountEnabled": true,
		"userPrincipalName": "Alice_Partner.example#EXT#@contoso.onmicrosoft.com",
	}
	for k, v := range want {
		if u[k] != v {
			t.Errorf("user %s = %v, want %v", k, u[k], v)
		}
	}
	if om, _ := u["otherMails"].([]any); om == nil || len(om) != 0 {
		t.Errorf("otherMails = %v, want []", u["otherMails"])
	}
	for _, k := range []string{"createdDateTime", "externalUserStateChangeDateTime"} {
		if _, err := time.Parse(time.RFC3339, fmt.Sprint(u[k])); err != nil {
			t.Errorf("%s = %v", k, u[k])
		}
	}
	recs := s.Invitations()
	if len(recs) != 1 || recs[0].UserID != uid || !recs[0].SendInvitationMessage || recs[0].Body != "Welcome" || len(recs[0].CcRecipients) != 1 {
		t.Errorf("records %+v", recs)
	}

	// The same address again (any case) returns the same user.
	again := invite(t, s, tok, "alice@partner.example")
	mustStatus(t, again, http.StatusCreated)
	if obj(again.Body["invitedUser"])["id"] != uid || len(s.Users()) != 1 {
		t.Errorf("re-invite created another user: %s", again.Raw)
	}
	// Once redeemed, a plain invitation reports Completed; resetRedemption
	// puts the same object back to PendingAcceptance.
	if err := s.RedeemInvitation(uid); err != nil {
		t.Fatal(err)
	}
	if r := invite(t, s, tok, "alice@partner.example"); r.Body["status"] != "Completed" {
		t.Errorf("status after redemption: %s", r.Raw)
	}
	// The reset-redemption page's order: the new address goes into mail
	// or otherMails first, then the invitation is reset.
	mustStatus(t, graph(t, s, tok, "PATCH", "/users/"+uid, map[string]any{"otherMails": []string{"alice@new.example"}}), http.StatusNoContent)
	r = graph(t, s, tok, "POST", "/invitations", map[string]any{
		"invitedUserEmailAddress": "alice@new.example", "inviteRedirectUrl": "https://x.example",
		"resetRedemption": true, "invitedUser": map[string]any{"id": uid},
	})
	mustStatus(t, r, http.StatusCreated)
	u, _ = s.User(uid)
	if obj(r.Body["invitedUser"])["id"] != uid || u["externalUserState"] != "PendingAcceptance" || u["mail"] != "alice@new.example" {
		t.Errorf("reset redemption: %s / %v", r.Raw, u)
	}
	if recs := s.Invitations(); !recs[len(recs)-1].ResetRedemption {
		t.Error("reset not recorded")
	}

	bad := []struct {
		body map[string]any
		msg  string
	}{
		{map[string]any{"inviteRedirectUrl": "https://x.example"}, "invitedUserEmailAddress"},
		{map[string]any{"invitedUserEmailAddress": "not an email", "inviteRedirectUrl": "https://x.example"}, "email address is invalid"},
		{map[string]any{"invitedUserEmailAddress": "a!b@partner.example", "inviteRedirectUrl": "https://x.example"}, "email address is invalid"},
		{map[string]any{"invitedUserEmailAddress": "c@partner.example"}, "inviteRedirectUrl"},
		{map[string]any{"invitedUserEmailAddress": "c@partner.example", "inviteRedirectUrl": "https://x.example", "invitedUserType": "Admin"}, "invitedUserType"},
	}
	for _, tc := range bad {
		r := graph(t, s, tok, "POST", "/invitations", tc.body)
		mustStatus(t, r, http.StatusBadRequest)
		if r.errCode() != "BadRequest" || !strings.Contains(r.errMessage(), tc.msg) {
			t.Errorf("%v: %s", tc.body, r.Raw)
		}
	}
}

func TestReplicationLag(t *testing.T) {
	s := start(t, Options{ReplicationLag: 30 * time.Second})
	tok := token(t, s, s.DefaultApp())
	r := invite(t, s, tok, "lag@partner.example")
	mustStatus(t, r, http.StatusCreated)
	id := str(obj(r.Body["invitedUser"])["id"])

	r = graph(t, s, tok, "GET", "/users/"+id, nil)
	mustStatus(t, r, http.StatusNotFound)
	if r.errCode() != "Request_ResourceNotFound" || r.errMessage() != "Resource '"+id+"' does not exist or one of its queried reference-property objects are not present." {
		t.Errorf("404 body: %s", r.Raw)
	}
	if n := len(values(graph(t, s, tok, "GET", "/users", nil))); n != 0 {
		t.Errorf("lagging user listed (%d users)", n)
	}
	advance(t, s, 31*time.Second)
	mustStatus(t, graph(t, s, tok, "GET", "/users/"+id, nil), http.StatusOK)
	if n := len(values(graph(t, s, tok, "GET", "/users", nil))); n != 1 {
		t.Errorf("%d users listed after lag", n)
	}
}

func TestSelect(t *testing.T) {
	s := start(t, Options{})
	tok := token(t, s, s.DefaultApp())
	id, _ := s.SeedUser(SeedUser{Email: "sel@partner.example", DisplayName: "Sel", Props: map[string]any{"jobTitle": "Buyer", "employeeId": "E1"}})

	r := graph(t, s, tok, "GET", "/users/"+id, nil)
	mustStatus(t, r, 200)
	for _, k := range defaultUserProps {
		if _, ok := r.Body[k]; !ok {
			t.Errorf("default set lacks %s", k)
		}
	}
	for _, k := range []string{"externalUserState", "creationType", "createdDateTime", "employeeId", "userType", "accountEnabled"} {
		if _, ok := r.Body[k]; ok {
			t.Errorf("%s returned without $select", k)
		}
	}
	if r.Body["jobTitle"] != "Buyer" {
		t.Errorf("jobTitle %v", r.Body["jobTitle"])
	}

	r = graph(t, s, tok, "GET", "/users/"+id+"?$select=id,externalUserState,creationType,employeeId,userType", nil)
	mustStatus(t, r, 200)
	delete(r.Body, "@odata.context")
	if len(r.Body) != 5 || r.Body["externalUserState"] != "PendingAcceptance" || r.Body["creationType"] != "Invitation" || r.Body["employeeId"] != "E1" {
		t.Errorf("$select: %s", r.Raw)
	}
	// Lookup by userPrincipalName works too (the #EXT# part URL-encoded).
	u, _ := s.User(id)
	mustStatus(t, graph(t, s, tok, "GET", "/users/"+url.PathEscape(str(u["userPrincipalName"])), nil), 200)

	r = graph(t, s, tok, "GET", "/users/"+id+"?$select=id,nosuch", nil)
	mustStatus(t, r, 400)
	if !strings.Contains(r.errMessage(), "nosuch") {
		t.Errorf("%s", r.Raw)
	}
}

func listIDs(t *testing.T, r resp) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, v := range values(r) {
		out[str(v["id"])] = true
	}
	return out
}

func TestFilters(t *testing.T) {
	s := start(t, Options{})
	ann, _ := s.SeedUser(SeedUser{Email: "ann@partner.example", DisplayName: "Ann Archer", Props: map[string]any{"otherMails": []string{"ann@home.example"}}})
	bob, _ := s.SeedUser(SeedUser{Email: "bob@vendor.example", DisplayName: "Bob Baker", ExternalUserState: "Accepted"})
	mem, _ := s.SeedUser(SeedUser{Email: "carol@contoso.example", DisplayName: "Carol", UserType: "Member"})
	advance(t, s, time.Hour)
	late, _ := s.SeedUser(SeedUser{Email: "dan@partner.example", DisplayName: "Dan"})
	cut := formatTime(s.now().Add(-time.Minute))
	tok := token(t, s, s.DefaultApp())

	cases := []struct {
		filter string
		want   []string
	}{
		{"mail eq 'ANN@partner.example'", []string{ann}},
		{"userType eq 'Member'", []string{mem}},
		{"userType eq 'Guest' and externalUserState eq 'Accepted'", []string{bob}},
		{"externalUserState eq 'PendingAcceptance' or userType eq 'Member'", []string{ann, mem, late}},
		{"startswith(displayName,'b')", []string{bob}},
		{"startswith(mail,'ann@')", []string{ann}},
		{"otherMails/any(x:x eq 'ann@home.example')", []string{ann}},
		{"otherMails/any(m:startswith(m,'ANN@'))", []string{ann}},
		{"mail eq 'ann@home.example' or otherMails/any(x:x eq 'ann@home.example')", []string{ann}},
		{"createdDateTime ge " + cut, []string{late}},
		{"createdDateTime le " + cut, []string{ann, bob, mem}},
		{"id eq '" + bob + "'", []string{bob}},
		{"(userType eq 'Guest') and (startswith(displayName,'A') or startswith(displayName,'D'))", []string{ann, late}},
		{"displayName eq 'It''s nobody'", nil},
	}
	for _, tc := range cases {
		r := graph(t, s, tok, "GET", "/users?$filter="+url.QueryEscape(tc.filter), nil)
		mustStatus(t, r, 200)
		got := listIDs(t, r)
		if len(got) != len(tc.want) {
			t.Errorf("%s: got %d users, want %d", tc.filter, len(got), len(tc.want))
			continue
		}
		for _, id := range tc.want {
			if !got[id] {
				t.Errorf("%s: missing %s", tc.filter, id)
			}
		}
	}

	// endsWith is an advanced query: it needs ConsistencyLevel: eventual and $count=true.
	q := "/users?$filter=" + url.QueryEscape("endswith(mail,'@partner.example')")
	r := graph(t, s, tok, "GET", q, nil)
	mustStatus(t, r, 400)
	if r.errCode() != "Request_UnsupportedQuery" || !strings.Contains(r.errMessage(), "ConsistencyLevel") {
		t.Errorf("endswith without header: %s", r.Raw)
	}
	mustStatus(t, graph(t, s, tok, "GET", q, nil, "ConsistencyLevel", "eventual"), 400)
	r = graph(t, s, tok, "GET", q+"&$count=true", nil, "ConsistencyLevel", "eventual")
	mustStatus(t, r, 200)
	if got := listIDs(t, r); len(got) != 2 || !got[ann] || !got[late] || r.Body["@odata.count"] != float64(2) {
		t.Errorf("endswith: %s", r.Raw)
	}

	for _, f := range []string{"jobTitle eq", "mail eq 'x' and", "faxNumber eq 'x'", "nosuch eq 'x'", "mail eq 'x' garbage", "startswith(mail,'x'"} {
		r := graph(t, s, tok, "GET", "/users?$filter="+url.QueryEscape(f), nil)
		if r.Status != 400 || r.errMessage() == "" {
			t.Errorf("%q: %d %s", f, r.Status, r.Raw)
		}
	}
}

func TestPagingAndCount(t *testing.T) {
	s := start(t, Options{})
	tok := token(t, s, s.DefaultApp())
	want := map[string]bool{}
	for i := range 7 {
		id, err := s.SeedUser(SeedUser{Email: fmt.Sprintf("u%d@partner.example", i)})
		if err != nil {
			t.Fatal(err)
		}
		want[id] = true
	}
	seen := map[string]bool{}
	next := "/users?$top=3&$select=id,mail"
	pages := 0
	for next != "" {
		r := graph(t, s, tok, "GET", next, nil)
		mustStatus(t, r, 200)
		pages++
		for _, v := range values(r) {
			if len(v) != 2 {
				t.Errorf("$select lost on page %d: %v", pages, v)
			}
			id := str(v["id"])
			if seen[id] {
				t.Errorf("user %s on two pages", id)
			}
			seen[id] = true
		}
		next, _ = r.Body["@odata.nextLink"].(string)
		if next != "" && !strings.Contains(next, "$skiptoken=") {
			t.Fatalf("nextLink %q", next)
		}
		if pages > 5 {
			t.Fatal("paging does not end")
		}
	}
	if pages != 3 || len(seen) != 7 {
		t.Errorf("%d pages, %d users", pages, len(seen))
	}

	// Links point back at the loopback name the client used.
	local := strings.Replace(s.GraphEndpoint(), "127.0.0.1", "localhost", 1)
	r0 := graph(t, s, tok, "GET", local+"/v1.0/users?$top=2", nil)
	if nl, _ := r0.Body["@odata.nextLink"].(string); !strings.HasPrefix(nl, local+"/v1.0/users?") {
		t.Errorf("nextLink via localhost: %q", nl)
	}

	// Later pages of an advanced query work without the header: the
	// skip token remembers that page one was validated.
	r := graph(t, s, tok, "GET", "/users?$count=true&$top=4&$filter="+url.QueryEscape("endswith(mail,'.example')"), nil, "ConsistencyLevel", "eventual")
	mustStatus(t, r, 200)
	r = graph(t, s, tok, "GET", str(r.Body["@odata.nextLink"]), nil)
	mustStatus(t, r, 200)
	if len(values(r)) != 3 || r.Body["@odata.count"] != float64(7) {
		t.Errorf("advanced page 2: %s", r.Raw)
	}

	// Without the header $count=true is ignored, not refused.
	r = graph(t, s, tok, "GET", "/users?$count=true", nil)
	mustStatus(t, r, 200)
	if _, ok := r.Body["@odata.count"]; ok {
		t.Errorf("$count without ConsistencyLevel: %s", r.Raw)
	}
	r = graph(t, s, tok, "GET", "/users?$count=true&$top=2", nil, "ConsistencyLevel", "eventual")
	mustStatus(t, r, 200)
	if r.Body["@odata.count"] != float64(7) || len(values(r)) != 2 {
		t.Errorf("$count: %s", r.Raw)
	}
	for _, top := range []string{"0", "1000", "x"} {
		mustStatus(t, graph(t, s, tok, "GET", "/users?$top="+top, nil), 400)
	}
}

func TestPatchUser(t *testing.T) {
	s := start(t, Options{})
	tok := token(t, s, s.DefaultApp())
	id, _ := s.SeedUser(SeedUser{Email: "p@partner.example", Props: map[string]any{"jobTitle": "Buyer", "otherMails": []string{"p@home.example"}}})

	r := graph(t, s, tok, "PATCH", "/users/"+id, map[string]any{
		"jobTitle": nil, "department": "Sales", "usageLocation": "de", "otherMails": nil, "businessPhones": []string{"+1 555 0100"},
	})
	mustStatus(t, r, http.StatusNoContent)
	u, _ := s.User(id)
	if u["jobTitle"] != nil || u["department"] != "Sales" || u["usageLocation"] != "DE" || len(arr(u["otherMails"])) != 0 || len(arr(u["businessPhones"])) != 1 {
		t.Errorf("after PATCH: %v", u)
	}

	for _, body := range []map[string]any{
		{"usageLocation": "Germany"},
		{"displayName": nil},
		{"userType": "Admin"},
		{"creationType": "Invitation"},
		{"nosuch": "x"},
		{"employeeId": strings.Repeat("9", 17)},
		{"accountEnabled": "yes"},
		{"otherMails": []string{"not-an-email"}},
		{"businessPhones": []string{"1", "2"}},
	} {
		r := graph(t, s, tok, "PATCH", "/users/"+id, body)
		if r.Status != 400 || r.errMessage() == "" {
			t.Errorf("PATCH %v: %d %s", body, r.Status, r.Raw)
		}
	}
	mustStatus(t, graph(t, s, tok, "PATCH", "/users/"+newGUID(), map[string]any{"jobTitle": "x"}), 404)
}

func TestDeleteRestorePurge(t *testing.T) {
	s := start(t, Options{})
	tok := token(t, s, s.DefaultApp())
	id, _ := s.SeedUser(SeedUser{Email: "d@partner.example"})

	mustStatus(t, graph(t, s, tok, "DELETE", "/users/"+id, nil), 204)
	mustStatus(t, graph(t, s, tok, "GET", "/users/"+id, nil), 404)
	r := graph(t, s, tok, "GET", "/directory/deletedItems/"+id, nil)
	mustStatus(t, r, 200)
	if r.Body["@odata.type"] != "#microsoft.graph.user" || r.Body["deletedDateTime"] == nil {
		t.Errorf("deleted item: %s", r.Raw)
	}
	if len(values(graph(t, s, tok, "GET", "/directory/deletedItems/microsoft.graph.user", nil))) != 1 {
		t.Error("deleted users list")
	}
	r = graph(t, s, tok, "POST", "/directory/deletedItems/"+id+"/restore", nil)
	mustStatus(t, r, 200)
	if r.Body["id"] != id {
		t.Errorf("restore: %s", r.Raw)
	}
	mustStatus(t, graph(t, s, tok, "GET", "/users/"+id, nil), 200)

	mustStatus(t, graph(t, s, tok, "DELETE", "/users/"+id, nil), 204)
	mustStatus(t, graph(t, s, tok, "DELETE", "/directory/deletedItems/"+id, nil), 204)
	mustStatus(t, graph(t, s, tok, "GET", "/directory/deletedItems/"+id, nil), 404)
	mustStatus(t, graph(t, s, tok, "POST", "/directory/deletedItems/"+id+"/restore", nil), 404)
	if len(s.DeletedUsers()) != 0 || len(s.Users()) != 0 {
		t.Error("purge left the user behind")
	}
}

func batchReq(items ...map[string]any) map[string]any { return map[string]any{"requests": items} }

func TestBatch(t *testing.T) {
	s := start(t, Options{InvitationLimit: RateLimit{N: 2, Window: time.Minute}})
	tok := token(t, s, s.DefaultApp())
	id, _ := s.SeedUser(SeedUser{Email: "b@partner.example"})

	var many []map[string]any
	for i := range 21 {
		many = append(many, map[string]any{"id": strconv.Itoa(i), "method": "GET", "url": "/users/" + id})
	}
	r := graph(t, s, tok, "POST", "/$batch", batchReq(many...))
	mustStatus(t, r, 400)
	if r.errMessage() == "" {
		t.Error("no message")
	}

	inv := func(n int) map[string]any {
		return map[string]any{"id": fmt.Sprint("inv", n), "method": "POST", "url": "/invitations",
			"headers": map[string]any{"Content-Type": "application/json"},
			"body":    map[string]any{"invitedUserEmailAddress": fmt.Sprintf("n%d@partner.example", n), "inviteRedirectUrl": "https://x.example"}}
	}
	r = graph(t, s, tok, "POST", "/$batch", batchReq(
		map[string]any{"id": "get", "method": "GET", "url": "/users/" + id + "?$select=id,userType"},
		map[string]any{"id": "missing", "method": "GET", "url": "users/" + newGUID()},
		inv(1), inv(2), inv(3),
		map[string]any{"id": "after", "method": "PATCH", "url": "/users/" + id, "body": map[string]any{"jobTitle": "x"}, "dependsOn": []string{"missing"},
			"headers": map[string]any{"Content-Type": "application/json"}},
	))
	mustStatus(t, r, 200)
	byID := map[string]map[string]any{}
	for _, it := range arr(r.Body["responses"]) {
		m := obj(it)
		byID[str(m["id"])] = m
	}
	st := func(id string) float64 { return num(byID[id]["status"]) }
	if st("get") != 200 || obj(byID["get"]["body"])["userType"] != "Guest" {
		t.Errorf("get item: %v", byID["get"])
	}
	if st("missing") != 404 || st("inv1") != 201 || st("inv2") != 201 || st("after") != 424 {
		t.Errorf("statuses: %v", r.Body["responses"])
	}
	// The third invitation is throttled inside the 200 batch, with its own Retry-After.
	if st("inv3") != 429 {
		t.Fatalf("inv3: %v", byID["inv3"])
	}
	if ra := obj(byID["inv3"]["headers"])["Retry-After"]; ra == nil || ra == "0" {
		t.Errorf("inv3 Retry-After = %v", ra)
	}
	if u, _ := s.User(id); u["jobTitle"] != nil {
		t.Error("dependent request ran although its dependency failed")
	}
	if c := s.Counters(); c["POST /v1.0/$batch"] != 2 || c["POST /v1.0/invitations"] != 3 {
		t.Errorf("counters %v", c)
	}
}

func TestGzipBody(t *testing.T) {
	s := start(t, Options{})
	tok := token(t, s, s.DefaultApp())
	for _, withHeader := range []bool{true, false} {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_ = json.NewEncoder(zw).Encode(map[string]any{"invitedUserEmailAddress": fmt.Sprintf("gz%v@partner.example", withHeader), "inviteRedirectUrl": "https://x.example"})
		_ = zw.Close()
		req, _ := http.NewRequest("POST", s.GraphEndpoint()+"/v1.0/invitations", &buf)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		if withHeader {
			req.Header.Set("Content-Encoding", "gzip")
		}
		mustStatus(t, send(t, httpClient(s), req), 201)
	}
	if len(s.Users()) != 2 {
		t.Errorf("%d users", len(s.Users()))
	}
}

func TestInvitationThrottling(t *testing.T) {
	s := start(t, Options{InvitationLimit: RateLimit{N: 2, Window: 10 * time.Second}})
	tok := token(t, s, s.DefaultApp())
	mustStatus(t, invite(t, s, tok, "t1@partner.example"), 201)
	mustStatus(t, invite(t, s, tok, "t2@partner.example"), 201)
	r := invite(t, s, tok, "t3@partner.example")
	mustStatus(t, r, 429)
	ra, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || ra < 1 || ra > 10 || r.errCode() != "TooManyRequests" {
		t.Errorf("429: Retry-After %q, %s", r.Header.Get("Retry-After"), r.Raw)
	}
	if len(s.Users()) != 2 {
		t.Error("throttled invitation created a user")
	}
	advance(t, s, 11*time.Second)
	mustStatus(t, invite(t, s, tok, "t3@partner.example"), 201)
	if s.Counters()["status:429"] != 1 {
		t.Errorf("counters %v", s.Counters())
	}
}

func TestFaults(t *testing.T) {
	s := start(t, Options{})
	tok := token(t, s, s.DefaultApp())

	s.SetFaults(Faults{Rate503: 1, RetryAfter: 3 * time.Second})
	r := graph(t, s, tok, "GET", "/users", nil)
	mustStatus(t, r, 503)
	if r.Header.Get("Retry-After") != "3" || r.errMessage() == "" {
		t.Errorf("503: %v %s", r.Header, r.Raw)
	}
	s.SetFaults(Faults{Rate429: 1})
	r = graph(t, s, tok, "GET", "/users", nil)
	mustStatus(t, r, 429)
	if r.Header.Get("Retry-After") != "1" {
		t.Errorf("429 Retry-After %q", r.Header.Get("Retry-After"))
	}
	// Faults never touch the token endpoint.
	_ = token(t, s, s.DefaultApp())

	s.SetFaults(Faults{RateDrop: 1})
	req, _ := http.NewRequest("GET", s.GraphEndpoint()+"/v1.0/users", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	if res, err := httpClient(s).Do(req); err == nil {
		res.Body.Close()
		t.Fatalf("dropped request got %d", res.StatusCode)
	}
	s.SetFaults(Faults{RateDrop: 1, DropAfterActing: true})
	b, _ := json.Marshal(map[string]any{"invitedUserEmailAddress": "drop@partner.example", "inviteRedirectUrl": "https://x.example"})
	req, _ = http.NewRequest("POST", s.GraphEndpoint()+"/v1.0/invitations", bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+tok)
	if res, err := httpClient(s).Do(req); err == nil {
		res.Body.Close()
		t.Fatalf("dropped request got %d", res.StatusCode)
	}
	if len(s.Users()) != 1 {
		t.Error("drop-after-acting did not act")
	}

	// Latency waits on the emulator's clock: the request is held until
	// the clock has moved that far, however long the machine takes.
	s.SetFaults(Faults{Latency: 10 * time.Minute})
	done := make(chan resp, 1)
	go func() { done <- graph(t, s, tok, "GET", "/users", nil) }()
	clk, _ := s.clock.(*FakeClock)
	clk.BlockUntil(1)
	advance(t, s, 10*time.Minute-time.Second)
	select {
	case r := <-done:
		t.Fatalf("answered before the latency had passed: %d", r.Status)
	default:
	}
	advance(t, s, time.Second)
	mustStatus(t, <-done, 200)
	s.SetFaults(Faults{})
	mustStatus(t, graph(t, s, tok, "GET", "/users", nil), 200)
}

// A fault seed replays the same faults: the same requests in the same
// order meet the same 429s, 503s and drops, whether the seed is given at
// start or with SetFaults.
func TestFaultSeedReplaysTheSameFaults(t *testing.T) {
	faults := Faults{Rate429: 0.3, Rate503: 0.2, Seed: 0}
	sequence := func(s *Server) []int {
		tok := token(t, s, s.DefaultApp())
		var out []int
		for range 40 {
			out = append(out, graph(t, s, tok, "GET", "/users", nil).Status)
		}
		return out
	}
	a := start(t, Options{FaultSeed: 42})
	a.SetFaults(faults)
	b := start(t, Options{FaultSeed: 42})
	b.SetFaults(faults)
	first, second := sequence(a), sequence(b)
	if !slices.Equal(first, second) {
		t.Fatalf("seed 42 gave two sequences:\n%v\n%v", first, second)
	}
	if !slices.Contains(first, 429) || !slices.Contains(first, 503) || !slices.Contains(first, 200) {
		t.Fatalf("the sequence should mix answers: %v", first)
	}
	if a.FaultSeed() != 42 {
		t.Errorf("FaultSeed() = %d, want 42", a.FaultSeed())
	}
	// Faults.Seed restarts the draws, on a server started with another seed.
	c := start(t, Options{FaultSeed: 7})
	c.SetFaults(Faults{Rate429: 0.3, Rate503: 0.2, Seed: 42})
	if third := sequence(c); !slices.Equal(first, third) {
		t.Fatalf("Faults.Seed 42 gave another sequence:\n%v\n%v", first, third)
	}
	// Without a seed, Start draws one and reports it.
	if start(t, Options{}).FaultSeed() == 0 {
		t.Error("no fault seed drawn at start")
	}
}

// Routes and Limit make a throttle deterministic: only the named route is
// refused, and only as many times as Limit says.
func TestFaultsOnOneRouteAFewTimes(t *testing.T) {
	s := start(t, Options{})
	tok := token(t, s, s.DefaultApp())
	s.SetFaults(Faults{Rate429: 1, Routes: []string{"POST /v1.0/invitations"}, Limit: 1})
	mustStatus(t, graph(t, s, tok, "GET", "/users", nil), 200)
	mustStatus(t, invite(t, s, tok, "first@partner.example"), 429)
	mustStatus(t, invite(t, s, tok, "first@partner.example"), 201)
	// SetFaults starts the count again.
	s.SetFaults(Faults{Rate503: 1, Routes: []string{"POST /v1.0/invitations"}, Limit: 1})
	mustStatus(t, invite(t, s, tok, "second@partner.example"), 503)
	mustStatus(t, invite(t, s, tok, "second@partner.example"), 201)
	if n := len(s.Users()); n != 2 {
		t.Errorf("%d users; want 2", n)
	}
}

func TestUnknownPaths(t *testing.T) {
	s := start(t, Options{})
	tok := token(t, s, s.DefaultApp())
	r := graph(t, s, tok, "GET", "/applications", nil)
	mustStatus(t, r, 400)
	if r.errMessage() == "" {
		t.Error("no message")
	}
	mustStatus(t, graph(t, s, tok, "PUT", "/users/x", map[string]any{}), 405)
}

func TestGroupMemberUsers(t *testing.T) {
	full := App{ClientID: newGUID(), Secret: "s1", Permissions: []string{PermGroupMemberReadAll, PermUserReadAll}}
	membersOnly := App{ClientID: newGUID(), Secret: "s2", Permissions: []string{PermGroupMemberReadAll}}
	usersOnly := App{ClientID: newGUID(), Secret: "s3", Permissions: []string{PermUserReadAll}}
	s := start(t, Options{Apps: []App{full, membersOnly, usersOnly}})
	var ids []string
	for i := range 5 {
		id, _ := s.SeedUser(SeedUser{Email: fmt.Sprintf("g%d@partner.example", i)})
		ids = append(ids, id)
	}
	outsider, _ := s.SeedUser(SeedUser{Email: "out@partner.example"})
	gid, err := s.SeedGroup("Partners", ids[:4]...)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddGroupMember(gid, ids[4]); err != nil {
		t.Fatal(err)
	}
	_ = s.DeleteUser(ids[0])

	tok := token(t, s, full)
	seen := map[string]bool{}
	next := "/groups/" + gid + "/members?$top=2&$select=id,mail"
	for next != "" {
		r := graph(t, s, tok, "GET", next, nil)
		mustStatus(t, r, 200)
		for _, v := range values(r) {
			if v["mail"] == nil || v["@odata.type"] != "#microsoft.graph.user" {
				t.Errorf("member without mail or @odata.type: %v", v)
			}
			seen[str(v["id"])] = true
		}
		next, _ = r.Body["@odata.nextLink"].(string)
	}
	if len(seen) != 4 || seen[ids[0]] || seen[outsider] {
		t.Errorf("members %v", seen)
	}

	r := graph(t, s, token(t, s, membersOnly), "GET", "/groups/"+gid+"/members?$select=id,mail", nil)
	mustStatus(t, r, 200)
	if v := values(r); len(v) != 4 || v[0]["mail"] != nil || v[0]["id"] == nil || v[0]["@odata.type"] != "#microsoft.graph.user" {
		t.Errorf("members without User.Read.All: %s", r.Raw)
	}
	mustStatus(t, graph(t, s, token(t, s, usersOnly), "GET", "/groups/"+gid+"/members", nil), 403)
	mustStatus(t, graph(t, s, tok, "GET", "/groups/"+newGUID()+"/members", nil), 404)
	r = graph(t, s, tok, "GET", "/groups/"+gid+"/members?$filter="+url.QueryEscape("userType eq 'Guest'"), nil)
	mustStatus(t, r, 400)
	r = graph(t, s, tok, "GET", "/groups/"+gid+"/members/microsoft.graph.user?$count=true&$filter="+url.QueryEscape("mail eq 'g1@partner.example'"), nil, "ConsistencyLevel", "eventual")
	if v := values(r); len(v) != 1 || v[0]["id"] != ids[1] {
		t.Errorf("filtered members: %s", r.Raw)
	}
}

// Parallel invitations for the same address end in one user, as the
// directory serializes them; distinct addresses each get their own.
func TestConcurrentInvitations(t *testing.T) {
	s := start(t, Options{InvitationLimit: RateLimit{Disabled: true}})
	tok := token(t, s, s.DefaultApp())
	const n = 24
	ids := make(chan string, n)
	errs := make(chan string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			email := "same@partner.example"
			if i%2 == 1 {
				email = fmt.Sprintf("own%d@partner.example", i)
			}
			b, _ := json.Marshal(map[string]any{"invitedUserEmailAddress": email, "inviteRedirectUrl": "https://x.example"})
			req, _ := http.NewRequest("POST", s.GraphEndpoint()+"/v1.0/invitations", bytes.NewReader(b))
			req.Header.Set("Authorization", "Bearer "+tok)
			res, err := httpClient(s).Do(req)
			if err != nil {
				errs <- err.Error()
				return
			}
			defer res.Body.Close()
			var body map[string]any
			_ = json.NewDecoder(res.Body).Decode(&body)
			if res.StatusCode != 201 {
				errs <- fmt.Sprint(res.StatusCode, body)
				return
			}
			if i%2 == 0 {
				ids <- str(obj(body["invitedUser"])["id"])
			}
		}()
	}
	wg.Wait()
	close(ids)
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	first := ""
	for id := range ids {
		if first == "" {
			first = id
		}
		if id != first {
			t.Errorf("same address got two users: %s and %s", first, id)
		}
	}
	if got := len(s.Users()); got != 1+n/2 {
		t.Errorf("%d users, want %d", got, 1+n/2)
	}
	if got := len(s.Invitations()); got != n {
		t.Errorf("%d invitation records, want %d", got, n)
	}
}
