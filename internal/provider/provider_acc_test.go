package provider_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

// TestMain is the single TestMain of the provider's test binary (package
// provider and provider_test): it prepares the emulator CA and Terraform.
func TestMain(m *testing.M) { acctest.Main(m) }

// errorRE matches the parts in order. Terraform wraps diagnostic text and
// frames it with "│", so words may be separated by any run of those.
func errorRE(parts ...string) *regexp.Regexp {
	quoted := make([]string, len(parts))
	for i, p := range parts {
		words := strings.Fields(p)
		for j, w := range words {
			words[j] = regexp.QuoteMeta(w)
		}
		quoted[i] = strings.Join(words, `[\s│]+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(quoted, `.*`))
}

func dataSourceByID(id string) string {
	return fmt.Sprintf("data \"b2b_guest_user\" \"test\" {\n  object_id = %q\n}\n", id)
}

// seedGuest puts a guest with a few profile values into the emulator.
func seedGuest(t *testing.T, env *acctest.Env) string {
	t.Helper()
	return env.SeedUser(t, emulator.SeedUser{
		Email:       env.Email(t, t.Name()),
		DisplayName: "Ada Lovelace",
		Props:       map[string]any{"jobTitle": "Analyst", "companyName": "Partner Ltd"},
	})
}

// readsGuest is the step every successful authentication ends with: the
// data source reads the seeded guest and its values match the emulator's.
func readsGuest(t *testing.T, env *acctest.Env, providerBlock, id string) resource.TestStep {
	t.Helper()
	u, ok := env.Emulator().User(id)
	if !ok {
		t.Fatalf("seeded user %s not in the emulator", id)
	}
	return resource.TestStep{
		Config: providerBlock + dataSourceByID(id),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.b2b_guest_user.test", tfjsonpath.New("id"), knownvalue.StringExact(id)),
			statecheck.ExpectKnownValue("data.b2b_guest_user.test", tfjsonpath.New("display_name"), knownvalue.StringExact(userString(t, u, "displayName"))),
			statecheck.ExpectKnownValue("data.b2b_guest_user.test", tfjsonpath.New("mail"), knownvalue.StringExact(userString(t, u, "mail"))),
			statecheck.ExpectKnownValue("data.b2b_guest_user.test", tfjsonpath.New("job_title"), knownvalue.StringExact("Analyst")),
		},
	}
}

func TestAccProvider_BadInputs(t *testing.T) {
	t.Parallel()
	guid := acctest.NewGUID()
	cases := []struct {
		name string
		body string
		want *regexp.Regexp
	}{
		{"tenant_id neither GUID nor domain", `tenant_id = "contoso"` + "\n" + `use_cli = true`,
			errorRE("Invalid Attribute Value", `tenant_id: the value is neither a GUID`, "nor a domain name of the tenant")},
		{"tenant_id with braces", `tenant_id = "{` + guid + `}"` + "\n" + `use_cli = true`,
			errorRE("tenant_id:", "is neither a GUID", "contoso.onmicrosoft.com")},
		{"client_id not a GUID", `client_id = "my-erp-app"` + "\n" + `use_msi = true`,
			errorRE("client_id:", `the value is not a GUID`, "Application (client) ID of the app registration")},
		{"client_secret empty", `tenant_id = "` + guid + `"` + "\n" + `client_id = "` + guid + `"` + "\n" + `client_secret = ""`,
			errorRE("client_secret:", "must not be empty", "remove the argument to leave it unset")},
		{"environment not in the list", `environment = "germany"` + "\n" + `use_cli = true`,
			errorRE("environment", `value must be one of: ["public" "usgovernment" "china"], got: "germany"`)},
		{"graph_endpoint over http on loopback", `use_cli = true` + "\n" + `graph_endpoint = "http://127.0.0.1:8080"`,
			errorRE("graph_endpoint:", `does not use https: only https is accepted`, "loopback addresses included")},
		{"graph_endpoint not absolute", `use_cli = true` + "\n" + `graph_endpoint = "graph.microsoft.com"`,
			errorRE("graph_endpoint:", `the value is not an absolute URL`, "https://host[:port]")},
		{"graph_endpoint with /v1.0", `use_cli = true` + "\n" + `graph_endpoint = "https://graph.microsoft.com/v1.0"`,
			errorRE("graph_endpoint:", `has a path`, "https://host[:port] only")},
		{"authority_host with a tenant path", `use_cli = true` + "\n" + `authority_host = "https://login.microsoftonline.com/common"`,
			errorRE("authority_host:", `has a path`)},
		{"default_redirect_url over http to a remote host", `use_cli = true` + "\n" + `default_redirect_url = "http://myapps.example.com"`,
			errorRE("default_redirect_url", "http is only allowed for a loopback host", "Accepted: an absolute https:// URL")},
		{"secret and certificate together", `tenant_id = "` + guid + `"` + "\n" + `client_id = "` + guid + `"` + "\n" + `client_secret = "x"` + "\n" + `client_certificate = "QUJD"`,
			errorRE("Conflicting Authentication Methods", "client secret (selected by client_secret), client certificate (selected by client_certificate)", "Keep exactly one")},
		{"use_oidc and use_msi together", `use_oidc = true` + "\n" + `use_msi = true`,
			errorRE("Conflicting Authentication Methods", "(selected by use_oidc)", "managed identity (selected by use_msi)")},
		{"use_cli and client_secret together", `use_cli = true` + "\n" + `client_secret = "x"`,
			errorRE("Conflicting Authentication Methods", "client secret (selected by client_secret), Azure CLI (selected by use_cli)")},
		{"certificate inline and path together", `client_certificate = "QUJD"` + "\n" + `client_certificate_path = "/tmp/app.pfx"`,
			errorRE("Conflicting Certificate Settings", "client_certificate and client_certificate_path are both set")},
		{"oidc_token without use_oidc", `tenant_id = "` + guid + `"` + "\n" + `client_id = "` + guid + `"` + "\n" + `oidc_token = "eyJ"`,
			errorRE("OIDC Token Without use_oidc", "oidc_token is set but use_oidc is not true", "Set use_oidc = true")},
		{"oidc token and token file together", `use_oidc = true` + "\n" + `oidc_token = "eyJ"` + "\n" + `oidc_token_file_path = "/tmp/token"`,
			errorRE("Conflicting OIDC Token Settings", "oidc_token and oidc_token_file_path are both set")},
		{"certificate password with a secret", `tenant_id = "` + guid + `"` + "\n" + `client_id = "` + guid + `"` + "\n" + `client_secret = "x"` + "\n" + `client_certificate_password = "pw"`,
			errorRE("Certificate Password Without Certificate", "client_certificate_password is set but the provider block selects client secret")},
		{"no method at all", `tenant_id = "` + guid + `"`,
			errorRE("No Authentication Method Configured", "Neither the provider block nor the environment", "client secret: tenant_id, client_id and client_secret", "managed identity: use_msi = true")},
		{"app registration named without a credential", `tenant_id = "` + guid + `"` + "\n" + `client_id = "` + guid + `"`,
			errorRE("No Authentication Method Configured", "tenant_id (from provider block) and client_id (from provider block) name an app registration, but no credential for it is set",
				"set client_secret or ARM_CLIENT_SECRET", "secrets are not passed on by themselves", "client secret: tenant_id, client_id and client_secret")},
		{"secret without tenant and client", `client_secret = "x"`,
			errorRE("Incomplete Authentication Settings", "client secret (selected by client_secret)", "tenant_id (or ARM_TENANT_ID / AZURE_TENANT_ID), client_id (or ARM_CLIENT_ID / AZURE_CLIENT_ID)")},
		{"use_oidc without a token", `use_oidc = true` + "\n" + `tenant_id = "` + guid + `"` + "\n" + `client_id = "` + guid + `"`,
			errorRE("Incomplete Authentication Settings", "workload identity federation (OIDC) (selected by use_oidc)", "oidc_token or oidc_token_file_path")},
		{"certificate file missing", `tenant_id = "` + guid + `"` + "\n" + `client_id = "` + guid + `"` + "\n" + `client_certificate_path = "/nonexistent/app.pfx"`,
			errorRE("Unable To Read Client Certificate", "client_certificate_path", "/nonexistent/app.pfx")},
		{"certificate not base64", `tenant_id = "` + guid + `"` + "\n" + `client_id = "` + guid + `"` + "\n" + `client_certificate = "not base64!"`,
			errorRE("Invalid Client Certificate", "neither PEM text", "filebase64")},
	}
	// In tenant mode ARM_* holds real credentials, which would complete these blocks.
	needsEmptyEnv := map[string]bool{"no method at all": true, "secret without tenant and client": true, "app registration named without a credential": true}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := acctest.New(t)
			if needsEmptyEnv[tc.name] {
				env.RequireEmulator(t)
			}
			block := env.ProviderBlock(tc.body)
			if strings.Contains(tc.body, "graph_endpoint") || strings.Contains(tc.body, "authority_host") {
				// The case is about the endpoint itself: no emulator endpoints to clash with.
				block = "provider \"b2b\" {\n" + tc.body + "\n}\n"
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
				Steps: []resource.TestStep{{
					Config:      block + dataSourceByID(guid),
					ExpectError: tc.want,
				}},
			})
		})
	}
}

func TestAccProvider_ClientSecret(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	id := seedGuest(t, env)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps:                    []resource.TestStep{readsGuest(t, env, env.ProviderConfig(), id)},
	})
}

func TestAccProvider_WrongSecret(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	block := secretProviderBlock(env, srv.TenantID(), env.App().ClientID, "not-the-secret")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      block + dataSourceByID(acctest.NewGUID()),
			ExpectError: errorRE("Unable To Sign In To Microsoft Entra ID", "Authentication to Microsoft Entra ID failed", "AADSTS7000215", "Check client_secret"),
		}},
	})
	if strings.Contains(fmt.Sprint(srv.Counters()), "GET /v1.0/users") {
		t.Errorf("Graph was called without a token: %v", srv.Counters())
	}
}

// TestAccProvider_WrongGraphEndpoint: a graph_endpoint the tenant's cloud
// does not know makes the token request fail (AADSTS500011), and the error
// sends the user to graph_endpoint, not to the credentials.
func TestAccProvider_WrongGraphEndpoint(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	block := fmt.Sprintf("provider \"b2b\" {\n  graph_endpoint = %q\n  authority_host = %q\n  tenant_id = %q\n  client_id = %q\n  client_secret = %q\n}\n",
		"https://127.0.0.1:9", srv.AuthorityHost(), srv.TenantID(), env.App().ClientID, env.App().Secret)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: block + dataSourceByID(acctest.NewGUID()),
			ExpectError: errorRE("Unable To Sign In To Microsoft Entra ID", `in provider "b2b"`, "graph_endpoint =",
				"not a resource of the tenant's cloud. Check graph_endpoint (or B2B_GRAPH_ENDPOINT) and environment", "AADSTS500011"),
		}},
	})
}

func TestAccProvider_UnknownTenant(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	env.RequireEmulator(t)
	block := secretProviderBlock(env, acctest.NewGUID(), env.App().ClientID, env.App().Secret)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      block + dataSourceByID(acctest.NewGUID()),
			ExpectError: errorRE("Unable To Sign In To Microsoft Entra ID", `in provider "b2b"`, "tenant_id =", "AADSTS90002"),
		}},
	})
}

func TestAccProvider_UnknownClient(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	block := secretProviderBlock(env, srv.TenantDomain(), acctest.NewGUID(), "whatever")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      block + dataSourceByID(acctest.NewGUID()),
			ExpectError: errorRE("Unable To Sign In To Microsoft Entra ID", `in provider "b2b"`, "client_id =", "AADSTS700016"),
		}},
	})
}

// TestAccProvider_TenantDomain authenticates with the tenant's domain name
// instead of its GUID, as tenant_id allows.
func TestAccProvider_TenantDomain(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	id := seedGuest(t, env)
	block := secretProviderBlock(env, srv.TenantDomain(), env.App().ClientID, env.App().Secret)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps:                    []resource.TestStep{readsGuest(t, env, block, id)},
	})
}

// testCertificate returns a self-signed RSA certificate and key, as an app
// registration's uploaded certificate would be.
func testCertificate(t *testing.T) (*x509.Certificate, *rsa.PrivateKey, []byte, []byte) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "b2b-acctest"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	return cert, key, certPEM, keyPEM
}

// certApp registers an app that authenticates with certPEM.
func certApp(srv *emulator.Server, certPEM []byte) emulator.App {
	app := emulator.App{ClientID: acctest.NewGUID(), CertPEM: certPEM, Permissions: []string{emulator.PermUserReadAll}}
	srv.AddApp(app)
	return app
}

func TestAccProvider_CertificatePEM(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	id := seedGuest(t, env)
	_, _, certPEM, keyPEM := testCertificate(t)
	app := certApp(srv, certPEM)
	// PEM text straight from a file() call, and the same file base64-encoded.
	pemText := string(certPEM) + string(keyPEM)
	blockPEM := env.ProviderBlock(fmt.Sprintf("tenant_id = %q\nclient_id = %q\nclient_certificate = %q",
		srv.TenantID(), app.ClientID, pemText))
	blockB64 := env.ProviderBlock(fmt.Sprintf("tenant_id = %q\nclient_id = %q\nclient_certificate = %q",
		srv.TenantID(), app.ClientID, base64.StdEncoding.EncodeToString([]byte(pemText))))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			readsGuest(t, env, blockPEM, id),
			readsGuest(t, env, blockB64, id),
		},
	})
}

func TestAccProvider_CertificatePKCS12WithPassword(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	id := seedGuest(t, env)
	cert, key, certPEM, _ := testCertificate(t)
	app := certApp(srv, certPEM)
	pfx, err := pkcs12.LegacyDES.Encode(key, cert, nil, "pfx-password")
	if err != nil {
		t.Fatal(err)
	}
	pfxPath := filepath.Join(t.TempDir(), "app.pfx")
	if err := os.WriteFile(pfxPath, pfx, 0o600); err != nil {
		t.Fatal(err)
	}
	inline := env.ProviderBlock(fmt.Sprintf("tenant_id = %q\nclient_id = %q\nclient_certificate = %q\nclient_certificate_password = %q",
		srv.TenantID(), app.ClientID, base64.StdEncoding.EncodeToString(pfx), "pfx-password"))
	fromFile := env.ProviderBlock(fmt.Sprintf("tenant_id = %q\nclient_id = %q\nclient_certificate_path = %q\nclient_certificate_password = %q",
		srv.TenantID(), app.ClientID, pfxPath, "pfx-password"))
	wrongPassword := env.ProviderBlock(fmt.Sprintf("tenant_id = %q\nclient_id = %q\nclient_certificate_path = %q\nclient_certificate_password = %q",
		srv.TenantID(), app.ClientID, pfxPath, "wrong"))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		// The failing step comes first: the post-test destroy uses the last
		// step's configuration and must be able to configure the provider.
		Steps: []resource.TestStep{
			{
				Config:      wrongPassword + dataSourceByID(id),
				ExpectError: errorRE("Unable To Create Microsoft Graph Client", "client certificate", "client_certificate_password", "decryption password incorrect"),
			},
			readsGuest(t, env, inline, id),
			readsGuest(t, env, fromFile, id),
		},
	})
}

// federatedApp registers an app that trusts the emulator's own OIDC issuer
// for subject, like a GitHub Actions federated credential.
func federatedApp(t *testing.T, srv *emulator.Server) (emulator.App, string) {
	t.Helper()
	subject := "repo:entra-b2b/terraform-provider-b2b:ref:refs/heads/main"
	app := emulator.App{ClientID: acctest.NewGUID(), FederatedSubject: subject, Permissions: []string{emulator.PermUserReadAll}}
	srv.AddApp(app)
	token, err := srv.IssueFederatedToken(subject, "")
	if err != nil {
		t.Fatal(err)
	}
	return app, token
}

func TestAccProvider_OIDCToken(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	id := seedGuest(t, env)
	app, token := federatedApp(t, srv)
	block := env.ProviderBlock(fmt.Sprintf("use_oidc = true\ntenant_id = %q\nclient_id = %q\noidc_token = %q",
		srv.TenantID(), app.ClientID, token))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps:                    []resource.TestStep{readsGuest(t, env, block, id)},
	})
}

func TestAccProvider_OIDCTokenFile(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	id := seedGuest(t, env)
	app, token := federatedApp(t, srv)
	tokenPath := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenPath, []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
	block := env.ProviderBlock(fmt.Sprintf("use_oidc = true\ntenant_id = %q\nclient_id = %q\noidc_token_file_path = %q",
		srv.TenantID(), app.ClientID, tokenPath))
	// A token for another subject matches no federated credential.
	other, err := srv.IssueFederatedToken("repo:someone/else:ref:refs/heads/main", "")
	if err != nil {
		t.Fatal(err)
	}
	otherPath := filepath.Join(t.TempDir(), "other-token")
	if err := os.WriteFile(otherPath, []byte(other), 0o600); err != nil {
		t.Fatal(err)
	}
	wrongSubject := env.ProviderBlock(fmt.Sprintf("use_oidc = true\ntenant_id = %q\nclient_id = %q\noidc_token_file_path = %q",
		srv.TenantID(), app.ClientID, otherPath))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		// The refusal first: the destroy after the last step signs in with
		// the last step's provider block.
		Steps: []resource.TestStep{
			{
				Config:      wrongSubject + dataSourceByID(id),
				ExpectError: errorRE("Unable To Sign In To Microsoft Entra ID", "AADSTS70021"),
			},
			readsGuest(t, env, block, id),
		},
	})
}

// TestAccProvider_ManagedIdentity uses the emulator's App Service managed
// identity endpoint. azidentity reads IDENTITY_ENDPOINT from the process
// environment, so this test sets it (and cannot run in parallel).
func TestAccProvider_ManagedIdentity(t *testing.T) {
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	id := seedGuest(t, env)
	app := emulator.App{ClientID: acctest.NewGUID(), Permissions: []string{emulator.PermUserReadAll}}
	srv.AddApp(app)
	endpoint, header := srv.EnableManagedIdentity(app.ClientID)
	t.Setenv("IDENTITY_ENDPOINT", endpoint)
	t.Setenv("IDENTITY_HEADER", header)
	block := env.ProviderBlock(fmt.Sprintf("use_msi = true\nclient_id = %q", app.ClientID))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps:                    []resource.TestStep{readsGuest(t, env, block, id)},
	})
}

// TestAccProvider_AzureCLI puts a fake `az` first on PATH that prints an
// access token the emulator issued, the JSON shape `az account
// get-access-token` prints. It sets PATH, so it cannot run in parallel.
func TestAccProvider_AzureCLI(t *testing.T) {
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	id := seedGuest(t, env)
	token := clientCredentialsToken(t, srv, env.App())
	dir := t.TempDir()
	out, err := json.Marshal(map[string]any{
		"accessToken":  token,
		"expiresOn":    time.Now().Add(time.Hour).Format("2006-01-02 15:04:05.000000"),
		"expires_on":   time.Now().Add(time.Hour).Unix(),
		"subscription": acctest.NewGUID(),
		"tenant":       srv.TenantID(),
		"tokenType":    "Bearer",
	})
	if err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\ncat <<'EOF'\n" + string(out) + "\nEOF\n"
	if err := os.WriteFile(filepath.Join(dir, "az"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	block := env.ProviderBlock(fmt.Sprintf("use_cli = true\ntenant_id = %q", srv.TenantID()))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps:                    []resource.TestStep{readsGuest(t, env, block, id)},
	})
}

// clientCredentialsToken asks the emulator's token endpoint for a Graph
// token the way the CLI would have obtained one.
func clientCredentialsToken(t *testing.T, srv *emulator.Server, app emulator.App) string {
	t.Helper()
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.CA().CertPool()}}}
	resp, err := hc.PostForm(srv.AuthorityHost()+srv.TenantID()+"/oauth2/v2.0/token", url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {app.ClientID},
		"client_secret": {app.Secret},
		"scope":         {"https://graph.microsoft.com/.default"},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.AccessToken == "" {
		t.Fatalf("token endpoint: status %d, decode error %v", resp.StatusCode, err)
	}
	return body.AccessToken
}

// TestAccProvider_UnknownValuesDeferConfiguration plans with a client
// secret known only after apply: validate and plan must succeed without
// any request to the identity platform or Graph, then apply configures the
// provider and reads the guest.
func TestAccProvider_UnknownValuesDeferConfiguration(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	id := seedGuest(t, env)
	config := fmt.Sprintf(`
resource "terraform_data" "cred" {
  input = %q
}

provider "b2b" {
  graph_endpoint = %q
  authority_host = %q
  tenant_id      = %q
  client_id      = %q
  client_secret  = terraform_data.cred.output
}

data "b2b_guest_user" "test" {
  object_id = terraform_data.cred.output != "" ? %q : null
}
`, env.App().Secret, srv.GraphEndpoint(), srv.AuthorityHost(), srv.TenantID(), env.App().ClientID, id)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:             config,
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		}},
	})
	for k, n := range srv.Counters() {
		if n > 0 {
			t.Errorf("planning with unknown provider values made a network call: %s x%d", k, n)
		}
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.b2b_guest_user.test", tfjsonpath.New("id"), knownvalue.StringExact(id)),
				statecheck.ExpectKnownValue("data.b2b_guest_user.test", tfjsonpath.New("display_name"), knownvalue.StringExact("Ada Lovelace")),
			},
		}},
	})
}

// TestAccProvider_UnknownValuesWithKnownDataSource: Terraform reads a data
// source whose own arguments are known during plan even when the provider
// block is not, so there is no client yet; the error must say which
// provider values were unknown and what to do, and nothing may be sent.
func TestAccProvider_UnknownValuesWithKnownDataSource(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	config := fmt.Sprintf(`
resource "terraform_data" "cred" {
  input = %q
}

provider "b2b" {
  graph_endpoint = %q
  authority_host = %q
  tenant_id      = %q
  client_id      = %q
  client_secret  = terraform_data.cred.output
}
`, env.App().Secret, srv.GraphEndpoint(), srv.AuthorityHost(), srv.TenantID(), env.App().ClientID) + dataSourceByID(acctest.NewGUID())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      config,
			ExpectError: errorRE("Provider Not Configured", "the provider block attributes client_secret depend on values known only after apply", "terraform apply -target"),
		}},
	})
	for k, n := range srv.Counters() {
		if n > 0 {
			t.Errorf("an unconfigured provider made a network call: %s x%d", k, n)
		}
	}
}
