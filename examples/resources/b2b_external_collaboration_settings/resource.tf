# Only administrators and Guest Inviters may invite, guests see only their
# own profile, and nobody joins by verifying an email address. The switch
# left out (allowed_to_sign_up_email_based_subscriptions) keeps the tenant's
# current value.
resource "b2b_external_collaboration_settings" "this" {
  allow_invites_from                 = "adminsAndGuestInviters"
  guest_user_access                  = "restricted"
  allow_email_verified_users_to_join = false
}
