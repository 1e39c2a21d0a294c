# Every organization without a partner entry: its users may still be
# invited (the system default, left unset), their MFA is trusted, and
# guests without a Microsoft Entra or federated account redeem with a
# one-time passcode instead of a new Microsoft account.
resource "b2b_cross_tenant_access_default" "this" {
  inbound_trust = {
    mfa_accepted                  = true
    compliant_device_accepted     = false
    hybrid_joined_device_accepted = false
  }

  invitation_redemption = {
    primary_identity_provider_precedence_order = ["azureActiveDirectory", "externalFederation", "socialIdentityProviders"]
    fallback_identity_provider                 = "emailOneTimePasscode"
  }
}
