package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// startRun runs the command until the returned stop is called and returns
// the env file it wrote.
func startRun(t *testing.T, c config) (env map[string]string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	out := &syncBuf{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, c, out, slog.New(slog.NewTextHandler(io.Discard, nil))) }()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "Source ") {
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("command did not start: %s", out.String())
		}
		select {
		case err := <-done:
			t.Fatalf("command exited: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	b, err := os.ReadFile(c.envFile)
	if err != nil {
		t.Fatal(err)
	}
	env = map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if kv, ok := strings.CutPrefix(line, "export "); ok {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = strings.Trim(v, "'")
		}
	}
	return env, func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	}
}

func TestRestartKeepsCAAndApp(t *testing.T) {
	dir := t.TempDir()
	c := config{
		addr: "127.0.0.1:0", caDir: filepath.Join(dir, "ca"), stateFile: filepath.Join(dir, "state.json"),
		envFile: filepath.Join(dir, "env"), tenantDomain: "contoso.onmicrosoft.com", invitationLimit: "150/5s",
	}
	env1, stop := startRun(t, c)
	for _, k := range []string{"B2B_EMULATOR_URL", "ARM_TENANT_ID", "ARM_CLIENT_ID", "ARM_CLIENT_SECRET", "B2B_GRAPH_ENDPOINT", "B2B_AUTHORITY_HOST", "SSL_CERT_FILE"} {
		if env1[k] == "" {
			t.Errorf("env file lacks %s", k)
		}
	}
	if fi, err := os.Stat(c.envFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("env file mode: %v %v", fi.Mode(), err)
	}
	ca1, _ := os.ReadFile(env1["SSL_CERT_FILE"])
	stop()

	env2, stop := startRun(t, c)
	defer stop()
	ca2, _ := os.ReadFile(env2["SSL_CERT_FILE"])
	if !bytes.Equal(ca1, ca2) {
		t.Error("CA changed across restart")
	}
	for _, k := range []string{"ARM_TENANT_ID", "ARM_CLIENT_ID", "ARM_CLIENT_SECRET"} {
		if env1[k] != env2[k] {
			t.Errorf("%s changed across restart", k)
		}
	}
}

func TestParseLimit(t *testing.T) {
	if l, err := parseLimit("10/2s"); err != nil || l.N != 10 || l.Window != 2*time.Second {
		t.Errorf("10/2s: %+v %v", l, err)
	}
	if l, err := parseLimit("off"); err != nil || !l.Disabled {
		t.Errorf("off: %+v %v", l, err)
	}
	for _, bad := range []string{"10", "x/1s", "10/x", "0/1s", "5/-1s"} {
		if _, err := parseLimit(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestRefusesNonLoopback(t *testing.T) {
	dir := t.TempDir()
	err := run(t.Context(), config{addr: "0.0.0.0:0", invitationLimit: "off", envFile: filepath.Join(dir, "env")}, io.Discard, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("err = %v", err)
	}
}
