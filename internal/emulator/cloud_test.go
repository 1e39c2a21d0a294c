package emulator_test

import (
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"

	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

func cloudConfig(s *emulator.Server) cloud.Configuration {
	return cloud.Configuration{ActiveDirectoryAuthorityHost: s.AuthorityHost(), Services: map[cloud.ServiceName]cloud.ServiceConfiguration{}}
}
