package provider

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

var (
	_ datasource.DataSource              = (*tenantDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*tenantDataSource)(nil)
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
// domains, so a partner can be written by domain rather than by tenant ID.
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
			"(Microsoft Graph `findTenantInformationByDomainName`), so that partner settings can be written by domain. " +
			"Needs the Microsoft Graph application permission `CrossTenantInformation.ReadBasic.All`.",
		Attributes: map[string]schema.Attribute{
			"domain_name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "A verified domain of the tenant to find, e.g. `partner.example`. Matched without regard to case.",
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
				Computed:            true,
				MarkdownDescription: "The tenant (directory) ID, a GUID in lower case.",
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

	domain := m.DomainName.ValueString()
	tflog.Debug(ctx, "looking up tenant by domain", map[string]any{"domain_name": domain})
	ti, err := client.FindTenantByDomain(ctx, domain)
	if err != nil {
		if graph.IsNotFound(err) {
			resp.Diagnostics.AddAttributeError(path.Root("domain_name"), "Tenant Not Found",
				errorDetail(fmt.Sprintf("Looked up the Microsoft Entra tenant that owns the domain %q: no tenant has it as a verified domain.", domain),
					"Check the spelling. The domain must be verified in the partner's Entra tenant; a consumer mail domain, or an organization without Entra ID, belongs to no tenant.", err))
			return
		}
		resp.Diagnostics.Append(graphErrorAttributeDiagnostic(path.Root("domain_name"), "Error Looking Up Tenant",
			fmt.Sprintf("Looking up the Microsoft Entra tenant that owns the domain %q failed.", domain), err))
		return
	}
	m.ID = types.StringValue(ti.TenantID)
	m.TenantID = types.StringValue(ti.TenantID)
	m.DisplayName = types.StringValue(ti.DisplayName)
	m.DefaultDomainName = types.StringValue(ti.DefaultDomainName)
	m.FederationBrandName = types.StringPointerValue(ti.FederationBrandName)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
