# A guest with the smallest configuration: one invitation, no email sent
# (the default), and nothing else managed.
resource "b2b_guest_user" "minimal" {
  email        = "alice@partner.example"
  redirect_url = "https://myapps.microsoft.com"
}

# A guest with a profile, an invitation email with a personal message, and
# a trigger to re-send the invitation later (change the value to re-invite).
resource "b2b_guest_user" "contractor" {
  email                   = "bob@supplier.example"
  redirect_url            = "https://myapps.microsoft.com"
  display_name            = "Bob Jones (Supplier)"
  send_invitation_message = true

  invitation_message {
    body         = "Welcome! This invitation gives you access to the purchasing portal."
    cc_recipient = "sponsor@contoso.com"
  }

  given_name     = "Bob"
  surname        = "Jones"
  job_title      = "Account Manager"
  company_name   = "Supplier Ltd"
  department     = "Sales"
  usage_location = "GB"
  employee_type  = "Vendor"

  reinvite_trigger = "2026-01"

  # Keep the user restorable for 30 days after terraform destroy.
  on_destroy = "delete"

  timeouts {
    create = "15m"
  }
}

# A partner who works like an employee: a Member rather than a Guest.
resource "b2b_guest_user" "partner_member" {
  email        = "carol@partner.example"
  redirect_url = "https://myapps.microsoft.com"
  user_type    = "Member"
  display_name = "Carol White"
}
