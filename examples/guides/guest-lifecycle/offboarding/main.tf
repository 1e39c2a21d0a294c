# Ending a guest's access, and reorganising the configuration without
# touching the guests.

# Disable instead of delete when the block goes. Destroy reads on_destroy
# from the state, so apply this setting first and remove the block in a
# later change: both in one change would delete the guest.
resource "b2b_guest_user" "contractor" {
  email        = "ivy@contractor.example"
  redirect_url = "https://myapps.microsoft.com"
  on_destroy   = "disable"
}

# Stop managing a guest and leave it as it is in Entra: its resource
# block is deleted and this takes its place (Terraform 1.7, OpenTofu 1.7).
removed {
  from = b2b_guest_user.vendor

  lifecycle {
    destroy = false
  }
}

# Rename a block, or move guests into a for_each or a module: the plan
# shows the move and no change, and nobody is invited again.
moved {
  from = b2b_guest_user.kim
  to   = b2b_guest_user.partner["kim@vendor.example"]
}

resource "b2b_guest_user" "partner" {
  for_each     = toset(["kim@vendor.example"])
  email        = each.key
  redirect_url = "https://myapps.microsoft.com"
}
