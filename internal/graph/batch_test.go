package graph_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/entra-b2b/terraform-provider-b2b/internal/emulator"
	"github.com/entra-b2b/terraform-provider-b2b/internal/graph"
)

const getUserKey = "GET /v1.0/users/{id}"

func seedGuests(t *testing.T, s *emulator.Server, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range ids {
		id, err := s.SeedUser(emulator.SeedUser{Email: fmt.Sprintf("g%02d@partner.example", i), DisplayName: fmt.Sprintf("Guest %02d", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = id
	}
	return ids
}

// readAll reads ids concurrently, as Terraform's parallel refresh does.
func readAll(ctx context.Context, c *graph.Client, ids []string) ([]*graph.User, []error) {
	users, errs := make([]*graph.User, len(ids)), make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			users[i], errs[i] = c.GetUser(ctx, id)
		}()
	}
	wg.Wait()
	return users, errs
}

func TestConcurrentReadsShareBatches(t *testing.T) {
	s := startEmulator(t, emulator.Options{})
	c := emulatorClient(t, s, s.DefaultApp())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ids := seedGuests(t, s, 40)
	missing := "6f1d6b8e-0000-4000-8000-000000000404"
	ids = append(ids, missing)
	// Fetch the token first so that the reads start together.
	if _, err := c.GetUser(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	s.ResetCounters()

	users, errs := readAll(ctx, c, ids)
	for i, id := range ids {
		if id == missing {
			if !graph.IsNotFound(errs[i]) {
				t.Errorf("missing user: err = %v, want not found", errs[i])
			}
			continue
		}
		if errs[i] != nil {
			t.Errorf("read %s: %v", id, errs[i])
			continue
		}
		// Each caller gets its own user back, with the full $select.
		if users[i].ID != id || users[i].Mail != fmt.Sprintf("g%02d@partner.example", i) || users[i].UserType != "Guest" {
			t.Errorf("read %s got %+v", id, users[i])
		}
	}
	cnt := s.Counters()
	wire := cnt[getUserKey] - cnt[emulator.BatchItemCounterPrefix+getUserKey]
	batches := cnt["POST /v1.0/$batch"]
	// 41 reads need at least 3 requests (20+20+1). Reads go alone until the
	// batcher has seen 4 callers at once, and the goroutines start one after
	// another, so the first few are single GETs; a slow scheduler may split
	// a batch too.
	if batches < 2 || wire > 6 || batches+wire > 9 || cnt[emulator.BatchItemCounterPrefix+getUserKey]+wire != len(ids) {
		t.Errorf("41 concurrent reads took %d batches and %d single GETs: %v", batches, wire, cnt)
	}
}

func TestLoneReadIsAPlainGet(t *testing.T) {
	s := startEmulator(t, emulator.Options{})
	c := emulatorClient(t, s, s.DefaultApp())
	ids := seedGuests(t, s, 1)
	u, err := c.GetUser(t.Context(), ids[0])
	if err != nil || u.ID != ids[0] {
		t.Fatalf("GetUser = %+v, %v", u, err)
	}
	if cnt := s.Counters(); cnt[getUserKey] != 1 || cnt["POST /v1.0/$batch"] != 0 {
		t.Errorf("a lone read went out as %v", cnt)
	}
}

func TestThrottledBatchItemsAreRetried(t *testing.T) {
	s := startEmulator(t, emulator.Options{})
	c := emulatorClient(t, s, s.DefaultApp())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ids := seedGuests(t, s, 20)
	if _, err := c.GetUser(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	s.ResetCounters()
	s.SetFaults(emulator.Faults{Rate429: 0.3, RetryAfter: time.Second})

	start := time.Now()
	users, errs := readAll(ctx, c, ids)
	for i := range ids {
		if errs[i] != nil || users[i].ID != ids[i] {
			t.Fatalf("read %s: %+v, %v", ids[i], users[i], errs[i])
		}
	}
	cnt := s.Counters()
	if cnt["status:429"] == 0 {
		t.Skip("no item was throttled this time; nothing to check")
	}
	// Retry-After: 1 was honoured rather than retried at once.
	if took := time.Since(start); took < time.Second {
		t.Errorf("all reads done in %s despite %d answers of 429 with Retry-After: 1", took, cnt["status:429"])
	}
}
