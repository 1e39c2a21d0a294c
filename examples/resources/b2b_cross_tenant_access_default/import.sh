# The tenant has one default configuration; its ID is always "default"
terraform import b2b_cross_tenant_access_default.this default
