package provider_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

// Issue 11 items 5 and 6: a token that stops working mid-apply, and
// endpoints that do not answer.

const tokenEndpointKey = "POST /{tenant}/oauth2/v2.0/token"

// guestsConfig declares n guests of the test's own addresses.
func guestsConfig(env *acctest.Env, t *testing.T, provider string, n int) string {
	emails := make([]string, n)
	for i := range emails {
		emails[i] = fmt.Sprintf("%q", env.Email(t, fmt.Sprintf("%s-%d", t.Name(), i)))
	}
	return provider + fmt.Sprintf(`
locals {
  emails = [%s]
}

resource "b2b_guest_user" "g" {
  count        = length(local.emails)
  email        = local.emails[count.index]
  redirect_url = "https://myapps.microsoft.com"
}
`, strings.Join(emails, ", "))
}

// TestAccGuestUser_tokenRenewedWhenSigningKeyRollsOverMidApply rotates the
// emulator's signing key while an apply of several guests is under way:
// every request then carries a token Graph refuses (401
// InvalidAuthenticationToken). The apply must complete, with one new token
// for the whole provider process and one invitation per guest.
func TestAccGuestUser_tokenRenewedWhenSigningKeyRollsOverMidApply(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	const guests = 6

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var tokensBefore atomic.Int64
	tokensBefore.Store(-1)
	go func() {
		// From the first invitation on (apply only, not plan); the latency
		// keeps the creates in flight while the new key is generated.
		for srv.Counters()["POST /v1.0/invitations"] < 1 {
			if sleepOrDone(ctx) {
				return
			}
		}
		before := srv.Counters()[tokenEndpointKey]
		if err := srv.RotateSigningKey(); err != nil {
			t.Errorf("rotate: %v", err)
			return
		}
		tokensBefore.Store(int64(before))
	}()
	srv.SetFaults(emulator.Faults{Latency: time.Second})

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: guestsConfig(env, t, env.ProviderConfig(), guests),
			Check: func(*terraform.State) error {
				before := tokensBefore.Load()
				if before < 0 || srv.Counters()["status:401"] == 0 {
					return fmt.Errorf("no request was refused after a rotation: the test did not exercise a refused token (rotated: %v)", before >= 0)
				}
				if n := int64(srv.Counters()[tokenEndpointKey]) - before; n != 1 {
					return fmt.Errorf("%d token requests after the rotation; want 1 (one new token shared by every request)", n)
				}
				if n := len(srv.Invitations()); n != guests {
					return fmt.Errorf("%d invitations for %d guests", n, guests)
				}
				return nil
			},
		}},
	})
}

// closedPort is 127.0.0.1:port with nothing listening.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// hangingEndpoint accepts TCP connections on 127.0.0.1 and never answers
// (a stalled proxy); it counts them.
func hangingEndpoint(t *testing.T) (string, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var accepted atomic.Int64
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return ln.Addr().String(), &accepted
}

// deadEndpointsProvider points both endpoints at addr.
func deadEndpointsProvider(addr string) string {
	return fmt.Sprintf(`provider "b2b" {
  graph_endpoint = "https://%[1]s"
  authority_host = "https://%[1]s/"
  tenant_id      = %[2]q
  client_id      = %[3]q
  client_secret  = "not-used"
}
`, addr, acctest.NewGUID(), acctest.NewGUID())
}

// TestAccProvider_refusedEndpointFailsWithinSeconds: nothing listens on
// the configured port. The run fails in seconds (not minutes), at the
// provider's sign-in, and says which host did not answer, not that the
// credentials are wrong.
func TestAccProvider_refusedEndpointFailsWithinSeconds(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	env.RequireEmulator(t)
	addr := closedPort(t)
	start := time.Now()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: guestsConfig(env, t, deadEndpointsProvider(addr), 10),
			ExpectError: errorRE("Unable To Sign In To Microsoft Entra ID", "did not answer. Check the network path",
				"HTTPS_PROXY). Run the command again once the host answers.", addr+" did not answer: connection refused"),
		}},
	})
	// A safety net only; the behaviour is asserted by the graph tests.
	if d := time.Since(start); d > 90*time.Second {
		t.Errorf("the run took %v", d)
	}
}

// TestAccProvider_hangingEndpointFailsOnceForAllGuests: the endpoint
// accepts TCP and never answers. The first request gives up after its
// per-attempt limit, and the other guests fail at once with the same
// cause instead of each waiting again: one connection for ten guests.
func TestAccProvider_hangingEndpointFailsOnceForAllGuests(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	env.RequireEmulator(t)
	addr, accepted := hangingEndpoint(t)
	start := time.Now()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      guestsConfig(env, t, deadEndpointsProvider(addr), 10),
			ExpectError: errorRE("Error", addr+" did not answer: it accepted the connection but did not complete the TLS handshake"),
		}},
	})
	if n := accepted.Load(); n != 1 {
		t.Errorf("the hanging endpoint got %d connections for 10 guests; want 1", n)
	}
	if d := time.Since(start); d > 90*time.Second {
		t.Errorf("the run took %v; want about the 10 s TLS handshake limit", d)
	}
}
