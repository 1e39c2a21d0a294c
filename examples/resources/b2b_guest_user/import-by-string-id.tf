# The id is the object ID of the user, or an email address that matches
# exactly one user. Run `terraform plan -generate-config-out=guests.tf` to
# have Terraform write the resource block.
import {
  to = b2b_guest_user.minimal
  id = "alice@partner.example"
}
