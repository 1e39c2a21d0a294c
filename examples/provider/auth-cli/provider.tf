# The account signed in with `az login`, for trying the provider on a
# workstation. That account needs the same permissions as the app
# registration would (for example the Guest Inviter and User Administrator
# roles).
provider "b2b" {
  tenant_id = "contoso.onmicrosoft.com"
  use_cli   = true
}
