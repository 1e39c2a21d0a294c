package provider_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

// Bad inputs the other catalogues (TestAccProvider_BadInputs,
// TestAccGuestUser_badInputs, TestAccGuestUsersDataSource_BadInputs) do
// not cover; RELIABILITY.md lists the whole catalogue.

// TestAccBadInputs_ExpiredCertificate: Entra ID refuses an expired
// certificate (AADSTS700027), so the provider refuses it at plan time,
// naming the date, before any token request.
func TestAccBadInputs_ExpiredCertificate(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	expired := time.Now().Add(-48 * time.Hour).UTC().Truncate(time.Second)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "b2b-expired"},
		NotBefore: expired.Add(-365 * 24 * time.Hour), NotAfter: expired,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	app := emulator.App{ClientID: acctest.NewGUID(), CertPEM: certPEM, Permissions: []string{emulator.PermUserReadAll}}
	srv.AddApp(app)
	block := env.ProviderBlock(fmt.Sprintf("tenant_id = %q\nclient_id = %q\nclient_certificate = %q",
		srv.TenantID(), app.ClientID, string(certPEM)+string(keyPEM)))
	before := srv.Counters()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      block + dataSourceByID(acctest.NewGUID()),
			ExpectError: errorRE("Unable To Create Microsoft Graph Client", `the client certificate "b2b-expired" expired on`, expired.Format(time.RFC3339), "upload a new certificate"),
		}},
	})
	for k, v := range srv.Counters() {
		if v != before[k] {
			t.Errorf("the expired certificate still reached the emulator: %s went from %d to %d", k, before[k], v)
		}
	}
}

// TestAccBadInputs_GuestUserMore: invalid values found by the fuzz tests
// and URL forms the resource catalogue does not list.
// sixGUIDs is one more sponsor than Entra allows.
const sixGUIDs = `"00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002", "00000000-0000-0000-0000-000000000003", ` +
	`"00000000-0000-0000-0000-000000000004", "00000000-0000-0000-0000-000000000005", "00000000-0000-0000-0000-000000000006"`

func TestAccBadInputs_GuestUserMore(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	cases := []struct {
		name, email, body string
		want              []string
	}{
		{"email with a no-break space", `ada\u00a0lovelace@partner.example`, "",
			[]string{"Invalid Email Address", "is not an email address Microsoft Graph accepts: it contains whitespace", "Accepted: local-part@domain.tld"}},
		{"email with a trailing space, as from a CSV cell", "ada@partner.example ", "",
			[]string{"Invalid Email Address", "it has leading or trailing whitespace (trimspace() removes it, e.g. around a CSV cell)"}},
		{"email with a vertical tab", `ada\u000blovelace@partner.example`, "",
			[]string{"Invalid Email Address", "it contains whitespace"}},
		{"email with a control character", `ada\u0007@partner.example`, "",
			[]string{"Invalid Email Address", "it contains a control character"}},
		// Issue 11 item 8: what Graph refuses mid-apply is refused at plan time.
		{"plus-addressing", "ada+tag@partner.example", "",
			[]string{"Invalid Email Address", "it contains the character '+', which Graph does not permit in an invitation address"}},
		{"internationalised domain", "ada@bücher.example", "",
			[]string{"Invalid Email Address", "the domain contains a non-ASCII character (an internationalised domain)", "punycode form (xn--...)"}},
		{"address of 255 characters", strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 62), "",
			[]string{"Invalid Email Address", "it is longer than the 254 characters an email address can have (RFC 5321)"}},
		{"underscore in the domain", "ada@part_ner.example", "",
			[]string{"Invalid Email Address", "the domain contains an underscore: a host name has only letters, digits and hyphens (RFC 1123)"}},
		{"domain label starting with a hyphen", "ada@-partner.example", "",
			[]string{"Invalid Email Address", "a label of the domain starts with - (RFC 1123)"}},
		{"domain label ending with a hyphen", "ada@partner-.example", "",
			[]string{"Invalid Email Address", "a label of the domain ends with - (RFC 1123)"}},
		{"user name ending with a hyphen", "ada-@partner.example", "",
			[]string{"Invalid Email Address", "the part before @ ends with -"}},
		{"blank display_name", "a@partner.example", `redirect_url = "https://myapps.microsoft.com"` + "\n" + `display_name = "   "`,
			[]string{"Invalid Attribute Value", "display_name", "the value is blank (only whitespace), and Graph refuses a blank display name"}},
		{"display_name of 257 characters", "a@partner.example", `redirect_url = "https://myapps.microsoft.com"` + "\n" + `display_name = "` + strings.Repeat("ü", 257) + `"`,
			[]string{"Invalid Attribute Value Length", "Attribute display_name length must be between 1 and 256 characters as Microsoft Graph counts them", "got: 257"}},
		// Graph counts UTF-16 code units: 129 emoji are 129 runes, within 256,
		// but 258 code units, over it.
		{"display_name of 129 emoji", "a@partner.example", `redirect_url = "https://myapps.microsoft.com"` + "\n" + `display_name = "` + strings.Repeat("😀", 129) + `"`,
			[]string{"Invalid Attribute Value Length", "Attribute display_name length must be between 1 and 256 characters as Microsoft Graph counts them",
				"(UTF-16 code units: an emoji or other character outside the Basic Multilingual Plane counts as 2), got: 258"}},
		{"business_phones element of 33 emoji", "a@partner.example", `redirect_url = "https://myapps.microsoft.com"` + "\n" + `business_phones = ["` + strings.Repeat("😀", 33) + `"]`,
			[]string{"Invalid Attribute Value Length", "business_phones", "length must be between 1 and 64 characters as Microsoft Graph counts them", "got: 66"}},
		{"redirect_url with credentials", "a@partner.example", `redirect_url = "https://user:pw@apps.partner.example"`,
			[]string{"Invalid URL", "redirect_url", "it contains user information before the host", "Accepted: an absolute https:// URL"}},
		{"redirect_url with a trailing space", "a@partner.example", `redirect_url = "https://myapps.microsoft.com "`,
			[]string{"Invalid URL", "redirect_url", "it has leading or trailing whitespace"}},
		{"redirect_url without a host", "a@partner.example", `redirect_url = "https:///welcome"`,
			[]string{"Invalid URL", "redirect_url", "it has no host"}},
		{"group_ids with a group name", "a@partner.example", `redirect_url = "https://myapps.microsoft.com"` + "\n" + `group_ids = ["Partners"]`,
			[]string{"Invalid Attribute Value", `the value is not a GUID: expected the object ID of a group in the form 00000000-0000-0000-0000-000000000000`}},
		{"sponsor_ids with an email address", "a@partner.example", `redirect_url = "https://myapps.microsoft.com"` + "\n" + `sponsor_ids = ["bob@contoso.com"]`,
			[]string{"Invalid Attribute Value", `the value is not a GUID: expected the object ID of a user or group`}},
		{"six sponsors", "a@partner.example", `redirect_url = "https://myapps.microsoft.com"` + "\n" + `sponsor_ids = [` + sixGUIDs + `]`,
			[]string{"sponsor_ids", "set must contain at most 5 elements, got: 6"}},
		{"group listed twice in different case", "a@partner.example", `redirect_url = "https://myapps.microsoft.com"` + "\n" +
			`group_ids = ["aaaaaaaa-0000-0000-0000-00000000000a", "AAAAAAAA-0000-0000-0000-00000000000A"]`,
			[]string{"Duplicate Object ID", "group_ids lists the same object twice, in different case", "list each once"}},
	}
	var steps []resource.TestStep
	for _, c := range cases {
		body := c.body
		if body == "" {
			body = `redirect_url = "https://myapps.microsoft.com"`
		}
		steps = append(steps, resource.TestStep{
			Config: env.ProviderConfig() + fmt.Sprintf(`
resource "b2b_guest_user" "test" {
  email = "%s"
  %s
}
`, c.email, body),
			PlanOnly:    true,
			ExpectError: errorRE(c.want...),
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(), Steps: steps})
}

// TestAccBadInputs_SensitiveValueNeverEchoed: an invalid value that comes
// from a sensitive variable fails the plan with the exact diagnostic, and
// the value appears nowhere in Terraform's output. A provider cannot see
// the variable's sensitivity (Terraform strips the mark before validation),
// so no validator quotes the value it checks.
func TestAccBadInputs_SensitiveValueNeverEchoed(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	const secretLocal = "zq7secretperson"
	cases := []struct {
		name, value, attr string
		want              []string
	}{
		{"email", secretLocal + "+tag@partner.example", "email",
			[]string{"Invalid Email Address", "The value of email is not an email address Microsoft Graph accepts", "it contains the character '+'"}},
		{"other_mails", secretLocal + "@part_ner.example", "other_mails",
			[]string{"Invalid Email Address", "other_mails", "the domain contains an underscore"}},
		{"redirect_url", "http://" + secretLocal + ".example/cb", "redirect_url",
			[]string{"Invalid URL", "The value of redirect_url is not an acceptable URL", "http is only allowed for a loopback host, and this host is not one"}},
		{"sponsor_ids", secretLocal, "sponsor_ids",
			[]string{"Invalid Attribute Value", "sponsor_ids", "the value is not a GUID"}},
		// 15 + 2×57 = 129 UTF-16 code units (72 runes), over jobTitle's 128.
		{"job_title", secretLocal + strings.Repeat("😀", 57), "job_title",
			[]string{"Invalid Attribute Value Length", "Attribute job_title length must be between 1 and 128 characters as Microsoft Graph counts them", "got: 129"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var attr string
			switch c.attr {
			case "email":
				attr = "email = var.secret\n  redirect_url = \"https://myapps.microsoft.com\""
			case "redirect_url":
				attr = "email = \"ada@partner.example\"\n  redirect_url = var.secret"
			case "job_title":
				attr = "email = \"ada@partner.example\"\n  redirect_url = \"https://myapps.microsoft.com\"\n  job_title = var.secret"
			default:
				attr = "email = \"ada@partner.example\"\n  redirect_url = \"https://myapps.microsoft.com\"\n  " + c.attr + " = [var.secret]"
			}
			config := env.ProviderConfig() + fmt.Sprintf(`
variable "secret" {
  type      = string
  sensitive = true
  default   = %q
}

resource "b2b_guest_user" "test" {
  %s
}
`, c.value, attr)
			want := errorRE(c.want...)
			checked := false
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
				// ErrorCheck sees Terraform's whole output, which ExpectError
				// can only match, not search for an absence.
				ErrorCheck: func(err error) error {
					checked = true
					out := err.Error()
					if !want.MatchString(out) {
						return fmt.Errorf("the diagnostic does not match %s: %w", want, err)
					}
					if strings.Contains(out, secretLocal) {
						return fmt.Errorf("the sensitive value %q appears in Terraform's output: %w", secretLocal, err)
					}
					return nil
				},
				Steps: []resource.TestStep{{Config: config, PlanOnly: true}},
			})
			if !checked {
				t.Fatal("the plan succeeded; want it refused")
			}
		})
	}
}

// TestAccBadInputs_LengthsCountCharacters: Graph's limits are in
// characters, so a 31-character Japanese company name (93 bytes of UTF-8)
// and a 256-character display name of "ü" (512 bytes) are applied, read
// back unchanged and plan nothing afterwards. Graph counts UTF-16 code
// units, so a job title of 64 emoji is exactly jobTitle's 128 and passes
// too (one more fails the plan: TestAccBadInputs_GuestUserMore).
func TestAccBadInputs_LengthsCountCharacters(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	email := env.Email(t, "chars")
	company := strings.Repeat("株式会社日本", 5) + "商" // 31 characters
	display := strings.Repeat("ü", 256)
	if n := len([]rune(company)); n != 31 || len(company) <= 64 {
		t.Fatalf("company name has %d characters and %d bytes; want 31 characters over 64 bytes", n, len(company))
	}
	jobTitle := strings.Repeat("😀", 64)
	config := guestConfig(env, email, fmt.Sprintf("display_name = %q\n  company_name = %q\n  job_title = %q", display, company, jobTitle))
	addr := "b2b_guest_user.test"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("display_name"), knownvalue.StringExact(display)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("company_name"), knownvalue.StringExact(company)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("job_title"), knownvalue.StringExact(jobTitle)),
				},
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}
