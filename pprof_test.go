package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
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
