package main

import (
	"fmt"
	"os"
	"path/filepath"
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
