package acctest

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	goversion "github.com/hashicorp/go-version"
)

// CLI names the command-line tool the acceptance tests drive. Terraform and
// OpenTofu speak the same plugin protocol and both answer `version -json`
// with a "terraform_version" field, so terraform-plugin-testing drives
// either; only the first line of the human `version` output ("Terraform
// v1.14.9" or "OpenTofu v1.12.6") tells them apart.
type CLI string

// The CLIs the tests know.
const (
	CLITerraform CLI = "Terraform"
	CLIOpenTofu  CLI = "OpenTofu"
)

// CLIInfo is the CLI this test process drives (TF_ACC_TERRAFORM_PATH).
type CLIInfo struct {
	Name    CLI
	Version *goversion.Version
	Path    string
}

func (c CLIInfo) String() string { return fmt.Sprintf("%s %s", c.Name, c.Version) }

// RegistryHost is the host a provider source address without one (such
// as "entra-b2b/b2b", or an implied "b2b") resolves to on this CLI: the
// key TF_REATTACH_PROVIDERS must use for the CLI to pick the in-process
// provider instead of looking for it in a registry.
func (c CLIInfo) RegistryHost() string {
	if c.Name == CLIOpenTofu {
		return "registry.opentofu.org"
	}
	return "registry.terraform.io"
}

// Feature is a CLI capability that not every supported CLI has. Tests that
// need one call SkipUnlessCLISupports, so a CLI without it reports a skip
// that names the feature instead of failing or passing silently.
type Feature struct {
	name string
	// since maps each CLI to the first release that has the feature; a CLI
	// missing from the map has no release with it (yet).
	since map[CLI]string
}

// String is the feature's name as skip messages print it.
func (f Feature) String() string { return f.name }

// The features the tests gate on. OpenTofu's version numbers follow their
// own line (OpenTofu 1.12 is not Terraform 1.12), which is why a plain
// tfversion.SkipBelow check cannot tell which CLI has a feature.
var (
	// FeatureListResources: list blocks in .tfquery.hcl files and
	// `terraform query` (Terraform 1.14). OpenTofu 1.12 has neither the
	// query command nor list blocks.
	// https://developer.hashicorp.com/terraform/language/block/tfquery/list
	FeatureListResources = Feature{
		name:  "list resources (list blocks and `terraform query`)",
		since: map[CLI]string{CLITerraform: "1.14.0"},
	}
	// FeatureActions: action blocks and lifecycle action_trigger
	// (Terraform 1.14). OpenTofu 1.12 parses neither.
	// https://developer.hashicorp.com/terraform/language/block/action
	FeatureActions = Feature{
		name:  "actions (action blocks and lifecycle action_trigger)",
		since: map[CLI]string{CLITerraform: "1.14.0"},
	}
	// FeatureResourceIdentity: resource identity in state and import
	// blocks with identity (Terraform 1.12; OpenTofu 1.12, whose changelog
	// lists "import blocks now allow describing the object ... using the
	// identity argument").
	FeatureResourceIdentity = Feature{
		name:  "resource identity (import blocks with identity)",
		since: map[CLI]string{CLITerraform: "1.12.0", CLIOpenTofu: "1.12.0"},
	}
)

// supportedBy reports whether c has f, and if not, why not.
func (f Feature) supportedBy(c CLIInfo) (bool, string) {
	since, ok := f.since[c.Name]
	if !ok {
		return false, fmt.Sprintf("needs %s, which %s does not have (no %s release has it)", f, c, c.Name)
	}
	if c.Version.LessThan(goversion.Must(goversion.NewVersion(since))) {
		return false, fmt.Sprintf("needs %s, which %s has only from %s; the CLI is %s", f, c.Name, since, c)
	}
	return true, ""
}

// DetectedCLI is the CLI this process drives. It fails the test when
// acctest.Main found none.
func DetectedCLI(t *testing.T) CLIInfo {
	t.Helper()
	if !harness.ready {
		t.Fatal("acctest: call acctest.Main(m) from TestMain first")
	}
	if harness.terraformErr != nil {
		t.Fatal("acctest: ", harness.terraformErr)
	}
	return harness.cli
}

// SkipUnlessCLISupports skips the test, naming the feature and the CLI,
// when the CLI under test lacks f.
func SkipUnlessCLISupports(t *testing.T, f Feature) {
	t.Helper()
	if ok, why := f.supportedBy(DetectedCLI(t)); !ok {
		t.Skip(why)
	}
}

var versionLine = regexp.MustCompile(`^(Terraform|OpenTofu) v(\S+)`)

// parseVersionOutput reads the first line of `terraform version` /
// `tofu version`.
func parseVersionOutput(out string) (CLI, *goversion.Version, error) {
	first, _, _ := strings.Cut(out, "\n")
	m := versionLine.FindStringSubmatch(strings.TrimSpace(first))
	if m == nil {
		return "", nil, fmt.Errorf("its `version` output starts with %q, neither \"Terraform v...\" nor \"OpenTofu v...\"", first)
	}
	v, err := goversion.NewVersion(m[2])
	if err != nil {
		return "", nil, fmt.Errorf("its version %q: %w", m[2], err)
	}
	return CLI(m[1]), v, nil
}

// detectCLI runs `PATH version` (the process environment already points
// TF_CLI_CONFIG_FILE at an empty file and disables checkpoint).
func detectCLI(path string) (CLIInfo, error) {
	cmd := exec.Command(path, "version")
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		return CLIInfo{}, fmt.Errorf("running %s version: %w", path, err)
	}
	name, v, err := parseVersionOutput(string(out))
	if err != nil {
		return CLIInfo{}, fmt.Errorf("cannot tell which CLI %s is: %w", path, err)
	}
	return CLIInfo{Name: name, Version: v, Path: path}, nil
}
