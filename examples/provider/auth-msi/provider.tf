# The managed identity of the Azure VM, container or App Service running
# Terraform. Set client_id to pick a user-assigned identity; leave it out for
# the system-assigned one. Graph application permissions are granted to the
# identity's service principal (there is no portal page for it: use Graph or
# PowerShell).
provider "b2b" {
  tenant_id = "00000000-0000-0000-0000-000000000000"
  client_id = "22222222-2222-2222-2222-222222222222"
  use_msi   = true
}
