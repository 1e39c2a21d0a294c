package provider_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

func dataSourceByEmail(email string) string {
	return fmt.Sprintf("data \"b2b_guest_user\" \"test\" {\n  email = %q\n}\n", email)
}

// userString returns a string property of an emulator user, failing the
// test when the emulator holds something else there.
func userString(t *testing.T, u map[string]any, prop string) string {
	t.Helper()
	s, ok := u[prop].(string)
	if !ok {
		t.Fatalf("emulator user: %s is %#v, not a string", prop, u[prop])
	}
	return s
}

// expectUser checks every exported attribute against the emulator's copy
// of the user, so the test follows whatever the emulator holds.
func expectUser(t *testing.T, srv *emulator.Server, id string) []statecheck.StateCheck {
	t.Helper()
	u, ok := srv.User(id)
	if !ok {
		t.Fatalf("user %s not in the emulator", id)
	}
	str := func(attr, prop string) statecheck.StateCheck {
		v, _ := u[prop].(string)
		var want knownvalue.Check = knownvalue.Null()
		if v != "" {
			want = knownvalue.StringExact(v)
		}
		return statecheck.ExpectKnownValue("data.b2b_guest_user.test", tfjsonpath.New(attr), want)
	}
	list := func(attr, prop string) statecheck.StateCheck {
		raw, _ := u[prop].([]any)
		checks := make([]knownvalue.Check, len(raw))
		for i, v := range raw {
			s, ok := v.(string)
			if !ok {
				t.Fatalf("emulator user %s: %s[%d] is a %T, not a string", id, prop, i, v)
			}
			checks[i] = knownvalue.StringExact(s)
		}
		return statecheck.ExpectKnownValue("data.b2b_guest_user.test", tfjsonpath.New(attr), knownvalue.ListExact(checks))
	}
	enabled, _ := u["accountEnabled"].(bool)
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue("data.b2b_guest_user.test", tfjsonpath.New("id"), knownvalue.StringExact(id)),
		statecheck.ExpectKnownValue("data.b2b_guest_user.test", tfjsonpath.New("object_id"), knownvalue.StringExact(id)),
		str("display_name", "displayName"),
		str("user_principal_name", "userPrincipalName"),
		str("mail", "mail"),
		str("user_type", "userType"),
		str("invitation_state", "externalUserState"),
		str("creation_type", "creationType"),
		str("given_name", "givenName"),
		str("surname", "surname"),
		str("job_title", "jobTitle"),
		str("department", "department"),
		str("company_name", "companyName"),
		str("usage_location", "usageLocation"),
		str("employee_id", "employeeId"),
		str("city", "city"),
		list("other_mails", "otherMails"),
		list("business_phones", "businessPhones"),
		statecheck.ExpectKnownValue("data.b2b_guest_user.test", tfjsonpath.New("account_enabled"), knownvalue.Bool(enabled)),
		statecheck.ExpectKnownValue("data.b2b_guest_user.test", tfjsonpath.New("created_at"),
			knownvalue.StringRegexp(rfc3339RE)),
		statecheck.ExpectKnownValue("data.b2b_guest_user.test", tfjsonpath.New("invitation_state_changed_at"),
			knownvalue.StringRegexp(rfc3339RE)),
	}
}

var rfc3339RE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$`)

func TestAccGuestUserDataSource_ByObjectID(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	id := env.SeedUser(t, emulator.SeedUser{
		Email:       env.Email(t, "by-id"),
		DisplayName: "Grace Hopper",
		Props: map[string]any{
			"givenName": "Grace", "surname": "Hopper", "jobTitle": "Rear Admiral", "department": "Navy",
			"companyName": "Partner Ltd", "usageLocation": "US", "employeeId": "E-1906", "city": "Arlington",
			"otherMails": []string{"grace@alt.example"}, "businessPhones": []string{"+1 555 0100"},
		},
	})
	redeemed := env.SeedUser(t, emulator.SeedUser{Email: env.Email(t, "redeemed"), ExternalUserState: "Accepted"})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:            env.ProviderConfig() + dataSourceByID(id),
				ConfigStateChecks: expectUser(t, srv, id),
			},
			{
				Config: env.ProviderConfig() + dataSourceByID(redeemed),
				ConfigStateChecks: append(expectUser(t, srv, redeemed),
					statecheck.ExpectKnownValue("data.b2b_guest_user.test", tfjsonpath.New("invitation_state"), knownvalue.StringExact("Accepted"))),
			},
		},
	})
}

func TestAccGuestUserDataSource_ByEmail(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	mail := env.Email(t, "by-mail")
	alt := env.Email(t, "by-other-mail")
	id := env.SeedUser(t, emulator.SeedUser{
		Email: mail, DisplayName: "Katherine Johnson",
		Props: map[string]any{"otherMails": []string{alt}},
	})
	// A second user makes sure the lookup filters rather than taking the first.
	env.SeedUser(t, emulator.SeedUser{Email: env.Email(t, "bystander")})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:            env.ProviderConfig() + dataSourceByEmail(mail),
				ConfigStateChecks: expectUser(t, srv, id),
			},
			{
				// otherMails match, and Graph compares addresses case-insensitively.
				Config: env.ProviderConfig() + dataSourceByEmail(strings.ToUpper(alt)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.b2b_guest_user.test", tfjsonpath.New("id"), knownvalue.StringExact(id)),
					statecheck.ExpectKnownValue("data.b2b_guest_user.test", tfjsonpath.New("mail"), knownvalue.StringExact(mail)),
					statecheck.ExpectKnownValue("data.b2b_guest_user.test", tfjsonpath.New("other_mails"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(alt)})),
				},
			},
		},
	})
}

func TestAccGuestUserDataSource_NotFound(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	missingID := acctest.NewGUID()
	missingMail := env.Email(t, "nobody")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:      env.ProviderConfig() + dataSourceByID(missingID),
				ExpectError: errorRE("User Not Found", fmt.Sprintf("Read the user with object ID %q: the directory has no such user", missingID)),
			},
			{
				Config:      env.ProviderConfig() + dataSourceByEmail(missingMail),
				ExpectError: errorRE("User Not Found", fmt.Sprintf("whose mail or otherMails is %q", missingMail), "no user matched"),
			},
		},
	})
}

// TestAccGuestUserDataSource_AmbiguousEmailListsIDs checks that both IDs
// are named, whatever order Graph returns them in.
func TestAccGuestUserDataSource_AmbiguousEmailListsIDs(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	env.RequireEmulator(t)
	shared := env.Email(t, "shared")
	a := env.SeedUser(t, emulator.SeedUser{Email: env.Email(t, "twin-a"), Props: map[string]any{"otherMails": []string{shared}}})
	b := env.SeedUser(t, emulator.SeedUser{Email: shared})
	for _, id := range []string{a, b} {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
			Steps: []resource.TestStep{{
				Config:      env.ProviderConfig() + dataSourceByEmail(shared),
				ExpectError: errorRE("More Than One User Found", "2 users matched", id, "Look the user up by object_id"),
			}},
		})
	}
}

func TestAccGuestUserDataSource_MissingReadPermission(t *testing.T) {
	t.Parallel()
	// Invite-only: the least privilege an ERP invitation service often has.
	env := acctest.New(t, acctest.WithPermissions(emulator.PermUserInviteAll))
	id := env.SeedUser(t, emulator.SeedUser{Email: env.Email(t, "forbidden")})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: env.ProviderConfig() + dataSourceByID(id),
			ExpectError: errorRE("Error Reading User", fmt.Sprintf("Reading the user with object ID %q failed", id),
				"missing the Microsoft Graph application permission User.Read.All", "admin consent", "Authorization_RequestDenied"),
		}},
	})
}

func TestAccGuestUserDataSource_BadInputs(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	cases := []struct {
		name   string
		config string
		want   string
	}{
		{"neither", "data \"b2b_guest_user\" \"test\" {}\n", `Missing Attribute Configuration.*Exactly[\s│]+one[\s│]+of[\s│]+these[\s│]+attributes[\s│]+must[\s│]+be[\s│]+configured:[\s│]+\[object_id,email\]`},
		{"both", fmt.Sprintf("data \"b2b_guest_user\" \"test\" {\n  object_id = %q\n  email = \"a@example.com\"\n}\n", acctest.NewGUID()),
			`Invalid Attribute Combination.*Exactly[\s│]+one[\s│]+of[\s│]+these[\s│]+attributes[\s│]+must[\s│]+be[\s│]+configured:[\s│]+\[object_id,email\]`},
		{"object_id not a GUID", dataSourceByID("alice"), `object_id:[\s│]+the[\s│]+value[\s│]+is[\s│]+not[\s│]+a[\s│]+GUID`},
		{"email invalid", dataSourceByEmail("alice@@example.com"), `Invalid Email Address.*"alice@@example.com".*it[\s│]+has[\s│]+2[\s│]+@[\s│]+characters`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
				Steps: []resource.TestStep{{
					Config:      env.ProviderConfig() + tc.config,
					ExpectError: regexp.MustCompile(`(?s)` + tc.want),
				}},
			})
		})
	}
}
