package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// user is one directory object. Props holds the Graph JSON properties
// (every known property present, null when unset) so that $select and
// PATCH work on names exactly as Graph spells them.
type user struct {
	Seq   int64          `json:"seq"`
	Props map[string]any `json:"props"`
	// VisibleAt models directory replication: reads before it get 404.
	VisibleAt time.Time `json:"visibleAt"`
	// LinkableAt is when the user's relationships replicate: before it,
	// $ref writes that reference the user (added as a group member, given
	// a sponsor) and reads of its memberOf and sponsors answer 404, though
	// GET /users/{id} already finds it.
	LinkableAt time.Time `json:"linkableAt,omitempty"`
	// GoneAt, on the copies in store.Lagging only, is when the replicas
	// that still serve a deleted user catch up with the delete (deleted.go).
	GoneAt time.Time `json:"goneAt,omitempty"`
	// Sponsors are the object IDs (users or groups) of the user's
	// sponsors, in the order they were added.
	Sponsors []string `json:"sponsors,omitempty"`
}

// id is the object ID, always set at creation.
func (u *user) id() string {
	id, _ := u.Props["id"].(string)
	return id
}

type store struct {
	Seq         int64              `json:"seq"`
	Users       map[string]*user   `json:"users"`
	Deleted     map[string]*user   `json:"deleted"`
	Invitations []InvitationRecord `json:"invitations"`
	Groups      map[string]*group  `json:"groups,omitempty"`
	CrossTenant crossTenantStore   `json:"crossTenantAccessPolicy"`
	// Lagging are deleted users as the replicas behind the delete still
	// serve them, by object ID, until their GoneAt (deleted.go).
	Lagging map[string]*user `json:"lagging,omitempty"`
}

func newStore() store {
	return store{Users: map[string]*user{}, Deleted: map[string]*user{}, Lagging: map[string]*user{}, Groups: map[string]*group{}}
}

// SeedUser describes a user created out of band with Server.SeedUser.
type SeedUser struct {
	Email       string
	DisplayName string
	// UserType is "Guest" (default) or "Member".
	UserType string
	// ExternalUserState, for guests: "PendingAcceptance" (default) or "Accepted".
	ExternalUserState string
	// Props are extra Graph properties, e.g. {"jobTitle": "Buyer"}.
	Props map[string]any
}

// InvitationRecord is one accepted POST /invitations, for tests to check
// what the provider asked Graph to do (the redeem URL is deliberately absent).
type InvitationRecord struct {
	Email                 string    `json:"email"`
	UserID                string    `json:"userId"`
	SendInvitationMessage bool      `json:"sendInvitationMessage"`
	ResetRedemption       bool      `json:"resetRedemption"`
	At                    time.Time `json:"at"`
	CcRecipients          []string  `json:"ccRecipients,omitempty"`
	Body                  string    `json:"body,omitempty"`
	// Sponsors are the invitation's invitedUserSponsors (lifecycle.go).
	Sponsors []string `json:"sponsors,omitempty"`
}

// defaultUserProps is the set GET /users returns without $select.
// https://learn.microsoft.com/graph/api/user-get ("By default, only a limited
// set of properties are returned").
var defaultUserProps = []string{
	"businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone",
	"officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id",
}

func knownProp(name string) (string, bool) {
	for _, p := range userProps {
		if strings.EqualFold(p, name) {
			return p, true
		}
	}
	return "", false
}

// guestUPN builds the UPN Entra gives an invited external user:
// alice@partner.example -> alice_partner.example#EXT#@contoso.onmicrosoft.com.
func guestUPN(email, domain string) string {
	return strings.ReplaceAll(email, "@", "_") + "#EXT#@" + domain
}

func (s *Server) newUserLocked(email, displayName, userType, extState string, now time.Time) *user {
	id := newGUID()
	p := map[string]any{}
	for _, k := range userProps {
		p[k] = nil
	}
	for k := range collectionProps {
		p[k] = []any{}
	}
	if userType == "" {
		userType = "Guest"
	}
	p["id"] = id
	p["accountEnabled"] = true
	p["createdDateTime"] = s.stampLocked(now)
	p["displayName"] = displayName
	p["mail"] = email
	p["userType"] = userType
	if extState != "" {
		upn := guestUPN(email, s.domain)
		p["userPrincipalName"] = upn
		p["mailNickname"] = strings.TrimSuffix(upn, "@"+s.domain)
		p["creationType"] = "Invitation"
		p["externalUserState"] = extState
		p["externalUserStateChangeDateTime"] = s.stampLocked(now)
		p["identities"] = []any{map[string]any{
			"signInType": "userPrincipalName", "issuer": s.domain, "issuerAssignedId": upn,
		}}
		p["proxyAddresses"] = []any{"SMTP:" + email}
	} else {
		local, _, _ := strings.Cut(email, "@")
		upn := local + "@" + s.domain
		p["userPrincipalName"] = upn
		p["mailNickname"] = local
		p["identities"] = []any{map[string]any{
			"signInType": "userPrincipalName", "issuer": s.domain, "issuerAssignedId": upn,
		}}
	}
	s.st.Seq++
	u := &user{Seq: s.st.Seq, Props: p, VisibleAt: now}
	s.st.Users[id] = u
	return u
}

// findUserLocked resolves an id or userPrincipalName among live users.
func (s *Server) findUserLocked(key string) *user {
	if u, ok := s.st.Users[strings.ToLower(key)]; ok {
		return u
	}
	for _, u := range s.st.Users {
		if upn, _ := u.Props["userPrincipalName"].(string); strings.EqualFold(upn, key) {
			return u
		}
	}
	return nil
}

// findByEmailLocked returns the oldest user whose mail or otherMails is email.
func (s *Server) findByEmailLocked(email string) *user {
	var found *user
	for _, u := range s.st.Users {
		if found != nil && found.Seq < u.Seq {
			continue
		}
		if m, _ := u.Props["mail"].(string); strings.EqualFold(m, email) {
			found = u
			continue
		}
		for _, o := range stringValues(u.Props["otherMails"]) {
			if strings.EqualFold(o, email) {
				found = u
				break
			}
		}
	}
	return found
}

func (s *Server) sortedUsersLocked() []*user {
	out := make([]*user, 0, len(s.st.Users))
	for _, u := range s.st.Users {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

func copyProps(p map[string]any) map[string]any {
	b, _ := json.Marshal(p)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

// ErrNotFound is returned by the out-of-band operations for an unknown user.
var ErrNotFound = errors.New("emulator: user not found")

// SeedUser creates a user directly in the directory (no invitation, no lag)
// and returns its object ID.
func (s *Server) SeedUser(su SeedUser) (string, error) {
	if !validEmail(su.Email) {
		return "", fmt.Errorf("emulator: invalid email %q", su.Email)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ut := su.UserType
	if ut == "" {
		ut = "Guest"
	}
	ext := ""
	if ut == "Guest" {
		ext = su.ExternalUserState
		if ext == "" {
			ext = "PendingAcceptance"
		}
	}
	dn := su.DisplayName
	if dn == "" {
		dn = su.Email
	}
	u := s.newUserLocked(su.Email, dn, ut, ext, s.now())
	for k, v := range su.Props {
		name, ok := knownProp(k)
		if !ok {
			return "", fmt.Errorf("emulator: unknown user property %q", k)
		}
		u.Props[name] = normalizeJSON(v)
	}
	s.saveLocked()
	return u.id(), nil
}

// RedeemInvitation marks a guest as having accepted its invitation.
func (s *Server) RedeemInvitation(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.findUserLocked(id)
	if u == nil {
		return ErrNotFound
	}
	if m, _ := u.Props["mail"].(string); m != "" {
		if err := s.inboundBlockedLocked(m); err != nil {
			return err // the inbound cross-tenant access settings refuse the sign-in (admission.go)
		}
	}
	u.Props["externalUserState"] = "Accepted"
	u.Props["externalUserStateChangeDateTime"] = s.stampLocked(s.now())
	s.saveLocked()
	return nil
}

// PatchUser changes properties out of band (drift), Graph names, nil clears.
func (s *Server) PatchUser(id string, props map[string]any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.findUserLocked(id)
	if u == nil {
		return ErrNotFound
	}
	for k, v := range props {
		name, ok := knownProp(k)
		if !ok || name == "id" {
			return fmt.Errorf("emulator: cannot set user property %q", k)
		}
		setProp(u, name, normalizeJSON(v))
	}
	s.saveLocked()
	return nil
}

func setProp(u *user, name string, v any) {
	if v == nil && collectionProps[name] {
		v = []any{}
	}
	u.Props[name] = v
}

// DeleteUser soft-deletes a user into deleted items.
func (s *Server) DeleteUser(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.findUserLocked(id)
	if u == nil {
		return ErrNotFound
	}
	s.softDeleteLocked(u)
	s.saveLocked()
	return nil
}

// softDeleteLocked moves a user to deleted items. Like Entra it leaves
// every group member list and every other user's sponsor list; a restore
// does not bring those links back (Graph documents no such thing, see
// https://learn.microsoft.com/graph/api/directory-deleteditems-restore).
func (s *Server) softDeleteLocked(u *user) {
	id := u.id()
	s.keepLaggingLocked(u)
	delete(s.st.Users, id)
	u.Props["deletedDateTime"] = s.stampLocked(s.now())
	s.st.Deleted[id] = u
	s.dropReferencesLocked(id)
}

// User returns every modelled property of a live user (lag ignored).
func (s *Server) User(id string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.findUserLocked(id)
	if u == nil {
		return nil, false
	}
	return userJSON(u, nil), true
}

// Users returns every live user, oldest first.
func (s *Server) Users() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	for _, u := range s.sortedUsersLocked() {
		out = append(out, userJSON(u, nil))
	}
	return out
}

// DeletedUsers returns the users in deleted items.
func (s *Server) DeletedUsers() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	for _, u := range sortUsers(s.st.Deleted) {
		out = append(out, userJSON(u, nil))
	}
	return out
}

func sortUsers(m map[string]*user) []*user {
	out := make([]*user, 0, len(m))
	for _, u := range m {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

// Invitations returns every invitation Graph accepted, oldest first.
func (s *Server) Invitations() []InvitationRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]InvitationRecord, len(s.st.Invitations))
	for i, r := range s.st.Invitations {
		r.CcRecipients = append([]string(nil), r.CcRecipients...)
		out[i] = r
	}
	return out
}

// userJSON renders a user; sel nil means every modelled property except
// deletedDateTime on live users.
func userJSON(u *user, sel []string) map[string]any {
	out := map[string]any{}
	if sel == nil {
		for k, v := range u.Props {
			if k == "deletedDateTime" && v == nil {
				continue
			}
			out[k] = v
		}
		return copyProps(out)
	}
	for _, k := range sel {
		out[k] = u.Props[k]
	}
	return copyProps(out)
}

// normalizeJSON turns Go values ([]string etc.) into their JSON-decoded form.
func normalizeJSON(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

// stateFile is the on-disk snapshot. It holds the tenant and the apps
// (with the throwaway emulator secrets) so a restarted emulator accepts
// the same credentials; it is written with mode 0600.
type stateFile struct {
	Version      int       `json:"version"`
	TenantID     string    `json:"tenantId"`
	TenantDomain string    `json:"tenantDomain"`
	Apps         []appJSON `json:"apps"`
	Store        store     `json:"store"`
	// AuthorizationPolicy is nil until the policy was first used (then
	// the documented default applies); ForeignTenants are the tenants
	// registered for findTenantInformationByDomainName (tenants.go).
	AuthorizationPolicy map[string]any  `json:"authorizationPolicy,omitempty"`
	ForeignTenants      []ForeignTenant `json:"foreignTenants,omitempty"`
}

type appJSON struct {
	ClientID         string   `json:"clientId"`
	Secret           string   `json:"secret,omitempty"`
	CertPEM          string   `json:"certPem,omitempty"`
	Permissions      []string `json:"permissions"`
	FederatedSubject string   `json:"federatedSubject,omitempty"`
}

func (s *Server) loadState(path string) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read state file: %w", err)
	}
	var sf stateFile
	if err := json.Unmarshal(b, &sf); err != nil {
		return fmt.Errorf("parse state file %s: %w", path, err)
	}
	if sf.Store.Users == nil {
		sf.Store.Users = map[string]*user{}
	}
	if sf.Store.Deleted == nil {
		sf.Store.Deleted = map[string]*user{}
	}
	if sf.Store.Groups == nil {
		sf.Store.Groups = map[string]*group{}
	}
	if sf.Store.Lagging == nil {
		sf.Store.Lagging = map[string]*user{}
	}
	// Snapshots written before groups had a sequence number get one, in a
	// stable order, so memberOf paging works on them.
	var unseq []*group
	for _, g := range sf.Store.Groups {
		if g.Seq == 0 {
			unseq = append(unseq, g)
		}
	}
	sort.Slice(unseq, func(i, j int) bool { return unseq[i].ID < unseq[j].ID })
	for _, g := range unseq {
		sf.Store.Seq++
		g.Seq = sf.Store.Seq
	}
	s.st = sf.Store
	s.restoreExternalCollab(sf.AuthorizationPolicy, sf.ForeignTenants)
	// Explicit options win over the snapshot; otherwise the snapshot's
	// tenant and apps are restored so old credentials keep working.
	if sf.TenantID != "" && !s.tenantExplicit {
		s.tenantID, s.domain = sf.TenantID, sf.TenantDomain
	}
	if len(sf.Apps) > 0 && !s.appsExplicit {
		s.apps, s.appIndex = nil, map[string]int{}
		for _, a := range sf.Apps {
			s.addAppLocked(App{ClientID: a.ClientID, Secret: a.Secret, CertPEM: []byte(a.CertPEM), Permissions: a.Permissions, FederatedSubject: a.FederatedSubject})
		}
	}
	return nil
}

// saveLocked writes the state file atomically (temp file + rename) so a
// crash mid-write never leaves a torn snapshot.
func (s *Server) saveLocked() {
	path := s.opts.StateFile
	if path == "" {
		return
	}
	sf := stateFile{Version: 1, TenantID: s.tenantID, TenantDomain: s.domain, Store: s.st,
		AuthorizationPolicy: s.ext.authzPolicy, ForeignTenants: s.foreignTenantsLocked()}
	for _, a := range s.apps {
		sf.Apps = append(sf.Apps, appJSON{ClientID: a.ClientID, Secret: a.Secret, CertPEM: string(a.CertPEM), Permissions: a.Permissions, FederatedSubject: a.FederatedSubject})
	}
	b, err := json.MarshalIndent(sf, "", "  ")
	if err != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".emulator-state-*")
	if err != nil {
		return
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return
	}
	tmp.Close()
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
	}
}
