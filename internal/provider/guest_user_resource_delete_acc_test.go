package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
)

// Deleting a guest (on_destroy = "delete") costs one DELETE and no read
// after it: the only read of the user in the removing apply is Terraform's
// refresh. The user is soft-deleted (in deleted items, not live).
// Issue 13: a 1,000-guest destroy sent 1,000 GETs polling for users that
// Graph had already deleted.
func TestAccGuestUser_deleteIsOneRequest(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	var id string
	const getUser, deleteUser = "GET /v1.0/users/{id}", "DELETE /v1.0/users/{id}"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: guestConfig(env, env.Email(t, t.Name()), ""),
				Check:  stateID(&id),
			},
			{
				// The block removed: the apply refreshes, then deletes.
				PreConfig: srv.ResetCounters,
				Config:    env.ProviderConfig(),
				Check: func(*terraform.State) error {
					c := srv.Counters()
					if c[deleteUser] != 1 || c[getUser] != 1 {
						return fmt.Errorf("removing the guest sent %d %s and %d %s (batch items included); want 1 DELETE and 1 GET, the refresh's",
							c[deleteUser], deleteUser, c[getUser], getUser)
					}
					if _, live := srv.User(id); live || !hasDeleted(srv, id) {
						return fmt.Errorf("user %s: live %v, in deleted items %v; want soft-deleted", id, live, hasDeleted(srv, id))
					}
					return nil
				},
			},
		},
	})
}
