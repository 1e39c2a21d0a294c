# The report half of the nightly pipeline: guests to look at, not to change.
# Read with `terraform output -json` after the apply.

# Redeemed, but no sign-in for 90 days. The sign-in filters need
# read_sign_in_activity = true in the provider block. Without the
# invitation_state filter they would also list the pending guests, which
# the pending report below covers.
data "b2b_guest_users" "inactive" {
  invitation_state  = "Accepted"
  inactive_for_days = 90
}

# Redeemed, and never signed in since.
data "b2b_guest_users" "never_signed_in" {
  invitation_state = "Accepted"
  never_signed_in  = true
}

# Invited more than 30 days ago and never redeemed.
data "b2b_guest_users" "pending" {
  pending_for_days = 30
}

# Past their employeeLeaveDateTime (expires_on), whoever manages them.
data "b2b_guest_users" "expired" {
  expired = true
}

output "stale_guests" {
  value = {
    inactive        = [for g in data.b2b_guest_users.inactive.guests : g.email]
    never_signed_in = [for g in data.b2b_guest_users.never_signed_in.guests : g.email]
    pending         = [for g in data.b2b_guest_users.pending.guests : g.email]
    expired         = [for g in data.b2b_guest_users.expired.guests : g.email]
  }
}
