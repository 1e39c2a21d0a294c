package graph_test

import (
	"context"
	"testing"
	"time"

	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// A user deleted elsewhere (the portal, another run) that the address
// look-up still lists, because the replica serving it is behind the
// delete, does not count as the address's owner: GET /users/{id} still
// returns it, but deleted items holds it. A live user with the address
// still counts, and so does the deleted user once restored.
func TestFindUsersByEmailLeavesOutUsersDeletedElsewhere(t *testing.T) {
	s := startEmulator(t, emulator.Options{DeleteReplicationLag: time.Hour})
	c := emulatorClient(t, s, s.DefaultApp())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const addr = "lag@partner.example"
	gone, err := s.SeedUser(emulator.SeedUser{Email: addr})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteUser(gone); err != nil { // out of band
		t.Fatal(err)
	}
	if _, err := c.GetUser(ctx, gone); err != nil {
		t.Fatalf("GET of the deleted user within the lag: %v; want the lagging read to find it", err)
	}
	users, err := c.FindUsersByEmail(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 0 {
		t.Fatalf("look-up within the delete lag returned %v; want none (the user is in deleted items)", users)
	}
	live, _ := s.SeedUser(emulator.SeedUser{Email: "other@partner.example", Props: map[string]any{"otherMails": []string{addr}}})
	if users, err = c.FindUsersByEmail(ctx, addr); err != nil || len(users) != 1 || users[0].ID != live {
		t.Fatalf("look-up = %v, %v; want only the live user %s", users, err, live)
	}
	if _, err := c.RestoreDeletedUser(ctx, gone); err != nil {
		t.Fatal(err)
	}
	if users, err = c.FindUsersByEmail(ctx, addr); err != nil || len(users) != 2 {
		t.Fatalf("look-up after the restore = %v, %v; want the restored and the live user", users, err)
	}
}

// GetDeletedUser reads the deleted item in the form its page documents
// (GET /directory/deletedItems/{object-id}, no $select of user
// properties), which the emulator holds to; the purge wait and the
// address look-up rely on its 200 and its 404.
func TestGetDeletedUserDocumentedForm(t *testing.T) {
	s := startEmulator(t, emulator.Options{})
	c := emulatorClient(t, s, s.DefaultApp())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	id, err := s.SeedUser(emulator.SeedUser{Email: "purged@partner.example"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteUser(ctx, id); err != nil {
		t.Fatal(err)
	}
	u, err := c.GetDeletedUser(ctx, id)
	if err != nil || u.ID != id || u.Mail != "purged@partner.example" {
		t.Fatalf("GetDeletedUser = %+v, %v", u, err)
	}
	if err := c.PurgeDeletedUser(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetDeletedUser(ctx, id); !graph.IsNotFound(err) {
		t.Fatalf("GetDeletedUser after the purge: %v; want not found", err)
	}
}
