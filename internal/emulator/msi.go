package emulator

import (
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
)

// App Service managed identity endpoint (the IDENTITY_ENDPOINT /
// IDENTITY_HEADER protocol MSAL uses, api-version 2019-08-01):
// https://learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference

// EnableManagedIdentity makes the app with clientID the managed identity
// served at /_msi/token and returns the values for IDENTITY_ENDPOINT and
// IDENTITY_HEADER. The app must have been registered (Options.Apps or AddApp).
func (s *Server) EnableManagedIdentity(clientID string) (endpoint, header string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msiClientID = strings.ToLower(clientID)
	if s.msiHeader == "" {
		s.msiHeader = newSecret()
	}
	return s.url + "/_msi/token", s.msiHeader
}

func (s *Server) handleMSI(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	clientID, header := s.msiClientID, s.msiHeader
	app, ok := s.appLocked(clientID)
	s.mu.Unlock()
	msiErr := func(status int, code, desc string) {
		writeJSON(w, status, map[string]any{"statusCode": status, "message": desc, "error": code, "error_description": desc})
	}
	if clientID == "" || !ok {
		msiErr(http.StatusNotFound, "not_found", "No managed identity is configured on this emulator.")
		return
	}
	if header == "" || subtle.ConstantTimeCompare([]byte(r.Header.Get("X-IDENTITY-HEADER")), []byte(header)) != 1 {
		msiErr(http.StatusUnauthorized, "unauthorized", "The X-IDENTITY-HEADER header is missing or wrong.")
		return
	}
	if q.Get("api-version") != "2019-08-01" {
		msiErr(http.StatusBadRequest, "invalid_request", "The api-version is invalid; expected 2019-08-01.")
		return
	}
	if cid := q.Get("client_id"); cid != "" && !strings.EqualFold(cid, clientID) {
		msiErr(http.StatusBadRequest, "invalid_request", "No user-assigned identity with client_id '"+cid+"' is assigned to this resource.")
		return
	}
	res := q.Get("resource")
	if !s.graphScope(strings.TrimRight(res, "/") + "/.default") {
		msiErr(http.StatusBadRequest, "invalid_resource", "The resource '"+res+"' is not supported by the emulator.")
		return
	}
	tok, exp, err := s.mintAccessToken(app, false)
	if err != nil {
		msiErr(http.StatusInternalServerError, "server_error", "Could not mint a token.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok,
		"expires_on":   strconv.FormatInt(exp.Unix(), 10),
		"resource":     res,
		"token_type":   "Bearer",
		"client_id":    app.ClientID,
	})
}
