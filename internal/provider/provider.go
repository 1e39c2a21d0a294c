// Package provider is the Terraform side of the b2b provider: the provider
// block, resources, data sources, actions, their models, validators and
// diagnostics. Everything Graph-specific lives in internal/graph.
package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

var (
	_ provider.Provider                   = (*b2bProvider)(nil)
	_ provider.ProviderWithValidateConfig = (*b2bProvider)(nil)
	_ provider.ProviderWithActions        = (*b2bProvider)(nil)
	_ provider.ProviderWithListResources  = (*b2bProvider)(nil)
)

// b2bProvider is the provider implementation; version goes into the User-Agent.
type b2bProvider struct {
	version string
	// env and readFile are the process environment and file system; the
	// unit tests of Configure swap them for fakes.
	env      envLookup
	readFile func(string) ([]byte, error)
	// now is the clock that plans time-based changes (expires_on).
	now func() time.Time
}

// Option configures the provider at construction.
type Option func(*b2bProvider)

// WithClock sets the clock the provider plans time-based changes by
// (b2b_guest_user's expires_on): time.Now in the served binary, a fake
// clock in the acceptance tests, so that a test moves time instead of
// sleeping and the provider has no test-only branch.
func WithClock(now func() time.Time) Option {
	return func(p *b2bProvider) { p.now = now }
}

// New returns the provider factory for providerserver; version is "dev"
// for local builds, "test" in acceptance tests, the release tag otherwise.
// Without WithClock the provider uses time.Now.
func New(version string, opts ...Option) func() provider.Provider {
	return func() provider.Provider {
		p := &b2bProvider{version: version, env: osEnv, readFile: osReadFile, now: time.Now}
		for _, o := range opts {
			o(p)
		}
		return p
	}
}

// providerModelV0 is the provider block.
type providerModelV0 struct {
	TenantID                     types.String `tfsdk:"tenant_id"`
	ClientID                     types.String `tfsdk:"client_id"`
	ClientSecret                 types.String `tfsdk:"client_secret"`
	ClientCertificate            types.String `tfsdk:"client_certificate"`
	ClientCertificatePath        types.String `tfsdk:"client_certificate_path"`
	ClientCertificatePassword    types.String `tfsdk:"client_certificate_password"`
	UseOIDC                      types.Bool   `tfsdk:"use_oidc"`
	OIDCToken                    types.String `tfsdk:"oidc_token"`
	OIDCTokenFilePath            types.String `tfsdk:"oidc_token_file_path"`
	UseCLI                       types.Bool   `tfsdk:"use_cli"`
	UseMSI                       types.Bool   `tfsdk:"use_msi"`
	Environment                  types.String `tfsdk:"environment"`
	GraphEndpoint                types.String `tfsdk:"graph_endpoint"`
	AuthorityHost                types.String `tfsdk:"authority_host"`
	DefaultRedirectURL           types.String `tfsdk:"default_redirect_url"`
	DefaultSendInvitationMessage types.Bool   `tfsdk:"default_send_invitation_message"`
	ReadSignInActivity           types.Bool   `tfsdk:"read_sign_in_activity"`
}

// Metadata implements provider.Provider.
func (p *b2bProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "b2b"
	resp.Version = p.version
}

// Schema implements provider.Provider.
func (p *b2bProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = providerSchemaV0()
}

func envDoc(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = "`" + n + "`"
	}
	return strings.Join(quoted, " or ")
}

func providerSchemaV0() schema.Schema {
	notBlank := []validator.String{notBlankValidator()}
	return schema.Schema{
		MarkdownDescription: "The b2b provider manages Microsoft Entra ID B2B guest users through Microsoft Graph. " +
			"It authenticates as an app registration (or as the Azure CLI user, or a managed identity) with exactly one method:\n\n" +
			authMethodsMarkdown() +
			"\nSettings in the provider block take precedence over environment variables. " +
			"Configuring the provider requests its access token, so wrong or expired credentials stop the run once, before any guest is read; " +
			"a provider block with values known only after apply makes no network call until they are known.",
		Attributes: map[string]schema.Attribute{
			"tenant_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The Directory (tenant) ID, a GUID, or one of the tenant's domain names such as `contoso.onmicrosoft.com`. " +
					"Falls back to " + envDoc(envTenantID) + ". Required by the client secret, client certificate and OIDC methods.",
				Validators: []validator.String{tenantIDValidator()},
			},
			"client_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The Application (client) ID of the app registration, a GUID; with `use_msi`, the client ID of a user-assigned managed identity. " +
					"Falls back to " + envDoc(envClientID) + ".",
				Validators: []validator.String{guidValidator("Application (client) ID of the app registration")},
			},
			"client_secret": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "A client secret of the app registration. Falls back to " + envDoc(envClientSecret) + ".",
				Validators:          notBlank,
			},
			"client_certificate": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "The client certificate with its private key: a PKCS#12 (`.pfx`) or PEM file, base64-encoded (e.g. `filebase64(\"app.pfx\")`), or PEM text. " +
					"Falls back to " + envDoc(envClientCertificate) + ". Conflicts with `client_certificate_path`.",
				Validators: notBlank,
			},
			"client_certificate_path": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Path to a PKCS#12 (`.pfx`) or PEM file holding the client certificate and its private key. " +
					"Falls back to " + envDoc(envClientCertPath) + ".",
				Validators: notBlank,
			},
			"client_certificate_password": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "The password protecting the certificate's private key, if any. Falls back to " + envDoc(envClientCertPassword) + ".",
			},
			"use_oidc": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Authenticate with workload identity federation: exchange an OIDC token issued by a trusted identity provider (GitHub Actions, Kubernetes, ...) for an Entra token. " +
					"Falls back to " + envDoc(envUseOIDC) + ".",
			},
			"oidc_token": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "The federated OIDC token itself (needs `use_oidc = true`). Falls back to " + envDoc(envOIDCToken) + ".",
				Validators:          notBlank,
			},
			"oidc_token_file_path": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Path to a file holding the federated OIDC token, re-read for every token request so rotation works (needs `use_oidc = true`). " +
					"Falls back to " + envDoc(envOIDCTokenFilePath) + ".",
				Validators: notBlank,
			},
			"use_cli": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Authenticate as the user signed in to the Azure CLI (`az login`). Falls back to " + envDoc(envUseCLI) + ".",
			},
			"use_msi": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Authenticate with the managed identity of the Azure host Terraform runs on. Falls back to " + envDoc(envUseMSI) + ".",
			},
			"environment": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The national cloud, which picks the authority host and the Graph endpoint. One of " +
					quotedList(environmentNames()) + ". Defaults to `" + defaultEnvironmentName + "`. Falls back to " + envDoc(envEnvironment) + ".",
				Validators: []validator.String{stringvalidator.OneOf(environmentNames()...)},
			},
			"graph_endpoint": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Overrides the Microsoft Graph endpoint of `environment`, as `https://host[:port]` (without `/v1.0`). https only, loopback addresses included, because tokens are sent to it. " +
					"Falls back to " + envDoc(envGraphEndpoint) + ".",
				Validators: []validator.String{endpointURLValidator()},
			},
			"authority_host": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Overrides the Microsoft identity platform authority host of `environment`, as `https://host[:port]`. https only, loopback addresses included. " +
					"Falls back to " + envDoc(envAuthorityHost) + ".",
				Validators: []validator.String{endpointURLValidator()},
			},
			"default_redirect_url": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The `redirect_url` used by `b2b_guest_user` resources that set none: where a guest lands after redeeming the invitation. " +
					"An absolute https URL (http only for loopback hosts).",
				Validators: []validator.String{httpsURLValidator()},
			},
			"default_send_invitation_message": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "The `send_invitation_message` used by `b2b_guest_user` resources that set none: whether Microsoft sends the invitation email.",
			},
			"read_sign_in_activity": readSignInActivityAttribute(),
		},
	}
}

func quotedList(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = "`" + v + "`"
	}
	return strings.Join(q, ", ")
}

// authMethodsMarkdown renders authMethods for the provider documentation.
func authMethodsMarkdown() string {
	var b strings.Builder
	for _, m := range authMethods {
		fmt.Fprintf(&b, "- **%s**: %s\n", m.Name, m.Settings)
	}
	return b.String()
}

// settingsFromModel converts the block to authSettings, treating unknown
// values as unset, and returns the names of the unknown attributes.
func settingsFromModel(m providerModelV0) (authSettings, []string) {
	var unknown []string
	str := func(name string, v types.String) *string {
		if v.IsUnknown() {
			unknown = append(unknown, name)
			return nil
		}
		if v.IsNull() {
			return nil
		}
		s := v.ValueString()
		return &s
	}
	boolean := func(name string, v types.Bool) *bool {
		if v.IsUnknown() {
			unknown = append(unknown, name)
			return nil
		}
		if v.IsNull() {
			return nil
		}
		b := v.ValueBool()
		return &b
	}
	s := authSettings{
		TenantID:                  str("tenant_id", m.TenantID),
		ClientID:                  str("client_id", m.ClientID),
		ClientSecret:              str("client_secret", m.ClientSecret),
		ClientCertificate:         str("client_certificate", m.ClientCertificate),
		ClientCertificatePath:     str("client_certificate_path", m.ClientCertificatePath),
		ClientCertificatePassword: str("client_certificate_password", m.ClientCertificatePassword),
		UseOIDC:                   boolean("use_oidc", m.UseOIDC),
		OIDCToken:                 str("oidc_token", m.OIDCToken),
		OIDCTokenFilePath:         str("oidc_token_file_path", m.OIDCTokenFilePath),
		UseCLI:                    boolean("use_cli", m.UseCLI),
		UseMSI:                    boolean("use_msi", m.UseMSI),
		Environment:               str("environment", m.Environment),
		GraphEndpoint:             str("graph_endpoint", m.GraphEndpoint),
		AuthorityHost:             str("authority_host", m.AuthorityHost),
	}
	// The invitation defaults do not affect authentication, but an unknown
	// one still means the data handed to resources is incomplete.
	if m.DefaultRedirectURL.IsUnknown() {
		unknown = append(unknown, "default_redirect_url")
	}
	if m.DefaultSendInvitationMessage.IsUnknown() {
		unknown = append(unknown, "default_send_invitation_message")
	}
	if m.ReadSignInActivity.IsUnknown() {
		unknown = append(unknown, "read_sign_in_activity")
	}
	return s, unknown
}

// ValidateConfig catches contradictions inside the provider block at plan
// (and validate) time. Whether exactly one method resolves depends on the
// environment, so that is left to Configure.
func (p *b2bProvider) ValidateConfig(ctx context.Context, req provider.ValidateConfigRequest, resp *provider.ValidateConfigResponse) {
	var m providerModelV0
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	s, _ := settingsFromModel(m)
	for _, e := range configConflicts(s) {
		resp.Diagnostics.Append(configErrorDiagnostic(e))
	}
}

// Configure builds what every resource, data source and action shares
// (prepare), then signs in: one token request now, which every later
// call finds cached. A credential the identity platform refuses (a wrong
// or expired secret) then stops the run with one error, instead of one per
// guest and a token request each; the Azure AD provider does the same. A
// provider block with values unknown until apply makes no network call.
func (p *b2bProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	data, resolved := p.prepare(ctx, req, resp)
	if data == nil {
		return
	}
	if data.Client != nil {
		if err := data.Client.SignIn(ctx); err != nil {
			resp.Diagnostics.Append(signInDiagnostic(resolved, err))
			return
		}
	}
	p.handOut(resp, data)
}

// prepare resolves the authentication method and builds the one Graph
// client, without a network call. It returns nil, with resp's diagnostics
// saying why, when the configuration is wrong, and data without a client
// (resp.Deferred set where Terraform allows) when it is unknown until apply.
func (p *b2bProvider) prepare(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) (*providerData, *resolvedConfig) {
	var m providerModelV0
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return nil, nil
	}
	s, unknown := settingsFromModel(m)

	data := &providerData{now: p.now}
	if !m.DefaultRedirectURL.IsNull() && !m.DefaultRedirectURL.IsUnknown() {
		data.DefaultRedirectURL = m.DefaultRedirectURL.ValueString()
	}
	if !m.DefaultSendInvitationMessage.IsNull() && !m.DefaultSendInvitationMessage.IsUnknown() {
		v := m.DefaultSendInvitationMessage.ValueBool()
		data.DefaultSendInvitationMessage = &v
	}
	data.ReadSignInActivity = m.ReadSignInActivity.ValueBool() // unknown or null: false

	data.UnknownConfig = unknown
	authUnknown := false
	for _, name := range unknown {
		if !strings.HasPrefix(name, "default_") && name != "read_sign_in_activity" {
			authUnknown = true
		}
	}
	if authUnknown {
		// Values computed during apply: resolving now could pick the wrong
		// method from the environment, and failing would break the plan.
		// Unknown invitation defaults alone do not stop the client.
		tflog.Debug(ctx, "provider configuration has unknown values; Graph client deferred", map[string]any{"unknown": unknown})
		if req.ClientCapabilities.DeferralAllowed {
			resp.Deferred = &provider.Deferred{Reason: provider.DeferredReasonProviderConfigUnknown}
		}
		return data, nil
	}

	resolved, cerr := resolveConfig(s, p.env, p.readFile)
	if cerr != nil {
		resp.Diagnostics.Append(configErrorDiagnostic(cerr))
		return nil, nil
	}

	userAgent := "terraform-provider-b2b/" + p.version
	if req.TerraformVersion != "" {
		userAgent += " Terraform/" + req.TerraformVersion
	}
	logger := newTflogLogger(resolved.Auth.ClientSecret, resolved.Auth.CertificatePassword, resolved.Auth.OIDCToken)
	ctx = logger.mask(ctx)

	client, err := graph.New(graph.Config{
		Auth:          resolved.Auth,
		GraphEndpoint: resolved.GraphEndpoint,
		UserAgent:     userAgent,
		Logger:        logger,

		ReadSignInActivity: data.ReadSignInActivity,
	})
	if err != nil {
		resp.Diagnostics.AddError("Unable To Create Microsoft Graph Client",
			errorDetail(fmt.Sprintf("Building the Graph client for authentication by %s failed.", authMethodName(resolved.Auth.Method)),
				"Check the credential settings of the provider block; a certificate must contain its private key, and an encrypted key needs client_certificate_password.",
				err))
		return nil, nil
	}
	data.Client = client
	data.TenantID = resolved.Auth.TenantID

	tflog.Debug(ctx, "provider configured", map[string]any{
		"auth_method":    string(resolved.Auth.Method),
		"environment":    resolved.Environment,
		"graph_endpoint": resolved.GraphEndpoint,
		"authority_host": resolved.Auth.AuthorityHost,
		"sources":        resolved.Sources,
	})
	return data, resolved
}

func (p *b2bProvider) handOut(resp *provider.ConfigureResponse, data *providerData) {
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.ActionData = data
	resp.ListResourceData = data
	resp.EphemeralResourceData = data
}

// Resources implements provider.Provider.
func (p *b2bProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewGuestUserResource,
		NewCrossTenantAccessPartnerResource,
		NewCrossTenantAccessDefaultResource,
		NewCrossTenantIdentitySyncResource,
		NewExternalCollaborationSettingsResource,
	}
}

// DataSources implements provider.Provider.
func (p *b2bProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewGuestUserDataSource,
		NewGuestUsersDataSource,
		NewTenantDataSource,
	}
}

// Actions implements provider.ProviderWithActions.
func (p *b2bProvider) Actions(context.Context) []func() action.Action {
	return []func() action.Action{NewResendInvitationAction}
}

// ListResources implements provider.ProviderWithListResources.
func (p *b2bProvider) ListResources(context.Context) []func() list.ListResource {
	return []func() list.ListResource{NewGuestUserListResource}
}

// requireClient returns the shared client, or a diagnostic when the
// provider could not build one because its configuration was unknown.
func (d *providerData) requireClient() (*graph.Client, diag.Diagnostics) {
	var diags diag.Diagnostics
	if d == nil || d.Client == nil {
		var unknown []string
		if d != nil {
			unknown = d.UnknownConfig
		}
		diags.Append(providerNotConfiguredDiagnostic(unknown))
		return nil, diags
	}
	return d.Client, diags
}

// isUnknown reports whether the provider block attribute name was unknown
// at Configure time, e.g. default_redirect_url computed during apply: a
// plan must then not treat the default as absent.
func (d *providerData) isUnknown(name string) bool {
	if d == nil {
		return false
	}
	for _, n := range d.UnknownConfig {
		if n == name {
			return true
		}
	}
	return false
}

// providerDataFrom extracts *providerData from a Configure request's
// ProviderData; nil (before the provider is configured) is not an error.
func providerDataFrom(raw any) (*providerData, diag.Diagnostics) {
	var diags diag.Diagnostics
	if raw == nil {
		return nil, diags
	}
	d, ok := raw.(*providerData)
	if !ok {
		diags.Append(unexpectedProviderDataDiagnostic(raw))
		return nil, diags
	}
	return d, diags
}
