package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

// Polling backoff while waiting for Graph to show a change.
const (
	pollInitial = 250 * time.Millisecond
	pollMax     = 5 * time.Second
)

// waitUntil calls check with growing pauses until it reports done, fails
// for good, or ctx ends. On timeout the error names the last real failure
// (or the last observed condition), because "context deadline exceeded"
// alone tells the user nothing. When ctx is cancelled instead (Terraform
// was interrupted: Ctrl-C, or the run cancelled), the error says so and
// wraps context.Canceled: it is no timeout.
func waitUntil(ctx context.Context, what string, check func(context.Context) (done bool, retryable error, fatal error)) error {
	delay := pollInitial
	start := time.Now()
	var last error
	for attempt := 1; ; attempt++ {
		done, retryable, fatal := check(ctx)
		if done {
			return nil
		}
		if ctx.Err() != nil {
			// A call cut short by the context fails for that reason only.
			return waitEnded(ctx, what, start, attempt, last)
		}
		if fatal != nil {
			return fatal
		}
		last = retryable
		tflog.Debug(ctx, "waiting for Graph", map[string]any{"condition": what, "attempt": attempt, "last": fmt.Sprint(last)})
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return waitEnded(ctx, what, start, attempt, last)
		case <-t.C:
		}
		delay = min(delay*2, pollMax)
	}
}

// waitEnded is waitUntil's error once ctx has ended: a cancellation, or a
// timeout that names the last real result.
func waitEnded(ctx context.Context, what string, start time.Time, attempts int, last error) error {
	took := time.Since(start).Round(time.Second)
	if errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("cancelled after %s (%d attempts) while waiting until %s: Terraform stopped the operation (interrupted, e.g. Ctrl-C): %w",
			took, attempts, what, context.Canceled)
	}
	msg := fmt.Sprintf("timed out after %s (%d attempts) waiting until %s", took, attempts, what)
	if last != nil {
		return fmt.Errorf("%s; last result: %w", msg, last)
	}
	return errors.New(msg)
}

// waitReadable polls GET /users/{id} until the new user has replicated.
// Only 404 is retried: anything else (403, 401) will not heal by waiting.
func waitReadable(ctx context.Context, c *graph.Client, id string) (*graph.User, error) {
	var u *graph.User
	err := waitUntil(ctx, fmt.Sprintf("user %s is readable", id), func(ctx context.Context) (bool, error, error) {
		got, err := c.GetUser(ctx, id)
		switch {
		case err == nil:
			u = got
			return true, nil, nil
		case graph.IsNotFound(err):
			return false, err, nil
		case ctx.Err() != nil:
			return false, err, nil
		default:
			return false, nil, err
		}
	})
	return u, err
}
