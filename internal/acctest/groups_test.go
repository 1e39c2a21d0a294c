package acctest

import (
	"crypto/tls"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

func TestIDPool(t *testing.T) {
	p := &idPool{env: "IDS"}
	getenv := env(map[string]string{"IDS": " AAA, bbb,,aaa ,ccc"})
	var got []string
	for range 4 {
		got = append(got, p.take(getenv))
	}
	if want := []string{"aaa", "bbb", "ccc", ""}; !slices.Equal(got, want) {
		t.Errorf("taken %q, want %q", got, want)
	}
	if (&idPool{env: "NONE"}).take(getenv) != "" {
		t.Error("an unset variable yielded an ID")
	}
}

// groupEnvs returns the same emulator seen two ways: directly (emulator
// mode) and through the graph client only (the tenant-mode code path).
func groupEnvs(t *testing.T) (direct, viaGraph *Env) {
	t.Helper()
	if harness.emailDomain == "" {
		harness.emailDomain = "example.com"
	}
	srv, err := emulator.Start(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	admin := emulator.App{ClientID: NewGUID(), Secret: randomHex(16), Permissions: []string{
		emulator.PermUserReadWriteAll, emulator.PermDirectoryReadWriteAll,
	}}
	srv.AddApp(admin)
	c, err := graph.New(graph.Config{
		GraphEndpoint: srv.GraphEndpoint(),
		Auth: graph.AuthConfig{
			Method: graph.AuthClientSecret, TenantID: srv.TenantID(),
			ClientID: admin.ClientID, ClientSecret: admin.Secret, AuthorityHost: srv.AuthorityHost(),
		},
		HTTPClient: &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.CA().CertPool()}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &Env{mode: ModeEmulator, srv: srv}, &Env{mode: ModeTenant, graph: c}
}

func TestGroupHelpers(t *testing.T) {
	direct, viaGraph := groupEnvs(t)
	srv := direct.srv
	gid := direct.Group(t, t.Name())
	guest := direct.SeedUser(t, emulator.SeedUser{Email: "guest@partner.example"})
	sponsor := direct.SponsorUser(t, "boss")
	if u, ok := srv.User(sponsor); !ok || u["userType"] != "Member" {
		t.Fatalf("sponsor user %v", u)
	}

	for name, e := range map[string]*Env{"emulator": direct, "tenant path": viaGraph} {
		t.Run(name, func(t *testing.T) {
			e.AddToGroup(t, gid, strings.ToUpper(guest))
			e.AddToGroup(t, gid, guest)
			if got := e.GroupMembers(t, gid); !slices.Equal(got, []string{guest}) {
				t.Errorf("members %v", got)
			}
			if ids, _ := srv.GroupMemberIDs(gid); !slices.Equal(ids, []string{guest}) {
				t.Errorf("emulator members %v", ids)
			}
			e.RemoveFromGroup(t, gid, guest)
			e.RemoveFromGroup(t, gid, guest)
			if got := e.GroupMembers(t, gid); len(got) != 0 {
				t.Errorf("members after removal %v", got)
			}

			e.AddSponsorOOB(t, guest, sponsor)
			e.AddSponsorOOB(t, guest, gid)
			e.AddSponsorOOB(t, guest, sponsor)
			want := []string{sponsor, gid}
			slices.Sort(want)
			if got := e.Sponsors(t, guest); !slices.Equal(got, want) {
				t.Errorf("sponsors %v, want %v", got, want)
			}
			e.RemoveSponsorOOB(t, guest, sponsor)
			e.RemoveSponsorOOB(t, guest, gid)
			e.RemoveSponsorOOB(t, guest, gid)
			if ids, _ := srv.SponsorIDs(guest); len(ids) != 0 {
				t.Errorf("emulator sponsors after removal %v", ids)
			}
		})
	}
}

func TestTenantGroupPool(t *testing.T) {
	direct, viaGraph := groupEnvs(t)
	gid := direct.Group(t, "pooled")
	sponsor := direct.SponsorUser(t, "pooled")
	savedG, savedS := groupPool, sponsorPool
	t.Cleanup(func() { groupPool, sponsorPool = savedG, savedS })
	groupPool, sponsorPool = &idPool{env: EnvGroupIDs}, &idPool{env: EnvSponsorIDs}
	t.Setenv(EnvGroupIDs, strings.ToUpper(gid))
	t.Setenv(EnvSponsorIDs, sponsor)

	if got := viaGraph.Group(t, "a"); got != gid {
		t.Errorf("group from the pool %q, want %q", got, gid)
	}
	if got := viaGraph.SponsorUser(t, "a"); got != sponsor {
		t.Errorf("sponsor from the pool %q, want %q", got, sponsor)
	}
	t.Run("exhausted", func(t *testing.T) {
		viaGraph.Group(t, "b")
		t.Error("not skipped")
	})
}
