package provider_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
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
	"github.com/entra-b2b/terraform-provider-b2b/internal/provider"
)

// fakeClock is the provider's clock in the expiry tests: a step moves it in
// PreConfig, so the plan sees another day without anyone sleeping.
type fakeClock struct{ unixNano atomic.Int64 }

func newFakeClock(t time.Time) *fakeClock {
	c := &fakeClock{}
	c.set(t)
	return c
}

func (c *fakeClock) set(t time.Time)    { c.unixNano.Store(t.UnixNano()) }
func (c *fakeClock) now() time.Time     { return time.Unix(0, c.unixNano.Load()).UTC() }
func (c *fakeClock) at(s string) func() { return func() { c.set(mustTime(s)) } }

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// withLifecyclePermissions is an app that may invite, write users and
// write their lifecycle information (employeeLeaveDateTime).
func withLifecyclePermissions() acctest.Option {
	return acctest.WithPermissions(emulator.PermUserInviteAll, emulator.PermUserReadWriteAll,
		emulator.PermUserLifeCycleInfoReadWriteAll)
}

// expectDirectory checks the guest's accountEnabled and
// employeeLeaveDateTime in the emulator.
func expectDirectory(t *testing.T, env *acctest.Env, enabled bool, leave string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		id := s.RootModule().Resources[guestAddr].Primary.ID
		u, err := env.Graph().GetUser(context.Background(), id)
		if err != nil {
			return err
		}
		if u.AccountEnabled == nil || *u.AccountEnabled != enabled {
			return fmt.Errorf("accountEnabled of %s = %v, want %t", id, u.AccountEnabled, enabled)
		}
		got, err := env.RequireEmulator(t).EmployeeLeaveDateTime(id)
		if err != nil {
			return err
		}
		if !sameInstant(got, leave) {
			return fmt.Errorf("employeeLeaveDateTime of %s = %q, want %q", id, got, leave)
		}
		return nil
	}
}

// sameInstant compares two stored timestamps ("" for null) as instants:
// the emulator's Latitude may store them with fractional seconds.
func sameInstant(a, b string) bool {
	ta, errA := time.Parse(time.RFC3339Nano, a)
	tb, errB := time.Parse(time.RFC3339Nano, b)
	if errA != nil || errB != nil {
		return a == b
	}
	return ta.Equal(tb)
}

func accountEnabledPlanned(v bool) plancheck.PlanCheck {
	return plancheck.ExpectKnownValue(guestAddr, tfjsonpath.New("account_enabled"), knownvalue.Bool(v))
}

// Before the date the guest is enabled and the date is in
// employeeLeaveDateTime; once the clock passes it the plan disables the
// guest and apply does; moving the date forward enables it again.
func TestAccGuestUser_expiry(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, withLifecyclePermissions())
	env.RequireEmulator(t)
	clock := newFakeClock(mustTime("2026-06-01T12:00:00Z"))
	email := env.Email(t, t.Name())
	cfg := func(date string) string { return guestConfig(env, email, fmt.Sprintf("expires_on = %q", date)) }
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactoriesWithClock(clock.now),
		Steps: []resource.TestStep{
			{
				Config: cfg("2026-07-01"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("account_enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("expires_on"), knownvalue.StringExact("2026-07-01")),
				},
				Check: expectDirectory(t, env, true, "2026-07-01T00:00:00Z"),
			},
			{
				// The last second before the date: nothing to do.
				PreConfig: clock.at("2026-06-30T23:59:59Z"),
				Config:    cfg("2026-07-01"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(guestAddr, plancheck.ResourceActionNoop),
				}},
			},
			{
				PreConfig: clock.at("2026-07-01T00:00:00Z"),
				Config:    cfg("2026-07-01"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(guestAddr, plancheck.ResourceActionUpdate),
					accountEnabledPlanned(false),
				}},
				Check: expectDirectory(t, env, false, "2026-07-01T00:00:00Z"),
			},
			{
				// Moving the date forward (as an RFC 3339 time) enables it again.
				Config: cfg("2026-09-30T17:00:00+02:00"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(guestAddr, plancheck.ResourceActionUpdate),
					accountEnabledPlanned(true),
				}},
				Check: expectDirectory(t, env, true, "2026-09-30T15:00:00Z"),
			},
		},
	})
}

// A date edited in Entra (employeeLeaveDateTime) is drift: the plan
// writes the configured date back.
func TestAccGuestUser_expiryDrift(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, withLifecyclePermissions())
	srv := env.RequireEmulator(t)
	clock := newFakeClock(mustTime("2026-06-01T12:00:00Z"))
	cfg := guestConfig(env, env.Email(t, t.Name()), `expires_on = "2026-07-01"`)
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactoriesWithClock(clock.now),
		Steps: []resource.TestStep{
			{Config: cfg, Check: func(s *terraform.State) error {
				id = s.RootModule().Resources[guestAddr].Primary.ID
				return nil
			}},
			{
				PreConfig: func() {
					later := mustTime("2027-01-01T00:00:00Z")
					if err := srv.SetEmployeeLeaveDateTime(id, &later); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(guestAddr, plancheck.ResourceActionUpdate),
				}},
				Check: expectDirectory(t, env, true, "2026-07-01T00:00:00Z"),
			},
		},
	})
}

// The nightly pipeline of the guest lifecycle guide, through the CLI:
// `plan -detailed-exitcode` exits 0 before the date, 2 after it with the
// warning naming the guest and the date, apply disables the guest, and the
// next night's plan is empty again.
func TestAccGuestUser_expiryPipeline(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, withLifecyclePermissions())
	env.RequireEmulator(t)
	clock := newFakeClock(mustTime("2026-06-01T12:00:00Z"))
	cli := newTFCLI(t, "1.5.0", provider.WithClock(clock.now))
	email := env.Email(t, t.Name())
	cli.write("main.tf", requiredProviders+guestConfig(env, email, `expires_on = "2026-07-01"`))
	cli.must("init", "-input=false", "-no-color")
	cli.must("apply", "-input=false", "-no-color", "-auto-approve")

	nightly := func() (string, int) {
		out, code, stderr := cli.run("plan", "-input=false", "-no-color", "-detailed-exitcode", "-out=nightly.tfplan")
		if code == 1 {
			t.Fatalf("plan failed:\n%s\n%s", out, stderr)
		}
		return out + stderr, code
	}
	if out, code := nightly(); code != 0 {
		t.Fatalf("plan before the date exited %d; want 0 (nothing to do)\n%s", code, out)
	}

	clock.set(mustTime("2026-07-02T03:00:00Z"))
	out, code := nightly()
	if code != 2 {
		t.Fatalf("plan after the date exited %d; want 2 (changes)\n%s", code, out)
	}
	for _, want := range []string{"Guest User Expired", email, "2026-07-01T00:00:00Z", "account_enabled", "true -> false", "b2b_guest_user.test"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan after the date does not mention %q:\n%s", want, out)
		}
	}
	cli.must("apply", "-input=false", "-no-color", "nightly.tfplan")
	if out, code := nightly(); code != 0 {
		t.Fatalf("the next night's plan exited %d; want 0\n%s", code, out)
	}
}

// A malformed date fails the plan before any call to Graph.
func TestAccGuestUser_expiresOnMalformed(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, withLifecyclePermissions())
	email := env.Email(t, t.Name())
	want := errorRE("Invalid Expiry Date",
		"expires_on must be a calendar date written YYYY-MM-DD (e.g. 2026-12-31: the guest expires at 00:00 UTC that day) or an RFC 3339 time with its offset",
		"The value given is neither, or names a day that does not exist. Correct the value.")
	var steps []resource.TestStep
	for _, bad := range []string{"31/12/2026", "2026-02-30", "2026-12-31 17:00", "2026-12-31T17:00:00", "tomorrow"} {
		steps = append(steps, resource.TestStep{
			Config: guestConfig(env, email, fmt.Sprintf("expires_on = %q", bad)), PlanOnly: true, ExpectError: want,
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(), Steps: steps})
}

// account_enabled = true beside expires_on is refused: it would keep the
// guest enabled after the date.
func TestAccGuestUser_expiresOnConflictsWithEnabled(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, withLifecyclePermissions())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      guestConfig(env, env.Email(t, t.Name()), "expires_on = \"2026-07-01\"\naccount_enabled = true"),
			PlanOnly:    true,
			ExpectError: errorRE("Conflicting Account Settings", "expires_on manages account_enabled"),
		}},
	})
}

// Without User-LifeCycleInfo.ReadWrite.All the guest is created and saved
// (with a warning, never tainted), and writing the date names the permission.
func TestAccPermissions_ExpiresOnNeedsLifeCycleInfoReadWriteAll(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithPermissions(emulator.PermUserInviteAll, emulator.PermUserReadWriteAll,
		emulator.PermUserLifeCycleInfoReadAll))
	cfg := guestConfig(env, env.Email(t, t.Name()), `expires_on = "2099-01-01"`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: cfg, ExpectNonEmptyPlan: true},
			{Config: cfg, ExpectError: errorRE("Missing Permission For expires_on",
				"Writing expires_on of user", "Grant the app registration the application permission User-LifeCycleInfo.ReadWrite.All (with User.Read.All)")},
		},
	})
}

// Reading the date back needs User-LifeCycleInfo.Read.All: the refresh of a
// guest with expires_on names it (guests without expires_on are not read).
func TestAccPermissions_ExpiresOnReadNeedsLifeCycleInfoRead(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, withLifecyclePermissions())
	srv := env.RequireEmulator(t)
	cfg := guestConfig(env, env.Email(t, t.Name()), `expires_on = "2099-01-01"`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					srv.SetPermissions(env.App().ClientID, []string{emulator.PermUserInviteAll, emulator.PermUserReadWriteAll})
				},
				Config: cfg,
				ExpectError: errorRE("Missing Permission For expires_on", "Reading employeeLeaveDateTime of user",
					"Grant the app registration the application permission User-LifeCycleInfo.Read.All (or User-LifeCycleInfo.ReadWrite.All)"),
			},
			{
				// Back with the permission, so the guest can be destroyed.
				PreConfig: func() {
					srv.SetPermissions(env.App().ClientID, []string{emulator.PermUserInviteAll, emulator.PermUserReadWriteAll,
						emulator.PermUserLifeCycleInfoReadWriteAll})
				},
				Config: cfg,
			},
		},
	})
}

// sponsor_ids travel with the invitation (invitedUserSponsors): no sponsor
// call follows it, and the guest has its sponsors at once.
func TestAccGuestUser_sponsorsAtInvitation(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, withAccessPermissions())
	srv := env.RequireEmulator(t)
	s1, s2 := env.SponsorUser(t, "b2b-acc-inv-sponsor-1"), env.SponsorUser(t, "b2b-acc-inv-sponsor-2")
	email := env.Email(t, t.Name())
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			PreConfig: srv.ResetCounters,
			Config:    guestConfig(env, email, "sponsor_ids = "+hclSet(s1, s2)),
			Check: resource.ComposeTestCheckFunc(
				func(s *terraform.State) error {
					id = s.RootModule().Resources[guestAddr].Primary.ID
					return nil
				},
				func(*terraform.State) error {
					for _, k := range []string{"POST /v1.0/users/{id}/sponsors/$ref", "DELETE /v1.0/users/{id}/sponsors/{sponsorId}/$ref"} {
						if n := srv.Counters()[k]; n != 0 {
							return fmt.Errorf("%d requests %s; the invitation should have set the sponsors", n, k)
						}
					}
					if invs := srv.Invitations(); len(invs) != 1 || !sameIDs(invs[0].Sponsors, []string{s1, s2}) {
						return fmt.Errorf("invitations = %+v; want one carrying sponsors %s and %s", invs, s1, s2)
					}
					return nil
				},
				func(s *terraform.State) error { return expectSponsors(t, env, &id, s1, s2)(s) },
			),
		}},
	})
}

// Adopting an existing guest writes its expires_on too, so the plan after
// the apply is empty; a guest already past its date is adopted disabled.
func TestAccGuestUser_expiryOnAdopt(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, withLifecyclePermissions())
	env.RequireEmulator(t)
	clock := newFakeClock(mustTime("2026-08-01T00:00:00Z"))
	email := env.Email(t, t.Name())
	env.SeedUser(t, emulator.SeedUser{Email: email, DisplayName: "Existing"})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactoriesWithClock(clock.now),
		Steps: []resource.TestStep{{
			Config: guestConfig(env, email, "adopt_existing = true\nexpires_on = \"2026-07-01\""),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(guestAddr, plancheck.ResourceActionCreate),
				accountEnabledPlanned(false),
			}},
			Check: expectDirectory(t, env, false, "2026-07-01T00:00:00Z"),
		}},
	})
}
