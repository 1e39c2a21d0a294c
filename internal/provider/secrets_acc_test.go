package provider_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

// guestPerms is what a full create/plan/destroy of a guest needs.
var guestPerms = []string{emulator.PermUserInviteAll, emulator.PermUserReadWriteAll}

// jwtRE matches any JWT (header.payload.signature, each base64url), so a
// token the test does not know by value (an intermediate one) still fails.
var jwtRE = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}`)

// TestAccSecrets_NeverInLogsOrState runs apply, plan and destroy of a guest
// with TRACE logging for Terraform and the provider under each credential
// type, then searches every log line and the state for the secrets.
func TestAccSecrets_NeverInLogsOrState(t *testing.T) {
	// Environment variables are per process: no t.Parallel here.
	logDir := t.TempDir()
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_LOG_PROVIDER", "TRACE")
	// terraform-exec passes TF_LOG to the CLI only through TF_ACC_LOG or
	// TF_LOG_CORE; without it Terraform core would not log at all.
	t.Setenv("TF_LOG_CORE", "TRACE")
	// TF_LOG_PATH_MASK gives each subtest its own file, written both by the
	// Terraform CLI and by the in-process provider's tflog test sink.
	t.Setenv("TF_LOG_PATH_MASK", filepath.Join(logDir, "%s.log"))

	for _, m := range []struct {
		name  string
		setup secretsSetup
	}{
		{"client secret", clientSecretSetup},
		{"certificate with password", certificateSetup},
		{"oidc token", oidcTokenSetup},
	} {
		t.Run(m.name, func(t *testing.T) {
			env := acctest.New(t)
			srv := env.RequireEmulator(t)
			block, secrets := m.setup(t, env)
			email := env.Email(t, t.Name())
			config := block + guestResource(email, `  display_name = "Secret Keeper"
  redirect_url = "https://myapps.microsoft.com"
  job_title    = "Auditor"`)
			states, redeemURL := applyAndReplanCapturingState(t, env, config)

			if redeemURL == "" {
				t.Fatal("the state held no redeem_url: the test could not check that it stays out of the logs")
			}
			tokens := srv.IssuedTokens()
			if len(tokens) == 0 {
				t.Fatal("the emulator issued no access token: the provider never authenticated")
			}
			raw, logText := readTraceLog(t)
			if secret, ok := secrets["client secret"]; ok && !strings.Contains(raw, secret) {
				// terraform-plugin-testing echoes each step's HCL, secret
				// included, in its own entries: finding it there proves the
				// search below would see a leaked secret in this log.
				t.Error("the raw log lacks the client secret even in the test framework's echo of the configuration: the search is blind")
			}
			checkSecretsAbsent(t, logText, states, forbiddenValues(redeemURL, secrets, tokens))
			if jwt := jwtRE.FindString(logText); jwt != "" {
				t.Errorf("the TRACE log contains a JWT in: %s", leakContext(logText, jwt))
			}
		})
	}
}

// secretsSetup prepares one credential type: it returns the provider block
// that signs in with it and the secrets (by description) that block
// carries, which must appear in no log line and no state.
type secretsSetup func(t *testing.T, env *acctest.Env) (block string, secrets map[string]string)

func clientSecretSetup(_ *testing.T, env *acctest.Env) (string, map[string]string) {
	return env.ProviderConfig(),
		map[string]string{"client secret": env.App().Secret}
}

func certificateSetup(t *testing.T, env *acctest.Env) (string, map[string]string) {
	srv := env.Emulator()
	cert, key, certPEM, keyPEM := testCertificate(t)
	app := emulator.App{ClientID: acctest.NewGUID(), CertPEM: certPEM, Permissions: guestPerms}
	srv.AddApp(app)
	const password = "pfx-Pa55word-never-logged"
	pfx, err := pkcs12.Modern.Encode(key, cert, nil, password)
	if err != nil {
		t.Fatal(err)
	}
	pfxB64 := base64.StdEncoding.EncodeToString(pfx)
	keyLines := strings.Split(strings.TrimSpace(string(keyPEM)), "\n")
	return env.ProviderBlock(fmt.Sprintf("tenant_id = %q\nclient_id = %q\nclient_certificate = %q\nclient_certificate_password = %q",
			srv.TenantID(), app.ClientID, pfxB64, password)), map[string]string{
			"certificate password": password,
			"certificate (base64)": pfxB64[len(pfxB64)/2 : len(pfxB64)/2+40],
			// A line from the middle of the private key, in case
			// the provider ever logged the decoded key.
			"private key": keyLines[len(keyLines)/2],
		}
}

func oidcTokenSetup(t *testing.T, env *acctest.Env) (string, map[string]string) {
	srv := env.Emulator()
	subject := "repo:entra-b2b/terraform-provider-b2b:ref:refs/heads/main"
	app := emulator.App{ClientID: acctest.NewGUID(), FederatedSubject: subject, Permissions: guestPerms}
	srv.AddApp(app)
	token, err := srv.IssueFederatedToken(subject, "")
	if err != nil {
		t.Fatal(err)
	}
	// From the environment, as a CI job passes it.
	t.Setenv("ARM_OIDC_TOKEN", token)
	return env.ProviderBlock(fmt.Sprintf("use_oidc = true\ntenant_id = %q\nclient_id = %q", srv.TenantID(), app.ClientID)),
		map[string]string{"OIDC token": token}
}

// applyAndReplanCapturingState applies config, then plans it again
// expecting no change, and returns the state after each step (as JSON) and
// the guest's redeem_url.
func applyAndReplanCapturingState(t *testing.T, env *acctest.Env, config string) (states []string, redeemURL string) {
	t.Helper()
	captureState := func(s *terraform.State) error {
		raw, err := json.Marshal(s)
		if err != nil {
			return err
		}
		states = append(states, string(raw))
		if rs, ok := s.RootModule().Resources[guestAddr]; ok {
			if u := rs.Primary.Attributes["redeem_url"]; u != "" {
				redeemURL = u
			}
		}
		return nil
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: config, Check: captureState},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            captureState,
			},
		},
	})
	return states, redeemURL
}

// readTraceLog reads this test's TRACE log (TF_LOG_PATH_MASK), raw and
// without the test framework's own entries, and checks that it really
// holds both Terraform's lines and the in-process provider's tflog lines:
// the search for secrets only means something if they are there.
func readTraceLog(t *testing.T) (raw, logText string) {
	t.Helper()
	logPath := filepath.Join(filepath.Dir(os.Getenv("TF_LOG_PATH_MASK")), strings.ReplaceAll(t.Name(), "/", "__")+".log")
	b, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("reading the TRACE log: %v", err)
	}
	raw = string(b)
	logText = withoutTestFrameworkEntries(raw)
	for _, want := range []string{
		string(acctest.DetectedCLI(t).Name) + " version:", // CLI core ("Terraform version:" or "OpenTofu version:")
		"[INFO]  b2b: invited guest user",                 // the resource, through tflog
		"b2b: graph: access token acquired",               // the graph layer through tflogLogger
		"b2b: graph: request",                             // every Graph call
		"sdk.proto: Received request",                     // terraform-plugin-go at TRACE
		"sdk.framework:",                                  // the framework at TRACE
	} {
		if !strings.Contains(logText, want) {
			t.Errorf("the log (%d bytes) lacks %q: TRACE logging is not captured, so a leak would go unnoticed", len(raw), want)
		}
	}
	return raw, logText
}

// forbiddenValues are the values no log line may hold, by description:
// the redeem URL, the credential's secrets, and every access token issued,
// whole and by its signature alone (which identifies a token).
func forbiddenValues(redeemURL string, secrets map[string]string, tokens []string) map[string]string {
	forbidden := map[string]string{"redeem URL": redeemURL}
	for k, v := range secrets {
		forbidden[k] = v
	}
	for i, tok := range tokens {
		forbidden[fmt.Sprintf("access token %d", i+1)] = tok
		forbidden[fmt.Sprintf("access token %d signature", i+1)] = tok[strings.LastIndex(tok, ".")+1:]
	}
	return forbidden
}

// checkSecretsAbsent: no forbidden value is in the log, and none but the
// redeem URL (allowed in state, as the sensitive redeem_url) is in a state.
func checkSecretsAbsent(t *testing.T, logText string, states []string, forbidden map[string]string) {
	t.Helper()
	for what, secret := range forbidden {
		if secret == "" {
			t.Fatalf("%s is empty: nothing to search for", what)
		}
		if n := strings.Count(logText, secret); n > 0 {
			t.Errorf("the TRACE log contains the %s %d times, first in: %s", what, n, leakContext(logText, secret))
		}
		if what == "redeem URL" {
			continue // allowed in state, as the sensitive redeem_url
		}
		for _, st := range states {
			if strings.Contains(st, secret) {
				t.Errorf("the state contains the %s", what)
			}
		}
	}
}

// TestAccSecrets_PlainHTTPEndpointRefusedAtPlan: tokens and Graph calls
// must only travel over TLS, so an http endpoint on a remote host is an
// error before anything is created or any token requested.
func TestAccSecrets_PlainHTTPEndpointRefusedAtPlan(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	cred := fmt.Sprintf("  tenant_id = %q\n  client_id = %q\n  client_secret = %q\n", srv.TenantID(), env.App().ClientID, env.App().Secret)
	guest := guestResource("plain.http@partner.example", `  redirect_url = "https://myapps.microsoft.com"`)
	before := srv.Counters()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:      "provider \"b2b\" {\n  graph_endpoint = \"http://graph.partner.example\"\n  authority_host = " + fmt.Sprintf("%q", srv.AuthorityHost()) + "\n" + cred + "}\n" + guest,
				PlanOnly:    true,
				ExpectError: errorRE("graph_endpoint:", `does not use https: only https is accepted`),
			},
			{
				Config:      "provider \"b2b\" {\n  graph_endpoint = " + fmt.Sprintf("%q", srv.GraphEndpoint()) + "\n  authority_host = \"http://login.partner.example/\"\n" + cred + "}\n" + guest,
				PlanOnly:    true,
				ExpectError: errorRE("authority_host:", `does not use https: only https is accepted`),
			},
		},
	})
	after := srv.Counters()
	for k, v := range after {
		if strings.Contains(k, "token") && v != before[k] {
			t.Errorf("a token was requested (%s) although the endpoint was refused", k)
		}
	}
}

// logEntryStart matches the first line of an hclog entry; continuation
// lines (multi-line messages) do not start with a timestamp.
var logEntryStart = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d`)

// withoutTestFrameworkEntries drops the entries terraform-plugin-testing
// writes about itself (it logs each step's HCL, secrets included, which no
// real Terraform run does) and keeps everything Terraform and the provider
// wrote.
func withoutTestFrameworkEntries(log string) string {
	var b strings.Builder
	skip := false
	for _, line := range strings.SplitAfter(log, "\n") {
		if logEntryStart.MatchString(line) {
			skip = strings.Contains(line, " sdk.helper_resource: ")
		}
		if !skip {
			b.WriteString(line)
		}
	}
	return b.String()
}

// leakContext shows the log text around the first occurrence of secret,
// with the secret itself masked, so a failure says which line leaked.
func leakContext(text, secret string) string {
	i := strings.Index(text, secret)
	start, end := max(0, i-300), min(len(text), i+len(secret)+100)
	return strings.ReplaceAll(text[start:end], secret, "<SECRET>")
}
