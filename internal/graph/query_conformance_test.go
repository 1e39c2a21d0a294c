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

// TestListUsersLeftBeforeIsFilteredByGraph checks the server-side half of
// the data source's expired filter: ListUsers applies no filter of its own,
// so only a $filter on employeeLeaveDateTime that the emulator (following
// the user page's filter support for the property) evaluates keeps the
// guest whose date has passed and drops the others.
func TestListUsersLeftBeforeIsFilteredByGraph(t *testing.T) {
	s := startEmulator(t, emulator.Options{})
	now := time.Now().UTC().Truncate(time.Second)
	past, future := now.Add(-48*time.Hour), now.Add(48*time.Hour)
	ids := map[string]string{}
	for _, name := range []string{"gone", "staying", "undated"} {
		id, err := s.SeedUser(emulator.SeedUser{Email: name + "@left.example", DisplayName: name})
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = id
	}
	for name, at := range map[string]*time.Time{"gone": &past, "staying": &future} {
		if err := s.SetEmployeeLeaveDateTime(ids[name], at); err != nil {
			t.Fatal(err)
		}
	}
	c := emulatorClient(t, s, s.DefaultApp())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	got, err := c.ListUsers(ctx, graph.GuestFilter{LeftBefore: &now})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != ids["gone"] {
		t.Fatalf("ListUsers(LeftBefore: now) = %v, want only the guest whose date has passed (%s)", got, ids["gone"])
	}
	if got[0].EmployeeLeaveDateTime == nil || !got[0].EmployeeLeaveDateTime.Equal(past) {
		t.Errorf("employeeLeaveDateTime = %v, want %v (selected with the filter)", got[0].EmployeeLeaveDateTime, past)
	}
}
