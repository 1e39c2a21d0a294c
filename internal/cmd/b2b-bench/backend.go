package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// Terraform's local backend (statemgr.Filesystem) rewrites and fsyncs the
// whole state file after every resource it creates or deletes
// (backend/local's StateHook calls WriteState on each PostStateUpdate, and
// Filesystem.WriteState writes through), so an apply of N guests marshals
// about N²/2 guests' worth of JSON: Terraform's own CPU grows with the
// square of N whatever the provider does. A remote backend keeps each update
// in memory and persists a snapshot every 20 s (remote.State,
// DefaultIntermediateStatePersistRule), which is how teams managing
// thousands of guests keep their state. -backend http puts Terraform's
// built-in "http" backend in front of stateServer, an in-memory store, so a
// run shows what the provider costs without the local file's quadratic
// term; -backend local (the default) measures what a newcomer's first runs
// cost.

// stateServer is the minimal REST store Terraform's http backend speaks:
// GET returns the state (204 while there is none), POST replaces it,
// DELETE drops it. Locking is not configured: one Terraform runs at a time.
type stateServer struct {
	mu     sync.Mutex
	state  []byte
	writes int
	maxLen int
	srv    *http.Server
	url    string
}

// startStateServer serves an empty state on 127.0.0.1.
func startStateServer() (*stateServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &stateServer{url: "http://" + ln.Addr().String() + "/state"}
	s.srv = &http.Server{Handler: s}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

func (s *stateServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.Method {
	case http.MethodGet:
		if s.state == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(s.state)
	case http.MethodPost:
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.state, s.writes = b, s.writes+1
		s.maxLen = max(s.maxLen, len(b))
	case http.MethodDelete:
		s.state = nil
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// counts reports how many snapshots Terraform has persisted and the
// largest one's size in bytes, then resets both.
func (s *stateServer) counts() (writes, maxBytes int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writes, maxBytes = s.writes, s.maxLen
	s.writes, s.maxLen = 0, 0
	return writes, maxBytes
}

func (s *stateServer) close() { _ = s.srv.Close() }

// backendBlock is the terraform-block backend configuration for kind.
func backendBlock(kind string, s *stateServer) string {
	if kind != "http" {
		return ""
	}
	return fmt.Sprintf("  backend \"http\" {\n    address = %q\n  }\n", s.url)
}

// pluginDir lays the provider binary out as a local plugin directory for
// `terraform init -plugin-dir`: a backend needs init, and init would
// otherwise ask the registry (out of reach) for entra-b2b/b2b although
// dev_overrides serve it at run time.
func pluginDir(dir, provider string) (string, error) {
	root := filepath.Join(dir, "plugins")
	pkg := filepath.Join(root, "registry.terraform.io", "entra-b2b", "b2b", "0.0.1", runtime.GOOS+"_"+runtime.GOARCH)
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		return "", err
	}
	link := filepath.Join(pkg, "terraform-provider-b2b_v0.0.1")
	_ = os.Remove(link)
	return root, os.Symlink(provider, link)
}
