package provider_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

func tenantDataSource(domain string) string {
	return fmt.Sprintf("data \"b2b_tenant\" \"test\" {\n  domain_name = %q\n}\n", domain)
}

// registerFabrikam registers a foreign tenant with two domains in the
// test's emulator and returns its tenant ID.
func registerFabrikam(t *testing.T, srv *emulator.Server) string {
	t.Helper()
	id := acctest.NewGUID()
	err := srv.RegisterTenant(emulator.ForeignTenant{
		TenantID: id, DisplayName: "Fabrikam", DefaultDomainName: "fabrikam.example",
		FederationBrandName: "Fabrikam Inc.", Domains: []string{"fabrikam-partners.example"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// A tenant is found by any of its domains, in any case, and the data
// source reports its default domain.
func TestAccTenantDataSource_KnownDomain(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithPermissions(emulator.PermCrossTenantInformationReadBasicAll))
	id := registerFabrikam(t, env.RequireEmulator(t))
	attr := func(name string, want knownvalue.Check) statecheck.StateCheck {
		return statecheck.ExpectKnownValue("data.b2b_tenant.test", tfjsonpath.New(name), want)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: env.ProviderConfig() + tenantDataSource("Fabrikam-Partners.example"),
			ConfigStateChecks: []statecheck.StateCheck{
				attr("id", knownvalue.StringExact(id)),
				attr("tenant_id", knownvalue.StringExact(id)),
				attr("display_name", knownvalue.StringExact("Fabrikam")),
				attr("default_domain_name", knownvalue.StringExact("fabrikam.example")),
				attr("federation_brand_name", knownvalue.StringExact("Fabrikam Inc.")),
			},
		}},
	})
}

// A domain no tenant has fails on the attribute, saying so.
func TestAccTenantDataSource_UnknownDomain(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithPermissions(emulator.PermCrossTenantInformationReadBasicAll))
	registerFabrikam(t, env.RequireEmulator(t))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: env.ProviderConfig() + tenantDataSource("contoso-unknown.example"),
			ExpectError: errorRE("Tenant Not Found",
				`the domain "contoso-unknown.example": no tenant has it as a verified domain.`,
				"Check the spelling."),
		}},
	})
}

// Something that is not a domain is refused before any call.
func TestAccTenantDataSource_NotADomain(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithPermissions(emulator.PermCrossTenantInformationReadBasicAll))
	srv := env.RequireEmulator(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      env.ProviderConfig() + tenantDataSource("alice@fabrikam.example"),
			ExpectError: errorRE("Attribute domain_name must be a domain name such as partner.example"),
		}},
	})
	if n := srv.Counters()["GET /v1.0/tenantRelationships/findTenantInformationByDomainName(domainName='{domainName}')"]; n != 0 {
		t.Fatalf("%d look-ups sent for a value that is not a domain", n)
	}
}

// Data source b2b_tenant: the look-up needs CrossTenantInformation.ReadBasic.All
// and nothing else grants it.
func TestAccPermissions_TenantDataSourceNeedsCrossTenantInformationReadBasicAll(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithPermissions(emulator.PermUserReadWriteAll, emulator.PermPolicyReadWriteAuthorization))
	registerFabrikam(t, env.RequireEmulator(t))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      env.ProviderConfig() + tenantDataSource("fabrikam.example"),
			ExpectError: missingPermission("Error Looking Up Tenant", "CrossTenantInformation.ReadBasic.All"),
		}},
	})
}

func tenantDataSourceByID(id string) string {
	return fmt.Sprintf("data \"b2b_tenant\" \"test\" {\n  tenant_id = %q\n}\n", id)
}

// A tenant is found by its ID in any letter case; the answer has the ID in
// lower case and the default domain as domain_name.
func TestAccTenantDataSource_KnownTenantID(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithPermissions(emulator.PermCrossTenantInformationReadBasicAll))
	srv := env.RequireEmulator(t)
	id := registerFabrikam(t, srv)
	attr := func(name string, want knownvalue.Check) statecheck.StateCheck {
		return statecheck.ExpectKnownValue("data.b2b_tenant.test", tfjsonpath.New(name), want)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: env.ProviderConfig() + tenantDataSourceByID(strings.ToUpper(id)),
			ConfigStateChecks: []statecheck.StateCheck{
				attr("id", knownvalue.StringExact(id)),
				attr("tenant_id", knownvalue.StringExact(id)),
				attr("domain_name", knownvalue.StringExact("fabrikam.example")),
				attr("display_name", knownvalue.StringExact("Fabrikam")),
				attr("default_domain_name", knownvalue.StringExact("fabrikam.example")),
				attr("federation_brand_name", knownvalue.StringExact("Fabrikam Inc.")),
			},
		}},
	})
	if n := srv.Counters()[keyFindTenantByDomain]; n != 0 {
		t.Fatalf("%d look-ups by domain for a tenant given by ID", n)
	}
}

// A tenant ID no tenant has fails on tenant_id, saying so.
func TestAccTenantDataSource_UnknownTenantID(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithPermissions(emulator.PermCrossTenantInformationReadBasicAll))
	registerFabrikam(t, env.RequireEmulator(t))
	typo := acctest.NewGUID()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: env.ProviderConfig() + tenantDataSourceByID(typo),
			ExpectError: errorRE("Tenant Not Found", "the tenant ID "+typo+": no tenant has this ID.",
				"Check the ID for a typo, or look the tenant up by one of its domain names (domain_name) instead."),
		}},
	})
}

// Exactly one of domain_name and tenant_id: both, or neither, is refused
// at plan time before any look-up.
func TestAccTenantDataSource_DomainOrTenantID(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithPermissions(emulator.PermCrossTenantInformationReadBasicAll))
	srv := env.RequireEmulator(t)
	id := registerFabrikam(t, srv)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: env.ProviderConfig() + fmt.Sprintf("data \"b2b_tenant\" \"test\" {\n  domain_name = \"fabrikam.example\"\n  tenant_id = %q\n}\n", id),
				ExpectError: errorRE("Invalid Attribute Combination",
					"Exactly one of these attributes must be configured: [domain_name,tenant_id]"),
			},
			{
				Config:      env.ProviderConfig() + "data \"b2b_tenant\" \"test\" {}\n",
				ExpectError: errorRE("Missing Attribute Configuration", "Exactly one of these attributes must be configured: [domain_name,tenant_id]"),
			},
			{
				Config:      env.ProviderConfig() + tenantDataSourceByID("fabrikam.example"),
				ExpectError: errorRE("Attribute tenant_id must be a tenant ID, a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47"),
			},
		},
	})
	if n := srv.Counters()[keyFindTenantByID] + srv.Counters()[keyFindTenantByDomain]; n != 0 {
		t.Fatalf("%d look-ups sent for configurations refused at plan time", n)
	}
}

// By ID, too, the look-up needs CrossTenantInformation.ReadBasic.All.
func TestAccPermissions_TenantDataSourceByIDNeedsCrossTenantInformationReadBasicAll(t *testing.T) {
	t.Parallel()
	env := acctest.New(t, acctest.WithPermissions(emulator.PermUserReadWriteAll, emulator.PermPolicyReadWriteCrossTenantAccess))
	id := registerFabrikam(t, env.RequireEmulator(t))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      env.ProviderConfig() + tenantDataSourceByID(id),
			ExpectError: missingPermission("Error Looking Up Tenant", "CrossTenantInformation.ReadBasic.All"),
		}},
	})
}
