package provider_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	goplugin "github.com/hashicorp/go-plugin"
	goversion "github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
	"github.com/entra-b2b/terraform-provider-b2b/internal/provider"
)

// Some flows cannot be expressed as terraform-plugin-testing steps: a plan
// with -generate-config-out for many import blocks at once, and
// `terraform query -generate-config-out`. These tests run the CLI the
// harness chose (TF_ACC_TERRAFORM_PATH) themselves, against the provider
// served in-process in debug mode, as terraform-plugin-testing does.

// providerAddress is where the test serves the provider: the address
// `source = "entra-b2b/b2b"` resolves to on the CLI under test
// (registry.terraform.io on Terraform, registry.opentofu.org on OpenTofu).
func providerAddress(t *testing.T) string {
	t.Helper()
	return acctest.DetectedCLI(t).RegistryHost() + "/entra-b2b/b2b"
}

// tfCLI is one working directory driven through the Terraform CLI.
type tfCLI struct {
	t        *testing.T
	dir      string
	bin      string
	reattach string
}

// newTFCLI serves the provider for the test's lifetime and returns a CLI
// runner in a fresh directory. It skips when the CLI is older than oldest.
// opts configure the provider served (e.g. provider.WithClock).
func newTFCLI(t *testing.T, oldest string, opts ...provider.Option) *tfCLI {
	t.Helper()
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		t.Fatal("TF_ACC_TERRAFORM_PATH is not set: acctest.Main should have chosen a CLI")
	}
	out, err := exec.Command(bin, "version", "-json").Output()
	if err != nil {
		t.Fatalf("terraform version: %v", err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("terraform version -json: %v", err)
	}
	if goversion.Must(goversion.NewVersion(v.Version)).LessThan(goversion.Must(goversion.NewVersion(oldest))) {
		t.Skipf("needs Terraform >= %s; the CLI is %s", oldest, v.Version)
	}

	addr := providerAddress(t)
	ctx, cancel := context.WithCancel(context.Background())
	cfgCh := make(chan *goplugin.ReattachConfig, 1)
	closeCh := make(chan struct{})
	factory := providerserver.NewProtocol6(provider.New("test", opts...)())
	go func() {
		err := tf6server.Serve(addr, func() tfprotov6.ProviderServer { return factory() },
			tf6server.WithDebug(ctx, cfgCh, closeCh), tf6server.WithLoggingSink(t))
		if err != nil {
			t.Errorf("serving the provider: %v", err)
		}
	}()
	var rc *goplugin.ReattachConfig
	select {
	case rc = <-cfgCh:
	case <-closeCh:
		cancel()
		t.Fatal("the provider server stopped before it was ready")
	}
	t.Cleanup(func() {
		cancel()
		<-closeCh
	})
	reattach, err := json.Marshal(map[string]any{addr: map[string]any{
		"Protocol": string(rc.Protocol), "ProtocolVersion": rc.ProtocolVersion, "Pid": rc.Pid, "Test": true,
		"Addr": map[string]string{"Network": rc.Addr.Network(), "String": rc.Addr.String()},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return &tfCLI{t: t, dir: t.TempDir(), bin: bin, reattach: string(reattach)}
}

// write puts a file in the working directory.
func (c *tfCLI) write(name, content string) {
	c.t.Helper()
	if err := os.WriteFile(filepath.Join(c.dir, name), []byte(content), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

// read returns a file of the working directory.
func (c *tfCLI) read(name string) string {
	c.t.Helper()
	b, err := os.ReadFile(filepath.Join(c.dir, name))
	if err != nil {
		c.t.Fatal(err)
	}
	return string(b)
}

// run runs terraform with args and returns stdout, the exit code, and
// stderr; a failure to start fails the test.
func (c *tfCLI) run(args ...string) (string, int, string) {
	c.t.Helper()
	cmd := exec.Command(c.bin, args...)
	cmd.Dir = c.dir
	// The process environment (SSL_CERT_FILE for the emulator's CA,
	// TF_CLI_CONFIG_FILE, CHECKPOINT_DISABLE) was prepared by acctest.Main.
	cmd.Env = append(os.Environ(), "TF_REATTACH_PROVIDERS="+c.reattach, "TF_IN_AUTOMATION=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return stdout.String(), 0, stderr.String()
	case errors.As(err, &exit):
		return stdout.String(), exit.ExitCode(), stderr.String()
	default:
		c.t.Fatalf("terraform %s: %v", strings.Join(args, " "), err)
		return "", -1, ""
	}
}

// must runs terraform and fails the test on a non-zero exit.
func (c *tfCLI) must(args ...string) string {
	c.t.Helper()
	out, code, stderr := c.run(args...)
	if code != 0 {
		c.t.Fatalf("terraform %s exited %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, stderr)
	}
	return out
}

// requiredProviders pins the provider to the address the test serves.
const requiredProviders = `
terraform {
  required_providers {
    b2b = {
      source = "entra-b2b/b2b"
    }
  }
}
`
