// Command b2b-chaos is the reliability soak behind `make chaos`: it runs
// the real Terraform CLI and the provider binary against an in-process
// emulator that injects the faults Graph really produces, then checks from
// the emulator's own records that nothing was lost or sent twice.
//
//	go run ./internal/cmd/b2b-chaos -n 300                 # the full soak
//	go run ./internal/cmd/b2b-chaos -n 20 -max-lag 3s      # the CI smoke run
//
// Rounds: (1) apply N guests with profiles; (2) add N/5 guests, SIGKILL
// Terraform and its provider in the middle of that apply, apply again;
// (3) add N/5 guests, SIGINT Terraform (Ctrl-C) in the middle of that
// apply, check that no guest is tainted, apply again; (4) change 10 % of
// the guests and apply. After each round: every guest in the state exists
// with the declared values, every guest the runs created is in the state
// (no orphans), one invitation per guest, nothing in deleted items, no
// tainted guest, and a follow-up plan is empty. The exit status is 1 when
// any check fails.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	goversion "github.com/hashicorp/go-version"

	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

type options struct {
	n             int
	maxLag        time.Duration
	latency       time.Duration
	rate429       float64
	rate503       float64
	rateDrop      float64
	actedShare    float64
	retryAfter    time.Duration
	parallelism   int
	terraform     string
	provider      string
	workDir       string
	keep          bool
	maxApplies    int
	killFraction  float64
	changePercent int
	// reapplyWait is how long round 2 waits between the kill and the
	// re-apply; negative means maxLag (see waitOutLag).
	reapplyWait time.Duration
	// seed seeds every random choice of the soak and the emulator's fault
	// draws; 0 draws one. It is printed, so a failing run can be replayed.
	seed uint64
}

func main() {
	var o options
	fs := flag.NewFlagSet("b2b-chaos", flag.ExitOnError)
	fs.IntVar(&o.n, "n", 300, "guests applied in round 1 (round 2 adds n/5)")
	fs.DurationVar(&o.maxLag, "max-lag", 20*time.Second, "replication lag of each new guest, uniform in [0, max-lag]")
	fs.DurationVar(&o.reapplyWait, "reapply-wait", -1, "wait between round 2's kill and its re-apply; negative: max-lag (0 shows RELIABILITY.md's known limit)")
	fs.DurationVar(&o.latency, "latency", 50*time.Millisecond, "latency added to every Graph request")
	fs.Float64Var(&o.rate429, "rate-429", 0.10, "share of Graph requests answered 429 with Retry-After")
	fs.Float64Var(&o.rate503, "rate-503", 0.05, "share of Graph requests answered 503 with Retry-After")
	fs.Float64Var(&o.rateDrop, "rate-drop", 0.02, "share of Graph requests whose connection is dropped without an answer")
	fs.Float64Var(&o.actedShare, "drop-after-acting", 0.5, "share of the dropped requests the emulator carries out before dropping")
	fs.DurationVar(&o.retryAfter, "retry-after", time.Second, "Retry-After sent with injected 429 and 503")
	fs.IntVar(&o.parallelism, "parallelism", 10, "terraform -parallelism")
	fs.StringVar(&o.terraform, "terraform", "", "Terraform CLI (default TF_ACC_TERRAFORM_PATH, the newest CLI cached by tools/install-terraform.sh, then PATH)")
	fs.StringVar(&o.provider, "provider", "", "provider binary (default: go build the module into the work directory)")
	fs.StringVar(&o.workDir, "work-dir", "", "directory for the configuration, state and logs (default a temporary one)")
	fs.BoolVar(&o.keep, "keep", false, "keep the work directory")
	fs.IntVar(&o.maxApplies, "max-applies", 3, "applies per round before the round counts as failed (an operator re-runs a failed apply)")
	fs.Float64Var(&o.killFraction, "kill-after", 0.5, "rounds 2 and 3 signal Terraform once this share of the new guests has been invited")
	fs.IntVar(&o.changePercent, "change-percent", 10, "share of the guests changed in round 4")
	fs.Uint64Var(&o.seed, "seed", 0, "seed of every random choice (fault draws, drop-after-acting, lag); 0 draws one, printed at start")
	_ = fs.Parse(os.Args[1:])

	ok, err := run(context.Background(), o, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "b2b-chaos:", err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}

// guest is one declared b2b_guest_user.
type guest struct {
	DisplayName   string `json:"display_name"`
	JobTitle      string `json:"job_title"`
	Department    string `json:"department"`
	CompanyName   string `json:"company_name"`
	UsageLocation string `json:"usage_location"`
}

type soak struct {
	o       options
	out     io.Writer
	srv     *emulator.Server
	dir     string
	env     []string
	tf      string
	guests  map[string]guest
	allOK   bool
	stopFlt chan struct{}
	draws   *faultDraws
	// extraProblems are found during a round (e.g. right after an
	// interrupted apply) and reported with the round's checks.
	extraProblems []string
}

const (
	soakDomain = "chaos.partner.example"
	configTF   = `terraform {
  required_providers {
    b2b = { source = "entra-b2b/b2b" }
  }
}

# Credentials and endpoints come from ARM_* and B2B_* in the environment.
provider "b2b" {}

variable "guests" {
  type = map(object({
    display_name   = string
    job_title      = string
    department     = string
    company_name   = string
    usage_location = string
  }))
}

resource "b2b_guest_user" "g" {
  for_each       = var.guests
  email          = each.key
  display_name   = each.value.display_name
  job_title      = each.value.job_title
  department     = each.value.department
  company_name   = each.value.company_name
  usage_location = each.value.usage_location
  redirect_url   = "https://myapps.microsoft.com"
  # An apply killed mid-flight leaves invited guests outside the state;
  # adopting them on the next create is the recovery this soak exercises.
  adopt_existing = true
}
`
)

func run(ctx context.Context, o options, out io.Writer) (bool, error) {
	if o.seed == 0 {
		o.seed = rand.Uint64() | 1 // never 0, which would mean "draw one" again
	}
	s := &soak{o: o, out: out, guests: map[string]guest{}, allOK: true, draws: newFaultDraws(o)}
	var err error
	if s.tf, err = findTerraform(o.terraform); err != nil {
		return false, err
	}
	if s.dir = o.workDir; s.dir == "" {
		if s.dir, err = os.MkdirTemp("", "b2b-chaos-"); err != nil {
			return false, err
		}
		if !o.keep {
			defer os.RemoveAll(s.dir)
		}
	} else if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return false, err
	}
	if err := s.prepare(ctx); err != nil {
		return false, err
	}
	defer s.srv.Close()
	defer close(s.stopFlt)
	fmt.Fprintf(out, "b2b-chaos: %d guests, faults 429=%.0f%% 503=%.0f%% drop=%.0f%% (%.0f%% of them after acting), lag 0-%s, latency %s, parallelism %d, terraform %s, work dir %s\n",
		o.n, o.rate429*100, o.rate503*100, o.rateDrop*100, o.actedShare*100, o.maxLag, o.latency, o.parallelism, s.tf, s.dir)
	// The seed fixes every random choice; the requests Terraform sends in
	// parallel still interleave as the machine schedules them.
	fmt.Fprintf(out, "b2b-chaos: seed %d (replay with -seed %d)\n", o.seed, o.seed)

	// Round 1: N guests with profiles.
	for i := range o.n {
		s.guests[email(i)] = profile(i, 0)
	}
	s.round(ctx, "1: apply", func() (int, error) { return s.applyUntilDone(ctx) })

	// Round 2: N/5 more guests; SIGKILL Terraform mid-apply, then apply again.
	added := max(2, o.n/5)
	for i := o.n; i < o.n+added; i++ {
		s.guests[email(i)] = profile(i, 0)
	}
	s.round(ctx, "2: SIGKILL mid-apply, apply again", func() (int, error) {
		if err := s.interruptMidApply(ctx, added, syscall.SIGKILL); err != nil {
			return 1, err
		}
		if err := s.waitOutLag(ctx); err != nil {
			return 1, err
		}
		n, err := s.applyUntilDone(ctx)
		return n + 1, err
	})

	// Round 3: N/5 more guests; SIGINT Terraform mid-apply (Ctrl-C), then
	// apply again. The interrupted creates must save their guests
	// untainted, or the re-apply replaces them (delete + second invitation).
	for i := o.n + added; i < o.n+2*added; i++ {
		s.guests[email(i)] = profile(i, 0)
	}
	s.round(ctx, "3: SIGINT mid-apply, apply again", func() (int, error) {
		if err := s.interruptMidApply(ctx, added, syscall.SIGINT); err != nil {
			return 1, err
		}
		if n := s.taintedInState(); n > 0 {
			s.extraProblems = append(s.extraProblems, fmt.Sprintf("the interrupted apply left %d tainted guests in the state", n))
		}
		n, err := s.applyUntilDone(ctx)
		return n + 1, err
	})

	// Round 4: change 10 % of the guests.
	keys := s.sortedEmails()
	step := max(1, 100/max(1, o.changePercent))
	changed := 0
	for i := 0; i < len(keys); i += step {
		s.guests[keys[i]] = profile(i, 1)
		changed++
	}
	fmt.Fprintf(out, "round 4 changes %d guests\n", changed)
	s.round(ctx, "4: change 10% and apply", func() (int, error) { return s.applyUntilDone(ctx) })

	if s.allOK {
		fmt.Fprintln(out, "b2b-chaos: PASS")
	} else {
		fmt.Fprintln(out, "b2b-chaos: FAIL")
	}
	return s.allOK, nil
}

// waitOutLag waits, after round 2's kill, until the killed run's guests
// are past their replication lag. A killed run saves nothing, so the
// re-apply finds its guests only through the look-up by address, which,
// like Graph's list queries, cannot see a user inside its replication lag:
// re-applying sooner re-sends those invitations (the known limit in
// RELIABILITY.md), and whether it happens would depend on how fast the
// machine starts Terraform, not on the provider. -reapply-wait 0 shows it.
func (s *soak) waitOutLag(ctx context.Context) error {
	wait := s.o.reapplyWait
	if wait < 0 {
		wait = s.o.maxLag
	}
	if wait == 0 {
		return nil
	}
	fmt.Fprintf(s.out, "  waiting %s (the replication lag) before the re-apply\n", wait)
	select {
	case <-time.After(wait):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func email(i int) string { return fmt.Sprintf("guest-%04d@%s", i, soakDomain) }

func profile(i, version int) guest {
	countries := []string{"US", "DE", "FR", "GB", "NL", "JP"}
	g := guest{
		DisplayName:   fmt.Sprintf("Guest %04d", i),
		JobTitle:      fmt.Sprintf("Engineer %d", i%7),
		Department:    fmt.Sprintf("Dept %d", i%5),
		CompanyName:   fmt.Sprintf("Partner %d Ltd", i%11),
		UsageLocation: countries[i%len(countries)],
	}
	if version > 0 {
		g.JobTitle = fmt.Sprintf("Senior Engineer %d (v%d)", i%7, version)
		g.Department = fmt.Sprintf("Dept %d (v%d)", (i+1)%5, version)
	}
	return g
}

// prepare starts the emulator, builds the provider and writes the
// configuration and a CLI config whose dev_overrides point at the binary.
func (s *soak) prepare(ctx context.Context) error {
	ca, err := emulator.NewCA()
	if err != nil {
		return err
	}
	caFile := filepath.Join(s.dir, "emulator-ca.pem")
	if err := ca.WriteCertFile(caFile); err != nil {
		return err
	}
	if s.srv, err = emulator.Start(emulator.Options{CA: ca, TenantDomain: "chaos.onmicrosoft.com", FaultSeed: s.o.seed}); err != nil {
		return err
	}
	s.startFaults()

	bin := filepath.Join(s.dir, "bin")
	if err := os.MkdirAll(bin, 0o700); err != nil {
		return err
	}
	if s.o.provider != "" {
		raw, err := os.ReadFile(s.o.provider)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(bin, "terraform-provider-b2b"), raw, 0o700); err != nil {
			return err
		}
	} else {
		build := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(bin, "terraform-provider-b2b"), "github.com/entra-b2b/terraform-provider-b2b")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("building the provider: %w", err)
		}
	}
	rc := filepath.Join(s.dir, "terraformrc")
	rcText := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"registry.terraform.io/entra-b2b/b2b\" = %q\n  }\n  direct {}\n}\n", bin)
	if err := os.WriteFile(rc, []byte(rcText), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(s.dir, "main.tf"), []byte(configTF), 0o600); err != nil {
		return err
	}
	app := s.srv.DefaultApp()
	s.env = append(cleanEnv(os.Environ()),
		"TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_INPUT=0",
		"SSL_CERT_FILE="+caFile,
		"ARM_TENANT_ID="+s.srv.TenantID(), "ARM_CLIENT_ID="+app.ClientID, "ARM_CLIENT_SECRET="+app.Secret,
		"B2B_GRAPH_ENDPOINT="+s.srv.GraphEndpoint(), "B2B_AUTHORITY_HOST="+s.srv.AuthorityHost(),
		"TF_LOG=DEBUG", "TF_LOG_PATH="+filepath.Join(s.dir, "terraform.log"),
	)
	return nil
}

// cleanEnv drops credentials and Terraform settings of the caller, which
// must not reach the emulator run (or send real credentials to it).
func cleanEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "ARM_") || strings.HasPrefix(k, "AZURE_") || strings.HasPrefix(k, "B2B_") ||
			strings.HasPrefix(k, "TF_") || strings.HasPrefix(k, "IDENTITY_") || strings.HasPrefix(k, "MSI_") || k == "SSL_CERT_FILE" {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// startFaults turns the faults on. The emulator's knobs are global, so a
// ticker re-draws the per-request parts this soak wants varied: whether a
// drop happens after acting, and each new guest's replication lag.
func (s *soak) startFaults() {
	s.stopFlt = make(chan struct{})
	set := func() {
		afterActing, lag := s.draws.next()
		s.srv.SetFaults(emulator.Faults{
			Latency: s.o.latency, Rate429: s.o.rate429, Rate503: s.o.rate503, RateDrop: s.o.rateDrop,
			DropAfterActing: afterActing, RetryAfter: s.o.retryAfter,
		})
		s.srv.SetReplicationLag(lag)
	}
	set()
	go func() {
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-s.stopFlt:
				return
			case <-t.C:
				set()
			}
		}
	}()
}

// faultDraws are the soak's own random choices, from the run's seed.
// Only the fault ticker draws, so no lock is needed.
type faultDraws struct {
	rng        *rand.Rand
	actedShare float64
	maxLag     time.Duration
}

func newFaultDraws(o options) *faultDraws {
	// A stream apart from the emulator's, which starts from the same seed.
	return &faultDraws{rng: rand.New(rand.NewPCG(o.seed, 0x63686173)), actedShare: o.actedShare, maxLag: o.maxLag}
}

// next draws whether dropped requests act first, and the replication lag
// of the guests invited until the next draw.
func (d *faultDraws) next() (dropAfterActing bool, lag time.Duration) {
	dropAfterActing = d.rng.Float64() < d.actedShare
	return dropAfterActing, time.Duration(d.rng.Int64N(int64(d.maxLag) + 1))
}

func (s *soak) writeVars() error {
	raw, err := json.MarshalIndent(map[string]any{"guests": s.guests}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(s.dir, "terraform.tfvars.json"), raw, 0o600)
}

func (s *soak) terraform(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, s.tf, args...)
	cmd.Dir = s.dir
	cmd.Env = s.env
	// Its own process group, so SIGKILL reaches Terraform and the provider
	// plugin together, like a CI runner that dies.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd
}

// applyUntilDone runs terraform apply until it succeeds, at most
// maxApplies times, as an operator re-runs a failed apply.
func (s *soak) applyUntilDone(ctx context.Context) (int, error) {
	if err := s.writeVars(); err != nil {
		return 0, err
	}
	for attempt := 1; ; attempt++ {
		var buf bytes.Buffer
		cmd := s.terraform(ctx, "apply", "-auto-approve", "-input=false", "-no-color", fmt.Sprintf("-parallelism=%d", s.o.parallelism))
		cmd.Stdout, cmd.Stderr = &buf, &buf
		err := cmd.Run()
		if err == nil {
			return attempt, nil
		}
		fmt.Fprintf(s.out, "  apply %d failed (%v); its errors:\n%s\n", attempt, err, indent(errorLines(buf.String()), "    "))
		if attempt >= s.o.maxApplies {
			return attempt, fmt.Errorf("apply failed %d times", attempt)
		}
	}
}

// interruptMidApply starts an apply of the new guests and sends sig to its
// process group once killFraction of them have been invited: SIGKILL as
// when a CI runner dies, SIGINT as Ctrl-C in a terminal (which signals the
// whole foreground group; Terraform then stops the provider, which cancels
// the operations in flight, and waits for them).
func (s *soak) interruptMidApply(ctx context.Context, added int, sig syscall.Signal) error {
	if err := s.writeVars(); err != nil {
		return err
	}
	before := len(s.srv.Invitations())
	var buf bytes.Buffer
	cmd := s.terraform(ctx, "apply", "-auto-approve", "-input=false", "-no-color", fmt.Sprintf("-parallelism=%d", s.o.parallelism))
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	target := before + max(1, int(float64(added)*s.o.killFraction))
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case err := <-done:
			fmt.Fprintf(s.out, "  the apply ended (%v) before %d invitations: nothing to interrupt\n", err, target-before)
			return nil
		case <-t.C:
			n := len(s.srv.Invitations())
			if n < target {
				continue
			}
			sent := time.Now()
			if err := syscall.Kill(-cmd.Process.Pid, sig); err != nil {
				return fmt.Errorf("%v: %w", sig, err)
			}
			var werr error
			select {
			case werr = <-done:
			case <-time.After(5 * time.Minute):
				_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
				werr = <-done
				s.extraProblems = append(s.extraProblems, fmt.Sprintf("terraform did not stop within 5 minutes of %v", sig))
			}
			// Reaped: the state file is final. The exit status is the
			// expected "signal: killed", or 1 after an interrupt.
			fmt.Fprintf(s.out, "  sent %v to terraform and the provider after %d of %d new invitations; it exited (%v) after %s, with %d invitations, %d guests saved as %q; the state file then held %s\n",
				sig, n-before, added, werr, time.Since(sent).Round(time.Millisecond), len(s.srv.Invitations())-before,
				strings.Count(buf.String(), "Guest User Invited, Apply Interrupted"), "Apply Interrupted", s.stateSummary())
			return nil
		}
	}
}

// round runs one round and checks its outcome.
func (s *soak) round(ctx context.Context, name string, apply func() (int, error)) {
	fmt.Fprintf(s.out, "\n== round %s\n", name)
	s.srv.ResetCounters()
	s.extraProblems = nil
	start := time.Now()
	applies, err := apply()
	took := time.Since(start)
	c := s.srv.Counters()
	r := s.check(ctx)
	if err != nil {
		r.problems = append(r.problems, err.Error())
	}
	r.problems = append(r.problems, s.extraProblems...)
	fmt.Fprintf(s.out, "  applies %d, %s; Graph requests %d: 429 %d, 503 %d, dropped %d; POST /invitations %d\n",
		applies, took.Round(time.Second), graphRequests(c), c["status:429"], c["status:503"], dropped(c), c["POST /v1.0/invitations"])
	fmt.Fprintf(s.out, "  declared %d, in state %d, state == directory %d, mismatched %d, missing from directory %d, orphans %d\n",
		len(s.guests), r.inState, r.matching, r.mismatched, r.missing, r.orphans)
	fmt.Fprintf(s.out, "  invitations %d for %d guests, guests invited more than once %d, never invited %d; tainted %d, deleted items %d; follow-up plan empty: %v\n",
		r.invitations, r.invitedGuests, r.duplicated, r.neverInvited, r.tainted, r.deleted, r.planEmpty)
	if len(r.problems) == 0 {
		fmt.Fprintln(s.out, "  OK")
		return
	}
	s.allOK = false
	for i, p := range r.problems {
		if i == 20 {
			fmt.Fprintf(s.out, "  ... and %d more\n", len(r.problems)-i)
			break
		}
		fmt.Fprintln(s.out, "  PROBLEM:", p)
	}
}

type result struct {
	inState, matching, mismatched, missing, orphans      int
	invitations, invitedGuests, duplicated, neverInvited int
	tainted, deleted                                     int
	planEmpty                                            bool
	problems                                             []string
}

// stateFile is the part of Terraform's state (format version 4) read here.
type stateFile struct {
	Resources []struct {
		Type      string `json:"type"`
		Instances []struct {
			IndexKey   string         `json:"index_key"`
			Status     string         `json:"status"`
			Attributes map[string]any `json:"attributes"`
		} `json:"instances"`
	} `json:"resources"`
}

// check compares the state, the directory, deleted items, the
// invitations and a follow-up plan after a round.
func (s *soak) check(ctx context.Context) result {
	var r result
	inState, ok := s.checkState(&r)
	if !ok {
		return r
	}
	s.checkDirectory(&r, inState)
	s.checkInvitations(&r)
	s.checkPlan(ctx, &r)
	return r
}

// checkState checks every guest in the state against the declaration and
// the directory; it returns the state's object IDs (to emails).
func (s *soak) checkState(r *result) (map[string]string, bool) {
	raw, err := os.ReadFile(filepath.Join(s.dir, "terraform.tfstate"))
	if err != nil {
		r.problems = append(r.problems, "reading the state: "+err.Error())
		return nil, false
	}
	var st stateFile
	if err := json.Unmarshal(raw, &st); err != nil {
		r.problems = append(r.problems, "parsing the state: "+err.Error())
		return nil, false
	}
	inState := map[string]string{} // object ID -> email
	seen := map[string]bool{}
	for _, res := range st.Resources {
		if res.Type != "b2b_guest_user" {
			continue
		}
		for _, inst := range res.Instances {
			id, mail := s.checkInstance(r, inst.Status, inst.Attributes)
			inState[id] = mail
			seen[mail] = true
		}
	}
	for mail := range s.guests {
		if !seen[mail] {
			r.problems = append(r.problems, fmt.Sprintf("%s is declared but not in the state", mail))
		}
	}
	return inState, true
}

// checkInstance checks one guest of the state and returns its ID and email.
func (s *soak) checkInstance(r *result, status string, a map[string]any) (string, string) {
	r.inState++
	id, _ := a["id"].(string)
	mail, _ := a["email"].(string)
	if status == "tainted" {
		r.tainted++
		r.problems = append(r.problems, fmt.Sprintf("%s (%s) is tainted: the next apply would delete it and invite again", mail, id))
	}
	want, declared := s.guests[mail]
	if !declared {
		r.problems = append(r.problems, fmt.Sprintf("%s is in the state but not declared", mail))
		return id, mail
	}
	u, ok := s.srv.User(id)
	if !ok {
		r.missing++
		r.problems = append(r.problems, fmt.Sprintf("%s (%s) is in the state but not in the directory", mail, id))
		return id, mail
	}
	if diffs := profileDiffs(mail, want, u); len(diffs) > 0 {
		r.mismatched++
		r.problems = append(r.problems, fmt.Sprintf("%s (%s): %s", mail, id, strings.Join(diffs, "; ")))
	} else {
		r.matching++
	}
	return id, mail
}

// profileDiffs lists, sorted, the declared values the directory does not hold.
func profileDiffs(mail string, want guest, u map[string]any) []string {
	var diffs []string
	for attr, pair := range map[string][2]string{
		"mail": {mail, str(u["mail"])}, "displayName": {want.DisplayName, str(u["displayName"])},
		"jobTitle": {want.JobTitle, str(u["jobTitle"])}, "department": {want.Department, str(u["department"])},
		"companyName": {want.CompanyName, str(u["companyName"])}, "usageLocation": {want.UsageLocation, str(u["usageLocation"])},
	} {
		if !strings.EqualFold(pair[0], pair[1]) {
			diffs = append(diffs, fmt.Sprintf("%s declared %q, directory %q", attr, pair[0], pair[1]))
		}
	}
	sort.Strings(diffs)
	return diffs
}

// checkDirectory finds the soak's guests that the state lost (orphans)
// or that went to deleted items (replaced).
func (s *soak) checkDirectory(r *result, inState map[string]string) {
	for _, u := range s.srv.Users() {
		mail := strings.ToLower(str(u["mail"]))
		if !strings.HasSuffix(mail, "@"+soakDomain) {
			continue
		}
		if _, ok := inState[str(u["id"])]; !ok {
			r.orphans++
			r.problems = append(r.problems, fmt.Sprintf("orphan: %s (%s) is in the directory but not in the state", mail, str(u["id"])))
		}
	}
	for _, u := range s.srv.DeletedUsers() {
		if mail := strings.ToLower(str(u["mail"])); strings.HasSuffix(mail, "@"+soakDomain) {
			r.deleted++
			r.problems = append(r.problems, fmt.Sprintf("%s (%s) is in deleted items: a guest was replaced", mail, str(u["id"])))
		}
	}
}

// checkInvitations wants exactly one invitation per declared guest.
func (s *soak) checkInvitations(r *result) {
	perGuest := map[string]int{}
	for _, inv := range s.srv.Invitations() {
		if inv.ResetRedemption {
			continue // a re-invitation the configuration asked for
		}
		r.invitations++
		perGuest[strings.ToLower(inv.Email)]++
	}
	r.invitedGuests = len(perGuest)
	for mail := range s.guests {
		switch n := perGuest[mail]; {
		case n == 0:
			r.neverInvited++
			r.problems = append(r.problems, fmt.Sprintf("%s was never invited", mail))
		case n > 1:
			r.duplicated++
			r.problems = append(r.problems, fmt.Sprintf("%s was invited %d times", mail, n))
		}
	}
}

// checkPlan wants the follow-up plan empty.
func (s *soak) checkPlan(ctx context.Context, r *result) {
	var buf bytes.Buffer
	cmd := s.terraform(ctx, "plan", "-detailed-exitcode", "-input=false", "-no-color", fmt.Sprintf("-parallelism=%d", s.o.parallelism))
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		r.planEmpty = true
	case errors.As(err, &ee) && ee.ExitCode() == 2:
		r.problems = append(r.problems, "the follow-up plan is not empty:\n"+indent(planSummary(buf.String()), "    "))
	default:
		r.problems = append(r.problems, fmt.Sprintf("the follow-up plan failed (%v):\n%s", err, indent(errorLines(buf.String()), "    ")))
	}
}

// stateSummary counts the guests in terraform.tfstate as a killed run left
// it: the local backend rewrites the file after every resource, so a kill
// during a write can leave it truncated.
func (s *soak) stateSummary() string {
	raw, err := os.ReadFile(filepath.Join(s.dir, "terraform.tfstate"))
	if err != nil {
		return "nothing (" + err.Error() + ")"
	}
	var st stateFile
	if err := json.Unmarshal(raw, &st); err != nil {
		return fmt.Sprintf("%d bytes that are not a valid state (%v)", len(raw), err)
	}
	n := 0
	for _, r := range st.Resources {
		if r.Type == "b2b_guest_user" {
			n += len(r.Instances)
		}
	}
	return fmt.Sprintf("%d guests", n)
}

// taintedInState counts the tainted guests in terraform.tfstate.
func (s *soak) taintedInState() int {
	raw, err := os.ReadFile(filepath.Join(s.dir, "terraform.tfstate"))
	if err != nil {
		return 0
	}
	var st stateFile
	if json.Unmarshal(raw, &st) != nil {
		return 0
	}
	n := 0
	for _, r := range st.Resources {
		for _, inst := range r.Instances {
			if r.Type == "b2b_guest_user" && inst.Status == "tainted" {
				n++
			}
		}
	}
	return n
}

func str(v any) string { s, _ := v.(string); return s }

// graphRequests counts the Graph requests that reached the emulator
// (batch items and token requests excluded).
func graphRequests(c emulator.Counters) int {
	n := 0
	for k, v := range c {
		if strings.Contains(k, " /v1.0/") && !strings.HasPrefix(k, emulator.BatchItemCounterPrefix) {
			n += v
		}
	}
	return n
}

// dropped is requests that got no status: every counted request has one
// unless its connection was cut (batch items count both, so they cancel).
func dropped(c emulator.Counters) int {
	reqs, answered := 0, 0
	for k, v := range c {
		switch {
		case strings.HasPrefix(k, "status:"):
			answered += v
		case strings.HasPrefix(k, emulator.BatchItemCounterPrefix):
		default:
			reqs += v
		}
	}
	return max(0, reqs-answered)
}

func errorLines(out string) string {
	var keep []string
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "Error: ") || strings.HasPrefix(l, "│ Error: ") {
			end := min(len(lines), i+8)
			keep = append(keep, lines[i:end]...)
		}
	}
	if len(keep) == 0 {
		lines = lines[max(0, len(lines)-15):]
		return strings.Join(lines, "\n")
	}
	if len(keep) > 60 {
		keep = append(keep[:60], fmt.Sprintf("... (%d more lines)", len(keep)-60))
	}
	return strings.Join(keep, "\n")
}

func planSummary(out string) string {
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "#") || strings.HasPrefix(t, "~ ") || strings.HasPrefix(t, "Plan:") {
			keep = append(keep, t)
		}
	}
	if len(keep) > 40 {
		keep = append(keep[:40], fmt.Sprintf("... (%d more lines)", len(keep)-40))
	}
	return strings.Join(keep, "\n")
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+prefix)
}

func (s *soak) sortedEmails() []string {
	keys := make([]string, 0, len(s.guests))
	for k := range s.guests {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// findTerraform: the flag, TF_ACC_TERRAFORM_PATH, the newest CLI cached by
// tools/install-terraform.sh, then terraform on PATH.
func findTerraform(flagPath string) (string, error) {
	for _, p := range []string{flagPath, os.Getenv("TF_ACC_TERRAFORM_PATH")} {
		if p != "" {
			if _, err := os.Stat(p); err != nil {
				return "", err
			}
			return p, nil
		}
	}
	cache := os.Getenv("B2B_CACHE_DIR")
	if cache == "" {
		base := os.Getenv("XDG_CACHE_HOME")
		if base == "" {
			home, _ := os.UserHomeDir()
			base = filepath.Join(home, ".cache")
		}
		cache = filepath.Join(base, "terraform-provider-b2b")
	}
	var best *goversion.Version
	var bestPath string
	entries, _ := os.ReadDir(filepath.Join(cache, "terraform"))
	for _, e := range entries {
		v, err := goversion.NewVersion(e.Name())
		p := filepath.Join(cache, "terraform", e.Name(), "terraform")
		if _, serr := os.Stat(p); err == nil && serr == nil && (best == nil || v.GreaterThan(best)) {
			best, bestPath = v, p
		}
	}
	if bestPath != "" {
		return bestPath, nil
	}
	if p, err := exec.LookPath("terraform"); err == nil {
		return p, nil
	}
	return "", errors.New("no Terraform CLI: pass -terraform, set TF_ACC_TERRAFORM_PATH, or run `make terraform`")
}
