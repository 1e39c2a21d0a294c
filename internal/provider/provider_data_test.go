package provider

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

// Many guests planned at once that name one group cost one look-up: the
// callers that ask while it runs share it, and the ones after it get the
// remembered answer.
func TestObjectCheckSharesOneLookupAmongConcurrentCallers(t *testing.T) {
	var checks objectChecks
	var looks atomic.Int32
	release := make(chan struct{})
	look := func(context.Context) (bool, error) {
		looks.Add(1)
		<-release
		return true, nil
	}

	const callers = 50
	var started, done sync.WaitGroup
	results := make([]error, callers)
	for i := range callers {
		started.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			started.Done()
			exists, err := checks.check(t.Context(), "group:g1", look)
			if err == nil && !exists {
				err = errors.New("exists = false")
			}
			results[i] = err
		}()
	}
	started.Wait()
	close(release)
	done.Wait()
	for i, err := range results {
		if err != nil {
			t.Fatalf("caller %d: %v", i, err)
		}
	}
	// A caller that reached check after the look-up ended found the
	// answer remembered, so the count is exact whatever the scheduling.
	if n := looks.Load(); n != 1 {
		t.Fatalf("%d look-ups for %d concurrent callers; want 1", n, callers)
	}
	if exists, err := checks.check(t.Context(), "group:g1", look); !exists || err != nil || looks.Load() != 1 {
		t.Fatalf("a later caller got (%v, %v) after %d look-ups; want the remembered answer", exists, err, looks.Load())
	}
	if _, err := checks.check(t.Context(), "group:g2", look); err != nil || looks.Load() != 2 {
		t.Fatalf("another key: err %v after %d look-ups; want its own look-up", err, looks.Load())
	}
}

// A caller whose context ends stops waiting at once, even the one whose
// call started the look-up; the look-up itself goes on, undisturbed, for
// the callers still waiting.
func TestObjectCheckWaiterHonoursItsOwnContext(t *testing.T) {
	var checks objectChecks
	started := make(chan struct{})
	release := make(chan struct{})
	lookErr := make(chan error, 1)
	look := func(ctx context.Context) (bool, error) {
		close(started)
		<-release
		if _, ok := ctx.Deadline(); !ok {
			lookErr <- errors.New("the shared look-up has no deadline")
		} else {
			lookErr <- ctx.Err()
		}
		return true, nil
	}

	// The first caller starts the look-up and then gives up.
	firstCtx, cancelFirst := context.WithCancel(t.Context())
	first := make(chan error, 1)
	go func() {
		_, err := checks.check(firstCtx, "sponsor:s1", look)
		first <- err
	}()
	<-started

	// A second caller joins, and gives up too.
	secondCtx, cancelSecond := context.WithCancel(t.Context())
	second := make(chan error, 1)
	go func() {
		_, err := checks.check(secondCtx, "sponsor:s1", look)
		second <- err
	}()

	// A third caller keeps waiting.
	third := make(chan error, 1)
	go func() {
		exists, err := checks.check(t.Context(), "sponsor:s1", look)
		if err == nil && !exists {
			err = errors.New("exists = false")
		}
		third <- err
	}()

	cancelFirst()
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Fatalf("the first caller, cancelled while the look-up ran, got %v; want context.Canceled", err)
	}
	cancelSecond()
	if err := <-second; !errors.Is(err, context.Canceled) {
		t.Fatalf("the second caller, cancelled while the look-up ran, got %v; want context.Canceled", err)
	}

	close(release)
	if err := <-lookErr; err != nil {
		t.Fatalf("the shared look-up's context: %v; want it alive after its first caller left", err)
	}
	if err := <-third; err != nil {
		t.Fatalf("the caller still waiting: %v; want the look-up's answer", err)
	}
}

// Only "exists" is remembered: a missing object may be created, and a failed
// look-up may succeed, before the next check.
func TestObjectCheckRemembersOnlyExists(t *testing.T) {
	for name, answer := range map[string]struct {
		exists bool
		err    error
	}{
		"missing": {false, nil},
		"failed":  {false, errors.New("network down")},
	} {
		t.Run(name, func(t *testing.T) {
			var checks objectChecks
			looks := 0
			look := func(context.Context) (bool, error) {
				looks++
				return answer.exists, answer.err
			}
			for range 2 {
				exists, err := checks.check(t.Context(), "group:g", look)
				if exists != answer.exists || !errors.Is(err, answer.err) {
					t.Fatalf("got (%v, %v); want (%v, %v)", exists, err, answer.exists, answer.err)
				}
			}
			if looks != 2 {
				t.Fatalf("%d look-ups for two sequential checks; want 2 (not remembered)", looks)
			}
		})
	}
}
