package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/users"
)

// The user's employeeLeaveDateTime (Edm.DateTimeOffset) is lifecycle
// information with permissions of its own, apart from the rest of the
// profile: reading it needs User-LifeCycleInfo.Read.All, writing it
// User.Read.All and User-LifeCycleInfo.ReadWrite.All (the property's row in
// https://learn.microsoft.com/graph/api/resources/user and
// https://learn.microsoft.com/graph/tutorial-lifecycle-workflows-set-employeeleavedatetime).
// It is therefore never part of GetUser's $select, where a missing
// permission would break the read of every guest, but read and written by
// the calls below, only for the guests that use it.
const (
	// PermLifeCycleInfoRead is the application permission that reads employeeLeaveDateTime.
	PermLifeCycleInfoRead = "User-LifeCycleInfo.Read.All"
	// PermLifeCycleInfoWrite is the application permission that writes it (and reads it).
	PermLifeCycleInfoWrite = "User-LifeCycleInfo.ReadWrite.All"
)

var (
	opGetLeaveDate = operation{name: "GET /users/{id}?$select=employeeLeaveDateTime", permission: PermLifeCycleInfoRead}
	opSetLeaveDate = operation{name: "PATCH /users/{id} (employeeLeaveDateTime)", permission: PermLifeCycleInfoWrite}
)

// GetEmployeeLeaveDateTime reads the user's employeeLeaveDateTime; nil when
// it is not set. A 403 means the app lacks PermLifeCycleInfoRead.
//
// The read travels as an item of the read batches (as memberOf and
// sponsors do), beside the guests' own reads, rather than as one GET per
// guest and refresh. Each batch item has its own status
// (https://learn.microsoft.com/graph/json-batching), so a 403 on this item
// fails this read alone, never the guest's main read in the same batch.
func (c *Client) GetEmployeeLeaveDateTime(ctx context.Context, id string) (*time.Time, error) {
	if err := checkID(opGetLeaveDate, id); err != nil {
		return nil, err
	}
	return c.impl.getLeaveDate(ctx, id)
}

func (c *client) getLeaveDate(ctx context.Context, id string) (*time.Time, error) {
	if c.batcher == nil {
		var out *time.Time
		err := c.call(ctx, opGetLeaveDate, func(ctx context.Context) error {
			var err error
			out, err = c.getLeaveDateOnce(ctx, id)
			return err
		})
		return out, err
	}
	path := "/users/" + url.PathEscape(id) + "?$select=id," + employeeLeaveDateTimeProp
	var out *time.Time
	// Each attempt joins a batch; an item throttled inside its batch comes
	// back as a 429 *Error with Retry-After, which call waits out.
	err := c.call(ctx, opGetLeaveDate, func(ctx context.Context) error {
		var err error
		out, err = readFromBatch(ctx, c.batcher, opGetLeaveDate, path,
			func(ctx context.Context) (*time.Time, error) { return c.getLeaveDateOnce(ctx, id) },
			func(body []byte) (*time.Time, error) {
				var v struct {
					At *time.Time `json:"employeeLeaveDateTime"`
				}
				if err := json.Unmarshal(body, &v); err != nil {
					return nil, &Error{Operation: opGetLeaveDate.name, Message: "reading employeeLeaveDateTime in Graph's batch response: " + err.Error(), cause: err}
				}
				return utc(v.At), nil
			})
		return err
	})
	return out, err
}

// getLeaveDateOnce is one GET /users/{id}?$select=id,employeeLeaveDateTime.
func (c *client) getLeaveDateOnce(ctx context.Context, id string) (*time.Time, error) {
	cfg := &users.UserItemRequestBuilderGetRequestConfiguration{
		QueryParameters: &users.UserItemRequestBuilderGetQueryParameters{Select: []string{"id", employeeLeaveDateTimeProp}},
	}
	out, err := c.sdk.Users().ByUserId(id).Get(ctx, cfg)
	if err != nil || out == nil {
		return nil, err
	}
	return utc(out.GetEmployeeLeaveDateTime()), nil
}

// SetEmployeeLeaveDateTime sends PATCH /users/{id} with employeeLeaveDateTime
// alone: at, in UTC, or null (nil) to clear it. Sent apart from UpdateUser
// so that a missing PermLifeCycleInfoWrite fails this step alone, with an
// error that names the permission.
func (c *Client) SetEmployeeLeaveDateTime(ctx context.Context, id string, at *time.Time) error {
	if err := checkID(opSetLeaveDate, id); err != nil {
		return err
	}
	var v any
	if at != nil {
		v = at.UTC().Format(time.RFC3339)
	}
	body, err := json.Marshal(map[string]any{employeeLeaveDateTimeProp: v})
	if err != nil {
		return fmt.Errorf("graph: encoding employeeLeaveDateTime: %w", err)
	}
	return c.impl.patchUser(ctx, opSetLeaveDate, id, body)
}

// invitationSponsors is the invitation's invitedUserSponsors: directory
// objects by ID. Graph v1.0 documents the relationship on the invitation
// resource ("the users or groups who are sponsors of the invited user",
// https://learn.microsoft.com/graph/api/resources/invitation#relationships),
// so one POST /invitations (User.Invite.All) sets them, without the
// POST /users/{id}/sponsors/$ref per sponsor that needs User.ReadWrite.All.
func invitationSponsors(ids []string) []models.DirectoryObjectable {
	out := make([]models.DirectoryObjectable, 0, len(ids))
	for _, id := range ids {
		o := models.NewDirectoryObject()
		o.SetId(&id)
		out = append(out, o)
	}
	return out
}
