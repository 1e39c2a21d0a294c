package graph_test

import (
	"context"
	"testing"
	"time"

	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// TestEmulatorEveryFilterTheClientBuilds runs each $filter clause the
// client can build (one GuestFilter field at a time, then all together,
// then the email lookup) against the emulator, which follows the docs'
// user filter table (https://learn.microsoft.com/graph/aad-advanced-queries#user-properties):
// a clause that needs ConsistencyLevel: eventual and $count=true but is
// sent without them fails here, as it would against Graph.
func TestEmulatorEveryFilterTheClientBuilds(t *testing.T) {
	s := startEmulator(t, emulator.Options{})
	id, err := s.SeedUser(emulator.SeedUser{Email: "ann@filters.example", DisplayName: "Ann", Props: map[string]any{"otherMails": []string{"ann@home.example"}}})
	if err != nil {
		t.Fatal(err)
	}
	c := emulatorClient(t, s, s.DefaultApp())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	after, before := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)

	for name, f := range map[string]graph.GuestFilter{
		"userType":          {UserType: "Guest"},
		"externalUserState": {ExternalUserState: "PendingAcceptance"},
		"displayName":       {DisplayNamePrefix: "An"},
		"mail domain":       {MailDomain: "filters.example"},
		"created after":     {CreatedAfter: &after},
		"created before":    {CreatedBefore: &before},
		"all": {UserType: "Guest", ExternalUserState: "PendingAcceptance", DisplayNamePrefix: "An",
			MailDomain: "@filters.example", CreatedAfter: &after, CreatedBefore: &before},
	} {
		got, err := c.ListUsers(ctx, f)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(got) != 1 || got[0].ID != id {
			t.Errorf("%s: got %v, want user %s", name, got, id)
		}
	}
	for _, email := range []string{"ann@filters.example", "ANN@home.example"} {
		got, err := c.FindUsersByEmail(ctx, email)
		if err != nil || len(got) != 1 {
			t.Errorf("FindUsersByEmail(%s): %v, %v", email, got, err)
		}
	}
}
