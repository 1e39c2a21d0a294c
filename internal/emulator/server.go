package emulator

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"errors"
	"fmt"
	mathrand "math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Server is a running emulator: identity platform, Graph v1.0 and the
// /_emulator/ control API on one TLS listener.
type Server struct {
	mu sync.Mutex

	opts     Options
	ca       *CA
	ln       net.Listener
	httpSrv  *http.Server
	url      string
	tenantID string
	domain   string

	apps     []App
	appIndex map[string]int

	// tokenKey signs access tokens; fedKey signs federated (OIDC) tokens
	// from the emulator's own issuer, as a CI provider's issuer would.
	tokenKey *rsa.PrivateKey
	fedKey   *rsa.PrivateKey

	st store
	// ext: authorization policy and foreign tenants (tenants.go).
	ext externalCollab
	// serviceDefaultRedemption: SetServiceDefaultRedemption (crosstenant.go).
	serviceDefaultRedemption *ctRedemption

	faults Faults
	// faultsInjected counts the 429/503 injected since SetFaults, for Faults.Limit.
	faultsInjected int
	lag            time.Duration
	linkLag        time.Duration
	deleteLag      time.Duration
	invLimit       RateLimit
	invTimes       []time.Time
	counters       Counters
	// issued holds every minted access token (IssuedTokens).
	issued []string

	tenantExplicit bool
	appsExplicit   bool

	msiClientID string
	msiHeader   string

	// noPremium: the tenant has no Entra ID P1/P2 licence (signin.go).
	noPremium bool
	// clock is Options.Clock or the wall clock.
	clock Clock
	// faultRand draws the faults (under mu); faultSeed is the seed it
	// started from, for replaying a run.
	faultRand *mathrand.Rand
	faultSeed uint64
	// latitude: Options.Latitude or SetLatitude (latitude.go).
	latitude Latitude

	closeOnce sync.Once
	closeErr  error
}

// Start listens on opts.Addr (loopback only) and serves TLS in the background.
func Start(opts Options) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if err := requireLoopback(opts.Addr); err != nil {
		return nil, err
	}
	ca := opts.CA
	if ca == nil {
		var err error
		if ca, err = NewCA(); err != nil {
			return nil, err
		}
	}
	s, err := newServer(opts, ca)
	if err != nil {
		return nil, err
	}
	if err := s.listen(); err != nil {
		return nil, err
	}
	return s, nil
}

// newServer builds the server's state from opts and its defaults: tenant,
// apps, keys, clock, fault seed and the state file.
func newServer(opts Options, ca *CA) (*Server, error) {
	tenantExplicit, appsExplicit := opts.TenantID != "", len(opts.Apps) > 0
	if opts.TenantID == "" {
		opts.TenantID = newGUID()
	}
	if opts.TenantDomain == "" {
		opts.TenantDomain = "contoso.onmicrosoft.com"
	}
	if opts.TokenLifetime <= 0 {
		opts.TokenLifetime = time.Hour
	}
	if opts.Clock == nil {
		opts.Clock = wallClock{}
	}
	if opts.FaultSeed == 0 {
		opts.FaultSeed = newFaultSeed()
	}
	s := &Server{
		opts:     opts,
		ca:       ca,
		tenantID: strings.ToLower(opts.TenantID),
		domain:   strings.ToLower(opts.TenantDomain),
		appIndex: map[string]int{},
		lag:      opts.ReplicationLag,
		linkLag:  opts.LinkReplicationLag,
		invLimit: opts.InvitationLimit,
		counters: Counters{},
		st:       newStore(),
		clock:    opts.Clock,

		faultRand: newFaultRand(opts.FaultSeed),
		faultSeed: opts.FaultSeed,
		latitude:  opts.Latitude,

		tenantExplicit: tenantExplicit,
		appsExplicit:   appsExplicit,
	}
	s.deleteLag = opts.DeleteReplicationLag
	var err error
	if s.tokenKey, s.fedKey, err = processKeys(); err != nil {
		return nil, err
	}
	apps := opts.Apps
	if len(apps) == 0 {
		apps = []App{{
			ClientID:    newGUID(),
			Secret:      newSecret(),
			Permissions: []string{PermUserInviteAll, PermUserReadWriteAll},
		}}
	}
	for _, a := range apps {
		s.addAppLocked(a)
	}
	if opts.StateFile != "" {
		if err := s.loadState(opts.StateFile); err != nil {
			return nil, err
		}
		s.saveLocked()
	}
	return s, nil
}

// listen opens opts.Addr and serves TLS on it in the background.
func (s *Server) listen() error {
	leaf, err := s.ca.leaf()
	if err != nil {
		return fmt.Errorf("issue server certificate: %w", err)
	}
	ln, err := net.Listen("tcp", s.opts.Addr)
	if err != nil {
		return err
	}
	s.ln = ln
	s.url = "https://" + ln.Addr().String()
	s.httpSrv = &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{leaf}, MinVersion: tls.VersionTLS12},
		// Dropped-connection faults hijack the conn; silence the resulting noise.
		ErrorLog: nullLogger(),
	}
	go func() { _ = s.httpSrv.ServeTLS(ln, "", "") }()
	return nil
}

func requireLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("emulator address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("emulator address %q: only loopback addresses are allowed", addr)
	}
	return nil
}

// URL is the base URL, "https://127.0.0.1:PORT".
func (s *Server) URL() string { return s.url }

// GraphEndpoint is the Graph base URL; Graph paths are /v1.0/...
func (s *Server) GraphEndpoint() string { return s.url }

// AuthorityHost is the identity platform base URL with a trailing slash,
// the form azidentity's AuthorityHost option takes.
func (s *Server) AuthorityHost() string { return s.url + "/" }

// TenantID is the tenant's directory ID (a GUID).
func (s *Server) TenantID() string { return s.tenantID }

// TenantDomain is the tenant's initial domain.
func (s *Server) TenantDomain() string { return s.domain }

// CA is the authority that signed the server certificate.
func (s *Server) CA() *CA { return s.ca }

// DefaultApp is the first registered app.
func (s *Server) DefaultApp() App {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneApp(s.apps[0])
}

// Apps returns every registered app.
func (s *Server) Apps() []App {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]App, len(s.apps))
	for i, a := range s.apps {
		out[i] = cloneApp(a)
	}
	return out
}

// AddApp registers an app, replacing one with the same client ID.
func (s *Server) AddApp(a App) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addAppLocked(a)
	s.saveLocked()
}

func (s *Server) addAppLocked(a App) {
	a = cloneApp(a)
	a.ClientID = strings.ToLower(a.ClientID)
	if i, ok := s.appIndex[a.ClientID]; ok {
		s.apps[i] = a
		return
	}
	s.appIndex[a.ClientID] = len(s.apps)
	s.apps = append(s.apps, a)
}

func cloneApp(a App) App {
	a.Permissions = append([]string(nil), a.Permissions...)
	a.CertPEM = append([]byte(nil), a.CertPEM...)
	return a
}

func (s *Server) appLocked(clientID string) (App, bool) {
	i, ok := s.appIndex[strings.ToLower(clientID)]
	if !ok {
		return App{}, false
	}
	return s.apps[i], true
}

// SetPermissions replaces an app's application permissions. As in Entra,
// tokens already issued keep the roles they were minted with.
func (s *Server) SetPermissions(clientID string, perms []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.appIndex[strings.ToLower(clientID)]; ok {
		s.apps[i].Permissions = append([]string(nil), perms...)
		s.saveLocked()
	}
}

// ExpireClientSecret marks the app's secret as past its end date: token
// requests with it are refused with AADSTS7000222 (App.SecretExpired).
func (s *Server) ExpireClientSecret(clientID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.appIndex[strings.ToLower(clientID)]; ok {
		s.apps[i].SecretExpired = true
		s.saveLocked()
	}
}

// Close stops the listener and waits briefly for in-flight requests.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		// Idle HTTP/2 client connections would hold Shutdown for its whole
		// polling period; give in-flight requests a moment, then cut.
		ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
		defer cancel()
		s.closeErr = s.httpSrv.Shutdown(ctx)
		if errors.Is(s.closeErr, context.DeadlineExceeded) {
			s.closeErr = s.httpSrv.Close()
		}
	})
	return s.closeErr
}

// SetFaults replaces the fault knobs applied to Graph requests. A
// non-zero f.Seed restarts the fault draws from that seed.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
	s.faultsInjected = 0
	if f.Seed != 0 {
		s.faultRand, s.faultSeed = newFaultRand(f.Seed), f.Seed
	}
}

// FaultSeed is the seed the fault draws last started from
// (Options.FaultSeed, the one drawn at start, or the last Faults.Seed):
// pass it back to replay the same faults.
func (s *Server) FaultSeed() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faultSeed
}

// drawFault reports whether a fault of probability p happens, from the
// seeded sequence.
func (s *Server) drawFault(p float64) bool {
	if p <= 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faultRand.Float64() < p
}

func newFaultRand(seed uint64) *mathrand.Rand {
	// PCG takes two words; the second is fixed so one number names a run.
	return mathrand.New(mathrand.NewPCG(seed, 0x62326265_6d75))
}

// newFaultSeed draws a non-zero seed when none was given.
func newFaultSeed() uint64 {
	for {
		if n := mathrand.Uint64(); n != 0 {
			return n
		}
	}
}

// SetReplicationLag sets how long newly invited users stay unreadable.
func (s *Server) SetReplicationLag(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lag = d
}

// SetLinkReplicationLag sets how long, after becoming readable, a newly
// invited user still cannot be added to a group or given a sponsor.
func (s *Server) SetLinkReplicationLag(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.linkLag = d
}

// SetDeleteReplicationLag sets how long, after a user is deleted, reads
// still return it (Options.DeleteReplicationLag). Users deleted before the
// call keep the lag they were deleted with.
func (s *Server) SetDeleteReplicationLag(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deleteLag = d
}

// SetInvitationLimit replaces the invitation throttle and forgets past invitations.
func (s *Server) SetInvitationLimit(l RateLimit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.invLimit = l
	s.invTimes = nil
}

// Counters returns a snapshot of the request counters.
func (s *Server) Counters() Counters {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(Counters, len(s.counters))
	for k, v := range s.counters {
		out[k] = v
	}
	return out
}

// ResetCounters zeroes every counter.
func (s *Server) ResetCounters() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counters = Counters{}
}

func (s *Server) count(key string) {
	s.mu.Lock()
	s.counters[key]++
	s.mu.Unlock()
}

func (s *Server) now() time.Time { return s.clock.Now() }

var (
	keysOnce         sync.Once
	tokenKey, fedKey *rsa.PrivateKey
	keysErr          error
)

// processKeys returns the RSA signing keys, generated once per process:
// a 2048-bit key costs up to a second on a busy machine and tests start
// many servers. Servers still reject each other's tokens through the
// tenant (tid) check.
func processKeys() (*rsa.PrivateKey, *rsa.PrivateKey, error) {
	keysOnce.Do(func() {
		if tokenKey, keysErr = rsa.GenerateKey(rand.Reader, 2048); keysErr != nil {
			return
		}
		fedKey, keysErr = rsa.GenerateKey(rand.Reader, 2048)
	})
	return tokenKey, fedKey, keysErr
}
