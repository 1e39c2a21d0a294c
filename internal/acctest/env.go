package acctest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
	"github.com/entra-b2b/terraform-provider-b2b/internal/provider"
)

// Option changes how New prepares the emulator. In tenant mode lag and
// invitation limits are the tenant's own; a test that asks for other apps
// or permissions is skipped there.
type Option func(*options)

type options struct {
	lag             time.Duration
	linkLag         time.Duration
	deleteLag       time.Duration
	apps            []emulator.App
	permissions     []string
	setPermissions  bool
	invitationLimit *emulator.RateLimit
	latitude        emulator.Latitude
}

// WithReplicationLag makes newly invited users unreadable for d, like
// Entra's eventual consistency.
func WithReplicationLag(d time.Duration) Option { return func(o *options) { o.lag = d } }

// WithLinkReplicationLag makes newly invited users, once readable, refuse
// group-member and sponsor additions for d more (emulator.Options.LinkReplicationLag).
func WithLinkReplicationLag(d time.Duration) Option { return func(o *options) { o.linkLag = d } }

// DefaultDeleteReplicationLag is how long, in every emulator New starts,
// reads still return a user after its delete (emulator.Options.DeleteReplicationLag):
// a few hundred milliseconds, as Entra's replicas show, so every
// acceptance test meets a lagging read after each delete.
const DefaultDeleteReplicationLag = 300 * time.Millisecond

// WithDeleteReplicationLag replaces DefaultDeleteReplicationLag; 0 turns it off.
func WithDeleteReplicationLag(d time.Duration) Option { return func(o *options) { o.deleteLag = d } }

// WithLatitude replaces emulator.FullLatitude, which every emulator New
// starts takes: where Graph's docs leave Graph a choice in a successful
// answer (batch order, page size, timestamp form, properties not asked
// for), the emulator takes the one least convenient for the provider, as
// an independent implementation of Graph may. A test that counts requests
// or pages can ask for emulator.Latitude{} (none).
func WithLatitude(l emulator.Latitude) Option { return func(o *options) { o.latitude = l } }

// WithApps registers extra app registrations (other credentials or permissions).
func WithApps(apps ...emulator.App) Option {
	return func(o *options) { o.apps = append(o.apps, apps...) }
}

// WithPermissions replaces the application permissions of the default app,
// the one ProviderConfig authenticates as.
func WithPermissions(perms ...string) Option {
	return func(o *options) { o.permissions, o.setPermissions = perms, true }
}

// WithInvitationLimit sets the emulator's invitation throttle.
func WithInvitationLimit(l emulator.RateLimit) Option {
	return func(o *options) { o.invitationLimit = &l }
}

// Env is one test's target: a private emulator (emulator mode) or the real
// tenant from the environment (tenant mode).
type Env struct {
	mode Mode
	srv  *emulator.Server
	app  emulator.App
	// deleteLag is the emulator's DeleteReplicationLag (WaitDeleteReplicated).
	deleteLag time.Duration
	// admin is an emulator app with every permission, used by Graph() so
	// out-of-band checks keep working when a test narrows the default app.
	admin emulator.App

	graph *graph.Client
}

// runID makes addresses unique per test process, so reruns against a real
// tenant never collide with guests a previous run left behind.
var (
	runID    = randomHex(3)
	emailSeq atomic.Int64
)

// New prepares the target for one test or benchmark. In emulator mode it starts a fresh
// emulator with its own tenant and closes it when the test ends.
func New(t testing.TB, opts ...Option) *Env {
	t.Helper()
	if !harness.ready {
		t.Fatal("acctest: call acctest.Main(m) from TestMain before acctest.New")
	}
	if harness.terraformErr != nil {
		t.Fatal("acctest: ", harness.terraformErr)
	}
	o := options{deleteLag: DefaultDeleteReplicationLag, latitude: emulator.FullLatitude()}
	for _, opt := range opts {
		opt(&o)
	}
	if harness.mode == ModeTenant {
		if o.setPermissions || len(o.apps) > 0 {
			// The test's point is an app with other rights; a real tenant's
			// app registrations are not the harness's to change.
			t.Skip("needs emulator app registrations or permissions; skipped in tenant mode")
		}
		e := &Env{mode: ModeTenant}
		e.buildGraph(t)
		return e
	}

	eo := emulator.Options{
		CA:                   harness.ca,
		ReplicationLag:       o.lag,
		LinkReplicationLag:   o.linkLag,
		DeleteReplicationLag: o.deleteLag,
		Latitude:             o.latitude,
	}
	if o.invitationLimit != nil {
		eo.InvitationLimit = *o.invitationLimit
	}
	srv, err := emulator.Start(eo)
	if err != nil {
		t.Fatalf("acctest: starting the emulator: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Logf("acctest: closing the emulator: %v", err)
		}
	})
	for _, a := range o.apps {
		srv.AddApp(a)
	}
	app := srv.DefaultApp()
	if o.setPermissions {
		srv.SetPermissions(app.ClientID, o.permissions)
		app.Permissions = append([]string(nil), o.permissions...)
	}
	admin := emulator.App{
		ClientID: NewGUID(),
		Secret:   randomHex(16),
		Permissions: []string{
			emulator.PermUserInviteAll, emulator.PermUserReadWriteAll,
			emulator.PermDirectoryReadWriteAll, emulator.PermUserDeleteRestoreAll,
		},
	}
	srv.AddApp(admin)
	e := &Env{mode: ModeEmulator, srv: srv, app: app, admin: admin, deleteLag: o.deleteLag}
	e.buildGraph(t)
	return e
}

// Mode reports the target of this process.
func (e *Env) Mode() Mode { return e.mode }

// Emulator returns the test's emulator, or nil in tenant mode.
func (e *Env) Emulator() *emulator.Server { return e.srv }

// App is the emulator app ProviderConfig authenticates as (zero in tenant mode).
func (e *Env) App() emulator.App { return e.app }

// RequireEmulator skips the test in tenant mode and returns the emulator.
func (e *Env) RequireEmulator(t testing.TB) *emulator.Server {
	t.Helper()
	if e.srv == nil {
		t.Skip("needs the emulator (out-of-band control of the directory); skipped in tenant mode")
	}
	return e.srv
}

// ProviderConfig is a provider block that authenticates with the default
// app: emulator endpoints and credentials inline in emulator mode, an empty
// block in tenant mode so the ARM_* environment applies.
func (e *Env) ProviderConfig() string { return e.ProviderConfigWith("") }

// ProviderConfigWith is ProviderConfig plus extra lines inside the block
// (e.g. default_redirect_url).
func (e *Env) ProviderConfigWith(extra string) string {
	if e.mode == ModeTenant {
		return e.ProviderBlock(extra)
	}
	return e.ProviderBlock(fmt.Sprintf("tenant_id     = %q\n  client_id     = %q\n  client_secret = %q\n%s",
		e.srv.TenantID(), e.app.ClientID, e.app.Secret, extra))
}

// ProviderBlock is a provider block with only the emulator's endpoints
// (none in tenant mode) and body: for tests of authentication settings.
func (e *Env) ProviderBlock(body string) string {
	var b strings.Builder
	b.WriteString("provider \"b2b\" {\n")
	if e.mode == ModeEmulator {
		fmt.Fprintf(&b, "  graph_endpoint = %q\n  authority_host = %q\n", e.srv.GraphEndpoint(), e.srv.AuthorityHost())
	}
	for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
		if strings.TrimSpace(line) != "" {
			b.WriteString("  " + strings.TrimSpace(line) + "\n")
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// ProtoV6ProviderFactories serves the provider in-process, so the
// emulator's CA (SSL_CERT_FILE) and breakpoints apply to it.
func (e *Env) ProtoV6ProviderFactories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"b2b": providerserver.NewProtocol6WithError(provider.New("test")()),
	}
}

// ProtoV6ProviderFactoriesWithClock is ProtoV6ProviderFactories with now as
// the provider's clock (provider.WithClock): a test moves time between
// steps instead of sleeping. now is called on every use, so a clock the
// test changes in a step's PreConfig applies to that step.
func (e *Env) ProtoV6ProviderFactoriesWithClock(now func() time.Time) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"b2b": providerserver.NewProtocol6WithError(provider.New("test", provider.WithClock(now))()),
	}
}

// Graph is a client for out-of-band checks and edits: the emulator's admin
// app (every permission, so tests that narrow the default app still see
// the directory), or the tenant credentials from ARM_*.
func (e *Env) Graph() *graph.Client { return e.graph }

// buildGraph makes the client eagerly: graph.New makes no network call,
// and a broken configuration should fail the test at New, not mid-check.
func (e *Env) buildGraph(t testing.TB) {
	t.Helper()
	cfg := graph.Config{UserAgent: "terraform-provider-b2b-acctest"}
	if e.mode == ModeEmulator {
		cfg.GraphEndpoint = e.srv.GraphEndpoint()
		cfg.Auth = graph.AuthConfig{
			Method: graph.AuthClientSecret, TenantID: e.srv.TenantID(),
			ClientID: e.admin.ClientID, ClientSecret: e.admin.Secret,
			AuthorityHost: e.srv.AuthorityHost(),
		}
	} else {
		cfg.GraphEndpoint = envOr("B2B_GRAPH_ENDPOINT", graph.PublicGraphEndpoint)
		cfg.Auth = graph.AuthConfig{
			TenantID: os.Getenv("ARM_TENANT_ID"), ClientID: os.Getenv("ARM_CLIENT_ID"),
			AuthorityHost: envOr("B2B_AUTHORITY_HOST", graph.PublicAuthorityHost),
		}
		if s := os.Getenv("ARM_CLIENT_SECRET"); s != "" {
			cfg.Auth.Method, cfg.Auth.ClientSecret = graph.AuthClientSecret, s
		} else {
			data, err := tenantCertificate()
			if err != nil {
				t.Fatalf("acctest: reading the tenant certificate from ARM_CLIENT_CERTIFICATE(_PATH): %v", err)
			}
			cfg.Auth.Method = graph.AuthClientCertificate
			cfg.Auth.CertificateData = data
			cfg.Auth.CertificatePassword = os.Getenv("ARM_CLIENT_CERTIFICATE_PASSWORD")
		}
	}
	c, err := graph.New(cfg)
	if err != nil {
		t.Fatalf("acctest: building the out-of-band Graph client: %v", err)
	}
	e.graph = c
}

func tenantCertificate() ([]byte, error) {
	if p := os.Getenv("ARM_CLIENT_CERTIFICATE_PATH"); p != "" {
		return os.ReadFile(p)
	}
	raw := strings.TrimSpace(os.Getenv("ARM_CLIENT_CERTIFICATE"))
	if strings.HasPrefix(raw, "-----BEGIN") {
		return []byte(raw), nil
	}
	return base64.StdEncoding.DecodeString(raw)
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

var nonAddressChars = regexp.MustCompile(`[^a-z0-9]+`)

// Email returns an address unique to this test process and call, named
// after the test so a leftover guest in a real tenant says where it came from.
func (e *Env) Email(t *testing.T, name string) string {
	t.Helper()
	local := nonAddressChars.ReplaceAllString(strings.ToLower(name), "-")
	local = strings.Trim(local, "-")
	if local == "" {
		local = "guest"
	}
	if len(local) > 40 {
		local = local[:40]
	}
	return fmt.Sprintf("b2b-acc-%s-%s-%d@%s", local, runID, emailSeq.Add(1), harness.emailDomain)
}

// SeedUser creates a user directly in the emulator's directory and returns
// its object ID (emulator mode only; the test is skipped otherwise).
func (e *Env) SeedUser(t *testing.T, u emulator.SeedUser) string {
	t.Helper()
	srv := e.RequireEmulator(t)
	id, err := srv.SeedUser(u)
	if err != nil {
		t.Fatalf("acctest: seeding user %s: %v", u.Email, err)
	}
	return id
}

// EditUser changes a user out of band (drift), in both modes.
func (e *Env) EditUser(t *testing.T, id string, upd graph.UserUpdate) {
	t.Helper()
	if e.srv != nil {
		if err := e.srv.PatchUser(id, updateProps(upd)); err != nil {
			t.Fatalf("acctest: editing user %s in the emulator: %v", id, err)
		}
		return
	}
	if err := e.graph.UpdateUser(context.Background(), id, upd); err != nil {
		t.Fatalf("acctest: editing user %s: %v", id, err)
	}
}

// DeleteUser soft-deletes a user out of band, in both modes.
func (e *Env) DeleteUser(t *testing.T, id string) {
	t.Helper()
	if e.srv != nil {
		if err := e.srv.DeleteUser(id); err != nil {
			t.Fatalf("acctest: deleting user %s in the emulator: %v", id, err)
		}
		return
	}
	if err := e.graph.DeleteUser(context.Background(), id); err != nil {
		t.Fatalf("acctest: deleting user %s: %v", id, err)
	}
}

// tenantDeleteReplication is how long WaitDeleteReplicated waits on a
// real tenant, whose replicas usually converge within seconds
// (https://devblogs.microsoft.com/identity/designing-for-eventual-consistency-for-microsoft-entra/).
const tenantDeleteReplication = 10 * time.Second

// WaitDeleteReplicated waits until a delete made now has reached every
// read: the emulator's delete replication lag, or a few seconds on a real
// tenant. A test calls it after an out-of-band delete whose effect the
// next plan must see, as a drift check run some time after a portal
// delete sees it; within the lag reads still return the user.
func (e *Env) WaitDeleteReplicated() {
	if e.mode == ModeTenant {
		time.Sleep(tenantDeleteReplication)
		return
	}
	time.Sleep(e.deleteLag)
}

// Redeem marks the guest's invitation as accepted (emulator only; skips in
// tenant mode, where only the guest can redeem).
func (e *Env) Redeem(t *testing.T, id string) {
	t.Helper()
	if err := e.RequireEmulator(t).RedeemInvitation(id); err != nil {
		t.Fatalf("acctest: redeeming the invitation of %s: %v", id, err)
	}
}

// updateProps turns a graph.UserUpdate into Graph property names for the
// emulator's out-of-band PatchUser: field JobTitle -> jobTitle, EmployeeID
// -> employeeId; a pointer to "" becomes null, as the graph client sends it.
func updateProps(upd graph.UserUpdate) map[string]any {
	out := map[string]any{}
	v := reflect.ValueOf(upd)
	// Profile strings, keyed by Graph name ("" clears).
	for name, x := range upd.Profile {
		if x == "" {
			out[name] = nil
		} else {
			out[name] = x
		}
	}
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if f.Kind() != reflect.Pointer || f.IsNil() {
			continue
		}
		name := graphPropertyName(v.Type().Field(i).Name)
		switch x := f.Elem().Interface().(type) {
		case string:
			if x == "" {
				out[name] = nil
			} else {
				out[name] = x
			}
		case []string:
			out[name] = append([]string{}, x...)
		default:
			out[name] = x
		}
	}
	return out
}

func graphPropertyName(field string) string {
	if strings.HasSuffix(field, "ID") {
		field = strings.TrimSuffix(field, "ID") + "Id"
	}
	return strings.ToLower(field[:1]) + field[1:]
}

// NewGUID returns a random (version 4) GUID, e.g. for an unknown client ID.
func NewGUID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
