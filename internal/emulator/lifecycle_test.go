package emulator

import (
	"net/http"
	"testing"
)

// lifecycleApp is an app with the given permissions besides inviting and
// writing users.
func lifecycleApp(t *testing.T, s *Server, perms ...string) string {
	t.Helper()
	app := App{ClientID: "7b0a2c1e-3d4f-4a5b-8c6d-7e8f9a0b1c2d", Secret: "lifecycle-secret",
		Permissions: append([]string{PermUserInviteAll, PermUserReadWriteAll}, perms...)}
	s.AddApp(app)
	return token(t, s, app)
}

func invitedID(t *testing.T, s *Server, tok, email string) string {
	t.Helper()
	r := invite(t, s, tok, email)
	mustStatus(t, r, http.StatusCreated)
	return str(obj(r.Body["invitedUser"])["id"])
}

// employeeLeaveDateTime: written with User-LifeCycleInfo.ReadWrite.All,
// read with User-LifeCycleInfo.Read.All, stored in UTC, cleared with null,
// and a malformed value is a 400.
func TestEmployeeLeaveDateTime(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	tok := lifecycleApp(t, s, PermUserLifeCycleInfoReadWriteAll)
	id := invitedID(t, s, tok, "leaver@partner.example")
	path := "/users/" + id

	mustStatus(t, graph(t, s, tok, http.MethodPatch, path, map[string]any{"employeeLeaveDateTime": "2026-12-31T01:00:00+01:00"}), http.StatusNoContent)
	r := graph(t, s, tok, http.MethodGet, path+"?$select=id,employeeLeaveDateTime", nil)
	mustStatus(t, r, http.StatusOK)
	if got := str(r.Body["employeeLeaveDateTime"]); got != "2026-12-31T00:00:00Z" {
		t.Fatalf("employeeLeaveDateTime = %q, want it in UTC", got)
	}
	bad := graph(t, s, tok, http.MethodPatch, path, map[string]any{"employeeLeaveDateTime": "31/12/2026"})
	if bad.Status != http.StatusBadRequest || bad.errMessage() != "Cannot convert the literal '31/12/2026' to the expected type 'Edm.DateTimeOffset'." {
		t.Fatalf("malformed date: %d %s", bad.Status, bad.Raw)
	}
	mustStatus(t, graph(t, s, tok, http.MethodPatch, path, map[string]any{"employeeLeaveDateTime": nil}), http.StatusNoContent)
	if v, _ := s.EmployeeLeaveDateTime(id); v != "" {
		t.Fatalf("after PATCH null, employeeLeaveDateTime = %q", v)
	}

	// Without the lifecycle permissions: 403 on the write and on the read.
	plain := App{ClientID: "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f", Secret: "plain-secret",
		Permissions: []string{PermUserInviteAll, PermUserReadWriteAll}}
	s.AddApp(plain)
	ptok := token(t, s, plain)
	for _, r := range []resp{
		graph(t, s, ptok, http.MethodPatch, path, map[string]any{"employeeLeaveDateTime": "2027-01-01T00:00:00Z"}),
		graph(t, s, ptok, http.MethodGet, path+"?$select=employeeLeaveDateTime", nil),
	} {
		if r.Status != http.StatusForbidden || r.errCode() != "Authorization_RequestDenied" {
			t.Errorf("without the lifecycle permission: %d %s", r.Status, r.Raw)
		}
	}
	// The rest of the profile needs no lifecycle permission.
	mustStatus(t, graph(t, s, ptok, http.MethodPatch, path, map[string]any{"jobTitle": "Auditor"}), http.StatusNoContent)
	mustStatus(t, graph(t, s, ptok, http.MethodGet, path+"?$select=id,jobTitle", nil), http.StatusOK)
}

// invitedUserSponsors: the invitation makes them the new guest's sponsors;
// an unknown sponsor fails the invitation before anyone is invited.
func TestInvitationSponsors(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	tok := token(t, s, s.DefaultApp())
	sponsor := invitedID(t, s, tok, "sponsor@contoso.example")

	r := graph(t, s, tok, http.MethodPost, "/invitations", map[string]any{
		"invitedUserEmailAddress": "guest@partner.example",
		"inviteRedirectUrl":       "https://myapps.microsoft.com",
		"invitedUserSponsors":     []any{map[string]any{"@odata.type": "#microsoft.graph.directoryObject", "id": sponsor}},
	})
	mustStatus(t, r, http.StatusCreated)
	id := str(obj(r.Body["invitedUser"])["id"])
	got, err := s.SponsorIDs(id)
	if err != nil || len(got) != 1 || got[0] != sponsor {
		t.Fatalf("sponsors of the invited guest = %v, %v; want [%s]", got, err, sponsor)
	}

	missing := "11111111-2222-4333-8444-555555555555"
	r = graph(t, s, tok, http.MethodPost, "/invitations", map[string]any{
		"invitedUserEmailAddress": "other@partner.example",
		"inviteRedirectUrl":       "https://myapps.microsoft.com",
		"invitedUserSponsors":     []any{map[string]any{"id": missing}},
	})
	if r.Status != http.StatusNotFound || r.errCode() != "Request_ResourceNotFound" {
		t.Fatalf("unknown sponsor: %d %s", r.Status, r.Raw)
	}
	for _, inv := range s.Invitations() {
		if inv.Email == "other@partner.example" {
			t.Fatal("an invitation with an unknown sponsor was recorded")
		}
	}
}
