package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
)

type report struct {
	Machine         machine `json:"machine"`
	Latency         string  `json:"emulator_latency"`
	Parallelism     int     `json:"parallelism"`
	InvitationLimit bool    `json:"invitation_limit"`
	// InvitationBudget is the emulator's budget (-invitation-limit), N/window.
	InvitationBudget string      `json:"invitation_budget"`
	Binary           binaryStats `json:"provider_binary"`
	Runs             []sizeRun   `json:"runs"`
}

type machine struct {
	CPUs           int     `json:"cpus"`
	MemoryGB       float64 `json:"memory_gb"`
	GoVersion      string  `json:"go_version"`
	OS             string  `json:"os"`
	Terraform      string  `json:"terraform"`
	LoadAvgAtStart string  `json:"load_average_at_start"`
}

type binaryStats struct {
	SizeBytes       int64   `json:"size_bytes"`
	StartupMedianMS float64 `json:"startup_median_ms"`
	StartupMinMS    float64 `json:"startup_min_ms"`
	StartupMaxMS    float64 `json:"startup_max_ms"`
	IdleRSSMB       float64 `json:"rss_when_serving_mb"`
}

type sizeRun struct {
	N int `json:"n"`
	// Access: every guest also had one group in group_ids and one sponsor.
	Access bool    `json:"access,omitempty"`
	Phases []phase `json:"phases"`
}

type phase struct {
	Name              string         `json:"name"`
	WallSeconds       float64        `json:"wall_seconds"`
	Requests          int            `json:"graph_requests"`
	RequestsPerGuest  float64        `json:"graph_requests_per_guest"`
	ByMethod          map[string]int `json:"graph_requests_by_method"`
	ByEndpoint        map[string]int `json:"graph_requests_by_endpoint"`
	BatchedItems      int            `json:"batched_items"`
	TokenRequests     int            `json:"token_requests"`
	Status429         int            `json:"status_429"`
	Share429          float64        `json:"share_429"`
	ProviderPeakRSSMB float64        `json:"provider_peak_rss_mb"`
	ProviderStarts    int            `json:"provider_processes"`
	ProviderPeaksMB   []float64      `json:"provider_peak_rss_mb_by_process"`
	LoadAvgAfter      string         `json:"load_average_after"`
	// FirstInviteSeconds and LastInviteSeconds place the invitations in the
	// phase's wall time (sampled every 100 ms), so that the time Terraform
	// spends planning before and after them shows apart from the paced part.
	// ProviderCPUSeconds and TerraformCPUSeconds split the phase's CPU time
	// between the provider processes and Terraform itself.
	ProviderCPUSeconds  float64 `json:"provider_cpu_seconds"`
	TerraformCPUSeconds float64 `json:"terraform_cpu_seconds"`
	FirstInviteSeconds  float64 `json:"first_invitation_seconds,omitempty"`
	LastInviteSeconds   float64 `json:"last_invitation_seconds,omitempty"`
	// Backend is the state backend (local or http). StateBytes is the
	// state file's size after the phase (local) or the largest snapshot
	// Terraform persisted during it (http); StateWrites counts those
	// snapshots (http only: the local file is rewritten per resource).
	Backend     string `json:"backend"`
	StateBytes  int    `json:"state_bytes,omitempty"`
	StateWrites int    `json:"state_writes,omitempty"`
	// TerraformCPUProfile is the CPU profile Terraform wrote of this phase
	// (-terraform-cpuprofile).
	TerraformCPUProfile string `json:"terraform_cpu_profile,omitempty"`
}

// fill turns the emulator's counters into wire requests: a key counts every
// request of that template, batch items included, and the batch-item: key
// counts those items alone.
func (p *phase) fill(c emulator.Counters, n int) {
	p.ByMethod, p.ByEndpoint = map[string]int{}, map[string]int{}
	for k, v := range c {
		switch {
		case strings.HasPrefix(k, "status:"):
			continue
		case strings.HasPrefix(k, emulator.BatchItemCounterPrefix):
			p.BatchedItems += v
			continue
		case !strings.Contains(k, " /v1.0/"):
			p.TokenRequests += v
			continue
		}
		wire := v - c[emulator.BatchItemCounterPrefix+k]
		if wire == 0 {
			continue
		}
		method, _, _ := strings.Cut(k, " ")
		p.ByMethod[method] += wire
		p.ByEndpoint[k] += wire
		p.Requests += wire
	}
	p.Status429 = c["status:429"]
	if total := p.Requests + p.BatchedItems; total > 0 {
		p.Share429 = float64(p.Status429) / float64(total)
	}
	p.RequestsPerGuest = float64(p.Requests) / float64(n)
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		p.LoadAvgAfter = strings.Join(strings.Fields(string(b))[:3], " ")
	}
}

func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "\nprovider: %.1f MB binary, start-up %.0f ms median (%.0f-%.0f), %.1f MB RSS when serving\n",
		float64(r.Binary.SizeBytes)/1e6, r.Binary.StartupMedianMS, r.Binary.StartupMinMS, r.Binary.StartupMaxMS, r.Binary.IdleRSSMB)
	fmt.Fprintf(w, "machine: %d CPUs, %.1f GB, %s, %s, load %s; emulator latency %s, parallelism %d, invitation limit %v (%s)\n\n",
		r.Machine.CPUs, r.Machine.MemoryGB, r.Machine.GoVersion, r.Machine.Terraform, r.Machine.LoadAvgAtStart, r.Latency, r.Parallelism, r.InvitationLimit, r.InvitationBudget)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "N\tphase\twall s\treq/guest\tby method\tbatched\t429s\tpeak RSS MB\tCPU s provider/terraform\tstate B/guest\tload after\t")
	for _, run := range r.Runs {
		for _, p := range run.Phases {
			fmt.Fprintf(tw, "%d\t%s\t%.1f\t%.3f\t%s\t%d\t%d (%.2f%%)\t%.1f\t%.1f / %.1f\t%s\t%s\t\n", run.N, p.Name, p.WallSeconds,
				p.RequestsPerGuest, methods(p.ByMethod, run.N), p.BatchedItems, p.Status429, 100*p.Share429, p.ProviderPeakRSSMB,
				p.ProviderCPUSeconds, p.TerraformCPUSeconds, stateBytesPerGuest(p, run.N), p.LoadAvgAfter)
		}
	}
	_ = tw.Flush()
	for _, run := range r.Runs {
		if ratio, ok := run.ratio(phaseRefresh, phaseNoRefresh); ok {
			fmt.Fprintf(w, "N=%d: no-change plan / plan -refresh=false, wall time: %.2fx (issue 13: at most 1.5x)\n", run.N, ratio)
		}
		if ratio, ok := run.ratio(phaseDestroy, phaseCreate); ok {
			fmt.Fprintf(w, "N=%d: destroy / create, wall time: %.2fx (issue 13: at most 1.5x)\n", run.N, ratio)
		}
	}
}

// stateBytesPerGuest is the phase's state size over n guests, "-" when
// unknown or empty (after destroy).
func stateBytesPerGuest(p phase, n int) string {
	if p.StateBytes == 0 || n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f", float64(p.StateBytes)/float64(n))
}

// ratio is phase a's wall time over phase b's, when the run has both.
func (r sizeRun) ratio(a, b string) (float64, bool) {
	var wa, wb float64
	for _, p := range r.Phases {
		switch p.Name {
		case a:
			wa = p.WallSeconds
		case b:
			wb = p.WallSeconds
		}
	}
	if wa == 0 || wb == 0 {
		return 0, false
	}
	return wa / wb, true
}

func methods(m map[string]int, n int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %.2f", k, float64(m[k])/float64(n)))
	}
	return strings.Join(parts, " ")
}

func (r *report) write(dir string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "results.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	if err := writeChart(filepath.Join(dir, "results.png"), r); err != nil {
		return err
	}
	logf("wrote %s and %s", filepath.Join(dir, "results.json"), filepath.Join(dir, "results.png"))
	return nil
}

// mergeReports combines the runs of several results.json files, in
// increasing N, so one chart shows sizes measured in separate runs; the
// first file's machine and settings head the result, and each run keeps
// the load averages it recorded.
func mergeReports(paths []string) (*report, error) {
	var out *report
	for _, path := range paths {
		b, err := os.ReadFile(strings.TrimSpace(path))
		if err != nil {
			return nil, err
		}
		var r report
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if out == nil {
			out = &r
			continue
		}
		out.Runs = append(out.Runs, r.Runs...)
	}
	if out == nil {
		return nil, errors.New("no files to merge")
	}
	sort.SliceStable(out.Runs, func(i, j int) bool { return out.Runs[i].N < out.Runs[j].N })
	return out, nil
}

func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
