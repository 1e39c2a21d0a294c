// Command b2b-bench measures the provider at tenant scale: it starts the
// Graph emulator in-process (30 ms latency per request, Graph's invitation
// limit on), points the real Terraform CLI at a local provider build with
// dev_overrides, and times apply, a no-change plan, a plan after 5 % drift
// and destroy over N guests. It prints a table and writes JSON and a PNG
// chart to -out, so a change can be compared before and after.
//
//	go run ./internal/cmd/b2b-bench -n 100,1000
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

type options struct {
	sizes       []int
	latency     time.Duration
	parallelism int
	drift       float64
	terraform   string
	tfVersion   string
	provider    string
	out         string
	noLimit     bool
	limit       emulator.RateLimit
	probes      int
	tfLog       string
	access      bool
	cpuProfile  bool
	memProfile  bool
	backend     string
	// tfCPUProfile: Terraform writes a CPU profile of each phase (a build
	// from tools/install-terraform-profiled.sh).
	tfCPUProfile bool
}

func main() {
	var o options
	var sizes, limit, merge string
	flag.StringVar(&sizes, "n", "100,1000", "comma-separated numbers of guests; each is a separate run (make bench: 100,1000; 10000 works and takes about an hour)")
	flag.DurationVar(&o.latency, "latency", 30*time.Millisecond, "latency the emulator adds to every Graph request")
	flag.IntVar(&o.parallelism, "parallelism", 10, "terraform -parallelism (10 is Terraform's default)")
	flag.Float64Var(&o.drift, "drift", 0.05, "share of guests changed out of band before the drift plan")
	flag.StringVar(&o.terraform, "terraform", "", "Terraform CLI; default: tools/install-terraform.sh <-tf-version>")
	flag.StringVar(&o.tfVersion, "tf-version", "1.14.9", "Terraform version to build when -terraform is empty")
	flag.StringVar(&o.provider, "provider", "", "provider binary to measure; default: build the repository's release flavour into <out>/bin")
	flag.StringVar(&o.out, "out", ".bench", "directory for the results, the chart and the scratch Terraform work directories")
	flag.BoolVar(&o.noLimit, "no-invitation-limit", false, "switch the emulator's invitation limit off (to see what pacing costs)")
	flag.StringVar(&limit, "invitation-limit", "150/5s", "the tenant's invitation budget as N/window: Graph's documented 150/5s, or less (e.g. 5/10s) for a tenant whose other apps take most of it")
	flag.StringVar(&o.tfLog, "tf-log", "", "TF_LOG level for every Terraform command, written to <out>/n<N>/<phase>.tf.log (to see where time goes; the logging itself slows the run)")
	flag.BoolVar(&o.access, "access", false, "give every guest one group (group_ids) and one sponsor (sponsor_ids), to measure what managing them costs")
	flag.BoolVar(&o.cpuProfile, "cpuprofile", false, "have every provider process write a CPU profile (TF_B2B_CPUPROFILE) to <out>/n<N>/<phase>.cpu.<pid>")
	flag.BoolVar(&o.tfCPUProfile, "terraform-cpuprofile", false, "have Terraform itself write a CPU profile of each phase to <out>/n<N>/<phase>.tf.cpu (TF_B2B_TF_CPUPROFILE); with no -terraform, uses tools/install-terraform-profiled.sh <-tf-version>, a build that can")
	flag.BoolVar(&o.memProfile, "memprofile", false, "have every provider process write its live heap at exit (TF_B2B_MEMPROFILE) to <out>/n<N>/<phase>.heap.<pid>, and its heap and goroutines at each new memory high to <phase>.heap.<pid>.peak{,.goroutine}")
	flag.StringVar(&o.backend, "backend", "local", "Terraform state backend: local (a terraform.tfstate file, rewritten after every resource) or http (an in-memory remote store, snapshots every 20 s like any remote backend; use it for -n 10000, see BENCHMARKS.md)")
	flag.StringVar(&merge, "merge", "", "comma-separated results.json files of earlier runs to combine into <out>/results.json and its chart, without running anything (e.g. a -n 100,1000 run and a -n 10000 run)")
	flag.IntVar(&o.probes, "startup-probes", 5, "provider starts timed for the start-up figure (the median is reported)")
	flag.Parse()
	if merge != "" {
		rep, err := mergeReports(strings.Split(merge, ","))
		if err != nil {
			fatalf("-merge: %v", err)
		}
		if err := os.MkdirAll(o.out, 0o755); err != nil {
			fatalf("%v", err)
		}
		rep.print(os.Stdout)
		if err := rep.write(o.out); err != nil {
			fatalf("%v", err)
		}
		return
	}
	var err error
	if o.limit, err = emulator.ParseRateLimit(limit); err != nil {
		fatalf("-invitation-limit: %v", err)
	}
	if o.backend != "local" && o.backend != "http" {
		fatalf("-backend: %q is not local or http", o.backend)
	}
	for _, s := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fatalf("-n: %q is not a positive number", s)
		}
		o.sizes = append(o.sizes, n)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fatalf("%v", err)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "b2b-bench: "+format+"\n", args...)
	os.Exit(1)
}

func run(ctx context.Context, o options) error {
	out, err := filepath.Abs(o.out)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	if o.terraform == "" {
		script := installScript(o.tfCPUProfile)
		logf("finding Terraform %s (%s builds it once, then caches it)", o.tfVersion, script)
		cmd := exec.CommandContext(ctx, script, o.tfVersion)
		cmd.Stderr = os.Stderr
		b, err := cmd.Output()
		if err != nil {
			return fmt.Errorf("%s %s (run from the repository root): %w", script, o.tfVersion, err)
		}
		o.terraform = strings.TrimSpace(string(b))
	}
	if o.provider == "" {
		o.provider = filepath.Join(out, "bin", "terraform-provider-b2b")
		logf("building the provider (release flags: -trimpath -ldflags '-s -w') into %s", o.provider)
		// The release build's flags (GNUmakefile, goreleaser), so size and
		// start-up are what users get.
		cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", "-s -w -X main.version=bench", "-o", o.provider, ".")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("building the provider: %w", err)
		}
	}

	rep := report{Machine: describeMachine(o.terraform), Latency: o.latency.String(), Parallelism: o.parallelism, InvitationLimit: !o.noLimit,
		InvitationBudget: fmt.Sprintf("%d/%s", o.limit.N, o.limit.Window)}
	if o.limit.N == 0 {
		rep.InvitationBudget = "150/5s" // the emulator's default, Graph's documented limit
	}
	rep.Binary, err = measureBinary(ctx, o.provider, o.probes)
	if err != nil {
		return err
	}
	logf("provider binary %.1f MB, start-up %s (median of %d), RSS when serving %.1f MB",
		float64(rep.Binary.SizeBytes)/1e6, ms(rep.Binary.StartupMedianMS), o.probes, rep.Binary.IdleRSSMB)

	for _, n := range o.sizes {
		r, err := runSize(ctx, o, out, n)
		if r != nil {
			rep.Runs = append(rep.Runs, *r)
		}
		if err != nil {
			_ = rep.write(out) // keep what was measured
			return fmt.Errorf("run with %d guests: %w", n, err)
		}
	}
	rep.print(os.Stdout)
	return rep.write(out)
}

// installScript is the script that builds and caches the Terraform CLI:
// the plain one, or the build whose package main can profile itself.
func installScript(profiled bool) string {
	if profiled {
		return "tools/install-terraform-profiled.sh"
	}
	return "tools/install-terraform.sh"
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%s] "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

func ms(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) + " ms" }
