# Everyone whose invitation is still pending, for example to send a reminder.
data "b2b_guest_users" "pending" {
  invitation_state = "PendingAcceptance"
}

output "pending_addresses" {
  value = [for g in data.b2b_guest_users.pending.guests : g.email]
}

# Guests of one partner invited during 2024 (filters combine with "and").
data "b2b_guest_users" "partner_2024" {
  email_domain   = "partner.example"
  created_after  = "2024-01-01T00:00:00Z"
  created_before = "2024-12-31T23:59:59Z"
}

output "partner_2024_count" {
  value = data.b2b_guest_users.partner_2024.total
}

# The guests among the direct members of a group.
data "b2b_guest_users" "project_x" {
  member_of_group_id = "9a2b1c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d"
}
