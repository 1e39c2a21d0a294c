package provider_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

// TestAccGuestLifecycleReportsExample runs the guest lifecycle guide's
// report configuration (examples/guides/guest-lifecycle/reports) as
// published, and checks that each report lists what its comment promises:
// inactive and never signed in only among redeemed guests, so that a guest
// who never redeemed is in the pending report alone.
func TestAccGuestLifecycleReportsExample(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	grantAuditLog(env, srv)
	seedStaleGuests(t, env, srv)
	// Redeemed 120 days ago and never signed in.
	env.SeedUser(t, emulator.SeedUser{Email: "quiet@stale.example", DisplayName: "quiet", ExternalUserState: "Accepted",
		Props: map[string]any{"createdDateTime": rfc(daysAgo(120)), "externalUserStateChangeDateTime": rfc(daysAgo(120))}})
	example, err := os.ReadFile(filepath.Join("..", "..", "examples", "guides", "guest-lifecycle", "reports", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	// inactive_for_days = 90: the inactive guest signed in 100 days ago,
	// quiet redeemed 120 days ago and never signed in; pending (invited 40
	// days ago, never redeemed) is in the pending report only.
	want := knownvalue.ObjectExact(map[string]knownvalue.Check{
		"inactive": knownvalue.SetExact([]knownvalue.Check{
			knownvalue.StringExact("inactive@stale.example"), knownvalue.StringExact("quiet@stale.example"),
		}),
		"never_signed_in": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("quiet@stale.example")}),
		"pending":         knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("pending@stale.example")}),
		"expired":         knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("expired@stale.example")}),
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:            env.ProviderConfigWith(signInOptIn) + string(example),
			ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownOutputValue("stale_guests", want)},
		}},
	})
}
