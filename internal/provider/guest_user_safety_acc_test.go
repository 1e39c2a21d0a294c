package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

// guid matches an object ID in a diagnostic; Terraform may wrap the
// message, but never inside a GUID.
const guid = `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`

// phrase matches words as Terraform prints them: it wraps long
// diagnostics at any space.
func phrase(words string) string {
	return strings.Join(strings.Fields(regexp.QuoteMeta(words)), `\s+`)
}

// twoGuestsConfig is two b2b_guest_user blocks, "a" and "b", with the
// given addresses and display names; extraB goes into block b.
func twoGuestsConfig(env *acctest.Env, emailA, nameA, emailB, nameB, extraB string) string {
	return env.ProviderConfigWith(`default_redirect_url = "https://myapps.microsoft.com"`) + fmt.Sprintf(`
resource "b2b_guest_user" "a" {
  email        = %q
  display_name = %q
}

resource "b2b_guest_user" "b" {
  email        = %q
  display_name = %q
%s
}
`, emailA, nameA, emailB, nameB, extraB)
}

// usersWithAddress lists the live users whose mail or otherMails is email.
func usersWithAddress(srv *emulator.Server, email string) []string {
	var ids []string
	for _, u := range srv.Users() {
		match := strings.EqualFold(fmt.Sprint(u["mail"]), email)
		if others, ok := u["otherMails"].([]any); ok {
			for _, o := range others {
				match = match || strings.EqualFold(fmt.Sprint(o), email)
			}
		}
		if match {
			ids = append(ids, fmt.Sprint(u["id"]))
		}
	}
	return ids
}

// patchCount is how many PATCH requests on users reached the emulator.
func patchCount(srv *emulator.Server) int {
	n := 0
	for k, c := range srv.Counters() {
		if strings.HasPrefix(k, "PATCH ") {
			n += c
		}
	}
	return n
}

// expectOneGuestFor checks that exactly one invitation reached Graph and
// exactly one user holds email, the one in the state of whichever block
// won (the other block never reaches the state).
func expectOneGuestFor(srv *emulator.Server, email string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		if c := srv.Counters()["POST /v1.0/invitations"]; c != 1 {
			return fmt.Errorf("POST /invitations reached Graph %d times, want exactly 1", c)
		}
		holders := usersWithAddress(srv, email)
		if len(holders) != 1 {
			return fmt.Errorf("users holding %s: %v, want exactly one", email, holders)
		}
		var inState []string
		for addr, rs := range s.RootModule().Resources {
			if rs.Type == "b2b_guest_user" {
				inState = append(inState, addr+"="+rs.Primary.ID)
			}
		}
		if len(inState) != 1 || !strings.HasSuffix(inState[0], "="+holders[0]) {
			return fmt.Errorf("guests in state: %v, want exactly one, user %s", inState, holders[0])
		}
		return nil
	}
}

// Two blocks with one address in one run: the provider serialises them,
// exactly one invitation reaches Graph, the other block fails with
// "Guest User Already Exists" naming the user, and only one guest is in
// the state. The variant differs in letter case and display name, and
// runs with replication lag, so Graph's $filter cannot see the first
// guest when the second looks the address up: only the provider's memory
// of this run stops the second invitation.
func TestAccGuestUser_sameAddressTwiceInOneRun(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name         string
		lag          time.Duration
		upper        bool
		nameA, nameB string
	}{
		{name: "identical", nameA: "Same Person", nameB: "Same Person"},
		{name: "caseAndDisplayName", lag: 3 * time.Second, upper: true, nameA: "Alice Partner", nameB: "Alice P. (duplicate row)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := acctest.New(t, acctest.WithReplicationLag(tc.lag))
			srv := env.RequireEmulator(t)
			email := env.Email(t, t.Name())
			emailB := email
			if tc.upper {
				emailB = strings.ToUpper(email)
			}
			both := twoGuestsConfig(env, email, tc.nameA, emailB, tc.nameB, "")
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
				Steps: []resource.TestStep{
					{
						Config: both,
						ExpectError: regexp.MustCompile(`(?s)Guest User Already Exists.*` + phrase("already belongs to user") + `\s+` + guid +
							`.*` + phrase("earlier in this same run") + `.*` + phrase("terraform import b2b_guest_user.<resource name>") + `\s+` + guid),
					},
					{
						// The winner is in the state and the loser is not (the
						// follow-up plan would create the loser again).
						RefreshState:       true,
						ExpectNonEmptyPlan: true,
						Check:              expectOneGuestFor(srv, email),
					},
				},
			})
			if c := srv.Counters()["POST /v1.0/invitations"]; c != 1 {
				t.Fatalf("POST /invitations reached Graph %d times over the test, want 1", c)
			}
		})
	}
}

// applyHook serves the provider and, once armed, runs before just before
// the next ApplyResourceChange: after every plan (including the one inside
// terraform apply) and before the provider writes anything.
type applyHook struct {
	tfprotov6.ProviderServer
	armed  *atomic.Bool
	before func()
}

// ApplyResourceChange runs the hook, then the provider's apply.
func (h applyHook) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	if h.armed.CompareAndSwap(true, false) {
		h.before()
	}
	return h.ProviderServer.ApplyResourceChange(ctx, req)
}

func hookedFactories(env *acctest.Env, armed *atomic.Bool, before func()) map[string]func() (tfprotov6.ProviderServer, error) {
	inner := env.ProtoV6ProviderFactories()["b2b"]
	return map[string]func() (tfprotov6.ProviderServer, error){
		"b2b": func() (tfprotov6.ProviderServer, error) {
			s, err := inner()
			if err != nil {
				return nil, err
			}
			return applyHook{ProviderServer: s, armed: armed, before: before}, nil
		},
	}
}

// An email change onto an address another user holds is refused at plan
// time when that user already exists, and at apply time (before any
// write) when it appears between the plan and the apply. Nothing changes:
// no PATCH, no invitation, and the state keeps the old address.
func TestAccGuestUser_emailChangeOntoTakenAddress(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	email := env.Email(t, t.Name()+"-own")
	takenAtPlan := env.Email(t, t.Name()+"-taken")
	takenAtApply := env.Email(t, t.Name()+"-late")
	other := env.SeedUser(t, emulator.SeedUser{Email: takenAtPlan, DisplayName: "Other Guest", UserType: "Guest"})

	// The out-of-band change: the other user gets the address as one of
	// its otherMails after terraform apply planned, before it writes.
	var armed atomic.Bool
	appear := func() {
		if err := srv.PatchUser(other, map[string]any{"otherMails": []any{takenAtApply}}); err != nil {
			t.Errorf("adding %s to user %s: %v", takenAtApply, other, err)
		}
	}
	var id string
	invitations := 0
	unchanged := resource.ComposeAggregateTestCheckFunc(
		func(*terraform.State) error {
			if n := patchCount(srv); n != 0 {
				return fmt.Errorf("%d PATCH requests reached Graph, want none", n)
			}
			if n := srv.Counters()["POST /v1.0/invitations"]; n != invitations {
				return fmt.Errorf("POST /invitations reached Graph %d times, want %d (the create only)", n, invitations)
			}
			return nil
		},
		expectUserProps(srv, &id, map[string]any{"mail": email}),
		resource.TestCheckResourceAttr(guestAddr, "email", email),
	)
	refused := func(addr string) *regexp.Regexp {
		return regexp.MustCompile(`(?s)Email Address Already In Use.*to\s+` + regexp.QuoteMeta(addr) + `\s+was\s+refused.*nothing\s+was\s+changed.*user\s+` +
			regexp.QuoteMeta(other) + `\s+already\s+has\s+it`)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: hookedFactories(env, &armed, appear),
		Steps: []resource.TestStep{
			{
				Config: guestConfig(env, email, ""),
				Check: resource.ComposeAggregateTestCheckFunc(stateID(&id), func(*terraform.State) error {
					invitations = srv.Counters()["POST /v1.0/invitations"]
					return nil
				}),
			},
			{
				// Refused by the plan: the other user already has the address.
				Config:      guestConfig(env, takenAtPlan, ""),
				PlanOnly:    true,
				ExpectError: refused(takenAtPlan),
			},
			{
				// Refused by the apply: the plan saw a free address.
				PreConfig:   func() { armed.Store(true) },
				Config:      guestConfig(env, takenAtApply, ""),
				ExpectError: refused(takenAtApply),
			},
			{
				Config:            guestConfig(env, email, ""),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("email"), knownvalue.StringExact(email))},
				Check:             unchanged,
			},
		},
	})
	if armed.Load() {
		t.Fatal("the out-of-band change never ran: the apply-time refusal was not exercised")
	}
}

// An email change onto the address another block creates in the same run
// is refused. The address's guest replicates slowly, so Graph's $filter
// cannot see it: only the provider's memory of the run can.
func TestAccGuestUser_emailChangeOntoAddressCreatedInSameRun(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithReplicationLag(3*time.Second))
	srv := env.RequireEmulator(t)
	emailA := env.Email(t, t.Name()+"-a")
	emailB := env.Email(t, t.Name()+"-b")
	cfgA := func(aEmail, dependsOn string) string {
		return env.ProviderConfigWith(`default_redirect_url = "https://myapps.microsoft.com"`) + fmt.Sprintf(`
resource "b2b_guest_user" "a" {
  email        = %q
  display_name = "Guest A"
  %s
}
`, aEmail, dependsOn)
	}
	blockB := fmt.Sprintf(`
resource "b2b_guest_user" "b" {
  email        = %q
  display_name = "Guest B"
}
`, emailB)
	// depends_on orders a's change after b's create, so b has invited
	// (and claimed the address) when a tries to move onto it.
	both := cfgA(emailB, "depends_on = [b2b_guest_user.b]") + blockB
	var idA string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: cfgA(emailA, ""),
				Check: func(s *terraform.State) error {
					idA = s.RootModule().Resources["b2b_guest_user.a"].Primary.ID
					return nil
				},
			},
			{
				Config: both,
				ExpectError: regexp.MustCompile(`(?s)Email Address Already In Use.*` + regexp.QuoteMeta(emailB) +
					`\s+was\s+refused.*another\s+b2b_guest_user\s+resource\s+gave\s+it\s+to\s+user\s+` + guid + `\s+earlier\s+in\s+this\s+same\s+run`),
			},
			{
				// The refused change is not in the state: a back at its old
				// address and b as created plan nothing.
				Config:           cfgA(emailA, "") + blockB,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: func(s *terraform.State) error {
					holders := usersWithAddress(srv, emailB)
					if len(holders) != 1 || strings.EqualFold(holders[0], idA) {
						return fmt.Errorf("users holding %s: %v, want only b's new guest (not a, %s)", emailB, holders, idA)
					}
					if got := s.RootModule().Resources["b2b_guest_user.a"].Primary.Attributes["email"]; got != emailA {
						return fmt.Errorf("a's email in state = %q, want %q", got, emailA)
					}
					if n := patchCount(srv); n != 0 {
						return fmt.Errorf("%d PATCH requests reached Graph, want none", n)
					}
					if c := srv.Counters()["POST /v1.0/invitations"]; c != 2 {
						return fmt.Errorf("POST /invitations reached Graph %d times, want 2 (a and b, no re-invitation of a)", c)
					}
					return nil
				},
			},
		},
	})
}

// Internal accounts are never taken over: importing an internal member
// (by object ID, by email) and adopting it are refused with an error that
// says so, and nothing is sent to it.
func TestAccGuestUser_internalAccountRefused(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	email := env.Email(t, t.Name())
	// A cloud member: no invitation, no externalUserState, UPN in the
	// tenant's own domain.
	id := env.SeedUser(t, emulator.SeedUser{Email: email, DisplayName: "Employee", UserType: "Member"})
	internal := func(lead string) *regexp.Regexp {
		return regexp.MustCompile(`(?s)User Is An Internal Account.*` + lead + `.*` + regexp.QuoteMeta(id) +
			`.*is\s+an\s+internal\s+account\s+of\s+the\s+tenant,\s+not\s+a\s+B2B\s+guest.*invite-internal-users`)
	}
	nothingSent := func(*terraform.State) error {
		if n := patchCount(srv); n != 0 {
			return fmt.Errorf("%d PATCH requests reached Graph, want none", n)
		}
		if n := srv.Counters()["POST /v1.0/invitations"]; n != 0 {
			return fmt.Errorf("POST /invitations reached Graph %d times, want none", n)
		}
		if got := userProp(t, srv, id, "userType"); got != "Member" {
			return fmt.Errorf("the employee's userType is %v now", got)
		}
		return nil
	}
	cfg := guestConfig(env, email, `user_type = "Member"`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{ResourceName: guestAddr, Config: cfg, ImportState: true, ImportStateId: id, ExpectError: internal(`Importing\s+user`)},
			{ResourceName: guestAddr, Config: cfg, ImportState: true, ImportStateId: strings.ToUpper(email), ExpectError: internal(`Importing\s+user`)},
			{Config: guestConfig(env, email, "adopt_existing = true"), ExpectError: internal(`adopting\s+or\s+importing\s+it\s+is\s+refused`)},
			{Config: guestConfig(env, email, ""), ExpectError: internal(`no\s+invitation\s+was\s+sent`)},
			{Config: env.ProviderConfig(), Check: nothingSent},
		},
	})
}

// Terraform 1.12+: an import block by identity is refused the same way.
func TestAccGuestUser_internalAccountRefusedByIdentity(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	email := env.Email(t, t.Name())
	id := env.SeedUser(t, emulator.SeedUser{Email: email, DisplayName: "Employee", UserType: "Member"})
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: guestConfig(env, email, `user_type = "Member"`) + fmt.Sprintf(`
import {
  to       = b2b_guest_user.test
  identity = { object_id = %q }
}
`, id),
			ExpectError: regexp.MustCompile(`(?s)User Is An Internal Account.*Importing\s+user\s+` + regexp.QuoteMeta(id) + `\s+was\s+refused`),
		}},
	})
}

// A B2B guest later converted to Member (userType Member, still invited)
// stays manageable: it imports by ID and by email and plans clean.
func TestAccGuestUser_convertedGuestImports(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	email := env.Email(t, t.Name())
	id := env.SeedUser(t, emulator.SeedUser{Email: email, DisplayName: "Converted Partner", UserType: "Guest"})
	env.Redeem(t, id)
	if err := srv.PatchUser(id, map[string]any{"userType": "Member"}); err != nil {
		t.Fatal(err)
	}
	cfg := importConfig(env, email, `  user_type = "Member"`, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{ResourceName: guestAddr, Config: cfg, ImportState: true, ImportStateId: strings.ToUpper(email), ImportStateCheck: func(s []*terraform.InstanceState) error {
				if len(s) != 1 || s[0].ID != id {
					return fmt.Errorf("imported %d instances, want user %s", len(s), id)
				}
				return nil
			}},
			{ResourceName: guestAddr, Config: cfg, ImportState: true, ImportStateId: id, ImportStatePersist: true},
			{
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("user_type"), knownvalue.StringExact("Member")),
					statecheck.ExpectKnownValue(guestAddr, tfjsonpath.New("creation_type"), knownvalue.StringExact("Invitation")),
				},
			},
		},
	})
}
