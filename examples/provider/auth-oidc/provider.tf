# Workload identity federation: a CI pipeline (GitHub Actions, Azure DevOps,
# GitLab...) presents its own short-lived OIDC token, which Entra exchanges for
# an access token. No secret is stored anywhere.
# Environment variables: ARM_USE_OIDC=true and ARM_OIDC_TOKEN or
# ARM_OIDC_TOKEN_FILE_PATH (AZURE_FEDERATED_TOKEN_FILE is read too).
provider "b2b" {
  tenant_id            = "00000000-0000-0000-0000-000000000000"
  client_id            = "11111111-1111-1111-1111-111111111111"
  use_oidc             = true
  oidc_token_file_path = "/var/run/secrets/ci/oidc-token"
}
