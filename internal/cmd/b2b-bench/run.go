package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

// The phases, in the order they run.
const (
	phaseCreate  = "apply (create)"
	phaseRefresh = "plan (no changes)"
	// phaseNoRefresh is the same plan over the same state with
	// -refresh=false: what Terraform and the provider cost without reading
	// the guests, the denominator of issue 13's "no-change plan at most
	// 1.5x the same plan with -refresh=false".
	phaseNoRefresh = "plan (-refresh=false)"
	phaseDrift     = "plan (5% drift)"
	phaseDestroy   = "destroy"
)

// startSize makes the size's empty work directory and starts its emulator
// with the run's invitation budget and latency.
func startSize(o options, out string, n int) (string, *emulator.Server, error) {
	dir := filepath.Join(out, fmt.Sprintf("n%d", n))
	if err := os.RemoveAll(dir); err != nil {
		return "", nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", nil, err
	}
	lim := o.limit
	if o.noLimit {
		lim.Disabled = true
	}
	srv, err := emulator.Start(emulator.Options{TenantDomain: "bench.onmicrosoft.com", InvitationLimit: lim})
	if err != nil {
		return "", nil, fmt.Errorf("starting the emulator: %w", err)
	}
	srv.SetFaults(emulator.Faults{Latency: o.latency})
	return dir, srv, nil
}

func runSize(ctx context.Context, o options, out string, n int) (*sizeRun, error) {
	dir, srv, err := startSize(o, out, n)
	if err != nil {
		return nil, err
	}
	defer func() { _ = srv.Close() }()

	var state *stateServer
	if o.backend == "http" {
		if state, err = startStateServer(); err != nil {
			return nil, fmt.Errorf("starting the state store: %w", err)
		}
		defer state.close()
	}
	env, access, err := writeWorkDir(o, dir, n, srv, state)
	if err != nil {
		return nil, err
	}
	if state != nil {
		if err := initBackend(ctx, o, dir, env, n, state); err != nil {
			return nil, err
		}
	}
	tf := func(name string, wantExit int, args ...string) (phase, error) {
		args = append(args, "-input=false", "-no-color", fmt.Sprintf("-parallelism=%d", o.parallelism))
		srv.ResetCounters()
		logf("N=%d: %s: terraform %s", n, name, strings.Join(args, " "))
		env, tfProfile := phaseEnv(o, env, dir, name)
		stopInvites := watchInvitations(srv)
		p, err := runTerraform(ctx, o.terraform, dir, env, filepath.Join(dir, slug(name)+".log"), wantExit, args...)
		p.FirstInviteSeconds, p.LastInviteSeconds = stopInvites()
		p.Name = name
		p.fill(srv.Counters(), n)
		p.recordState(o.backend, dir, state)
		logf("N=%d: %s: %.1f s, %.3f Graph requests per guest, %d answered 429, provider peak RSS %.1f MB, CPU s provider %.1f terraform %.1f",
			n, name, p.WallSeconds, p.RequestsPerGuest, p.Status429, p.ProviderPeakRSSMB, p.ProviderCPUSeconds, p.TerraformCPUSeconds)
		if p.LastInviteSeconds > 0 {
			logf("N=%d: %s: invitations from %.1f s to %.1f s", n, name, p.FirstInviteSeconds, p.LastInviteSeconds)
		}
		p.recordTerraformProfile(o.terraform, n, tfProfile)
		return p, err
	}

	r := &sizeRun{N: n, Access: o.access}
	steps := []struct {
		name string
		exit int
		args []string
		pre  func() error
	}{
		{phaseCreate, 0, []string{"apply", "-auto-approve"}, nil},
		{phaseRefresh, 0, []string{"plan", "-detailed-exitcode"}, nil},
		{phaseNoRefresh, 0, []string{"plan", "-detailed-exitcode", "-refresh=false"}, nil},
		{phaseDrift, 2, []string{"plan", "-detailed-exitcode"}, func() error { return drift(srv, n, o.drift) }},
		{phaseDestroy, 0, []string{"destroy", "-auto-approve"}, nil},
	}
	for _, s := range steps {
		if s.pre != nil {
			if err := s.pre(); err != nil {
				return r, err
			}
		}
		p, err := tf(s.name, s.exit, s.args...)
		r.Phases = append(r.Phases, p)
		if err != nil {
			return r, err
		}
	}
	want := 0
	if access != nil {
		want = 1 // the sponsor, who is not a guest of this configuration
	}
	return r, checkDirectory(srv.DuplicateInvitations(), len(srv.Users()), want)
}

// phaseEnv adds to env what the flags ask of one phase's Terraform: its
// log, the provider's CPU profiles and Terraform's own, and returns the
// path Terraform's profile goes to ("" without -terraform-cpuprofile).
func phaseEnv(o options, env []string, dir, name string) ([]string, string) {
	env = env[:len(env):len(env)] // appends never write into the caller's array
	if o.tfLog != "" {
		env = append(env, "TF_LOG="+o.tfLog, "TF_LOG_PATH="+filepath.Join(dir, slug(name)+".tf.log"))
	}
	if o.cpuProfile {
		env = append(env, "TF_B2B_CPUPROFILE="+filepath.Join(dir, slug(name)+".cpu"))
	}
	if o.memProfile {
		env = append(env, "TF_B2B_MEMPROFILE="+filepath.Join(dir, slug(name)+".heap"))
	}
	tfProfile := ""
	if o.tfCPUProfile {
		tfProfile = filepath.Join(dir, slug(name)+".tf.cpu")
		_ = os.Remove(tfProfile) // a profile left by an earlier run must not pass for this one's
		env = append(env, tfCPUProfileEnv+"="+tfProfile)
	}
	return env, tfProfile
}

// tfCPUProfileEnv names the file a Terraform built by
// tools/install-terraform-profiled.sh writes its CPU profile to
// (tools/terraform-cpuprofile/zz_b2b_cpuprofile.go); other builds ignore it.
const tfCPUProfileEnv = "TF_B2B_TF_CPUPROFILE"

// initBackend runs terraform init for the http backend, the provider
// coming from a local plugin directory (see pluginDir).
func initBackend(ctx context.Context, o options, dir string, env []string, n int, state *stateServer) error {
	logf("N=%d: terraform init (http backend at %s)", n, state.url)
	plugins, err := pluginDir(dir, o.provider)
	if err != nil {
		return err
	}
	log := filepath.Join(dir, "init.log")
	if _, err := runTerraform(ctx, o.terraform, dir, env, log, 0, "init", "-input=false", "-no-color", "-plugin-dir="+plugins); err != nil {
		return fmt.Errorf("terraform init: %w (see %s)", err, log)
	}
	return nil
}

// recordState notes the backend and the state's size after the phase: the
// local file's, or the largest snapshot the http store received.
func (p *phase) recordState(backend, dir string, state *stateServer) {
	p.Backend = backend
	if state != nil {
		p.StateWrites, p.StateBytes = state.counts()
	} else if fi, err := os.Stat(filepath.Join(dir, "terraform.tfstate")); err == nil {
		p.StateBytes = int(fi.Size())
	}
}

// recordTerraformProfile keeps the path of Terraform's CPU profile when the
// CLI wrote one, and says why when it did not.
func (p *phase) recordTerraformProfile(terraform string, n int, tfProfile string) {
	if tfProfile == "" {
		return
	}
	if _, err := os.Stat(tfProfile); err != nil {
		logf("N=%d: %s: Terraform wrote no CPU profile (%v): is %s a build from tools/install-terraform-profiled.sh?", n, p.Name, err, terraform)
		return
	}
	p.TerraformCPUProfile = tfProfile
}

// checkDirectory is the bench's correctness gate after destroy: no address
// was invited twice over the run, and destroy left only the want users
// the configuration does not manage. (A plan that is not empty after
// apply fails its phase: runTerraform checks -detailed-exitcode.)
func checkDirectory(dups map[string]int, left, want int) error {
	var errs []error
	if len(dups) > 0 {
		extra, example := 0, ""
		for email, n := range dups {
			extra += n
			if example == "" || email < example {
				example = email
			}
		}
		errs = append(errs, fmt.Errorf("%d addresses were invited more than once (%d extra invitations, e.g. %s)", len(dups), extra, example))
	}
	if left != want {
		errs = append(errs, fmt.Errorf("destroy left %d users in the directory, want %d", left, want))
	}
	return errors.Join(errs...)
}

// writeWorkDir writes the emulator's CA, the Terraform CLI configuration
// and main.tf for n guests into dir, seeds the -access group and sponsor,
// and returns the environment Terraform runs with.
func writeWorkDir(o options, dir string, n int, srv *emulator.Server, state *stateServer) ([]string, *accessIDs, error) {
	caFile := filepath.Join(dir, "emulator-ca.pem")
	if err := srv.CA().WriteCertFile(caFile); err != nil {
		return nil, nil, err
	}
	rc := filepath.Join(dir, "terraformrc")
	if err := os.WriteFile(rc, []byte(fmt.Sprintf(`provider_installation {
  dev_overrides {
    "registry.terraform.io/entra-b2b/b2b" = %q
  }
  direct {}
}
`, filepath.Dir(o.provider))), 0o644); err != nil {
		return nil, nil, err
	}
	app := srv.DefaultApp()
	var access *accessIDs
	if o.access {
		var err error
		if access, err = seedAccess(srv, app.ClientID); err != nil {
			return nil, nil, err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(configFor(n, access, backendBlock(o.backend, state))), 0o644); err != nil {
		return nil, nil, err
	}
	return append(cleanEnv(),
		"TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_INPUT=0",
		"SSL_CERT_FILE="+caFile,
		"ARM_TENANT_ID="+srv.TenantID(), "ARM_CLIENT_ID="+app.ClientID, "ARM_CLIENT_SECRET="+app.Secret,
		"B2B_GRAPH_ENDPOINT="+srv.GraphEndpoint(), "B2B_AUTHORITY_HOST="+srv.AuthorityHost(),
	), access, nil
}

// accessIDs are the group and the sponsor every guest gets with -access.
type accessIDs struct{ group, sponsor string }

// seedAccess creates the group and the sponsor the guests of an -access run
// refer to, and grants the app what group_ids and sponsor_ids need.
func seedAccess(srv *emulator.Server, clientID string) (*accessIDs, error) {
	srv.SetPermissions(clientID, []string{emulator.PermUserInviteAll, emulator.PermUserReadWriteAll,
		emulator.PermGroupMemberReadWriteAll, emulator.PermDirectoryReadAll})
	g, err := srv.SeedGroup("Bench partners")
	if err != nil {
		return nil, fmt.Errorf("seeding the group: %w", err)
	}
	sp, err := srv.SeedUser(emulator.SeedUser{Email: "sponsor@bench.example", DisplayName: "Sponsor", UserType: "Member"})
	if err != nil {
		return nil, fmt.Errorf("seeding the sponsor: %w", err)
	}
	return &accessIDs{group: g, sponsor: sp}, nil
}

// configFor writes N guests the way a team keeps them: one resource per
// row of a map, with only the invitation's own fields (no profile PATCH),
// and with access, a group membership and a sponsor each.
func configFor(n int, access *accessIDs, backend string) string {
	extra := ""
	if access != nil {
		extra = fmt.Sprintf("  group_ids    = [%q]\n  sponsor_ids  = [%q]\n", access.group, access.sponsor)
	}
	return fmt.Sprintf(`terraform {
  required_providers {
    b2b = { source = "entra-b2b/b2b" }
  }
%s}

provider "b2b" {
  default_redirect_url            = "https://myapps.microsoft.com"
  default_send_invitation_message = false
}

%s
resource "b2b_guest_user" "g" {
  for_each     = local.guests
  email        = each.value
  display_name = "Guest ${each.key}"
%s}
`, backend, guestsLocal(n), extra)
}

// guestsLocal declares local.guests, n addresses by key. Terraform's range
// gives at most 1,024 values, so the keys are built in chunks of 1,000.
func guestsLocal(n int) string {
	return fmt.Sprintf(`locals {
  guests = merge([for c in range(%d) : {
    for i in range(c * 1000, min(c * 1000 + 1000, %d)) : format("guest%%05d", i) => format("guest%%05d@partner.example", i)
  }]...)
}
`, (n+999)/1000, n)
}

// watchInvitations samples the emulator's invitation counter until the
// returned function is called, which reports when the first and the last
// invitation of the phase were seen, in seconds from now.
func watchInvitations(srv *emulator.Server) func() (first, last float64) {
	start := time.Now()
	done := make(chan struct{})
	var first, last float64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		seen := 0
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			if n := srv.Counters()["POST /v1.0/invitations"]; n > seen {
				at := time.Since(start).Seconds()
				if seen == 0 {
					first = at
				}
				seen, last = n, at
			}
		}
	}()
	return func() (float64, float64) {
		close(done)
		wg.Wait()
		return first, last
	}
}

// drift renames a share of the guests out of band, as a portal edit would.
func drift(srv *emulator.Server, n int, share float64) error {
	users := srv.Users()
	sort.Slice(users, func(i, j int) bool { return fmt.Sprint(users[i]["mail"]) < fmt.Sprint(users[j]["mail"]) })
	k := max(1, int(float64(n)*share+0.5))
	if len(users) < k {
		return fmt.Errorf("only %d users to drift, want %d", len(users), k)
	}
	step := len(users) / k
	for i := 0; i < k; i++ {
		id, _ := users[i*step]["id"].(string)
		if err := srv.PatchUser(id, map[string]any{"displayName": "Renamed in the portal"}); err != nil {
			return fmt.Errorf("drifting %s: %w", id, err)
		}
	}
	logf("N=%d: renamed %d guests out of band", n, k)
	return nil
}

// cleanEnv drops settings that would change what is measured.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "TF_") || strings.HasPrefix(k, "ARM_") || strings.HasPrefix(k, "AZURE_") || strings.HasPrefix(k, "B2B_") || k == "SSL_CERT_FILE" {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// runTerraform runs one command and samples its provider processes' peak RSS.
func runTerraform(ctx context.Context, tfPath, dir string, env []string, logPath string, wantExit int, args ...string) (phase, error) {
	var p phase
	logFile, err := os.Create(logPath)
	if err != nil {
		return p, err
	}
	defer logFile.Close()
	cmd := exec.CommandContext(ctx, tfPath, args...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, env, logFile, logFile
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return p, err
	}
	mon := newRSSMonitor(cmd.Process.Pid)
	mon.wg.Add(1)
	go mon.run()
	err = cmd.Wait()
	p.WallSeconds = time.Since(start).Seconds()
	mon.stop()
	p.ProviderPeakRSSMB, p.ProviderStarts = mon.result()
	p.ProviderPeaksMB = mon.peaks()
	p.ProviderCPUSeconds = mon.cpuSeconds()
	if st := cmd.ProcessState; st != nil {
		// wait4 reports the child's usage with that of the children it
		// reaped: terraform's own CPU plus its providers'.
		p.TerraformCPUSeconds = (st.UserTime() + st.SystemTime()).Seconds() - p.ProviderCPUSeconds
	}
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		return p, err
	}
	if code != wantExit {
		return p, fmt.Errorf("terraform %s exited %d, want %d (log: %s)", args[0], code, wantExit, logPath)
	}
	return p, nil
}

// rssMonitor polls /proc for the provider processes Terraform starts and
// keeps the largest VmHWM (the kernel's own peak RSS) seen in any of them.
type rssMonitor struct {
	parent int
	done   chan struct{}
	wg     sync.WaitGroup

	mu   sync.Mutex
	peak map[int]int64 // pid -> VmHWM in kB
	cpu  map[int]int64 // pid -> utime+stime in clock ticks, last seen
}

func newRSSMonitor(parent int) *rssMonitor {
	return &rssMonitor{parent: parent, done: make(chan struct{}), peak: map[int]int64{}, cpu: map[int]int64{}}
}

func (m *rssMonitor) run() {
	defer m.wg.Done()
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		m.sample()
		select {
		case <-m.done:
			return
		case <-t.C:
		}
	}
}

func (m *rssMonitor) sample() {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		ppid, comm := procParent(pid)
		// The kernel cuts comm at 15 bytes: "terraform-provi".
		if ppid != m.parent || !strings.HasPrefix(comm, "terraform-provi") {
			continue
		}
		if kb := procHWM(pid); kb > 0 {
			m.mu.Lock()
			if kb > m.peak[pid] {
				m.peak[pid] = kb
			}
			if t := procCPUTicks(pid); t > 0 {
				m.cpu[pid] = t
			}
			m.mu.Unlock()
		}
	}
}

func (m *rssMonitor) stop() { close(m.done); m.wg.Wait() }

func (m *rssMonitor) result() (peakMB float64, starts int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var top int64
	for _, kb := range m.peak {
		top = max(top, kb)
	}
	return float64(top) / 1024, len(m.peak)
}

// peaks is each provider process's peak RSS in MB, in the order Terraform
// started them (by pid), to tell which of a command's processes (validate,
// plan, apply) a peak belongs to.
func (m *rssMonitor) peaks() []float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	pids := make([]int, 0, len(m.peak))
	for pid := range m.peak {
		pids = append(pids, pid)
	}
	sort.Ints(pids)
	out := make([]float64, len(pids))
	for i, pid := range pids {
		out[i] = math.Round(float64(m.peak[pid])/1024*10) / 10
	}
	return out
}

func procParent(pid int) (int, string) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, ""
	}
	// pid (comm) state ppid ...; comm may hold spaces and parentheses.
	s := string(b)
	open, closeIdx := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || closeIdx < open {
		return 0, ""
	}
	f := strings.Fields(s[closeIdx+1:])
	if len(f) < 2 {
		return 0, ""
	}
	ppid, _ := strconv.Atoi(f[1])
	return ppid, s[open+1 : closeIdx]
}

// cpuSeconds is the CPU time of every provider process seen, as of its
// last sample (up to 20 ms short of the truth per process).
func (m *rssMonitor) cpuSeconds() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	var ticks int64
	for _, t := range m.cpu {
		ticks += t
	}
	return float64(ticks) / clockTicks
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat times: 100 on every
// Linux architecture Go supports.
const clockTicks = 100

// procCPUTicks is utime+stime of pid from /proc/<pid>/stat.
func procCPUTicks(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	// After "pid (comm)": state is field 3, utime 14 and stime 15.
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return u + st
}

func procHWM(pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb
		}
	}
	return 0
}

// measureBinary times start-up as go-plugin sees it: from exec to the
// handshake line on stdout, which the provider prints once its gRPC server
// listens. Terraform sets the same magic cookie when it starts a provider.
func measureBinary(ctx context.Context, path string, probes int) (binaryStats, error) {
	st := binaryStats{}
	fi, err := os.Stat(path)
	if err != nil {
		return st, err
	}
	st.SizeBytes = fi.Size()
	var times []float64
	for range max(probes, 1) {
		d, rssKB, err := startOnce(ctx, path)
		if err != nil {
			return st, err
		}
		times = append(times, float64(d.Microseconds())/1000)
		st.IdleRSSMB = max(st.IdleRSSMB, float64(rssKB)/1024)
	}
	sort.Float64s(times)
	st.StartupMedianMS = times[len(times)/2]
	st.StartupMinMS = times[0]
	st.StartupMaxMS = times[len(times)-1]
	return st, nil
}

func startOnce(ctx context.Context, path string) (time.Duration, int64, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path)
	cmd.Env = append(cleanEnv(),
		"TF_PLUGIN_MAGIC_COOKIE=d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
		"PLUGIN_PROTOCOL_VERSIONS=6")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	took := time.Since(start)
	if err != nil {
		return 0, 0, fmt.Errorf("the provider printed no handshake line: %w", err)
	}
	if !strings.HasPrefix(line, "1|6|") {
		return 0, 0, fmt.Errorf("unexpected handshake line %q", strings.TrimSpace(line))
	}
	return took, procHWM(cmd.Process.Pid), nil
}

func describeMachine(tfPath string) machine {
	m := machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "MemTotal:"); ok {
				kb, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
				m.MemoryGB = float64(kb) / 1024 / 1024
			}
		}
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		m.LoadAvgAtStart = strings.Join(strings.Fields(string(b))[:3], " ")
	}
	if b, err := exec.Command(tfPath, "version").Output(); err == nil {
		m.Terraform = strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0])
	}
	return m
}
