package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

func TestFillCountsOnlyWireRequests(t *testing.T) {
	var p phase
	p.fill(emulator.Counters{
		"GET /v1.0/users/{id}": 30,
		emulator.BatchItemCounterPrefix + "GET /v1.0/users/{id}": 20,
		"POST /v1.0/$batch":                2,
		"POST /v1.0/invitations":           10,
		"POST /{tenant}/oauth2/v2.0/token": 1,
		"status:200":                       41,
		"status:429":                       1,
	}, 10)
	if p.Requests != 22 || p.ByMethod["GET"] != 10 || p.ByMethod["POST"] != 12 || p.BatchedItems != 20 || p.TokenRequests != 1 {
		t.Errorf("fill = %+v; want 10 wire GETs, 12 POSTs, 20 batched items, 1 token request", p)
	}
	if p.RequestsPerGuest != 2.2 || p.Status429 != 1 {
		t.Errorf("per guest %.2f, 429s %d; want 2.2 and 1", p.RequestsPerGuest, p.Status429)
	}
}

func TestProcParentAndPeakOfThisProcess(t *testing.T) {
	ppid, comm := procParent(os.Getpid())
	if ppid != os.Getppid() || comm == "" {
		t.Errorf("procParent = %d %q; want %d and a name", ppid, comm, os.Getppid())
	}
	if kb := procHWM(os.Getpid()); kb <= 0 {
		t.Errorf("VmHWM of this process = %d kB", kb)
	}
}

func TestConfigForDeclaresNGuests(t *testing.T) {
	c := configFor(7, nil, "")
	if !strings.Contains(c, guestsLocal(7)) || !strings.Contains(c, `source = "entra-b2b/b2b"`) || strings.Contains(c, "group_ids") {
		t.Errorf("config:\n%s", c)
	}
	if c := configFor(7, &accessIDs{group: "g1", sponsor: "s1"}, ""); !strings.Contains(c, `group_ids    = ["g1"]`) || !strings.Contains(c, `sponsor_ids  = ["s1"]`) {
		t.Errorf("config with access:\n%s", c)
	}
	if got := slug("plan (5% drift)"); got != "plan-5-drift" {
		t.Errorf("slug = %q", got)
	}
}

// TestGuestsLocalGivesNGuests evaluates local.guests with the Terraform CLI
// (TF_ACC_TERRAFORM_PATH) for sizes around the chunk edges, past the 1,024
// values Terraform's range allows in one call.
func TestGuestsLocalGivesNGuests(t *testing.T) {
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		t.Skip("TF_ACC_TERRAFORM_PATH is not set")
	}
	for _, n := range []int{7, 1000, 1001, 10000} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(guestsLocal(n)), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(tf, "console")
		cmd.Dir, cmd.Stdin = dir, strings.NewReader(`jsonencode([length(local.guests), local.guests["guest00000"], try(local.guests[format("guest%05d", `+strconv.Itoa(n-1)+`)], "missing")])`+"\n")
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE=", "CHECKPOINT_DISABLE=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("n=%d: terraform console: %v\n%s", n, err, out)
		}
		want := fmt.Sprintf(`[%d,"guest00000@partner.example","guest%05d@partner.example"]`, n, n-1)
		if got := strings.Trim(strings.TrimSpace(string(out)), `"`); strings.ReplaceAll(got, `\"`, `"`) != want {
			t.Errorf("n=%d: local.guests gives %s, want %s", n, got, want)
		}
	}
}

func TestProcCPUTicksOfThisProcess(t *testing.T) {
	// Burn CPU until /proc (10 ms ticks) has counted 100 ms of it. A wall
	// clock budget would fail on a shared machine where this process gets
	// a fraction of a core; the deadline only stops a reader that never
	// sees the ticks grow.
	before := procCPUTicks(os.Getpid())
	deadline := time.Now().Add(time.Minute)
	x := 0
	for procCPUTicks(os.Getpid())-before < 10 {
		if time.Now().After(deadline) {
			t.Fatalf("CPU ticks stayed at %d after a minute of busy loop (%d iterations)", procCPUTicks(os.Getpid()), x)
		}
		for range 1_000_000 {
			x++
		}
	}
}

// The bench fails (b2b-bench exits 1) when a run broke a correctness rule:
// an address invited twice, or users left after destroy.
func TestCheckDirectoryFailsOnDuplicatesAndLeftovers(t *testing.T) {
	if err := checkDirectory(nil, 1, 1); err != nil {
		t.Errorf("a clean run failed: %v", err)
	}
	err := checkDirectory(map[string]int{"b@x.example": 1, "a@x.example": 2}, 0, 0)
	if err == nil || !strings.Contains(err.Error(), "2 addresses were invited more than once (3 extra invitations, e.g. a@x.example)") {
		t.Errorf("duplicates: err = %v", err)
	}
	err = checkDirectory(nil, 3, 0)
	if err == nil || !strings.Contains(err.Error(), "destroy left 3 users in the directory, want 0") {
		t.Errorf("leftovers: err = %v", err)
	}
}

// The emulator counts a second invitation of one address, whatever its
// case, and not a resetRedemption re-invitation.
func TestDuplicateInvitationsSeenByTheEmulator(t *testing.T) {
	srv, err := emulator.Start(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Close() }()
	if d := srv.DuplicateInvitations(); len(d) != 0 {
		t.Fatalf("fresh emulator: %v", d)
	}
	app := srv.DefaultApp()
	c, err := graph.New(graph.Config{
		Auth: graph.AuthConfig{Method: graph.AuthClientSecret, TenantID: srv.TenantID(), ClientID: app.ClientID,
			ClientSecret: app.Secret, AuthorityHost: srv.AuthorityHost()},
		GraphEndpoint: srv.GraphEndpoint(),
		HTTPClient:    &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.CA().CertPool(), MinVersion: tls.VersionTLS12}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, email := range []string{"dup@partner.example", "DUP@partner.example", "once@partner.example"} {
		if _, err := c.Invite(ctx, graph.InvitationRequest{InvitedUserEmailAddress: email, InviteRedirectURL: "https://myapps.microsoft.com"}); err != nil {
			t.Fatal(err)
		}
	}
	if d := srv.DuplicateInvitations(); len(d) != 1 || d["dup@partner.example"] != 1 {
		t.Errorf("DuplicateInvitations = %v; want dup@partner.example once", d)
	}
}

// -terraform-cpuprofile: the profiled CLI's script, and each phase's
// Terraform gets its own profile path under the run's directory.
func TestTerraformCPUProfileWiring(t *testing.T) {
	if got := installScript(true); got != "tools/install-terraform-profiled.sh" {
		t.Errorf("installScript(true) = %q", got)
	}
	if got := installScript(false); got != "tools/install-terraform.sh" {
		t.Errorf("installScript(false) = %q", got)
	}
	base := []string{"PATH=/bin"}
	env, prof := phaseEnv(options{tfCPUProfile: true}, base, "/out/n1000", phaseDestroy)
	if prof != "/out/n1000/destroy.tf.cpu" {
		t.Errorf("profile path = %q", prof)
	}
	if want := tfCPUProfileEnv + "=/out/n1000/destroy.tf.cpu"; env[len(env)-1] != want || len(base) != 1 {
		t.Errorf("env = %q; want %q appended (base untouched: %q)", env, want, base)
	}
	if _, prof := phaseEnv(options{}, base, "/out/n1000", phaseDestroy); prof != "" {
		t.Errorf("without the flag the profile path is %q", prof)
	}
	if got := slug(phaseNoRefresh); got != "plan-refresh-false" {
		t.Errorf("slug(%q) = %q", phaseNoRefresh, got)
	}
}

func TestRatiosAndStateBytesInTheTable(t *testing.T) {
	run := sizeRun{N: 100, Phases: []phase{
		{Name: phaseCreate, WallSeconds: 10, StateBytes: 150000},
		{Name: phaseRefresh, WallSeconds: 3},
		{Name: phaseNoRefresh, WallSeconds: 2},
		{Name: phaseDestroy, WallSeconds: 12},
	}}
	if r, ok := run.ratio(phaseRefresh, phaseNoRefresh); !ok || r != 1.5 {
		t.Errorf("refresh ratio = %v %v; want 1.5", r, ok)
	}
	var b strings.Builder
	(&report{Runs: []sizeRun{run}}).print(&b)
	for _, want := range []string{"1500", "no-change plan / plan -refresh=false, wall time: 1.50x", "destroy / create, wall time: 1.20x"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}
