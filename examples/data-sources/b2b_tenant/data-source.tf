# Find a partner's Entra tenant by one of its verified domains.
data "b2b_tenant" "partner" {
  domain_name = "partner.example"
}

output "partner_tenant_id" {
  value = data.b2b_tenant.partner.tenant_id
}

output "partner_name" {
  value = "${data.b2b_tenant.partner.display_name} (${data.b2b_tenant.partner.default_domain_name})"
}

# Or see who a tenant ID is, e.g. one copied from a partner's e-mail.
data "b2b_tenant" "by_id" {
  tenant_id = "3d0f5dec-5d3d-455c-8016-e2af1ae4d31a"
}

output "tenant_by_id" {
  value = "${data.b2b_tenant.by_id.display_name} (${data.b2b_tenant.by_id.default_domain_name})"
}
