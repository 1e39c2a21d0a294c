package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"
)

// The /_emulator/ control API lets the demo, benchmarks and other
// processes drive a standalone emulator the way Go tests drive the
// in-process one. It needs no token, so it only answers loopback peers.

// Duration is a time.Duration that JSON-decodes from a Go duration
// string ("250ms") or a number of seconds.
type Duration time.Duration

// UnmarshalJSON accepts "1.5s" or 1.5.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		*d = Duration(v)
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return errors.New("duration must be a string like \"250ms\" or a number of seconds")
	}
	*d = Duration(f * float64(time.Second))
	return nil
}

// MarshalJSON writes the Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// FaultsJSON is the wire form of Faults for PUT /_emulator/faults.
type FaultsJSON struct {
	Latency         Duration `json:"latency"`
	Rate429         float64  `json:"rate429"`
	Rate503         float64  `json:"rate503"`
	RateDrop        float64  `json:"rateDrop"`
	DropAfterActing bool     `json:"dropAfterActing"`
	RetryAfter      Duration `json:"retryAfter"`
	Routes          []string `json:"routes"`
	Limit           int      `json:"limit"`
	RetryAfterValue string   `json:"retryAfterValue"`
	RateGateway     float64  `json:"rateGateway"`
	// Gateway is {"status": 504, "body": "html", "afterActing": true}.
	Gateway   gatewayJSON `json:"gateway"`
	RateToken float64     `json:"rateToken"`
	// Token is the token endpoint's failure: {"status": 503, "body": "html"}.
	Token gatewayJSON `json:"token"`
	// Seed restarts the fault draws from this seed (0: keep the sequence);
	// GET /_emulator/faults reports the seed in effect.
	Seed uint64 `json:"seed"`
}

// gatewayJSON is the wire form of GatewayFault.
type gatewayJSON struct {
	Status      int    `json:"status"`
	Body        string `json:"body"`
	AfterActing bool   `json:"afterActing"`
}

// SeedUserJSON is the wire form of SeedUser for POST /_emulator/users.
type SeedUserJSON struct {
	Email             string         `json:"email"`
	DisplayName       string         `json:"displayName"`
	UserType          string         `json:"userType"`
	ExternalUserState string         `json:"externalUserState"`
	Props             map[string]any `json:"props"`
}

// ctlHandler is a control route: it returns an error for ctlError to
// answer, ErrNotFound as 404 and anything else as 400.
type ctlHandler func(w http.ResponseWriter, r *http.Request) error

// controlRoutes registers the control API, one group per kind of object
// it drives, as the Graph routes are split by Graph resource.
func (s *Server) controlRoutes(mux *http.ServeMux) {
	h := func(pattern string, f ctlHandler) { mux.HandleFunc(pattern, loopbackOnly(f)) }
	s.controlReadRoutes(h)
	s.controlUserRoutes(h)
	s.controlSignInRoutes(h) // sign-in times, invitation age, licence (signin.go)
	s.controlGroupRoutes(h)
	s.controlSponsorRoutes(h)
	s.controlTenantRoutes(h)
	s.externalCollabControlRoutes(h) // foreign tenants, authorization policy (tenants.go)
}

// loopbackOnly refuses remote peers (the control API takes no token) and
// writes the handler's error in the control API's envelope.
func loopbackOnly(f ctlHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
			if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
				ctlError(w, http.StatusForbidden, errors.New("the control API only answers loopback clients"))
				return
			}
		}
		if err := f(w, r); err != nil {
			status := http.StatusBadRequest
			if errors.Is(err, ErrNotFound) {
				status = http.StatusNotFound
			}
			ctlError(w, status, err)
		}
	}
}

// ctlRead answers 200 with what get returns.
func ctlRead(get func(r *http.Request) (any, error)) ctlHandler {
	return func(w http.ResponseWriter, r *http.Request) error {
		v, err := get(r)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, v)
		return nil
	}
}

// ctlAct answers 204 once act succeeds.
func ctlAct(act func(r *http.Request) error) ctlHandler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := act(r); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// ctlActOn decodes the JSON body into a T, then acts like ctlAct.
func ctlActOn[T any](act func(r *http.Request, v T) error) ctlHandler {
	return ctlAct(func(r *http.Request) error {
		var v T
		if err := decodeBody(r, &v); err != nil {
			return err
		}
		return act(r, v)
	})
}

// ctlCreated answers 201 {"id": ...} with the ID create returns.
func ctlCreated[T any](create func(v T) (string, error)) ctlHandler {
	return func(w http.ResponseWriter, r *http.Request) error {
		var v T
		if err := decodeBody(r, &v); err != nil {
			return err
		}
		id, err := create(v)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, map[string]any{"id": id})
		return nil
	}
}

// controlReadRoutes serve what a test or benchmark reads back: the
// endpoints, counters, users and invitations.
func (s *Server) controlReadRoutes(h func(string, ctlHandler)) {
	h("GET /_emulator/info", ctlRead(func(*http.Request) (any, error) {
		app := s.DefaultApp()
		return map[string]any{
			"url": s.URL(), "graphEndpoint": s.GraphEndpoint(), "authorityHost": s.AuthorityHost(),
			"tenantId": s.TenantID(), "tenantDomain": s.TenantDomain(), "clientId": app.ClientID,
			"federationIssuer": s.federationIssuer(),
		}, nil
	}))
	h("GET /_emulator/counters", ctlRead(func(*http.Request) (any, error) { return s.Counters(), nil }))
	h("POST /_emulator/counters/reset", ctlAct(func(*http.Request) error { s.ResetCounters(); return nil }))
	h("GET /_emulator/users", ctlRead(func(*http.Request) (any, error) { return s.Users(), nil }))
	h("GET /_emulator/deleted-users", ctlRead(func(*http.Request) (any, error) { return s.DeletedUsers(), nil }))
	h("GET /_emulator/users/{id}", ctlRead(func(r *http.Request) (any, error) {
		u, ok := s.User(r.PathValue("id"))
		if !ok {
			return nil, ErrNotFound
		}
		return u, nil
	}))
	h("GET /_emulator/invitations", ctlRead(func(*http.Request) (any, error) { return s.Invitations(), nil }))
}

// controlUserRoutes change users out of band.
func (s *Server) controlUserRoutes(h func(string, ctlHandler)) {
	h("POST /_emulator/users", ctlCreated(func(su SeedUserJSON) (string, error) { return s.SeedUser(SeedUser(su)) }))
	h("POST /_emulator/users/{id}/redeem", ctlAct(func(r *http.Request) error { return s.RedeemInvitation(r.PathValue("id")) }))
	h("PATCH /_emulator/users/{id}", ctlActOn(func(r *http.Request, props map[string]any) error {
		return s.PatchUser(r.PathValue("id"), props)
	}))
	h("DELETE /_emulator/users/{id}", ctlAct(func(r *http.Request) error { return s.DeleteUser(r.PathValue("id")) }))
}

// seedGroupJSON is the body of POST /_emulator/groups.
type seedGroupJSON struct {
	DisplayName string   `json:"displayName"`
	Members     []string `json:"members"`
}

// controlGroupRoutes create groups and change their members out of band.
func (s *Server) controlGroupRoutes(h func(string, ctlHandler)) {
	h("POST /_emulator/groups", ctlCreated(func(v seedGroupJSON) (string, error) { return s.SeedGroup(v.DisplayName, v.Members...) }))
	h("POST /_emulator/groups/{id}/members", ctlActOn(func(r *http.Request, v struct {
		ID string `json:"id"`
	}) error {
		return s.AddGroupMember(r.PathValue("id"), v.ID)
	}))
	h("POST /_emulator/groups/{id}/members/{uid}", ctlAct(func(r *http.Request) error {
		return s.AddGroupMember(r.PathValue("id"), r.PathValue("uid"))
	}))
	h("GET /_emulator/groups/{id}/members", ctlRead(func(r *http.Request) (any, error) { return s.GroupMemberIDs(r.PathValue("id")) }))
	h("DELETE /_emulator/groups/{id}/members/{uid}", ctlAct(func(r *http.Request) error {
		return s.RemoveGroupMember(r.PathValue("id"), r.PathValue("uid"))
	}))
	h("DELETE /_emulator/groups/{id}", ctlAct(func(r *http.Request) error { return s.DeleteGroup(r.PathValue("id")) }))
}

// controlSponsorRoutes change a user's sponsors out of band.
func (s *Server) controlSponsorRoutes(h func(string, ctlHandler)) {
	h("GET /_emulator/users/{id}/sponsors", ctlRead(func(r *http.Request) (any, error) { return s.SponsorIDs(r.PathValue("id")) }))
	h("POST /_emulator/users/{id}/sponsors/{sid}", ctlAct(func(r *http.Request) error {
		return s.AddSponsor(r.PathValue("id"), r.PathValue("sid"))
	}))
	h("DELETE /_emulator/users/{id}/sponsors/{sid}", ctlAct(func(r *http.Request) error {
		return s.RemoveSponsor(r.PathValue("id"), r.PathValue("sid"))
	}))
}

// controlTenantRoutes set the tenant's behaviour: faults, replication
// lag, the invitation throttle, signing keys, app permissions and
// federated tokens.
func (s *Server) controlTenantRoutes(h func(string, ctlHandler)) {
	h("PUT /_emulator/faults", ctlActOn(func(_ *http.Request, f FaultsJSON) error { return s.setFaultsJSON(f) }))
	h("GET /_emulator/faults", ctlRead(func(*http.Request) (any, error) { return s.faultsJSON(), nil }))
	h("POST /_emulator/signing-key/rotate", ctlAct(func(*http.Request) error { return s.RotateSigningKey() }))
	h("PUT /_emulator/replication-lag", ctlActOn(func(_ *http.Request, v struct {
		Lag Duration `json:"lag"`
	}) error {
		s.SetReplicationLag(time.Duration(v.Lag))
		return nil
	}))
	h("PUT /_emulator/delete-replication-lag", ctlActOn(func(_ *http.Request, v struct {
		Lag Duration `json:"lag"`
	}) error {
		s.SetDeleteReplicationLag(time.Duration(v.Lag))
		return nil
	}))
	h("PUT /_emulator/invitation-limit", ctlActOn(func(_ *http.Request, v struct {
		N        int      `json:"n"`
		Window   Duration `json:"window"`
		Disabled bool     `json:"disabled"`
	}) error {
		s.SetInvitationLimit(RateLimit{N: v.N, Window: time.Duration(v.Window), Disabled: v.Disabled})
		return nil
	}))
	h("PUT /_emulator/apps/{clientId}/permissions", ctlActOn(func(r *http.Request, v struct {
		Permissions []string `json:"permissions"`
	}) error {
		return s.setPermissionsKnown(r.PathValue("clientId"), v.Permissions)
	}))
	h("POST /_emulator/apps/{clientId}/expire-secret", ctlAct(func(r *http.Request) error {
		s.ExpireClientSecret(r.PathValue("clientId"))
		return nil
	}))
	h("POST /_emulator/federated-token", s.ctlFederatedToken)
}

// setFaultsJSON checks the rates of a PUT /_emulator/faults body and applies it.
func (s *Server) setFaultsJSON(f FaultsJSON) error {
	for _, p := range []float64{f.Rate429, f.Rate503, f.RateDrop, f.RateGateway, f.RateToken} {
		if p < 0 || p > 1 {
			return fmt.Errorf("rates are probabilities between 0 and 1, got %v", p)
		}
	}
	s.SetFaults(Faults{
		Latency: time.Duration(f.Latency), Rate429: f.Rate429, Rate503: f.Rate503,
		RateDrop: f.RateDrop, DropAfterActing: f.DropAfterActing, RetryAfter: time.Duration(f.RetryAfter),
		Routes: f.Routes, Limit: f.Limit, Seed: f.Seed,
		RetryAfterValue: f.RetryAfterValue, RateGateway: f.RateGateway,
		Gateway:   GatewayFault(f.Gateway),
		RateToken: f.RateToken, Token: GatewayFault(f.Token),
	})
	return nil
}

// faultsJSON is the faults in effect, with the seed their draws started
// from, so a failing run can be replayed with PUT /_emulator/faults.
func (s *Server) faultsJSON() FaultsJSON {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.faults
	out := FaultsJSON{
		Latency: Duration(f.Latency), Rate429: f.Rate429, Rate503: f.Rate503, RateDrop: f.RateDrop,
		DropAfterActing: f.DropAfterActing, RetryAfter: Duration(f.RetryAfter), Routes: f.Routes, Limit: f.Limit,
		Seed: s.faultSeed, RetryAfterValue: f.RetryAfterValue, RateGateway: f.RateGateway,
	}
	out.Gateway, out.RateToken, out.Token = gatewayJSON(f.Gateway), f.RateToken, gatewayJSON(f.Token)
	return out
}

// setPermissionsKnown is SetPermissions for a client ID that must exist:
// the control API answers 404 rather than ignoring a typo.
func (s *Server) setPermissionsKnown(clientID string, perms []string) error {
	s.mu.Lock()
	_, ok := s.appLocked(clientID)
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: no app with client ID %s", ErrNotFound, clientID)
	}
	s.SetPermissions(clientID, perms)
	return nil
}

func (s *Server) ctlFederatedToken(w http.ResponseWriter, r *http.Request) error {
	var v struct {
		Subject  string `json:"subject"`
		Audience string `json:"audience"`
	}
	if err := decodeBody(r, &v); err != nil {
		return err
	}
	if v.Subject == "" {
		return errors.New("subject is required")
	}
	tok, err := s.IssueFederatedToken(v.Subject, v.Audience)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"token": tok})
	return nil
}

func decodeBody(r *http.Request, v any) error {
	b, err := readBody(r)
	if err != nil {
		return err
	}
	if len(b) == 0 {
		return errors.New("a JSON body is required")
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("invalid JSON body: %w", err)
	}
	return nil
}

func ctlError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]any{"error": err.Error(), "status": strconv.Itoa(status)})
}
