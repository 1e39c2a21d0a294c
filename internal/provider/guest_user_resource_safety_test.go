package provider

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

func TestIsB2BCollaborationUser(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		u    graph.User
		want bool
	}{
		{"pending guest", graph.User{UserType: "Guest", CreationType: "Invitation", ExternalUserState: "PendingAcceptance",
			UserPrincipalName: "alice_partner.example#EXT#@contoso.onmicrosoft.com"}, true},
		{"guest converted to member", graph.User{UserType: "Member", CreationType: "Invitation", ExternalUserState: "Accepted",
			UserPrincipalName: "alice_partner.example#EXT#@contoso.onmicrosoft.com"}, true},
		{"creationType only", graph.User{UserType: "Member", CreationType: "invitation"}, true},
		{"internal user invited to B2B (keeps its UPN)", graph.User{UserType: "Member", ExternalUserState: "PendingAcceptance",
			UserPrincipalName: "bob@contoso.onmicrosoft.com"}, true},
		{"#EXT# only, any case", graph.User{UserPrincipalName: "carol_x.example#ext#@contoso.onmicrosoft.com"}, true},
		{"employee", graph.User{UserType: "Member", UserPrincipalName: "dave@contoso.example"}, false},
		{"legacy internal guest", graph.User{UserType: "Guest", UserPrincipalName: "vendor@contoso.example"}, false},
		{"self-service sign-up without invitation", graph.User{UserType: "Member", CreationType: "EmailVerified",
			UserPrincipalName: "erin@contoso.example"}, false},
	} {
		if got := isB2BCollaborationUser(&tc.u); got != tc.want {
			t.Errorf("%s: isB2BCollaborationUser = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// The address lock admits one holder per normalised address, lets other
// addresses through, and gives up when the context ends.
func TestAddressGuard(t *testing.T) {
	t.Parallel()
	var g addressGuard
	ctx := context.Background()

	unlock, err := g.lock(ctx, "Alice@Partner.example")
	if err != nil {
		t.Fatal(err)
	}
	other, err := g.lock(ctx, "bob@partner.example")
	if err != nil {
		t.Fatalf("another address must not wait: %v", err)
	}
	other()

	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := g.lock(short, " alice@partner.EXAMPLE "); err == nil {
		t.Fatal("the same address in another case was locked twice")
	}

	var inside, most atomic.Int32
	var wg sync.WaitGroup
	unlock()
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u, err := g.lock(ctx, "ALICE@partner.example")
			if err != nil {
				t.Error(err)
				return
			}
			n := inside.Add(1)
			for {
				m := most.Load()
				if n <= m || most.CompareAndSwap(m, n) {
					break
				}
			}
			time.Sleep(time.Millisecond)
			inside.Add(-1)
			u()
		}()
	}
	wg.Wait()
	if most.Load() != 1 {
		t.Fatalf("%d holders of one address at once, want 1", most.Load())
	}

	if g.owner("alice@partner.example") != "" {
		t.Fatal("owner before any claim")
	}
	g.claim("Alice@Partner.example", "id-1")
	if got := g.owner("ALICE@PARTNER.EXAMPLE"); got != "id-1" {
		t.Fatalf("owner = %q, want id-1", got)
	}
}
