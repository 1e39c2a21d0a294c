# Import by the partner organization's tenant ID. A partner entry made in the
# portal is never overwritten: creating it fails with "Cross-Tenant Access
# Partner Already Exists", naming this command.
terraform import b2b_cross_tenant_access_partner.fabrikam 3d0f5dec-5d3d-455c-8016-e2af1ae4d31a
