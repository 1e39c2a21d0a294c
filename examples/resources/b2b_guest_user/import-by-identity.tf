# Terraform 1.12 and later can import by resource identity.
import {
  to = b2b_guest_user.contractor
  identity = {
    object_id = "00000000-0000-0000-0000-000000000000"
  }
}
