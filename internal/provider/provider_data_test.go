package provider

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

// fakeLook is a look-up for objectChecks.check that counts its calls and
// answers (exists, err). The channels, when set, let a test hold the
// look-up while callers gather and see the context it ran with.
type fakeLook struct {
	exists bool
	err    error
	calls  atomic.Int32

	started  chan struct{} // closed when the first call begins
	release  chan struct{} // every call waits until it is closed
	ctxState chan error    // after release, each call sends why its context is unusable (nil: it is fine)

	startOnce sync.Once
}

func (f *fakeLook) look(ctx context.Context) (bool, error) {
	f.calls.Add(1)
	if f.started != nil {
		f.startOnce.Do(func() { close(f.started) })
	}
	if f.release != nil {
		<-f.release
	}
	if f.ctxState != nil {
		if _, ok := ctx.Deadline(); !ok {
			f.ctxState <- errors.New("the shared look-up has no deadline")
		} else {
			f.ctxState <- ctx.Err()
		}
	}
	return f.exists, f.err
}

// Many guests planned at once that name one group cost one look-up: the
// callers that ask while it runs share it, and the ones after it get the
// remembered answer.
func TestObjectCheckSharesOneLookupAmongConcurrentCallers(t *testing.T) {
	var checks objectChecks
	f := &fakeLook{exists: true, release: make(chan struct{})}
	look := f.look

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
	close(f.release)
	done.Wait()
	for i, err := range results {
		if err != nil {
			t.Fatalf("caller %d: %v", i, err)
		}
	}
	// A caller that reached check after the look-up ended found the
	// answer remembered, so the count is exact whatever the scheduling.
	if n := f.calls.Load(); n != 1 {
		t.Fatalf("%d look-ups for %d concurrent callers; want 1", n, callers)
	}
	if exists, err := checks.check(t.Context(), "group:g1", look); !exists || err != nil || f.calls.Load() != 1 {
		t.Fatalf("a later caller got (%v, %v) after %d look-ups; want the remembered answer", exists, err, f.calls.Load())
	}
	if _, err := checks.check(t.Context(), "group:g2", look); err != nil || f.calls.Load() != 2 {
		t.Fatalf("another key: err %v after %d look-ups; want its own look-up", err, f.calls.Load())
	}
}

// A caller whose context ends stops waiting at once, even the one whose
// call started the look-up; the look-up itself goes on, undisturbed, for
// the callers still waiting.
func TestObjectCheckWaiterHonoursItsOwnContext(t *testing.T) {
	var checks objectChecks
	f := &fakeLook{exists: true, started: make(chan struct{}), release: make(chan struct{}), ctxState: make(chan error, 1)}
	look := f.look

	// The first caller starts the look-up and then gives up.
	firstCtx, cancelFirst := context.WithCancel(t.Context())
	first := make(chan error, 1)
	go func() {
		_, err := checks.check(firstCtx, "sponsor:s1", look)
		first <- err
	}()
	<-f.started

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

	close(f.release)
	if err := <-f.ctxState; err != nil {
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
			f := &fakeLook{exists: answer.exists, err: answer.err}
			look := f.look
			for range 2 {
				exists, err := checks.check(t.Context(), "group:g", look)
				if exists != answer.exists || !errors.Is(err, answer.err) {
					t.Fatalf("got (%v, %v); want (%v, %v)", exists, err, answer.exists, answer.err)
				}
			}
			if n := f.calls.Load(); n != 2 {
				t.Fatalf("%d look-ups for two sequential checks; want 2 (not remembered)", n)
			}
		})
	}
}
