package provider

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

const (
	testTenant = "11111111-2222-3333-4444-555555555555"
	testClient = "66666666-7777-8888-9999-aaaaaaaaaaaa"
	testPEM    = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----"
)

func valuePtr[T any](v T) *T { return &v }

func fakeEnv(vars map[string]string) envLookup {
	return func(k string) string { return vars[k] }
}

func fakeFiles(files map[string]string) func(string) ([]byte, error) {
	return func(p string) ([]byte, error) {
		if c, ok := files[p]; ok {
			return []byte(c), nil
		}
		return nil, &os.PathError{Op: "open", Path: p, Err: os.ErrNotExist}
	}
}

// resolveConfigCase is one resolveConfig call that must succeed: the
// provider block s, the environment and the files it may read, and the
// checks on the result.
type resolveConfigCase struct {
	name  string
	s     authSettings
	env   map[string]string
	files map[string]string
	check func(t *testing.T, r *resolvedConfig)
}

func runResolveConfigCases(t *testing.T, cases []resolveConfigCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := resolveConfig(tc.s, fakeEnv(tc.env), fakeFiles(tc.files))
			if err != nil {
				t.Fatalf("resolveConfig: %v", err)
			}
			tc.check(t, r)
		})
	}
}

// Where each setting comes from: the provider block, then ARM_*, then
// AZURE_*; a method chosen in the block is not overridden from the
// environment.
func TestResolveConfigSources(t *testing.T) {
	t.Parallel()
	runResolveConfigCases(t, []resolveConfigCase{
		{
			name: "client secret from the block",
			s:    authSettings{TenantID: valuePtr(testTenant), ClientID: valuePtr(testClient), ClientSecret: valuePtr("s3cret")},
			check: func(t *testing.T, r *resolvedConfig) {
				want := graph.AuthConfig{Method: graph.AuthClientSecret, TenantID: testTenant, ClientID: testClient, ClientSecret: "s3cret", AuthorityHost: graph.PublicAuthorityHost}
				if r.Auth.Method != want.Method || r.Auth.TenantID != want.TenantID || r.Auth.ClientID != want.ClientID || r.Auth.ClientSecret != want.ClientSecret || r.Auth.AuthorityHost != want.AuthorityHost {
					t.Errorf("auth = %+v, want %+v", r.Auth, want)
				}
				if r.GraphEndpoint != graph.PublicGraphEndpoint {
					t.Errorf("graph endpoint = %q", r.GraphEndpoint)
				}
			},
		},
		{
			name: "client secret entirely from ARM_* env",
			env:  map[string]string{"ARM_TENANT_ID": testTenant, "ARM_CLIENT_ID": testClient, "ARM_CLIENT_SECRET": "from-arm"},
			check: func(t *testing.T, r *resolvedConfig) {
				if r.Auth.Method != graph.AuthClientSecret || r.Auth.ClientSecret != "from-arm" || r.Auth.TenantID != testTenant {
					t.Errorf("auth = %+v", r.Auth)
				}
				if r.Sources["tenant_id"] != "ARM_TENANT_ID" || r.Sources["method"] != "ARM_CLIENT_SECRET" {
					t.Errorf("sources = %v", r.Sources)
				}
			},
		},
		{
			name: "AZURE_* env used when ARM_* is absent, ARM_* wins when both are set",
			env: map[string]string{
				"AZURE_TENANT_ID": "contoso.onmicrosoft.com", "AZURE_CLIENT_ID": testClient,
				"AZURE_CLIENT_SECRET": "from-azure", "ARM_CLIENT_SECRET": "from-arm",
			},
			check: func(t *testing.T, r *resolvedConfig) {
				if r.Auth.TenantID != "contoso.onmicrosoft.com" || r.Auth.ClientSecret != "from-arm" {
					t.Errorf("auth = %+v", r.Auth)
				}
			},
		},
		{
			name: "block values win over env values",
			s:    authSettings{TenantID: valuePtr(testTenant), ClientSecret: valuePtr("block")},
			env:  map[string]string{"ARM_TENANT_ID": "other.onmicrosoft.com", "ARM_CLIENT_ID": testClient, "ARM_CLIENT_SECRET": "env"},
			check: func(t *testing.T, r *resolvedConfig) {
				if r.Auth.TenantID != testTenant || r.Auth.ClientSecret != "block" || r.Auth.ClientID != testClient {
					t.Errorf("auth = %+v", r.Auth)
				}
			},
		},
		{
			name: "a method chosen in the block ignores a different method in env",
			s:    authSettings{UseMSI: valuePtr(true)},
			env:  map[string]string{"ARM_CLIENT_SECRET": "env", "ARM_USE_OIDC": "true"},
			check: func(t *testing.T, r *resolvedConfig) {
				if r.Auth.Method != graph.AuthManagedIdentity || r.Auth.ClientSecret != "" {
					t.Errorf("auth = %+v", r.Auth)
				}
			},
		},
		{
			name: "use_msi = false in the block silences ARM_USE_MSI",
			s:    authSettings{UseMSI: valuePtr(false)},
			env:  map[string]string{"ARM_USE_MSI": "true", "ARM_TENANT_ID": testTenant, "ARM_CLIENT_ID": testClient, "ARM_CLIENT_SECRET": "x"},
			check: func(t *testing.T, r *resolvedConfig) {
				if r.Auth.Method != graph.AuthClientSecret {
					t.Errorf("method = %s", r.Auth.Method)
				}
			},
		},
	})
}

// Each authentication method other than a client secret, configured in the
// block or from the environment, resolves to its graph.AuthConfig.
func TestResolveConfigMethods(t *testing.T) {
	t.Parallel()
	runResolveConfigCases(t, []resolveConfigCase{
		{
			name: "certificate as PEM text",
			s:    authSettings{TenantID: valuePtr(testTenant), ClientID: valuePtr(testClient), ClientCertificate: valuePtr(testPEM), ClientCertificatePassword: valuePtr("pw")},
			check: func(t *testing.T, r *resolvedConfig) {
				if r.Auth.Method != graph.AuthClientCertificate || string(r.Auth.CertificateData) != testPEM || r.Auth.CertificatePassword != "pw" {
					t.Errorf("auth = %+v", r.Auth)
				}
			},
		},
		{
			name: "certificate base64 with line breaks",
			s: authSettings{TenantID: valuePtr(testTenant), ClientID: valuePtr(testClient),
				ClientCertificate: valuePtr(wrap(base64.StdEncoding.EncodeToString([]byte("\x30\x82pkcs12-bytes")), 8))},
			check: func(t *testing.T, r *resolvedConfig) {
				if string(r.Auth.CertificateData) != "\x30\x82pkcs12-bytes" {
					t.Errorf("certificate = %q", r.Auth.CertificateData)
				}
			},
		},
		{
			name:  "certificate from ARM_CLIENT_CERTIFICATE_PATH with password from AZURE_*",
			env:   map[string]string{"ARM_TENANT_ID": testTenant, "ARM_CLIENT_ID": testClient, "ARM_CLIENT_CERTIFICATE_PATH": "/x/app.pfx", "AZURE_CLIENT_CERTIFICATE_PASSWORD": "pw"},
			files: map[string]string{"/x/app.pfx": "PFX"},
			check: func(t *testing.T, r *resolvedConfig) {
				if r.Auth.Method != graph.AuthClientCertificate || string(r.Auth.CertificateData) != "PFX" || r.Auth.CertificatePassword != "pw" {
					t.Errorf("auth = %+v", r.Auth)
				}
			},
		},
		{
			name: "OIDC with an inline token",
			s:    authSettings{TenantID: valuePtr(testTenant), ClientID: valuePtr(testClient), UseOIDC: valuePtr(true), OIDCToken: valuePtr("jwt")},
			env:  map[string]string{"AZURE_FEDERATED_TOKEN_FILE": "/ignored"},
			check: func(t *testing.T, r *resolvedConfig) {
				if r.Auth.Method != graph.AuthOIDC || r.Auth.OIDCToken != "jwt" || r.Auth.OIDCTokenFilePath != "" {
					t.Errorf("auth = %+v", r.Auth)
				}
			},
		},
		{
			name: "OIDC from env with AZURE_FEDERATED_TOKEN_FILE",
			env:  map[string]string{"ARM_USE_OIDC": "true", "ARM_TENANT_ID": testTenant, "ARM_CLIENT_ID": testClient, "AZURE_FEDERATED_TOKEN_FILE": "/var/run/token"},
			check: func(t *testing.T, r *resolvedConfig) {
				if r.Auth.Method != graph.AuthOIDC || r.Auth.OIDCTokenFilePath != "/var/run/token" {
					t.Errorf("auth = %+v", r.Auth)
				}
			},
		},
		{
			name: "Azure CLI needs no tenant or client",
			s:    authSettings{UseCLI: valuePtr(true)},
			check: func(t *testing.T, r *resolvedConfig) {
				if r.Auth.Method != graph.AuthAzureCLI || r.Auth.TenantID != "" {
					t.Errorf("auth = %+v", r.Auth)
				}
			},
		},
		{
			name: "managed identity from env with a user-assigned client ID",
			env:  map[string]string{"ARM_USE_MSI": "1", "ARM_CLIENT_ID": testClient},
			check: func(t *testing.T, r *resolvedConfig) {
				if r.Auth.Method != graph.AuthManagedIdentity || r.Auth.ClientID != testClient {
					t.Errorf("auth = %+v", r.Auth)
				}
			},
		},
	})
}

// A national cloud picks its Graph and authority endpoints, and explicit
// overrides are normalised.
func TestResolveConfigEndpoints(t *testing.T) {
	t.Parallel()
	runResolveConfigCases(t, []resolveConfigCase{
		{
			name: "usgovernment picks its endpoints",
			s:    authSettings{UseCLI: valuePtr(true), Environment: valuePtr("usgovernment")},
			check: func(t *testing.T, r *resolvedConfig) {
				if r.GraphEndpoint != graph.USGovGraphEndpoint || r.Auth.AuthorityHost != graph.USGovAuthorityHost {
					t.Errorf("endpoints = %q %q", r.GraphEndpoint, r.Auth.AuthorityHost)
				}
			},
		},
		{
			name: "endpoint overrides from env are normalised",
			s:    authSettings{UseCLI: valuePtr(true)},
			env:  map[string]string{"ARM_ENVIRONMENT": "china", "B2B_GRAPH_ENDPOINT": "https://127.0.0.1:8443/", "B2B_AUTHORITY_HOST": "https://127.0.0.1:8443"},
			check: func(t *testing.T, r *resolvedConfig) {
				if r.GraphEndpoint != "https://127.0.0.1:8443" || r.Auth.AuthorityHost != "https://127.0.0.1:8443/" || r.Environment != "china" {
					t.Errorf("resolved = %+v", r)
				}
				if r.Sources["graph_endpoint"] != "B2B_GRAPH_ENDPOINT" {
					t.Errorf("sources = %v", r.Sources)
				}
			},
		},
	})
}

func TestResolveConfigErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		s         authSettings
		env       map[string]string
		attribute string
		want      []string // substrings of summary+detail
	}{
		{
			name: "nothing configured lists every method",
			want: []string{"No Authentication Method Configured", "client secret: tenant_id, client_id and client_secret", "use_oidc = true", "use_cli = true", "use_msi = true"},
		},
		{
			name: "app registration in the environment without a credential names the sources",
			env:  map[string]string{"ARM_TENANT_ID": testTenant, "AZURE_CLIENT_ID": testClient},
			want: []string{"No Authentication Method Configured", "tenant_id (from ARM_TENANT_ID) and client_id (from AZURE_CLIENT_ID) name an app registration",
				"set client_secret or ARM_CLIENT_SECRET"},
		},
		{
			name:      "secret and certificate in the block conflict",
			s:         authSettings{TenantID: valuePtr(testTenant), ClientID: valuePtr(testClient), ClientSecret: valuePtr("x"), ClientCertificate: valuePtr(testPEM)},
			attribute: "client_certificate",
			want:      []string{"Conflicting Authentication Methods", "client secret (selected by client_secret), client certificate (selected by client_certificate)"},
		},
		{
			name:      "use_oidc and use_msi conflict",
			s:         authSettings{UseOIDC: valuePtr(true), UseMSI: valuePtr(true)},
			attribute: "use_msi",
			want:      []string{"Conflicting Authentication Methods", "(selected by use_oidc)", "(selected by use_msi)"},
		},
		{
			name: "two methods in the environment conflict and name the variables",
			env:  map[string]string{"ARM_CLIENT_SECRET": "x", "ARM_USE_CLI": "true"},
			want: []string{"Conflicting Authentication Methods", "selected by ARM_CLIENT_SECRET", "selected by ARM_USE_CLI=true"},
		},
		{
			name: "secret without tenant and client names both with their env vars",
			s:    authSettings{ClientSecret: valuePtr("x")},
			want: []string{"Incomplete Authentication Settings", "client secret (selected by client_secret)", "tenant_id (or ARM_TENANT_ID / AZURE_TENANT_ID)", "client_id (or ARM_CLIENT_ID / AZURE_CLIENT_ID)"},
		},
		{
			name: "OIDC without a token",
			s:    authSettings{UseOIDC: valuePtr(true), TenantID: valuePtr(testTenant), ClientID: valuePtr(testClient)},
			want: []string{"Incomplete Authentication Settings", "oidc_token or oidc_token_file_path"},
		},
		{
			name:      "oidc_token without use_oidc",
			s:         authSettings{OIDCToken: valuePtr("jwt")},
			attribute: "oidc_token",
			want:      []string{"OIDC Token Without use_oidc", "Set use_oidc = true"},
		},
		{
			name:      "certificate inline and path conflict",
			s:         authSettings{ClientCertificate: valuePtr(testPEM), ClientCertificatePath: valuePtr("/a.pfx")},
			attribute: "client_certificate_path",
			want:      []string{"Conflicting Certificate Settings"},
		},
		{
			name: "certificate inline and path conflict in env",
			env:  map[string]string{"ARM_TENANT_ID": testTenant, "ARM_CLIENT_ID": testClient, "ARM_CLIENT_CERTIFICATE": testPEM, "ARM_CLIENT_CERTIFICATE_PATH": "/a.pfx"},
			want: []string{"Conflicting Certificate Settings", "ARM_CLIENT_CERTIFICATE and ARM_CLIENT_CERTIFICATE_PATH"},
		},
		{
			name:      "certificate file missing",
			s:         authSettings{TenantID: valuePtr(testTenant), ClientID: valuePtr(testClient), ClientCertificatePath: valuePtr("/nope.pfx")},
			attribute: "client_certificate_path",
			want:      []string{"Unable To Read Client Certificate", "/nope.pfx"},
		},
		{
			name:      "certificate neither PEM nor base64",
			s:         authSettings{TenantID: valuePtr(testTenant), ClientID: valuePtr(testClient), ClientCertificate: valuePtr("not base64!")},
			attribute: "client_certificate",
			want:      []string{"Invalid Client Certificate", "neither PEM text"},
		},
		{
			name:      "password with a secret",
			s:         authSettings{TenantID: valuePtr(testTenant), ClientID: valuePtr(testClient), ClientSecret: valuePtr("x"), ClientCertificatePassword: valuePtr("pw")},
			attribute: "client_certificate_password",
			want:      []string{"Certificate Password Without Certificate"},
		},
		{
			name:      "bad tenant from env names the variable",
			env:       map[string]string{"ARM_TENANT_ID": "not a tenant", "ARM_CLIENT_ID": testClient, "ARM_CLIENT_SECRET": "x"},
			attribute: "tenant_id",
			want:      []string{"Invalid Tenant ID", "tenant_id (from ARM_TENANT_ID)", "neither a GUID"},
		},
		{
			name:      "bad client id from AZURE env names the variable",
			env:       map[string]string{"ARM_TENANT_ID": testTenant, "AZURE_CLIENT_ID": "app-name", "ARM_CLIENT_SECRET": "x"},
			attribute: "client_id",
			want:      []string{"Invalid Client ID", "client_id (from AZURE_CLIENT_ID)", "is not a GUID"},
		},
		{
			name: "ARM_USE_OIDC not a boolean",
			env:  map[string]string{"ARM_USE_OIDC": "yes please"},
			want: []string{"Invalid Environment Variable", "ARM_USE_OIDC", "true or false"},
		},
		{
			name:      "unknown ARM_ENVIRONMENT",
			s:         authSettings{UseCLI: valuePtr(true)},
			env:       map[string]string{"ARM_ENVIRONMENT": "germany"},
			attribute: "environment",
			want:      []string{"Invalid Environment", "environment (from ARM_ENVIRONMENT)", "public, usgovernment, china"},
		},
		{
			name:      "http graph endpoint from env refused even on loopback",
			s:         authSettings{UseCLI: valuePtr(true)},
			env:       map[string]string{"B2B_GRAPH_ENDPOINT": "http://127.0.0.1:8080"},
			attribute: "graph_endpoint",
			want:      []string{"Invalid Graph Endpoint", "only https is accepted"},
		},
		{
			name:      "authority host with a path",
			s:         authSettings{UseCLI: valuePtr(true), AuthorityHost: valuePtr("https://login.example.com/tenant")},
			attribute: "authority_host",
			want:      []string{"Invalid Authority Host", `has a path`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := resolveConfig(tc.s, fakeEnv(tc.env), fakeFiles(nil))
			if err == nil {
				t.Fatalf("resolveConfig succeeded with %+v; want an error", r.Auth)
			}
			if err.Attribute != tc.attribute {
				t.Errorf("attribute = %q, want %q", err.Attribute, tc.attribute)
			}
			text := err.Summary + ": " + err.Detail
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("error does not contain %q:\n%s", w, text)
				}
			}
		})
	}
}

func TestSecretsNeverInResolutionErrors(t *testing.T) {
	t.Parallel()
	// A bad setting next to a secret must not echo the secret back.
	_, err := resolveConfig(authSettings{TenantID: valuePtr("bad tenant"), ClientID: valuePtr(testClient), ClientSecret: valuePtr("TOPSECRET")}, fakeEnv(nil), fakeFiles(nil))
	if err == nil {
		t.Fatal("want an error")
	}
	if strings.Contains(err.Error(), "TOPSECRET") {
		t.Fatalf("secret leaked into %q", err.Error())
	}
}

func TestIDAndEndpointChecks(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{testTenant, "contoso.onmicrosoft.com", "Contoso.COM"} {
		if p := checkTenantID(ok); p != "" {
			t.Errorf("checkTenantID(%q) = %q, want valid", ok, p)
		}
	}
	for _, bad := range []string{"", "contoso", "127.0.0.1", "{" + testTenant + "}", "-bad.com", "a..b.com"} {
		if checkTenantID(bad) == "" {
			t.Errorf("checkTenantID(%q) accepted", bad)
		}
	}
	if checkGUID(strings.ToUpper(testClient), "x") != "" || checkGUID(testClient[1:], "x") == "" {
		t.Error("checkGUID accepts upper case GUIDs and refuses short ones")
	}
	for _, ok := range []string{"https://graph.microsoft.com", "https://127.0.0.1:4443/", "https://[::1]:1"} {
		if p := checkEndpointURL(ok); p != "" {
			t.Errorf("checkEndpointURL(%q) = %q", ok, p)
		}
	}
	for _, bad := range []string{"graph.microsoft.com", "http://localhost:1", "https://graph.microsoft.com/v1.0", "https://u:p@h", "https://h?x=1", "ftp://h"} {
		if checkEndpointURL(bad) == "" {
			t.Errorf("checkEndpointURL(%q) accepted", bad)
		}
	}
}

func TestGraphErrorDiagnosticHints(t *testing.T) {
	t.Parallel()
	forbidden := &graph.Error{Kind: graph.KindForbidden, StatusCode: 403, Code: "Authorization_RequestDenied", Message: "Insufficient privileges", Operation: "GET /users/{id}", RequiredPermission: "User.Read.All", RequestID: "req-1"}
	d := graphErrorDiagnostic("Error Reading User", "Reading the user 1.", forbidden)
	if d.Summary() != "Error Reading User" {
		t.Errorf("summary = %q", d.Summary())
	}
	detail := d.Detail()
	for _, w := range []string{"Reading the user 1.", "permission User.Read.All", "admin consent", "req-1"} {
		if !strings.Contains(detail, w) {
			t.Errorf("detail lacks %q:\n%s", w, detail)
		}
	}
	if strings.Index(detail, "Reading the user") > strings.Index(detail, "Cause: ") {
		t.Error("the original error must come last")
	}
	unauth := &graph.Error{Kind: graph.KindUnauthorized, StatusCode: 401, Code: "AADSTS7000215", Message: "Invalid client secret provided."}
	if !strings.Contains(graphErrorDiagnostic("X", "Y.", unauth).Detail(), "client secret may have expired") {
		t.Error("no credentials hint for 401")
	}
	if strings.Contains(graphErrorDiagnostic("X", "Y.", errors.New("boom")).Detail(), "permission") {
		t.Error("permission hint on an unrelated error")
	}
}

func TestProviderSchemaIsValid(t *testing.T) {
	t.Parallel()
	var resp fwprovider.SchemaResponse
	New("test")().Schema(context.Background(), fwprovider.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	if diags := resp.Schema.ValidateImplementation(context.Background()); diags.HasError() {
		t.Fatal(diags)
	}
	for name, a := range resp.Schema.Attributes {
		if a.GetMarkdownDescription() == "" {
			t.Errorf("attribute %s has no MarkdownDescription", name)
		}
	}
	for _, secret := range []string{"client_secret", "client_certificate", "client_certificate_password", "oidc_token"} {
		if !resp.Schema.Attributes[secret].IsSensitive() {
			t.Errorf("%s must be sensitive", secret)
		}
	}
}

func wrap(s string, n int) string {
	var b strings.Builder
	for len(s) > n {
		b.WriteString(s[:n] + "\n")
		s = s[n:]
	}
	b.WriteString(s)
	return b.String()
}

func TestLoggerMasksSecrets(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	l := newTflogLogger("s3cret-value", "", "oidc-jwt")
	l.Debug(ctx, "token request failed for s3cret-value", map[string]any{"body": "client_secret=s3cret-value&x=1", "status": 401})
	l.Warn(ctx, "retrying", map[string]any{"assertion": "oidc-jwt"})
	entries, err := tflogtest.MultilineJSONDecode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Fatalf("got %d log entries, want 2", len(entries))
	}
	out := fmt.Sprint(entries)
	for _, secret := range []string{"s3cret-value", "oidc-jwt"} {
		if strings.Contains(out, secret) {
			t.Errorf("secret %q reached the log: %s", secret, out)
		}
	}
	if entries[0]["component"] != "graph" || entries[0]["status"] != float64(401) {
		t.Errorf("structured fields lost: %v", entries[0])
	}
}

func TestRequireClientWithoutConfiguration(t *testing.T) {
	t.Parallel()
	_, diags := (&providerData{UnknownConfig: []string{"client_secret"}}).requireClient()
	if !diags.HasError() || diags[0].Summary() != "Provider Not Configured" || !strings.Contains(diags[0].Detail(), "client_secret") {
		t.Errorf("diags = %v", diags)
	}
	var nilData *providerData
	if _, diags := nilData.requireClient(); !diags.HasError() {
		t.Error("a nil providerData must not yield a client")
	}
}

// configure runs prepare (Configure without its sign-in, so no network
// call) on a block built from vals (every other attribute null) with a
// fake environment.
func configure(t *testing.T, vals map[string]tftypes.Value, env map[string]string, deferralAllowed bool) (*fwprovider.ConfigureResponse, *providerData) {
	t.Helper()
	ctx := context.Background()
	s := providerSchemaV0()
	typ, ok := s.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		t.Fatalf("the provider schema's type is %T, not an object", s.Type().TerraformType(ctx))
	}
	all := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		if v, ok := vals[name]; ok {
			all[name] = v
		} else {
			all[name] = tftypes.NewValue(at, nil)
		}
	}
	p := &b2bProvider{version: "test", env: fakeEnv(env), readFile: fakeFiles(nil)}
	resp := &fwprovider.ConfigureResponse{}
	data, _ := p.prepare(ctx, fwprovider.ConfigureRequest{
		Config:             tfsdk.Config{Schema: s, Raw: tftypes.NewValue(typ, all)},
		TerraformVersion:   "1.9.8",
		ClientCapabilities: fwprovider.ConfigureProviderClientCapabilities{DeferralAllowed: deferralAllowed},
	}, resp)
	return resp, data
}

func TestConfigure(t *testing.T) {
	t.Parallel()
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	unknownStr := tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	loopback := map[string]tftypes.Value{
		"graph_endpoint": str("https://127.0.0.1:1"), "authority_host": str("https://127.0.0.1:1"),
		"tenant_id": str(testTenant), "client_id": str(testClient),
	}
	with := func(extra map[string]tftypes.Value) map[string]tftypes.Value {
		m := map[string]tftypes.Value{}
		for k, v := range loopback {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}

	t.Run("builds one client without a network call", func(t *testing.T) {
		t.Parallel()
		resp, data := configure(t, with(map[string]tftypes.Value{
			"client_secret": str("x"), "default_redirect_url": str("https://myapps.microsoft.com"),
			"default_send_invitation_message": tftypes.NewValue(tftypes.Bool, true),
		}), nil, false)
		if resp.Diagnostics.HasError() || data == nil || data.Client == nil {
			t.Fatalf("diags = %v, data = %+v", resp.Diagnostics, data)
		}
		if data.DefaultRedirectURL != "https://myapps.microsoft.com" || data.DefaultSendInvitationMessage == nil || !*data.DefaultSendInvitationMessage {
			t.Errorf("invitation defaults not handed over: %+v", data)
		}
	})
	t.Run("credentials from the environment", func(t *testing.T) {
		t.Parallel()
		resp, data := configure(t, map[string]tftypes.Value{"graph_endpoint": str("https://127.0.0.1:1"), "authority_host": str("https://127.0.0.1:1")},
			map[string]string{"ARM_TENANT_ID": testTenant, "ARM_CLIENT_ID": testClient, "ARM_CLIENT_SECRET": "x"}, false)
		if resp.Diagnostics.HasError() || data == nil || data.Client == nil {
			t.Fatalf("diags = %v", resp.Diagnostics)
		}
	})
	t.Run("unknown secret defers the client without an error", func(t *testing.T) {
		t.Parallel()
		resp, data := configure(t, with(map[string]tftypes.Value{"client_secret": unknownStr}), nil, false)
		if resp.Diagnostics.HasError() || data == nil || data.Client != nil || resp.Deferred != nil {
			t.Fatalf("diags = %v, data = %+v, deferred = %v", resp.Diagnostics, data, resp.Deferred)
		}
		if !data.isUnknown("client_secret") {
			t.Errorf("UnknownConfig = %v", data.UnknownConfig)
		}
	})
	t.Run("unknown secret asks Terraform to defer when it can", func(t *testing.T) {
		t.Parallel()
		resp, _ := configure(t, with(map[string]tftypes.Value{"client_secret": unknownStr}), nil, true)
		if resp.Deferred == nil || resp.Deferred.Reason != fwprovider.DeferredReasonProviderConfigUnknown {
			t.Fatalf("deferred = %v", resp.Deferred)
		}
	})
	t.Run("unknown invitation default still builds the client", func(t *testing.T) {
		t.Parallel()
		resp, data := configure(t, with(map[string]tftypes.Value{"client_secret": str("x"), "default_redirect_url": unknownStr}), nil, false)
		if resp.Diagnostics.HasError() || data == nil || data.Client == nil || !data.isUnknown("default_redirect_url") || data.DefaultRedirectURL != "" {
			t.Fatalf("diags = %v, data = %+v", resp.Diagnostics, data)
		}
	})
	t.Run("no method is an error", func(t *testing.T) {
		t.Parallel()
		resp, data := configure(t, loopback, nil, false)
		if !resp.Diagnostics.HasError() || data != nil || resp.Diagnostics[0].Summary() != "No Authentication Method Configured" {
			t.Fatalf("diags = %v", resp.Diagnostics)
		}
	})
}

// Configure hands one providerData to resources, data sources, actions,
// list and ephemeral resources. With an unknown secret it hands the data
// over without signing in, so this needs no token endpoint.
func TestConfigureHandsOverOneProviderData(t *testing.T) {
	t.Parallel()
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	s := providerSchemaV0()
	typ, _ := s.Type().TerraformType(context.Background()).(tftypes.Object)
	all := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		all[name] = tftypes.NewValue(at, nil)
	}
	for k, v := range map[string]tftypes.Value{
		"graph_endpoint": str("https://127.0.0.1:1"), "authority_host": str("https://127.0.0.1:1"),
		"tenant_id": str(testTenant), "client_id": str(testClient),
		"client_secret": tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
	} {
		all[k] = v
	}
	p := &b2bProvider{version: "test", env: fakeEnv(nil), readFile: fakeFiles(nil)}
	resp := &fwprovider.ConfigureResponse{}
	p.Configure(context.Background(), fwprovider.ConfigureRequest{Config: tfsdk.Config{Schema: s, Raw: tftypes.NewValue(typ, all)}}, resp)
	if resp.Diagnostics.HasError() || resp.DataSourceData == nil {
		t.Fatalf("diags = %v", resp.Diagnostics)
	}
	if resp.ResourceData != resp.DataSourceData || resp.ActionData != resp.DataSourceData || resp.ListResourceData != resp.DataSourceData ||
		resp.EphemeralResourceData != resp.DataSourceData {
		t.Error("resources, data sources, actions, list and ephemeral resources must share one providerData")
	}
}

// The admission check needs the provider's own tenant (see isHomeTenant):
// Configure hands tenant_id over, from the block or from ARM_TENANT_ID.
func TestConfigureHandsOverTenantID(t *testing.T) {
	t.Parallel()
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	endpoints := map[string]tftypes.Value{"graph_endpoint": str("https://127.0.0.1:1"), "authority_host": str("https://127.0.0.1:1")}
	block := map[string]tftypes.Value{"tenant_id": str(testTenant), "client_id": str(testClient), "client_secret": str("x")}
	for k, v := range endpoints {
		block[k] = v
	}
	for name, tc := range map[string]struct {
		config map[string]tftypes.Value
		env    map[string]string
	}{
		"provider block": {block, nil},
		"environment":    {endpoints, map[string]string{"ARM_TENANT_ID": testTenant, "ARM_CLIENT_ID": testClient, "ARM_CLIENT_SECRET": "x"}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			resp, data := configure(t, tc.config, tc.env, false)
			if resp.Diagnostics.HasError() || data == nil {
				t.Fatalf("diags = %v", resp.Diagnostics)
			}
			if data.TenantID != testTenant {
				t.Errorf("TenantID = %q, want %q", data.TenantID, testTenant)
			}
		})
	}
}
