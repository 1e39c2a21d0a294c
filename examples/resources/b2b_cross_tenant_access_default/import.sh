# The tenant has one default configuration; its ID is always "default".
# Import it before the first apply: the plan then shows the tenant's current
# settings as a diff, where a create would write every setting left unset as
# the system default, whatever the portal set.
terraform import b2b_cross_tenant_access_default.this default
