// Package acctest is the acceptance-test harness shared by every test that
// drives the provider through the real Terraform CLI.
//
// By default the tests run against the in-process Graph emulator
// (internal/emulator) over TLS on 127.0.0.1, so they need no tenant and no
// TF_ACC. With TF_ACC=1 and real credentials in ARM_* (and
// B2B_TEST_TARGET != emulator) the same tests run against a real Entra
// tenant; tests that need the emulator skip themselves there.
//
// Test packages call Main from TestMain, then New in each test.
package acctest

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	goversion "github.com/hashicorp/go-version"

	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

// Mode is what the acceptance tests talk to.
type Mode int

// The two targets.
const (
	ModeEmulator Mode = iota
	ModeTenant
)

func (m Mode) String() string {
	if m == ModeTenant {
		return "tenant"
	}
	return "emulator"
}

// MinTerraformVersion is the oldest CLI the provider supports (and the
// oldest terraform on PATH the harness accepts).
const MinTerraformVersion = "1.5.7"

// harness is the per-process state Main sets up and New reads.
var harness struct {
	ready bool
	mode  Mode
	ca    *emulator.CA
	// terraformErr is reported by New rather than by Main, so a test binary
	// that also holds unit tests still runs those when no CLI is available.
	terraformErr error
	// cli is the CLI at TF_ACC_TERRAFORM_PATH (Terraform or OpenTofu).
	cli         CLIInfo
	emailDomain string
}

// Main is the TestMain of every package with acceptance tests:
//
//	func TestMain(m *testing.M) { acctest.Main(m) }
//
// It picks the target, prepares the process environment (which must happen
// before anything loads the system certificate pool) and runs the tests.
func Main(m *testing.M) {
	cleanup, err := setup()
	if err != nil {
		fmt.Fprintln(os.Stderr, "acctest:", err)
		os.Exit(1)
	}
	code := m.Run()
	cleanup()
	os.Exit(code)
}

func setup() (cleanup func(), err error) {
	tmp, err := os.MkdirTemp("", "b2b-acctest-")
	if err != nil {
		return nil, err
	}

	harness.mode = detectMode(os.Getenv)
	harness.emailDomain = os.Getenv("B2B_TEST_EMAIL_DOMAIN")
	if harness.emailDomain == "" {
		harness.emailDomain = "example.com"
	}

	if harness.mode == ModeEmulator {
		// Go reads SSL_CERT_FILE once, the first time anything asks for the
		// system pool, so one CA serves every emulator of this process.
		ca, err := emulator.NewCA()
		if err != nil {
			return nil, fmt.Errorf("generating the emulator CA: %w", err)
		}
		caFile := filepath.Join(tmp, "emulator-ca.pem")
		if err := ca.WriteCertFile(caFile); err != nil {
			return nil, err
		}
		harness.ca = ca
		mustSetenv("SSL_CERT_FILE", caFile)
		// The provider falls back to these; a developer's real credentials
		// or a CI runner's managed identity must not leak into emulator
		// tests (and must not be sent to 127.0.0.1 either).
		for _, k := range providerEnvVars {
			_ = os.Unsetenv(k)
		}
	}

	// terraform-plugin-testing refuses to run resource.Test without TF_ACC.
	mustSetenv("TF_ACC", "1")
	mustSetenv("CHECKPOINT_DISABLE", "1")
	// A CLI config from the machine (provider installation overrides,
	// credentials) must not change what the tests do; one that points at a
	// missing file makes every Terraform command warn.
	cliConfig := os.Getenv("TF_CLI_CONFIG_FILE")
	if _, statErr := os.Stat(cliConfig); harness.mode == ModeEmulator || cliConfig == "" || statErr != nil {
		empty := filepath.Join(tmp, "terraformrc")
		if err := os.WriteFile(empty, nil, 0o600); err != nil {
			return nil, err
		}
		mustSetenv("TF_CLI_CONFIG_FILE", empty)
	}
	if lvl := os.Getenv("B2B_TEST_TF_LOG"); lvl != "" {
		mustSetenv("TF_LOG", lvl)
	} else {
		_ = os.Unsetenv("TF_LOG")
	}

	tfPath, err := findTerraform(os.Getenv, exec.LookPath, terraformVersionOf)
	if err == nil {
		harness.cli, err = detectCLI(tfPath)
	}
	if err != nil {
		harness.terraformErr = err
	} else {
		mustSetenv("TF_ACC_TERRAFORM_PATH", tfPath)
		// terraform-plugin-testing names the in-process provider
		// registry.terraform.io/hashicorp/b2b in TF_REATTACH_PROVIDERS
		// unless told otherwise, but OpenTofu resolves the implied "b2b" to
		// registry.opentofu.org/hashicorp/b2b, would not match the reattach
		// entry, and would try to install the provider from its registry.
		if os.Getenv("TF_ACC_PROVIDER_HOST") == "" {
			mustSetenv("TF_ACC_PROVIDER_HOST", harness.cli.RegistryHost())
		}
	}
	harness.ready = true

	return func() { _ = os.RemoveAll(tmp) }, nil
}

// providerEnvVars are every environment variable the provider or
// azidentity reads to authenticate or to pick endpoints.
var providerEnvVars = []string{
	"ARM_TENANT_ID", "AZURE_TENANT_ID", "ARM_CLIENT_ID", "AZURE_CLIENT_ID",
	"ARM_CLIENT_SECRET", "AZURE_CLIENT_SECRET", "ARM_CLIENT_CERTIFICATE",
	"ARM_CLIENT_CERTIFICATE_PATH", "AZURE_CLIENT_CERTIFICATE_PATH",
	"ARM_CLIENT_CERTIFICATE_PASSWORD", "AZURE_CLIENT_CERTIFICATE_PASSWORD",
	"ARM_USE_OIDC", "ARM_OIDC_TOKEN", "ARM_OIDC_TOKEN_FILE_PATH", "AZURE_FEDERATED_TOKEN_FILE",
	"ARM_USE_CLI", "ARM_USE_MSI", "ARM_ENVIRONMENT", "B2B_GRAPH_ENDPOINT", "B2B_AUTHORITY_HOST",
	"AZURE_AUTHORITY_HOST", "IDENTITY_ENDPOINT", "IDENTITY_HEADER", "MSI_ENDPOINT", "MSI_SECRET",
	"IMDS_ENDPOINT", "IDENTITY_SERVER_THUMBPRINT",
}

func mustSetenv(k, v string) {
	if err := os.Setenv(k, v); err != nil {
		panic(err)
	}
}

// detectMode chooses tenant mode only when the user clearly asked for it:
// TF_ACC set, complete credentials, and no B2B_TEST_TARGET=emulator.
func detectMode(getenv func(string) string) Mode {
	if getenv("TF_ACC") == "" || strings.EqualFold(getenv("B2B_TEST_TARGET"), "emulator") {
		return ModeEmulator
	}
	if getenv("ARM_TENANT_ID") == "" || getenv("ARM_CLIENT_ID") == "" {
		return ModeEmulator
	}
	if getenv("ARM_CLIENT_SECRET") == "" && getenv("ARM_CLIENT_CERTIFICATE") == "" && getenv("ARM_CLIENT_CERTIFICATE_PATH") == "" {
		return ModeEmulator
	}
	return ModeTenant
}

// cacheDir mirrors tools/install-terraform.sh.
func cacheDir(getenv func(string) string) string {
	if d := getenv("B2B_CACHE_DIR"); d != "" {
		return d
	}
	base := getenv("XDG_CACHE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "terraform-provider-b2b")
}

// errNoTerraform explains how to get a CLI; New reports it.
var errNoTerraform = errors.New("no Terraform CLI found: run `make terraform` (it builds the CLIs the tests use into the cache), or set TF_ACC_TERRAFORM_PATH to a terraform binary >= " + MinTerraformVersion + " (or an OpenTofu tofu binary: `tools/install-opentofu.sh --print-default-versions` names the tested one)")

// findTerraform picks the CLI: TF_ACC_TERRAFORM_PATH; else the cached build
// of B2B_TEST_TF_VERSION (default the newest cached); else terraform on
// PATH if recent enough.
func findTerraform(getenv func(string) string, lookPath func(string) (string, error), versionOf func(string) (string, error)) (string, error) {
	if p := getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("TF_ACC_TERRAFORM_PATH=%s: %w", p, err)
		}
		return p, nil
	}
	root := filepath.Join(cacheDir(getenv), "terraform")
	if want := getenv("B2B_TEST_TF_VERSION"); want != "" {
		p := filepath.Join(root, want, "terraform")
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("B2B_TEST_TF_VERSION=%s but %s does not exist: run `tools/install-terraform.sh %s` (or `make terraform`)", want, p, want)
		}
		return p, nil
	}
	if p := newestCached(root); p != "" {
		return p, nil
	}
	if p, err := lookPath("terraform"); err == nil {
		v, err := versionOf(p)
		if err == nil {
			have, err1 := goversion.NewVersion(v)
			oldest := goversion.Must(goversion.NewVersion(MinTerraformVersion))
			if err1 == nil && !have.LessThan(oldest) {
				return p, nil
			}
			return "", fmt.Errorf("terraform on PATH (%s) is version %s, older than %s: %w", p, v, MinTerraformVersion, errNoTerraform)
		}
	}
	return "", errNoTerraform
}

// newestCached returns the cached CLI with the highest version, or "".
func newestCached(root string) string {
	entries, err := os.ReadDir(root)
	if err != nil {
		return ""
	}
	type cand struct {
		v    *goversion.Version
		path string
	}
	var cands []cand
	for _, e := range entries {
		v, err := goversion.NewVersion(e.Name())
		if err != nil || !e.IsDir() {
			continue
		}
		p := filepath.Join(root, e.Name(), "terraform")
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			cands = append(cands, cand{v, p})
		}
	}
	if len(cands) == 0 {
		return ""
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].v.GreaterThan(cands[j].v) })
	return cands[0].path
}

// terraformVersionOf runs `terraform version -json` (offline, no checkpoint).
func terraformVersionOf(path string) (string, error) {
	cmd := exec.Command(path, "version", "-json")
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		return "", err
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return "", err
	}
	return v.Version, nil
}
