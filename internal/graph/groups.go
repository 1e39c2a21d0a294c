package graph

import "context"

func (c *client) getGroup(ctx context.Context, id string) (*Group, error) {
	return nil, ErrNotImplemented
}

func (c *client) addGroupMember(ctx context.Context, groupID, memberID string) error {
	return ErrNotImplemented
}

func (c *client) removeGroupMember(ctx context.Context, groupID, memberID string) error {
	return ErrNotImplemented
}

func (c *client) listUserGroupIDs(ctx context.Context, userID string) ([]string, error) {
	return nil, ErrNotImplemented
}

func (c *client) listSponsorIDs(ctx context.Context, userID string) ([]string, error) {
	return nil, ErrNotImplemented
}

func (c *client) addSponsor(ctx context.Context, userID, sponsorID string) error {
	return ErrNotImplemented
}

func (c *client) removeSponsor(ctx context.Context, userID, sponsorID string) error {
	return ErrNotImplemented
}
