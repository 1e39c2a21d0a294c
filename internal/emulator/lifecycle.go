package emulator

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/entra-b2b/terraform-provider-b2b/internal/userprop"
)

// Guest lifecycle: the user's employeeLeaveDateTime, and the sponsors an
// invitation names (invitedUserSponsors).

// The lifecycle permissions. employeeLeaveDateTime: "To read this property,
// the calling app must be assigned the User-LifeCycleInfo.Read.All
// permission. To write this property, the calling app must be assigned the
// User.Read.All and User-LifeCycleInfo.ReadWrite.All permissions."
// (https://learn.microsoft.com/graph/api/resources/user, and
// https://learn.microsoft.com/graph/tutorial-lifecycle-workflows-set-employeeleavedatetime).
const (
	PermUserLifeCycleInfoReadAll      = "User-LifeCycleInfo.Read.All"
	PermUserLifeCycleInfoReadWriteAll = "User-LifeCycleInfo.ReadWrite.All"
)

const leaveDateProp = "employeeLeaveDateTime"

var (
	// lifecycleReadPerms read employeeLeaveDateTime; the write permission
	// includes the read.
	lifecycleReadPerms = []string{PermUserLifeCycleInfoReadAll, PermUserLifeCycleInfoReadWriteAll}
	// lifecycleWritePerms write it (with a user read or write permission,
	// which the PATCH route already demands).
	lifecycleWritePerms = []string{PermUserLifeCycleInfoReadWriteAll}
)

// leaveDateRow is employeeLeaveDateTime, Edm.DateTimeOffset, nullable
// ("PATCH ... null" resets it, per the tutorial above). $filter: "Supports
// $filter (eq, ne, not , ge, le, in)"; the table's rules give ne and not
// as advanced-only where eq is supported.
var leaveDateRow = userprop.Prop{Graph: leaveDateProp, Type: userprop.Time, Writable: true,
	Filter: userprop.Filter{Eq: userprop.ByDefault, GeLe: userprop.ByDefault}}

// validatePatchTime checks a DateTimeOffset in a PATCH body: null clears
// it; otherwise an ISO 8601 time with a UTC offset, stored in UTC as Graph
// shows every timestamp ("always in UTC time", resources/user).
func validatePatchTime(name string, v any) (any, string) {
	if v == nil {
		return nil, ""
	}
	s, ok := v.(string)
	if !ok {
		return nil, invalidValue(name)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil, fmt.Sprintf("Cannot convert the literal '%s' to the expected type 'Edm.DateTimeOffset'.", s)
	}
	return formatTime(t), ""
}

// lifecycleWriteAllowed answers 403 to a PATCH that sets
// employeeLeaveDateTime without User-LifeCycleInfo.ReadWrite.All.
func (c *call) lifecycleWriteAllowed(changes map[string]any) bool {
	if _, ok := changes[leaveDateProp]; !ok {
		return true
	}
	return c.authorize(lifecycleWritePerms)
}

// lifecycleReadAllowed answers 403 to a read that selects
// employeeLeaveDateTime without a lifecycle permission.
func (c *call) lifecycleReadAllowed(sel []string) bool {
	if !slices.Contains(sel, leaveDateProp) {
		return true
	}
	return c.authorize(lifecycleReadPerms)
}

// SetEmployeeLeaveDateTime sets (or, with nil, clears) a user's
// employeeLeaveDateTime out of band, as an HR sync or an admin would.
func (s *Server) SetEmployeeLeaveDateTime(userID string, at *time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.findUserLocked(userID)
	if u == nil {
		return fmt.Errorf("%w: user %s", ErrNotFound, userID)
	}
	if at == nil {
		setProp(u, leaveDateProp, nil)
	} else {
		setProp(u, leaveDateProp, s.stampLocked(*at))
	}
	s.saveLocked()
	return nil
}

// EmployeeLeaveDateTime returns a user's employeeLeaveDateTime as stored
// ("" when null).
func (s *Server) EmployeeLeaveDateTime(userID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.findUserLocked(userID)
	if u == nil {
		return "", fmt.Errorf("%w: user %s", ErrNotFound, userID)
	}
	v, _ := u.Props[leaveDateProp].(string)
	return v, nil
}

// invitationSponsorIDs decodes invitedUserSponsors, the invitation's
// relationship to "the users or groups who are sponsors of the invited
// user" (https://learn.microsoft.com/graph/api/resources/invitation#relationships,
// v1.0), given as directory objects by id.
func invitationSponsorIDs(raw json.RawMessage) ([]string, *apiError) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var objs []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(raw, &objs); err != nil {
		return nil, gatewayError("Invalid value specified for property 'invitedUserSponsors' of resource 'invitation'.")
	}
	ids := make([]string, 0, len(objs))
	for _, o := range objs {
		id := strings.ToLower(strings.TrimSpace(o.ID))
		if id == "" {
			return nil, gatewayError("Each of invitedUserSponsors needs an id.")
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) > maxSponsors {
		// "You can assign a maximum of five sponsors to a single guest
		// user" (https://learn.microsoft.com/entra/external-id/b2b-sponsors);
		// the wording is the emulator's.
		return nil, gatewayError(fmt.Sprintf("A guest user can have at most %d sponsors; invitedUserSponsors names %d.", maxSponsors, len(ids)))
	}
	return ids, nil
}

// checkInvitationSponsorsLocked refuses, before anyone is invited, sponsors
// that are neither a user nor a group of the directory. Graph's answer is
// not documented; the emulator uses the directory's 404 for the object.
func (s *Server) checkInvitationSponsorsLocked(ids []string) *apiError {
	for _, id := range ids {
		if s.st.Users[id] == nil && s.st.Groups[id] == nil {
			return notFoundError(id)
		}
	}
	return nil
}

// applyInvitationSponsorsLocked makes the invitation's sponsors the invited
// user's, as the user-post-sponsors call would.
func (s *Server) applyInvitationSponsorsLocked(u *user, ids []string) {
	for _, id := range ids {
		if !containsID(u.Sponsors, id) && len(u.Sponsors) < maxSponsors {
			u.Sponsors = append(u.Sponsors, id)
		}
	}
}
