package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestStateServerSpeaksTerraformsHTTPBackend checks the store answers as
// Terraform's http backend expects: 204 before any state, the last POSTed
// snapshot after, nothing after DELETE; and that it counts the snapshots.
func TestStateServerSpeaksTerraformsHTTPBackend(t *testing.T) {
	s, err := startStateServer()
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	get := func() (int, string) {
		t.Helper()
		resp, err := http.Get(s.url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	post := func(body string) {
		t.Helper()
		resp, err := http.Post(s.url, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST: status %d", resp.StatusCode)
		}
	}
	if code, _ := get(); code != http.StatusNoContent {
		t.Fatalf("empty store: status %d, want 204", code)
	}
	post(`{"serial":1}`)
	post(`{"serial":2,"x":1}`)
	if code, body := get(); code != http.StatusOK || body != `{"serial":2,"x":1}` {
		t.Fatalf("after two POSTs: %d %q", code, body)
	}
	if w, n := s.counts(); w != 2 || n != len(`{"serial":2,"x":1}`) {
		t.Fatalf("counts = %d writes, %d bytes", w, n)
	}
	if w, _ := s.counts(); w != 0 {
		t.Fatalf("counts not reset: %d", w)
	}
	req, _ := http.NewRequest(http.MethodDelete, s.url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if code, _ := get(); code != http.StatusNoContent {
		t.Fatalf("after DELETE: status %d, want 204", code)
	}
}

// TestConfigForCarriesTheBackend checks -backend http puts the block into
// the terraform block and -backend local leaves the file as it was.
func TestConfigForCarriesTheBackend(t *testing.T) {
	s := &stateServer{url: "http://127.0.0.1:1/state"}
	c := configFor(3, nil, backendBlock("http", s))
	if !strings.Contains(c, "terraform {\n  required_providers {") || !strings.Contains(c, `backend "http" {`) || !strings.Contains(c, `address = "http://127.0.0.1:1/state"`) {
		t.Fatalf("http config:\n%s", c)
	}
	if c := configFor(3, nil, backendBlock("local", s)); strings.Contains(c, "backend") {
		t.Fatalf("local config has a backend block:\n%s", c)
	}
}
