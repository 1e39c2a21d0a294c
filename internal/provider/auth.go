package provider

import (
	"encoding/base64"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// Environment variables read when the provider block leaves a setting unset.
// ARM_* first (what azurerm/azuread users already export), then the AZURE_*
// names azidentity's EnvironmentCredential uses.
var (
	envTenantID            = []string{"ARM_TENANT_ID", "AZURE_TENANT_ID"}
	envClientID            = []string{"ARM_CLIENT_ID", "AZURE_CLIENT_ID"}
	envClientSecret        = []string{"ARM_CLIENT_SECRET", "AZURE_CLIENT_SECRET"}
	envClientCertificate   = []string{"ARM_CLIENT_CERTIFICATE"}
	envClientCertPath      = []string{"ARM_CLIENT_CERTIFICATE_PATH", "AZURE_CLIENT_CERTIFICATE_PATH"}
	envClientCertPassword  = []string{"ARM_CLIENT_CERTIFICATE_PASSWORD", "AZURE_CLIENT_CERTIFICATE_PASSWORD"}
	envUseOIDC             = []string{"ARM_USE_OIDC"}
	envOIDCToken           = []string{"ARM_OIDC_TOKEN"}
	envOIDCTokenFilePath   = []string{"ARM_OIDC_TOKEN_FILE_PATH", "AZURE_FEDERATED_TOKEN_FILE"}
	envUseCLI              = []string{"ARM_USE_CLI"}
	envUseMSI              = []string{"ARM_USE_MSI"}
	envEnvironment         = []string{"ARM_ENVIRONMENT"}
	envGraphEndpoint       = []string{"B2B_GRAPH_ENDPOINT"}
	envAuthorityHost       = []string{"B2B_AUTHORITY_HOST"}
	defaultEnvironmentName = "public"
)

// cloudEnvironment is one national cloud: where tokens and Graph calls go.
type cloudEnvironment struct {
	Name          string
	GraphEndpoint string
	AuthorityHost string
}

// cloudEnvironments is the single list behind the environment attribute's
// validator, its description and the resolution below.
var cloudEnvironments = []cloudEnvironment{
	{Name: "public", GraphEndpoint: graph.PublicGraphEndpoint, AuthorityHost: graph.PublicAuthorityHost},
	{Name: "usgovernment", GraphEndpoint: graph.USGovGraphEndpoint, AuthorityHost: graph.USGovAuthorityHost},
	{Name: "china", GraphEndpoint: graph.ChinaGraphEndpoint, AuthorityHost: graph.ChinaAuthorityHost},
}

func environmentNames() []string {
	names := make([]string, 0, len(cloudEnvironments))
	for _, e := range cloudEnvironments {
		names = append(names, e.Name)
	}
	return names
}

// authMethodInfo describes one way to authenticate, for error messages and docs.
type authMethodInfo struct {
	Method   graph.AuthMethod
	Name     string
	Settings string
}

// authMethods is listed in every "which method?" diagnostic so the user
// sees all the choices and what each one needs.
var authMethods = []authMethodInfo{
	{graph.AuthClientSecret, "client secret",
		"tenant_id, client_id and client_secret (or ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_SECRET)"},
	{graph.AuthClientCertificate, "client certificate",
		"tenant_id, client_id and client_certificate or client_certificate_path, plus client_certificate_password if the key is encrypted (or ARM_CLIENT_CERTIFICATE / ARM_CLIENT_CERTIFICATE_PATH, ARM_CLIENT_CERTIFICATE_PASSWORD)"},
	{graph.AuthOIDC, "workload identity federation (OIDC)",
		"use_oidc = true, tenant_id, client_id and oidc_token or oidc_token_file_path (or ARM_USE_OIDC=true, ARM_OIDC_TOKEN, ARM_OIDC_TOKEN_FILE_PATH / AZURE_FEDERATED_TOKEN_FILE)"},
	{graph.AuthAzureCLI, "Azure CLI",
		"use_cli = true, optionally tenant_id (or ARM_USE_CLI=true); sign in with `az login` first"},
	{graph.AuthManagedIdentity, "managed identity",
		"use_msi = true, optionally client_id for a user-assigned identity (or ARM_USE_MSI=true)"},
}

func authMethodName(m graph.AuthMethod) string {
	for _, i := range authMethods {
		if i.Method == m {
			return i.Name
		}
	}
	return string(m)
}

// authMethodsHelp is the list appended to authentication diagnostics.
func authMethodsHelp() string {
	var b strings.Builder
	b.WriteString("The provider authenticates with exactly one of these methods:\n")
	for _, i := range authMethods {
		fmt.Fprintf(&b, "  - %s: %s\n", i.Name, i.Settings)
	}
	b.WriteString("Settings in the provider block take precedence over environment variables.")
	return b.String()
}

// authSettings is the provider block in plain Go: nil means unset (null) or
// unknown in the configuration, so the environment may fill it in.
type authSettings struct {
	TenantID                  *string
	ClientID                  *string
	ClientSecret              *string
	ClientCertificate         *string
	ClientCertificatePath     *string
	ClientCertificatePassword *string
	UseOIDC                   *bool
	OIDCToken                 *string
	OIDCTokenFilePath         *string
	UseCLI                    *bool
	UseMSI                    *bool
	Environment               *string
	GraphEndpoint             *string
	AuthorityHost             *string
}

// resolvedConfig is the outcome of resolveConfig: what graph.New needs.
type resolvedConfig struct {
	Auth          graph.AuthConfig
	GraphEndpoint string
	Environment   string
	// Sources says where each non-secret-bearing setting came from
	// ("provider block" or an environment variable name), for debug logs.
	Sources map[string]string
}

// configError is a resolution failure tied to the attribute the user should change.
type configError struct {
	Attribute string // provider block attribute, "" for the block itself
	Summary   string
	Detail    string
}

func (e *configError) Error() string { return e.Summary + ": " + e.Detail }

// envLookup reads one environment variable; tests pass a map-backed fake.
type envLookup func(string) string

// fromProviderBlock is the Source of a setting made in the provider block;
// any other Source is the environment variable it came from.
const fromProviderBlock = "provider block"

// setting is one resolved value and where it came from.
type setting struct {
	Value  string
	Source string // "" when unset
}

func (s setting) set() bool { return s.Source != "" }

func fromConfigOrEnv(cfg *string, getenv envLookup, names []string) setting {
	if cfg != nil {
		return setting{Value: *cfg, Source: fromProviderBlock}
	}
	for _, n := range names {
		if v := getenv(n); v != "" {
			return setting{Value: v, Source: n}
		}
	}
	return setting{}
}

// boolFromConfigOrEnv returns the flag, its source, and a problem when the
// environment variable is not a boolean.
func boolFromConfigOrEnv(cfg *bool, getenv envLookup, names []string) (bool, string, *configError) {
	if cfg != nil {
		return *cfg, fromProviderBlock, nil
	}
	for _, n := range names {
		raw := getenv(n)
		if raw == "" {
			continue
		}
		v, err := strconv.ParseBool(raw)
		if err != nil {
			return false, "", &configError{
				Summary: "Invalid Environment Variable",
				Detail:  fmt.Sprintf("The environment variable %s is %q, which is not a boolean. Set it to true or false, or unset it.", n, raw),
			}
		}
		return v, n, nil
	}
	return false, "", nil
}

// describe names a setting for messages: the attribute, plus the env var when it came from there.
func describe(attr string, s setting) string {
	if s.Source != "" && s.Source != fromProviderBlock {
		return fmt.Sprintf("%s (from %s)", attr, s.Source)
	}
	return attr
}

// methodChoice is a method some setting asks for, and the setting that asks.
type methodChoice struct {
	Method graph.AuthMethod
	By     string
}

// configuredMethods lists the methods the provider block itself selects.
// It is also what ValidateConfig checks for conflicts at plan time.
func configuredMethods(s authSettings) []methodChoice {
	var out []methodChoice
	if s.ClientSecret != nil {
		out = append(out, methodChoice{graph.AuthClientSecret, "client_secret"})
	}
	switch {
	case s.ClientCertificate != nil:
		out = append(out, methodChoice{graph.AuthClientCertificate, "client_certificate"})
	case s.ClientCertificatePath != nil:
		out = append(out, methodChoice{graph.AuthClientCertificate, "client_certificate_path"})
	}
	if s.UseOIDC != nil && *s.UseOIDC {
		out = append(out, methodChoice{graph.AuthOIDC, "use_oidc"})
	}
	if s.UseCLI != nil && *s.UseCLI {
		out = append(out, methodChoice{graph.AuthAzureCLI, "use_cli"})
	}
	if s.UseMSI != nil && *s.UseMSI {
		out = append(out, methodChoice{graph.AuthManagedIdentity, "use_msi"})
	}
	return out
}

// environmentMethods lists the methods the environment selects; it is
// consulted only when the provider block selects none. A flag set to false
// in the provider block silences its environment variable.
func environmentMethods(s authSettings, getenv envLookup) ([]methodChoice, *configError) {
	var out []methodChoice
	first := func(names []string) string {
		for _, n := range names {
			if getenv(n) != "" {
				return n
			}
		}
		return ""
	}
	if n := first(envClientSecret); n != "" {
		out = append(out, methodChoice{graph.AuthClientSecret, n})
	}
	if n := first(append(append([]string{}, envClientCertificate...), envClientCertPath...)); n != "" {
		out = append(out, methodChoice{graph.AuthClientCertificate, n})
	}
	flags := []struct {
		cfg    *bool
		names  []string
		method graph.AuthMethod
	}{
		{s.UseOIDC, envUseOIDC, graph.AuthOIDC},
		{s.UseCLI, envUseCLI, graph.AuthAzureCLI},
		{s.UseMSI, envUseMSI, graph.AuthManagedIdentity},
	}
	for _, f := range flags {
		if f.cfg != nil {
			continue
		}
		v, src, err := boolFromConfigOrEnv(nil, getenv, f.names)
		if err != nil {
			return nil, err
		}
		if v {
			out = append(out, methodChoice{f.method, src + "=true"})
		}
	}
	return out, nil
}

func choicesText(cs []methodChoice) string {
	parts := make([]string, 0, len(cs))
	for _, c := range cs {
		parts = append(parts, fmt.Sprintf("%s (selected by %s)", authMethodName(c.Method), c.By))
	}
	return strings.Join(parts, ", ")
}

// configConflicts finds contradictions inside the provider block that are
// errors whatever the environment holds, so they can be reported at plan
// time with the attribute to fix. Unknown values are nil here and skipped.
func configConflicts(s authSettings) []*configError {
	var errs []*configError
	if s.ClientCertificate != nil && s.ClientCertificatePath != nil {
		errs = append(errs, &configError{
			Attribute: "client_certificate_path",
			Summary:   "Conflicting Certificate Settings",
			Detail:    "client_certificate and client_certificate_path are both set. Set only one: client_certificate holds the certificate itself (base64 PKCS#12 or PEM), client_certificate_path names a file that holds it.",
		})
	}
	if s.OIDCToken != nil && s.OIDCTokenFilePath != nil {
		errs = append(errs, &configError{
			Attribute: "oidc_token_file_path",
			Summary:   "Conflicting OIDC Token Settings",
			Detail:    "oidc_token and oidc_token_file_path are both set. Set only one: oidc_token holds the federated token, oidc_token_file_path names a file that holds it.",
		})
	}
	if (s.OIDCToken != nil || s.OIDCTokenFilePath != nil) && (s.UseOIDC == nil || !*s.UseOIDC) {
		attr := "oidc_token"
		if s.OIDCToken == nil {
			attr = "oidc_token_file_path"
		}
		errs = append(errs, &configError{
			Attribute: attr,
			Summary:   "OIDC Token Without use_oidc",
			Detail:    attr + " is set but use_oidc is not true. Set use_oidc = true to authenticate with workload identity federation, or remove " + attr + ".",
		})
	}
	if s.ClientCertificatePassword != nil && s.ClientCertificate == nil && s.ClientCertificatePath == nil && len(configuredMethods(s)) > 0 {
		errs = append(errs, &configError{
			Attribute: "client_certificate_password",
			Summary:   "Certificate Password Without Certificate",
			Detail:    "client_certificate_password is set but the provider block selects " + choicesText(configuredMethods(s)) + ", not a client certificate. Remove client_certificate_password, or set client_certificate or client_certificate_path.",
		})
	}
	if ms := configuredMethods(s); len(ms) > 1 {
		errs = append(errs, &configError{
			Attribute: ms[1].By,
			Summary:   "Conflicting Authentication Methods",
			Detail:    "The provider block selects more than one authentication method: " + choicesText(ms) + ". Keep exactly one.\n\n" + authMethodsHelp(),
		})
	}
	return errs
}

// resolveConfig applies environment fallbacks and decides the single
// authentication method and the endpoints. It makes no network call; it
// reads only the certificate file (so a wrong path fails at plan time).
func resolveConfig(s authSettings, getenv envLookup, readFile func(string) ([]byte, error)) (*resolvedConfig, *configError) {
	if errs := configConflicts(s); len(errs) > 0 {
		return nil, errs[0]
	}
	out := &resolvedConfig{Sources: map[string]string{}}

	if err := resolveEndpoints(s, getenv, out); err != nil {
		return nil, err
	}

	choice, err := pickMethod(s, getenv)
	if err != nil {
		return nil, err
	}
	out.Auth.Method = choice.Method
	out.Sources["method"] = choice.By

	tenant := fromConfigOrEnv(s.TenantID, getenv, envTenantID)
	client := fromConfigOrEnv(s.ClientID, getenv, envClientID)
	var missing []string
	if needsAppRegistration(choice.Method) {
		missing = appendMissing(missing, "tenant_id", tenant, envTenantID)
		missing = appendMissing(missing, "client_id", client, envClientID)
	}
	credMissing, err := resolveCredential(choice.Method, s, getenv, readFile, out)
	if err != nil {
		return nil, err
	}
	missing = append(missing, credMissing...)
	if len(missing) > 0 {
		return nil, &configError{
			Summary: "Incomplete Authentication Settings",
			Detail: fmt.Sprintf("Authentication by %s (selected by %s) needs settings that are not set: %s.\n\n%s",
				authMethodName(choice.Method), choice.By, strings.Join(missing, ", "), authMethodsHelp()),
		}
	}

	if err = resolveIdentity(tenant, client, out); err != nil {
		return nil, err
	}
	return out, nil
}

// pickMethod returns the one authentication method: the provider block's
// choice or, when the block makes none, the environment's.
func pickMethod(s authSettings, getenv envLookup) (methodChoice, *configError) {
	choices := configuredMethods(s)
	if len(choices) == 0 {
		envChoices, err := environmentMethods(s, getenv)
		if err != nil {
			return methodChoice{}, err
		}
		if len(envChoices) > 1 {
			return methodChoice{}, &configError{
				Summary: "Conflicting Authentication Methods",
				Detail:  "The provider block selects no authentication method and the environment selects more than one: " + choicesText(envChoices) + ". Unset all but one of these environment variables, or choose a method in the provider block.\n\n" + authMethodsHelp(),
			}
		}
		choices = envChoices
	}
	if len(choices) == 0 {
		return methodChoice{}, &configError{
			Summary: "No Authentication Method Configured",
			Detail:  "Neither the provider block nor the environment selects a way to authenticate to Microsoft Entra ID." + credentialMissingHint(s, getenv) + "\n\n" + authMethodsHelp(),
		}
	}
	return choices[0], nil
}

// credentialMissingHint names the usual cause when an app registration is
// named but nothing signs in as it: its secret was not passed on, as when a
// CI secret is not mapped into the job's environment. It says where
// tenant_id and client_id came from (never a value), or "" when they are
// not both set.
func credentialMissingHint(s authSettings, getenv envLookup) string {
	tenant := fromConfigOrEnv(s.TenantID, getenv, envTenantID)
	client := fromConfigOrEnv(s.ClientID, getenv, envClientID)
	if tenant.Value == "" || client.Value == "" {
		return ""
	}
	return fmt.Sprintf(" tenant_id (from %s) and client_id (from %s) name an app registration, but no credential for it is set: "+
		"set client_secret or ARM_CLIENT_SECRET (in CI, map the pipeline's secret into the job's environment: secrets are not passed on by themselves), "+
		"a client certificate, or use_oidc with a federated token.", tenant.Source, client.Source)
}

// needsAppRegistration reports whether the method signs in as an app
// registration, and so needs its tenant_id and client_id.
func needsAppRegistration(m graph.AuthMethod) bool {
	switch m {
	case graph.AuthClientSecret, graph.AuthClientCertificate, graph.AuthOIDC:
		return true
	}
	// Azure CLI and managed identity: tenant_id narrows the CLI's account;
	// client_id picks a user-assigned identity.
	return false
}

// appendMissing adds attr, with its environment variables, to missing when
// the setting is unset or blank.
func appendMissing(missing []string, attr string, st setting, envs []string) []string {
	if !st.set() || strings.TrimSpace(st.Value) == "" {
		missing = append(missing, fmt.Sprintf("%s (or %s)", attr, strings.Join(envs, " / ")))
	}
	return missing
}

// resolveCredential fills in out the credential of the method (secret,
// certificate or OIDC token) and returns the settings it lacks.
func resolveCredential(m graph.AuthMethod, s authSettings, getenv envLookup, readFile func(string) ([]byte, error), out *resolvedConfig) ([]string, *configError) {
	switch m {
	case graph.AuthClientSecret:
		secret := fromConfigOrEnv(s.ClientSecret, getenv, envClientSecret)
		out.Auth.ClientSecret = secret.Value
		return appendMissing(nil, "client_secret", secret, envClientSecret), nil
	case graph.AuthClientCertificate:
		data, err := certificateData(s, getenv, readFile)
		if err != nil {
			return nil, err
		}
		out.Auth.CertificateData = data
		out.Auth.CertificatePassword = fromConfigOrEnv(s.ClientCertificatePassword, getenv, envClientCertPassword).Value
	case graph.AuthOIDC:
		return resolveOIDCToken(s, getenv, out), nil
	case graph.AuthAzureCLI, graph.AuthManagedIdentity:
		// No credential of their own: the CLI's login or the host's identity.
	}
	return nil, nil
}

// resolveOIDCToken fills in out the federated token or its file and
// returns the settings it lacks.
func resolveOIDCToken(s authSettings, getenv envLookup, out *resolvedConfig) []string {
	tok, file := oidcTokenSource(s, getenv)
	var missing []string
	if !tok.set() && !file.set() {
		missing = append(missing, "oidc_token or oidc_token_file_path (or ARM_OIDC_TOKEN / ARM_OIDC_TOKEN_FILE_PATH / AZURE_FEDERATED_TOKEN_FILE)")
	}
	out.Auth.OIDCToken = tok.Value
	out.Auth.OIDCTokenFilePath = file.Value
	if file.set() {
		out.Sources["oidc_token_file_path"] = file.Source
	}
	return missing
}

// oidcTokenSource returns the federated token or the file that holds it
// (at most one of them set): the provider block's, else the environment's,
// where a token wins over a file.
func oidcTokenSource(s authSettings, getenv envLookup) (tok, file setting) {
	// The block chose its token source; the environment must not add a second one.
	if s.OIDCToken != nil {
		return setting{Value: *s.OIDCToken, Source: fromProviderBlock}, setting{}
	}
	if s.OIDCTokenFilePath != nil {
		return setting{}, setting{Value: *s.OIDCTokenFilePath, Source: fromProviderBlock}
	}
	tok = fromConfigOrEnv(nil, getenv, envOIDCToken)
	if !tok.set() {
		file = fromConfigOrEnv(nil, getenv, envOIDCTokenFilePath)
	}
	return tok, file
}

// resolveIdentity checks and records tenant_id and client_id, whichever
// is set.
func resolveIdentity(tenant, client setting, out *resolvedConfig) *configError {
	if tenant.set() {
		if p := checkTenantID(tenant.Value); p != "" {
			return &configError{Attribute: "tenant_id", Summary: "Invalid Tenant ID", Detail: describe("tenant_id", tenant) + ": " + p + "."}
		}
		out.Auth.TenantID = tenant.Value
		out.Sources["tenant_id"] = tenant.Source
	}
	if client.set() {
		if p := checkGUID(client.Value, "Application (client) ID of the app registration"); p != "" {
			return &configError{Attribute: "client_id", Summary: "Invalid Client ID", Detail: describe("client_id", client) + ": " + p + "."}
		}
		out.Auth.ClientID = client.Value
		out.Sources["client_id"] = client.Source
	}
	return nil
}

// certificateData returns the certificate bytes (PKCS#12 or PEM) from
// client_certificate (PEM text or base64) or from the file at client_certificate_path.
func certificateData(s authSettings, getenv envLookup, readFile func(string) ([]byte, error)) ([]byte, *configError) {
	inline := setting{}
	path := setting{}
	switch {
	case s.ClientCertificate != nil:
		inline = setting{Value: *s.ClientCertificate, Source: fromProviderBlock}
	case s.ClientCertificatePath != nil:
		path = setting{Value: *s.ClientCertificatePath, Source: fromProviderBlock}
	default:
		inline = fromConfigOrEnv(nil, getenv, envClientCertificate)
		path = fromConfigOrEnv(nil, getenv, envClientCertPath)
		if inline.set() && path.set() {
			return nil, &configError{
				Summary: "Conflicting Certificate Settings",
				Detail:  fmt.Sprintf("Both %s and %s are set. Unset one of them: a certificate comes either inline or from a file.", inline.Source, path.Source),
			}
		}
	}
	if path.set() {
		data, err := readFile(path.Value)
		if err != nil {
			return nil, &configError{
				Attribute: "client_certificate_path",
				Summary:   "Unable To Read Client Certificate",
				Detail:    fmt.Sprintf("Reading the certificate file named by %s failed. Check that the file exists and is readable by Terraform.\n\n%s", describe("client_certificate_path", path), err),
			}
		}
		return data, nil
	}
	data, ok := decodeCertificate(inline.Value)
	if !ok {
		return nil, &configError{
			Attribute: "client_certificate",
			Summary:   "Invalid Client Certificate",
			Detail:    describe("client_certificate", inline) + " is neither PEM text (-----BEGIN CERTIFICATE-----) nor base64. Pass the PKCS#12 (.pfx) file or the PEM file base64-encoded, for example with filebase64(\"cert.pfx\"), or use client_certificate_path.",
		}
	}
	return data, nil
}

// decodeCertificate accepts PEM text as is, or standard base64 of a
// PKCS#12 or PEM file (whitespace and line breaks ignored).
func decodeCertificate(v string) ([]byte, bool) {
	t := strings.TrimSpace(v)
	if t == "" {
		return nil, false
	}
	if strings.HasPrefix(t, "-----BEGIN") {
		return []byte(t), true
	}
	compact := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, t)
	data, err := base64.StdEncoding.DecodeString(compact)
	if err != nil || len(data) == 0 {
		return nil, false
	}
	return data, true
}

// resolveEndpoints picks the Graph endpoint and authority host: explicit
// overrides first, then the cloud named by environment.
func resolveEndpoints(s authSettings, getenv envLookup, out *resolvedConfig) *configError {
	envName := fromConfigOrEnv(s.Environment, getenv, envEnvironment)
	name := defaultEnvironmentName
	if envName.set() {
		name = strings.ToLower(strings.TrimSpace(envName.Value))
	}
	var cloud *cloudEnvironment
	for i := range cloudEnvironments {
		if cloudEnvironments[i].Name == name {
			cloud = &cloudEnvironments[i]
		}
	}
	if cloud == nil {
		return &configError{
			Attribute: "environment",
			Summary:   "Invalid Environment",
			Detail:    fmt.Sprintf("%s is %q. Accepted values: %s.", describe("environment", envName), envName.Value, strings.Join(environmentNames(), ", ")),
		}
	}
	out.Environment = cloud.Name

	graphEP := fromConfigOrEnv(s.GraphEndpoint, getenv, envGraphEndpoint)
	authority := fromConfigOrEnv(s.AuthorityHost, getenv, envAuthorityHost)
	out.GraphEndpoint = cloud.GraphEndpoint
	out.Auth.AuthorityHost = cloud.AuthorityHost
	if graphEP.set() {
		if p := checkEndpointURL(graphEP.Value); p != "" {
			return &configError{Attribute: "graph_endpoint", Summary: "Invalid Graph Endpoint", Detail: describe("graph_endpoint", graphEP) + ": " + p + "."}
		}
		out.GraphEndpoint = strings.TrimSuffix(graphEP.Value, "/")
		out.Sources["graph_endpoint"] = graphEP.Source
	}
	if authority.set() {
		if p := checkEndpointURL(authority.Value); p != "" {
			return &configError{Attribute: "authority_host", Summary: "Invalid Authority Host", Detail: describe("authority_host", authority) + ": " + p + "."}
		}
		out.Auth.AuthorityHost = strings.TrimSuffix(authority.Value, "/") + "/"
		out.Sources["authority_host"] = authority.Source
	}
	return nil
}

// osEnv and osReadFile are the real environment and file system, kept as
// values so unit tests can substitute fakes without touching the process.
var (
	osEnv      envLookup = os.Getenv
	osReadFile           = os.ReadFile
)
