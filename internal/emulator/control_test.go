package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func ctl(t *testing.T, s *Server, method, path string, body any) resp {
	t.Helper()
	var b []byte
	if body != nil {
		b, _ = json.Marshal(body)
	}
	req, _ := http.NewRequest(method, s.URL()+"/_emulator"+path, bytes.NewReader(b))
	return send(t, httpClient(s), req)
}

func TestControlAPI(t *testing.T) {
	s := start(t, Options{})
	tok := token(t, s, s.DefaultApp())

	r := ctl(t, s, "POST", "/users", map[string]any{"email": "ctl@partner.example", "displayName": "Ctl", "props": map[string]any{"jobTitle": "Buyer"}})
	mustStatus(t, r, 201)
	id := str(r.Body["id"])
	if u, ok := s.User(id); !ok || u["jobTitle"] != "Buyer" || u["externalUserState"] != "PendingAcceptance" {
		t.Fatalf("seeded %v", u)
	}
	mustStatus(t, ctl(t, s, "POST", "/users/"+id+"/redeem", nil), 204)
	mustStatus(t, ctl(t, s, "PATCH", "/users/"+id, map[string]any{"jobTitle": nil, "department": "Ops"}), 204)
	g := graph(t, s, tok, "GET", "/users/"+id+"?$select=externalUserState,jobTitle,department", nil)
	if g.Body["externalUserState"] != "Accepted" || g.Body["jobTitle"] != nil || g.Body["department"] != "Ops" {
		t.Errorf("after control changes: %s", g.Raw)
	}
	mustStatus(t, ctl(t, s, "PATCH", "/users/"+id, map[string]any{"nosuch": 1}), 400)
	mustStatus(t, ctl(t, s, "POST", "/users/"+newGUID()+"/redeem", nil), 404)

	var users []map[string]any
	req, _ := http.NewRequest("GET", s.URL()+"/_emulator/users", nil)
	res, err := httpClient(s).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(res.Body).Decode(&users)
	res.Body.Close()
	if len(users) != 1 || users[0]["id"] != id {
		t.Errorf("control users: %v", users)
	}

	mustStatus(t, ctl(t, s, "PUT", "/faults", map[string]any{"rate503": 1, "retryAfter": "2s"}), 204)
	r = graph(t, s, tok, "GET", "/users", nil)
	if r.Status != 503 || r.Header.Get("Retry-After") != "2" {
		t.Errorf("faults via control: %d %v", r.Status, r.Header)
	}
	mustStatus(t, ctl(t, s, "PUT", "/faults", map[string]any{"rate503": 2}), 400)
	mustStatus(t, ctl(t, s, "PUT", "/faults", map[string]any{}), 204)

	mustStatus(t, ctl(t, s, "PUT", "/replication-lag", map[string]any{"lag": "1m"}), 204)
	inv := invite(t, s, tok, "lagged@partner.example")
	mustStatus(t, graph(t, s, tok, "GET", "/users/"+str(obj(inv.Body["invitedUser"])["id"]), nil), 404)
	mustStatus(t, ctl(t, s, "PUT", "/replication-lag", map[string]any{"lag": 0}), 204)

	mustStatus(t, ctl(t, s, "PUT", "/apps/"+s.DefaultApp().ClientID+"/permissions", map[string]any{"permissions": []string{PermUserReadAll}}), 204)
	mustStatus(t, graph(t, s, token(t, s, s.DefaultApp()), "POST", "/invitations", map[string]any{"invitedUserEmailAddress": "x@partner.example", "inviteRedirectUrl": "https://x.example"}), 403)
	mustStatus(t, ctl(t, s, "PUT", "/apps/"+newGUID()+"/permissions", map[string]any{"permissions": []string{}}), 404)

	r = ctl(t, s, "GET", "/counters", nil)
	if r.Body["POST /v1.0/invitations"] != float64(2) || r.Body["status:403"] != float64(1) || r.Body["GET /v1.0/users/{id}"] != float64(2) {
		t.Errorf("counters: %s", r.Raw)
	}
	mustStatus(t, ctl(t, s, "POST", "/counters/reset", nil), 204)
	if len(s.Counters()) != 0 {
		t.Errorf("counters after reset: %v", s.Counters())
	}

	r = ctl(t, s, "GET", "/invitations", nil)
	if r.Status != 200 {
		t.Errorf("invitations: %s", r.Raw)
	}

	r = ctl(t, s, "POST", "/federated-token", map[string]any{"subject": "system:serviceaccount:ci:runner"})
	mustStatus(t, r, 200)
	jt, err := parseJWT(str(r.Body["token"]))
	if err != nil || jt.claim("iss") != s.URL()+"/federation" || jt.claim("sub") != "system:serviceaccount:ci:runner" || jt.claim("aud") != "api://AzureADTokenExchange" {
		t.Errorf("federated token %v %v", err, jt)
	}

	r = ctl(t, s, "POST", "/groups", map[string]any{"displayName": "Partners", "members": []string{id}})
	mustStatus(t, r, 201)
	gid := str(r.Body["id"])
	other, _ := s.SeedUser(SeedUser{Email: "member2@partner.example"})
	mustStatus(t, ctl(t, s, "POST", "/groups/"+gid+"/members", map[string]any{"id": other}), 204)
	mustStatus(t, ctl(t, s, "POST", "/groups/"+gid+"/members", map[string]any{"id": newGUID()}), 404)
	s.SetPermissions(s.DefaultApp().ClientID, []string{PermGroupMemberReadAll, PermUserReadAll})
	g = graph(t, s, token(t, s, s.DefaultApp()), "GET", "/groups/"+gid+"/members", nil)
	if len(values(g)) != 2 {
		t.Errorf("group via control API: %s", g.Raw)
	}

	mustStatus(t, ctl(t, s, "DELETE", "/users/"+id, nil), 204)
	if len(s.DeletedUsers()) != 1 {
		t.Error("control delete is not a soft delete")
	}
	mustStatus(t, ctl(t, s, "GET", "/users/"+id, nil), 404)
	mustStatus(t, ctl(t, s, "DELETE", "/users/"+id, nil), 404)

	r = ctl(t, s, "GET", "/info", nil)
	mustStatus(t, r, 200)
	if r.Body["tenantId"] != s.TenantID() || r.Body["clientId"] != s.DefaultApp().ClientID || r.Body["authorityHost"] != s.AuthorityHost() {
		t.Errorf("info: %s", r.Raw)
	}
	if strings.Contains(string(r.Raw), s.DefaultApp().Secret) {
		t.Error("info leaks the client secret")
	}
}

func TestStateFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s := start(t, Options{StateFile: path})
	tok := token(t, s, s.DefaultApp())
	inv := invite(t, s, tok, "keep@partner.example")
	mustStatus(t, inv, 201)
	id := str(obj(inv.Body["invitedUser"])["id"])
	gone, _ := s.SeedUser(SeedUser{Email: "gone@partner.example"})
	_ = s.DeleteUser(gone)
	if err := s.RedeemInvitation(id); err != nil {
		t.Fatal(err)
	}
	before, _ := s.User(id)
	_ = s.Close()

	// Tenant and apps come back from the state file too.
	s2 := start(t, Options{StateFile: path})
	after, ok := s2.User(id)
	if !ok {
		t.Fatal("user lost across restart")
	}
	a, _ := json.Marshal(after)
	b, _ := json.Marshal(before)
	if !bytes.Equal(a, b) {
		t.Errorf("user changed across restart:\n%s\n%s", b, a)
	}
	if len(s2.DeletedUsers()) != 1 || len(s2.Invitations()) != 1 || s2.Invitations()[0].UserID != id {
		t.Errorf("deleted %d, invitations %+v", len(s2.DeletedUsers()), s2.Invitations())
	}
	if s2.TenantID() != s.TenantID() || s2.DefaultApp().ClientID != s.DefaultApp().ClientID || s2.DefaultApp().Secret != s.DefaultApp().Secret {
		t.Error("tenant or app not kept across restart")
	}
	// New objects after a restart page after the restored ones.
	id2, _ := s2.SeedUser(SeedUser{Email: "new@partner.example"})
	tok2 := token(t, s2, s2.DefaultApp())
	r := graph(t, s2, tok2, "GET", "/users?$top=1", nil)
	if v := values(r); len(v) != 1 || v[0]["id"] != id {
		t.Fatalf("page 1 after restart: %s", r.Raw)
	}
	r = graph(t, s2, tok2, "GET", str(r.Body["@odata.nextLink"]), nil)
	if v := values(r); len(v) != 1 || v[0]["id"] != id2 {
		t.Errorf("page 2 after restart: %s", r.Raw)
	}
}

func TestControlRotateSigningKeyRefusesEarlierTokens(t *testing.T) {
	s := start(t, Options{})
	old := token(t, s, s.DefaultApp())
	mustStatus(t, graph(t, s, old, "GET", "/users", nil), 200)

	mustStatus(t, ctl(t, s, "POST", "/signing-key/rotate", nil), 204)
	r := graph(t, s, old, "GET", "/users", nil)
	if r.Status != 401 || r.errCode() != "InvalidAuthenticationToken" || r.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("token from before the rotation: %d %s", r.Status, r.Raw)
	}
	// A token obtained after the rotation is accepted.
	mustStatus(t, graph(t, s, token(t, s, s.DefaultApp()), "GET", "/users", nil), 200)
}

// The control API takes a fault seed and reports the one in effect, so a
// standalone run (the demo, benchmarks) can be replayed.
func TestControlFaultSeed(t *testing.T) {
	s := start(t, Options{})
	tok := token(t, s, s.DefaultApp())
	run := func() []int {
		mustStatus(t, ctl(t, s, "PUT", "/faults", map[string]any{"rate429": 0.4, "seed": 9}), 204)
		var out []int
		for range 30 {
			out = append(out, graph(t, s, tok, "GET", "/users", nil).Status)
		}
		return out
	}
	first, second := run(), run()
	if !slices.Equal(first, second) || !slices.Contains(first, 429) || !slices.Contains(first, 200) {
		t.Fatalf("seed 9 twice:\n%v\n%v", first, second)
	}
	r := ctl(t, s, "GET", "/faults", nil)
	mustStatus(t, r, 200)
	if num(r.Body["seed"]) != 9 || num(r.Body["rate429"]) != 0.4 {
		t.Errorf("GET /faults: %s", r.Raw)
	}
}
