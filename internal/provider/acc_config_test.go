package provider_test

// The configuration builders the acceptance tests share: the provider block
// comes from acctest.Env (ProviderConfig, ProviderConfigWith); these add
// the resources.

import (
	"fmt"
	"strings"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
)

// secretProviderBlock is the provider block of an app that signs in with a
// client secret, for the tests that vary the tenant, the app or the secret.
func secretProviderBlock(env *acctest.Env, tenantID, clientID, secret string) string {
	return env.ProviderBlock(fmt.Sprintf("tenant_id = %q\nclient_id = %q\nclient_secret = %q", tenantID, clientID, secret))
}

// guestResource is the b2b_guest_user "test" block (guestAddr) with the
// given email and body lines (written as they go inside the block, indented
// by the caller; "" for none). The configurations built from it manage one
// guest, so the name is fixed and the checks address it as guestAddr.
func guestResource(email, body string) string {
	if body != "" && !strings.HasSuffix(body, "\n") {
		body += "\n"
	}
	return fmt.Sprintf("\nresource \"b2b_guest_user\" \"test\" {\n  email = %q\n%s}\n", email, body)
}

// guestConfig is the provider block plus one b2b_guest_user "test" with
// the given email and extra body lines.
func guestConfig(env *acctest.Env, email, body string) string {
	redirect := `redirect_url = "https://myapps.microsoft.com"`
	if strings.Contains(body, "redirect_url") {
		redirect = ""
	}
	return env.ProviderConfig() + guestResource(email, "  "+redirect+"\n"+body)
}

// importConfig is a configuration with the provider default redirect URL
// (Graph does not store redirect_url, so a resource-level one would be a
// state-only difference) and one b2b_guest_user "test".
func importConfig(env *acctest.Env, email, body, extra string) string {
	return env.ProviderConfigWith(`default_redirect_url = "https://myapps.microsoft.com"`) + guestResource(email, body) + extra
}
