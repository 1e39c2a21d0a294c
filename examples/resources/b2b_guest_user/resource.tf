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

# A guest who needs access: member of two groups, with a named sponsor who
# answers for the guest in access reviews. Only these two groups are
# managed; memberships the guest has in other groups are left alone.
resource "b2b_guest_user" "consultant" {
  email        = "dave@consulting.example"
  redirect_url = "https://myapps.microsoft.com"
  display_name = "Dave Kim (Consulting)"

  group_ids = [
    "3f1c2a9e-8d4b-4c6a-9b7e-1a2b3c4d5e6f", # e.g. azuread_group.project_x.object_id
    "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d",
  ]
  sponsor_ids = ["0b1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e"] # a user or a group
}
