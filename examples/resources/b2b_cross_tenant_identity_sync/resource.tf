resource "b2b_cross_tenant_access_partner" "fabrikam" {
  tenant_id = "3d0f5dec-5d3d-455c-8016-e2af1ae4d31a"
}

# Users of Fabrikam may be synchronized into this tenant. Referencing the
# partner's tenant_id creates the partner first and destroys it last.
resource "b2b_cross_tenant_identity_sync" "fabrikam" {
  tenant_id                 = b2b_cross_tenant_access_partner.fabrikam.tenant_id
  display_name              = "Fabrikam"
  user_sync_inbound_allowed = true
}
