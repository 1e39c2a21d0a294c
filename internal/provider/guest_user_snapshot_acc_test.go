package provider_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

// TestAccGuestUsers_RefreshFromGuestListing: a no-change plan of 60 guests
// refreshes them from the guest listing (internal/graph/snapshot.go), a
// few requests for the whole plan where batching alone costs at least one
// $batch per 10 guests (Terraform's parallelism); and a guest changed out
// of band between plans still shows as drift.
func TestAccGuestUsers_RefreshFromGuestListing(t *testing.T) {
	t.Parallel()
	const guests = 60
	// The test counts pages: Graph's full-size pages, with the rest of the
	// latitude kept (emulator.FullLatitude).
	lat := emulator.FullLatitude()
	lat.PageSize = 0
	env := acctest.New(t, acctest.WithLatitude(lat))
	srv := env.RequireEmulator(t)
	local, domain, _ := strings.Cut(env.Email(t, t.Name()), "@")
	cfg := env.ProviderConfig() + fmt.Sprintf(`
resource "b2b_guest_user" "many" {
  count        = %d
  email        = "%s-${count.index}@%s"
  display_name = "Guest ${count.index}"
  redirect_url = "https://myapps.microsoft.com"
}
`, guests, local, domain)
	var drifted string
	var refresh emulator.Counters
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: resource.TestCheckResourceAttrWith("b2b_guest_user.many.7", "id", func(v string) error {
					drifted = v
					return nil
				}),
			},
			{
				// One refresh: PlanOnly runs a plan without refresh, then
				// one with it. Graph answers in tens of milliseconds; the
				// emulator on a fast machine in well under one, so fast
				// that Terraform's first reads could each finish before
				// the next starts and never look like a burst (a CI
				// machine saw 6 such reads). The latency makes the reads
				// overlap as they do against Graph.
				PreConfig: func() {
					srv.ResetCounters()
					srv.SetFaults(emulator.Faults{Latency: 50 * time.Millisecond})
				},
				Config:   cfg,
				PlanOnly: true,
			},
			{
				PreConfig: func() {
					refresh = srv.Counters()
					srv.SetFaults(emulator.Faults{})
					if err := srv.PatchUser(drifted, map[string]any{"displayName": "Changed Out Of Band"}); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("b2b_guest_user.many[7]", plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction("b2b_guest_user.many[8]", plancheck.ResourceActionNoop),
					},
				},
			},
		},
	})
	n := total(refresh)
	perGuest := float64(n) / guests
	t.Logf("a no-change plan of %d guests: %d Graph requests (%.3f per guest): %v", guests, n, perGuest, refresh)
	// Typically 4: the plan's first 3 reads go out before the batcher has
	// seen 4 callers at once, then one page answers the rest. One more
	// straggler is allowed on a loaded machine, where Terraform can be
	// slower to start a read than Graph is to answer one.
	if refresh["GET /v1.0/users"] == 0 || n > 5 {
		t.Errorf("a no-change plan of %d guests made %d Graph requests (%.3f per guest, %d list pages): want the guest listing and at most 5 (0.083 per guest); batching alone costs at least 0.1",
			guests, n, perGuest, refresh["GET /v1.0/users"])
	}
}
