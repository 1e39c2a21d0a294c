package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"time"
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

// memProfileEnv names the file prefix the provider writes heap profiles
// to. Each process writes <prefix>.<pid> when Terraform shuts it down,
// after a collection: what is still live then is what the process kept
// from the RPCs it served. A peak RSS can also come from memory held only
// for a while (a burst of goroutines, a large response), gone by exit, so
// the process also writes <prefix>.<pid>.peak (heap) and
// <prefix>.<pid>.peak.goroutine whenever the memory the runtime holds
// reaches a new high, a tenth above the last one written.
//
//	TF_B2B_MEMPROFILE=/tmp/b2b.heap terraform plan
//	go tool pprof -sample_index=inuse_space -top terraform-provider-b2b /tmp/b2b.heap.*
const memProfileEnv = "TF_B2B_MEMPROFILE"

// peakSampleEvery is how often the peak watcher reads the runtime's memory
// figures: cheap (runtime/metrics does not stop the world), and often
// enough to catch a peak that lasts a second.
const peakSampleEvery = 100 * time.Millisecond

// startProfiles starts what TF_B2B_CPUPROFILE and TF_B2B_MEMPROFILE ask
// for and returns what ends them, to call once Serve has returned.
func startProfiles(getenv func(string) string) (stop func()) {
	stopCPU := startCPUProfile(getenv)
	prefix := getenv(memProfileEnv)
	if prefix == "" {
		return stopCPU
	}
	path := fmt.Sprintf("%s.%d", prefix, os.Getpid())
	stopPeaks := watchPeaks(path+".peak", peakSampleEvery)
	return func() {
		stopCPU()
		stopPeaks()
		writeHeapProfile(path)
	}
}

// heldBytes is the memory the Go runtime holds from the OS and has not
// given back: what RSS follows, stacks included (a heap profile leaves
// goroutine stacks out).
func heldBytes(s []metrics.Sample) uint64 {
	metrics.Read(s)
	total, released := s[0].Value.Uint64(), s[1].Value.Uint64()
	if released > total {
		return 0
	}
	return total - released
}

// watchPeaks writes the heap and goroutine profiles to path and
// path.goroutine each time the memory held passes the last written high
// by a tenth, until the returned func is called.
func watchPeaks(path string, every time.Duration) (stop func()) {
	samples := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(every)
		defer t.Stop()
		var high uint64
		for {
			if held := heldBytes(samples); held > high+high/10 {
				high = held
				writeProfile(path, "heap")
				writeProfile(path+".goroutine", "goroutine")
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// writeProfile writes the named runtime profile to path, as it stands (no
// collection first); a failure goes to stderr.
func writeProfile(path, name string) {
	f, err := os.Create(path) //nolint:gosec // the path is the user's own choice, as with go test -memprofile
	if err != nil {
		fmt.Fprintf(os.Stderr, "terraform-provider-b2b: %s: %v\n", memProfileEnv, err)
		return
	}
	if err := pprof.Lookup(name).WriteTo(f, 0); err != nil {
		fmt.Fprintf(os.Stderr, "terraform-provider-b2b: %s: %v\n", memProfileEnv, err)
	}
	_ = f.Close()
}

// writeHeapProfile writes the live heap after a collection to path; a
// failure goes to stderr, as the CPU profile's does.
func writeHeapProfile(path string) {
	runtime.GC()
	writeProfile(path, "heap")
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
