# A national cloud: environment selects both the sign-in authority and the
# Graph endpoint. Credentials come from the ARM_* environment variables.
provider "b2b" {
  environment = "usgovernment"
}
