# A guest from Rival Corp, whose organization examples/demo blocks with a
# b2b_cross_tenant_access_partner entry. `make demo` runs `plan` here after
# applying examples/demo: the plan fails with "Guest Organization Blocked"
# before any invitation is sent.

terraform {
  required_version = ">= 1.5.7"

  required_providers {
    b2b = {
      source = "entra-b2b/b2b"
    }
  }
}

provider "b2b" {
  default_redirect_url = "https://myapps.microsoft.com"
}

resource "b2b_guest_user" "sam" {
  email        = "sam.taylor@rival.example"
  display_name = "Sam Taylor"
}
