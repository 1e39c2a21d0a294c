package provider_test

import (
	"context"
	"fmt"
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

// TestAccGuestUser_lostInvitationAnswerInvitesOnce: Graph creates the
// guest but the connection drops before its answer arrives. The create
// must look the address up (through replication lag) and carry on with
// that user, not invite a second time and not fail leaving an orphan.
func TestAccGuestUser_lostInvitationAnswerInvitesOnce(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithReplicationLag(3*time.Second))
	srv := env.RequireEmulator(t)
	email := env.Email(t, t.Name())

	// The pre-invitation lookup is held by the latency, long enough to
	// arm the drop for the POST /invitations that follows it.
	dropped := dropInvitationAnswerAfter(t, srv, "GET /v1.0/users")

	var id string
	steps := invitedOnceSteps(t, srv, guestConfig(env, email, `job_title = "Analyst"`), &id)
	// Graph's answer, with the redeem URL, was lost.
	steps[0].ConfigStateChecks = append(steps[0].ConfigStateChecks,
		statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("redeem_url"), knownvalue.Null()))
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(), Steps: steps})

	requireDropped(t, dropped)
	requireInvitedOnce(t, srv, id)
}

// invitedOnceSteps apply config, a guest with job_title "Analyst", whose
// invitation's answer is lost, and check that the guest Graph created is
// in state (its ID stored in *id) with its profile, and that the next
// plan is empty.
func invitedOnceSteps(t *testing.T, srv *emulator.Server, config string, id *string) []resource.TestStep {
	return []resource.TestStep{
		{
			Config: config,
			Check: func(s *terraform.State) error {
				*id = s.RootModule().Resources[guestAddr].Primary.ID
				if got := userProp(t, srv, *id, "jobTitle"); got != "Analyst" {
					return fmt.Errorf("jobTitle in the directory = %v, want Analyst", got)
				}
				return nil
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("job_title"), knownvalue.StringExact("Analyst")),
			},
		},
		{Config: config, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
	}
}

// requireInvitedOnce: exactly one invitation went out, and it created the
// guest the state holds (id).
func requireInvitedOnce(t *testing.T, srv *emulator.Server, id string) {
	t.Helper()
	invs := srv.Invitations()
	if len(invs) != 1 {
		t.Fatalf("%d invitations were sent, want exactly 1", len(invs))
	}
	if invs[0].UserID != id {
		t.Fatalf("the state holds %s but the invitation created %s", id, invs[0].UserID)
	}
}

// dropInvitationAnswerAfter makes the emulator answer every request slowly
// and, once it has seen a request counted under counter (one the create
// makes just before it invites), drops the answer of the next requests
// after acting on them, until an invitation exists: Graph creates the
// guest, the provider never hears so. A request meets the faults in effect
// when it arrived, so the slow answer leaves time to arm the drop. The
// returned channel closes once an answer was dropped.
func dropInvitationAnswerAfter(t *testing.T, srv *emulator.Server, counter string) <-chan struct{} {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	dropped := make(chan struct{})
	go func() {
		for srv.Counters()[counter] == 0 {
			if sleepOrDone(ctx) {
				return
			}
		}
		srv.SetFaults(emulator.Faults{RateDrop: 1, DropAfterActing: true})
		for len(srv.Invitations()) == 0 {
			if sleepOrDone(ctx) {
				return
			}
		}
		srv.SetFaults(emulator.Faults{})
		close(dropped)
	}()
	srv.SetFaults(emulator.Faults{Latency: 500 * time.Millisecond})
	return dropped
}

// requireDropped fails a test whose invitation answer was never dropped:
// it would have passed without exercising the lost answer.
func requireDropped(t *testing.T, dropped <-chan struct{}) {
	t.Helper()
	select {
	case <-dropped:
	default:
		t.Fatal("the invitation's answer was never dropped: the test did not exercise the lost answer")
	}
}

func sleepOrDone(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return true
	case <-time.After(5 * time.Millisecond):
		return false
	}
}
