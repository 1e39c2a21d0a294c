# Fabrikam may collaborate: all its users may be invited to every
# application, its MFA and compliant devices are trusted (so guests are
# not asked for a second factor again), and its invitations are redeemed
# without the consent prompt. Everything not set here (B2B direct
# connect, outbound collaboration) inherits the default settings.
# The plan that creates the entry shows whose ID this is
# (tenant_display_name, tenant_default_domain_name); an ID that names no
# tenant fails the plan.
resource "b2b_cross_tenant_access_partner" "fabrikam" {
  tenant_id = "3d0f5dec-5d3d-455c-8016-e2af1ae4d31a"

  b2b_collaboration_inbound = {
    users_and_groups = {
      access_type = "allowed"
      targets     = [{ target = "AllUsers", target_type = "user" }]
    }
    applications = {
      access_type = "allowed"
      targets     = [{ target = "AllApplications", target_type = "application" }]
    }
  }

  inbound_trust = {
    mfa_accepted                  = true
    compliant_device_accepted     = true
    hybrid_joined_device_accepted = false
  }

  automatic_user_consent = {
    inbound_allowed  = true
    outbound_allowed = false
  }
}

# Contoso is blocked: none of its users may be invited.
resource "b2b_cross_tenant_access_partner" "contoso" {
  tenant_id = "9f4b2c7a-1e3d-4a5b-8c6d-7e8f9a0b1c2d"

  b2b_collaboration_inbound = {
    users_and_groups = {
      access_type = "blocked"
      targets     = [{ target = "AllUsers", target_type = "user" }]
    }
    applications = {
      access_type = "blocked"
      targets     = [{ target = "AllApplications", target_type = "application" }]
    }
  }
}
