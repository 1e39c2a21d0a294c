package acctest

import (
	"strings"
	"testing"

	goversion "github.com/hashicorp/go-version"
)

func TestParseVersionOutput(t *testing.T) {
	cases := []struct {
		out, wantCLI, wantVersion, wantErr string
	}{
		{"Terraform v1.14.9\non linux_amd64\n", "Terraform", "1.14.9", ""},
		{"OpenTofu v1.12.6\non linux_amd64\n+ provider registry.opentofu.org/entra-b2b/b2b (unversioned)\n", "OpenTofu", "1.12.6", ""},
		{"Terraform v1.5.7\non linux_amd64\n\nYour version of Terraform is out of date!", "Terraform", "1.5.7", ""},
		{"tofu: command not found\n", "", "", "neither"},
		{"OpenTofu vX\n", "", "", "version \"X\""},
	}
	for _, tc := range cases {
		cli, v, err := parseVersionOutput(tc.out)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%q: err = %v, want one containing %q", tc.out, err, tc.wantErr)
			}
			continue
		}
		if err != nil || string(cli) != tc.wantCLI || v.String() != tc.wantVersion {
			t.Errorf("%q: got %s %v, %v; want %s %s", tc.out, cli, v, err, tc.wantCLI, tc.wantVersion)
		}
	}
}

func TestFeatureSupportedBy(t *testing.T) {
	cli := func(name CLI, v string) CLIInfo {
		return CLIInfo{Name: name, Version: goversion.Must(goversion.NewVersion(v))}
	}
	cases := []struct {
		f       Feature
		cli     CLIInfo
		ok      bool
		wantWhy string
	}{
		{FeatureListResources, cli(CLITerraform, "1.14.9"), true, ""},
		{FeatureListResources, cli(CLITerraform, "1.5.7"), false,
			"needs list resources (list blocks and `terraform query`), which Terraform has only from 1.14.0; the CLI is Terraform 1.5.7"},
		{FeatureListResources, cli(CLIOpenTofu, "1.12.6"), false,
			"needs list resources (list blocks and `terraform query`), which OpenTofu 1.12.6 does not have (no OpenTofu release has it)"},
		{FeatureActions, cli(CLIOpenTofu, "1.12.6"), false, "actions (action blocks and lifecycle action_trigger), which OpenTofu 1.12.6"},
		{FeatureResourceIdentity, cli(CLIOpenTofu, "1.12.6"), true, ""},
		{FeatureResourceIdentity, cli(CLIOpenTofu, "1.11.0"), false, "which OpenTofu has only from 1.12.0"},
		{FeatureResourceIdentity, cli(CLITerraform, "1.12.0"), true, ""},
	}
	for _, tc := range cases {
		ok, why := tc.f.supportedBy(tc.cli)
		if ok != tc.ok || !strings.Contains(why, tc.wantWhy) {
			t.Errorf("%s on %s: got %v %q; want %v %q", tc.f, tc.cli, ok, why, tc.ok, tc.wantWhy)
		}
	}
}

func TestRegistryHost(t *testing.T) {
	if h := (CLIInfo{Name: CLIOpenTofu}).RegistryHost(); h != "registry.opentofu.org" {
		t.Errorf("OpenTofu host = %q", h)
	}
	if h := (CLIInfo{Name: CLITerraform}).RegistryHost(); h != "registry.terraform.io" {
		t.Errorf("Terraform host = %q", h)
	}
}
