# Import by the partner organization's tenant ID
terraform import b2b_cross_tenant_identity_sync.fabrikam 3d0f5dec-5d3d-455c-8016-e2af1ae4d31a
