package provider_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/entra-b2b/terraform-provider-b2b/internal/acctest"
	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

// TestAccGuestUser_interruptedApply is Ctrl-C in the middle of an apply of
// 30 guests, then plan and apply again, as a user does: no guest tainted
// (a tainted guest is replaced: deleted and invited a second time), none
// orphaned (invited but not in the state), one invitation per address,
// and the state matching the directory (the last plan is empty). The chaos
// soak (make chaos, round 3) does the same under faults; this runs with
// every make test. Terraform gets SIGINT once, as from a terminal; it then
// asks the provider to stop, which cancels the calls in flight.
func TestAccGuestUser_interruptedApply(t *testing.T) {
	t.Parallel()
	env := acctest.New(t)
	srv := env.RequireEmulator(t)
	cli := newTFCLI(t, "1.5.0")
	const n = 30
	cli.write("main.tf", requiredProviders+env.ProviderConfigWith(`default_redirect_url = "https://myapps.microsoft.com"`)+fmt.Sprintf(`
resource "b2b_guest_user" "g" {
  for_each     = toset([for i in range(%d) : format("g%%02d@interrupt.example", i)])
  email        = each.key
  display_name = "Guest ${each.key}"
  job_title    = "Tester"
}
`, n))
	cli.must("init", "-input=false", "-no-color")

	// Slow enough that the apply is still inviting when the signal comes.
	srv.SetFaults(emulator.Faults{Latency: 150 * time.Millisecond})
	cmd := exec.Command(cli.bin, "apply", "-input=false", "-no-color", "-auto-approve", "-parallelism=10")
	cmd.Dir = cli.dir
	cmd.Env = append(os.Environ(), "TF_REATTACH_PROVIDERS="+cli.reattach, "TF_IN_AUTOMATION=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for len(srv.Invitations()) < n/3 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if invited := len(srv.Invitations()); invited >= n {
		t.Fatalf("every guest was invited before the interrupt (%d): nothing to test", invited)
	}
	t.Logf("SIGINT after %d invitations", len(srv.Invitations()))
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait() // exit 1 after an interrupt, or 0 if it finished first
	srv.SetFaults(emulator.Faults{})
	interrupted := out.String()
	if !strings.Contains(interrupted, "Interrupt received") {
		t.Fatalf("Terraform did not see the interrupt:\n%s", interrupted)
	}

	inState, tainted := interruptStateSummary(t, cli)
	if tainted != 0 {
		t.Errorf("the interrupted apply left %d tainted guests (a re-apply would delete and invite them again):\n%s", tainted, interrupted)
	}
	t.Logf("interrupted apply: %d guests in state, %d invited, %d saved as interrupted", inState, len(srv.Invitations()),
		strings.Count(interrupted, "Guest User Invited, Apply Interrupted"))

	cli.must("apply", "-input=false", "-no-color", "-auto-approve")
	planEmpty(t, cli, "after the interrupted apply was applied again")

	perAddress := map[string]int{}
	for _, inv := range srv.Invitations() {
		perAddress[strings.ToLower(inv.Email)]++
	}
	for a, k := range perAddress {
		if k != 1 {
			t.Errorf("%s was invited %d times; want once", a, k)
		}
	}
	if len(perAddress) != n {
		t.Errorf("%d addresses invited; want %d", len(perAddress), n)
	}
	ids, _ := interruptStateSummary(t, cli)
	if ids != n {
		t.Errorf("%d guests in state; want %d", ids, n)
	}
	users := 0
	for _, u := range srv.Users() {
		if mail, _ := u["mail"].(string); strings.HasSuffix(mail, "@interrupt.example") {
			users++
		}
	}
	if users != n {
		t.Errorf("%d guests of interrupt.example in the directory, %d in state: orphans", users, n)
	}
	if d := len(srv.DeletedUsers()); d != 0 {
		t.Errorf("%d guests deleted (replaced); want 0", d)
	}
}

// interruptStateSummary counts the guests in terraform.tfstate and those
// marked tainted.
func interruptStateSummary(t *testing.T, cli *tfCLI) (instances, tainted int) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(cli.dir, "terraform.tfstate"))
	if os.IsNotExist(err) {
		return 0, 0
	}
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Resources []struct {
			Instances []struct {
				Status string `json:"status"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	for _, r := range st.Resources {
		for _, i := range r.Instances {
			instances++
			if i.Status == "tainted" {
				tainted++
			}
		}
	}
	return instances, tainted
}
