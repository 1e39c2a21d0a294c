package provider_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

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
		{"email with a vertical tab", `ada\u000blovelace@partner.example`, "",
			[]string{"Invalid Email Address", "it contains whitespace"}},
		{"email with a control character", `ada\u0007@partner.example`, "",
			[]string{"Invalid Email Address", "it contains a control character"}},
		{"redirect_url with credentials", "a@partner.example", `redirect_url = "https://user:pw@apps.partner.example"`,
			[]string{"Invalid URL", "redirect_url", "it contains user information before the host", "Accepted: an absolute https:// URL"}},
		{"redirect_url with a trailing space", "a@partner.example", `redirect_url = "https://myapps.microsoft.com "`,
			[]string{"Invalid URL", "redirect_url", "it has leading or trailing whitespace"}},
		{"redirect_url without a host", "a@partner.example", `redirect_url = "https:///welcome"`,
			[]string{"Invalid URL", "redirect_url", "it has no host"}},
		{"group_ids with a group name", "a@partner.example", `redirect_url = "https://myapps.microsoft.com"` + "\n" + `group_ids = ["Partners"]`,
			[]string{"Invalid Attribute Value", `"Partners" is not a GUID: expected the object ID of a group in the form 00000000-0000-0000-0000-000000000000`}},
		{"sponsor_ids with an email address", "a@partner.example", `redirect_url = "https://myapps.microsoft.com"` + "\n" + `sponsor_ids = ["bob@contoso.com"]`,
			[]string{"Invalid Attribute Value", `"bob@contoso.com" is not a GUID: expected the object ID of a user or group`}},
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
