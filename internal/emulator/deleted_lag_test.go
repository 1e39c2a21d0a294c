package emulator

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// After a delete, reads behind it still return the user for
// DeleteReplicationLag; writes, the deleted item and new invitations see
// the delete at once (deleted.go).
func TestDeleteReplicationLag(t *testing.T) {
	s := start(t, Options{DeleteReplicationLag: 5 * time.Second})
	tok := token(t, s, s.DefaultApp())
	id, err := s.SeedUser(SeedUser{Email: "gone@partner.example", DisplayName: "Gone",
		Props: map[string]any{"otherMails": []string{"gone@home.example"}}})
	if err != nil {
		t.Fatal(err)
	}
	keep, _ := s.SeedUser(SeedUser{Email: "kept@partner.example"})

	mustStatus(t, graph(t, s, tok, "DELETE", "/users/"+id, nil), http.StatusNoContent)

	r := graph(t, s, tok, "GET", "/users/"+id+"?$select=id,displayName,mail", nil)
	mustStatus(t, r, http.StatusOK)
	if r.Body["displayName"] != "Gone" || r.Body["mail"] != "gone@partner.example" {
		t.Errorf("lagging read: %s", r.Raw)
	}
	for _, f := range []string{
		"mail eq 'gone@partner.example' or otherMails/any(m:m eq 'gone@partner.example')",
		"otherMails/any(m:m eq 'gone@home.example')",
	} {
		if got := ids(values(graph(t, s, tok, "GET", "/users?$filter="+url.QueryEscape(f), nil))); len(got) != 1 || got[0] != id {
			t.Errorf("%s: %v, want the deleted user", f, got)
		}
	}
	if got := ids(values(graph(t, s, tok, "GET", "/users", nil))); len(got) != 2 || got[0] != id || got[1] != keep {
		t.Errorf("list: %v, want [%s %s] in creation order", got, id, keep)
	}
	if r := graph(t, s, tok, "GET", "/users/$count", nil, "ConsistencyLevel", "eventual"); string(r.Raw) != "2" {
		t.Errorf("$count: %s", r.Raw)
	}

	// Writes see the delete.
	mustStatus(t, graph(t, s, tok, "PATCH", "/users/"+id, map[string]any{"jobTitle": "X"}), http.StatusNotFound)
	mustStatus(t, graph(t, s, tok, "DELETE", "/users/"+id, nil), http.StatusNotFound)
	// The deleted item is there at once, and an invitation for the
	// address invites a new user.
	mustStatus(t, graph(t, s, tok, "GET", "/directory/deletedItems/"+id, nil), http.StatusOK)
	inv := invite(t, s, tok, "gone@partner.example")
	mustStatus(t, inv, http.StatusCreated)
	if nid := str(obj(inv.Body["invitedUser"])["id"]); nid == "" || nid == id {
		t.Errorf("invitation for a deleted user's address returned %q, want a new user", nid)
	}

	advance(t, s, 5*time.Second)
	mustStatus(t, graph(t, s, tok, "GET", "/users/"+id, nil), http.StatusNotFound)
	for _, u := range values(graph(t, s, tok, "GET", "/users", nil)) {
		if str(u["id"]) == id {
			t.Errorf("deleted user still listed after the lag")
		}
	}
}

// A restore ends the lag (the user is live again, read from its one
// record); without the option a delete is seen at once everywhere.
func TestDeleteReplicationLagRestoreAndOff(t *testing.T) {
	s := start(t, Options{DeleteReplicationLag: time.Minute})
	tok := token(t, s, s.DefaultApp())
	id, _ := s.SeedUser(SeedUser{Email: "back@partner.example"})
	if err := s.DeleteUser(id); err != nil { // out of band, as in the portal
		t.Fatal(err)
	}
	mustStatus(t, graph(t, s, tok, "GET", "/users/"+id, nil), http.StatusOK)
	mustStatus(t, graph(t, s, tok, "POST", "/directory/deletedItems/"+id+"/restore", nil), http.StatusOK)
	mustStatus(t, graph(t, s, tok, "PATCH", "/users/"+id, map[string]any{"jobTitle": "Back"}), http.StatusNoContent)
	if got := ids(values(graph(t, s, tok, "GET", "/users", nil))); len(got) != 1 {
		t.Errorf("restored user listed %d times", len(got))
	}

	// The lag set after a delete does not change it; 0 turns it off.
	ctlStatus := ctl(t, s, "PUT", "/delete-replication-lag", map[string]any{"lag": 0})
	mustStatus(t, ctlStatus, http.StatusNoContent)
	mustStatus(t, graph(t, s, tok, "DELETE", "/users/"+id, nil), http.StatusNoContent)
	mustStatus(t, graph(t, s, tok, "GET", "/users/"+id, nil), http.StatusNotFound)
	if got := values(graph(t, s, tok, "GET", "/users", nil)); len(got) != 0 {
		t.Errorf("deleted user listed without lag: %v", got)
	}
}

// A user deleted before any replica served it (invited within
// ReplicationLag) is never read back.
func TestDeleteReplicationLagOfUnreplicatedUser(t *testing.T) {
	s := start(t, Options{ReplicationLag: 10 * time.Second, DeleteReplicationLag: time.Minute})
	tok := token(t, s, s.DefaultApp())
	id := str(obj(invite(t, s, tok, "new@partner.example").Body["invitedUser"])["id"])
	if err := s.DeleteUser(id); err != nil {
		t.Fatal(err)
	}
	advance(t, s, 11*time.Second)
	mustStatus(t, graph(t, s, tok, "GET", "/users/"+id, nil), http.StatusNotFound)
}

func ids(us []map[string]any) []string {
	var out []string
	for _, u := range us {
		out = append(out, str(u["id"]))
	}
	return out
}
