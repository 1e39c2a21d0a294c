# A certificate uploaded to the app registration instead of a client secret.
# The file may be PEM (certificate and private key) or PKCS#12 (.pfx).
# Environment variables: ARM_CLIENT_CERTIFICATE_PATH and
# ARM_CLIENT_CERTIFICATE_PASSWORD.
provider "b2b" {
  tenant_id                   = "00000000-0000-0000-0000-000000000000"
  client_id                   = "11111111-1111-1111-1111-111111111111"
  client_certificate_path     = "${path.module}/invitations.pfx"
  client_certificate_password = var.certificate_password
}

variable "certificate_password" {
  type      = string
  sensitive = true
}
