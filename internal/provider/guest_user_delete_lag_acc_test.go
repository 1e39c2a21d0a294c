package provider_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

// These tests run with a delete replication lag longer than the test:
// after each delete, GET /users/{id}, the address look-up and the guest
// listing keep returning the deleted user (emulator deleted.go), as
// Entra's replicas can for a while.

// liveWithAddress returns the live users whose mail or otherMails is email.
func liveWithAddress(srv *emulator.Server, email string) []string {
	var out []string
	for _, u := range srv.Users() {
		hit := strings.EqualFold(fmt.Sprint(u["mail"]), email)
		if others, ok := u["otherMails"].([]any); ok {
			for _, o := range others {
				hit = hit || strings.EqualFold(fmt.Sprint(o), email)
			}
		}
		if hit {
			out = append(out, fmt.Sprint(u["id"]))
		}
	}
	return out
}

// A replace (terraform apply -replace, a taint) deletes the guest and
// invites the address again in one run, while every read still returns
// the deleted user: one new invitation, the new user in the state, the
// old one in deleted items, one live user with the address, then an
// empty plan.
func TestAccGuestUser_replaceWhileDeleteLags(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithDeleteReplicationLag(time.Hour))
	srv := env.RequireEmulator(t)
	email := env.Email(t, t.Name())
	cfg := guestConfig(env, email, `job_title = "Buyer"`)
	var first, second string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: cfg, Check: stateID(&first)},
			{
				Config: cfg,
				Taint:  []string{guestAddr},
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(guestAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeTestCheckFunc(stateID(&second), func(*terraform.State) error {
					switch {
					case second == first:
						return fmt.Errorf("the replace kept user %s", first)
					case !hasDeleted(srv, first):
						return fmt.Errorf("replaced user %s is not in deleted items", first)
					case len(srv.Invitations()) != 2 || len(invitationsFor(srv, second)) != 1:
						return fmt.Errorf("%d invitations (%d for the new user %s); want 2, one for it", len(srv.Invitations()), len(invitationsFor(srv, second)), second)
					}
					if live := liveWithAddress(srv, email); len(live) != 1 || live[0] != second {
						return fmt.Errorf("live users with %s: %v; want only %s", email, live, second)
					}
					return nil
				}),
			},
			{
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// A user deleted outside Terraform (a colleague's account removed in the
// portal) that the address look-up still returns does not hold the
// address: moving a guest whose email had a typo onto it, and a new
// guest for another such address, go ahead instead of failing "Email
// Address Already In Use" and "Guest User Already Exists".
func TestAccGuestUser_addressOfUserDeletedElsewhereWhileDeleteLags(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithDeleteReplicationLag(time.Hour))
	srv := env.RequireEmulator(t)
	typo, fixed := env.Email(t, "typo"), env.Email(t, "colleague")
	other := env.Email(t, "second")
	deleteElsewhere := func(email string) func() {
		return func() {
			id := env.SeedUser(t, emulator.SeedUser{Email: email})
			env.DeleteUser(t, id)
			if _, err := env.Graph().GetUser(t.Context(), id); err != nil {
				t.Fatalf("the deleted user %s is not read back within the lag: %v", id, err)
			}
		}
	}
	second := fmt.Sprintf(`
resource "b2b_guest_user" "second" {
  email        = %q
  redirect_url = "https://myapps.microsoft.com"
}
`, other)
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: guestConfig(env, typo, ""), Check: stateID(&id)},
			{
				PreConfig: func() { deleteElsewhere(fixed)(); deleteElsewhere(other)() },
				Config:    guestConfig(env, fixed, "") + second,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(guestAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("b2b_guest_user.second", plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("email"), knownvalue.StringExact(fixed)),
				},
				Check: func(*terraform.State) error {
					if live := liveWithAddress(srv, fixed); len(live) != 1 || live[0] != id {
						return fmt.Errorf("live users with %s: %v; want only the moved guest %s", fixed, live, id)
					}
					if live := liveWithAddress(srv, other); len(live) != 1 {
						return fmt.Errorf("live users with %s: %v; want the one new guest", other, live)
					}
					return nil
				},
			},
		},
	})
}

// A guest deleted outside Terraform, refreshed while the replicas still
// return it: the plan cannot tell (every read finds the user), so it
// plans the update; the apply's PATCH finds the user gone, fails and
// keeps the state, and the plan once the delete has replicated re-creates
// the guest. Nothing is invited twice and no state points at a deleted
// user after that.
func TestAccGuestUser_deletedOutsideWhileDeleteLags(t *testing.T) {
	t.Parallel()
	const lag = 6 * time.Second
	env := acctest.New(t, acctest.WithDeleteReplicationLag(lag))
	srv := env.RequireEmulator(t)
	email := env.Email(t, t.Name())
	var first, second string
	var deletedAt time.Time
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: guestConfig(env, email, `job_title = "Buyer"`), Check: stateID(&first)},
			{
				PreConfig: func() {
					if err := srv.DeleteUser(first); err != nil {
						t.Fatal(err)
					}
					deletedAt = time.Now()
				},
				Config:      guestConfig(env, email, `job_title = "Seller"`),
				ExpectError: regexp.MustCompile(`(?s)Error Updating Guest User.*\(PATCH\s+/users/[0-9a-f-]+\) failed; nothing was\s+changed.*reads\s+can\s+still\s+return\s+an\s+object\s+deleted.*404 Request_ResourceNotFound`),
			},
			{
				PreConfig: func() { time.Sleep(time.Until(deletedAt.Add(lag))) },
				Config:    guestConfig(env, email, `job_title = "Seller"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(guestAddr, plancheck.ResourceActionCreate),
				}},
				Check: resource.ComposeTestCheckFunc(stateID(&second), func(*terraform.State) error {
					if live := liveWithAddress(srv, email); len(live) != 1 || live[0] != second || second == first {
						return fmt.Errorf("live users with %s: %v; want only the re-created guest %s (deleted: %s)", email, live, second, first)
					}
					if n := len(srv.Invitations()); n != 2 {
						return fmt.Errorf("%d invitations; want 2 (the first guest and its re-creation)", n)
					}
					return nil
				}),
			},
		},
	})
}

// An invitation whose answer is lost, for an address whose previous user
// was deleted elsewhere and is still returned by the look-up: the create
// finds the user its invitation made, not the deleted one, so the state
// holds the invited guest and nothing is orphaned or invited twice.
func TestAccGuestUser_lostInvitationAnswerWhileDeleteLags(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithReplicationLag(2*time.Second), acctest.WithDeleteReplicationLag(time.Hour))
	srv := env.RequireEmulator(t)
	email := env.Email(t, t.Name())
	gone := env.SeedUser(t, emulator.SeedUser{Email: email})
	env.DeleteUser(t, gone)

	// Armed while the look-up's last request (the deleted-item read that
	// tells the deleted user apart) is held by the latency, so the next
	// request, the invitation, loses its answer.
	dropped := dropInvitationAnswerAfter(t, srv, "GET /v1.0/directory/deletedItems/{id}")

	var id string
	cfg := guestConfig(env, email, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: cfg, Check: stateID(&id)},
			{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
	requireDropped(t, dropped)
	invs := srv.Invitations()
	if len(invs) != 1 || invs[0].UserID != id || id == gone {
		t.Fatalf("state holds %s (deleted user %s); invitations %+v: want exactly one, for the user in the state", id, gone, invs)
	}
}
