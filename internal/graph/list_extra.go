package graph

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// Listing the users of a group: GET /groups/{id}/members, keeping the
// members typed #microsoft.graph.user
// (https://learn.microsoft.com/graph/api/group-list-members). The least
// privileged application permission is GroupMember.Read.All; reading the
// members' properties beyond id also needs User.Read.All, or Graph returns
// them with only id and @odata.type.
var opListGroupMemberUsers = operation{name: "GET /groups/{id}/members", permission: "GroupMember.Read.All"}

// ListGroupMemberUsers pages through the direct members of group groupID
// that are users and keeps those matching f.
//
// f is applied here rather than sent as $filter: on a relationship most of
// these clauses are advanced queries (ConsistencyLevel: eventual), whose
// index lags behind new invitations, and groups are small next to /users.
// f.PageSize sets $top as for ListUsers.
func (c *Client) ListGroupMemberUsers(ctx context.Context, groupID string, f GuestFilter) ([]User, error) {
	return c.impl.listGroupMemberUsers(ctx, groupID, f)
}

// Matches reports whether u passes every clause of f the way Graph's
// $filter evaluates it: string comparisons ignore case, createdDateTime
// bounds are inclusive (ge / le).
func (f GuestFilter) Matches(u User) bool {
	if f.UserType != "" && !strings.EqualFold(u.UserType, f.UserType) {
		return false
	}
	if f.ExternalUserState != "" && !strings.EqualFold(u.ExternalUserState, f.ExternalUserState) {
		return false
	}
	if f.DisplayNamePrefix != "" && !strings.HasPrefix(strings.ToLower(u.DisplayName), strings.ToLower(f.DisplayNamePrefix)) {
		return false
	}
	if f.MailDomain != "" {
		d := strings.ToLower(f.MailDomain)
		if !strings.HasPrefix(d, "@") {
			d = "@" + d
		}
		if !strings.HasSuffix(strings.ToLower(u.Mail), d) {
			return false
		}
	}
	if f.CreatedAfter != nil && (u.CreatedDateTime == nil || u.CreatedDateTime.Before(*f.CreatedAfter)) {
		return false
	}
	if f.CreatedBefore != nil && (u.CreatedDateTime == nil || u.CreatedDateTime.After(*f.CreatedBefore)) {
		return false
	}
	if f.LeftBefore != nil && (u.EmployeeLeaveDateTime == nil || u.EmployeeLeaveDateTime.After(*f.LeftBefore)) {
		return false
	}
	return true
}

func (c *client) listGroupMemberUsers(ctx context.Context, groupID string, f GuestFilter) ([]User, error) {
	if err := checkID(opListGroupMemberUsers, groupID); err != nil {
		return nil, err
	}
	top := int32(f.PageSize)
	switch {
	case top <= 0:
		top = defaultPageSize
	case top > maxPageSize:
		top = maxPageSize
	}
	// The members are listed without the OData cast to users
	// (members/microsoft.graph.user): group-list-members lists the cast
	// among the query parameters that need ConsistencyLevel: eventual and
	// $count (https://learn.microsoft.com/graph/api/group-list-members#request-headers),
	// whose index lags behind new invitations. Each member of the uncast
	// directoryObject collection carries its @odata.type, from which the
	// SDK builds a user for users only; groups, devices, contacts and
	// service principals are skipped.
	//
	// signInActivity is not selected here: Graph documents it on /users
	// only, so the members' sign-ins are read afterwards (memberSignIns).
	q := url.Values{}
	q.Set("$select", strings.Join(append(slices.Clip(userSelect), f.leaveSelect()...), ","))
	q.Set("$top", strconv.Itoa(int(top)))
	first := c.graphURL.String() + "/v1.0/groups/" + url.PathEscape(groupID) + "/members?" + q.Encode()

	var result []User
	seen := map[string]bool{}
	var page models.DirectoryObjectCollectionResponseable
	err := c.call(ctx, opListGroupMemberUsers, func(ctx context.Context) error {
		var err error
		page, err = groups.NewItemMembersRequestBuilder(first, c.adapter).Get(ctx, nil)
		return err
	})
	for {
		if err != nil {
			return nil, err
		}
		for _, o := range page.GetValue() {
			su, ok := o.(models.Userable)
			if !ok {
				continue
			}
			if u := toUser(su); f.Matches(*u) {
				result = append(result, *u)
			}
		}
		if f.MaxResults > 0 && len(result) >= f.MaxResults {
			return c.withSignIns(ctx, result[:f.MaxResults])
		}
		var next string
		if next, err = c.nextPage(opListGroupMemberUsers, deref(page.GetOdataNextLink()), seen, "group "+groupID); err != nil {
			return nil, err
		}
		if next == "" {
			return c.withSignIns(ctx, result)
		}
		err = c.call(ctx, opListGroupMemberUsers, func(ctx context.Context) error {
			var err error
			page, err = groups.NewItemMembersRequestBuilder(next, c.adapter).Get(ctx, nil)
			return err
		})
	}
}
