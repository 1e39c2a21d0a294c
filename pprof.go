package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
)

// cpuProfileEnv names the file prefix the provider writes a CPU profile to,
// for finding where a slow plan's CPU goes (BENCHMARKS.md). Terraform starts
// the provider several times per command, so each process writes
// <prefix>.<pid>, from start to a clean exit (Terraform ends its plugins
// with a shutdown RPC, after which Serve returns). Unset, nothing runs.
//
//	TF_B2B_CPUPROFILE=/tmp/b2b.cpu terraform plan
//	go tool pprof -top terraform-provider-b2b /tmp/b2b.cpu.*
const cpuProfileEnv = "TF_B2B_CPUPROFILE"

// startCPUProfile starts the profile asked for by TF_B2B_CPUPROFILE and
// returns what stops and writes it. A profile that cannot start is
// reported on stderr (Terraform shows it with the plugin's output) and
// the provider serves anyway.
func startCPUProfile(getenv func(string) string) (stop func()) {
	prefix := getenv(cpuProfileEnv)
	if prefix == "" {
		return func() {}
	}
	path := fmt.Sprintf("%s.%d", prefix, os.Getpid())
	f, err := os.Create(path) //nolint:gosec // the path is the user's own choice, as with go test -cpuprofile
	if err != nil {
		fmt.Fprintf(os.Stderr, "terraform-provider-b2b: %s: %v\n", cpuProfileEnv, err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintf(os.Stderr, "terraform-provider-b2b: %s: %v\n", cpuProfileEnv, err)
		_ = f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}
}

// memProfileEnv names the file prefix the provider writes a heap profile
// to when Terraform shuts it down, after a collection: what is still live
// then is what the process kept from the RPCs it served (a peak RSS that
// grows with the number of guests). Each process writes <prefix>.<pid>.
//
//	TF_B2B_MEMPROFILE=/tmp/b2b.heap terraform plan
//	go tool pprof -sample_index=inuse_space -top terraform-provider-b2b /tmp/b2b.heap.*
const memProfileEnv = "TF_B2B_MEMPROFILE"

// startProfiles starts what TF_B2B_CPUPROFILE and TF_B2B_MEMPROFILE ask
// for and returns what ends them, to call once Serve has returned.
func startProfiles(getenv func(string) string) (stop func()) {
	stopCPU := startCPUProfile(getenv)
	prefix := getenv(memProfileEnv)
	return func() {
		stopCPU()
		if prefix != "" {
			writeHeapProfile(fmt.Sprintf("%s.%d", prefix, os.Getpid()))
		}
	}
}

// writeHeapProfile writes the live heap after a collection to path; a
// failure goes to stderr, as the CPU profile's does.
func writeHeapProfile(path string) {
	f, err := os.Create(path) //nolint:gosec // the path is the user's own choice, as with go test -memprofile
	if err != nil {
		fmt.Fprintf(os.Stderr, "terraform-provider-b2b: %s: %v\n", memProfileEnv, err)
		return
	}
	runtime.GC()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		fmt.Fprintf(os.Stderr, "terraform-provider-b2b: %s: %v\n", memProfileEnv, err)
	}
	_ = f.Close()
}

// Garbage collection took a fifth of the provider's CPU in a profile of a
// 1,000-guest no-change plan (BENCHMARKS.md): the framework allocates
// heavily per RPC while the live heap stays small. A higher GOGC collects
// less often; the soft memory limit makes the collector work harder as the
// heap nears it, to keep the peak RSS within the 80 MB budget (GOGC 400
// with a 64 MiB limit reached 93 MB at 300 guests; 200 with 48 MiB, 73 MB).
// GOGC or GOMEMLIMIT set by the user win.
const (
	defaultGCPercent   = 200
	defaultMemoryLimit = 48 << 20
)

func tuneGC(lookup func(string) (string, bool)) {
	if _, ok := lookup("GOGC"); !ok {
		debug.SetGCPercent(defaultGCPercent)
	}
	if _, ok := lookup("GOMEMLIMIT"); !ok {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
}
