output "object_ids" {
  description = "The object ID of each guest, keyed by lower-cased email address."
  value       = { for key, g in b2b_guest_user.this : key => g.id }
}

output "pending" {
  description = "The addresses whose invitation has not been accepted yet."
  value       = sort([for key, g in b2b_guest_user.this : key if g.invitation_state == "PendingAcceptance"])
}
