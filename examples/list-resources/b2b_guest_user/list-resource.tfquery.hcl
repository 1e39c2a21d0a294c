# terraform query (Terraform 1.14 and later) lists the guests this block
# finds; add -generate-config-out=guests.tf to write an import block and a
# b2b_guest_user resource for each of them.
list "b2b_guest_user" "partner" {
  provider         = b2b
  include_resource = true

  config {
    email_domain     = "partner.example"
    invitation_state = "Accepted"
  }
}
