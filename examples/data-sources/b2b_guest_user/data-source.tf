# Look a user up by the address that was invited (mail or any of other_mails).
data "b2b_guest_user" "by_email" {
  email = "alice@partner.example"
}

# Or by object ID, for example one exported by another configuration.
data "b2b_guest_user" "by_id" {
  object_id = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
}

output "alice_has_accepted" {
  value = data.b2b_guest_user.by_email.invitation_state == "Accepted"
}
