terraform {
  required_providers {
    b2b = {
      source = "entra-b2b/b2b"
    }
  }
}

# Credentials of the app registration that sends the invitations. Prefer the
# ARM_TENANT_ID, ARM_CLIENT_ID and ARM_CLIENT_SECRET environment variables to
# keep the key out of the configuration; the variables below are only for
# pipelines that pass them as inputs.
provider "b2b" {
  tenant_id     = var.tenant_id     # Directory (tenant) ID
  client_id     = var.client_id     # Application (client) ID
  client_secret = var.client_secret # the application key

  # Used by every b2b_guest_user that sets neither redirect_url nor
  # send_invitation_message.
  default_redirect_url            = "https://myapps.microsoft.com"
  default_send_invitation_message = true
}

variable "tenant_id" {
  type = string
}

variable "client_id" {
  type = string
}

variable "client_secret" {
  type      = string
  sensitive = true
}
