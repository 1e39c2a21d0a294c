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
}

// SeedUserJSON is the wire form of SeedUser for POST /_emulator/users.
type SeedUserJSON struct {
	Email             string         `json:"email"`
	DisplayName       string         `json:"displayName"`
	UserType          string         `json:"userType"`
	ExternalUserState string         `json:"externalUserState"`
	Props             map[string]any `json:"props"`
}

func (s *Server) controlRoutes(mux *http.ServeMux) {
	h := func(pattern string, f func(w http.ResponseWriter, r *http.Request) error) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
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
		})
	}
	h("GET /_emulator/info", func(w http.ResponseWriter, _ *http.Request) error {
		app := s.DefaultApp()
		writeJSON(w, http.StatusOK, map[string]any{
			"url": s.URL(), "graphEndpoint": s.GraphEndpoint(), "authorityHost": s.AuthorityHost(),
			"tenantId": s.TenantID(), "tenantDomain": s.TenantDomain(), "clientId": app.ClientID,
			"federationIssuer": s.federationIssuer(),
		})
		return nil
	})
	h("GET /_emulator/counters", func(w http.ResponseWriter, _ *http.Request) error {
		writeJSON(w, http.StatusOK, s.Counters())
		return nil
	})
	h("POST /_emulator/counters/reset", func(w http.ResponseWriter, _ *http.Request) error {
		s.ResetCounters()
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	h("GET /_emulator/users", func(w http.ResponseWriter, _ *http.Request) error {
		writeJSON(w, http.StatusOK, s.Users())
		return nil
	})
	h("GET /_emulator/deleted-users", func(w http.ResponseWriter, _ *http.Request) error {
		writeJSON(w, http.StatusOK, s.DeletedUsers())
		return nil
	})
	h("GET /_emulator/users/{id}", func(w http.ResponseWriter, r *http.Request) error {
		u, ok := s.User(r.PathValue("id"))
		if !ok {
			return ErrNotFound
		}
		writeJSON(w, http.StatusOK, u)
		return nil
	})
	h("GET /_emulator/invitations", func(w http.ResponseWriter, _ *http.Request) error {
		writeJSON(w, http.StatusOK, s.Invitations())
		return nil
	})
	h("POST /_emulator/users", func(w http.ResponseWriter, r *http.Request) error {
		var su SeedUserJSON
		if err := decodeBody(r, &su); err != nil {
			return err
		}
		id, err := s.SeedUser(SeedUser(su))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, map[string]any{"id": id})
		return nil
	})
	h("POST /_emulator/groups", func(w http.ResponseWriter, r *http.Request) error {
		var v struct {
			DisplayName string   `json:"displayName"`
			Members     []string `json:"members"`
		}
		if err := decodeBody(r, &v); err != nil {
			return err
		}
		id, err := s.SeedGroup(v.DisplayName, v.Members...)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, map[string]any{"id": id})
		return nil
	})
	h("POST /_emulator/groups/{id}/members", func(w http.ResponseWriter, r *http.Request) error {
		var v struct {
			ID string `json:"id"`
		}
		if err := decodeBody(r, &v); err != nil {
			return err
		}
		if err := s.AddGroupMember(r.PathValue("id"), v.ID); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	h("POST /_emulator/groups/{id}/members/{uid}", func(w http.ResponseWriter, r *http.Request) error {
		if err := s.AddGroupMember(r.PathValue("id"), r.PathValue("uid")); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	h("GET /_emulator/groups/{id}/members", func(w http.ResponseWriter, r *http.Request) error {
		ids, err := s.GroupMemberIDs(r.PathValue("id"))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, ids)
		return nil
	})
	h("DELETE /_emulator/groups/{id}/members/{uid}", func(w http.ResponseWriter, r *http.Request) error {
		if err := s.RemoveGroupMember(r.PathValue("id"), r.PathValue("uid")); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	h("DELETE /_emulator/groups/{id}", func(w http.ResponseWriter, r *http.Request) error {
		if err := s.DeleteGroup(r.PathValue("id")); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	h("GET /_emulator/users/{id}/sponsors", func(w http.ResponseWriter, r *http.Request) error {
		ids, err := s.SponsorIDs(r.PathValue("id"))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, ids)
		return nil
	})
	h("POST /_emulator/users/{id}/sponsors/{sid}", func(w http.ResponseWriter, r *http.Request) error {
		if err := s.AddSponsor(r.PathValue("id"), r.PathValue("sid")); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	h("DELETE /_emulator/users/{id}/sponsors/{sid}", func(w http.ResponseWriter, r *http.Request) error {
		if err := s.RemoveSponsor(r.PathValue("id"), r.PathValue("sid")); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	h("POST /_emulator/users/{id}/redeem", func(w http.ResponseWriter, r *http.Request) error {
		if err := s.RedeemInvitation(r.PathValue("id")); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	h("PATCH /_emulator/users/{id}", func(w http.ResponseWriter, r *http.Request) error {
		var props map[string]any
		if err := decodeBody(r, &props); err != nil {
			return err
		}
		if err := s.PatchUser(r.PathValue("id"), props); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	h("DELETE /_emulator/users/{id}", func(w http.ResponseWriter, r *http.Request) error {
		if err := s.DeleteUser(r.PathValue("id")); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	h("PUT /_emulator/faults", func(w http.ResponseWriter, r *http.Request) error {
		var f FaultsJSON
		if err := decodeBody(r, &f); err != nil {
			return err
		}
		for _, p := range []float64{f.Rate429, f.Rate503, f.RateDrop} {
			if p < 0 || p > 1 {
				return fmt.Errorf("rates are probabilities between 0 and 1, got %v", p)
			}
		}
		s.SetFaults(Faults{
			Latency: time.Duration(f.Latency), Rate429: f.Rate429, Rate503: f.Rate503,
			RateDrop: f.RateDrop, DropAfterActing: f.DropAfterActing, RetryAfter: time.Duration(f.RetryAfter),
			Routes: f.Routes, Limit: f.Limit,
		})
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	h("POST /_emulator/signing-key/rotate", func(w http.ResponseWriter, _ *http.Request) error {
		if err := s.RotateSigningKey(); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	h("PUT /_emulator/replication-lag", func(w http.ResponseWriter, r *http.Request) error {
		var v struct {
			Lag Duration `json:"lag"`
		}
		if err := decodeBody(r, &v); err != nil {
			return err
		}
		s.SetReplicationLag(time.Duration(v.Lag))
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	h("PUT /_emulator/invitation-limit", func(w http.ResponseWriter, r *http.Request) error {
		var v struct {
			N        int      `json:"n"`
			Window   Duration `json:"window"`
			Disabled bool     `json:"disabled"`
		}
		if err := decodeBody(r, &v); err != nil {
			return err
		}
		s.SetInvitationLimit(RateLimit{N: v.N, Window: time.Duration(v.Window), Disabled: v.Disabled})
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	h("PUT /_emulator/apps/{clientId}/permissions", func(w http.ResponseWriter, r *http.Request) error {
		var v struct {
			Permissions []string `json:"permissions"`
		}
		if err := decodeBody(r, &v); err != nil {
			return err
		}
		s.mu.Lock()
		_, ok := s.appLocked(r.PathValue("clientId"))
		s.mu.Unlock()
		if !ok {
			return fmt.Errorf("%w: no app with client ID %s", ErrNotFound, r.PathValue("clientId"))
		}
		s.SetPermissions(r.PathValue("clientId"), v.Permissions)
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	h("POST /_emulator/federated-token", func(w http.ResponseWriter, r *http.Request) error {
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
	})
	s.externalCollabControlRoutes(h) // foreign tenants, authorization policy (tenants.go)
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
