package graph

import "context"

// client is the implementation behind Client. STUB: replaced by the real
// msgraph-sdk-go/azidentity implementation.
type client struct{ cfg Config }

func newClient(cfg Config) (*client, error) { return &client{cfg: cfg}, nil }

func (c *client) invite(ctx context.Context, req InvitationRequest) (*Invitation, error) {
	return nil, ErrNotImplemented
}
func (c *client) getUser(ctx context.Context, id string) (*User, error) {
	return nil, ErrNotImplemented
}
func (c *client) updateUser(ctx context.Context, id string, upd UserUpdate) error {
	return ErrNotImplemented
}
func (c *client) deleteUser(ctx context.Context, id string) error { return ErrNotImplemented }
func (c *client) getDeletedUser(ctx context.Context, id string) (*User, error) {
	return nil, ErrNotImplemented
}
func (c *client) purgeDeletedUser(ctx context.Context, id string) error { return ErrNotImplemented }
func (c *client) restoreDeletedUser(ctx context.Context, id string) (*User, error) {
	return nil, ErrNotImplemented
}
func (c *client) findUsersByEmail(ctx context.Context, email string) ([]User, error) {
	return nil, ErrNotImplemented
}
func (c *client) listUsers(ctx context.Context, f GuestFilter) ([]User, error) {
	return nil, ErrNotImplemented
}
