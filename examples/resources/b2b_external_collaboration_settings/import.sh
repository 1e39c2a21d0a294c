# The tenant has one authorization policy; its ID is always authorizationPolicy.
terraform import b2b_external_collaboration_settings.this authorizationPolicy
