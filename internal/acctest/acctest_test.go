package acctest

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDetectMode(t *testing.T) {
	creds := map[string]string{"TF_ACC": "1", "ARM_TENANT_ID": "t", "ARM_CLIENT_ID": "c", "ARM_CLIENT_SECRET": "s"}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range creds {
			m[a] = b
		}
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	cases := []struct {
		name string
		env  map[string]string
		want Mode
	}{
		{"complete credentials", creds, ModeTenant},
		{"certificate instead of secret", with("ARM_CLIENT_SECRET", ""), ModeEmulator},
		{"certificate path instead of secret", func() map[string]string {
			m := with("ARM_CLIENT_SECRET", "")
			m["ARM_CLIENT_CERTIFICATE_PATH"] = "/a.pfx"
			return m
		}(), ModeTenant},
		{"no TF_ACC", with("TF_ACC", ""), ModeEmulator},
		{"target forced to emulator", with("B2B_TEST_TARGET", "emulator"), ModeEmulator},
		{"no tenant", with("ARM_TENANT_ID", ""), ModeEmulator},
		{"nothing", map[string]string{}, ModeEmulator},
	}
	for _, tc := range cases {
		if got := detectMode(env(tc.env)); got != tc.want {
			t.Errorf("%s: mode = %s, want %s", tc.name, got, tc.want)
		}
	}
}

func fakeCLI(t *testing.T, dir string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "terraform")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFindTerraform(t *testing.T) {
	cache := t.TempDir()
	root := filepath.Join(cache, "terraform")
	old := fakeCLI(t, filepath.Join(root, "1.5.7"))
	newest := fakeCLI(t, filepath.Join(root, "1.14.9"))
	fakeCLI(t, filepath.Join(root, "1.9.0"))
	if err := os.MkdirAll(filepath.Join(root, "tmp-build"), 0o755); err != nil {
		t.Fatal(err)
	}
	noPath := func(string) (string, error) { return "", errors.New("not found") }
	noVersion := func(string) (string, error) { return "", errors.New("unused") }

	got, err := findTerraform(env(map[string]string{"B2B_CACHE_DIR": cache}), noPath, noVersion)
	if err != nil || got != newest {
		t.Errorf("newest cached = %q, %v; want %q", got, err, newest)
	}
	got, err = findTerraform(env(map[string]string{"B2B_CACHE_DIR": cache, "B2B_TEST_TF_VERSION": "1.5.7"}), noPath, noVersion)
	if err != nil || got != old {
		t.Errorf("pinned version = %q, %v; want %q", got, err, old)
	}
	if _, err := findTerraform(env(map[string]string{"B2B_CACHE_DIR": cache, "B2B_TEST_TF_VERSION": "1.6.0"}), noPath, noVersion); err == nil || !strings.Contains(err.Error(), "install-terraform.sh 1.6.0") {
		t.Errorf("missing pinned version: err = %v", err)
	}
	got, err = findTerraform(env(map[string]string{"B2B_CACHE_DIR": cache, "TF_ACC_TERRAFORM_PATH": old}), noPath, noVersion)
	if err != nil || got != old {
		t.Errorf("TF_ACC_TERRAFORM_PATH = %q, %v", got, err)
	}

	empty := t.TempDir()
	onPath := func(string) (string, error) { return "/usr/bin/terraform", nil }
	got, err = findTerraform(env(map[string]string{"B2B_CACHE_DIR": empty}), onPath, func(string) (string, error) { return "1.11.4", nil })
	if err != nil || got != "/usr/bin/terraform" {
		t.Errorf("PATH terraform = %q, %v", got, err)
	}
	_, err = findTerraform(env(map[string]string{"B2B_CACHE_DIR": empty}), onPath, func(string) (string, error) { return "1.4.6", nil })
	if err == nil || !strings.Contains(err.Error(), "older than 1.5.7") || !strings.Contains(err.Error(), "make terraform") {
		t.Errorf("old PATH terraform: err = %v", err)
	}
	_, err = findTerraform(env(map[string]string{"B2B_CACHE_DIR": empty}), noPath, noVersion)
	if !errors.Is(err, errNoTerraform) {
		t.Errorf("nothing available: err = %v", err)
	}
}

func TestUpdateProps(t *testing.T) {
	title, empty, enabled := "Buyer", "", false
	phones := []string{"+1 555"}
	got := updateProps(graph.UserUpdate{Profile: map[string]string{"jobTitle": title, "employeeId": empty}, AccountEnabled: &enabled, BusinessPhones: &phones})
	want := map[string]any{"jobTitle": "Buyer", "employeeId": nil, "accountEnabled": false, "businessPhones": []string{"+1 555"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("updateProps = %#v, want %#v", got, want)
	}
}

func TestNewGUIDAndEmail(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		g := NewGUID()
		if len(g) != 36 || g[14] != '4' || seen[g] {
			t.Fatalf("bad or repeated GUID %q", g)
		}
		seen[g] = true
	}
	harness.emailDomain = "example.com"
	e := &Env{}
	a, b := e.Email(t, "Test Acc/Some_Name"), e.Email(t, "Test Acc/Some_Name")
	if a == b || !strings.HasPrefix(a, "b2b-acc-test-acc-some-name-") || !strings.HasSuffix(a, "@example.com") {
		t.Errorf("emails %q, %q", a, b)
	}
}
