# Guests whose access ends on a date. The nightly pipeline's plan disables
# each one once the date has passed (account_enabled -> false, with a
# warning naming the guest and the date); nothing happens between runs.
resource "b2b_guest_user" "auditor" {
  email        = "dana@audit-firm.example"
  display_name = "Dana Reyes (Audit Firm)"
  redirect_url = "https://myapps.microsoft.com"

  # A date: the guest expires at 00:00 UTC that day.
  expires_on = "2027-06-30"

  # Sponsors travel with the invitation (invitedUserSponsors) and answer
  # for the guest in Entra's access reviews.
  sponsor_ids = ["4f6c2a9e-1b3d-4e5f-8a7b-9c0d1e2f3a4b"]
}

# A time with its offset, for access that ends at the close of a workshop.
resource "b2b_guest_user" "workshop" {
  email        = "eli@partner.example"
  redirect_url = "https://myapps.microsoft.com"
  expires_on   = "2027-10-15T18:00:00+02:00"
}

# Many guests of one project end with it: one date to move.
variable "project_end" {
  type    = string
  default = "2027-03-31"
}

variable "project_guests" {
  type    = set(string)
  default = ["fay@partner.example", "gus@partner.example"]
}

resource "b2b_guest_user" "project" {
  for_each     = var.project_guests
  email        = each.value
  redirect_url = "https://myapps.microsoft.com"
  expires_on   = var.project_end
}
