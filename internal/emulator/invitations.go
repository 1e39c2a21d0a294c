package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// POST /invitations: https://learn.microsoft.com/graph/api/invitation-post
// and https://learn.microsoft.com/graph/api/resources/invitation.

type invitationBody struct {
	InvitedUserEmailAddress *string `json:"invitedUserEmailAddress"`
	InvitedUserDisplayName  *string `json:"invitedUserDisplayName"`
	InviteRedirectURL       *string `json:"inviteRedirectUrl"`
	InvitedUserType         *string `json:"invitedUserType"`
	SendInvitationMessage   *bool   `json:"sendInvitationMessage"`
	ResetRedemption         *bool   `json:"resetRedemption"`
	InvitedUser             *struct {
		ID string `json:"id"`
	} `json:"invitedUser"`
	InvitedUserMessageInfo *struct {
		CcRecipients []struct {
			EmailAddress struct {
				Address string `json:"address"`
				Name    string `json:"name"`
			} `json:"emailAddress"`
		} `json:"ccRecipients"`
		CustomizedMessageBody *string `json:"customizedMessageBody"`
		MessageLanguage       *string `json:"messageLanguage"`
	} `json:"invitedUserMessageInfo"`
}

const defaultInvitationLimit, defaultInvitationWindow = 150, 5 * time.Second

// throttleInvitationLocked applies the per-tenant invitation limit and
// returns how long to wait when over it (0: go ahead).
// https://learn.microsoft.com/graph/throttling-limits (identity and access
// service limits, invitation manager).
func (s *Server) throttleInvitationLocked(now time.Time) time.Duration {
	l := s.invLimit
	if l.Disabled {
		return 0
	}
	if l.N <= 0 {
		l.N = defaultInvitationLimit
	}
	if l.Window <= 0 {
		l.Window = defaultInvitationWindow
	}
	cut := now.Add(-l.Window)
	kept := s.invTimes[:0]
	for _, t := range s.invTimes {
		if t.After(cut) {
			kept = append(kept, t)
		}
	}
	s.invTimes = kept
	if len(kept) >= l.N {
		return kept[0].Add(l.Window).Sub(now)
	}
	s.invTimes = append(s.invTimes, now)
	return 0
}

// invitationProps are the properties of the invitation resource
// (https://learn.microsoft.com/graph/api/resources/invitation#properties);
// the read-only ones are accepted and ignored, as OData does.
var invitationProps = map[string]bool{
	"id": true, "invitedUserDisplayName": true, "invitedUserEmailAddress": true,
	"invitedUserMessageInfo": true, "invitedUserType": true, "inviteRedeemUrl": true,
	"inviteRedirectUrl": true, "resetRedemption": true, "sendInvitationMessage": true,
	"status": true, "invitedUser": true, "invitedUserSponsors": true,
}

// unknownInvitationProperty returns the first property of body that the
// invitation type does not declare. Graph's OData reader refuses the
// whole request for it with 400 BadRequest "The property 'x' does not
// exist on type 'microsoft.graph.invitation'. Make sure to only use
// property names that are defined by the type or mark the type as open
// type." (the invitation type is not open; the wording is the OData
// reader's, observed for other types in msgraph-sdk-dotnet#450).
func unknownInvitationProperty(body []byte) string {
	var raw map[string]json.RawMessage
	if json.Unmarshal(body, &raw) != nil {
		return ""
	}
	var unknown []string
	for k := range raw {
		if !invitationProps[k] && !strings.HasPrefix(k, "@odata.") {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	if len(unknown) == 0 {
		return ""
	}
	return unknown[0]
}

func (c *call) postInvitation() {
	var b invitationBody
	if err := json.Unmarshal(c.body, &b); err != nil {
		c.graphError(http.StatusBadRequest, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
		return
	}
	if k := unknownInvitationProperty(c.body); k != "" {
		c.graphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf(
			"The property '%s' does not exist on type 'microsoft.graph.invitation'. Make sure to only use property names that are defined by the type or mark the type as open type.", k))
		return
	}
	email := ""
	if b.InvitedUserEmailAddress != nil {
		email = strings.TrimSpace(*b.InvitedUserEmailAddress)
	}
	switch {
	case email == "":
		c.graphError(http.StatusBadRequest, "BadRequest", "The invitedUserEmailAddress property is required.")
		return
	case !validEmail(email):
		c.graphError(http.StatusBadRequest, "BadRequest", "The specified email address is invalid: '"+email+"'.")
		return
	}
	if b.InviteRedirectURL == nil || *b.InviteRedirectURL == "" {
		c.graphError(http.StatusBadRequest, "BadRequest", "The inviteRedirectUrl property is required.")
		return
	}
	redirect, err := url.Parse(*b.InviteRedirectURL)
	if err != nil || !redirect.IsAbs() || redirect.Host == "" {
		c.graphError(http.StatusBadRequest, "BadRequest", "The specified inviteRedirectUrl is not a valid absolute URI.")
		return
	}
	if redirect.Path == "" {
		redirect.Path = "/" // Graph echoes the redirect URL normalized with a trailing slash
	}
	userType := "Guest"
	if b.InvitedUserType != nil && *b.InvitedUserType != "" {
		switch strings.ToLower(*b.InvitedUserType) {
		case "guest":
		case "member":
			userType = "Member"
		default:
			c.graphError(http.StatusBadRequest, "BadRequest", "The invitedUserType must be either 'Guest' or 'Member'.")
			return
		}
	}
	send := b.SendInvitationMessage != nil && *b.SendInvitationMessage
	reset := b.ResetRedemption != nil && *b.ResetRedemption
	displayName := ""
	if b.InvitedUserDisplayName != nil {
		displayName = *b.InvitedUserDisplayName
	}
	var cc []string
	body := ""
	lang := any(nil)
	if mi := b.InvitedUserMessageInfo; mi != nil {
		for _, r := range mi.CcRecipients {
			if r.EmailAddress.Address != "" {
				cc = append(cc, r.EmailAddress.Address)
			}
		}
		if len(cc) > 1 {
			// Graph honours a single CC recipient (invitedUserMessageInfo docs).
			c.graphError(http.StatusBadRequest, "BadRequest", "Only one ccRecipient is supported.")
			return
		}
		for _, a := range cc {
			if !validEmail(a) {
				c.graphError(http.StatusBadRequest, "BadRequest", "The specified ccRecipient email address is invalid.")
				return
			}
		}
		if mi.CustomizedMessageBody != nil {
			body = *mi.CustomizedMessageBody
		}
		if mi.MessageLanguage != nil && *mi.MessageLanguage != "" {
			if !languageRE.MatchString(*mi.MessageLanguage) {
				c.graphError(http.StatusBadRequest, "BadRequest", "The specified messageLanguage is not supported.")
				return
			}
			lang = *mi.MessageLanguage
		}
	}

	s := c.s
	s.mu.Lock()
	now := s.now()
	if wait := s.throttleInvitationLocked(now); wait > 0 {
		s.mu.Unlock()
		secs := ceilSeconds(wait)
		c.w.Header().Set("Retry-After", strconv.Itoa(secs))
		c.graphError(http.StatusTooManyRequests, "TooManyRequests", fmt.Sprintf(
			"Too many invitations were sent in a short period. Retry after %d seconds.", secs))
		return
	}
	var u *user
	status := "PendingAcceptance"
	switch {
	case reset:
		// resetRedemption re-invites an existing user object in place.
		if b.InvitedUser == nil || b.InvitedUser.ID == "" {
			s.mu.Unlock()
			c.graphError(http.StatusBadRequest, "BadRequest", "The invitedUser.id property is required when resetRedemption is true.")
			return
		}
		u = s.getVisibleLocked(b.InvitedUser.ID)
		if u == nil {
			s.mu.Unlock()
			c.notFound(b.InvitedUser.ID)
			return
		}
		// Documented order: "Make sure the new email address is added to
		// the mail or otherMails property of the user object", then reset
		// (https://learn.microsoft.com/entra/external-id/reset-redemption-status#reset-the-email-address-used-for-sign-in).
		// The docs do not give Graph's error for skipping that step; the
		// wording below is the emulator's.
		if !hasAddress(u, email) {
			s.mu.Unlock()
			c.graphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf(
				"The invitedUserEmailAddress '%s' is neither the mail nor one of the otherMails of user %s. Add it to the user first, then reset its redemption.", email, u.id()))
			return
		}
		u.Props["externalUserState"] = "PendingAcceptance"
		u.Props["externalUserStateChangeDateTime"] = formatTime(now)
		if u.Props["creationType"] == nil {
			u.Props["creationType"] = "Invitation"
		}
		u.Props["mail"] = email
	default:
		u = s.findByEmailLocked(email)
		if u != nil && isInternalMember(u) {
			// The docs are silent on inviting the address of an internal
			// member (invitation-post: an invitation "adds an external
			// user to the organization"), and no observed report was
			// found; the emulator refuses it, as an implementation
			// written strictly from those docs does (issue 17), so that a
			// provider relying on it fails here first. Wording is the
			// emulator's.
			s.mu.Unlock()
			c.graphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf(
				"The invited address '%s' belongs to user %s, an internal member of this directory, not an external user.", email, u.id()))
			return
		}
		if u != nil {
			// An invitation for an address already in the directory returns
			// that user (same object ID) instead of creating a second one;
			// it is "Completed" once the user can already sign in.
			if st, _ := u.Props["externalUserState"].(string); st != "PendingAcceptance" {
				status = "Completed"
			}
		} else {
			if displayName == "" {
				displayName = email
			}
			u = s.newUserLocked(email, displayName, userType, "PendingAcceptance", now)
			u.VisibleAt = now.Add(s.lag)
			u.LinkableAt = u.VisibleAt.Add(s.linkLag)
		}
	}
	userID := u.id()
	invID := newGUID()
	s.st.Invitations = append(s.st.Invitations, InvitationRecord{
		Email: email, UserID: userID, SendInvitationMessage: send, ResetRedemption: reset,
		At: now, CcRecipients: cc, Body: body,
	})
	s.saveLocked()
	s.mu.Unlock()

	ccOut := []any{}
	for _, a := range cc {
		ccOut = append(ccOut, map[string]any{"emailAddress": map[string]any{"name": nil, "address": a}})
	}
	if len(ccOut) == 0 {
		ccOut = append(ccOut, map[string]any{"emailAddress": map[string]any{"name": nil, "address": nil}})
	}
	var bodyOut any
	if body != "" {
		bodyOut = body
	}
	dn := any(nil)
	if b.InvitedUserDisplayName != nil {
		dn = *b.InvitedUserDisplayName
	}
	writeJSON(c.w, http.StatusCreated, map[string]any{
		"@odata.context":          s.url + "/v1.0/$metadata#invitations/$entity",
		"id":                      invID,
		"inviteRedeemUrl":         fmt.Sprintf("%s/redeem/?tenant=%s&user=%s&ticket=%s&ver=2.0", s.url, s.tenantID, invID, url.QueryEscape(newSecret())),
		"invitedUserDisplayName":  dn,
		"invitedUserEmailAddress": email,
		"invitedUserType":         userType,
		"inviteRedirectUrl":       redirect.String(),
		"resetRedemption":         reset,
		"sendInvitationMessage":   send,
		"status":                  status,
		"invitedUser":             map[string]any{"id": userID},
		"invitedUserMessageInfo": map[string]any{
			"messageLanguage":       lang,
			"ccRecipients":          ccOut,
			"customizedMessageBody": bodyOut,
		},
	})
}

// hasAddress reports whether email is u's mail or one of its otherMails
// (compared without case, as Graph compares addresses).
func hasAddress(u *user, email string) bool {
	if m, _ := u.Props["mail"].(string); strings.EqualFold(m, email) {
		return true
	}
	for _, o := range stringValues(u.Props["otherMails"]) {
		if strings.EqualFold(o, email) {
			return true
		}
	}
	return false
}

// isInternalMember reports a member that was not invited: an account of
// the tenant itself (creationType null), not an external user.
func isInternalMember(u *user) bool {
	t, _ := u.Props["userType"].(string)
	return t == "Member" && u.Props["creationType"] == nil
}
