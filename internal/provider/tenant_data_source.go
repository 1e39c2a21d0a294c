package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

var (
	_ datasource.DataSource                     = (*tenantDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*tenantDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*tenantDataSource)(nil)
)

// tenantDataSourceReadTimeout bounds a read when timeouts.read is unset.
const tenantDataSourceReadTimeout = 2 * time.Minute

// domainNameRE is a DNS name of at least two labels (RFC 1123 labels):
// findTenantInformationByDomainName takes a tenant's domain, never a
// single label or an address.
var domainNameRE = regexp.MustCompile(`^(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$`)

// NewTenantDataSource is the factory registered in the provider.
func NewTenantDataSource() datasource.DataSource { return &tenantDataSource{} }

// tenantDataSource finds another organization's Entra tenant by one of its
// domains, so a partner can be written by domain rather than by tenant ID,
// or by its tenant ID, so a configuration can show (or check) who an ID is.
type tenantDataSource struct {
	data *providerData
}

// tenantDataSourceModelV0 is the b2b_tenant data source.
type tenantDataSourceModelV0 struct {
	DomainName          types.String   `tfsdk:"domain_name"`
	ID                  types.String   `tfsdk:"id"`
	TenantID            types.String   `tfsdk:"tenant_id"`
	DisplayName         types.String   `tfsdk:"display_name"`
	DefaultDomainName   types.String   `tfsdk:"default_domain_name"`
	FederationBrandName types.String   `tfsdk:"federation_brand_name"`
	Timeouts            timeouts.Value `tfsdk:"timeouts"`
}

// Metadata implements datasource.DataSource.
func (d *tenantDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_tenant"
}

// Schema implements datasource.DataSource.
func (d *tenantDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Finds another organization's Microsoft Entra tenant by one of its verified domains " +
			"(Microsoft Graph `findTenantInformationByDomainName`), so that partner settings can be written by domain, " +
			"or by its tenant ID (`findTenantInformationByTenantId`), to see which organization an ID is. Give exactly one of `domain_name` and `tenant_id`. " +
			"Needs the Microsoft Graph application permission `CrossTenantInformation.ReadBasic.All`.",
		Attributes: map[string]schema.Attribute{
			"domain_name": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "A verified domain of the tenant to find, e.g. `partner.example`. Matched without regard to case. " +
					"Exactly one of `domain_name` and `tenant_id`; when the tenant is found by `tenant_id`, its default domain.",
				Validators: []validator.String{
					stringvalidator.LengthBetween(3, 253),
					stringvalidator.RegexMatches(domainNameRE, "must be a domain name such as partner.example (letters, digits and hyphens in at least two dot-separated labels)"),
				},
			},
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The tenant ID (same as `tenant_id`).",
			},
			"tenant_id": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "The tenant (directory) ID, a GUID, to find the tenant by; exactly one of `domain_name` and `tenant_id`. " +
					"Always the tenant ID in lower case in the answer.",
				Validators: []validator.String{stringvalidator.RegexMatches(ctTenantIDPattern,
					"must be a tenant ID, a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47")},
			},
			"display_name": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The tenant's display name.",
			},
			"default_domain_name": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The tenant's default domain, which may differ from `domain_name`.",
			},
			"federation_brand_name": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The name shown to users signing in to the tenant; null when the tenant sets none.",
			},
			"timeouts": timeouts.Attributes(ctx),
		},
	}
}

// ConfigValidators implements datasource.DataSourceWithConfigValidators:
// one key to look the tenant up by, checked at validate and plan time.
func (d *tenantDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("domain_name"), path.MatchRoot("tenant_id")),
	}
}

func (m *tenantDataSourceModelV0) timeoutsBlock() timeouts.Value { return m.Timeouts }

// Configure implements datasource.DataSourceWithConfigure.
func (d *tenantDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	data, diags := providerDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	d.data = data
}

// Read implements datasource.DataSource.
func (d *tenantDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m tenantDataSourceModelV0
	ctx, cancel, client := beginModel(ctx, d.data, req.Config, &m, timeouts.Value.Read, tenantDataSourceReadTimeout, &resp.Diagnostics)
	defer cancel()
	if client == nil {
		return
	}

	ti := d.find(ctx, client, &m, &resp.Diagnostics)
	if ti == nil {
		return
	}
	if m.DomainName.IsNull() {
		m.DomainName = types.StringValue(ti.DefaultDomainName)
	}
	m.ID = types.StringValue(ti.TenantID)
	m.TenantID = types.StringValue(ti.TenantID)
	m.DisplayName = types.StringValue(ti.DisplayName)
	m.DefaultDomainName = types.StringValue(ti.DefaultDomainName)
	m.FederationBrandName = types.StringPointerValue(ti.FederationBrandName)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// find looks the tenant up by tenant_id when it is set, else by
// domain_name (the config validator lets exactly one through), through the
// run's tenant cache; nil after a diagnostic on that attribute.
func (d *tenantDataSource) find(ctx context.Context, client *graph.Client, m *tenantDataSourceModelV0, diags *diag.Diagnostics) *graph.TenantInformation {
	attr, key := "domain_name", m.DomainName.ValueString()
	what := fmt.Sprintf("the Microsoft Entra tenant that owns the domain %q", key)
	none := "no tenant has it as a verified domain."
	next := "Check the spelling. The domain must be verified in the partner's Entra tenant; a consumer mail domain, or an organization without Entra ID, belongs to no tenant."
	look := func() (*graph.TenantInformation, error) {
		return d.data.admission.tenant(ctx, client, strings.ToLower(key))
	}
	if !m.TenantID.IsNull() {
		attr, key = "tenant_id", m.TenantID.ValueString()
		what = "the Microsoft Entra tenant with the tenant ID " + key
		none = "no tenant has this ID."
		next = "Check the ID for a typo, or look the tenant up by one of its domain names (domain_name) instead."
		look = func() (*graph.TenantInformation, error) { return d.data.admission.tenantByID(ctx, client, key) }
	}
	tflog.Debug(ctx, "looking up tenant", map[string]any{attr: key})
	ti, err := look()
	switch {
	case err != nil:
		diags.Append(graphErrorAttributeDiagnostic(path.Root(attr), "Error Looking Up Tenant", "Looking up "+what+" failed.", err))
		return nil
	case ti == nil:
		diags.AddAttributeError(path.Root(attr), "Tenant Not Found", errorDetail("Looked up "+what+": "+none, next, nil))
	}
	return ti
}
