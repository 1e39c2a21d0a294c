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
