package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestCPUProfileWrittenWhenAsked(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "b2b.cpu")
	stop := startCPUProfile(func(k string) string {
		if k == cpuProfileEnv {
			return prefix
		}
		return ""
	})
	stop()
	st, err := os.Stat(fmt.Sprintf("%s.%d", prefix, os.Getpid()))
	if err != nil || st.Size() == 0 {
		t.Fatalf("no profile written: %v", err)
	}
}

func TestNoCPUProfileByDefault(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	startCPUProfile(func(string) string { return "" })()
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files written without %s: %v", cpuProfileEnv, entries)
	}
}

func TestTuneGCLeavesTheUsersSettings(t *testing.T) {
	prev := debug.SetGCPercent(100)
	prevLimit := debug.SetMemoryLimit(math.MaxInt64)
	defer func() {
		debug.SetGCPercent(prev)
		debug.SetMemoryLimit(prevLimit)
	}()
	tuneGC(func(k string) (string, bool) { return "x", k == "GOGC" || k == "GOMEMLIMIT" })
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC set by the user, yet the percentage became %d", got)
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("GOMEMLIMIT set by the user, yet the limit became %d", got)
	}
	tuneGC(func(string) (string, bool) { return "", false })
	if got := debug.SetGCPercent(100); got != defaultGCPercent {
		t.Errorf("GC percentage %d, want %d", got, defaultGCPercent)
	}
	if got := debug.SetMemoryLimit(-1); got != defaultMemoryLimit {
		t.Errorf("memory limit %d, want %d", got, defaultMemoryLimit)
	}
}

// TestHeapProfileWrittenWhenAsked checks TF_B2B_MEMPROFILE alone writes a
// heap profile (pprof's gzip-compressed protobuf) at stop, and no CPU
// profile.
func TestHeapProfileWrittenWhenAsked(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "b2b.heap")
	stop := startProfiles(func(k string) string {
		if k == memProfileEnv {
			return prefix
		}
		return ""
	})
	stop()
	b, err := os.ReadFile(fmt.Sprintf("%s.%d", prefix, os.Getpid()))
	if err != nil || len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		t.Fatalf("no gzip-compressed heap profile written: %v (%d bytes)", err, len(b))
	}
	if _, err := os.Stat(fmt.Sprintf("%s.%d", filepath.Join(filepath.Dir(prefix), "b2b.cpu"), os.Getpid())); err == nil {
		t.Error("a CPU profile was written without TF_B2B_CPUPROFILE")
	}
}

// TestPeakProfilesFollowNewHighs checks the peak watcher writes the heap
// and goroutine profiles when the memory held grows by more than a tenth,
// and not while it stays level.
func TestPeakProfilesFollowNewHighs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "b2b.heap.peak")
	// Hold a base far above the test binary's own churn (writing a
	// profile allocates), so level means level; after giving back what
	// earlier tests freed, which allocations would reuse without holding
	// more.
	debug.FreeOSMemory()
	base := touched(64 << 20)
	stop := watchPeaks(path, 2*time.Millisecond)
	defer stop()
	appears := func() bool {
		for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			if _, err := os.Stat(path + ".goroutine"); err == nil {
				return true
			}
		}
		return false
	}
	if !appears() {
		t.Fatal("no peak profiles written at the first look")
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("goroutine profile written without the heap's: %v", err)
	}
	for _, p := range []string{path, path + ".goroutine"} {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(50 * time.Millisecond)
	if _, err := os.Stat(path); err == nil {
		t.Fatal("profiles written again with no new high")
	}
	more := touched(256 << 20)
	if !appears() {
		t.Fatal("no peak profiles written after the memory held grew by 256 MiB")
	}
	runtime.KeepAlive(base)
	runtime.KeepAlive(more)
}

// touched allocates n bytes and writes every page, so the memory is held.
func touched(n int) []byte {
	b := make([]byte, n)
	for i := 0; i < n; i += 4096 {
		b[i] = 1
	}
	return b
}
