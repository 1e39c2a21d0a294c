package graph

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
	"github.com/entra-b2b/terraform-provider-b2b/internal/userprop"
)

func snapshotEmulator(t *testing.T, signIn bool) (*emulator.Server, *client) {
	t.Helper()
	return emulatorImpl(t, emulator.Options{}, signIn)
}

// emulatorImpl starts an emulator with opts and returns it with a client
// of the default app (with AuditLog.Read.All and ReadSignInActivity when
// signIn).
func emulatorImpl(t *testing.T, opts emulator.Options, signIn bool) (*emulator.Server, *client) {
	t.Helper()
	s, err := emulator.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	app := s.DefaultApp()
	if signIn {
		s.SetPermissions(app.ClientID, append(app.Permissions, emulator.PermAuditLogReadAll))
	}
	c, err := New(Config{
		Auth: AuthConfig{Method: AuthClientSecret, TenantID: s.TenantID(), ClientID: app.ClientID,
			ClientSecret: app.Secret, AuthorityHost: s.AuthorityHost()},
		GraphEndpoint:      s.GraphEndpoint(),
		HTTPClient:         &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.CA().CertPool(), MinVersion: tls.VersionTLS12}}},
		ReadSignInActivity: signIn,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s, c.impl
}

// A user decoded from a page of the listing must equal the same user read
// with GET /users/{id} (the SDK path) and as a batch item, property for
// property, the profile table's rows and signInActivity included: a
// difference would show as drift on every refresh served by the snapshot.
func TestSnapshotUserEqualsGetUser(t *testing.T) {
	for _, signIn := range []bool{false, true} {
		t.Run(fmt.Sprintf("signInActivity=%v", signIn), func(t *testing.T) { testListedEqualsGet(t, signIn, emulator.Latitude{}) })
	}
}

func testListedEqualsGet(t *testing.T, signIn bool, lat emulator.Latitude) {
	s, c := emulatorImpl(t, emulator.Options{Latitude: lat}, signIn)
	id := seedEveryProp(t, s, signIn)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	listed, next, err := c.fetchGuestPage(ctx, "")
	if err != nil || next != "" || len(listed) != 1 {
		t.Fatalf("listing: %d users, next %q, %v; want the one guest", len(listed), next, err)
	}
	direct, err := c.getUserDirect(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	answers, err := c.sendUserBatch(ctx, []*batchRead{{ctx: ctx, id: id}, {ctx: ctx, id: id}})
	if err != nil || answers[0].err != nil {
		t.Fatal(err, answers[0].err)
	}
	for name, got := range map[string]*User{"listed": listed[0], "batched": answers[0].user} {
		if !reflect.DeepEqual(got, direct) {
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(direct)
			t.Errorf("%s user differs from GET /users/{id}:\n got %s\nwant %s", name, gj, wj)
		}
	}
	// The comparison means something only if every row is set.
	for _, p := range userprop.Profiles() {
		if direct.Profile[p.Graph] == "" {
			t.Errorf("profile row %s is empty in the GET; the comparison would not see it", p.Graph)
		}
	}
	if signIn && direct.SignInActivity.Never() {
		t.Error("signInActivity is empty in the GET")
	}
}

// seedEveryProp seeds a guest with every profile row set (and sign-in
// times with signIn) and a member the listing must leave out; it returns
// the guest's id.
func seedEveryProp(t *testing.T, s *emulator.Server, signIn bool) string {
	t.Helper()
	_, fixture := allSelected(t)
	props := map[string]any{}
	for k, v := range fixture {
		// The emulator sets what Graph computes; the rest comes
		// from the fixture, every profile row set.
		if p, ok := userprop.ByGraph(k); ok && (p.Profile || k == "businessPhones" || k == "otherMails" || k == "accountEnabled") {
			props[k] = v
		}
	}
	id, err := s.SeedUser(emulator.SeedUser{Email: "every.prop@partner.example", DisplayName: "Every Prop", ExternalUserState: "Accepted", Props: props})
	if err != nil {
		t.Fatal(err)
	}
	if signIn {
		at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
		if err := s.SetSignInActivity(id, emulator.SignInTimes{LastSignIn: &at, LastSuccessfulSignIn: &at}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.SeedUser(emulator.SeedUser{Email: "member@contoso.example", UserType: "Member"}); err != nil {
		t.Fatal(err)
	}
	return id
}

// The emulator serves the listing as Graph documents it
// (https://learn.microsoft.com/graph/api/user-list): guests only with the
// userType filter, $top up to 999 (500 with signInActivity), pages linked
// by @odata.nextLink, and 400 for a $top above 999.
func TestEmulatorServesTheGuestListing(t *testing.T) {
	s, c := snapshotEmulator(t, false)
	const guests = 1200
	for i := range guests {
		if _, err := s.SeedUser(emulator.SeedUser{Email: fmt.Sprintf("l%04d@partner.example", i)}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5 {
		if _, err := s.SeedUser(emulator.SeedUser{Email: fmt.Sprintf("m%d@contoso.example", i), UserType: "Member"}); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	seen := map[string]bool{}
	var sizes []int
	link := ""
	for {
		users, next, err := c.fetchGuestPage(ctx, link)
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(users))
		for _, u := range users {
			if u.UserType != "Guest" || seen[u.ID] {
				t.Fatalf("page %d: %s (%s) listed again or not a guest", len(sizes), u.ID, u.UserType)
			}
			seen[u.ID] = true
		}
		if next == "" {
			break
		}
		if !strings.Contains(next, "$skiptoken=") && !strings.Contains(next, "%24skiptoken=") {
			t.Fatalf("next link without a skip token: %s", next)
		}
		link = next
	}
	if len(seen) != guests || !reflect.DeepEqual(sizes, []int{999, guests - 999}) {
		t.Fatalf("listed %d guests in pages %v; want %d in pages of 999", len(seen), sizes, guests)
	}
	// $top=1000 is refused, as Graph refuses it.
	over := strings.Replace(c.guestListURL(), "%24top=999", "%24top=1000", 1)
	if over == c.guestListURL() {
		t.Fatalf("cannot find $top in %s", over)
	}
	_, _, err := c.fetchGuestPage(ctx, over)
	var ge *Error
	if !errors.As(err, &ge) || ge.StatusCode != http.StatusBadRequest || !strings.Contains(ge.Message, "Must be between 1 and 999") {
		t.Fatalf("$top=1000: %v; want 400 Invalid page size", err)
	}
}
