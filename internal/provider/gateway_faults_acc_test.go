package provider_test

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

// TestAccGuestUser_invitationAnswerLostInvitesOnce: Graph creates the
// guest, but the answer that reaches the provider does not say which: a
// gateway in front of Graph timed out and answers 504 with its own HTML
// page, or a proxy passes the 201 on without its body. Like a dropped
// connection, the outcome is unknown: the create looks the address up
// (through replication lag) and carries on with that user; it neither
// sends the invitation again (a second email) nor fails leaving an
// orphaned guest.
func TestAccGuestUser_invitationAnswerLostInvitesOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		gateway emulator.GatewayFault
	}{
		{"504 page", emulator.GatewayFault{Status: 504, Body: emulator.GatewayBodyHTML, AfterActing: true}},
		{"201 without body", emulator.GatewayFault{Status: 201, Body: emulator.GatewayBodyEmpty, AfterActing: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := acctest.New(t, acctest.WithReplicationLag(3*time.Second))
			srv := env.RequireEmulator(t)
			email := env.Email(t, t.Name())
			srv.SetFaults(emulator.Faults{Routes: []string{"POST /v1.0/invitations"}, Limit: 1, RateGateway: 1, Gateway: tc.gateway})

			var id string
			steps := invitedOnceSteps(t, srv, guestConfig(env, email, `job_title = "Analyst"`), &id)
			resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(), Steps: steps})

			if n := srv.Counters()[fmt.Sprintf("status:%d", tc.gateway.Status)]; n != 1 {
				t.Fatalf("the gateway answered %d %d times, want 1: the test did not exercise it", tc.gateway.Status, n)
			}
			requireInvitedOnce(t, srv, id)
		})
	}
}

// TestAccGuestUserDataSource_proxyAuthenticationRequired: a corporate proxy
// answers 407 with its own HTML page. The diagnostic says a proxy wants
// credentials and where to give them, without the page; nothing is retried.
func TestAccGuestUserDataSource_proxyAuthenticationRequired(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	id := env.SeedUser(t, emulator.SeedUser{Email: env.Email(t, t.Name()), DisplayName: "Behind A Proxy"})
	srv.SetFaults(emulator.Faults{RateGateway: 1, Gateway: emulator.GatewayFault{Status: 407, Body: emulator.GatewayBodyHTML}})

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: env.ProviderConfig() + fmt.Sprintf(`
data "b2b_guest_user" "test" {
  object_id = %q
}
`, id),
			ExpectError: regexp.MustCompile(`(?s)Error Reading User.*` +
				phrase("A proxy between this machine and Microsoft Graph (or the identity platform) asked for credentials (HTTP 407). Give them in HTTPS_PROXY") + `.*` +
				phrase("GET /users/{id}: 407 Proxy Authentication Required: the answer had a text/html body instead of Microsoft Graph's JSON error; a proxy between this machine and Microsoft Graph asks for credentials") + `\s*$`),
		}},
	})
	if n := srv.Counters()["status:407"]; n < 1 {
		t.Fatalf("the proxy answered 407 %d times: the test did not exercise it", n)
	}
}

// TestAccProvider_ExpiredSecret: the right secret past its end date
// (AADSTS7000222) is named as expired, with what to do.
func TestAccProvider_ExpiredSecret(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	srv.ExpireClientSecret(env.App().ClientID)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: secretProviderBlock(env, srv.TenantID(), env.App().ClientID, env.App().Secret) + dataSourceByID(acctest.NewGUID()),
			ExpectError: errorRE("Unable To Sign In To Microsoft Entra ID", "Authentication to Microsoft Entra ID failed",
				"AADSTS7000222", "The client secret has expired: create a new one in the app registration."),
		}},
	})
}

// TestAccProvider_tokenEndpointUnavailable: the token endpoint (or a
// gateway before it) answers 503 with an HTML page. The diagnostic says the
// identity platform failed, not that the credentials are wrong.
func TestAccProvider_tokenEndpointUnavailable(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	srv.SetFaults(emulator.Faults{RateToken: 1, Token: emulator.GatewayFault{Status: 503, Body: emulator.GatewayBodyHTML}})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: secretProviderBlock(env, srv.TenantID(), env.App().ClientID, env.App().Secret) + dataSourceByID(acctest.NewGUID()),
			ExpectError: errorRE("Unable To Sign In To Microsoft Entra ID",
				"token request (client_secret): 503 Service Unavailable: the identity platform's token endpoint answered HTTP 503, a failure on its side or of a proxy in between, not a refusal of the credentials; run the command again later, and check HTTPS_PROXY if it persists"),
		}},
	})
	if n := srv.Counters()["status:503"]; n < 1 {
		t.Fatalf("the token endpoint answered 503 %d times: the test did not exercise it", n)
	}
}

// TestAccGuestUser_emptyReadAnswerIsNotDrift: a proxy passes a guest
// read's 200 on without its body. The refresh reads again and finds the
// guest as it is: the plan is empty, not a re-creation of a guest taken
// for deleted (nor a provider crash on a user that is not there).
func TestAccGuestUser_emptyReadAnswerIsNotDrift(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	config := guestConfig(env, env.Email(t, t.Name()), `job_title = "Analyst"`)
	const read = "GET /v1.0/users/{id}"
	var mark, plain, faulted int
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() { mark = srv.Counters()[read] },
				Config:    config, PlanOnly: true,
			},
			{
				PreConfig: func() {
					plain = srv.Counters()[read] - mark
					mark = srv.Counters()[read]
					srv.SetFaults(emulator.Faults{Routes: []string{read}, Limit: 1, RateGateway: 1,
						Gateway: emulator.GatewayFault{Status: 200, Body: emulator.GatewayBodyEmpty}})
				},
				Config: config, PlanOnly: true,
			},
			{
				PreConfig: func() { faulted = srv.Counters()[read] - mark },
				Config:    config, PlanOnly: true,
			},
		},
	})
	if plain == 0 {
		t.Fatalf("a refresh read the guest with %s 0 times: the test does not exercise that read", read)
	}
	if faulted != plain+1 {
		t.Fatalf("the refresh with one empty answer sent %s %d times, want %d (the usual %d and one more for the empty answer)", read, faulted, plain+1, plain)
	}
}
