package provider_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
)

// TestAccProvider_RefusedSecretFailsOnce: guests are in state and the
// secret has been replaced by one the identity platform refuses (a rotated
// key not yet updated in the pipeline). The plan stops with one error at
// the provider, not one per guest, after one token request, and reads
// nothing from Graph. The CLI is run directly to count the errors, which
// a terraform-plugin-testing step can only match.
func TestAccProvider_RefusedSecretFailsOnce(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	const guests = 4
	block := env.ProviderBlock(fmt.Sprintf("tenant_id = %q\nclient_id = %q\nclient_secret = var.client_secret",
		srv.TenantID(), env.App().ClientID))
	cli := newTFCLI(t, "1.5.0")
	cli.write("main.tf", requiredProviders+"variable \"client_secret\" {\n  type      = string\n  sensitive = true\n}\n"+
		guestsConfig(env, t, block, guests))
	good := "-var=client_secret=" + env.App().Secret
	const wrong = "not-the-current-secret"
	cli.must("init", "-input=false", "-no-color")
	cli.must("apply", "-input=false", "-no-color", "-auto-approve", good)
	t.Cleanup(func() { cli.must("destroy", "-input=false", "-no-color", "-auto-approve", good) })

	before := srv.Counters()
	out, code, stderr := cli.run("plan", "-input=false", "-no-color", "-var=client_secret="+wrong)
	after := srv.Counters()
	if code != 1 {
		t.Fatalf("terraform plan exited %d, want 1\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	if n := strings.Count(stderr, "Error:"); n != 1 {
		t.Errorf("%d errors for %d guests, want 1 (the provider's sign-in):\n%s", n, guests, stderr)
	}
	all := strings.Join(strings.Fields(stderr), " ")
	for _, want := range []string{
		"Error: Unable To Sign In To Microsoft Entra ID",
		"while configuring the provider, before any guest was read or changed",
		"AADSTS7000215",
		"Check client_secret",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the plan's error lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(all, "Correlation ID") {
		t.Errorf("the error repeats the trace lines of the identity platform's description:\n%s", stderr)
	}
	if strings.Contains(out+stderr, wrong) {
		t.Errorf("the plan's output shows the secret:\n%s\n%s", out, stderr)
	}
	if n := after[tokenEndpointKey] - before[tokenEndpointKey]; n != 1 {
		t.Errorf("%d token requests for the plan, want 1", n)
	}
	for k, n := range after {
		if strings.Contains(k, "/v1.0/") && n != before[k] {
			t.Errorf("the plan called Graph (%s: %d more) with no token", k, n-before[k])
		}
	}
}
